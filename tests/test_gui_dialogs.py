"""The New VPN Connection and Add Certificate dialogs, driven as a user drives them.

Modal dialogs never run their own event loop here: the window's dialog factories are
replaced by ones whose `exec()` shows the dialog, lets the test type into it and presses
a button, so the window's code after `exec()` runs as it does for a user.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.certificate_files import PASSWORD, Files
from helpers.gui import DialogRecorder, open_window
from helpers.profiles import make_profile
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QFileDialog,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QWidget,
)

from editor.app.main_window import MainWindow
from editor.core import presets
from editor.core.model import MISSING, KeyPath, get_value
from editor.core.payload_types import PKCS1, PKCS12, ROOT
from editor.core.presets import CONNECTION_TYPES
from editor.core.schema import Schema
from editor.core.validation.engine import validate_profile
from editor.core.validation.problems import Problem, Severity
from editor.session.document import Document
from editor.ui.dialogs.certificate import CertificateDialog
from editor.ui.dialogs.connection import ConnectionDialog
from editor.ui.fields import ReferenceField, TextField
from editor.ui.mnemonics import plain

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")

SERVER = "vpn.example.com"

# What a user types into the payload's form for the keys the dialog leaves empty.
FORM_VALUES: dict[str, Any] = {
    "LocalIdentifier": "client@example.com",
    "SharedSecret": b"a long shared secret",
    "ProviderBundleIdentifier": "com.example.proxyapp.extension",
    "ProviderDesignatedRequirement": (
        'identifier "com.example.proxyapp.extension" and anchor apple generic'
    ),
}
WG_QUICK = (
    "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
    "Address = 10.0.0.2/32\n\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
    f"Endpoint = {SERVER}:51820\nAllowedIPs = 0.0.0.0/0\n"
)
VENDOR_VALUES = {
    "Group": "staff",
    "Realm": "Users",
    "Role": "Employees",
    "LoginGroupOrDomain": "LocalDomain",
}
CUSTOM_IDENTIFIERS = {"custom-ssl": "com.example.sslvpn", "transparent-proxy": "com.example.proxy"}


# --- driving the window's dialogs ------------------------------------------------------------


def empty_window(qtbot: Any, schema: Schema) -> MainWindow:
    return open_window(qtbot, Document(make_profile(), schema))


def drive_dialogs(
    monkeypatch: pytest.MonkeyPatch,
    window: MainWindow,
    factory: str,
    steps: Callable[[Any], None],
) -> list[Any]:
    """Every dialog the window makes with `factory` runs `steps` instead of a modal loop;
    the steps press OK or Cancel. Returns the dialogs made, for looking at afterwards."""
    real = getattr(window, factory)
    made: list[Any] = []

    def make(*args: Any) -> QDialog:
        dialog = real(*args)
        made.append(dialog)

        def exec_() -> int:
            dialog.show()
            steps(dialog)
            return dialog.result()

        dialog.exec = exec_
        return dialog

    monkeypatch.setattr(window, factory, make)
    return made


def press_ok(qtbot: Any, dialog: ConnectionDialog | CertificateDialog) -> None:
    assert dialog.ok_button.isEnabled(), dialog.findChild(QWidget, "neededHint")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def add_certificate(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    window: MainWindow,
    path: Path,
    password: str = "",
    store_password: bool = False,
    check: Callable[[CertificateDialog], None] | None = None,
) -> CertificateDialog:
    """Edit ▸ Add Certificate…, choose the file, type the password, look, press OK."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(path), ""))

    def steps(dialog: CertificateDialog) -> None:
        qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
        if password:
            qtbot.keyClicks(dialog.password_edit, password)
        if store_password:
            dialog.store_password_check.click()
        if check is not None:
            check(dialog)
        press_ok(qtbot, dialog)

    made = drive_dialogs(monkeypatch, window, "make_certificate_dialog", steps)
    window.add_certificate_action.trigger()
    assert len(made) == 1 and made[0].result() == QDialog.DialogCode.Accepted
    return made[0]


