# Installs Hallway for the current user, without administrator rights:
# hallway.exe goes to %LocalAppData%\Programs\Hallway, a shortcut to the
# Start menu, and the folder onto the user's PATH so `hallway <verb>` works
# in a new terminal. The data folder (%AppData%\Hallway) is not touched.
$ErrorActionPreference = 'Stop'
$dest = Join-Path $env:LOCALAPPDATA 'Programs\Hallway'
New-Item -ItemType Directory -Force -Path $dest | Out-Null
foreach ($f in 'hallway.exe', 'uninstall.ps1', 'uninstall.cmd', 'README.txt') {
  Copy-Item -Force (Join-Path $PSScriptRoot $f) $dest
}
$exe = Join-Path $dest 'hallway.exe'

$lnk = Join-Path ([Environment]::GetFolderPath('Programs')) 'Hallway.lnk'
$shell = New-Object -ComObject WScript.Shell
$s = $shell.CreateShortcut($lnk)
$s.TargetPath = $exe
$s.WorkingDirectory = $dest
$s.IconLocation = "$exe,0"
$s.Description = 'Hallway, a serverless office messenger'
$s.Save()

$path = [Environment]::GetEnvironmentVariable('Path', 'User')
if (-not (($path -split ';') -contains $dest)) {
  $new = (@($path, $dest) | Where-Object { $_ }) -join ';'
  [Environment]::SetEnvironmentVariable('Path', $new, 'User')
}
Write-Host "Hallway is installed in $dest. Start it from the Start menu (Hallway)."
Write-Host "When Windows asks, allow Hallway on private networks: colleagues find you through it."
