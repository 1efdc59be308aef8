"""Add a certificate or identity (PKCS#12) file to the profile, after seeing what it holds.

A PEM file with a chain lists every certificate with a tick box; each ticked one becomes
a payload of its own, and one the profile holds already is shown but not added again.

`CertificateSummary` is the read-only box with subject, issuer, validity and key that
the dialog shows before adding, and that the form of a certificate payload shows at
its top.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.core.certificates import (
    CERTIFICATE_TYPES,
    CertificateError,
    CertificateFile,
    CertificateInfo,
    FileCertificate,
    certificate_payload,
    certificate_payload_from_file,
    certificates_for_payload,
    certificates_from_file,
    certificates_in_profile,
    describe_certificate_payload,
    is_pem,
    read_certificates,
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


def _day(moment: datetime.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else ""


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


def loaded_certificate(
    parent: QWidget, data: bytes, path: Path, payload_type: str, current: Any
) -> bytes | None:
    """What a certificate payload's Load… stores from a file: its certificate in DER; of
    a chain the one that fits the payload, or the one the user picks when several do.
    None when the file is a broken PEM file (said in a message) or the user cancels;
    other data as it is (the engine says what is wrong with it)."""
    try:
        found = read_certificates(data, path.name).certificates
    except CertificateError as exc:
        if not is_pem(data):
            return data
        QMessageBox.warning(parent, "Cannot load this file", f"{exc}\n\nNothing was loaded.")
        return None
    fitting = certificates_for_payload(
        found, payload_type, current if isinstance(current, bytes) else None
    )
    if len(fitting) == 1:
        return fitting[0].der
    labels = [f"{c.name} — {c.role}, valid until {_day(c.info.not_after)}" for c in found]
    first = found.index(fitting[0]) if fitting else 0
    kind = KIND_TEXT.get(payload_type, payload_type).lower()
    label, chosen = QInputDialog.getItem(
        parent,
        "Which Certificate?",
        f"{path.name} holds {len(found)} certificates. Which one goes into this payload "
        f"({kind})?",
        labels,
        first,
        False,
    )
    return found[labels.index(label)].der if chosen and label in labels else None


def summary_for_payload(value: Any, parent: QWidget | None = None) -> CertificateSummary | None:
    """A summary box for a certificate or identity payload, None for anything else."""
    if not isinstance(value, dict) or value.get("PayloadType") not in SUMMARY_TYPES:
        return None
    summary = CertificateSummary(parent)
    summary.judges = False
    summary.show_payload(value)
    return summary


class PathEdit(QLineEdit):
    """A file path typed by hand: Enter reads the file (and neither adds it nor opens the
    file chooser), so a wrong path can be mended in place."""

    entered = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.entered.emit()
            return
        super().keyPressEvent(event)


class CertificateDialog(QDialog):
    """Pick a certificate or PKCS#12 file, see what it holds, add it (or the ticked
    certificates of a chain) as one undo step."""

    COLUMNS = ("Certificate", "Kind", "Issued by", "Valid until")

    def __init__(
        self, document: Document, parent: QWidget | None = None, start_dir: str = ""
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.start_dir = start_dir
        self.path: Path | None = None
        self.payload: dict[str, Any] | None = None
        self.payloads: list[dict[str, Any]] = []
        self.added_index: int | None = None
        self.is_pkcs12 = False
        self.chain: CertificateFile | None = None  # a certificate file's certificates
        self.held = certificates_in_profile(document.profile)
        self._auto_name = ""
        self.setWindowTitle("Add Certificate")
        self.setModal(True)
        # no larger than the screen (at scale 2 one of 1400 x 900 pixels is 700 x 450)
        self.resize(QSize(640, 520).boundedTo(self.screen().availableGeometry().size()))
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
        self.file_edit = PathEdit(file_line)
        self.file_edit.setAccessibleName("Certificate file")
        self.file_edit.setPlaceholderText("type a path and press Enter, or choose a file")
        self.file_edit.entered.connect(self._load_typed_path)
        self.file_edit.textEdited.connect(self._path_edited)
        self.choose_button = QPushButton("&Choose File…", file_line)
        self.choose_button.setAccessibleName("Choose a certificate file")
        self.choose_button.clicked.connect(self.choose_file)
        self.choose_button.setAutoDefault(False)  # Enter adds the chosen file, not choose again
        file_layout.addWidget(self.file_edit, 1)
        file_layout.addWidget(self.choose_button)
        file_label = QLabel("&File:", self)
        file_label.setBuddy(self.file_edit)
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

        self.chain_label = QLabel("Certificates &in the file (each ticked one is added):", self)
        self.chain_list = QTreeWidget(self)
        self.chain_list.setObjectName("certificateChain")
        self.chain_list.setAccessibleName("Certificates in the file")
        self.chain_list.setHeaderLabels(list(self.COLUMNS))
        self.chain_list.setRootIsDecorated(False)
        self.chain_list.setUniformRowHeights(True)
        self.chain_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.chain_list.currentItemChanged.connect(lambda *_: self._refresh())
        self.chain_list.itemChanged.connect(lambda *_: self._refresh())
        self.chain_label.setBuddy(self.chain_list)
        self.chain_hint = hint_label(self)
        self.chain_hint.setObjectName("certificateChainHint")
        layout.addWidget(self.chain_label)
        layout.addWidget(self.chain_list)
        layout.addWidget(self.chain_hint)

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
        QWidget.setTabOrder(self.file_edit, self.choose_button)
        QWidget.setTabOrder(self.choose_button, self.chain_list)
        QWidget.setTabOrder(self.chain_list, self.password_edit)
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

    def _load_typed_path(self) -> None:
        text = self.file_edit.text().strip()
        if text:
            self.load_file(Path(text).expanduser(), keep_focus=True)

    def _path_edited(self, text: str) -> None:
        """A path typed over the file read: nothing is added until Enter reads the new one."""
        if self.path is not None and text.strip() != str(self.path):
            self.ok_button.setEnabled(False)
            self.error_label.setText("Press Enter to read this file.")
            self.error_label.show()
        elif self.path is not None:
            self._refresh()

    def load_file(self, path: Path, keep_focus: bool = False) -> bool:
        """Read the file; False (after saying why, naming the file) when it cannot be used.
        keep_focus: the path was typed; the focus stays in the path field."""
        path = Path(path)
        try:
            payload = certificate_payload_from_file(
                path, identifier_base=profile_identifier_base(self.document)
            )
            is_pkcs12 = payload.get("PayloadType") == PKCS12
            chain = None if is_pkcs12 else certificates_from_file(path)
        except CertificateError as exc:
            return self._refuse(path, str(exc), keep_focus)
        except Exception as exc:  # anything else: still a message, never a traceback
            return self._refuse(path, f"{path.name}: the file cannot be used ({exc})", keep_focus)
        self.path = path
        self.chain = chain
        self.file_edit.setText(str(path))
        self.file_edit.setToolTip(str(path))
        self.password_edit.blockSignals(True)
        self.password_edit.clear()
        self.password_edit.blockSignals(False)
        self.store_password_check.setChecked(False)
        self._auto_name = str(payload.get("PayloadDisplayName", ""))
        self.name_edit.setText(self._auto_name)
        self.is_pkcs12 = is_pkcs12
        self.form.setRowVisible(self.password_holder, self.is_pkcs12)
        self._fill_chain()
        self._refresh()
        if not keep_focus:
            self._focus_next_step()
        return True

    def _focus_next_step(self) -> None:
        if self.is_pkcs12 and not self.password_edit.text():
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.several:
            self.chain_list.setFocus(Qt.FocusReason.OtherFocusReason)  # Space ticks, Enter adds
        else:
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)  # Enter adds it

    def _refuse(self, path: Path, message: str, keep_path: bool = False) -> bool:
        typed = self.file_edit.text()
        self._reset()
        if keep_path:  # a typed path stays for mending
            self.file_edit.setText(typed)
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
        self.chain = None
        self.is_pkcs12 = False
        self.file_edit.clear()
        self.name_edit.clear()
        self.form.setRowVisible(self.password_holder, False)
        self._fill_chain()
        self.summary.hide()
        self.error_label.hide()
        self._set_ok(0)

    # --- the certificates of a chain -------------------------------------------------------------
    @property
    def several(self) -> bool:
        """The file holds more than one certificate: the list shows them all."""
        return self.chain is not None and len(self.chain.certificates) > 1

    def _held_text(self, certificate: FileCertificate) -> str:
        index = self.held.get(certificate.der)
        if index is None:
            return ""
        name = self.document.value(("PayloadContent", index, "PayloadDisplayName"))
        named = f" ({name})" if isinstance(name, str) and name else ""
        return f"{certificate.name} is already in the profile as payload {index + 1}{named}"

    def _fill_chain(self) -> None:
        """One row per certificate, ticked unless the profile holds it already."""
        self.chain_list.blockSignals(True)
        self.chain_list.clear()
        certificates = self.chain.certificates if self.chain is not None else ()
        dim = self.palette().placeholderText()
        for certificate in certificates:
            info = certificate.info
            row = QTreeWidgetItem(
                [certificate.name, certificate.role, certificate.issuer_name, _day(info.not_after)]
            )
            row.setData(0, Qt.ItemDataRole.UserRole, certificate.position)
            row.setToolTip(0, info.subject)
            row.setToolTip(2, info.issuer)
            held = self._held_text(certificate)
            if held:  # shown, not ticked, and cannot be: the profile would hold it twice
                row.setCheckState(0, Qt.CheckState.Unchecked)
                row.setFlags(row.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                for column in range(len(self.COLUMNS)):
                    row.setForeground(column, dim)
                    row.setToolTip(column, f"{held}: it is not added again.")
            else:
                row.setCheckState(0, Qt.CheckState.Checked)
            self.chain_list.addTopLevelItem(row)
        for column in range(len(self.COLUMNS)):
            self.chain_list.resizeColumnToContents(column)
        # as tall as its rows (a few at most): the summary below needs the room
        rows = min(max(len(certificates), 1), 6)
        frame = self.chain_list.frameWidth() * 2
        header = self.chain_list.header().sizeHint().height()
        row_height = max(self.chain_list.sizeHintForRow(0), self.fontMetrics().height())
        scroll = self.chain_list.horizontalScrollBar().sizeHint().height()
        self.chain_list.setFixedHeight(frame + header + rows * row_height + scroll)
        first = self.chain_list.topLevelItem(0)
        if first is not None:
            self.chain_list.setCurrentItem(first)
        self.chain_list.blockSignals(False)
        shown = self.several
        self.chain_label.setVisible(shown)
        self.chain_list.setVisible(shown)
        self.form.setRowVisible(self.name_edit, not shown)  # each is named by its subject
        self.summary.setTitle("The certificate selected above" if shown else "What the file holds")
        notes = list(self.chain.notes) if self.chain is not None else []
        if shown:
            held_texts = [self._held_text(c) for c in certificates]
            notes[:0] = [f"{held}: it is not added again." for held in held_texts if held]
        self.chain_hint.setText(" ".join(notes))
        self.chain_hint.setVisible(bool(notes))

    def _current_certificate(self) -> FileCertificate | None:
        if self.chain is None:
            return None
        row = self.chain_list.currentItem()
        position = row.data(0, Qt.ItemDataRole.UserRole) if row is not None else 1
        return next((c for c in self.chain.certificates if c.position == position), None)

    def chosen_certificates(self) -> list[FileCertificate]:
        """The certificates OK adds: the ticked ones of a chain, or the file's one
        certificate unless the profile holds it already."""
        if self.chain is None:
            return []
        if not self.several:
            return [c for c in self.chain.certificates if c.der not in self.held]
        ticked = set()
        for row_number in range(self.chain_list.topLevelItemCount()):
            row = self.chain_list.topLevelItem(row_number)
            if row is not None and row.checkState(0) == Qt.CheckState.Checked:
                ticked.add(row.data(0, Qt.ItemDataRole.UserRole))
        return [c for c in self.chain.certificates if c.position in ticked]

    # --- the payload ------------------------------------------------------------------------------
    def password(self) -> str | None:
        text = self.password_edit.text()
        return text if self.is_pkcs12 and text else None

    def build_all(self) -> list[dict[str, Any]]:
        """The payloads OK adds; CertificateError when there are none to add."""
        if self.path is None:
            raise CertificateError("no file chosen")
        if self.chain is None:
            return [self.build()]
        chosen = self.chosen_certificates()
        if not chosen:
            if not self.several:
                held = self._held_text(self.chain.certificates[0])
                raise CertificateError(f"{held}: it is not added again.")
            if all(c.der in self.held for c in self.chain.certificates):
                raise CertificateError("Every certificate of the file is in the profile already.")
            raise CertificateError("Tick the certificates to add.")
        base = profile_identifier_base(self.document)
        name = "" if self.several else self.name_edit.text().strip()
        return [certificate_payload(c, base, self.path.name, name) for c in chosen]

    def build(self) -> dict[str, Any]:
        """The payload for the chosen file (the first one OK adds); CertificateError when
        it cannot be made."""
        if self.path is None:
            raise CertificateError("no file chosen")
        if self.chain is not None:
            return self.build_all()[0]
        password = self.password()
        return certificate_payload_from_file(
            self.path,
            password,
            identifier_base=profile_identifier_base(self.document),
            store_password=password is not None and self.store_password_check.isChecked(),
            display_name=self.name_edit.text().strip(),
        )

    def _set_ok(self, count: int) -> None:
        self.ok_button.setEnabled(count > 0)
        self.ok_button.setText(f"Add {count} Certificates" if count > 1 else "Add Certificate")

    def _refresh(self) -> None:
        if self.path is None:
            return
        self.store_password_check.setEnabled(bool(self.password_edit.text()))
        current = self._current_certificate()
        if current is not None:  # what the list's current row (or the one certificate) is
            self.summary.show_info(current.info)
            self.summary.show()
        try:
            payloads = self.build_all()
        except CertificateError as exc:
            self.payload = None
            self.summary.setVisible(current is not None)
            self.error_label.setText(str(exc))
            self.error_label.show()
            self._set_ok(0)
            return
        self.payload = payloads[0]
        if current is None:
            self._follow_automatic_name()
            self.summary.show_payload(payloads[0], self.password())
            self.summary.show()
        self.error_label.hide()
        self._set_ok(len(payloads))

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
        """Add the payload(s) as one undo step and close; stays open when nothing is usable."""
        if self.path is not None and self.file_edit.text().strip() != str(self.path):
            return  # a new path is typed but not read yet: Enter reads it
        try:
            payloads = self.build_all()
        except CertificateError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            self._set_ok(0)
            return
        self.payload, self.payloads = payloads[0], payloads
        if len(payloads) == 1:
            label = f"Add certificate {payloads[0]['PayloadDisplayName']}"
            self.added_index = self.document.add_payload(payloads[0], label)
        else:
            assert self.path is not None
            label = f"Add {len(payloads)} certificates from {self.path.name}"
            self.added_index = self.document.add_payloads(payloads, label)[0]
        super().accept()

    @property
    def added_uuid(self) -> str | None:
        if self.payload is None or self.added_index is None:
            return None
        return str(self.payload["PayloadUUID"])