def pick(combo: QComboBox, value: Any) -> None:
    """Choose the item holding value, as a click in the list does."""
    row = combo.findData(value)
    assert row >= 0, [combo.itemData(i) for i in range(combo.count())]
    combo.setCurrentIndex(row)
    combo.activated.emit(row)


def errors_of(document: Document) -> list[Problem]:
    document.revalidate_all()  # the profile-level rules run on a timer after edits
    return [p for p in document.problems() if p.severity is Severity.ERROR]


def _shown(problems: list[Problem]) -> list[str]:
    return [f"{p.code} {'/'.join(map(str, p.path))}: {p.message}" for p in problems]


def fill_in_form(qtbot: Any, window: MainWindow, payload_path: KeyPath, key_path: KeyPath) -> None:
    """Fill one key as the payload's form does: type into its text field, or set it."""
    document = window.document
    value = FORM_VALUES[str(key_path[-1])]
    node = (*payload_path, *key_path[:-1])
    window.select_path(node)
    form = window.form
    assert form is not None and form.path == node
    row = form.rows.get(str(key_path[-1]))
    if row is not None and isinstance(row.field, TextField) and isinstance(value, str):
        qtbot.keyClicks(row.field.edit, value)
    else:  # binary data comes from a file through the field's Load… button
        document.set_value((*payload_path, *key_path), value)
    assert document.value((*payload_path, *key_path)) == value


# --- (a) every connection type, from the dialog to a profile without errors ------------------


CASES = [(kind.id, "ikev2") for kind in CONNECTION_TYPES] + [
    ("per-app", "cisco-anyconnect"),
    ("per-app", "custom-ssl"),
]


@pytest.mark.parametrize(("type_id", "base_type"), CASES)
def test_every_connection_type_ends_without_errors(
    qtbot: Any,
    schema: Schema,
    files: Files,
    monkeypatch: pytest.MonkeyPatch,
    type_id: str,
    base_type: str,
) -> None:
    window = empty_window(qtbot, schema)
    document = window.document
    preset = presets.connection_type(type_id)
    settings_preset = presets.connection_type(base_type) if type_id == "per-app" else preset
    identity_uuid = ""
    if settings_preset.certificate_auth:
        added = add_certificate(qtbot, monkeypatch, window, files.client_p12, PASSWORD)
        identity_uuid = str(added.added_uuid)
        assert document.value(("PayloadContent", 0, "PayloadType")) == PKCS12

    def steps(dialog: ConnectionDialog) -> None:
        assert dialog.type_id() == "ikev2"  # the toolbar button opens the last type used
        pick(dialog.type_combo, type_id)
        assert dialog.description.text().startswith(preset.description[:30])
        if type_id == "per-app":
            assert dialog.base_combo.isVisibleTo(dialog)
            pick(dialog.base_combo, base_type)
        else:
            assert not dialog.base_combo.isVisibleTo(dialog)
        qtbot.keyClicks(dialog.name_edit, "Office VPN")
        needs_server = any(
            path[-1] in ("RemoteAddress", "CommRemoteAddress")
            for path in presets.fields_to_fill(type_id, base_type)
        )
        assert dialog.server_edit.isVisibleTo(dialog) == needs_server
        if needs_server:
            assert not dialog.ok_button.isEnabled()
            assert "server address" in dialog.needed_label.text()
            qtbot.keyClicks(dialog.server_edit, SERVER)
        identifier = CUSTOM_IDENTIFIERS.get(settings_preset.id)
        assert dialog.identifier_edit.isVisibleTo(dialog) == (
            settings_preset.vpn_type in ("VPN", "TransparentProxy")
        )
        if identifier is not None:
            assert not dialog.ok_button.isEnabled()
            qtbot.keyClicks(dialog.identifier_edit, identifier)
        assert dialog.vendor_box.isVisibleTo(dialog) == (settings_preset.vpn_type == "VPN")
        for key, edit in dialog.vendor_edits.items():
            assert edit.isVisibleTo(dialog) == (key in settings_preset.vendor_keys), key
            if key not in settings_preset.vendor_keys:
                continue
            if isinstance(edit, QPlainTextEdit):
                edit.setFocus()
                edit.insertPlainText(WG_QUICK)
            else:
                qtbot.keyClicks(edit, VENDOR_VALUES[key])
        assert dialog.certificate_box.isVisibleTo(dialog) == settings_preset.certificate_auth
        if settings_preset.certificate_auth:
            pick(dialog.certificate_combo, identity_uuid)
        press_ok(qtbot, dialog)

    made = drive_dialogs(monkeypatch, window, "make_connection_dialog", steps)
    window.add_vpn_button_action.trigger()
    assert len(made) == 1 and made[0].result() == QDialog.DialogCode.Accepted
    index = made[0].added_index
    payload_path: KeyPath = ("PayloadContent", index)
    payload = document.value(payload_path)
    assert payload["PayloadType"] == preset.payload_type
    assert payload["UserDefinedName"] == payload["PayloadDisplayName"] == "Office VPN"
    assert window._selected_path == payload_path  # selected in the tree, its form shown
    assert QSettings().value("lastConnectionType") == type_id
    if settings_preset.vpn_type in ("VPN", "TransparentProxy"):
        expected = CUSTOM_IDENTIFIERS.get(settings_preset.id) or settings_preset.vpn_subtype
        assert payload["VPNSubType"] == expected
    if settings_preset.vendor_keys:
        wanted = {key: VENDOR_VALUES.get(key, WG_QUICK) for key in settings_preset.vendor_keys}
        assert payload["VendorConfig"] == wanted

    # what the dialog left to the form
    for key_path in presets.fields_to_fill(type_id, base_type):
        value = get_value(payload, key_path)
        assert value is not MISSING, key_path
        if value in ("", b""):
            assert str(key_path[-1]) in FORM_VALUES, key_path
            fill_in_form(qtbot, window, payload_path, key_path)
        elif key_path[-1] == "PayloadCertificateUUID":
            assert value == identity_uuid
        elif key_path[-1] in ("RemoteAddress", "CommRemoteAddress", "RemoteIdentifier"):
            assert value == SERVER
    errors = errors_of(document)
    assert not errors, _shown(errors)
    core_errors = [
        p for p in validate_profile(document.profile, schema) if p.severity is Severity.ERROR
    ]
    assert not core_errors, _shown(core_errors)


