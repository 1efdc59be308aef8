"""What the GUI tests share: no modal dialog ever waits, settings stay in the test's folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.pki import Pki
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QDialog, QMessageBox

from editor.app.main_window import MainWindow
from editor.session.document import Document
from editor.ui.dialogs.signing import IdentityDialog


class DialogRecorder:
    """Stands in for QMessageBox's modal helpers: records what was shown, answers questions."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []
        self.answer = QMessageBox.StandardButton.Discard

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for kind in ("question", "warning", "critical", "information"):
            monkeypatch.setattr(QMessageBox, kind, self._recorder(kind))

    def _recorder(self, kind: str) -> Any:
        def record(_parent: Any, title: str, text: str, *_args: Any) -> QMessageBox.StandardButton:
            self.shown.append((kind, title, text))
            return self.answer if kind == "question" else QMessageBox.StandardButton.Ok

        return record

    def texts(self, kind: str) -> list[str]:
        return [text for shown_kind, _title, text in self.shown if shown_kind == kind]


def isolate_settings(folder: Path) -> Path:
    """QSettings() and QStandardPaths write below `folder` from now on."""
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


def open_window(qtbot: Any, document: Document) -> MainWindow:
    window = MainWindow(document, QSettings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def run_modal_by_accepting(dialog: QDialog) -> QDialog:
    """Let `exec()` press OK at once, as a user would after filling the dialog."""

    def exec_() -> int:
        dialog.accept()
        return dialog.result()

    dialog.exec = exec_  # type: ignore[method-assign]
    return dialog


def pem_identity_dialog(window: MainWindow, pki: Pki) -> Any:
    def factory(title: str, explanation: str) -> IdentityDialog:
        dialog = IdentityDialog(window.settings, window, title, explanation)
        dialog.picker.pem_radio.setChecked(True)
        dialog.picker.key_row.edit.setText(str(pki.path("leaf.key")))
        dialog.picker.cert_row.edit.setText(str(pki.path("leaf.pem")))
        dialog.picker.chain_row.edit.setText(str(pki.path("intermediate.pem")))
        return run_modal_by_accepting(dialog)  # type: ignore[return-value]

    return factory
