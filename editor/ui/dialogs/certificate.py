"""Add a certificate or identity (PKCS#12) file to the profile, after seeing what it holds.

`CertificateSummary` is the read-only box with subject, issuer, validity and key that
the dialog shows before adding, and that the form of a certificate payload shows at
its top.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.core.certificates import (
    CERTIFICATE_TYPES,
    CertificateError,
    CertificateInfo,
    certificate_payload_from_file,
    describe_certificate_payload,
)
from editor.core.payload_types import PEM, PKCS1, PKCS12, ROOT
from editor.session.document import Document
from editor.ui.colors import error_color, warning_color
from editor.ui.dialogs.connection import profile_identifier_base
from editor.ui.dialogs.parts import error_label, hint_label, ok_cancel_buttons

FILE_FILTER = (
    "Certificates and identities (*.cer *.crt *.pem *.der *.p12 *.pfx);;"
    "Certificates (*.cer *.crt *.pem *.der);;Identities (*.p12 *.pfx);;All files (*)"
)
SUMMARY_TYPES = CERTIFICATE_TYPES | {PKCS12}
KIND_TEXT = {
    ROOT: "Root certificate (a trusted certificate authority)",
    PKCS1: "Certificate",
    PEM: "Certificate (PEM)",
    PKCS12: "Identity: certificate and private key (PKCS#12)",
}


def _when(moment: datetime.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""


def _two_lines(fingerprint: str) -> str:
    """A SHA-256 fingerprint (32 hex pairs) over two lines, so it fits a narrow box."""
    pairs = fingerprint.split(":")
    half = (len(pairs) + 1) // 2
    return "\n".join(":".join(part) for part in (pairs[:half], pairs[half:]) if part)


class CertificateSummary(QGroupBox):
    """Read-only facts about one certificate or identity payload."""

    def __init__(self, parent: QWidget | None = None, title: str = "Certificate") -> None:
        super().__init__(title, parent)
        self.setObjectName("certificateSummary")
        self.setAccessibleName("Certificate summary")
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_ = layout
        self.values: dict[str, QLabel] = {}
        for key, title_text in (
            ("kind", "Kind:"),
            ("subject", "Subject:"),
            ("issuer", "Issuer:"),
            ("not_before", "Valid from:"),
            ("not_after", "Valid until:"),
            ("key", "Key:"),
            ("contents", "Contents:"),
            ("fingerprint", "SHA-256:"),
        ):
            value = QLabel(self)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(title_text.rstrip(":"))
            self.values[key] = value
            label = QLabel(title_text, self)
            label.setBuddy(value)
            layout.addRow(label, value)
        self.values["fingerprint"].setStyleSheet("font-family: monospace;")
        self.status = QLabel(self)
        self.status.setObjectName("certificateStatus")
        self.status.setWordWrap(True)
        layout.addRow(self.status)
        self.info: CertificateInfo | None = None
        # False in a payload's form: there the validation engine gives the verdict (inline,
        # in the tree and the problems panel) and the summary only states what it read
        self.judges = True

    def show_payload(
        self, payload: Mapping[str, Any], password: str | None = None
    ) -> CertificateInfo:
        info = describe_certificate_payload(payload, password)
        self.show_info(info)
        return info

    def show_info(self, info: CertificateInfo, now: datetime.datetime | None = None) -> None:
        self.info = info
        moment = now or datetime.datetime.now(datetime.UTC)
        texts = {
            "kind": KIND_TEXT.get(info.payload_type, info.payload_type),
            "subject": info.subject,
            "issuer": info.issuer + (" (self-signed)" if info.self_signed else ""),
            "not_before": _when(info.not_before),
            "not_after": _when(info.not_after),
            "key": info.key_type + (" · certificate authority" if info.is_ca else ""),
            "contents": self._contents(info),
            "fingerprint": _two_lines(info.sha256_fingerprint),
        }
        if info.not_before is not None and info.not_before > moment:
            texts["not_before"] += " — not valid yet"
        if info.expired(moment):
            texts["not_after"] += " — EXPIRED"
        for key, value in texts.items():
            label = self.values[key]
            label.setText(value)
            shown = bool(value)
            label.setVisible(shown)
            self.layout_.setRowVisible(label, shown)
        expired_style = f"color: {error_color(self.palette())}; font-weight: bold;"
        self.values["not_after"].setStyleSheet(expired_style if info.expired(moment) else "")
        self.values["not_before"].setStyleSheet(
            f"color: {warning_color(self.palette())};"
            if info.not_before is not None and info.not_before > moment
            else ""
        )
        self.status.setText(self._status(info))
        self.status.setStyleSheet(
            "color: palette(placeholder-text);"
            if info.ok or info.password_ok is False or not self.judges
            else f"color: {error_color(self.palette())};"
        )
        self.status.setVisible(bool(self.status.text()))

    @staticmethod
    def _contents(info: CertificateInfo) -> str:
        if info.payload_type != PKCS12 or not info.ok:
            return ""
        parts = ["private key included" if info.has_private_key else "no private key"]
        if info.extra_certificates:
            parts.append(f"{info.extra_certificates} more certificate(s) of the chain")
        return ", ".join(parts)

    @staticmethod
    def _status(info: CertificateInfo) -> str:
        if info.password_ok is False:
            return (
                "Locked with a password: its contents show once the password opens it. "
                "Without the password the device asks for it when installing."
            )
        if info.error is not None:
            return f"Cannot read this payload: {info.error}."
        return " ".join(info.notes)


def summary_for_payload(value: Any, parent: QWidget | None = None) -> CertificateSummary | None:
    """A summary box for a certificate or identity payload, None for anything else."""
    if not isinstance(value, dict) or value.get("PayloadType") not in SUMMARY_TYPES:
        return None
    summary = CertificateSummary(parent)
    summary.judges = False
    summary.show_payload(value)
    return summary


class CertificateDialog(QDialog):
    """Pick a certificate or PKCS#12 file, see what it holds, add it as one undo step."""

    def __init__(
        self, document: Document, parent: QWidget | None = None, start_dir: str = ""
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.start_dir = start_dir
        self.path: Path | None = None
        self.payload: dict[str, Any] | None = None
        self.added_index: int | None = None
        self.is_pkcs12 = False
        self._auto_name = ""
        self.setWindowTitle("Add Certificate")
        self.setModal(True)
        self.resize(640, 520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Add a certificate (.cer, .crt, .pem, .der) for the server's certificate "
            "authority, or an identity (.p12, .pfx) the device signs in with.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form = form
        file_line = QWidget(self)
        file_layout = QHBoxLayout(file_line)
        file_layout.setContentsMargins(0, 0, 0, 0)
        self.file_edit = QLineEdit(file_line)
        self.file_edit.setReadOnly(True)
        self.file_edit.setAccessibleName("Certificate file")
        self.file_edit.setPlaceholderText("no file chosen")
        self.choose_button = QPushButton("&Choose File…", file_line)
        self.choose_button.setAccessibleName("Choose a certificate file")
        self.choose_button.clicked.connect(self.choose_file)
        self.choose_button.setAutoDefault(False)  # Enter adds the chosen file, not choose again
        file_layout.addWidget(self.file_edit, 1)
        file_layout.addWidget(self.choose_button)
        file_label = QLabel("&File:", self)
        file_label.setBuddy(self.choose_button)
        form.addRow(file_label, file_line)

        self.password_holder = QWidget(self)
        password_layout = QVBoxLayout(self.password_holder)
        password_layout.setContentsMargins(0, 0, 0, 0)
        password_layout.setSpacing(4)
        self.password_edit = QLineEdit(self.password_holder)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("PKCS#12 password")
        self.password_edit.setPlaceholderText("the password that protects the file")
        self.password_edit.textChanged.connect(self._refresh)
        self.store_password_check = QCheckBox(
            "&Store the password in the profile (Password key)", self.password_holder
        )
        self.store_password_check.setAccessibleName("Store the password in the profile")
        self.store_password_check.toggled.connect(self._refresh)
        self.password_hint = hint_label(self.password_holder)
        self.password_hint.setText(
            "The password is used here to check the file and show what is inside. It goes "
            "into the profile only if you tick the box, where anyone with the profile can "
            "read it unless the profile is encrypted. Otherwise the device asks for it when "
            "the profile is installed."
        )
        password_layout.addWidget(self.password_edit)
        password_layout.addWidget(self.store_password_check)
        password_layout.addWidget(self.password_hint)
        self.password_label = QLabel("&Password:", self)
        self.password_label.setBuddy(self.password_edit)
        form.addRow(self.password_label, self.password_holder)

        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("Payload name")
        self.name_edit.setPlaceholderText("the certificate's common name")
        name_label = QLabel("&Name:", self)
        name_label.setBuddy(self.name_edit)
        form.addRow(name_label, self.name_edit)
        layout.addLayout(form)

        self.summary = CertificateSummary(self, "What the file holds")
        layout.addWidget(self.summary)
        self.error_label = error_label(self, "certificateError")
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.buttons, self.ok_button = ok_cancel_buttons(
            self, "Add Certificate", ok_name="Add certificate"
        )
        layout.addWidget(self.buttons)
        self.ok_button.setDefault(True)
        QWidget.setTabOrder(self.choose_button, self.password_edit)
        QWidget.setTabOrder(self.password_edit, self.store_password_check)
        QWidget.setTabOrder(self.store_password_check, self.name_edit)
        QWidget.setTabOrder(self.name_edit, self.ok_button)
        self._reset()
        self.choose_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- choosing a file -----------------------------------------------------------------------
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose a certificate or identity file", self.start_dir, FILE_FILTER
        )
        if name:
            self.load_file(Path(name))

    def load_file(self, path: Path) -> bool:
        """Read the file; False (after saying why, naming the file) when it cannot be used."""
        path = Path(path)
        try:
            payload = certificate_payload_from_file(
                path, identifier_base=profile_identifier_base(self.document)
            )
        except CertificateError as exc:
            return self._refuse(path, str(exc))
        except Exception as exc:  # anything else: still a message, never a traceback
            return self._refuse(path, f"{path.name}: the file cannot be used ({exc})")
        self.path = path
        self.file_edit.setText(str(path))
        self.file_edit.setToolTip(str(path))
        self.password_edit.blockSignals(True)
        self.password_edit.clear()
        self.password_edit.blockSignals(False)
        self.store_password_check.setChecked(False)
        self._auto_name = str(payload.get("PayloadDisplayName", ""))
        self.name_edit.setText(self._auto_name)
        self.is_pkcs12 = payload.get("PayloadType") == PKCS12
        self.form.setRowVisible(self.password_holder, self.is_pkcs12)
        self._refresh()
        if self.is_pkcs12 and not self.password_edit.text():
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)  # Enter adds it
        return True

    def _refuse(self, path: Path, message: str) -> bool:
        self._reset()
        self.error_label.setText(message)
        self.error_label.show()
        QMessageBox.warning(
            self,
            "Cannot use this file",
            f"{message}\n\nChoose a certificate (.cer, .crt, .pem, .der) or an identity "
            f"(.p12, .pfx) file. Nothing was added from {path}.",
        )
        return False

    def _reset(self) -> None:
        self.path = None
        self.payload = None
        self.is_pkcs12 = False
        self.file_edit.clear()
        self.name_edit.clear()
        self.form.setRowVisible(self.password_holder, False)
        self.summary.hide()
        self.error_label.hide()
        self.ok_button.setEnabled(False)

    # --- the payload ------------------------------------------------------------------------------
    def password(self) -> str | None:
        text = self.password_edit.text()
        return text if self.is_pkcs12 and text else None

    def build(self) -> dict[str, Any]:
        """The payload for the chosen file; CertificateError when it cannot be made."""
        if self.path is None:
            raise CertificateError("no file chosen")
        password = self.password()
        return certificate_payload_from_file(
            self.path,
            password,
            identifier_base=profile_identifier_base(self.document),
            store_password=password is not None and self.store_password_check.isChecked(),
            display_name=self.name_edit.text().strip(),
        )

    def _refresh(self) -> None:
        if self.path is None:
            return
        self.store_password_check.setEnabled(bool(self.password_edit.text()))
        try:
            payload = self.build()
        except CertificateError as exc:
            self.payload = None
            self.summary.hide()
            self.error_label.setText(str(exc))
            self.error_label.show()
            self.ok_button.setEnabled(False)
            return
        self.payload = payload
        self._follow_automatic_name()
        self.summary.show_payload(payload, self.password())
        self.summary.show()
        self.error_label.hide()
        self.ok_button.setEnabled(True)

    def _follow_automatic_name(self) -> None:
        """Once the password opens the file, offer the certificate's name unless the user
        typed one of their own."""
        if self.path is None or self.name_edit.text().strip() not in ("", self._auto_name):
            return
        password = self.password()
        try:
            automatic = certificate_payload_from_file(self.path, password)["PayloadDisplayName"]
        except CertificateError:
            return
        self._auto_name = str(automatic)
        if self.name_edit.text() != self._auto_name:
            self.name_edit.setText(self._auto_name)

    def accept(self) -> None:
        """Add the payload as one undo step and close; stays open when nothing is usable."""
        try:
            payload = self.build()
        except CertificateError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            self.ok_button.setEnabled(False)
            return
        self.payload = payload
        label = f"Add certificate {payload['PayloadDisplayName']}"
        self.added_index = self.document.add_payload(payload, label)
        super().accept()

    @property
    def added_uuid(self) -> str | None:
        if self.payload is None or self.added_index is None:
            return None
        return str(self.payload["PayloadUUID"])
