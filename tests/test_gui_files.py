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
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog

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


def test_a_new_window_opens_as_the_last_one_closed(qtbot: Any, editor: Any) -> None:
    first = editor.new_window()
    qtbot.waitExposed(first)
    first.resize(620, 430)  # as the window system does when a person drags the corner
    first.move(60, 40)
    problems = first.findChild(QDockWidget)
    assert problems is not None and problems.isVisible()
    toggle = problems.toggleViewAction()
    first.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first)
    toggle.trigger()  # View ▸ the problems panel, unticked
    assert not problems.isVisible()
    size = (first.width(), first.height())
    first.close()
    qtbot.waitUntil(lambda: first not in editor.windows)

    second = editor.new_window()
    qtbot.waitExposed(second)
    assert (second.width(), second.height()) == size
    assert (second.x(), second.y()) == (60, 40)
    dock = second.findChild(QDockWidget)
    assert dock is not None and not dock.isVisible()

    third = editor.new_window()  # a second window at once is set off, not on top
    qtbot.waitExposed(third)
    assert (third.x(), third.y()) != (second.x(), second.y())
