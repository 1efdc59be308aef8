"""Pieces every dialog of the editor builds the same way."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QWidget

from editor.ui.colors import error_color
from editor.ui.mnemonics import mnemonics_when_shown


def ok_cancel_buttons(
    dialog: QDialog,
    ok_text: str | None = None,
    *,
    ok_name: str | None = None,
    on_ok: Callable[[], object] | None = None,
) -> tuple[QDialogButtonBox, QPushButton]:
    """OK and Cancel, wired to the dialog (OK to `on_ok` when given, else to accept);
    `ok_text` names what OK does ("Add Certificate"), `ok_name` is its accessible name.
    When the dialog shows, each of its buttons and labelled fields gets a mnemonic."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
    if ok_text is not None:
        ok_button.setText(ok_text)
    if ok_name is not None:
        ok_button.setAccessibleName(ok_name)
    buttons.accepted.connect(on_ok if on_ok is not None else dialog.accept)
    buttons.rejected.connect(dialog.reject)
    mnemonics_when_shown(dialog)  # its buttons and labelled fields, once all are made
    return buttons, ok_button


def error_label(parent: QWidget, object_name: str) -> QLabel:
    """A wrapped label in the error colour, for what keeps a dialog from its OK."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {error_color(label.palette())};")
    return label


def hint_label(parent: QWidget) -> QLabel:
    """A wrapped label in the placeholder colour, for explanations beside the fields."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


__all__ = ["error_label", "hint_label", "ok_cancel_buttons"]
