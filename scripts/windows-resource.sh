#!/usr/bin/env bash
# Writes OUT.syso: the Windows resources of hallway.exe (the app icon, the
# version information from FyneApp.toml, a manifest asking for no elevation
# and for per-monitor DPI awareness), compiled by MinGW-w64's windres. The
# Go linker embeds a .syso found in the main package's folder.
set -euo pipefail
out=${1:?usage: windows-resource.sh OUT.syso}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

field() { sed -n "s/^$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" FyneApp.toml | head -1; }
name=$(field Name)
id=$(field ID)
version=$(field Version)
build=$(field Build)
IFS=. read -r major minor patch <<<"$version"
commas="${major:-0},${minor:-0},${patch:-0},${build:-0}"

convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 "$tmp/hallway.ico"

cat >"$tmp/hallway.manifest" <<MANIFEST
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">
  <assemblyIdentity type="win32" name="$id" version="${major:-0}.${minor:-0}.${patch:-0}.${build:-0}"/>
  <trustInfo xmlns="urn:schemas-microsoft-com:asm.v3">
    <security><requestedPrivileges><requestedExecutionLevel level="asInvoker" uiAccess="false"/></requestedPrivileges></security>
  </trustInfo>
  <application xmlns="urn:schemas-microsoft-com:asm.v3">
    <windowsSettings>
      <dpiAware xmlns="http://schemas.microsoft.com/SMI/2005/WindowsSettings">true/pm</dpiAware>
      <dpiAwareness xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">permonitorv2</dpiAwareness>
    </windowsSettings>
  </application>
</assembly>
MANIFEST

cat >"$tmp/hallway.rc" <<RC
#include <winver.h>
1 ICON "hallway.ico"
1 24 "hallway.manifest"
1 VERSIONINFO
FILEVERSION $commas
PRODUCTVERSION $commas
FILEFLAGSMASK 0x3fL
FILEOS VOS_NT_WINDOWS32
FILETYPE VFT_APP
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "$name"
      VALUE "FileDescription", "$name, a serverless office messenger"
      VALUE "FileVersion", "$version.$build"
      VALUE "InternalName", "hallway"
      VALUE "OriginalFilename", "hallway.exe"
      VALUE "ProductName", "$name"
      VALUE "ProductVersion", "$version"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
RC

x86_64-w64-mingw32-windres --input-format=rc --output-format=coff -I "$tmp" -i "$tmp/hallway.rc" -o "$out"
