; Inno Setup 6 script (ASCII only: Inno reads a file without BOM as ANSI) of CRM Desktop for Windows (x64). Built by `python installer/build.py windows`,
; which passes AppVersion, BundleDir (the PyInstaller folder dist\crm-desktop) and RepoRoot.
;
; Per-machine install under Program Files (administrator rights), Start menu entry with the icon,
; uninstaller in "Apps & features". The program writes nothing into its install folder at run time:
; data, logs and settings go to the user's %LOCALAPPDATA% / registry (platformdirs, QSettings).
; Installing a new version over an old one replaces the program files and keeps every user's data.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\crm-desktop"
#endif
#ifndef RepoRoot
  #define RepoRoot ".."
#endif

[Setup]
; The AppId identifies the product across versions (upgrades, uninstall): never change it.
AppId={{6F1D3C52-8B7A-4E0B-9C35-2A7E4D1F9B60}
AppName=CRM Desktop
AppVersion={#AppVersion}
AppVerName=CRM Desktop {#AppVersion}
AppPublisher=CRM Desktop developers
DefaultDirName={autopf}\CRM Desktop
DefaultGroupName=CRM Desktop
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
LicenseFile={#RepoRoot}\LICENSE
SetupIconFile={#RepoRoot}\resources\icons\crm-desktop.ico
UninstallDisplayIcon={app}\crm-desktop.exe
UninstallDisplayName=CRM Desktop {#AppVersion}
OutputBaseFilename=crm-desktop-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running CRM Desktop before replacing its files (users are asked first).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; A new version replaces the whole program folder: no module of the old one may linger.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#RepoRoot}\installer\smoke_test.ps1"; DestDir: "{app}\tools"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\CRM Desktop"; Filename: "{app}\crm-desktop.exe"; IconFilename: "{app}\crm-desktop.exe"; Comment: "Customer relationship management"
Name: "{autodesktop}\CRM Desktop"; Filename: "{app}\crm-desktop.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\crm-desktop.exe"; Description: "{cm:LaunchProgram,CRM Desktop}"; Flags: nowait postinstall skipifsilent
