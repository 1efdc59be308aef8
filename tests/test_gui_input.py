"""The window driven with real input events (tests/helpers/gui_driver.py): typing goes to what
has focus, Tab walks the focus chain, the wheel scrolls, shortcuts are key presses."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.certificate_files import PASSWORD, Files
from helpers.gui import open_window
from helpers.gui_driver import WindowDriver
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, make_profile
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QLineEdit,
    QToolBar,
    QToolButton,
    QWidget,
)

from editor.core.certificates import certificate_payload_from_file
from editor.core.encryption import inspect_pkcs12_payload
from editor.core.model import MISSING, KeyPath, Profile
from editor.core.schema import Schema
from editor.core.validation.problems import Problem, Severity
from editor.session.document import Document
from editor.ui.colors import error_color, severity_color
from editor.ui.dialogs.connection import ConnectionDialog
from editor.ui.mnemonics import plain
from editor.ui.tree_model import PATH_ROLE

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")


@pytest.fixture
def certificates(request: pytest.FixtureRequest) -> Files:
    """A CA (PEM), a client certificate (DER) and its identity (.p12), made with OpenSSL."""
    made: Files = request.getfixturevalue("files")
    return made

RULES = ("PayloadContent", 0, "IKEv2", "OnDemandRules")


def on_demand_profile() -> Profile:
    payload = dict(IKEV2_PAYLOAD)
    payload["IKEv2"] = dict(
        IKEV2_PAYLOAD["IKEv2"],
        OnDemandEnabled=1,
        OnDemandRules=[
            {"Action": "Disconnect", "SSIDMatch": ["Office"]},
            {"Action": "Connect", "InterfaceTypeMatch": "Cellular"},
        ],
    )
    return make_profile(payload, PKCS12_PAYLOAD, ROOT_PAYLOAD)


def driven(qtbot: Any, schema: Schema, profile: Profile) -> WindowDriver:
    window = open_window(qtbot, Document(profile, schema))
    return WindowDriver(qtbot, window)


def test_typing_into_an_absent_list_field_keeps_every_character(
    qtbot: Any, schema: Schema
) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    document = driver.window.document
    driver.window.select_path((*RULES, 1))
    field = driver.click_field("SSIDMatch")
    driver.type("Office\nGuest")
    assert document.value((*RULES, 1, "SSIDMatch")) == ["Office", "Guest"]
    assert driver.focused() is field
    # the caret stays where the person put it: up a line, to its end, one more letter
    driver.press(Qt.Key.Key_Up)
    driver.press(Qt.Key.Key_End)
    driver.type("2")
    assert document.value((*RULES, 1, "SSIDMatch")) == ["Office2", "Guest"]
    # typing in one field is one undo step, which takes the key away again
    driver.shortcut(QKeySequence.StandardKey.Undo)
    assert document.value((*RULES, 1)) == {"Action": "Connect", "InterfaceTypeMatch": "Cellular"}


def test_typing_into_a_list_field_that_holds_values(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    driver.window.select_path((*RULES, 0))
    driver.click_field("SSIDMatch")
    driver.shortcut(QKeySequence.StandardKey.MoveToEndOfDocument)
    driver.type("\nHome")
    assert driver.window.document.value((*RULES, 0, "SSIDMatch")) == ["Office", "Home"]


def value_widgets(form: Any) -> list[QWidget]:
    return [
        w
        for w in form.findChildren(QWidget)
        if isinstance(w, QComboBox | QAbstractSpinBox) and w.isVisible() and w.isEnabled()
    ]


def test_the_wheel_scrolls_the_form_and_changes_no_value(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    window.resize(1000, 600)  # a form taller than its window
    window.select_path(("PayloadContent", 0, "IKEv2"))
    driver.settle()
    form = window.form
    assert form is not None
    before = window.document.profile.to_bytes("xml")
    widgets = value_widgets(form)
    assert len(widgets) >= 5
    bottom = form.verticalScrollBar().maximum()
    assert bottom > 0
    for widget in widgets:
        driver.show_on_screen(widget)
        at = driver.scroll_value()
        under = driver.wheel(widget, -1)
        assert widget is under or widget.isAncestorOf(under)
        assert driver.scroll_value() > at or at == bottom, widget.accessibleName()
        driver.wheel(widget, 2)
    assert window.document.profile.to_bytes("xml") == before
    assert window.document.undo_stack.count() == 0


def test_the_wheel_changes_a_value_widget_that_has_focus(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    window.select_path(("PayloadContent", 0, "IKEv2"))
    driver.settle()
    combo = driver.field("DeadPeerDetectionRate")
    while driver.focused() is not combo:
        driver.tab()
    driver.wheel(combo, -1)
    assert window.document.value(("PayloadContent", 0, "IKEv2", "DeadPeerDetectionRate"))


# --- focus and scrolling after structural edits (item 4) -------------------------------
def test_adding_a_rule_selects_it_and_enter_opens_it(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    window.select_path(RULES)
    form = window.form
    assert form is not None
    driver.click(form.add_button)
    rules = window.document.value(RULES)
    assert len(rules) == 3
    assert rules[2] == {"Action": "Connect"}  # not the deprecated Allow
    assert window.form is form  # updated in place, not built again
    assert driver.focused() is form.items
    assert form.items.currentRow() == 2
    driver.press(Qt.Key.Key_Return)
    assert window.form is not None and window.form.path == (*RULES, 2)
    assert window.form.title is not None and window.form.title.text() == "Rule 3 · Connect"


def test_changing_an_action_keeps_focus_and_the_heading_follows(
    qtbot: Any, schema: Schema
) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    window.select_path((*RULES, 1))
    driver.shortcut("Ctrl+2")
    combo = driver.field("Action")
    assert driver.focused() is combo
    driver.press(Qt.Key.Key_Down)  # Connect → Disconnect
    assert window.document.value((*RULES, 1, "Action")) == "Disconnect"
    assert driver.focused() is combo
    form = window.form
    assert form is not None and form.title is not None
    assert form.title.text() == "Rule 2 · Disconnect"
    index = window.tree.currentIndex()
    assert index.data() == "Rule 2 · Disconnect"


def test_structural_edits_keep_focus_and_scroll_position(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    window.resize(1000, 600)
    window.select_path(("PayloadContent", 0, "IKEv2"))
    form = window.form
    assert form is not None
    remove = form.rows["OnDemandRules"].unset
    driver.click(remove)  # scrolls down to it, as a person would
    at = driver.scroll_value()
    assert at > 0
    assert window.document.value((*RULES,)) is MISSING
    assert driver.scroll_value() == at
    focus = driver.focused()
    assert focus is form.rows["OnDemandRules"].field.focus_widget()  # the row's Add button
    driver.shortcut(QKeySequence.StandardKey.Undo)
    assert len(window.document.value(RULES)) == 2
    assert window.form is not None
    assert driver.scroll_value() == at
    assert window.form.isAncestorOf(driver.focused())
    assert window.form.rows["OnDemandRules"].isAncestorOf(driver.focused())


def test_removing_the_last_payload_keeps_the_tree_in_place(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    window.select_path(("PayloadContent", 2))
    driver.shortcut("Ctrl+1")
    driver.press(Qt.Key.Key_Delete)
    assert len(window.document.profile.payloads) == 2
    assert window.tree.currentIndex().data(PATH_ROLE) == ("PayloadContent", 1)


# --- the focus chain (item 5) ----------------------------------------------------------
def on_screen(widget: QWidget) -> bool:
    """Visible, and inside every scroll area's viewport that holds it."""
    if not widget.isVisible():
        return False
    top = widget.window()
    rect = QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            port = parent.viewport()
            if not QRect(port.mapTo(top, QPoint(0, 0)), port.size()).intersects(rect):
                return False
        parent = parent.parentWidget()
    return True


