"""Every input of every form says what it is: a name a screen reader reads, or a label."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.profiles import CORPUS, IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, make_profile
from PySide6.QtCore import QModelIndex, QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from editor.app.main_window import MainWindow
from editor.core.model import Profile
from editor.core.plistio import ProfileReadError
from editor.core.schema import Schema
from editor.session.document import Document

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")

INPUTS = (
    QLineEdit, QComboBox, QAbstractButton, QAbstractSpinBox, QPlainTextEdit, QAbstractItemView
)  # fmt: skip


def unnamed_inputs(window: MainWindow) -> list[str]:
    """Visit every node of the tree; list each visible input without a name or label."""
    found: list[str] = []

    def visit(index: QModelIndex) -> None:
        window.tree.setCurrentIndex(index)
        QApplication.processEvents()
        form = window.form
        if form is not None:
            labelled = {id(label.buddy()) for label in form.findChildren(QLabel) if label.buddy()}
            for widget in form.findChildren(QWidget):
                if not isinstance(widget, INPUTS) or not widget.isVisibleTo(form):
                    continue
                if isinstance(widget.parent(), QAbstractSpinBox | QComboBox):
                    continue  # the editor inside a spin or combo box: the box is named
                if widget.accessibleName() or id(widget) in labelled:
                    continue
                text = widget.text() if hasattr(widget, "text") else ""
                found.append(f"{form.path}: {type(widget).__name__} {text!r}")
        for row in range(window.model.rowCount(index)):
            visit(window.model.index(row, 0, index))

    visit(window.model.index(0, 0))
    return found


def profiles() -> list[Any]:
    own = pytest.param(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD), id="own")
    files = sorted(CORPUS.glob("*.mobileconfig")) if CORPUS.is_dir() else []
    return [own, *(pytest.param(path, id=path.name[:40]) for path in files)]


@pytest.mark.parametrize("source", profiles())
def test_every_input_has_a_name_or_a_label(qtbot: Any, schema: Schema, source: Any) -> None:
    if isinstance(source, Path):
        try:
            source = Profile.read(source)
        except ProfileReadError:
            pytest.skip("damaged on purpose")
    window = MainWindow(Document(source, schema), QSettings())
    qtbot.addWidget(window)
    window.show()
    assert unnamed_inputs(window) == []


def test_vendor_keys_are_called_by_their_names(qtbot: Any, schema: Schema) -> None:
    payload = {
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
    window = MainWindow(Document(make_profile(payload), schema), QSettings())
    qtbot.addWidget(window)
    window.show()
    window.select_path(("PayloadContent", 0, "VendorConfig"))
    assert window.form is not None
    for key in ("SiteGroup", "AllowPortalLogin"):
        row = window.form.rows[key]
        assert row.name_edit is not None and row.name_edit.text() == key  # on screen
        assert row.field.focus_widget().accessibleName() == key  # and to screen readers
