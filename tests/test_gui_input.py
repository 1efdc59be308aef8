"""The window driven with real input events (tests/gui_driver.py): typing goes to what
has focus, Tab walks the focus chain, the wheel scrolls, shortcuts are key presses."""

from __future__ import annotations

from typing import Any

import pytest
from gui_driver import WindowDriver
from gui_helpers import open_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

from editor.core.model import Profile
from editor.core.schema import Schema
from editor.ui.document import Document
from tests.conftest import IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, make_profile

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")

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
