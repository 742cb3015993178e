# Removes what install.ps1 added: the program folder, the Start-menu
# shortcut and the PATH entry. Your messages and key stay in
# %AppData%\Hallway; delete that folder too to remove them.
$ErrorActionPreference = 'Stop'
$dest = Join-Path $env:LOCALAPPDATA 'Programs\Hallway'
Remove-Item -Force -ErrorAction SilentlyContinue (Join-Path ([Environment]::GetFolderPath('Programs')) 'Hallway.lnk')
$path = [Environment]::GetEnvironmentVariable('Path', 'User')
if ($path) {
  $kept = ($path -split ';' | Where-Object { $_ -and $_ -ne $dest }) -join ';'
  [Environment]::SetEnvironmentVariable('Path', $kept, 'User')
}
Set-Location $env:TEMP
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $dest
Write-Host "Hallway is removed. Your data is still in $env:APPDATA\Hallway."