def test_menu_entries_open_the_dialog_on_their_type(
    qtbot: Any, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = empty_window(qtbot, schema)
    made = drive_dialogs(monkeypatch, window, "make_connection_dialog", lambda d: d.reject())
    window.add_menu.aboutToShow.emit()  # as when the menu opens
    window.add_menu.aboutToShow.emit()  # and again: no entry twice
    texts = [a.text() for a in window.add_menu.actions() if not a.isSeparator()]
    assert len(texts) == len(set(texts))
    entries = window.add_menu.actions()[: len(CONNECTION_TYPES)]  # other payloads follow
    assert [plain(a.text()) for a in entries] == [kind.title for kind in CONNECTION_TYPES]
    for action, kind in zip(entries, CONNECTION_TYPES, strict=True):
        action.trigger()
        assert made[-1].type_id() == kind.id
    assert window.document.profile.payloads == []  # cancelled: nothing added
    assert window.document.undo_stack.count() == 0
    menu_texts = [a.text() for a in window.menuBar().actions()[1].menu().actions()]
    assert "Add &Certificate…" in menu_texts


def test_validation_says_what_remains(qtbot: Any, schema: Schema) -> None:
    document = Document(make_profile(), schema)
    dialog = ConnectionDialog(document, "ikev2")
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled()
    assert dialog.needed_label.text() == "Still needed: the server address."
    assert "Local identity" in dialog.later_label.text()
    assert "no certificate yet" in dialog.certificate_hint.text()
    qtbot.keyClicks(dialog.server_edit, "https://vpn.example.com")
    assert not dialog.ok_button.isEnabled()
    assert "without a scheme" in dialog.server_hint.text()
    dialog.server_edit.clear()
    qtbot.keyClicks(dialog.server_edit, SERVER)
    assert dialog.ok_button.isEnabled() and not dialog.needed_label.isVisibleTo(dialog)
    # the certificate stays for the form when none is picked
    assert "Certificate (IKEv2)" in dialog.later_label.text()
    # accept() refuses while something is missing, and adds nothing
    dialog.server_edit.clear()
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert document.profile.payloads == [] and dialog.added_index is None


def type_in_cell(qtbot: Any, table: QTableWidget, row: int, column: int, text: str) -> None:
    """Open the cell's editor (a double-click does that), type, press Return."""
    item = table.item(row, column)
    if table.state() != QTableWidget.State.EditingState or table.currentItem() is not item:
        table.setCurrentItem(item)
        table.editItem(item)
    editor = table.window().focusWidget()
    assert isinstance(editor, QLineEdit) and table.isAncestorOf(editor)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: item.text() == text and table.state() != table.State.EditingState)


