"""Signature banner, signature details, identity choice, export, decryption and PKCS#12 check.

All cryptography comes from the core (signing, encryption, export); this module only asks
the user and shows results. Passphrases are asked when needed and never stored.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from editor.session import settings as app_settings
from editor.ui.banner import BANNER_STYLE, SignatureBanner
from editor.ui.dialogs.parts import error_label, ok_cancel_buttons
from editor.ui.mnemonics import mnemonics_when_shown

if TYPE_CHECKING:
    from editor.core.encryption import Pkcs12Inspection
    from editor.core.signing import Identity, VerifyResult
    from editor.core.validation.problems import Problem

CERTIFICATE_FILTER = "Certificates (*.pem *.crt *.cer *.der);;All files (*)"
PKCS12_FILTER = "PKCS#12 identities (*.p12 *.pfx);;All files (*)"
KEY_FILTER = "Private keys (*.pem *.key *.der);;All files (*)"


PassphrasePrompt = Callable[[str], "bytes | None"]


def trust_paths(settings: QSettings) -> list[str]:
    return app_settings.TRUST_ANCHORS.read(settings)


def ask_passphrase(parent: QWidget | None, what: str) -> bytes | None:
    """A masked prompt; None when the user cancels."""
    text, ok = QInputDialog.getText(
        parent,
        "Passphrase",
        f"&Passphrase for {what.replace('&', '&&')}:\n"  # '&&': not a mnemonic
        "(used for this operation only, never stored)",
        QLineEdit.EchoMode.Password,
    )
    return text.encode() if ok else None


class PassphraseCancelledError(Exception):
    """The user closed the passphrase prompt."""


# --- verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """A verification result, or the reason there is none."""

    result: VerifyResult | None
    trust_note: str = ""  # why the trust anchors could not be used
    error: str = ""  # the envelope itself could not be read


def check_signature(data: bytes, settings: QSettings) -> SignatureCheck:
    from editor.core.signing import SigningError, load_trust_anchors, verify_profile

    note = ""
    anchors: list[Any] = []
    paths = trust_paths(settings)
    if paths:
        try:
            anchors = load_trust_anchors(paths)
        except SigningError as exc:
            note = f"trust anchors not used: {exc}"
    try:
        return SignatureCheck(verify_profile(data, anchors), note)
    except SigningError as exc:
        return SignatureCheck(None, note, str(exc))


def _when(moment: datetime.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "—"


_COMMON_NAME = re.compile(r"Common Name: (.*?)(?:, [A-Z][A-Za-z ]*: |$)")


def short_name(subject: str) -> str:
    """The common name of a subject line, which is what people recognise."""
    match = _COMMON_NAME.search(subject)
    return match.group(1) if match else subject


def signature_headline(check: SignatureCheck) -> tuple[str, str]:
    """(level, text): level is ok, warning or error."""
    result = check.result
    if result is None:
        return "error", f"The signature cannot be read: {check.error}"
    signer = short_name(result.signer.subject) if result.signer is not None else "an unknown signer"
    status = result.status
    from editor.core.signing import DAMAGED_SIGNER

    damage = next((m for m in result.messages if m.startswith(DAMAGED_SIGNER)), None)
    if status == "invalid" and damage is not None:
        return "error", f"The signature cannot be checked: {damage}. A device will refuse it."
    if status == "invalid":
        return "error", (
            f"Signed by {signer}, but the file was altered after signing or the signature is "
            "damaged: a device will refuse it."
        )
    if status == "expired":
        return "warning", (
            f"Signed by {signer}, whose certificate has expired: a device will treat the "
            "profile as unsigned."
        )
    if status == "untrusted":
        why = (
            "add the issuing CA under Trust Anchors to check the chain"
            if result.trusted is None
            else "the chain does not reach any of your trust anchors"
        )
        return "warning", f"Signed by {signer}; the signature holds, but {why}."
    return "ok", f"Signed by {signer}; the signature holds and the chain is trusted."


# --- details -----------------------------------------------------------------------------------


class SignatureDetailsDialog(QDialog):
    def __init__(self, check: SignatureCheck, file_name: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Signature of {file_name}")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        level, headline = signature_headline(check)
        title = QLabel(f"<b>{escape(headline)}</b>", self)
        title.setWordWrap(True)
        layout.addWidget(title)
        form = QFormLayout()
        result = check.result
        yes_no = {True: "yes", False: "NO", None: "not checked (no trust anchors given)"}
        if result is not None:
            signer = result.signer
            rows: list[tuple[str, str]] = []
            if signer is not None:
                rows += [
                    ("Signer", signer.subject),
                    ("Issuer", signer.issuer),
                    ("Serial number", f"{signer.serial:X}"),
                    (
                        "Valid",
                        f"{_when(signer.not_before)} to {_when(signer.not_after)}"
                        + (" (expired)" if result.expired else ""),
                    ),
                ]
            rows += [
                ("Signing time", _when(result.signing_time)),
                ("Digest algorithm", result.digest_algorithm or "—"),
                ("Content digest matches", yes_no[result.digest_ok]),
                ("Signature holds", yes_no[result.signature_ok]),
                ("Chain reaches a trust anchor", yes_no[result.trusted]),
            ]
            for label, value in rows:
                field = QLabel(escape(value), self)
                field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                field.setWordWrap(True)
                form.addRow(f"{label}:", field)
            chain = QListWidget(self)
            chain.setAccessibleName("Certificate chain")
            chain.addItems([c.subject for c in result.chain] or ["(none)"])
            chain.setMaximumHeight(90)
            form.addRow("Chain:", chain)
            notes = [*result.messages, *([check.trust_note] if check.trust_note else [])]
            if notes:
                text = QLabel("\n".join(f"• {m}" for m in notes), self)
                text.setWordWrap(True)
                form.addRow("Notes:", text)
        else:
            form.addRow("Error:", QLabel(escape(check.error), self))
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        mnemonics_when_shown(self)
        self.level = level


class TrustAnchorsDialog(QDialog):
    """Files and folders of CA certificates a signature is checked against (offline)."""

    def __init__(self, paths: list[str], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Trust Anchors")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Signatures are checked against these CA certificates (PEM or DER files, or "
            "folders of them). Nothing is fetched from the network.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Trust anchor files and folders")
        self.list.addItems(paths)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        add_file = QPushButton("Add Files…", self)
        add_folder = QPushButton("Add Folder…", self)
        remove = QPushButton("Remove", self)
        add_file.clicked.connect(self._add_files)
        add_folder.clicked.connect(self._add_folder)
        remove.clicked.connect(self._remove)
        for button in (add_file, add_folder, remove):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        buttons, _ok = ok_cancel_buttons(self)
        layout.addWidget(buttons)

    def add_paths(self, paths: list[str]) -> None:
        present = set(self.paths())
        self.list.addItems([p for p in paths if p not in present])

    def _add_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Add trust anchors", "", CERTIFICATE_FILTER)
        self.add_paths(names)

    def _add_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Add a folder of CA certificates")
        if name:
            self.add_paths([name])

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def paths(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]


# --- identity --------------------------------------------------------------------------------


class _PathRow(QWidget):
    """A line edit with a Browse button."""

    def __init__(
        self, title: str, file_filter: str, parent: QWidget | None, many: bool = False
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.file_filter = file_filter
        self.many = many
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(self)
        self.edit.setAccessibleName(title)
        self.edit.setClearButtonEnabled(True)
        if many:
            self.edit.setPlaceholderText("optional; several files separated by ;")
        browse = QPushButton("Browse…", self)
        browse.setAccessibleName(f"Browse for {title.lower()}")
        browse.clicked.connect(self._browse)
        layout.addWidget(self.edit, 1)
        layout.addWidget(browse)
        self.setFocusProxy(self.edit)  # a form label's mnemonic lands in the text

    def _browse(self) -> None:
        if self.many:
            names, _ = QFileDialog.getOpenFileNames(self, self.title, "", self.file_filter)
            if names:
                self.edit.setText(";".join(names))
            return
        name, _ = QFileDialog.getOpenFileName(self, self.title, self.text(), self.file_filter)
        if name:
            self.edit.setText(name)

    def text(self) -> str:
        return self.edit.text().strip()

    def texts(self) -> list[str]:
        return [part.strip() for part in self.edit.text().split(";") if part.strip()]


class IdentityPicker(QGroupBox):
    """Choose a signing or decryption identity: a PKCS#12 file, or PEM key + certificate."""

    changed = Signal()  # another file or kind: what was opened no longer applies

    def __init__(
        self, settings: QSettings, parent: QWidget | None, title: str = "Identity"
    ) -> None:
        super().__init__(title, parent)
        self.settings = settings
        layout = QFormLayout(self)
        kinds = QHBoxLayout()
        self.p12_radio = QRadioButton("PKCS#12 file (.p12, .pfx)", self)
        self.pem_radio = QRadioButton("Key and certificate files (PEM or DER)", self)
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.p12_radio)
        self.kind_group.addButton(self.pem_radio)
        kinds.addWidget(self.p12_radio)
        kinds.addWidget(self.pem_radio)
        kinds.addStretch(1)
        layout.addRow(kinds)
        self.p12_row = _PathRow("PKCS#12 file", PKCS12_FILTER, self)
        self.key_row = _PathRow("Private key", KEY_FILTER, self)
        self.cert_row = _PathRow("Certificate", CERTIFICATE_FILTER, self)
        self.chain_row = _PathRow("Chain", CERTIFICATE_FILTER, self, many=True)
        layout.addRow("PKCS#12 file:", self.p12_row)
        layout.addRow("Private key:", self.key_row)
        layout.addRow("Certificate:", self.cert_row)
        layout.addRow("Intermediates:", self.chain_row)
        self.chain_view = QLabel(self)
        self.chain_view.setWordWrap(True)
        self.chain_view.setAccessibleName("Loaded identity and its chain")
        self.chain_view.setText("(shown once the identity is opened)")
        layout.addRow("Loaded:", self.chain_view)
        self.form = layout
        self.p12_radio.toggled.connect(self._kind_changed)
        # the last identity used (paths only)
        self.p12_row.edit.setText(app_settings.IDENTITY_PKCS12.read(settings))
        self.key_row.edit.setText(app_settings.IDENTITY_KEY.read(settings))
        self.cert_row.edit.setText(app_settings.IDENTITY_CERTIFICATE.read(settings))
        self.chain_row.edit.setText(";".join(app_settings.IDENTITY_CHAIN.read(settings)))
        pem = app_settings.IDENTITY_KIND.read(settings) == "pem"
        (self.pem_radio if pem else self.p12_radio).setChecked(True)
        self._kind_changed()
        self._opened: tuple[tuple[str, ...], Identity] | None = None  # (the choice, identity)
        self.p12_radio.toggled.connect(self._changed)
        for row in (self.p12_row, self.key_row, self.cert_row, self.chain_row):
            row.edit.textChanged.connect(self._changed)

    def _changed(self) -> None:
        self._opened = None
        self.changed.emit()

    def _choice(self) -> tuple[str, ...]:
        if self.kind == "pkcs12":
            return (self.kind, self.p12_row.text())
        return (self.kind, self.key_row.text(), self.cert_row.text(), *self.chain_row.texts())

    def _kind_changed(self) -> None:
        p12 = self.p12_radio.isChecked()
        for row, shown in (
            (self.p12_row, p12),
            (self.key_row, not p12),
            (self.cert_row, not p12),
            (self.chain_row, not p12),
        ):
            row.setVisible(shown)
            label = self.form.labelForField(row)
            if label is not None:
                label.setVisible(shown)

    @property
    def kind(self) -> str:
        return "pkcs12" if self.p12_radio.isChecked() else "pem"

    def is_complete(self) -> bool:
        if self.kind == "pkcs12":
            return bool(self.p12_row.text())
        return bool(self.key_row.text() and self.cert_row.text())

    def describe(self) -> str:
        if self.kind == "pkcs12":
            return Path(self.p12_row.text()).name
        return Path(self.cert_row.text()).name

    def load(self, prompt: PassphrasePrompt) -> Identity:
        """Raises SigningError with a reason naming the file, or PassphraseCancelledError.
        The files are remembered (never a passphrase)."""
        identity = self.open(prompt)
        self.remember()
        return identity

    def open(self, prompt: PassphrasePrompt) -> Identity:
        """The identity chosen, read once until the choice changes (no second passphrase
        prompt); shown under Loaded. Raises as `load` does."""
        from editor.core.signing import load_pem_identity, load_pkcs12_identity

        if self._opened is not None and self._opened[0] == self._choice():
            return self._opened[1]

        def ask(what: str) -> Callable[[], bytes]:
            def callback() -> bytes:
                secret = prompt(what)
                if secret is None:
                    raise PassphraseCancelledError
                return secret

            return callback

        if self.kind == "pkcs12":
            path = self.p12_row.text()
            identity = load_pkcs12_identity(path, ask(Path(path).name))
        else:
            key = self.key_row.text()
            identity = load_pem_identity(
                key, self.cert_row.text(), self.chain_row.texts(), ask(Path(key).name)
            )
        self._opened = (self._choice(), identity)
        self.show_identity(identity)
        return identity

    def show_identity(self, identity: Identity) -> None:
        from editor.core.signing import summarize_certificate

        names = [summarize_certificate(identity.certificate).subject]
        names += [summarize_certificate(c).subject for c in identity.chain]
        self.chain_view.setText(" → ".join(names))

    def remember(self) -> None:
        app_settings.IDENTITY_KIND.write(self.settings, self.kind)
        if self.kind == "pkcs12":
            app_settings.IDENTITY_PKCS12.write(self.settings, self.p12_row.text())
        else:
            app_settings.IDENTITY_KEY.write(self.settings, self.key_row.text())
            app_settings.IDENTITY_CERTIFICATE.write(self.settings, self.cert_row.text())
            app_settings.IDENTITY_CHAIN.write(self.settings, self.chain_row.texts())


