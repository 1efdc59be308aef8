"""Drive the editor window with input events, as a person does.

Every key goes to whatever `QApplication.focusWidget()` is at that moment, never to a
widget held from before: if an edit rebuilds the form and focus is lost, the rest of the
typing goes where a person's typing would go, and the test sees it. Clicks go to the
spot on screen (the form scrolls to show the widget first, as a person scrolls to it),
wheel events go to the widget under the pointer and travel up to its parents as Qt
sends them, shortcuts are key presses, and modal dialogs are answered from inside their
own event loop.

Works offscreen (CI) and on a real display (Xvfb with a window manager).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QMenu,
    QScrollArea,
    QWidget,
)

from editor.app.main_window import MainWindow
from editor.core.model import KeyPath

_KEYS = {
    "\n": Qt.Key.Key_Return,
    "\t": Qt.Key.Key_Tab,
}


class FocusLostError(AssertionError):
    """A key was about to be sent while no widget of the application had focus."""


class WindowDriver:
    def __init__(self, qtbot: Any, window: MainWindow) -> None:
        self.qtbot = qtbot
        self.window = window
        window.activateWindow()
        window.raise_()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
        self.settle()

    # --- what a person sees ------------------------------------------------------------
    def focused(self) -> QWidget:
        """Where a key goes now: an open menu, else the focus widget.

        When a window has just closed, the window manager activates the one below it
        (the offscreen platform has no window manager: the driver does it, as one would).
        """
        for attempt in range(200):
            popup = QApplication.activePopupWidget()
            widget = QApplication.focusWidget()
            if popup is not None and (widget is None or not popup.isAncestorOf(widget)):
                widget = popup  # keys go to an open menu; a combo's list has the focus itself
            if widget is not None and widget.isVisible():
                return widget
            if attempt == 10 and (widget is not None or QApplication.activeWindow() is None):
                below = QApplication.activeModalWidget() or self.window
                below.activateWindow()
            QTest.qWait(10)
        raise FocusLostError("no widget has the keyboard focus")

    def settle(self) -> None:
        """Let the window catch up, as it does between a person's keystrokes."""
        app = QApplication.instance()
        assert app is not None
        for _ in range(2):
            app.processEvents()
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QTest.qWait(1)
        app.processEvents()

    def field(self, key: str) -> QWidget:
        """The widget a person would click to edit `key` in the form shown now."""
        form = self.window.form
        assert form is not None, "no form is shown"
        row = form.rows[key]
        widget = row.field.focus_widget()
        if isinstance(widget, QComboBox) and widget.isEditable():
            return widget.lineEdit()
        return widget

    # --- the mouse ---------------------------------------------------------------------
    def show_on_screen(self, widget: QWidget) -> None:
        """Scroll every scroll area holding the widget so that it is visible."""
        parent = widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(widget)
            parent = parent.parentWidget()
        self.settle()

    def click(self, widget: QWidget, pos: QPoint | None = None) -> None:
        assert widget.isVisible(), f"{widget!r} is not visible: a person cannot click it"
        self.show_on_screen(widget)
        spot = pos if pos is not None else widget.rect().center()
        if QApplication.activeWindow() is not widget.window():
            widget.window().activateWindow()  # a click activates the window it lands in
            self.settle()
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, spot)
        self.settle()

    def click_field(self, key: str) -> QWidget:
        widget = self.field(key)
        self.click(widget)
        return widget

    def double_click(self, widget: QWidget, pos: QPoint | None = None) -> None:
        self.show_on_screen(widget)
        spot = pos if pos is not None else widget.rect().center()
        QTest.mouseDClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, spot)
        self.settle()

    def wheel(self, over: QWidget, notches: int = -1) -> QWidget:
        """Turn the wheel with the pointer over the middle of `over` (negative: down).

        The event enters through the window system (QTest.wheelEvent), so Qt delivers
        it as a real one: to the deepest widget under the pointer and, when that
        widget ignores it, on to its parents. Returns the widget under the pointer.
        """
        top = over.window()
        handle = top.windowHandle()
        assert handle is not None
        centre = over.mapTo(top, over.rect().center())
        under = top.childAt(centre) or over
        QTest.wheelEvent(handle, QPointF(centre), QPoint(0, 120 * notches))
        self.settle()
        return under

    # --- the keyboard ------------------------------------------------------------------
    def type(self, text: str) -> None:
        """Type each character into whatever has focus when it is pressed."""
        for char in text:
            key = _KEYS.get(char)
            if key is not None:
                QTest.keyClick(self.focused(), key)
            else:
                QTest.keyClicks(self.focused(), char)
            self.settle()

    def press(
        self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        QTest.keyClick(self.focused(), key, modifiers)
        self.settle()

    def shortcut(self, sequence: str | QKeySequence.StandardKey) -> None:
        """Press a key combination ("Ctrl+2", or a standard key such as Undo)."""
        combination = QKeySequence(sequence)[0]
        QTest.keyClick(self.focused(), combination.key(), combination.keyboardModifiers())
        self.settle()

    def tab(self, times: int = 1) -> QWidget:
        for _ in range(times):
            self.press(Qt.Key.Key_Tab)
        return self.focused()

    def backtab(self, times: int = 1) -> QWidget:
        for _ in range(times):
            self.press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        return self.focused()

    def select_all_and_type(self, text: str) -> None:
        self.shortcut(QKeySequence.StandardKey.SelectAll)
        self.type(text)

    # --- menus -----------------------------------------------------------------------
    def menu(self, *texts: str) -> None:
        """Choose a menu item with the keyboard: Alt and the menu's letter, then the arrow
        keys down to each item (and Right into a submenu), then Enter."""
        bar = self.window.menuBar()
        top = next(a for a in bar.actions() if a.text().replace("&", "") == texts[0])
        letter = top.text()[top.text().index("&") + 1]
        self.shortcut(f"Alt+{letter}")
        for depth, text in enumerate(texts[1:], start=1):
            menu = QApplication.activePopupWidget()
            assert isinstance(menu, QMenu), f"no menu open for {text!r}"
            wanted = next(
                (a for a in menu.actions() if a.text().replace("&", "") == text and a.isEnabled()),
                None,
            )
            assert wanted is not None, f"{text!r} is not in the menu"
            for _ in range(len(menu.actions()) + 1):
                if menu.activeAction() is wanted:
                    break
                self.press(Qt.Key.Key_Down)
            assert menu.activeAction() is wanted, f"the arrow keys never reach {text!r}"
            last = depth == len(texts) - 1
            self.press(Qt.Key.Key_Return if last or wanted.menu() is None else Qt.Key.Key_Right)

    # --- modal dialogs -----------------------------------------------------------------
    @contextmanager
    def answering(self, *steps: Callable[[QDialog], None]) -> Iterator[list[QDialog]]:
        """Answer the modal dialogs the block opens, in order, from inside their loops.

        Each step gets the dialog (shown, with focus) and acts on it with this driver's
        keys and clicks, for instance `lambda d: driver.type("secret\\n")`. A step may
        open the next dialog (it is answered by the next step meanwhile). A dialog that
        opens when no step is left is rejected and fails the block, as does a step
        whose dialog never opened. Yields the list of dialogs answered.
        """
        answered: list[QDialog] = []
        unexpected: list[str] = []
        failures: list[BaseException] = []
        pending = list(steps)
        watching = [True]

        def poll() -> None:
            if not watching[0]:
                return
            QTimer.singleShot(20, poll)  # first: a step may run a nested event loop
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, QDialog) or not dialog.isVisible() or dialog in answered:
                return
            if QApplication.activeWindow() is not dialog:
                dialog.activateWindow()  # what a window manager does with a new dialog
                return
            answered.append(dialog)
            if not pending:
                unexpected.append(dialog.windowTitle())
                dialog.reject()
                return
            try:
                pending.pop(0)(dialog)
                QApplication.processEvents()
                if dialog.isVisible():
                    raise AssertionError(f"{dialog.windowTitle()!r} is still open after its step")
            except BaseException as exc:  # close what is open, or the test would hang
                failures.append(exc)
                pending.clear()
                while isinstance(QApplication.activeModalWidget(), QDialog):
                    modal = QApplication.activeModalWidget()
                    assert isinstance(modal, QDialog)
                    modal.reject()
                    QApplication.processEvents()

        QTimer.singleShot(0, poll)
        try:
            yield answered
            self.settle()
        finally:
            watching[0] = False
        if failures:
            raise failures[0]
        assert not unexpected, f"unexpected dialog(s) opened: {unexpected}"
        assert not pending, f"{len(pending)} expected dialog(s) never opened"

    def scroll_value(self) -> int:
        form = self.window.form
        assert isinstance(form, QAbstractScrollArea)
        return form.verticalScrollBar().value()


def choose_file(driver: WindowDriver, path: Path) -> Callable[[QDialog], None]:
    def step(dialog: QDialog) -> None:
        assert isinstance(dialog, QFileDialog)
        driver.type(f"{path}\n")

    return step


def click_tree(driver: WindowDriver, path: KeyPath) -> None:
    """Click the tree's row of a node (expanding its parents as a person would)."""
    tree, model = driver.window.tree, driver.window.model
    index = model.index_for_path(path)
    assert model.node_for(index).path == path
    parent = index.parent()
    while parent.isValid():
        tree.expand(parent)
        parent = parent.parent()
    tree.scrollTo(index)
    driver.settle()
    driver.click(tree.viewport(), tree.visualRect(index).center())
