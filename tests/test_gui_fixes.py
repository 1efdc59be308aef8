"""Quick fixes, fragments and the deployment channel in the editor, worked as a person
works them: click the problem, click Fix, and look at the saved file and the focus."""

from __future__ import annotations

import copy
import plistlib
from pathlib import Path
from typing import Any

import pytest
from helpers.fix_cases import CASES, set_at, standard
from helpers.gui import open_window
from helpers.profiles import IKEV2_PAYLOAD, ROOT_PAYLOAD
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QLabel, QPushButton

from editor.app.main_window import MainWindow
from editor.core.model import Profile
from editor.core.schema import Schema
from editor.session.document import Document
from editor.ui.mnemonics import plain

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")


def window_for(qtbot: Any, schema: Schema, path: Path) -> MainWindow:
    document = Document(Profile.read(path), schema, path)
    return open_window(qtbot, document)


def row_of(window: MainWindow, code: str, path_text: str) -> int:
    panel = window.problems
    if not panel.show_info.isChecked():
        qtbot_click(panel.show_info)  # notes too (the On Demand catch-all is one)
    for row in range(panel.row_count()):
        problem = panel.model.problem(row)
        if problem.code == code and problem.path_text == path_text:
            return row
    raise AssertionError(
        f"no {code} at {path_text}: "
        + str([(panel.model.problem(r).code, panel.model.problem(r).path_text)
               for r in range(panel.row_count())])
    )  # fmt: skip


def qtbot_click(widget: Any, pos: QPoint | None = None) -> None:
    from pytestqt.qtbot import QtBot

    QtBot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


def click_row(window: MainWindow, row: int) -> None:
    view = window.problems.list
    index = window.problems.model.index(row, 2)
    view.scrollTo(index)
    qtbot_click(view.viewport(), view.visualRect(index).center())
    assert view.currentIndex().row() == row


def in_form(window: MainWindow) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and window.form is not None and window.form.isAncestorOf(focus)


def save(window: MainWindow, path: Path) -> dict[str, Any]:
    window.document.save(path, "xml")
    loaded: dict[str, Any] = plistlib.loads(path.read_bytes())
    return loaded


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_fix_through_the_problems_panel_fix_button(
    qtbot: Any, schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Any
) -> None:
    _id, changes, code, path, extra, check = case
    root = standard()
    for where, value in changes:
        set_at(root, where, copy.deepcopy(value))
    source = tmp_path / "p.mobileconfig"
    source.write_bytes(plistlib.dumps(root))
    asked: list[str] = []
    if "--on-demand-action" in extra:
        choice = extra[extra.index("--on-demand-action") + 1]

        def get_item(_parent: Any, _title: str, label: str, items: Any, *_a: Any) -> Any:
            asked.append(label)
            assert choice in items
            return choice, True

        monkeypatch.setattr(QInputDialog, "getItem", get_item)
    window = window_for(qtbot, schema, source)
    depth_before = window.document.undo_stack.count()
    click_row(window, row_of(window, code, path))
    fix_button = window.quick_fixes.fix_button
    assert fix_button.isEnabled()
    qtbot_click(fix_button)
    stack = window.document.undo_stack
    assert stack.count() == depth_before + 1  # one named undo step
    assert stack.undoText().startswith("Fix: ")
    assert bool(asked) == ("--on-demand-action" in extra)  # the choice was asked for
    assert check(save(window, tmp_path / "saved.mobileconfig"))
    assert not [
        p for p in window.document.problems() if p.code == code and p.path_text == path
    ]
    # the field the fix changed has the focus, inside the form
    qtbot.waitUntil(lambda: in_form(window))
    stack.undo()
    assert [p for p in window.document.problems() if p.code == code and p.path_text == path]