def remembered_identity(settings: QSettings) -> str | None:
    """The last identity's file name, when one is remembered."""
    if app_settings.IDENTITY_KIND.read(settings) == "pem":
        cert = app_settings.IDENTITY_CERTIFICATE.read(settings)
        key = app_settings.IDENTITY_KEY.read(settings)
        return cert if cert and key else None
    p12 = app_settings.IDENTITY_PKCS12.read(settings)
    return p12 or None


class IdentityDialog(QDialog):
    """Only an identity: used to sign again on save and to decrypt."""

    def __init__(
        self,
        settings: QSettings,
        parent: QWidget | None,
        title: str,
        explanation: str,
        prompt: PassphrasePrompt | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.prompt = prompt or (lambda what: ask_passphrase(self, what))
        self.identity: Identity | None = None
        layout = QVBoxLayout(self)
        text = QLabel(explanation, self)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.picker = IdentityPicker(settings, self)
        layout.addWidget(self.picker)
        self.error = QLabel(self)
        self.error.setObjectName("inlineProblem")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons, _ok = ok_cancel_buttons(self)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        from editor.core.signing import SigningError

        if not self.picker.is_complete():
            self._fail("Choose the identity's files first.")
            return
        try:
            self.identity = self.picker.load(self.prompt)
        except PassphraseCancelledError:
            return
        except SigningError as exc:
            self._fail(str(exc))
            return
        super().accept()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


# --- saving a signed or decrypted profile ------------------------------------------------------


@dataclass(frozen=True)
class SaveAgainChoice:
    """What the user chose in SaveAgainDialog."""

    identity: Identity | None  # sign with it; None: save unsigned
    recipient: Any  # the certificate to encrypt for again; None: not encrypted
    save_as: bool = False  # save the decrypted profile under a new name instead


class _PassphraseNeededError(Exception):
    """The identity is protected and the passphrase field is empty."""


class SaveAgainDialog(QDialog):
    """One question on saving a profile that was signed, or whose payloads were encrypted
    and are decrypted here: sign again (the identity and, when needed, its passphrase
    right here) or save unsigned; encrypt again for the same device or save the decrypted
    profile under a new name. `choice` holds the answer once accepted."""

    def __init__(
        self,
        settings: QSettings,
        parent: QWidget | None,
        file_name: str,
        *,
        signed_by: str | None = None,
        signed: bool = False,
        recipient: Any = None,
    ) -> None:
        super().__init__(parent)
        from editor.core.signing import summarize_certificate

        self.setWindowTitle(f"Save {file_name}")
        self.setMinimumWidth(620)
        self.settings = settings
        self.recipient = recipient
        self.choice: SaveAgainChoice | None = None
        layout = QVBoxLayout(self)
        encrypted_for = (
            short_name(summarize_certificate(recipient).subject) if recipient is not None else ""
        )
        layout.addWidget(
            self._text(_what_it_was(file_name, signed, signed_by, encrypted_for), bold=True)
        )
        self.sign_box: QGroupBox | None = None
        if signed:
            self.sign_box = QGroupBox("Signature", self)
            sign_layout = QVBoxLayout(self.sign_box)
            self.sign_radio = QRadioButton("Sign &again with this identity", self.sign_box)
            self.unsigned_radio = QRadioButton(
                "Save &unsigned (devices then show the profile as not signed)", self.sign_box
            )
            self.sign_radio.setChecked(True)
            self.picker = IdentityPicker(settings, self.sign_box, "")
            self.picker.setFlat(True)
            self.passphrase = QLineEdit(self.picker)
            self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
            self.passphrase.setAccessibleName("Passphrase of the identity")
            self.passphrase.setPlaceholderText("used for this save only, never stored")
            self.picker.form.insertRow(
                self.picker.form.rowCount() - 1, "&Passphrase:", self.passphrase
            )
            sign_layout.addWidget(self.sign_radio)
            sign_layout.addWidget(self.picker)
            sign_layout.addWidget(self.unsigned_radio)
            layout.addWidget(self.sign_box)
        self.encrypt_box: QGroupBox | None = None
        if recipient is not None:
            self.encrypt_box = QGroupBox("Encryption", self)
            encrypt_layout = QVBoxLayout(self.encrypt_box)
            self.encrypt_radio = QRadioButton(
                f"&Encrypt the payloads again for {encrypted_for.replace('&', '&&')}",
                self.encrypt_box,
            )
            self.decrypted_radio = QRadioButton(
                "Save the &decrypted profile under a new name (the encrypted file stays as it is)",
                self.encrypt_box,
            )
            self.encrypt_radio.setChecked(True)
            encrypt_layout.addWidget(self.encrypt_radio)
            encrypt_layout.addWidget(self.decrypted_radio)
            layout.addWidget(self.encrypt_box)
        self.error = error_label(self, "saveAgainProblem")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons, self.save_button = ok_cancel_buttons(self, "&Save")
        self.save_button.setDefault(True)
        layout.addWidget(self.buttons)
        if self.sign_box is not None:
            self.purpose = PurposeWarning(self.save_button, self)
            layout.insertWidget(layout.indexOf(self.sign_box) + 1, self.purpose)
            self.sign_radio.toggled.connect(self._signing_changed)
            self.picker.changed.connect(self._identity_changed)
            self._try_without_passphrase()
        if self.encrypt_box is not None:
            self.decrypted_radio.toggled.connect(self._save_text)
        self._save_text()
        _give_mnemonics(self, reserved={SIGN_ANYWAY[SIGN_ANYWAY.index("&") + 1].lower()})
        self.adjustSize()

    def _text(self, text: str, bold: bool = False) -> QLabel:
        label = QLabel(f"<b>{escape(text)}</b>" if bold else escape(text), self)
        label.setWordWrap(True)
        return label

    def _save_text(self) -> None:
        """Save, or Save As… when the decrypted profile goes to a new file."""
        as_new = self.encrypt_box is not None and self.decrypted_radio.isChecked()
        text = "&Save As…" if as_new else "&Save"
        if self.sign_box is not None:
            self.purpose.button_text = text
            if self.purpose.warned is not None:
                return  # Sign Anyway stays until the warning goes
        self.save_button.setText(text)

    def _signing_changed(self) -> None:
        signing = self.sign_radio.isChecked()
        self.picker.setEnabled(signing)
        self.purpose.withdraw()

    def _identity_changed(self) -> None:
        self.purpose.withdraw()
        self.passphrase.clear()
        self.error.hide()

    def _needs_passphrase(self, shown: bool) -> None:
        self.passphrase.setVisible(shown)
        label = self.picker.form.labelForField(self.passphrase)
        if label is not None:
            label.setVisible(shown)

    def _prompt(self, what: str) -> bytes:
        if self.passphrase.isHidden() or not self.passphrase.text():
            raise _PassphraseNeededError(what)
        return self.passphrase.text().encode()

    def _try_without_passphrase(self) -> None:
        """Open the remembered identity at once when it needs no passphrase; else the
        passphrase field shows (nothing is asked in another window)."""
        from editor.core.signing import SigningError

        self._needs_passphrase(False)
        if not self.picker.is_complete():
            return
        try:
            self.picker.open(self._prompt)
        except _PassphraseNeededError:
            self._needs_passphrase(True)
        except SigningError:
            pass  # said when Save is pressed, with the file's name

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.sign_box is not None and not self.passphrase.isHidden():
            self.passphrase.setFocus()  # what is left to do: type it and press Enter

    def accept(self) -> None:
        from editor.core.signing import SigningError

        identity = None
        if self.sign_box is not None and self.sign_radio.isChecked():
            if not self.picker.is_complete():
                self._fail("Choose the identity's files, or save unsigned.")
                return
            try:
                identity = self.picker.open(self._prompt)
            except _PassphraseNeededError as exc:
                self._needs_passphrase(True)
                self.passphrase.setFocus()
                self._fail(f"Type the passphrase of {exc}.")
                return
            except SigningError as exc:
                self._fail(str(exc))
                if not self.passphrase.isHidden():
                    self.passphrase.selectAll()
                    self.passphrase.setFocus()
                return
            self.picker.remember()
            if self.purpose.holds(identity):
                self.error.hide()
                self.save_button.setFocus()
                return
        again = self.encrypt_box is not None and self.encrypt_radio.isChecked()
        self.choice = SaveAgainChoice(
            identity,
            self.recipient if again else None,
            save_as=self.encrypt_box is not None and self.decrypted_radio.isChecked(),
        )
        super().accept()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        _grow_to_fit(self)


def _what_it_was(file_name: str, signed: bool, signed_by: str | None, encrypted_for: str) -> str:
    """The first line of SaveAgainDialog: what the file was."""
    signer = f" by {signed_by}" if signed_by else ""
    if signed and encrypted_for:
        return (
            f"{file_name} was signed{signer} and its payloads were encrypted for "
            f"{encrypted_for}; they are decrypted here."
        )
    if encrypted_for:
        return (
            f"The payloads of {file_name} were encrypted for {encrypted_for}; they are "
            "decrypted here, and saving must not write them over the file in plain text."
        )
    return f"{file_name} was signed{signer}."


def _give_mnemonics(dialog: QWidget, reserved: set[str]) -> None:
    """An underlined letter on every button and field label of the dialog that has none,
    none of them twice (letters already given, and `reserved` ones, are kept)."""
    from PySide6.QtWidgets import QAbstractButton

    from editor.ui.mnemonics import plain, with_mnemonic

    def text_of(widget: QWidget) -> str:
        return widget.text() if isinstance(widget, QAbstractButton | QLabel) else ""

    wanting: list[QAbstractButton | QLabel] = []
    for widget in dialog.findChildren(QWidget):
        if isinstance(widget, QLabel):
            buddy = widget.buddy()
            target = buddy.focusProxy() or buddy if buddy is not None else None
            if target is None or target.focusPolicy() == Qt.FocusPolicy.NoFocus:
                continue  # only a field's label takes one: it moves the focus there
        if not isinstance(widget, QAbstractButton | QLabel) or not text_of(widget):
            continue
        if plain(widget.text()) == "Cancel":
            continue  # Escape cancels
        wanting.append(widget)
    taken = set(reserved) | {
        w.text()[w.text().index("&") + 1].lower()
        for w in wanting
        if "&" in w.text() and w.text().index("&") + 1 < len(w.text())
    }
    for widget in wanting:
        if "&" not in widget.text():
            widget.setText(with_mnemonic(widget.text(), taken))


# --- signers OpenSSL refuses ----------------------------------------------------------------


SIGN_ANYWAY = "Sign An&yway"  # Y: a letter the dialogs' other choices leave free


class PurposeWarning(QLabel):
    """Said before signing: OpenSSL's default check refuses this signer ("unsuitable
    certificate purpose"), and how to mend it. While it shows, the dialog's accept button
    reads Sign Anyway: pressing it again signs with that certificate all the same."""

    def __init__(self, button: QPushButton, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("purposeWarning")
        self.setAccessibleName("Signing certificate warning")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet(
            f"#purposeWarning {{ background: {BANNER_STYLE['warning']}; "
            "border-radius: 4px; padding: 6px; }"
        )
        self.button = button
        self.button_text = button.text()
        self.warned: Any = None  # the certificate warned about, once on screen
        self.hide()

    def holds(self, identity: Identity) -> bool:
        """Whether signing waits: True the first time a refused signer is chosen (the
        warning is now on screen), False when it is fine or was warned about already."""
        from editor.core.signing import openssl_purpose_refusals, purpose_warning

        refusals = openssl_purpose_refusals(identity.certificate, identity.chain)
        if not refusals or self.warned == identity.certificate:
            return False
        self.warned = identity.certificate
        self.setText(f"⚠ {purpose_warning(refusals)}")
        self.show()
        self.button.setText(SIGN_ANYWAY)
        _grow_to_fit(self.window())
        return True

    def withdraw(self) -> None:
        """Another identity, or no signing: the warning no longer applies."""
        if self.warned is None:
            return
        self.warned = None
        self.hide()
        self.button.setText(self.button_text)


def _grow_to_fit(dialog: QWidget) -> None:
    """Taller when a message appears, so that nothing else is squeezed (never narrower)."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = dialog.width()
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else 0
    dialog.resize(width, max(dialog.height(), height, layout.totalMinimumSize().height()))


# --- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    fmt: str  # "xml" or "binary"
    identity: Identity | None
    recipient: Any  # an x509.Certificate or None


class ExportDialog(QDialog):
    """Export a copy: plain, signed, encrypted for a device, or signed and encrypted."""

    def __init__(
        self,
        settings: QSettings,
        default_path: Path,
        error_count: int,
        parent: QWidget | None,
        prompt: PassphrasePrompt | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Signed or Encrypted Profile")
        self.setMinimumWidth(620)
        self.settings = settings
        self.prompt = prompt or (lambda what: ask_passphrase(self, what))
        self.request: ExportRequest | None = None
        layout = QVBoxLayout(self)
        target = QFormLayout()
        self.path_edit = QLineEdit(str(default_path), self)
        self.path_edit.setAccessibleName("Export to file")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        target.addRow("Export to:", row)
        self.format_combo = QComboBox(self)
        self.format_combo.setAccessibleName("Plist format")
        self.format_combo.addItem("XML", "xml")
        self.format_combo.addItem("Binary", "binary")
        target.addRow("Format:", self.format_combo)
        layout.addLayout(target)

        self.sign_box = QCheckBox("Sign the profile (CMS, SHA-256, chain included)", self)
        self.sign_box.setChecked(True)
        layout.addWidget(self.sign_box)
        self.picker = IdentityPicker(settings, self, "Signing identity")
        layout.addWidget(self.picker)
        self.sign_box.toggled.connect(self.picker.setEnabled)

        self.encrypt_box = QCheckBox(
            "Encrypt the payloads for one device (its RSA certificate)", self
        )
        layout.addWidget(self.encrypt_box)
        self.recipient_row = _PathRow("Device certificate", CERTIFICATE_FILTER, self)
        self.recipient_row.edit.setText(app_settings.RECIPIENT.read(settings))
        self.recipient_row.setEnabled(False)
        recipient_form = QFormLayout()
        recipient_form.addRow("Device certificate:", self.recipient_row)
        layout.addLayout(recipient_form)
        self.encrypt_box.toggled.connect(self.recipient_row.setEnabled)

        self.gate = QLabel(self)
        self.gate.setWordWrap(True)
        if error_count:
            self.gate.setText(
                f"⚠ The profile has {error_count} error(s); a device is likely to refuse it. "
                "It will be exported anyway if you go on."
            )
        else:
            self.gate.hide()
        layout.addWidget(self.gate)
        self.error = QLabel(self)
        self.error.setObjectName("inlineProblem")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons, export = ok_cancel_buttons(self, "Export")
        layout.addWidget(buttons)
        self.purpose = PurposeWarning(export, self)
        layout.insertWidget(layout.indexOf(self.picker) + 1, self.purpose)
        self.picker.changed.connect(self.purpose.withdraw)
        self.sign_box.toggled.connect(self.purpose.withdraw)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export profile", self.path_edit.text(), "Profiles (*.mobileconfig)"
        )
        if name:
            self.path_edit.setText(name)

    def accept(self) -> None:
        from editor.core.encryption import EncryptionError, load_recipient
        from editor.core.signing import SigningError

        path_text = self.path_edit.text().strip()
        if not path_text:
            self._fail("Choose where to export the profile.")
            return
        if not (self.sign_box.isChecked() or self.encrypt_box.isChecked()):
            self._fail("Choose signing, encryption or both (Save As writes a plain copy).")
            return
        identity = recipient = None
        try:
            if self.encrypt_box.isChecked():
                if not self.recipient_row.text():
                    self._fail("Choose the device certificate to encrypt for.")
                    return
                recipient = load_recipient(self.recipient_row.text())
                app_settings.RECIPIENT.write(self.settings, self.recipient_row.text())
            if self.sign_box.isChecked():
                if not self.picker.is_complete():
                    self._fail("Choose the signing identity's files.")
                    return
                identity = self.picker.load(self.prompt)
        except PassphraseCancelledError:
            return
        except (SigningError, EncryptionError) as exc:
            self._fail(str(exc))
            return
        if identity is not None and self.purpose.holds(identity):
            self.error.hide()
            return
        self.request = ExportRequest(
            Path(path_text), str(self.format_combo.currentData()), identity, recipient
        )
        super().accept()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


# --- PKCS#12 payloads ---------------------------------------------------------------------


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


class Pkcs12Notice(QFrame):
    """Above a PKCS#12 payload's form: the validation engine's verdict on the identity
    (whether a device can open it), with a re-encode button when the file uses
    algorithms iOS cannot read. Updated in place on every edit."""

    reencode_requested = Signal()

    def __init__(
        self, inspection: Pkcs12Inspection, problems: list[Problem], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pkcs12Notice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        layout.addWidget(self.text, 1)
        self.button = QPushButton("Re-encode for iOS", self)
        self.button.setToolTip(
            "Rewrite the PKCS#12 with the older algorithms iOS reads (3DES, SHA-1 MAC); "
            "the key and certificates stay the same."
        )
        self.button.clicked.connect(self.reencode_requested.emit)
        layout.addWidget(self.button)
        self.level = "ok"
        self.show_verdict(inspection, problems)

    def show_verdict(self, inspection: Pkcs12Inspection, problems: list[Problem]) -> None:
        """`problems`: what the engine says about this payload's PKCS#12 and password."""
        self.inspection = inspection
        if problems:
            worst = min(problems, key=lambda p: p.severity.rank)
            level = {"error": "error", "warning": "warning"}.get(worst.severity.value, "info")
            message = " ".join(_sentence(p.message) for p in problems)
        elif inspection.error is None:
            level, message = "ok", "This PKCS#12 uses algorithms iOS and macOS can read."
            if inspection.password_ok is None:
                message += " (The payload holds no password, so only the structure was checked.)"
        else:
            level, message = "info", f"The PKCS#12 data could not be read here: {inspection.error}"
        self.button.setVisible(inspection.error is None and inspection.needs_reencoding)
        self.level = level
        self.text.setText(message)
        self.setStyleSheet(
            f"#pkcs12Notice {{ background: {BANNER_STYLE[level]}; border-radius: 4px; }}"
        )


__all__ = [
    "ExportDialog",
    "ExportRequest",
    "IdentityDialog",
    "IdentityPicker",
    "PassphraseCancelledError",
    "Pkcs12Notice",
    "PurposeWarning",
    "SaveAgainChoice",
    "SaveAgainDialog",
    "SignatureBanner",
    "SignatureCheck",
    "SignatureDetailsDialog",
    "TrustAnchorsDialog",
    "ask_passphrase",
    "check_signature",
    "remembered_identity",
    "signature_headline",
    "trust_paths",
]
