"""Offline help: F1, the problems panel's explanations, What's This, About."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.gui import open_window
from helpers.profiles import IKEV2_PAYLOAD, make_profile
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from editor.core.schema import Schema
from editor.session.document import Document
from editor.ui.help import HelpWindow, versions

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")


def settle() -> None:
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def press(qtbot: Any, window: Any, key: Qt.Key) -> None:
    window.activateWindow()
    window.raise_()
    settle()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QTest.keyClick(QApplication.focusWidget() or window, key)
    settle()


def test_f1_opens_the_guide_offline(qtbot: Any, schema: Schema) -> None:
    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD), schema))
    press(qtbot, window, Qt.Key.Key_F1)
    help_window = window.help_window()
    qtbot.waitExposed(help_window)
    text = help_window.browser.toPlainText()
    assert "VPN Profile Editor" in text and "Set up and run" in text
    assert help_window.contents.count() == 2
    help_window.contents.setFocus()
    QTest.keyClick(help_window.contents, Qt.Key.Key_Down)  # to the rules page
    assert "What a severity means" in help_window.browser.toPlainText()


def test_f1_on_a_problem_explains_its_code(qtbot: Any, schema: Schema) -> None:
    payload = dict(IKEV2_PAYLOAD, IKEv2={**IKEV2_PAYLOAD["IKEv2"], "RemoteAddress": ""})
    window = open_window(qtbot, Document(make_profile(payload), schema))
    view = window.problems.list
    assert window.problems.row_count() > 0
    rect = view.visualRect(window.problems.model.index(0, 2))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    code = window.problems.selected_code()
    assert code is not None
    view.setFocus()
    press(qtbot, window, Qt.Key.Key_F1)
    help_window = window.help_window()
    cursor = help_window.browser.textCursor()
    assert cursor.selectedText() == code
    row = cursor.block().text()
    assert row.startswith(code) or code in row.split()[0]


def test_every_problem_code_has_an_explanation(qapp: Any) -> None:
    from editor.core.validation.problems import CODES

    help_window = HelpWindow()
    try:
        missing = [code for code in CODES if not help_window.show_code(code)]
    finally:
        help_window.deleteLater()
    assert missing == []


def test_whats_this_names_the_key_and_its_source(qtbot: Any, schema: Schema) -> None:
    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD), schema))
    window.select_path(("PayloadContent", 0, "IKEv2"))
    assert window.form is not None
    row = window.form.rows["RemoteAddress"]
    text = row.field.focus_widget().whatsThis()
    assert "RemoteAddress" in text and "Source: apple-schema:" in text


def test_about_lists_the_versions(
    qtbot: Any, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda _parent, _title, text: shown.append(text))
    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD), schema))
    window.about_action.trigger()
    names = [name for name, _value in versions()]
    assert names == ["VPN Profile Editor", "Schema data", "Python", "Qt", "PySide6", "cryptography"]
    assert all(name in shown[0] for name in names)
    assert "payload files" in shown[0]
    assert window.about_qt_action.text() == "About &Qt"


def test_every_menu_item_has_its_own_mnemonic(qtbot: Any, schema: Schema) -> None:
    """Alt and a letter reach every item; no two items of one menu share the letter."""
    import re

    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD), schema))
    clashes: list[str] = []

    def walk(actions: list[Any], where: str) -> None:
        letters: dict[str, str] = {}
        for action in actions:
            if action.isSeparator():
                continue
            menu = action.menu()
            if menu is not None:
                menu.aboutToShow.emit()  # menus filled when first opened
                walk(menu.actions(), f"{where} > {action.text()}")
            found = re.search(r"&([^&])", action.text())
            if found is None and not action.isEnabled():
                continue  # "(none)": nothing to choose
            if found is None:
                clashes.append(f"{where}: {action.text()!r} has no mnemonic")
                continue
            letter = found.group(1).lower()
            if letter in letters:
                clashes.append(f"{where}: {letters[letter]!r} and {action.text()!r} share {letter}")
            letters[letter] = action.text()

    walk(window.menuBar().actions(), "menu bar")
    assert clashes == []
