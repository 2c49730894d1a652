; Inno Setup script for ReviewApp on Windows. NOT BUILT OR TESTED HERE: our build machines and CI are Linux.
; See packaging/README.md for the steps on a Windows build machine.
;
;   1. On Windows, with Python 3.11:  py -3.11 -m venv .venv-bundle
;                                     .venv-bundle\Scripts\pip install -e ".[bundle]"
;                                     .venv-bundle\Scripts\pyinstaller --noconfirm --clean packaging\reviewapp.spec
;      which makes dist\ReviewApp\ReviewApp.exe (windowed) and dist\ReviewApp\reviewapp-console.exe (for --self-test).
;   2. dist\ReviewApp\reviewapp-console.exe --self-test          (must print "self-test passed")
;   3. iscc /DAppVersion=0.1.0 packaging\installer\reviewapp.iss  (makes dist\ReviewApp-0.1.0-setup.exe)
;
; Installed per machine in Program Files, as managed laptops expect; each assessor's caseload and log live in their
; own user folders (AppData), which uninstalling leaves alone: the caseload may hold unsynced reviews.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
; A fixed AppId, so an upgrade replaces the earlier version in place. Never change it.
AppId={{6F1C3C52-9D4B-4E7A-8B1E-2B5C7A4E9D10}
AppName=ReviewApp
AppVersion={#AppVersion}
AppPublisher=ReviewApp
DefaultDirName={autopf}\ReviewApp
DefaultGroupName=ReviewApp
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=ReviewApp-{#AppVersion}-setup
SetupIconFile=resources\icons\reviewapp.ico
UninstallDisplayIcon={app}\ReviewApp.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "dist\ReviewApp\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\ReviewApp"; Filename: "{app}\ReviewApp.exe"
Name: "{autoprograms}\ReviewApp self-test"; Filename: "{cmd}"; \
  Parameters: "/k ""{app}\reviewapp-console.exe"" --self-test"; IconFilename: "{app}\ReviewApp.exe"
Name: "{autodesktop}\ReviewApp"; Filename: "{app}\ReviewApp.exe"; Tasks: desktopicon

[Run]
; Inno Setup ignores a program's exit code here, so the self-test is left to IT's deployment tool to run after
; installing ("C:\Program Files\ReviewApp\reviewapp-console.exe" --self-test: exit code 0 when all is well).
Filename: "{app}\ReviewApp.exe"; Description: "{cm:LaunchProgram,ReviewApp}"; Flags: nowait postinstall skipifsilent
