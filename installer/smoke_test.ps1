<#
.SYNOPSIS
  Check an installed CRM Desktop on Windows end to end, on a throw-away embedded database.

.DESCRIPTION
  The Windows twin of installer/smoke_test.py (which CI runs on Linux). Run it in PowerShell
  after installing, as any user (nothing is written into the program folder or the user's own
  CRM data and logs; the customers grid's column layout may be remembered in the registry):

      powershell -ExecutionPolicy Bypass -File smoke_test.ps1 [-InstallDir "C:\Program Files\CRM Desktop"]

  1. crm-admin demo-data fills a new embedded database in a temporary folder;
  2. crm-desktop --smoke-test signs in as admin through the real sign-in window, opens the
     customers grid and exports it to PDF (the windows appear for a few seconds);
  3. passes when both exit 0, the PDF embeds a font with Chinese text, no crash log exists and
     nothing was written into the install folder.
#>
param(
    [string]$InstallDir = (Join-Path $env:ProgramFiles "CRM Desktop"),
    [ValidateSet("zh_CN", "en")][string]$Lang = "zh_CN"
)
$ErrorActionPreference = "Stop"

function Fail([string]$Message) {
    Write-Host "FAIL: $Message" -ForegroundColor Red
    exit 1
}

$work = Join-Path $env:TEMP ("crm-smoke-" + [guid]::NewGuid().ToString("N"))
New-Item -ItemType Directory -Path $work | Out-Null
$env:CRM_DATA_DIR = Join-Path $work "data"
$env:CRM_LOG_DIR = Join-Path $work "logs"
$env:CRM_CONFIG = Join-Path $work "config.toml"   # no office profile: the embedded database
$env:CRM_SMOKE_PASSWORD = "demo1234"
Remove-Item Env:CRM_PROFILE, Env:CRM_DATABASE_URL, Env:CRM_LANG -ErrorAction SilentlyContinue

$admin = Join-Path $InstallDir "crm-admin.exe"
$desktop = Join-Path $InstallDir "crm-desktop.exe"
if (-not (Test-Path $desktop)) { Fail "CRM Desktop is not installed in $InstallDir" }

function Get-Snapshot { Get-ChildItem -Path $InstallDir -Recurse -File | ForEach-Object { "$($_.FullName)|$($_.LastWriteTimeUtc.Ticks)" } }
$before = @(Get-Snapshot)

& $admin --lang en demo-data --customers 30
if ($LASTEXITCODE -ne 0) { Fail "crm-admin demo-data exited $LASTEXITCODE" }

$out = Join-Path $work "out"
$run = Start-Process -FilePath $desktop -ArgumentList @("--lang", $Lang, "--smoke-test", "`"$out`"") -Wait -PassThru
if ($run.ExitCode -ne 0) {
    $why = Get-Content (Join-Path $out "smoke-failed.txt") -Raw -ErrorAction SilentlyContinue
    Fail "crm-desktop --smoke-test exited $($run.ExitCode): $why"
}
Write-Host (Get-Content (Join-Path $out "smoke.json") -Raw -Encoding UTF8)

$crashes = @(Get-ChildItem -Path $env:CRM_LOG_DIR -Filter "crash-*.log" -ErrorAction SilentlyContinue)
if ($crashes.Count -gt 0) { Fail ("crash log written: " + $crashes[0].FullName) }

$written = @(Compare-Object -ReferenceObject $before -DifferenceObject @(Get-Snapshot) | Where-Object SideIndicator -eq "=>")
if ($written.Count -gt 0) { Fail ("the programs wrote into their install folder: " + $written[0].InputObject) }

$pdf = Join-Path $out "customers.pdf"
$bytes = [System.IO.File]::ReadAllBytes($pdf)
$text = [System.Text.Encoding]::GetEncoding("ISO-8859-1").GetString($bytes)
if (-not $text.StartsWith("%PDF")) { Fail "$pdf is not a PDF" }
# An embedded TrueType subset: "/FontFile2" and a "/BaseFont /ABCDEF+Name" (Microsoft YaHei or SimHei on Windows).
$subset = [regex]::Match($text, "/BaseFont /[A-Z]{6}\+([^ /\]>]+)")
if (-not $text.Contains("/FontFile2") -or -not $subset.Success) { Fail "no font is embedded in $pdf" }
Write-Host "PDF font embedded: $($subset.Groups[1].Value)"
Write-Host "PASS (work folder $work)" -ForegroundColor Green
Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
exit 0