def test_custom_vendor_pairs(qtbot: Any, schema: Schema) -> None:
    document = Document(make_profile(), schema)
    dialog = ConnectionDialog(document, "cisco-anyconnect")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.server_edit, SERVER)
    qtbot.keyClicks(dialog.vendor_edits["Group"], "staff")
    qtbot.mouseClick(dialog.add_pair_button, Qt.MouseButton.LeftButton)
    assert dialog.pairs_table.rowCount() == 1
    # the new row's key cell is open for typing; Return there does not press OK
    editor = dialog.focusWidget()
    assert isinstance(editor, QLineEdit) and dialog.pairs_table.isAncestorOf(editor)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.pairs_table.state() != QTableWidget.State.EditingState)
    assert dialog.isVisible() and document.profile.payloads == []
    type_in_cell(qtbot, dialog.pairs_table, 0, 1, "main")
    assert not dialog.ok_button.isEnabled()  # a value without a key
    assert "a key for every vendor setting" in dialog.needed_label.text()
    type_in_cell(qtbot, dialog.pairs_table, 0, 0, "Portal")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.add_pair_button, Qt.MouseButton.LeftButton)
    type_in_cell(qtbot, dialog.pairs_table, 1, 0, "Group")
    assert "one value only for the vendor setting Group" in dialog.needed_label.text()
    assert not dialog.ok_button.isEnabled()
    dialog.pairs_table.setCurrentCell(1, 0)
    qtbot.mouseClick(dialog.remove_pair_button, Qt.MouseButton.LeftButton)
    assert dialog.pairs_table.rowCount() == 1 and dialog.ok_button.isEnabled()
    pick(dialog.provider_combo, "app-proxy")
    press_ok(qtbot, dialog)
    payload = document.profile.payloads[0]
    assert payload["VendorConfig"] == {"Group": "staff", "Portal": "main"}
    assert payload["VPN"]["ProviderType"] == "app-proxy"
    assert payload["VPN"]["RemoteAddress"] == SERVER


# --- (b) proxies -----------------------------------------------------------------------------


def _proxy_dialog(qtbot: Any, schema: Schema) -> tuple[Document, ConnectionDialog]:
    document = Document(make_profile(), schema)
    dialog = ConnectionDialog(document, "ikev2")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.server_edit, SERVER)
    return document, dialog


def test_manual_proxy(qtbot: Any, schema: Schema) -> None:
    document, dialog = _proxy_dialog(qtbot, schema)
    assert not dialog.http_server_edit.isVisible()
    qtbot.mouseClick(dialog.proxy_manual, Qt.MouseButton.LeftButton)
    assert dialog.http_server_edit.isVisible() and not dialog.pac_url_edit.isVisible()
    assert not dialog.ok_button.isEnabled() and "HTTP proxy" in dialog.needed_label.text()
    qtbot.keyClicks(dialog.http_server_edit, "proxy.example.com")
    dialog.http_port_spin.setValue(3128)
    qtbot.keyClicks(dialog.proxy_user_edit, "alice")
    qtbot.keyClicks(dialog.proxy_password_edit, "s3cret")
    assert dialog.proxy_password_edit.echoMode() == QLineEdit.EchoMode.Password
    press_ok(qtbot, dialog)
    assert document.profile.payloads[0]["Proxies"] == {
        "HTTPEnable": 1,
        "HTTPProxy": "proxy.example.com",
        "HTTPPort": 3128,
        "HTTPSEnable": 1,
        "HTTPSProxy": "proxy.example.com",
        "HTTPSPort": 3128,
        "HTTPProxyUsername": "alice",
        "HTTPProxyPassword": "s3cret",
    }