def test_tab_walks_tree_then_the_form_as_seen_then_problems(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    window.resize(1000, 600)
    window.select_path((*RULES, 0))
    driver.shortcut("Ctrl+1")
    assert driver.focused() is window.tree
    form = window.form
    assert form is not None
    seen: list[QWidget] = []
    while True:
        widget = driver.tab()
        if not form.isAncestorOf(widget):
            break
        assert on_screen(widget), f"Tab stopped on {widget.accessibleName()!r}, unseen"
        seen.append(widget)
    assert widget is window.problems.show_info
    assert driver.tab() is window.problems.list
    dock = window.try_it_dock  # the On Demand panel is shown beside a rule: it comes next
    widget = driver.tab()
    for _ in range(40):  # the problems panel's buttons, then the panel; bounded
        if not (dock.isAncestorOf(widget) or window.problems.isAncestorOf(widget)):
            break
        assert on_screen(widget)
        widget = driver.tab()
    assert widget is window.tree, widget
    names = [w.accessibleName() for w in seen]
    # the list field holding "Office" is a stop, and before its remove button
    ssid = form.rows["SSIDMatch"]
    assert ssid.field.focus_widget() in seen
    assert seen.index(ssid.field.focus_widget()) + 1 == seen.index(ssid.unset)
    # in the order a person reads them: down the form, left to right in a row
    spots = [w.mapTo(form.body, w.rect().center()) for w in seen]
    for index, (before, after) in enumerate(itertools.pairwise(spots)):
        same_line = abs(after.y() - before.y()) <= 8
        assert after.y() > before.y() or (same_line and after.x() > before.x()), names[index:]
    # and Shift+Tab walks back the same way
    driver.shortcut("Ctrl+1")
    widget = driver.backtab()
    for _ in range(40):
        if not dock.isAncestorOf(widget) and not (
            window.problems.isAncestorOf(widget) and widget is not window.problems.list
        ):
            break
        widget = driver.backtab()
    assert widget is window.problems.list, widget
    assert driver.backtab() is window.problems.show_info
    assert driver.backtab() is seen[-1]


def test_go_to_shortcuts_land_on_tree_first_field_and_problems(qtbot: Any, schema: Schema) -> None:
    profile = on_demand_profile()
    del profile.root["PayloadContent"][0]["IKEv2"]["RemoteAddress"]
    driver = driven(qtbot, schema, profile)
    window = driver.window
    window.select_path(("PayloadContent", 0))
    assert window.problems.row_count() > 0
    form = window.form
    assert form is not None
    first = form.first_field()
    for start in ("Ctrl+3", "Ctrl+1", "Ctrl+2"):
        driver.shortcut(start)
        driver.shortcut("Ctrl+2")
        assert driver.focused() is first
        driver.shortcut("Ctrl+1")
        assert driver.focused() is window.tree
        driver.shortcut("Ctrl+3")
        assert driver.focused() is window.problems.list
        assert window.problems.list.currentIndex().isValid()


# --- every payload type can be added (item 3) ------------------------------------------
def test_the_add_payload_menu_offers_every_payload_type(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    window._fill_add_menu()
    offered = {plain(a.text()) for a in window.add_menu.actions()}
    for payload_type, payload_schema in schema.payloads.items():
        if payload_type in ("Configuration", "com.apple.vpn.managed"):
            continue  # the connection types above make these
        assert payload_schema.title in offered or payload_type.endswith("applayer")
    assert "Per-app VPN" in offered


def test_add_an_app_mapping_from_the_menu_and_link_it_to_a_new_per_app_vpn(
    qtbot: Any, schema: Schema
) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    document = window.document
    driver.menu("Edit", "Add Payload", "Per-App VPN App Mapping")
    index = len(document.profile.payloads) - 1
    mapping = document.value(("PayloadContent", index))
    assert mapping["PayloadType"] == "com.apple.vpn.managed.appmapping"
    # the new payload is selected and the focus is in its form
    assert window.tree.currentIndex().data(PATH_ROLE) == ("PayloadContent", index)
    assert window.form is not None and window.form.isAncestorOf(driver.focused())
    # open the first mapping, pick its VPN with New…
    window.select_path(("PayloadContent", index, "AppLayerVPNMapping", 0))
    form = window.form
    assert form is not None
    new_button = form.rows["VPNUUID"].new_uuid
    assert new_button is not None and new_button.text() == "New…"

    def fill_connection(dialog: QDialog) -> None:
        assert isinstance(dialog, ConnectionDialog)
        driver.click(dialog.name_edit)
        driver.type("Mail VPN")
        driver.click(dialog.server_edit)
        driver.type("vpn.example.com\n")

    with driver.answering(fill_connection):
        driver.click(new_button)
    per_app = document.value(("PayloadContent", index + 1))
    assert per_app["PayloadType"] == "com.apple.vpn.managed.applayer"
    assert per_app["UserDefinedName"] == "Mail VPN"
    item = ("PayloadContent", index, "AppLayerVPNMapping", 0)
    assert document.value((*item, "VPNUUID")) == per_app["VPNUUID"]
    assert window.form is not None and window.form.path == item
    # the picker now lists the per-app VPN by name
    combo = window.form.rows["VPNUUID"].field.focus_widget()
    assert isinstance(combo, QComboBox)
    assert combo.currentText() == f"Mail VPN — {per_app['VPNUUID']}"


# --- dialogs driven with the keyboard --------------------------------------------------
def choose_file(driver: WindowDriver, path: Path) -> Callable[[QDialog], None]:
    """A step for the file chooser: type the file's path, then Enter."""

    def step(dialog: QDialog) -> None:
        assert isinstance(dialog, QFileDialog)
        driver.type(f"{path}\n")

    return step


def test_add_certificate_with_the_keyboard_selects_the_new_payload(
    qtbot: Any, schema: Schema, certificates: Files
) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    document = window.document
    before = len(document.profile.payloads)

    def certificate_dialog(dialog: QDialog) -> None:
        driver.press(Qt.Key.Key_Space)  # the focus starts on Choose File…
        driver.press(Qt.Key.Key_Return)  # the file is chosen: Enter adds it

    with driver.answering(certificate_dialog, choose_file(driver, certificates.ca_pem)):
        driver.menu("Edit", "Add Certificate…")
    assert len(document.profile.payloads) == before + 1
    added = document.value(("PayloadContent", before))
    assert added["PayloadType"] == "com.apple.security.root"
    assert window.tree.currentIndex().data(PATH_ROLE) == ("PayloadContent", before)
    assert window.form is not None and window.form.path == ("PayloadContent", before)


def test_add_vpn_with_the_keyboard_selects_the_new_payload(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    document = window.document
    before = len(document.profile.payloads)

    def connection_dialog(dialog: QDialog) -> None:
        assert isinstance(dialog, ConnectionDialog)
        driver.click(dialog.name_edit)
        driver.type("Second VPN")
        driver.click(dialog.server_edit)
        driver.type("vpn2.example.com\n")

    with driver.answering(connection_dialog):
        driver.menu("Edit", "Add Payload", "IKEv2")
    assert len(document.profile.payloads) == before + 1
    added = document.value(("PayloadContent", before))
    assert added["UserDefinedName"] == "Second VPN"
    assert added["IKEv2"]["RemoteAddress"] == "vpn2.example.com"
    assert window.tree.currentIndex().data(PATH_ROLE) == ("PayloadContent", before)


# --- one verdict everywhere (item 6, the window's side) ---------------------------------
def engine_level(document: Document, payload: KeyPath) -> str:
    """The notice level the engine's problems about a PKCS#12's data call for."""
    problems = [
        p
        for p in document.problems_under(payload)
        if len(p.path) > 2 and (p.path[2] == "PayloadContent" or p.code == "pkcs12")
    ]
    if not problems:
        return "ok"
    worst = min(problems, key=lambda p: p.severity.rank).severity
    return {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(worst, "info")


def test_the_pkcs12_notice_follows_the_engine_on_every_edit(
    qtbot: Any, schema: Schema, certificates: Files
) -> None:
    driver = driven(qtbot, schema, make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD))
    window = driver.window
    document = window.document
    identity = ("PayloadContent", 1)
    window.select_path(identity)
    notice = window.signing.pkcs12_notice
    assert notice is not None
    assert notice.level == engine_level(document, identity)  # not a verdict of its own
    # Load… a real identity: the notice changes at once, without selecting again
    with driver.answering(choose_file(driver, certificates.client_p12)):
        driver.click(driver.field("PayloadContent"))
    assert document.value((*identity, "PayloadContent")) == certificates.client_p12.read_bytes()
    assert window.signing.pkcs12_notice is notice
    assert notice.level == engine_level(document, identity)
    assert "cannot be read" not in notice.text.text()
    # its password, typed: the form's summary opens the file, the notice agrees
    driver.click_field("Password")
    driver.type(PASSWORD)
    assert document.value((*identity, "Password")) == PASSWORD
    assert notice.level == engine_level(document, identity) == "ok"
    form = window.form
    assert form is not None and form.certificate_summary is not None
    assert "CN=client.example.com" in form.certificate_summary.values["subject"].text()


def test_load_puts_a_pem_certificate_into_a_root_payload_as_der(
    qtbot: Any, schema: Schema, certificates: Files
) -> None:
    driver = driven(qtbot, schema, make_profile(IKEV2_PAYLOAD, ROOT_PAYLOAD))
    window = driver.window
    window.select_path(("PayloadContent", 1))
    with driver.answering(choose_file(driver, certificates.ca_pem)):
        driver.click(driver.field("PayloadContent"))
    stored = window.document.value(("PayloadContent", 1, "PayloadContent"))
    expected = certificate_payload_from_file(certificates.ca_pem)["PayloadContent"]
    assert stored == expected and not stored.startswith(b"-----BEGIN")


def test_the_form_summary_gives_no_red_verdict_of_its_own(qtbot: Any, schema: Schema) -> None:
    garbage = dict(ROOT_PAYLOAD, PayloadContent=b"not a certificate")
    driver = driven(qtbot, schema, make_profile(IKEV2_PAYLOAD, garbage))
    driver.window.select_path(("PayloadContent", 1))
    form = driver.window.form
    assert form is not None and form.certificate_summary is not None
    status = form.certificate_summary.status
    assert status.text()  # it still says what it could not read
    assert error_color() not in status.styleSheet()
    # the verdict is the engine's, at the field, in the tree and the panel alike
    verdicts = [p for p in driver.window.document.problems() if p.code == "certificate-content"]
    assert [p.path for p in verdicts] == [("PayloadContent", 1, "PayloadContent")]
    assert "certificate-content" in form.rows["PayloadContent"].problem_label.text() or (
        "not a certificate" in form.rows["PayloadContent"].problem_label.text()
    )


def test_a_note_beside_an_error_is_not_drawn_red(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    driver.window.select_path(("PayloadContent", 0, "IKEv2"))
    form = driver.window.form
    assert form is not None
    row = form.rows["RemoteAddress"]
    where = (*form.path, "RemoteAddress")
    row.show_problems(
        [
            Problem(Severity.ERROR, "required", where, "first"),
            Problem(Severity.INFO, "mdm-variable", where, "second"),
        ]
    )
    text = row.problem_label.text()
    note = text[text.index("info: second") - 60 :]
    assert severity_color(Severity.INFO) in note.split("info: second")[0]
    assert severity_color(Severity.ERROR) in text.split("first")[0]


def modern_p12(folder: Path) -> Path:
    """An identity encoded as OpenSSL 3 does (AES-256, PBKDF2): iOS cannot read it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "phone.example.com")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2044, 1, 1, tzinfo=datetime.UTC))
        .sign(key, hashes.SHA256())
    )
    path = folder / "modern.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"phone",
            key,
            certificate,
            None,
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    return path


def test_reencode_uses_the_password_given_in_add_certificate(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    identity_file = modern_p12(tmp_path)
    driver = driven(qtbot, schema, make_profile(IKEV2_PAYLOAD))
    window = driver.window
    document = window.document

    def certificate_dialog(dialog: QDialog) -> None:
        driver.press(Qt.Key.Key_Space)  # Choose File…
        driver.type(f"{PASSWORD}\n")  # the focus waits in the password field

    with driver.answering(certificate_dialog, choose_file(driver, identity_file)):
        driver.menu("Edit", "Add Certificate…")
    identity = ("PayloadContent", 1)
    assert "Password" not in document.value(identity)  # not stored in the profile
    notice = window.signing.pkcs12_notice
    assert notice is not None and notice.button.isVisible()
    with driver.answering():  # no passphrase prompt: any dialog fails the test
        driver.click(notice.button)
    report = inspect_pkcs12_payload(dict(document.value(identity), Password=PASSWORD))
    assert report is not None and report.ios_compatible and report.password_ok


# --- smaller things a person runs into -------------------------------------------------
def per_app_profile() -> Profile:
    per_app = dict(
        IKEV2_PAYLOAD,
        PayloadType="com.apple.vpn.managed.applayer",
        PayloadUUID="1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C5D",
        VPNUUID="3B8C5B5E-1D2C-4F1A-9E8D-7C6B5A4F3E2D",
    )
    return make_profile(per_app, PKCS12_PAYLOAD)


def test_the_per_app_connection_types_are_only_those_it_allows(
    qtbot: Any, schema: Schema
) -> None:
    driver = driven(qtbot, schema, per_app_profile())
    driver.window.select_path(("PayloadContent", 0))
    combo = driver.field("VPNType")
    assert isinstance(combo, QComboBox)
    offered = {combo.itemText(i) for i in range(1, combo.count())}
    assert offered == {"IKEv2", "IPSec", "VPN"}


def test_a_value_of_the_wrong_type_is_named_once(qtbot: Any, schema: Schema) -> None:
    profile = on_demand_profile()
    profile.root["PayloadVersion"] = "1"  # text, where Apple wants the number 1
    driver = driven(qtbot, schema, profile)
    window = driver.window
    window.select_path(())
    combo = driver.field("PayloadVersion")
    assert isinstance(combo, QComboBox)
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts == ["", "1", "1 (a string, not allowed)"]
    while driver.focused() is not combo:
        driver.tab()
    driver.press(Qt.Key.Key_Up)  # to the number 1
    assert window.document.value(("PayloadVersion",)) == 1
    assert [combo.itemText(i) for i in range(combo.count())] == ["", "1"]


def test_an_absent_date_says_not_set(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    driver.window.select_path(())
    date = driver.field("RemovalDate")
    assert isinstance(date, QDateTimeEdit)
    assert date.text() == "not set"


def test_undo_and_redo_buttons_show_only_their_icons(qtbot: Any, schema: Schema) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    window = driver.window
    window.select_path(("PayloadContent", 0, "IKEv2"))
    driver.click_field("RemoteAddress")
    driver.type("x")
    toolbar = window.findChild(QToolBar, "mainToolbar")
    assert toolbar is not None
    button = toolbar.widgetForAction(window.undo_action)
    assert isinstance(button, QToolButton)
    assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    assert "RemoteAddress" in button.toolTip()  # the whole text is still one hover away


def test_clicking_the_text_of_the_certificate_picker_opens_its_list(
    qtbot: Any, schema: Schema
) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    driver.window.select_path(("PayloadContent", 0, "IKEv2"))
    line = driver.field("PayloadCertificateUUID")
    combo = line.parentWidget()
    assert isinstance(combo, QComboBox)
    driver.click(line)
    assert combo.view().isVisible()
    driver.press(Qt.Key.Key_Escape)
    assert not combo.view().isVisible()


def test_the_new_connection_dialog_is_as_tall_as_its_type_needs(
    qtbot: Any, schema: Schema
) -> None:
    driver = driven(qtbot, schema, on_demand_profile())
    heights = {}

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, ConnectionDialog)
        heights[dialog.type_id()] = dialog.height()
        body = dialog._body
        assert body.height() >= body.sizeHint().height() or dialog.height() >= 700
        driver.press(Qt.Key.Key_Escape)

    with driver.answering(look, look):
        driver.menu("Edit", "Add Payload", "IKEv2")
        driver.menu("Edit", "Add Payload", "Cisco Secure Client (AnyConnect)")
    assert heights["ikev2"] < 500 < heights["cisco-anyconnect"]


def test_the_problems_panel_names_fields_as_the_form_labels_them(
    qtbot: Any, schema: Schema
) -> None:
    profile = on_demand_profile()
    del profile.root["PayloadContent"][0]["IKEv2"]["RemoteAddress"]
    driver = driven(qtbot, schema, profile)
    panel = driver.window.problems
    wheres = [panel.row_text(row, 1) for row in range(panel.row_count())]
    label = schema.payloads["com.apple.vpn.managed"].root.keys["IKEv2"].keys["RemoteAddress"]
    assert f"Payload 1 (Example VPN): IKEv2 settings › {label.label} (RemoteAddress)" in wheres


def test_an_empty_certificate_picker_says_how_to_add_an_identity(
    qtbot: Any, schema: Schema
) -> None:
    profile = make_profile(IKEV2_PAYLOAD)
    del profile.root["PayloadContent"][0]["IKEv2"]["PayloadCertificateUUID"]
    driver = driven(qtbot, schema, profile)
    driver.window.select_path(("PayloadContent", 0, "IKEv2"))
    line = driver.field("PayloadCertificateUUID")
    assert isinstance(line, QLineEdit)
    assert line.text() == ""
    assert "Add Certificate" in line.placeholderText()
