"""The menus and dialogs as a person meets them: the pointer over each menu item shows
its tip in the status bar without drawing over the problem counts beside it, and every
dialog the editor opens has a letter of its own (Alt and the letter) on each button and
labelled field."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.gui import open_window
from helpers.gui_driver import WindowDriver, choose_file
from helpers.profiles import IKEV2_PAYLOAD, SAMPLE_IDENTITY_P12, make_profile
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFormLayout,
    QLabel,
    QMenu,
    QWidget,
)

from editor.app.main_window import MainWindow
from editor.core.schema import Schema
from editor.session.document import Document
from editor.ui.mnemonics import plain

# No stand-in for the message boxes here: they open for real and are read like dialogs.
pytestmark = pytest.mark.usefixtures("isolated_settings")

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


def pointer_away(window: QWidget) -> None:
    """The pointer off the window: menus that later tests open there are not hovered."""
    from PySide6.QtGui import QCursor

    handle = window.windowHandle()
    assert handle is not None
    QTest.mouseMove(handle, QPoint(window.width() + 40, window.height() + 40))
    QCursor.setPos(window.mapToGlobal(QPoint(window.width() + 40, window.height() + 40)))
    QApplication.processEvents()


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
                check(submenu, f"{where} > {plain(action.text())}")
                driver.press(Qt.Key.Key_Escape)  # back to this menu
                continue
            if not tip or not action.isEnabled():  # a disabled item shows no tip
                continue
            name = f"{where} > {plain(action.text())}"
            hovered.append(name)
            if len(tip) > LONGEST_TIP:
                too_long.append(f"{name}: {tip!r}")
            assert bar.currentMessage() == tip, name  # the tip shows
            assert counts.isVisible(), name  # and the counts stay
            shown = bar.grab().toImage()
            assert region(shown, counts_rect) == region(before, counts_rect), name
            assert region(shown, gap) == region(before, gap), f"{name} runs into the counts"

    try:
        for title in ("File", "Edit", "View", "Security", "Help"):
            menu = open_menu_by_mouse(driver, title)
            check(menu, title)
            driver.press(Qt.Key.Key_Escape)
    finally:
        pointer_away(window)
    assert too_long == []
    assert "Edit > Add Payload > Always On (IKEv2, supervised iPhone and iPad)" in hovered
    assert len(hovered) > 30


def mnemonic_faults(dialog: QWidget) -> list[str]:
    """What keeps Alt from reaching a control of the dialog as shown: a button or a
    labelled field without a letter, or two sharing one."""
    faults: list[str] = []
    letters: dict[str, str] = {}
    title = dialog.windowTitle()
    for form in dialog.findChildren(QFormLayout):  # a label beside a field names it
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is None or field is None or not isinstance(label.widget(), QLabel):
                continue
            inside = [field.widget()] if field.widget() is not None else []
            layout = field.layout()
            if layout is not None:
                inside += [layout.itemAt(i).widget() for i in range(layout.count())]
            inputs = [
                w
                for top in inside
                if top is not None
                for w in [top, *top.findChildren(QWidget)]
                if w.focusPolicy() & Qt.FocusPolicy.TabFocus
            ]
            if inputs and label.widget().isVisibleTo(dialog) and label.widget().buddy() is None:
                faults.append(f"{title}: {label.widget().text()!r} names no field")
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog):
            continue
        if isinstance(widget, QLabel):
            buddy = widget.buddy()
            if buddy is None or not any(
                w.focusPolicy() & Qt.FocusPolicy.TabFocus
                for w in [buddy, *buddy.findChildren(QWidget)]
            ):
                continue  # a label of nothing a person tabs to (selectable text, say)
            if not buddy.focusPolicy() & Qt.FocusPolicy.TabFocus and buddy.focusProxy() is None:
                faults.append(f"{title}: {widget.text()!r} leads to a row, not its field")
        elif not isinstance(widget, QAbstractButton):
            continue
        text = widget.text()
        if not any(c.isalnum() for c in text):
            continue  # a symbol ("✕", "…"): its accessible name says what it does
        found = re.search(r"&([^&])", text.replace("&&", ""))
        if found is None:
            faults.append(f"{title}: {text!r} has no mnemonic")
            continue
        letter = found.group(1).lower()
        if letter in letters:
            faults.append(f"{title}: {letters[letter]!r} and {text!r} share {letter!r}")
        letters[letter] = text
    return faults


def wireguard_conf(folder: Path) -> Path:
    path = folder / "office.conf"
    path.write_text(
        "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
        "Address = 10.0.0.2/32\n\n[Peer]\n"
        "PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
        "Endpoint = vpn.example.com:51820\nAllowedIPs = 0.0.0.0/0\n"
    )
    return path


def test_every_dialog_has_a_letter_for_each_button_and_field(
    qtbot: Any, schema: Schema, signed_profile: Path, tmp_path: Path
) -> None:
    """Opens every dialog of the editor as a person does (menus, buttons, shortcuts)
    and reads each as shown, and again after choices that show more of it."""
    on_demand = copy.deepcopy(IKEV2_PAYLOAD)
    on_demand["IKEv2"].update(
        OnDemandEnabled=1, OnDemandRules=[{"Action": "Connect", "InterfaceTypeMatch": "WiFi"}]
    )
    window = open_window(qtbot, Document(make_profile(on_demand), schema))
    driver = WindowDriver(qtbot, window)
    try:
        check_every_dialog(qtbot, schema, signed_profile, tmp_path, driver)
    finally:  # closing asks about unsaved changes, and no one would answer
        for shown in QApplication.topLevelWidgets():
            if isinstance(shown, MainWindow):
                shown.document.undo_stack.setClean()


def check_every_dialog(
    qtbot: Any, schema: Schema, signed_profile: Path, tmp_path: Path, driver: WindowDriver
) -> None:
    window = driver.window
    faults: list[str] = []
    seen: list[str] = []

    def read(*then: Callable[[QDialog], None]) -> Callable[[QDialog], None]:
        """A step: read the dialog, do `then` (each followed by another reading), close."""

        def step(dialog: QDialog) -> None:
            seen.append(dialog.windowTitle())
            faults.extend(mnemonic_faults(dialog))
            for action in then:
                action(dialog)
                faults.extend(mnemonic_faults(dialog))
            if dialog.isVisible():
                driver.press(Qt.Key.Key_Escape)

        return step

    with driver.answering(read(lambda d: driver.click(d.proxy_manual))):  # type: ignore[attr-defined]
        driver.menu("Edit", "Add Payload", "IKEv2")
    with driver.answering(read()):
        driver.menu("Edit", "Add Payload", "Custom SSL VPN app")
    with driver.answering(read()):
        driver.menu("Edit", "Add Certificate…")
    with driver.answering(read()):
        driver.menu("View", "Target Platforms…")
    with driver.answering(read()):
        driver.menu("Security", "Trust Anchors…")
    with driver.answering(read()):  # not signed: a message box says so
        driver.menu("Security", "Signature Details…")
    with driver.answering(read()):
        driver.menu("Help", "About VPN Profile Editor")
    with driver.answering(read()) as answered:
        driver.menu("File", "Render for Users…")  # opens without waiting (window-modal)
        qtbot.waitUntil(lambda: bool(answered) and not answered[0].isVisible())

    identity = tmp_path / "identity.p12"
    identity.write_bytes(SAMPLE_IDENTITY_P12)

    def export(dialog: QDialog) -> None:
        seen.append(dialog.windowTitle())
        faults.extend(mnemonic_faults(dialog))
        driver.click(dialog.picker.pem_radio)  # type: ignore[attr-defined]
        faults.extend(mnemonic_faults(dialog))
        driver.click(dialog.picker.p12_radio)  # type: ignore[attr-defined]
        driver.click(dialog.picker.p12_row.edit)  # type: ignore[attr-defined]
        driver.select_all_and_type(str(identity))
        driver.press(Qt.Key.Key_Return)  # the passphrase is asked for (next step)
        driver.press(Qt.Key.Key_Escape)

    with driver.answering(export, read()):
        driver.shortcut("Ctrl+Shift+E")

    configuration = wireguard_conf(tmp_path)
    with driver.answering(choose_file(driver, configuration), read()):
        driver.menu("File", "Import VPN Configuration…")

    catch_all = next(
        row
        for row in range(window.problems.row_count())
        if window.problems.model.problem(row).code == "on-demand-no-catch-all"
    )
    driver.shortcut("Ctrl+3")
    driver.press(Qt.Key.Key_Home)
    for _ in range(catch_all):
        driver.press(Qt.Key.Key_Down)
    with driver.answering(read()):  # the fix asks for the rule's action
        driver.click(window.quick_fixes.fix_button)  # type: ignore[attr-defined]

    window.select_path(("PayloadContent", 0))
    driver.click(driver.field("PayloadDisplayName"))
    driver.type("Edited")
    with driver.answering(read()):  # unsaved changes: Save, Discard or Cancel
        driver.shortcut(QKeySequence.StandardKey.Close)
    assert window.isVisible()

    signed_copy = tmp_path / "signed.mobileconfig"
    signed_copy.write_bytes(signed_profile.read_bytes())
    signed = open_window(qtbot, Document.read(signed_copy, schema))
    signed_driver = WindowDriver(qtbot, signed)
    with signed_driver.answering(read()):
        signed_driver.menu("Security", "Signature Details…")
    signed.select_path(signed.first_vpn_path() or ())
    signed_driver.click(signed_driver.field("UserDefinedName"))
    signed_driver.type(" 2")

    def save_again(dialog: QDialog) -> None:  # the one Save dialog of a signed file
        seen.append(dialog.windowTitle())
        faults.extend(mnemonic_faults(dialog))
        signed_driver.press(Qt.Key.Key_Escape)

    with signed_driver.answering(save_again):
        signed_driver.shortcut(QKeySequence.StandardKey.Save)
    assert signed_copy.read_bytes() == signed_profile.read_bytes()  # cancelled: not saved

    assert seen == [
        "New VPN Connection",
        "New VPN Connection",
        "Add Certificate",
        "Target platforms",
        "Trust Anchors",
        "Signature",
        "About VPN Profile Editor",
        "Render for Users",
        "Export Signed or Encrypted Profile",
        "Passphrase",
        "WireGuard app",
        "Fix",
        "Unsaved changes",
        "Signature of signed.mobileconfig",
        "Save signed.mobileconfig",
    ]
    assert faults == [], "\n".join(faults)


def test_the_problems_list_has_one_context_menu_with_letters(qtbot: Any, schema: Schema) -> None:
    """A right click on a problem opens one menu (the panel's items and the fixes
    together, not two menus after each other), each item with its own letter."""
    from PySide6.QtCore import QTimer

    payload = copy.deepcopy(IKEV2_PAYLOAD)
    payload["IKEv2"]["DisableMOBIKE"] = True  # a fix: write 1 as an integer
    window = open_window(qtbot, Document(make_profile(payload), schema))
    WindowDriver(qtbot, window)  # the window active, as a person's is
    menus: list[list[str]] = []

    watching = [True]

    def answer() -> None:
        if not watching:
            return
        QTimer.singleShot(20, answer)  # a second menu would be read too
        menu = QApplication.activePopupWidget()
        if isinstance(menu, QMenu):
            menus.append([a.text() for a in menu.actions() if not a.isSeparator()])
            QTest.keyClick(menu, Qt.Key.Key_Escape)

    panel = window.problems
    coerced = next(
        r for r in range(panel.row_count()) if panel.model.problem(r).code == "type-coercion"
    )
    view = panel.list
    row = view.visualRect(panel.model.index(coerced, 2)).center()
    spot = view.viewport().mapTo(window, row)
    QTimer.singleShot(0, answer)
    # through the window system, as a real click comes: Qt turns it into a context menu
    handle = window.windowHandle()
    assert handle is not None
    QTest.mouseClick(handle, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, spot)
    qtbot.wait(200)
    watching.clear()  # no more menus to read (later tests open their own)
    pointer_away(window)
    assert len(menus) == 1, menus
    texts = menus[0]
    assert "&Go to Field" in texts and "F&ix All" in texts
    assert any(text.startswith("&Fix: ") for text in texts)
    letters = [re.search(r"&([^&])", text.replace("&&", "")) for text in texts]
    assert all(letters), texts
    chosen = [found.group(1).lower() for found in letters if found]
    assert len(set(chosen)) == len(chosen), texts
