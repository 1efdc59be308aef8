"""Keys a vendor (or a person) names, typed by a person: VendorConfig's own keys show by
their names, are renamed in place (one undo step), added with the form's Add Vendor Key,
and named to screen readers by their names, not by the title their values share."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any

import pytest
from helpers.gui import open_window
from helpers.gui_driver import WindowDriver, click_tree
from helpers.profiles import make_profile
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from editor.core.schema import Schema
from editor.session.document import Document

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")

VENDOR_PAYLOAD: dict[str, Any] = {
    "PayloadIdentifier": "com.example.vpn.provider",
    "PayloadType": "com.apple.vpn.managed",
    "PayloadUUID": "1B2C3D4E-5F60-4A7B-8C9D-0E1F2A3B4C5D",
    "PayloadVersion": 1,
    "UserDefinedName": "Provider VPN",
    "VPNType": "VPN",
    "VPNSubType": "com.example.vpnapp",
    "VPN": {"RemoteAddress": "vpn.example.com", "AuthenticationMethod": "Password"},
    "VendorConfig": {"SiteGroup": "corp", "AllowPortalLogin": True},
}
VENDOR = ("PayloadContent", 0, "VendorConfig")


def open_vendor_profile(qtbot: Any, schema: Schema, tmp_path: Path) -> tuple[WindowDriver, Path]:
    path = tmp_path / "vendor.mobileconfig"
    path.write_bytes(make_profile(VENDOR_PAYLOAD).to_bytes("xml"))
    window = open_window(qtbot, Document.read(path, schema))
    driver = WindowDriver(qtbot, window)
    click_tree(driver, VENDOR)
    return driver, path


def saved_vendor_config(path: Path) -> dict[str, Any]:
    config: dict[str, Any] = plistlib.loads(path.read_bytes())["PayloadContent"][0]["VendorConfig"]
    return config


def test_a_vendor_key_is_renamed_by_typing_its_name(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    driver, path = open_vendor_profile(qtbot, schema, tmp_path)
    window = driver.window
    form = window.form
    assert form is not None
    row = form.rows["AllowPortalLogin"]
    assert row.name_edit is not None and row.name_edit.isVisible()
    assert row.name_edit.text() == "AllowPortalLogin"  # the name on screen, not "Vendor value"
    assert row.field.focus_widget().accessibleName() == "AllowPortalLogin"
    assert not any(
        "Vendor value" in label.text() for label in form.findChildren(QLabel) if label.isVisible()
    )

    driver.click(row.name_edit)
    driver.select_all_and_type("PortalLogin")
    value_widget = driver.tab()  # leaving the name renames the key
    assert window.document.undo_stack.undoText() == "Rename AllowPortalLogin to PortalLogin"
    form = window.form
    assert form is not None
    renamed = form.rows["PortalLogin"]
    assert "AllowPortalLogin" not in form.rows
    assert value_widget is renamed.field.focus_widget()  # the focus went on, not lost
    assert value_widget.accessibleName() == "PortalLogin"
    assert renamed.name_edit is not None and renamed.name_edit.text() == "PortalLogin"

    driver.shortcut(QKeySequence.StandardKey.Save)
    assert saved_vendor_config(path) == {"SiteGroup": "corp", "PortalLogin": True}

    driver.shortcut(QKeySequence.StandardKey.Undo)
    form = window.form
    assert form is not None
    back = form.rows["AllowPortalLogin"]
    assert "PortalLogin" not in form.rows
    assert back.name_edit is not None and back.name_edit.text() == "AllowPortalLogin"
    assert back.field.focus_widget().accessibleName() == "AllowPortalLogin"
    assert window.document.value(VENDOR) == {"SiteGroup": "corp", "AllowPortalLogin": True}
    driver.shortcut(QKeySequence.StandardKey.Redo)
    assert window.document.value(VENDOR) == {"SiteGroup": "corp", "PortalLogin": True}


def test_a_name_taken_by_another_key_is_refused_with_the_reason(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    driver, _path = open_vendor_profile(qtbot, schema, tmp_path)
    form = driver.window.form
    assert form is not None
    row = form.rows["SiteGroup"]
    assert row.name_edit is not None
    driver.click(row.name_edit)
    driver.select_all_and_type("AllowPortalLogin\n")
    assert row.name_edit.text() == "SiteGroup"
    note = row.findChild(QLabel, "nameProblem")
    assert note is not None and note.isVisible()
    assert "AllowPortalLogin is already set" in note.text()
    assert driver.window.document.undo_stack.count() == 0
    driver.select_all_and_type("Site")  # typing again clears the note
    assert not note.isVisible()


def test_add_vendor_key_names_it_as_the_person_types(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    driver, path = open_vendor_profile(qtbot, schema, tmp_path)
    form = driver.window.form
    assert form is not None and form.add_key_button is not None
    assert form.add_key_button.isVisible()
    driver.click(form.add_key_button)  # its menu: the type of the value
    driver.press(Qt.Key.Key_T)  # Text
    name = driver.focused()
    assert name.objectName() == "keyName"
    driver.type("Region")  # the new name is selected: typing replaces it
    value = driver.tab()
    assert value.accessibleName() == "Region"
    driver.type("eu-west")
    driver.shortcut(QKeySequence.StandardKey.Save)
    assert saved_vendor_config(path) == {
        "SiteGroup": "corp",
        "AllowPortalLogin": True,
        "Region": "eu-west",
    }
