"""An administrator's everyday tasks, done in the window with real input (gui_driver),
each checked against the exact plist saved."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers.certificate_files import PASSWORD, Files
from helpers.gui import open_window
from helpers.gui_driver import WindowDriver, choose_file, click_tree
from helpers.profiles import IKEV2_PAYLOAD, make_profile
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QWidget,
)

from editor.core.model import KeyPath
from editor.core.schema import Schema
from editor.core.validation.problems import Severity
from editor.session.document import Document
from editor.ui.dialogs.connection import ConnectionDialog
from editor.ui.dialogs.signing import ExportDialog
from editor.ui.tree_model import PATH_ROLE

pytestmark = [
    pytest.mark.usefixtures("isolated_settings", "dialogs"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command"),
]

STRONG_SA = {
    "EncryptionAlgorithm": "AES-256-GCM",
    "IntegrityAlgorithm": "SHA2-256",
    "DiffieHellmanGroup": 19,
}


def der_of(pem_file: Path) -> bytes:
    """The certificate of a PEM file in DER, as OpenSSL writes it."""
    result = subprocess.run(
        ["openssl", "x509", "-in", str(pem_file), "-outform", "DER"],
        capture_output=True,
        check=True,
    )
    return result.stdout


@pytest.fixture
def certificates(request: pytest.FixtureRequest) -> Files:
    made: Files = request.getfixturevalue("files")
    return made


def add_connection(driver: WindowDriver, menu_item: str, name: str, server: str) -> None:
    """Edit ▸ Add Payload ▸ menu_item; in New VPN Connection, click and type the name and
    the server, then Enter."""

    def connection(dialog: QDialog) -> None:
        assert isinstance(dialog, ConnectionDialog)
        driver.click(dialog.name_edit)
        driver.type(name)
        driver.click(dialog.server_edit)
        driver.type(f"{server}\n")

    with driver.answering(connection):
        driver.menu("Edit", "Add Payload", menu_item)


def add_certificates(driver: WindowDriver, certificates: Files) -> None:
    """Edit ▸ Add Certificate… twice: the CA, then the identity with its password."""

    def ca_dialog(dialog: QDialog) -> None:
        driver.press(Qt.Key.Key_Space)  # Choose File…
        driver.press(Qt.Key.Key_Return)

    def identity_dialog(dialog: QDialog) -> None:
        driver.press(Qt.Key.Key_Space)
        driver.type(f"{PASSWORD}\n")

    with driver.answering(ca_dialog, choose_file(driver, certificates.ca_pem)):
        driver.menu("Edit", "Add Certificate…")
    with driver.answering(identity_dialog, choose_file(driver, certificates.client_p12)):
        driver.menu("Edit", "Add Certificate…")


def assert_office_profile(save_to: Path, certificates: Files) -> None:
    """The exact plist of the IKEv2 task (UUIDs are new each time: read from the file)."""
    saved = plistlib.loads(save_to.read_bytes())
    ca, identity, connection_payload = saved["PayloadContent"]
    assert saved == {
        "PayloadContent": [
            {
                "PayloadType": "com.apple.security.root",
                "PayloadIdentifier": f"com.example.profile.root.{ca['PayloadUUID']}",
                "PayloadUUID": ca["PayloadUUID"],
                "PayloadVersion": 1,
                "PayloadDisplayName": "Example VPN CA",
                "PayloadCertificateFileName": "ca.pem",
                "PayloadContent": der_of(certificates.ca_pem),
            },
            {
                "PayloadType": "com.apple.security.pkcs12",
                "PayloadIdentifier": f"com.example.profile.pkcs12.{identity['PayloadUUID']}",
                "PayloadUUID": identity["PayloadUUID"],
                "PayloadVersion": 1,
                "PayloadDisplayName": "client.example.com",
                "PayloadCertificateFileName": "client.p12",
                "PayloadContent": certificates.client_p12.read_bytes(),  # no password kept
            },
            {
                "PayloadType": "com.apple.vpn.managed",
                "PayloadIdentifier": (
                    f"com.example.profile.vpn.ikev2.{connection_payload['PayloadUUID']}"
                ),
                "PayloadUUID": connection_payload["PayloadUUID"],
                "PayloadVersion": 1,
                "PayloadDisplayName": "Office VPN",
                "UserDefinedName": "Office VPN",
                "VPNType": "IKEv2",
                "IKEv2": {
                    "RemoteAddress": "vpn.example.com",
                    "RemoteIdentifier": "vpn.example.com",
                    "LocalIdentifier": "client.example.com",
                    "AuthenticationMethod": "Certificate",
                    "CertificateType": "RSA",
                    "PayloadCertificateUUID": identity["PayloadUUID"],
                    "ExtendedAuthEnabled": 0,
                    "EnablePFS": 1,
                    "EnableCertificateRevocationCheck": 1,
                    "DeadPeerDetectionRate": "Medium",
                    "IKESecurityAssociationParameters": STRONG_SA,
                    "ChildSecurityAssociationParameters": STRONG_SA,
                    "OnDemandEnabled": 1,
                    "OnDemandRules": [
                        {"Action": "Connect", "InterfaceTypeMatch": "Cellular"},
                        {"Action": "Disconnect", "SSIDMatch": ["Office"]},
                        {"Action": "Connect"},
                    ],
                },
            },
        ],
        "PayloadDisplayName": "Example",
        "PayloadIdentifier": "com.example.profile",
        "PayloadType": "Configuration",
        "PayloadUUID": "9D3C2B1A-0F9E-4D8C-B7A6-958473625140",
        "PayloadVersion": 1,
    }


def test_ikev2_with_certificates_and_on_demand_typed_by_a_person(
    qtbot: Any, schema: Schema, certificates: Files, tmp_path: Path
) -> None:
    window = open_window(qtbot, Document(make_profile(), schema))
    driver = WindowDriver(qtbot, window)
    add_certificates(driver, certificates)

    add_connection(driver, "IKEv2", "Office VPN", "vpn.example.com")
    vpn = ("PayloadContent", 2)
    click_tree(driver, (*vpn, "IKEv2"))
    driver.click_field("OnDemandEnabled")
    driver.click_field("OnDemandRules")  # Add: the empty list opens
    rules = (*vpn, "IKEv2", "OnDemandRules")
    form = window.form
    assert form is not None and form.path == rules
    # three rules: connect on cellular, disconnect on the Wi-Fi "Office", connect otherwise
    for _ in range(3):
        driver.click(form.add_button)
    click_tree(driver, (*rules, 0))
    driver.click_field("InterfaceTypeMatch")  # the list opens
    driver.type("C\n")  # Cellular
    click_tree(driver, (*rules, 1))
    driver.click_field("Action")
    driver.type("D\n")  # Disconnect
    driver.click_field("SSIDMatch")
    driver.type("Office")
    click_tree(driver, (*vpn, "IKEv2"))
    driver.click_field("LocalIdentifier")  # what the dialog said is left to fill
    driver.type("client.example.com")
    save_to = tmp_path / "office.mobileconfig"
    with driver.answering(choose_file(driver, save_to)):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert_office_profile(save_to, certificates)
    assert not window.isWindowModified()


def test_per_app_vpn_with_safari_domains_and_a_mac_app_mapping(
    qtbot: Any, schema: Schema, certificates: Files, tmp_path: Path
) -> None:
    window = open_window(qtbot, Document(make_profile(), schema))
    driver = WindowDriver(qtbot, window)
    add_certificates(driver, certificates)

    add_connection(driver, "Per-app VPN", "Mail VPN", "vpn.example.com")
    per_app = ("PayloadContent", 2)
    assert window.form is not None and window.form.path == per_app
    driver.click_field("SafariDomains")
    driver.type("example.com\nintranet.example.com")
    driver.menu("Edit", "Add Payload", "Per-App VPN App Mapping")
    mapping = ("PayloadContent", 3, "AppLayerVPNMapping", 0)
    click_tree(driver, mapping)
    for key, text in (
        ("Identifier", "com.apple.mail"),
        ("SigningIdentifier", "com.apple.mail"),
        ("DesignatedRequirement", 'identifier "com.apple.mail" and anchor apple'),
    ):
        driver.click_field(key)
        driver.type(text)

    def targets(dialog: QDialog) -> None:
        for platform, version in (("iOS", "15"), ("macOS", "12")):
            driver.click(dialog.checks[platform])  # type: ignore[attr-defined]
            driver.click(dialog.versions[platform])  # type: ignore[attr-defined]
            driver.type(version)
        driver.press(Qt.Key.Key_Return)

    with driver.answering(targets):
        driver.menu("View", "Target Platforms…")
    assert [str(t) for t in window.document.targets] == ["iOS 15.0", "macOS 12.0"]
    save_to = tmp_path / "per-app.mobileconfig"
    with driver.answering(choose_file(driver, save_to)):
        driver.shortcut(QKeySequence.StandardKey.Save)
    saved = plistlib.loads(save_to.read_bytes())
    identity, vpn, app_mapping = saved["PayloadContent"][1:]
    assert vpn == {
        "PayloadType": "com.apple.vpn.managed.applayer",
        "PayloadIdentifier": f"com.example.profile.vpn.per-app.{vpn['PayloadUUID']}",
        "PayloadUUID": vpn["PayloadUUID"],
        "PayloadVersion": 1,
        "PayloadDisplayName": "Mail VPN",
        "UserDefinedName": "Mail VPN",
        "VPNType": "IKEv2",
        "VPNUUID": vpn["VPNUUID"],
        "OnDemandMatchAppEnabled": True,
        "IKEv2": {
            "RemoteAddress": "vpn.example.com",
            "RemoteIdentifier": "vpn.example.com",
            "LocalIdentifier": "",
            "AuthenticationMethod": "Certificate",
            "CertificateType": "RSA",
            "PayloadCertificateUUID": identity["PayloadUUID"],
            "ExtendedAuthEnabled": 0,
            "EnablePFS": 1,
            "EnableCertificateRevocationCheck": 1,
            "DeadPeerDetectionRate": "Medium",
            "IKESecurityAssociationParameters": STRONG_SA,
            "ChildSecurityAssociationParameters": STRONG_SA,
        },
        "SafariDomains": ["example.com", "intranet.example.com"],
    }
    assert app_mapping == {
        "PayloadType": "com.apple.vpn.managed.appmapping",
        "PayloadIdentifier": f"com.example.profile.appmapping.{app_mapping['PayloadUUID']}",
        "PayloadUUID": app_mapping["PayloadUUID"],
        "PayloadVersion": 1,
        "PayloadDisplayName": "Per-App VPN App Mapping",
        "AppLayerVPNMapping": [
            {
                "Identifier": "com.apple.mail",
                "VPNUUID": vpn["VPNUUID"],
                "DesignatedRequirement": 'identifier "com.apple.mail" and anchor apple',
                "SigningIdentifier": "com.apple.mail",
            }
        ],
    }


def every_node(window: Any) -> list[KeyPath]:
    model, found = window.model, []

    def visit(parent: Any) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            found.append(model.node_for(index).path)
            visit(index)

    visit(QModelIndex())
    return found


def test_the_wheel_over_every_value_widget_changes_nothing(
    qtbot: Any, schema: Schema, corpus_dir: Path
) -> None:
    """Scroll through every form of real profiles with the pointer wherever it lands."""
    names = ["designdeveloperr-ikev2__ios.signed.mobileconfig"]
    paths = [corpus_dir / name for name in names if (corpus_dir / name).is_file()]
    paths += sorted(corpus_dir.glob("*.mobileconfig"))[:3]
    for path in paths:
        window = open_window(qtbot, Document.read(path, schema))
        window.resize(1000, 560)
        driver = WindowDriver(qtbot, window)
        before = window.document.profile.to_bytes("xml")
        turned = 0
        for node in every_node(window):
            window.select_path(node)
            driver.settle()
            form = window.form
            assert form is not None
            for widget in form.findChildren(QWidget):
                if isinstance(widget, QComboBox | QAbstractSpinBox) and widget.isVisible():
                    driver.show_on_screen(widget)
                    driver.wheel(widget, -1)
                    driver.wheel(widget, 1)
                    turned += 1
        assert turned > 0
        assert window.document.undo_stack.count() == 0, path.name
        assert window.document.profile.to_bytes("xml") == before


def go_to_node(driver: WindowDriver, path: KeyPath) -> None:
    """Ctrl+1, then the arrow keys through the tree (Right opens a node) to `path`."""
    driver.shortcut("Ctrl+1")
    tree = driver.window.tree
    for _ in range(60):
        here = tree.currentIndex().data(PATH_ROLE)
        if here == path:
            return
        if path[: len(here)] == here and not tree.isExpanded(tree.currentIndex()):
            driver.press(Qt.Key.Key_Right)
        else:
            driver.press(Qt.Key.Key_Down)
    raise AssertionError(f"the arrow keys never reach {path}")


def tab_to(driver: WindowDriver, widget: QWidget) -> None:
    """Tab until `widget` has the focus (a person watches where the focus ring goes)."""
    for _ in range(80):
        if driver.focused() is widget:
            return
        driver.tab()
    raise AssertionError(f"Tab never reaches {widget.accessibleName()!r}")


def test_the_same_ikev2_profile_with_the_keyboard_only(
    qtbot: Any, schema: Schema, certificates: Files, tmp_path: Path
) -> None:
    window = open_window(qtbot, Document(make_profile(), schema))
    driver = WindowDriver(qtbot, window)
    driver.click = None  # type: ignore[assignment,method-assign]  # no mouse in this task
    add_certificates(driver, certificates)

    def connection(dialog: QDialog) -> None:
        assert driver.focused() is dialog.server_edit  # type: ignore[attr-defined]
        driver.type("vpn.example.com")
        driver.backtab()  # the name, just above
        driver.type("Office VPN\n")

    with driver.answering(connection):
        driver.menu("Edit", "Add Payload", "IKEv2")
    vpn = ("PayloadContent", 2)
    go_to_node(driver, (*vpn, "IKEv2"))
    form = window.form
    assert form is not None
    driver.shortcut("Ctrl+2")
    tab_to(driver, driver.field("LocalIdentifier"))
    driver.type("client.example.com")
    tab_to(driver, driver.field("OnDemandEnabled"))
    driver.press(Qt.Key.Key_Space)
    tab_to(driver, driver.field("OnDemandRules"))
    driver.press(Qt.Key.Key_Space)  # Add: the rules open, the focus on their list
    rules = (*vpn, "IKEv2", "OnDemandRules")
    form = window.form
    assert form is not None and form.path == rules
    for _ in range(3):
        tab_to(driver, form.add_button)
        driver.press(Qt.Key.Key_Space)
    assert driver.focused() is form.items and form.items.currentRow() == 2
    for row, (key, letter) in enumerate(
        [("InterfaceTypeMatch", "C"), ("Action", "D"), ("Action", "C")]
    ):
        go_to_node(driver, (*rules, row))
        driver.shortcut("Ctrl+2")
        tab_to(driver, driver.field(key))
        driver.press(Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # open its list
        driver.type(f"{letter}\n")
        if row == 1:
            tab_to(driver, driver.field("SSIDMatch"))
            driver.type("Office")
    save_to = tmp_path / "office.mobileconfig"
    with driver.answering(choose_file(driver, save_to)):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert_office_profile(save_to, certificates)


def test_sign_through_the_export_dialog_and_verify_with_openssl(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    from helpers.pki import PASSPHRASE, build_pki, make_p12, openssl

    (tmp_path / "pki").mkdir()
    pki = build_pki(tmp_path / "pki")
    signer = make_p12(pki, "signer.p12")
    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD), schema))
    driver = WindowDriver(qtbot, window)
    target = tmp_path / "signed.mobileconfig"

    def export(dialog: QDialog) -> None:
        assert isinstance(dialog, ExportDialog)
        driver.click(dialog.path_edit)
        driver.select_all_and_type(str(target))
        driver.click(dialog.picker.p12_radio)
        driver.click(dialog.picker.p12_row.edit)
        driver.type(str(signer))
        driver.press(Qt.Key.Key_Return)  # Export: the passphrase is asked for

    def passphrase(dialog: QDialog) -> None:
        driver.type(f"{PASSPHRASE}\n")

    with driver.answering(export, passphrase):
        driver.shortcut("Ctrl+Shift+E")
    content = tmp_path / "content.plist"
    openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", str(target),
        "-CAfile", str(pki.path("root.pem")), "-purpose", "any", "-out", str(content),
    )  # fmt: skip
    assert plistlib.loads(content.read_bytes()) == plistlib.loads(
        window.document.profile.to_bytes("xml")
    )
    assert plistlib.loads(content.read_bytes())["PayloadContent"] == [IKEV2_PAYLOAD]


def test_fix_a_real_profile_through_the_problems_panel(
    qtbot: Any, schema: Schema, corpus_dir: Path, tmp_path: Path
) -> None:
    """A generator's profile with booleans where Apple documents 0/1 and an EAP setup
    without a local identity: each is picked in the problems panel and mended there, by
    its Fix button when it has one, else by typing in the field it leads to."""
    original = corpus_dir / "designdeveloperr-ikev2__ios.unsigned.mobileconfig"
    if not original.is_file():
        pytest.skip(f"{original.name} is not in the corpus")
    copy = tmp_path / original.name
    copy.write_bytes(original.read_bytes())
    window = open_window(qtbot, Document.read(copy, schema))
    driver = WindowDriver(qtbot, window)
    document = window.document
    wanted = {"EnablePFS", "ExtendedAuthEnabled", "LocalIdentifier"}

    def open_problems() -> list[tuple[str, ...]]:
        return [
            p.path
            for p in document.problems()
            if p.severity is not Severity.INFO and p.path and p.path[-1] in wanted
        ]

    fixed = []
    for _ in range(10):
        remaining = open_problems()
        if not remaining:
            break
        driver.shortcut("Ctrl+3")
        driver.press(Qt.Key.Key_Home)
        for _row in range(window.problems.row_count()):  # down to one of ours
            if window.problems.row_path(window.problems.list.currentIndex().row()) in remaining:
                break
            driver.press(Qt.Key.Key_Down)
        problem = window.problems.row_path(window.problems.list.currentIndex().row())
        assert problem in remaining
        fix_button = window.quick_fixes.fix_button
        if fix_button.isEnabled():
            driver.click(fix_button)
        else:
            driver.press(Qt.Key.Key_Return)  # to the field of the problem
            field = driver.focused()
            assert isinstance(field, QLineEdit), field
            driver.type("client.example.com")
        fixed.append(problem[-1])
        assert problem not in open_problems(), problem
    assert sorted(fixed) == sorted(wanted)
    driver.shortcut(QKeySequence.StandardKey.Save)
    expected = plistlib.loads(original.read_bytes())
    ikev2 = expected["PayloadContent"][0]["IKEv2"]
    ikev2.update(EnablePFS=1, ExtendedAuthEnabled=1, LocalIdentifier="client.example.com")
    saved = plistlib.loads(copy.read_bytes())
    assert saved == expected
    assert type(saved["PayloadContent"][0]["IKEv2"]["EnablePFS"]) is int


def test_always_on_with_a_cellular_and_a_wifi_tunnel_from_scratch(
    qtbot: Any, schema: Schema, certificates: Files, tmp_path: Path
) -> None:
    """A new profile, Add Payload ▸ Always On, a tunnel for cellular and one for Wi-Fi:
    the interfaces ticked, each tunnel's IKEv2 settings typed in, the second tunnel
    added with the form's Add (it starts as a copy of the first, for the interface left
    over). Saved without errors, by the engine and by `vpn-profile validate`."""
    import sys

    from editor.core.model import Profile
    from editor.core.validation.engine import validate_profile

    window = open_window(qtbot, Document(make_profile(), schema))
    driver = WindowDriver(qtbot, window)
    add_certificates(driver, certificates)

    always_on = "Always On (IKEv2, supervised iPhone and iPad)"
    add_connection(driver, always_on, "Always On", "cell.vpn.example.com")
    tunnels = ("PayloadContent", 2, "AlwaysOn", "TunnelConfigurations")

    def fill(key: str, text: str) -> None:
        driver.click_field(key)
        driver.select_all_and_type(text)

    def interface_box(text: str) -> QWidget:
        form = window.form
        assert form is not None
        row = form.rows["Interfaces"]
        found = [w for w in row.field.tab_stops() if w.text() == text]  # type: ignore[attr-defined]
        assert len(found) == 1, f"no {text} box under Interfaces"
        return found[0]

    # the first tunnel: cellular only (the dialog made it for both interfaces)
    click_tree(driver, (*tunnels, 0))
    driver.click(interface_box("WiFi"))  # cleared
    fill("LocalIdentifier", "client.example.com")
    # the second: added in the list of tunnels, then opened
    click_tree(driver, tunnels)
    form = window.form
    assert form is not None and form.path == tunnels
    driver.click(form.add_button)
    driver.press(Qt.Key.Key_Return)  # opens the selected (new) tunnel
    form = window.form
    assert form is not None and form.path == (*tunnels, 1)
    assert interface_box("WiFi").isChecked()  # the interface no tunnel had
    assert not interface_box("Cellular").isChecked()
    fill("RemoteAddress", "wifi.vpn.example.com")
    fill("RemoteIdentifier", "wifi.vpn.example.com")
    fill("LocalIdentifier", "wifi-client.example.com")
    driver.click_field("AuthenticationMethod")  # its list opens
    driver.type("Ce\n")  # Certificate
    assert [window.model.label(p) for p in ((*tunnels, 0), (*tunnels, 1))] == [
        "Tunnel 1 · Cellular",
        "Tunnel 2 · Wi-Fi",
    ]

    save_to = tmp_path / "always-on.mobileconfig"
    with driver.answering(choose_file(driver, save_to)):
        driver.shortcut(QKeySequence.StandardKey.Save)
    saved = Profile.read(save_to)
    identity = saved.root["PayloadContent"][1]["PayloadUUID"]
    first, second = saved.root["PayloadContent"][2]["AlwaysOn"]["TunnelConfigurations"]
    assert first["Interfaces"] == ["Cellular"] and second["Interfaces"] == ["WiFi"]
    assert first["RemoteAddress"] == first["RemoteIdentifier"] == "cell.vpn.example.com"
    assert second["RemoteAddress"] == second["RemoteIdentifier"] == "wifi.vpn.example.com"
    assert first["LocalIdentifier"] == "client.example.com"
    assert second["LocalIdentifier"] == "wifi-client.example.com"
    for tunnel in (first, second):
        assert tunnel["ProtocolType"] == "IKEv2"
        assert tunnel["AuthenticationMethod"] == "Certificate"
        assert tunnel["PayloadCertificateUUID"] == identity
        assert tunnel["IKESecurityAssociationParameters"] == STRONG_SA
    errors = [
        f"{p.path_text}: {p.message}"
        for p in validate_profile(saved, schema)
        if p.severity is Severity.ERROR
    ]
    assert errors == []
    checked = subprocess.run(
        [sys.executable, "-m", "editor.cli", "validate", str(save_to)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