def test_inline_fix_button_under_the_field(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    root = standard()
    root["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] = True
    source = tmp_path / "p.mobileconfig"
    source.write_bytes(plistlib.dumps(root))
    window = window_for(qtbot, schema, source)
    window.show_problem(("PayloadContent", 0, "IKEv2", "DisableMOBIKE"))
    assert window.form is not None
    buttons = [
        b for b in window.form.findChildren(QPushButton, "inlineFix") if b.isVisibleTo(window)
    ]
    assert [b.text() for b in buttons] == ["Fix: Write 1 as an integer"]
    qtbot_click(buttons[0])
    assert window.document.undo_stack.undoText() == "Fix: Write 1 as an integer"
    saved = save(window, tmp_path / "saved.mobileconfig")
    assert saved["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] == 1
    # the field has the focus
    qtbot.waitUntil(
        lambda: window.form is not None
        and QApplication.focusWidget() is window.form.rows["DisableMOBIKE"].field.focus_widget()
    )
    assert not [
        b for b in window.form.findChildren(QPushButton, "inlineFix") if b.isVisibleTo(window)
    ]
    # a key sent to whatever has the focus now works the fixed field
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    saved = save(window, tmp_path / "typed.mobileconfig")
    assert saved["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] == 0
    assert type(saved["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"]) is int


def test_fix_all_of_this_kind_and_fix_all_are_one_step_each(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    root = standard()
    root["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] = True
    root["PayloadContent"][0]["IKEv2"]["DisableRedirect"] = False
    root["PayloadContent"][0]["DeadPeerDetectionRate"] = "Low"
    del root["PayloadContent"][2]["PayloadVersion"]
    source = tmp_path / "p.mobileconfig"
    source.write_bytes(plistlib.dumps(root))
    window = window_for(qtbot, schema, source)
    stack = window.document.undo_stack
    click_row(window, row_of(window, "type-coercion", "PayloadContent/0/IKEv2/DisableMOBIKE"))
    # the context menu offers the same as the buttons
    texts = [a.text() for a in window.quick_fixes.context_menu().actions()]
    assert plain(texts[0]) == "Fix: Write 1 as an integer"
    assert plain(texts[1]).startswith("Fix All of This Kind") and texts[2] == "F&ix All"
    qtbot_click(window.quick_fixes.fix_kind_button)
    assert stack.count() == 1 and stack.undoText().startswith("Fix all: ")
    saved = save(window, tmp_path / "kind.mobileconfig")
    assert saved["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] == 1
    assert saved["PayloadContent"][0]["IKEv2"]["DisableRedirect"] == 0
    assert "PayloadVersion" not in saved["PayloadContent"][2]  # another kind: untouched
    qtbot_click(window.quick_fixes.fix_all_button)
    assert stack.count() == 2 and stack.undoText().startswith("Fix all (")
    saved = save(window, tmp_path / "all.mobileconfig")
    assert saved["PayloadContent"][2]["PayloadVersion"] == 1
    assert saved["PayloadContent"][0]["IKEv2"]["DeadPeerDetectionRate"] == "Low"
    stack.undo()
    assert "PayloadVersion" not in window.document.profile.payloads[2]
    assert window.document.profile.payloads[0]["IKEv2"]["DisableMOBIKE"] == 1


def test_copy_and_export_payload_as_xml(
    qtbot: Any, schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "p.mobileconfig"
    source.write_bytes(plistlib.dumps(standard()))
    window = window_for(qtbot, schema, source)
    window.select_path(("PayloadContent", 2))
    assert window.copy_payload_xml_action.isEnabled()
    window.copy_payload_xml_action.trigger()
    text = QApplication.clipboard().text()
    assert text.startswith("<dict>") and "com.apple.security.root" in text
    target = tmp_path / "ca.xml"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(target), ""))
    )
    window.export_fragment_action.trigger()
    assert target.read_text() == text
    assert Profile.read(target).root == ROOT_PAYLOAD


def test_a_fragment_opens_as_its_payload_and_fix_wraps_it(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    source = tmp_path / "fragment.xml"
    source.write_bytes(plistlib.dumps(copy.deepcopy(IKEV2_PAYLOAD)))
    window = window_for(qtbot, schema, source)
    # its keys are the payload's (no "not in the schema" notes) and its dictionaries show
    ikev2 = window.model.index_for_path(("IKEv2",))
    assert window.model.node_for(ikev2).path == ("IKEv2",)
    assert window.model.hasChildren(window.model.index(0, 0))
    assert window.form is not None and "VPNType" in window.form.rows
    assert window.start_panel is None
    title = window.form.findChild(QLabel, "formTitle")
    assert title is not None and title.text() == "VPN payload (fragment)"
    codes = [p.code for p in window.document.problems()]
    assert codes.count("profile-type") == 1 and "unknown-key" not in codes
    click_row(window, row_of(window, "profile-type", "PayloadType"))
    qtbot_click(window.quick_fixes.fix_button)
    saved = save(window, tmp_path / "wrapped.mobileconfig")
    assert saved["PayloadType"] == "Configuration"
    assert saved["PayloadContent"][0]["IKEv2"] == IKEV2_PAYLOAD["IKEv2"]
    assert window.model.index_for_path(("PayloadContent", 0)).isValid()


def test_key_twice_shows_both_lines_and_saves_once(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    text = plistlib.dumps(standard()).decode()
    marker = "<key>PayloadDisplayName</key>\n\t<string>Example</string>"
    assert marker in text
    source = tmp_path / "twice.mobileconfig"
    source.write_text(
        text.replace(marker, marker + "\n\t<key>PayloadDisplayName</key>\n\t<string>Later</string>")
    )
    window = window_for(qtbot, schema, source)
    row = row_of(window, "duplicate-key", "PayloadDisplayName")
    assert "lines" in window.problems.row_text(row, 2)
    assert window.document.profile.root["PayloadDisplayName"] == "Later"
    saved = tmp_path / "saved.mobileconfig"
    window.document.save(saved, "xml")
    assert saved.read_text().count("<key>PayloadDisplayName</key>") == 1
    assert "duplicate-key" not in [p.code for p in window.document.problems()]


def test_deployment_channel_menu(qtbot: Any, schema: Schema, tmp_path: Path) -> None:
    root = standard()
    root["PayloadContent"][0]["IKEv2"]["LocalIdentifier"] = "{{Mail}}"
    source = tmp_path / "p.mobileconfig"
    source.write_bytes(plistlib.dumps(root))
    window = window_for(qtbot, schema, source)
    actions = window.quick_fixes.channel_actions
    assert [plain(a.text()) for a in actions.values()] == [
        "None", "Jamf Pro", "Microsoft Intune", "Workspace ONE", "Kandji", "Other MDM"
    ]  # fmt: skip
    assert actions["none"].isChecked()
    assert "unknown-mdm-variable" not in [p.code for p in window.document.problems()]
    actions["intune"].trigger()
    assert window.document.channel == "intune" and actions["intune"].isChecked()
    row = row_of(window, "unknown-mdm-variable", "PayloadContent/0/IKEv2/LocalIdentifier")
    assert "write {{mail}}" in window.problems.row_text(row, 2)
    # the channel is remembered for the file
    again = window_for(qtbot, schema, source)
    assert again.document.channel == "intune"


def test_exporting_signed_for_intune_asks_first(
    qtbot: Any, schema: Schema, tmp_path: Path, dialogs: Any
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from editor.ui.dialogs.signing import ExportRequest

    source = tmp_path / "p.mobileconfig"
    source.write_bytes(plistlib.dumps(standard()))
    window = window_for(qtbot, schema, source)
    window.quick_fixes.channel_actions["intune"].trigger()
    target = tmp_path / "signed.mobileconfig"
    dialogs.answer = QMessageBox.StandardButton.Cancel
    signed = ExportRequest(target, "xml", identity=object(), recipient=None)  # type: ignore[arg-type]
    assert window.signing.export(signed) is False
    assert not target.exists()
    assert "Microsoft Intune" in dialogs.texts("question")[0]
    # unsigned exports go ahead without a word
    assert window.signing.export(ExportRequest(target, "xml", identity=None, recipient=None))
    assert target.exists() and len(dialogs.texts("question")) == 1


def test_fix_all_is_enabled_exactly_while_a_fix_needs_no_choice(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    """Typed edits, Undo and Redo make and unmake problems; Fix All (the menu's and the
    panel's) follows: a catch-all rule, whose action is a choice, does not enable it."""
    from helpers.gui_driver import WindowDriver, click_tree
    from PySide6.QtGui import QKeySequence

    payload = copy.deepcopy(IKEV2_PAYLOAD)
    payload["IKEv2"].update(
        OnDemandEnabled=1, OnDemandRules=[{"Action": "Connect", "InterfaceTypeMatch": "WiFi"}]
    )
    source = tmp_path / "p.mobileconfig"
    source.write_bytes(Profile({**standard(), "PayloadContent": [payload]}).to_bytes("xml"))
    window = window_for(qtbot, schema, source)
    driver = WindowDriver(qtbot, window)
    uuid_path = ("PayloadContent", 0, "PayloadUUID")
    fixes = window.quick_fixes  # type: ignore[attr-defined]
    action, button = fixes.fix_all_action, fixes.fix_all_button
    codes = {p.code for p in window.document.problems()}
    assert "on-demand-no-catch-all" in codes  # a fix, but one that asks for the action

    def enabled() -> bool:
        assert action.isEnabled() == button.isEnabled()
        return bool(button.isEnabled())

    assert not enabled()
    click_tree(driver, ("PayloadContent", 0))
    driver.click(driver.field("PayloadUUID"))  # emptied: a fix gives a new UUID
    driver.shortcut(QKeySequence.StandardKey.SelectAll)
    driver.press(Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: not window.document.validation_pending)
    assert enabled()
    driver.shortcut(QKeySequence.StandardKey.Undo)
    qtbot.waitUntil(lambda: not window.document.validation_pending)
    assert not enabled()
    driver.shortcut(QKeySequence.StandardKey.Redo)
    qtbot.waitUntil(lambda: not window.document.validation_pending)
    assert enabled()
    driver.menu("Edit", "Fix All")  # the menu's item is there and enabled
    assert window.document.value(uuid_path) not in ("", payload["PayloadUUID"])
    assert not enabled()
    driver.shortcut(QKeySequence.StandardKey.Undo)  # the fix undone: fixable again
    qtbot.waitUntil(lambda: not window.document.validation_pending)
    assert enabled()
    driver.click(button)
    assert window.document.value(uuid_path) not in ("", payload["PayloadUUID"])
    assert not enabled()
