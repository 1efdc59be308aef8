"""What a new, empty profile shows first: add a connection, add a certificate, or open a file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class StartPanel(QFrame):
    add_connection_requested = Signal()
    add_certificate_requested = Signal()
    open_requested = Signal()
    open_recent_requested = Signal(str)

    def __init__(self, recent: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPanel")
        self.setAccessibleName("Start")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        title = QLabel("<b>This profile has no payloads yet</b>", self)
        layout.addWidget(title)
        hint = QLabel(
            "Start with a VPN connection (the dialog asks for the type, the server and the "
            "vendor settings), add the certificates it needs, or open an existing profile.",
            self,
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QHBoxLayout()
        self.add_connection_button = QPushButton("Add VPN Connection…", self)
        self.add_certificate_button = QPushButton("Add Certificate…", self)
        self.open_button = QPushButton("Open Profile…", self)
        for button, signal in (
            (self.add_connection_button, self.add_connection_requested),
            (self.add_certificate_button, self.add_certificate_requested),
            (self.open_button, self.open_requested),
        ):
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.recent = QListWidget(self)
        self.recent.setAccessibleName("Recent profiles")
        for name in recent:
            item = QListWidgetItem(Path(name).name, self.recent)
            item.setToolTip(name)
            item.setData(Qt.ItemDataRole.UserRole, name)
        self.recent.itemActivated.connect(
            lambda item: self.open_recent_requested.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        if recent:
            layout.addWidget(QLabel("Recent profiles (double-click or Enter to open):", self))
            self.recent.setMaximumHeight(22 * min(len(recent), 6) + 8)
            layout.addWidget(self.recent)
        else:
            self.recent.hide()
        self.add_connection_button.setDefault(True)


__all__ = ["StartPanel"]