def test_manual_proxy_with_its_own_https_proxy(qtbot: Any, schema: Schema) -> None:
    document, dialog = _proxy_dialog(qtbot, schema)
    dialog.proxy_manual.click()
    qtbot.keyClicks(dialog.http_server_edit, "http.example.com")
    dialog.http_port_spin.setValue(80)
    qtbot.keyClicks(dialog.https_server_edit, "https.example.com")
    dialog.https_port_spin.setValue(443)
    press_ok(qtbot, dialog)
    proxies = document.profile.payloads[0]["Proxies"]
    assert (proxies["HTTPProxy"], proxies["HTTPPort"]) == ("http.example.com", 80)
    assert (proxies["HTTPSProxy"], proxies["HTTPSPort"]) == ("https.example.com", 443)
    assert "HTTPProxyUsername" not in proxies and "HTTPProxyPassword" not in proxies


def test_automatic_proxy(qtbot: Any, schema: Schema) -> None:
    document, dialog = _proxy_dialog(qtbot, schema)
    qtbot.mouseClick(dialog.proxy_automatic, Qt.MouseButton.LeftButton)
    assert dialog.pac_url_edit.isVisible() and not dialog.http_server_edit.isVisible()
    assert not dialog.ok_button.isEnabled() and "PAC file URL" in dialog.needed_label.text()
    qtbot.keyClicks(dialog.pac_url_edit, "proxy.example.com/proxy.pac")
    assert not dialog.ok_button.isEnabled()  # not a URL yet
    dialog.pac_url_edit.clear()
    qtbot.keyClicks(dialog.pac_url_edit, "https://proxy.example.com/proxy.pac")
    press_ok(qtbot, dialog)
    assert document.profile.payloads[0]["Proxies"] == {
        "ProxyAutoConfigEnable": 1,
        "ProxyAutoConfigURLString": "https://proxy.example.com/proxy.pac",
    }


def test_no_proxy_after_switching_back(qtbot: Any, schema: Schema) -> None:
    document, dialog = _proxy_dialog(qtbot, schema)
    dialog.proxy_manual.click()
    qtbot.keyClicks(dialog.http_server_edit, "proxy.example.com")
    dialog.proxy_none.click()
    press_ok(qtbot, dialog)
    assert "Proxies" not in document.profile.payloads[0]


# --- accessibility and focus -----------------------------------------------------------------


INPUTS = (QLineEdit, QComboBox, QSpinBox, QPlainTextEdit, QTableWidget, QAbstractButton)


def _unnamed_inputs(dialog: QDialog) -> list[str]:
    missing = []
    for kind in INPUTS:
        for widget in dialog.findChildren(kind):
            if not widget.isVisibleTo(dialog) or widget.accessibleName():
                continue
            if isinstance(widget, QAbstractButton) and widget.text():
                continue  # a button's text is its accessible name
            if widget.parent() is not None and isinstance(widget.parent(), QSpinBox | QComboBox):
                continue  # the line edit inside a spin box or editable combo
            missing.append(f"{type(widget).__name__} {widget.objectName()}")
    return missing


@pytest.mark.parametrize("type_id", [kind.id for kind in CONNECTION_TYPES])
def test_every_field_has_an_accessible_name(qtbot: Any, schema: Schema, type_id: str) -> None:
    dialog = ConnectionDialog(Document(make_profile(), schema), type_id)
    qtbot.addWidget(dialog)
    dialog.show()
    for radio in (dialog.proxy_none, dialog.proxy_manual, dialog.proxy_automatic):
        radio.click()
        assert not _unnamed_inputs(dialog), (type_id, radio.text())


