; Inno Setup 6 script: installs dist\vpn-profile-editor\ (built by PyInstaller from
; packaging\vpn-profile-editor.spec) and makes the editor the handler of .mobileconfig files.
;
;   pyinstaller --noconfirm packaging\vpn-profile-editor.spec
;   iscc packaging\windows\vpn-profile-editor.iss
;
; The installer lands in dist\. It installs per user without administrator rights, or for
; every user when started elevated (the usual Inno Setup dialog asks). The version is read
; from the editor's executable, whose version resource the spec fills in from
; editor\__init__.py, so this script never repeats it.

#define AppName "VPN Profile Editor"
#define AppExeName "vpn-profile-editor.exe"
#define BundleDir "..\..\dist\vpn-profile-editor"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(BundleDir + "\" + AppExeName, "ProductVersion")
#endif

[Setup]
AppId={{15EFF851-03F2-41C7-BAE3-89D994B5F292}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ChangesAssociations=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile=..\..\resources\icons\vpn-profile-editor.ico
UninstallDisplayIcon={app}\{#AppExeName}
OutputDir=..\..\dist
OutputBaseFilename=vpn-profile-editor-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
#ifdef Sign
; iscc /DSign "/Ssigntool=COMMAND $f" signs the installer and its uninstaller (release.yml)
SignTool=signtool
SignedUninstaller=yes
#endif

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"

[Run]
Filename: "{app}\{#AppExeName}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent

; The .mobileconfig association and its icon, generated from editor\core\file_types.py.
#include "file-types.iss"
