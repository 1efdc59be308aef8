"""Signatures, encryption and PKCS#12 identities in the editor window.

Kept apart from the main window (which keeps the layout and a few lines of wiring):
- the signature banner's state: the check of the signature the file came with (against
  the remembered trust anchors), voided by an edit and restored by undo, and the
  encrypted payloads with what opens them;
- Security ▸ Signature Details…, Trust Anchors…, Decrypt Payloads… and File ▸ Export
  Signed or Encrypted… (also in Security);
- what a save of a signed or decrypted profile does: sign again, encrypt again for the
  same device, or neither (`plan_save`, `wrapper`, `saved`);
- the notice above a PKCS#12 payload's form and its Re-encode for iOS.
All cryptography is the core's (signing, encryption, export); the dialogs are in
editor.ui.dialogs.signing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from editor.app.flows.base import WindowFlow
from editor.core import payload_types
from editor.core.errors import EditorError
from editor.core.model import KeyPath
from editor.core.validation.problems import Severity
from editor.session import settings as app_settings

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from editor.app.main_window import MainWindow
    from editor.core.signing import Identity

    # Dialogs load when first used: the window shows sooner.
    from editor.ui.dialogs.signing import (
        ExportDialog,
        ExportRequest,
        IdentityDialog,
        Pkcs12Notice,
        SaveAgainDialog,
        SignatureCheck,
    )


def install(window: MainWindow, file_menu: QMenu, security_menu: QMenu) -> SigningFlow:
    """Add the signing and encryption actions to the menus and take over the banner."""
    flow = SigningFlow(window)
    file_menu.addAction(flow.export_action)
    security_menu.addActions(
        [flow.verify_action, flow.trust_action, flow.decrypt_action, flow.export_action]
    )
    return flow


@dataclass(frozen=True)
class SavePlan:
    """What a save does besides writing the plist."""

    identity: Identity | None = None  # sign with it
    recipient: Any = None  # encrypt the payloads for this certificate
    save_as: bool = False  # not here: save the decrypted profile under a new name


def _signing() -> ModuleType:
    """The signing dialogs and checks, loaded on first use (they pull in more code)."""
    from editor.ui.dialogs import signing as signing_ui

    return signing_ui


class SigningFlow(WindowFlow):
    """What a window does with signatures, encrypted payloads and PKCS#12 identities."""

    decryption_changed = Signal()  # the title says "(decrypted)" or no longer does

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        document = window.document
        # the undo index at which the file's signature still covers the document
        self._signed_index: int | None = 0 if document.profile.signature else None
        self.signature_check: SignatureCheck | None = None
        # (the encrypted file, the certificate whose key decrypted it) once decrypted here;
        # saving over that file then asks before writing the payloads in plain text
        self.decrypted_from: tuple[Path, Any] | None = None
        self._decrypt_hint: tuple[object, str] | None = None  # (envelope, what opens it)
        self.pkcs12_notice: Pkcs12Notice | None = None
        self._pkcs12_inspected: tuple[object, Any] | None = None  # (data and password, result)
        self._notice_path: KeyPath = ()
        self._passphrases: dict[str, str] = {}  # PKCS#12 passwords given this session, by UUID
        self.export_action = self._action(
            "&Export Signed or Encrypted…",
            self.export_dialog,
            "Write a signed and/or encrypted copy of the profile",
        )
        self.export_action.setShortcut("Ctrl+Shift+E")
        self.verify_action = self._action(
            "&Signature Details…",
            self.show_signature_details,
            "Check the signature the file was opened with",
        )
        self.trust_action = self._action(
            "&Trust Anchors…",
            self.edit_trust_anchors,
            "CA certificates signatures are checked against",
        )
        self.decrypt_action = self._action(
            "&Decrypt Payloads…",
            self.decrypt_payloads,
            "Open encrypted payloads with the device identity",
        )
        window.banner.details_requested.connect(self.show_signature_details)
        window.banner.trust_requested.connect(self.edit_trust_anchors)
        window.banner.decrypt_requested.connect(self.decrypt_payloads)
        document.undo_stack.indexChanged.connect(self.update_banner)
        document.problems_changed.connect(self._refresh_pkcs12_notice)
        self.verify_signature()

    def _action(self, text: str, slot: Callable[[], Any], tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # --- the signature the file came with -----------------------------------------------
    def verify_signature(self) -> None:
        """Check the signature the file came with (against the remembered trust anchors)."""
        envelope = self.document.profile.signature
        self.signature_check = (
            _signing().check_signature(envelope.der, self.window.settings)
            if envelope is not None
            else None
        )
        self.update_banner()

    def update_banner(self) -> None:
        banner = self.window.banner
        if self.document.profile.is_encrypted:
            level, signed = "info", ""
            if self.signature_check is not None:  # signed and encrypted: say both
                level, signed = _signing().signature_headline(self.signature_check)
                level = "info" if level == "ok" else level
                signed += " "
            banner.show_message(
                level,
                f"{signed}The payloads are encrypted; only the outer keys are shown. To edit "
                f"them, decrypt with {self._what_decrypts()}.",
                details=self.signature_check is not None,
                decrypt=True,
            )
            return
        check = self.signature_check
        if check is None:
            banner.hide()
            return
        if not shiboken6.isValid(self.document.undo_stack):
            return  # the document is being torn down
        if self._signed_index != self.document.undo_stack.index():
            banner.show_message(
                "warning",
                "Edited since it was signed: the signature no longer applies. Saving offers "
                "to sign again.",
                details=True,
            )
            return
        level, text = _signing().signature_headline(check)
        banner.show_message(level, text, details=True)

    def _what_decrypts(self) -> str:
        """Which private key opens the payloads. The banner asks on every edit, so the
        envelope is read once per envelope, not once per keystroke."""
        from editor.core.encryption import encryption_info

        envelope = self.document.profile.root.get("EncryptedPayloadContent")
        if self._decrypt_hint is None or self._decrypt_hint[0] is not envelope:
            info = encryption_info(self.document.profile.root, self.document.display_name)
            self._decrypt_hint = (envelope, info.needed.removeprefix("to read the payloads, "))
        return self._decrypt_hint[1]

    def show_signature_details(self) -> None:
        if self.document.profile.signature is not None:
            self.verify_signature()  # on request: check again (anchors or the clock may differ)
        if self.signature_check is None:
            QMessageBox.information(
                self.window, "Signature", f"{self.document.display_name} is not signed."
            )
            return
        _signing().SignatureDetailsDialog(
            self.signature_check, self.document.display_name, self.window
        ).exec()

    def edit_trust_anchors(self) -> None:
        settings = self.window.settings
        dialog = _signing().TrustAnchorsDialog(_signing().trust_paths(settings), self.window)
        if dialog.exec():
            app_settings.TRUST_ANCHORS.write(settings, dialog.paths())
            self.verify_signature()

    # --- saving -------------------------------------------------------------------------
    def is_decrypted(self) -> bool:
        """Whether the payloads on screen were decrypted here from an encrypted file."""
        return self.decrypted_from is not None and not self.document.profile.is_encrypted

    def _saves_over_encrypted(self, path: Path) -> bool:
        """Would this save write decrypted payloads over the encrypted file they came from?"""
        if self.decrypted_from is None or self.document.profile.is_encrypted:
            return False
        source = self.decrypted_from[0]
        try:
            return path.exists() and os.path.samefile(source, path)
        except OSError:
            return source.resolve() == path.resolve()

    def plan_save(self, path: Path, chosen: SavePlan | None = None) -> SavePlan | None:
        """What a save to `path` does with the signature and the encryption the file had,
        asked in one dialog when there is anything to ask; None when the user cancels.
        `chosen`: the answer given before a Save As, used unless the new name is the
        encrypted file again (decrypted payloads never go over it unasked)."""
        over_encrypted = self._saves_over_encrypted(path)
        if chosen is not None and not over_encrypted:
            return chosen
        signed = self.document.profile.signature is not None
        if not (signed or over_encrypted):
            return SavePlan()
        recipient = self.decrypted_from[1] if over_encrypted and self.decrypted_from else None
        dialog = self.make_save_again_dialog(signed, recipient)
        if not dialog.exec() or dialog.choice is None:
            return None
        choice = dialog.choice
        return SavePlan(choice.identity, choice.recipient, choice.save_as)

    def make_save_again_dialog(self, signed: bool, recipient: Any) -> SaveAgainDialog:
        from editor.ui.dialogs.signing import SaveAgainDialog, short_name

        check = self.signature_check
        signer = None
        if check is not None and check.result is not None and check.result.signer is not None:
            signer = short_name(check.result.signer.subject)
        return SaveAgainDialog(
            self.window.settings,
            self.window,
            self.document.display_name,
            signed=signed,
            signed_by=signer,
            recipient=recipient,
        )

    def wrapper(self, plan: SavePlan, fmt: str) -> Callable[[bytes], bytes] | None:
        """What turns the saved plist into the file's bytes: encrypted first, then signed
        (core.export); None when the plist is written as it is."""
        identity, recipient = plan.identity, plan.recipient
        if identity is None and recipient is None:
            return None
        root = self.document.profile.root
        plist_format: Literal["xml", "binary"] = "binary" if fmt == "binary" else "xml"
        source = self.document.display_name

        def wrap(_plain: bytes) -> bytes:
            from editor.core.export import export_bytes

            return export_bytes(
                root,
                plist_format,
                identity=identity,
                recipients=[recipient] if recipient is not None else [],
                source=source,
            )

        return wrap

    def saved(self, path: Path, plan: SavePlan) -> str:
        """After a save: the document carries the new signature, or none. Returns what
        the status bar says."""
        encrypted = " encrypted" if plan.recipient is not None else ""
        if plan.identity is None:
            self.document.profile.signature = None
            self._signed_index = None
            self.signature_check = None
            message = f"Saved{encrypted} {path}"
        else:
            self._adopt_signature(path)
            message = f"Saved{encrypted} and signed {path}"
        self.update_banner()
        return message

    def _adopt_signature(self, path: Path) -> None:
        """After a signed save, the document carries the new signature."""
        from editor.core.cms import CMSError, unwrap_signed

        try:
            _content, envelope = unwrap_signed(path.read_bytes())
        except (OSError, CMSError):
            self.document.profile.signature = None
            self.signature_check = None
            return
        self.document.profile.signature = envelope
        self._signed_index = self.document.undo_stack.index()
        self.signature_check = _signing().check_signature(envelope.der, self.window.settings)

    def identity_dialog(self, title: str, explanation: str) -> IdentityDialog:
        """A factory, so tests can drive the dialog without a modal loop."""
        from editor.ui.dialogs.signing import IdentityDialog

        return IdentityDialog(self.window.settings, self.window, title, explanation)

    # --- export -------------------------------------------------------------------------
    def export_dialog(self) -> None:
        path = self.document.path
        stem = path.stem if path else "profile"
        folder = path.parent if path else Path(_last_dir(self.window))
        errors = sum(p.severity is Severity.ERROR for p in self.document.problems())
        dialog = self.make_export_dialog(folder / f"{stem}.signed.mobileconfig", errors)
        if dialog.exec() and dialog.request is not None:
            self.export(dialog.request)

    def make_export_dialog(self, default_path: Path, errors: int) -> ExportDialog:
        from editor.ui.dialogs.signing import ExportDialog

        return ExportDialog(self.window.settings, default_path, errors, self.window)

    def export(self, request: ExportRequest) -> bool:
        from editor.core.export import export_bytes
        from editor.core.plistio import write_atomic
        from editor.ui.busy import run_busy

        root, source = self.document.profile.root, self.document.display_name

        def work() -> None:  # off the UI thread: serializing and signing a large profile
            data = export_bytes(
                root,
                "binary" if request.fmt == "binary" else "xml",
                identity=request.identity,
                recipients=[request.recipient] if request.recipient is not None else [],
                source=source,
            )
            write_atomic(request.path, data)

        try:
            run_busy(f"Exporting {request.path.name}", work, self.window)
        except EditorError as exc:
            QMessageBox.critical(
                self.window,
                "Could not export",
                f"{request.path} was not written.\n\n{exc}",
            )
            return False
        done = " and ".join(
            word
            for word, used in (
                ("signed", request.identity is not None),
                ("encrypted", request.recipient is not None),
            )
            if used
        )
        self.window.statusBar().showMessage(f"Exported {done} copy to {request.path}", 6000)
        return True

    # --- decrypting ---------------------------------------------------------------------
    def decrypt_payloads(self) -> None:
        from editor.core.encryption import EncryptionError, decrypt_profile

        window, document = self.window, self.document
        if not document.profile.is_encrypted:
            QMessageBox.information(
                window, "Decrypt", f"The payloads of {document.display_name} are not encrypted."
            )
            return
        dialog = self.identity_dialog(
            "Decrypt Payloads",
            "The payloads are encrypted for one device. Choose the identity that holds "
            f"{self._what_decrypts()}.",
        )
        if not dialog.exec() or dialog.identity is None:
            return
        try:
            root = decrypt_profile(document.profile.root, dialog.identity, document.display_name)
        except EncryptionError as exc:
            QMessageBox.critical(window, "Cannot decrypt", str(exc))
            return
        document.replace_root(root, "Decrypt payloads")
        if document.path is not None:
            self.decrypted_from = (document.path, dialog.identity.certificate)
        self.update_banner()
        self.decryption_changed.emit()
        window.select_path(window.first_vpn_path() or ())

    # --- PKCS#12 payloads ---------------------------------------------------------------
    def make_pkcs12_notice(self, path: KeyPath, parent: QWidget) -> Pkcs12Notice | None:
        """The notice above a PKCS#12 payload's form (None for other nodes); the window
        places it and lets go of the one before."""
        self.pkcs12_notice = None
        verdict = self._pkcs12_verdict(path)
        if verdict is None:
            return None
        notice: Pkcs12Notice = _signing().Pkcs12Notice(*verdict, parent)
        notice.reencode_requested.connect(lambda: self.reencode_pkcs12(path))
        self.pkcs12_notice = notice
        self._notice_path = path
        return notice

    def _pkcs12_verdict(self, path: KeyPath) -> tuple[Any, list[Any]] | None:
        """The PKCS#12 payload's inspection and what the engine says about its identity
        (None for other nodes). The inspection is made again only for other data."""
        if len(path) != 2 or path[0] != "PayloadContent":
            return None
        payload = self.document.value(path)
        if not isinstance(payload, dict) or payload.get("PayloadType") != payload_types.PKCS12:
            return None
        key = (payload.get("PayloadContent"), payload.get("Password"))
        if self._pkcs12_inspected is None or self._pkcs12_inspected[0] != key:
            from editor.core.encryption import inspect_pkcs12_payload

            inspection = inspect_pkcs12_payload(payload)
            if inspection is None:
                return None
            self._pkcs12_inspected = (key, inspection)
        # about the data, or about the password opening it (not: "stored in clear text")
        problems = [
            p
            for p in self.document.problems_under(path)
            if len(p.path) > 2 and (p.path[2] == "PayloadContent" or p.code == "pkcs12")
        ]
        return self._pkcs12_inspected[1], problems

    def _refresh_pkcs12_notice(self) -> None:
        """After every edit: the notice says what the engine says now."""
        if self.pkcs12_notice is None or not shiboken6.isValid(self.pkcs12_notice):
            return
        verdict = self._pkcs12_verdict(self._notice_path)
        if verdict is not None:
            self.pkcs12_notice.show_verdict(*verdict)

    def remember_passphrase(self, uuid: str, password: str) -> None:
        """A PKCS#12 payload's password given elsewhere (Add Certificate): Re-encode for
        iOS need not ask again. Kept in memory only, for this window."""
        self._passphrases[uuid] = password

    def reencode_pkcs12(self, path: KeyPath) -> bool:
        from editor.core.encryption import EncryptionError, reencode_pkcs12_payload

        payload = self.document.value(path)
        if not isinstance(payload, dict):
            return False
        password: str | None = None
        uuid = str(payload.get("PayloadUUID", ""))
        if not isinstance(payload.get("Password"), str):
            password = self._passphrases.get(uuid)  # given earlier in this session
        if not isinstance(payload.get("Password"), str) and password is None:
            secret = _signing().ask_passphrase(self.window, "the PKCS#12 in this payload")
            if secret is None:
                return False
            password = secret.decode()
        try:
            updated = reencode_pkcs12_payload(payload, password)
        except EncryptionError as exc:
            QMessageBox.critical(self.window, "Cannot re-encode", str(exc))
            return False
        if password is not None:
            self.remember_passphrase(uuid, password)
        self.document.set_value((*path, "PayloadContent"), updated["PayloadContent"])
        self.window.show_form_again()
        self.window.statusBar().showMessage("The PKCS#12 was re-encoded for iOS", 5000)
        return True


def _last_dir(window: MainWindow) -> str:
    return app_settings.LAST_DIRECTORY.read(window.settings)