def test_tab_order_follows_the_form(qtbot: Any, schema: Schema) -> None:
    dialog = ConnectionDialog(Document(make_profile(), schema), "cisco-anyconnect")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    order = [dialog.type_combo]
    for _ in range(6):
        order.append(order[-1].nextInFocusChain())
        while not (
            order[-1].focusPolicy() & Qt.FocusPolicy.TabFocus and order[-1].isVisibleTo(dialog)
        ):
            order[-1] = order[-1].nextInFocusChain()
    assert order == [
        dialog.type_combo,
        dialog.name_edit,
        dialog.server_edit,
        dialog.identifier_edit,
        dialog.provider_combo,
        dialog.certificate_combo,
        dialog.vendor_edits["Group"],
    ]


# --- (c) certificates from PEM, DER and PKCS#12, then picked in a VPN payload ----------------


def test_add_certificates_and_pick_one_in_a_vpn_payload(
    qtbot: Any, schema: Schema, files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = empty_window(qtbot, schema)
    document = window.document

    def pem_check(dialog: CertificateDialog) -> None:
        summary = dialog.summary
        assert not dialog.password_holder.isVisibleTo(dialog)  # no password for a certificate
        assert summary.values["subject"].text() == "CN=Example VPN CA,O=Example Org"
        assert summary.values["issuer"].text().startswith("CN=Example VPN CA,O=Example Org")
        assert "self-signed" in summary.values["issuer"].text()
        assert summary.values["key"].text() == "EC P-256 · certificate authority"
        assert summary.values["not_after"].text() == "2045-01-01 00:00 UTC"
        assert dialog.name_edit.text() == "Example VPN CA"

    root = add_certificate(qtbot, monkeypatch, window, files.ca_pem, check=pem_check)
    assert root.payload is not None and root.payload["PayloadType"] == ROOT
    assert window._selected_path == ("PayloadContent", 0)
    # the certificate payload's form shows the same summary at its top
    assert window.form is not None and window.form.certificate_summary is not None
    assert window.form.certificate_summary.values["subject"].text().startswith("CN=Example VPN")

    def der_check(dialog: CertificateDialog) -> None:
        assert dialog.summary.values["subject"].text() == "CN=client.example.com,O=Example Org"
        assert dialog.summary.values["issuer"].text() == "CN=Example VPN CA,O=Example Org"
        assert dialog.summary.values["key"].text() == "RSA 2048"
        dialog.name_edit.selectAll()
        qtbot.keyClicks(dialog.name_edit, "Client certificate")

    leaf = add_certificate(qtbot, monkeypatch, window, files.client_der, check=der_check)
    assert leaf.payload is not None and leaf.payload["PayloadType"] == PKCS1
    assert document.value(("PayloadContent", 1, "PayloadDisplayName")) == "Client certificate"

    def p12_locked(dialog: CertificateDialog) -> None:
        assert dialog.password_holder.isVisibleTo(dialog)
        assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
        assert "only if you tick the box" in dialog.password_hint.text()
        assert not dialog.store_password_check.isEnabled()  # nothing to store yet

    def p12_check(dialog: CertificateDialog) -> None:
        assert dialog.summary.values["subject"].text() == "CN=client.example.com,O=Example Org"
        assert dialog.summary.values["contents"].text() == (
            "private key included, 1 more certificate(s) of the chain"
        )
        assert dialog.name_edit.text() == "client.example.com"  # once the password opens it

    identity = add_certificate(
        qtbot, monkeypatch, window, files.client_p12, PASSWORD, check=p12_check
    )
    assert identity.payload is not None and identity.payload["PayloadType"] == PKCS12
    assert "Password" not in identity.payload  # not stored unless asked
    assert document.undo_stack.count() == 3  # one step per certificate

    # a locked file without its password: accepted, the device asks at install
    locked = add_certificate(qtbot, monkeypatch, window, files.client_p12, check=p12_locked)
    assert locked.payload is not None and "Password" not in locked.payload
    assert "Locked with a password" in locked.summary.status.text()
    # stored on request
    stored = add_certificate(
        qtbot, monkeypatch, window, files.client_p12, PASSWORD, store_password=True
    )
    assert stored.payload is not None and stored.payload["Password"] == PASSWORD

    # an IKEv2 connection without a certificate, then the certificate picked in its form
    def ikev2_steps(dialog: ConnectionDialog) -> None:
        labels = [
            dialog.certificate_combo.itemText(i) for i in range(dialog.certificate_combo.count())
        ]
        # identities only: the CA and the bare client certificate hold no private key
        assert not any("Example VPN CA" in label for label in labels)
        assert not any("Client certificate" in label for label in labels)
        assert len(labels) == 4  # "None" and the three PKCS#12 identities
        pick(dialog.certificate_combo, "")
        qtbot.keyClicks(dialog.server_edit, SERVER)
        press_ok(qtbot, dialog)

    drive_dialogs(monkeypatch, window, "make_connection_dialog", ikev2_steps)
    window.add_connection("ikev2")
    vpn_index = len(document.profile.payloads) - 1
    assert document.value(("PayloadContent", vpn_index, "IKEv2", "PayloadCertificateUUID")) == ""
    window.select_path(("PayloadContent", vpn_index, "IKEv2"))
    assert window.form is not None
    field = window.form.rows["PayloadCertificateUUID"].field
    assert isinstance(field, ReferenceField)
    listed = [field.combo.itemData(i) for i in range(field.combo.count())]
    for dialog in (identity, locked, stored):
        assert dialog.added_uuid in listed
    for dialog in (root, leaf):
        assert dialog.added_uuid not in listed
    pick(field.combo, identity.added_uuid)
    path = ("PayloadContent", vpn_index, "IKEv2", "PayloadCertificateUUID")
    assert document.value(path) == identity.added_uuid
    assert not [p for p in document.problems() if p.path == path]


def test_wrong_password_is_said_inline_and_blocks_adding(
    qtbot: Any, schema: Schema, files: Files, dialogs: DialogRecorder
) -> None:
    document = Document(make_profile(), schema)
    dialog = CertificateDialog(document)
    qtbot.addWidget(dialog)
    assert dialog.load_file(files.client_p12)
    qtbot.keyClicks(dialog.password_edit, "wrong")
    assert not dialog.ok_button.isEnabled()
    assert dialog.error_label.text() == "client.p12: the password does not open this PKCS#12 file"
    dialog.accept()
    assert document.profile.payloads == [] and dialog.result() != QDialog.DialogCode.Accepted
    assert dialogs.shown == []  # a typo is not worth a message box
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    assert dialog.ok_button.isEnabled() and not dialog.error_label.isVisibleTo(dialog)


def test_expired_certificate_is_flagged(qtbot: Any, schema: Schema, files: Files) -> None:
    dialog = CertificateDialog(Document(make_profile(), schema))
    qtbot.addWidget(dialog)
    assert dialog.load_file(files.expired_pem)
    assert dialog.summary.values["not_after"].text() == "2021-01-01 00:00 UTC — EXPIRED"
    assert dialog.ok_button.isEnabled()  # the user may still want it


# --- (d) bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["garbage", "empty"])
def test_bad_file_names_the_file_and_adds_nothing(
    qtbot: Any,
    schema: Schema,
    files: Files,
    monkeypatch: pytest.MonkeyPatch,
    dialogs: DialogRecorder,
    name: str,
) -> None:
    bad = getattr(files, name)
    window = empty_window(qtbot, schema)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(bad), ""))

    def steps(dialog: CertificateDialog) -> None:
        qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
        assert not dialog.ok_button.isEnabled()
        assert bad.name in dialog.error_label.text()
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # disabled: nothing
        dialog.accept()  # and accept() itself refuses
        assert dialog.isVisible()
        dialog.reject()

    made = drive_dialogs(monkeypatch, window, "make_certificate_dialog", steps)
    window.add_certificate_action.trigger()
    assert made[0].result() == QDialog.DialogCode.Rejected
    warnings = dialogs.texts("warning")
    assert len(warnings) == 1 and bad.name in warnings[0]
    assert "Traceback" not in warnings[0]
    assert window.document.profile.payloads == []
    assert window.document.undo_stack.count() == 0


