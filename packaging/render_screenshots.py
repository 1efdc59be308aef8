"""Render the README's pictures of the editor to docs/images/ (offscreen, no display needed).

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_screenshots.py [OUT_DIR]

Everything shown is made up here: a demo profile built from the connection presets, a
throwaway CA and signer generated on the fly. No third-party profile appears.
"""

from __future__ import annotations

import datetime
import sys
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QWidget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from editor.app.main_window import MainWindow  # noqa: E402
from editor.core import presets  # noqa: E402
from editor.core.export import export_bytes  # noqa: E402
from editor.core.model import Profile  # noqa: E402
from editor.core.schema_loader import load_schema  # noqa: E402
from editor.core.signing import Identity  # noqa: E402
from editor.session.document import Document  # noqa: E402
from editor.ui.dialogs.signing import ExportDialog  # noqa: E402

SIZE = (1200, 800)
# On Demand rules for the "Try it" picture: trusted Wi-Fi, the office network found by its
# search domain and an HTTPS probe, per-connection rules on other Wi-Fi, else connect
TRY_IT_RULES = [
    {"Action": "Disconnect", "SSIDMatch": ["Example-Office"]},
    {
        "Action": "Disconnect",
        "DNSDomainMatch": ["corp.example.com"],
        "URLStringProbe": "https://intranet.corp.example.com/health",
    },
    {
        "Action": "EvaluateConnection",
        "InterfaceTypeMatch": "WiFi",
        "ActionParameters": [
            {"Domains": ["www.corp.example.com"], "DomainAction": "NeverConnect"},
            {
                "Domains": ["corp.example.com"],
                "DomainAction": "ConnectIfNeeded",
                "RequiredDNSServers": ["10.0.0.53"],
            },
        ],
    },
    {"Action": "Connect"},
]


def _certificate(
    name: str, key: rsa.RSAPrivateKey, issuer: x509.Certificate | None, signer: rsa.RSAPrivateKey
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), True)
        .sign(signer, hashes.SHA256())
    )


def demo_profile() -> tuple[Profile, Identity, x509.Certificate]:
    ca_key = rsa.generate_private_key(65537, 2048)
    ca = _certificate("Example Corp Root CA", ca_key, None, ca_key)
    signer_key = rsa.generate_private_key(65537, 2048)
    signer = _certificate("Example Corp Profile Signing", signer_key, ca, ca_key)
    profile = Profile.new("com.example.corp.vpn", "Example Corp VPN")
    root_payload = {
        "PayloadType": "com.apple.security.root",
        "PayloadVersion": 1,
        "PayloadIdentifier": "com.example.corp.vpn.root-ca",
        "PayloadUUID": "3F2C1B0A-9E8D-4C7B-A6F5-E4D3C2B1A090",
        "PayloadDisplayName": "Example Corp Root CA",
        "PayloadContent": ca.public_bytes(serialization.Encoding.DER),
    }
    vpn = presets.build_payload(
        "ikev2",
        name="Example Corp VPN",
        identifier_base="com.example.corp",
        server="vpn.example.com",
        proxy=presets.ProxySetup(mode="automatic", pac_url="https://proxy.example.com/proxy.pac"),
    )
    ikev2 = vpn["IKEv2"]
    ikev2["AuthenticationMethod"] = "None"
    ikev2["ExtendedAuthEnabled"] = 1
    ikev2["ServerCertificateIssuerCommonName"] = "Example Corp Root CA"
    # LocalIdentifier is left out on purpose: the first picture shows how that is caught
    ikev2["OnDemandEnabled"] = 1
    ikev2["OnDemandRules"] = [
        {"Action": "Disconnect", "SSIDMatch": ["Example-Office"]},
        {"Action": "Connect", "InterfaceTypeMatch": "Cellular"},
        {"Action": "Connect"},
    ]
    profile.root["PayloadContent"] = [vpn, root_payload]
    return profile, Identity(signer_key, signer, (ca,)), ca


def dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1f1f1f",
        QPalette.ColorRole.AlternateBase: "#323232",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#3a3a3a",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#2f65ca",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.ToolTipBase: "#333333",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(disabled, role, QColor("#7a7a7a"))
    return palette


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def grab(app: QApplication, widget: QWidget, target: Path) -> None:
    widget.show()
    settle(app)
    if not widget.grab().save(str(target), "PNG"):
        raise SystemExit(f"{target}: cannot write the picture")
    print(target)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication.instance() or QApplication(["render-screenshots"])
    app.setStyle("Fusion")
    schema = load_schema()
    profile, identity, ca = demo_profile()
    work = Path(tempfile.mkdtemp(prefix="screens-"))
    signed = work / "Example Corp VPN.mobileconfig"
    signed.write_bytes(export_bytes(profile.root, identity=identity))
    (work / "root.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("signing/trustAnchors", [str(work / "root.pem")])

    def window_for(path: Path) -> MainWindow:
        window = MainWindow(Document(Profile.read(path), schema, path), settings)
        window.resize(*SIZE)
        return window

    # 1. the IKEv2 form of a signed, trusted profile that misses a required key
    window = window_for(signed)
    ikev2 = ("PayloadContent", 0, "IKEv2")
    window.tree.expandAll()
    window.show_problem((*ikev2, "LocalIdentifier"))
    grab(app, window, out / "editor-ikev2.png")
    window.close()

    # 2. On Demand rules in the dark palette
    app.setPalette(dark_palette())
    window = window_for(signed)
    window.tree.expandAll()
    window.select_path((*ikev2, "OnDemandRules"))
    grab(app, window, out / "editor-on-demand-dark.png")
    window.close()
    app.setPalette(app.style().standardPalette())

    # 5. the On Demand "Try it" panel on richer rules: an unknown Wi-Fi, one host
    tried = work / "On Demand.mobileconfig"
    rich = Profile.parse(profile.to_bytes("xml"))  # a copy, unsigned
    rich.payloads[0]["IKEv2"]["OnDemandRules"] = TRY_IT_RULES
    rich.save(tried)
    window = window_for(tried)
    window.resize(1400, 940)
    window.problems_dock.hide()
    window.tree.expandAll()
    window.select_path((*ikev2, "OnDemandRules"))
    settle(app)
    panel = window.try_it_dock.panel
    panel.ssid.setEditText("Guest")
    panel.host.setText("intranet.corp.example.com")
    panel.dns.setCurrentIndex(panel.dns.findText("fails"))
    grab(app, window, out / "on-demand-try-it.png")
    window.close()

    # 3. the New VPN Connection dialog and 4. the signed/encrypted export dialog
    window = window_for(signed)
    dialog: QDialog = window.make_connection_dialog("cisco-anyconnect")
    grab(app, dialog, out / "new-connection.png")
    dialog.close()
    export = ExportDialog(settings, work / "Example Corp VPN.signed.mobileconfig", 0, window)
    export.encrypt_box.setChecked(True)
    export.resize(export.sizeHint())
    grab(app, export, out / "export.png")
    export.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
