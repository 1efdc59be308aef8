"""Files in the editor's windows: one window per file, window placement, colours.

Each test works the window as a person does (shortcuts, the file dialog answered).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import IKEV2_PAYLOAD, make_profile
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from editor.ui import single_instance
from editor.ui.app import EditorApplication

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")


@pytest.fixture
def editor(qapp: Any) -> Any:
    application = EditorApplication(qapp)
    yield application
    for window in list(application.windows):
        window.close()  # type: ignore[attr-defined]
        window.deleteLater()  # type: ignore[attr-defined]


def press_open(qtbot: Any, window: Any) -> None:
    """Ctrl+O in the window, sent to what has the keyboard focus there."""
    window.activateWindow()
    window.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    target = QApplication.focusWidget() or window
    QTest.keyClick(target, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)


def choose_in_open_dialog(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> list[int]:
    """Answer the Open dialog with these files; the list counts the times it was shown."""
    shown: list[int] = []

    def answer(*_args: Any, **_kwargs: Any) -> tuple[list[str], str]:
        shown.append(1)
        return [str(path) for path in paths], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(answer))
    return shown


def test_opening_an_open_file_raises_its_window(
    qtbot: Any, editor: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "office.mobileconfig"
    make_profile(IKEV2_PAYLOAD).save(path)
    link = tmp_path / "link.mobileconfig"
    os.symlink(path, link)
    (first,) = editor.open_paths([str(path)])
    qtbot.waitExposed(first)
    blank = editor.new_window()
    qtbot.waitExposed(blank)

    raised: list[Any] = []
    monkeypatch.setattr(single_instance, "bring_to_front", raised.append)
    for chosen in (path, link):  # the same file by its name and through a link
        shown = choose_in_open_dialog(monkeypatch, chosen)
        press_open(qtbot, blank)
        assert shown == [1]
        assert len(editor.windows) == 2
        assert raised[-1] is first

    other = tmp_path / "other.mobileconfig"
    make_profile(IKEV2_PAYLOAD).save(other)
    choose_in_open_dialog(monkeypatch, other)
    press_open(qtbot, blank)
    assert len(editor.windows) == 3
    assert len(raised) == 2