def test_unreadable_path_names_the_file(
    qtbot: Any, schema: Schema, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    dialog = CertificateDialog(Document(make_profile(), schema))
    qtbot.addWidget(dialog)
    assert not dialog.load_file(tmp_path / "missing.crt")
    assert "missing.crt" in dialogs.texts("warning")[0]


# --- (e) undo --------------------------------------------------------------------------------


def test_undo_removes_added_payloads(
    qtbot: Any, schema: Schema, files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = Document(make_profile(), schema)
    del document.profile.root["PayloadContent"]  # add_payload creates it: still one step
    window = open_window(qtbot, document)
    add_certificate(qtbot, monkeypatch, window, files.client_p12, PASSWORD)

    def steps(dialog: ConnectionDialog) -> None:
        qtbot.keyClicks(dialog.server_edit, SERVER)
        press_ok(qtbot, dialog)

    drive_dialogs(monkeypatch, window, "make_connection_dialog", steps)
    window.add_connection("ikev2")
    assert [p["PayloadType"] for p in document.profile.payloads] == [
        PKCS12,
        "com.apple.vpn.managed",
    ]
    assert document.undo_stack.count() == 2
    assert window.isWindowModified()
    window.undo_action.trigger()
    assert [p["PayloadType"] for p in document.profile.payloads] == [PKCS12]
    window.undo_action.trigger()
    assert "PayloadContent" not in document.profile.root
    assert not window.isWindowModified()
    window.redo_action.trigger()
    window.redo_action.trigger()
    assert len(document.profile.payloads) == 2


def test_an_empty_profile_starts_with_its_ways_in(
    qtbot: Any, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    from editor.session.settings import add_recent_file

    add_recent_file(QSettings(), "/profiles/office.mobileconfig")
    window = empty_window(qtbot, schema)
    panel = window.start_panel
    assert panel is not None and panel.isVisible()
    assert panel.recent.item(0).text() == "office.mobileconfig"
    opened: list[list[str]] = []
    window.open_files_requested.connect(opened.append)
    panel.recent.itemActivated.emit(panel.recent.item(0))
    assert opened == [["/profiles/office.mobileconfig"]]

    def steps(dialog: ConnectionDialog) -> None:
        qtbot.keyClicks(dialog.server_edit, "vpn.example.com")
        press_ok(qtbot, dialog)

    made = drive_dialogs(monkeypatch, window, "make_connection_dialog", steps)
    qtbot.mouseClick(panel.add_connection_button, Qt.MouseButton.LeftButton)
    assert len(made) == 1 and len(window.document.profile.payloads) == 1
    # the profile has a payload now: the start panel is gone
    window.select_path(())
    assert window.start_panel is None


def test_open_and_save_dialogs_offer_the_profile_types(
    qtbot: Any, schema: Schema, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    window = empty_window(qtbot, schema)
    asked: dict[str, str] = {}

    def open_names(_parent: Any, _title: str, _start: str, filters: str) -> tuple[list[str], str]:
        asked["open"] = filters
        return [], ""

    target = tmp_path / "chosen.mobileconfig"

    def save_name(_parent: Any, _title: str, _start: str, filters: str) -> tuple[str, str]:
        asked["save"] = filters
        return str(target), filters.split(";;")[1]  # the binary choice

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", open_names)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    window.open_dialog()
    assert "*.mobileconfig" in asked["open"]
    assert window.save_as()
    assert asked["save"].count(";;") == 1 and "*.mobileconfig" in asked["save"]
    assert target.read_bytes().startswith(b"bplist00")  # saved as the chosen (binary) type
