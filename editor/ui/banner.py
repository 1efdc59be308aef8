"""The strip above the tree that tells the signature's state (kept small: it loads at start)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

BANNER_STYLE = {
    # translucent backgrounds read well on light and dark palettes alike
    "ok": "rgba(46, 160, 67, 40)",
    "warning": "rgba(212, 160, 23, 55)",
    "error": "rgba(220, 53, 69, 50)",
    "info": "rgba(56, 139, 253, 40)",
}


class SignatureBanner(QFrame):
    """A strip above the tree: signature state, edits that void it, encrypted payloads."""

    details_requested = Signal()
    trust_requested = Signal()
    decrypt_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signatureBanner")
        self.setAccessibleName("Signature and encryption status")
        self.level = "info"
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text, 1)
        self.details_button = QPushButton("Details…", self)
        self.trust_button = QPushButton("Trust Anchors…", self)
        self.decrypt_button = QPushButton("Decrypt…", self)
        for button, signal in (
            (self.details_button, self.details_requested),
            (self.trust_button, self.trust_requested),
            (self.decrypt_button, self.decrypt_requested),
        ):
            button.clicked.connect(signal.emit)
            layout.addWidget(button)
        self.hide()

    def show_message(
        self, level: str, text: str, *, details: bool = False, decrypt: bool = False
    ) -> None:
        self.level = level
        self.text.setText(text)
        self.details_button.setVisible(details)
        self.trust_button.setVisible(details)
        self.decrypt_button.setVisible(decrypt)
        self.setStyleSheet(
            f"#signatureBanner {{ background: {BANNER_STYLE[level]}; border-radius: 4px; }}"
        )
        self.show()


__all__ = ["BANNER_STYLE", "SignatureBanner"]
