"""File ▸ Compare With…, Import VPN Configuration…, Render for Users…, worked as a person
works them: the menu action, the keyboard, the saved files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from helpers.gui import DialogRecorder, open_window
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit

from editor.app.flows.scale import KIND_ROLE, PATH_ROLE, CompareDock, RenderDialog
from editor.app.main_window import MainWindow
from editor.core.model import Profile
from editor.core.schema import Schema
from editor.core.validation.engine import validate_profile
from editor.core.validation.problems import Severity
from editor.session.document import Document

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")

WIREGUARD = """\
[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 10.0.0.2/32

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
AllowedIPs = 0.0.0.0/0
Endpoint = wg.example.com:51820
"""


def focused(top: Any) -> Any:
    """The widget that has the focus in that window now (keys go there)."""
    widget = top.focusWidget()
    assert widget is not None
    return widget


def file_menu_texts(window: MainWindow) -> list[str]:
    return [a.text() for a in window.menuBar().actions()[0].menu().actions()]


def items(tree: Any) -> list[Any]:
    found = []
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop(0)
        found.append(item)
        stack.extend(item.child(i) for i in range(item.childCount()))
    return found


def test_compare_with_shows_the_differences_and_jumps_to_the_field(
    qtbot: Any, schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other_payload = copy.deepcopy(IKEV2_PAYLOAD)
    other_payload["IKEv2"]["RemoteAddress"] = "old.example.com"
    other = tmp_path / "old.mobileconfig"
    make_profile(other_payload, PKCS12_PAYLOAD).save(other, "binary")
    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD), schema))
    assert "Compare &With…" in file_menu_texts(window)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(other), ""))
    window.compare_action.trigger()
    dock = window.findChild(CompareDock)
    assert dock is not None and dock.isVisible()
    assert dock.summary.text() == "1 difference"
    (leaf,) = [i for i in items(dock.tree) if i.data(0, KIND_ROLE)]
    assert leaf.data(0, PATH_ROLE) == ("PayloadContent", 0, "IKEv2", "RemoteAddress")
    assert [leaf.text(c) for c in range(4)] == [
        "RemoteAddress", "changed", '"old.example.com"', '"vpn.example.com"',
    ]  # fmt: skip
    assert leaf.parent().text(0) == "IKEv2"
    assert leaf.parent().parent().text(0).startswith("0: com.apple.vpn.managed")
    # keyboard: into the tree, onto the row, Enter: the field takes the focus
    dock.tree.setFocus()
    dock.tree.setCurrentItem(leaf)
    assert focused(window) is dock.tree
    qtbot.keyClick(focused(window), Qt.Key.Key_Return)
    assert window.form is not None and window.form.path == ("PayloadContent", 0, "IKEv2")
    field = focused(window)
    assert isinstance(field, QLineEdit) and field.text() == "vpn.example.com"
    # typing the other file's value there makes the difference go away
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(focused(window), "old.example.com")
    qtbot.keyClick(focused(window), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dock.summary.text() == "No differences", timeout=3000)
    assert dock.tree.topLevelItemCount() == 0


def test_compare_with_an_unreadable_file_says_why(
    qtbot: Any, schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    dialogs: DialogRecorder,
) -> None:  # fmt: skip
    bad = tmp_path / "bad.mobileconfig"
    bad.write_text("<plist><dict>")
    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD), schema))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(bad), ""))
    window.compare_action.trigger()
    assert window.findChild(CompareDock) is None
    assert any("bad.mobileconfig" in text for text in dialogs.texts("warning"))


def test_import_wireguard_adds_an_undoable_payload(
    qtbot: Any, schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "office.conf"
    config.write_text(WIREGUARD)
    document = Document(Profile.new("com.example.office", "Office"), schema)
    window = open_window(qtbot, document)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(config), ""))
    monkeypatch.setattr(
        QInputDialog, "getItem", lambda *_args, **_kw: ("Mac (com.wireguard.macos)", True)
    )
    window.import_config_action.trigger()
    (payload,) = document.profile.payloads
    assert payload["VPNSubType"] == "com.wireguard.macos"
    assert payload["VendorConfig"]["WgQuickConfig"] == WIREGUARD
    assert payload["UserDefinedName"] == "office"
    assert window.form is not None and window.form.path == ("PayloadContent", 0)
    assert not [p for p in validate_profile(document.profile, schema)
                if p.severity is Severity.ERROR]  # fmt: skip
    assert window.undo_action.text().endswith("Import office.conf")
    window.undo_action.trigger()  # Edit ▸ Undo: one step takes the whole import back
    assert document.profile.payloads == []


def test_import_refusal_changes_nothing(
    qtbot: Any, schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    dialogs: DialogRecorder,
) -> None:  # fmt: skip
    config = tmp_path / "server.conf"
    config.write_text(WIREGUARD.replace("[Peer]", "PostUp = iptables -F\n\n[Peer]"))
    document = Document(Profile.new(), schema)
    window = open_window(qtbot, document)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(config), ""))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *_args, **_kw: ("iPhone", True))
    window.import_config_action.trigger()
    assert document.profile.payloads == []
    assert not document.is_modified
    assert any("PostUp is not supported" in text for text in dialogs.texts("warning"))


def test_render_for_users_previews_and_writes_every_row(
    qtbot: Any, schema: Schema, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    vpn = copy.deepcopy(IKEV2_PAYLOAD)
    vpn["IKEv2"]["LocalIdentifier"] = "@@user@@@example.com"
    window = open_window(qtbot, Document(make_profile(vpn, PKCS12_PAYLOAD), schema))
    rows = tmp_path / "users.csv"
    rows.write_text("user,team\nalice,red\nbob,blue\n")
    out = tmp_path / "out"
    window.render_action.trigger()
    dialog = window.findChild(RenderDialog)
    assert dialog is not None and dialog.isVisible()
    assert not dialog.render_button.isEnabled()
    dialog.data_edit.setFocus()
    qtbot.keyClicks(focused(dialog), str(rows))
    qtbot.keyClick(focused(dialog), Qt.Key.Key_Return)  # Return (or leaving) loads it
    assert dialog.key_combo.currentText() == "user"
    preview = dialog.preview.toPlainText()
    assert preview.startswith("alice.mobileconfig")
    assert 'PayloadContent/0/IKEv2/LocalIdentifier = "alice@example.com"' in preview
    dialog.out_edit.setFocus()
    qtbot.keyClicks(focused(dialog), str(out))
    assert dialog.render_button.isEnabled()
    qtbot.mouseClick(dialog.render_button, Qt.MouseButton.LeftButton)
    assert any("2 of 2 profiles written" in text for text in dialogs.texts("information"))
    written = sorted(p.name for p in out.glob("*.mobileconfig"))
    assert written == ["alice.mobileconfig", "bob.mobileconfig"]
    bob = Profile.read(out / "bob.mobileconfig")
    assert bob.payloads[0]["IKEv2"]["LocalIdentifier"] == "bob@example.com"


def test_render_for_users_stops_on_a_bad_row_and_writes_nothing(
    qtbot: Any, schema: Schema, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    vpn = copy.deepcopy(IKEV2_PAYLOAD)
    vpn["IKEv2"]["RemoteAddress"] = "@@server@@"
    window = open_window(qtbot, Document(make_profile(vpn, PKCS12_PAYLOAD), schema))
    rows = tmp_path / "users.csv"
    rows.write_text("user,server\nalice,vpn.example.com\nbob,\n")
    out = tmp_path / "out"
    dialog = RenderDialog(window)
    dialog.show()
    dialog.data_edit.setFocus()
    qtbot.keyClicks(focused(dialog), str(rows))
    qtbot.keyClick(focused(dialog), Qt.Key.Key_Return)
    dialog.out_edit.setFocus()
    qtbot.keyClicks(focused(dialog), str(out))
    qtbot.mouseClick(dialog.render_button, Qt.MouseButton.LeftButton)
    (warning,) = dialogs.texts("warning")
    assert "line 3 (bob): invalid" in warning and "Nothing was written" in warning
    assert not out.exists() or not list(out.iterdir())


def test_opening_a_configuration_offers_the_import(
    qtbot: Any, qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    dialogs: DialogRecorder,
) -> None:  # fmt: skip
    from PySide6.QtWidgets import QMessageBox

    from editor.app.application import EditorApplication

    config = tmp_path / "client.ovpn"
    config.write_text("client\ndev tun\nremote vpn.example.com 1194\nauth-user-pass\n")
    editor = EditorApplication(qapp)
    dialogs.answer = QMessageBox.StandardButton.No
    assert editor.open_paths([str(config)]) == []
    assert "client.ovpn is an OpenVPN configuration" in dialogs.texts("question")[0]
    dialogs.answer = QMessageBox.StandardButton.Yes
    (window,) = editor.open_paths([str(config)])
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    (payload,) = window.document.profile.payloads
    assert payload["VPNSubType"] == "net.openvpn.connect.app"
    assert payload["VendorConfig"]["auth-user-pass"] == "NOARGS"
    assert window.document.path is None and window.isWindowModified()  # closing asks to save
