"""The menus as a person meets them: the pointer over each item shows its tip in the
status bar without drawing over the problem counts beside it."""

from __future__ import annotations

from typing import Any

import pytest
from gui_driver import WindowDriver
from gui_helpers import open_window
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from editor.core.schema import Schema
from editor.session.document import Document
from tests.conftest import IKEV2_PAYLOAD, make_profile

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")

LONGEST_TIP = 72  # characters: the status bar also holds the counts
APART = 8  # pixels left empty before the counts, so that a tip never seems to run on


def open_menu_by_mouse(driver: WindowDriver, title: str) -> QMenu:
    bar = driver.window.menuBar()
    action = next(a for a in bar.actions() if a.text().replace("&", "") == title)
    driver.click(bar, bar.actionGeometry(action).center())
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu), f"{title} did not open"
    return menu


def hover(driver: WindowDriver, menu: QMenu, action: QAction) -> None:
    QTest.mouseMove(menu, menu.actionGeometry(action).center())
    driver.settle()


def region(image: QImage, rect: QRect) -> QImage:
    return image.copy(rect)


def test_menu_tips_show_beside_the_problem_counts_never_over_them(
    qtbot: Any, schema: Schema
) -> None:
    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD), schema))
    window.resize(900, 640)
    driver = WindowDriver(qtbot, window)
    bar, counts = window.statusBar(), window.status
    assert counts.isVisible() and "error(s)" in counts.text()
    counts_rect = counts.geometry()
    gap = QRect(counts_rect.left() - APART, 0, APART, bar.height())
    before = bar.grab().toImage()
    hovered: list[str] = []
    too_long: list[str] = []

    def check(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            hover(driver, menu, action)
            tip = action.statusTip()
            if action.menu() is not None:
                driver.press(Qt.Key.Key_Right)  # into the submenu
                submenu = QApplication.activePopupWidget()
                assert isinstance(submenu, QMenu) and submenu is action.menu()
                check(submenu, f"{where} > {action.text()}")
                driver.press(Qt.Key.Key_Escape)  # back to this menu
                continue
            if not tip or not action.isEnabled():  # a disabled item shows no tip
                continue
            name = f"{where} > {action.text()}"
            hovered.append(name)
            if len(tip) > LONGEST_TIP:
                too_long.append(f"{name}: {tip!r}")
            assert bar.currentMessage() == tip, name  # the tip shows
            assert counts.isVisible(), name  # and the counts stay
            shown = bar.grab().toImage()
            assert region(shown, counts_rect) == region(before, counts_rect), name
            assert region(shown, gap) == region(before, gap), f"{name} runs into the counts"

    for title in ("File", "Edit", "View", "Security", "Help"):
        menu = open_menu_by_mouse(driver, title)
        check(menu, title)
        driver.press(Qt.Key.Key_Escape)
    assert too_long == []
    assert "Edit > &Add Payload > Alwa&ys On (IKEv2, supervised iPhone and iPad)" in hovered
    assert len(hovered) > 30
