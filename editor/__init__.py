"""VPN Profile Editor: edit, check, sign and export Apple VPN configuration profiles."""

__version__ = "0.1.0"

# The application's identity. The app, the PyInstaller spec and the desktop files read
# these names from here; the version above is the only place the version is written.
APP_NAME = "VPN Profile Editor"
GUI_EXECUTABLE = "vpn-profile-editor"  # also the .desktop file's and the icon's name
CLI_EXECUTABLE = "vpn-profile"
BUNDLE_ID = "org.vpnprofileeditor.VPNProfileEditor"  # macOS bundle identifier
