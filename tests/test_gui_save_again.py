"""Saving a signed or decrypted profile: one dialog (SaveAgainDialog), driven with real
keys (gui_driver), the saved file checked with the openssl command.

Every test counts the top-level dialogs that show while it saves: signing again with a
remembered identity, typing its passphrase or choosing to encrypt again never opens a
second one.
"""

from __future__ import annotations

import plistlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from helpers.gui import DialogRecorder, open_window, pem_identity_dialog
from helpers.gui_driver import WindowDriver
from helpers.pki import PASSPHRASE, Pki, build_pki, make_p12, needs_openssl, openssl, signed_file
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile
from helpers.signers import EKU, SIGNS, make_signer
from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from editor.app.main_window import MainWindow
from editor.core.encryption import decrypt_profile, encrypt_profile
from editor.core.model import Profile
from editor.core.plistio import serialize_plist
from editor.core.schema import Schema
from editor.core.signing import load_pem_identity
from editor.session import settings as app_settings
from editor.session.document import Document
from editor.ui.dialogs import signing as signing_ui
from editor.ui.dialogs.signing import SaveAgainDialog

pytestmark = [pytest.mark.usefixtures("isolated_settings"), needs_openssl]

REMOTE = ("PayloadContent", 0, "IKEv2", "RemoteAddress")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return build_pki(tmp_path_factory.mktemp("pki-save-again"))


def remember_pem(key: Path, cert: Path, chain: Path) -> None:
    """The identity a person signed with last time (paths only, as the editor keeps it)."""
    settings = QSettings()
    settings.setValue(app_settings.IDENTITY_KIND.key, "pem")
    settings.setValue(app_settings.IDENTITY_KEY.key, str(key))
    settings.setValue(app_settings.IDENTITY_CERTIFICATE.key, str(cert))
    settings.setValue(app_settings.IDENTITY_CHAIN.key, [str(chain)])


def remember_leaf(pki: Pki) -> None:
    remember_pem(pki.path("leaf.key"), pki.path("leaf.pem"), pki.path("intermediate.pem"))


class DialogCounter(QObject):
    """Records every top-level dialog (message boxes, prompts, file dialogs) that shows."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Show and isinstance(watched, QDialog) and watched.isWindow():
            self.titles.append(watched.windowTitle())
        return False


@contextmanager
def counting_dialogs(recorder: DialogRecorder) -> Iterator[list[str]]:
    """The titles of the dialogs shown in the block, and the message boxes the test
    fixture answered in their place."""
    counter = DialogCounter()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(counter)
    shown: list[str] = []
    before = len(recorder.shown)
    try:
        yield shown
    finally:
        app.removeEventFilter(counter)
        shown.extend(counter.titles)
        shown.extend(title for _kind, title, _text in recorder.shown[before:])


def open_file(qtbot: Any, schema: Schema, path: Path) -> tuple[MainWindow, WindowDriver]:
    window = open_window(qtbot, Document(Profile.read(path), schema, path))
    return window, WindowDriver(qtbot, window)


def edit_remote_address(driver: WindowDriver, text: str) -> None:
    """Type a new server address into the VPN's form, as a person does."""
    driver.window.select_path(("PayloadContent", 0, "IKEv2"))
    driver.settle()
    driver.click_field("RemoteAddress")
    driver.select_all_and_type(text)


def verify_with_openssl(path: Path, pki: Pki, folder: Path) -> bytes:
    """The signed content, after `openssl cms -verify` with its default purpose check."""
    content = folder / "verified-content.plist"
    openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", str(path),
        "-CAfile", str(pki.path("root.pem")), "-out", str(content),
    )  # fmt: skip
    return content.read_bytes()


def the_save_again_dialog(dialog: QDialog) -> SaveAgainDialog:
    assert isinstance(dialog, SaveAgainDialog), dialog
    return dialog


# --- signed ------------------------------------------------------------------------------


def test_saving_a_signed_profile_signs_again_in_one_dialog(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    remember_leaf(pki)
    path = signed_file(pki, tmp_path)
    window, driver = open_file(qtbot, schema, path)
    edit_remote_address(driver, "vpn2.example.com")
    seen: list[str] = []

    def answer(dialog: QDialog) -> None:
        save_again = the_save_again_dialog(dialog)
        text = save_again.findChild(signing_ui.QLabel).text()
        seen.append(text)
        assert save_again.picker.cert_row.text() == str(pki.path("leaf.pem"))  # remembered
        assert not save_again.passphrase.isVisible()  # the key needs none
        assert save_again.encrypt_box is None  # the file was not encrypted
        driver.press(Qt.Key.Key_Return)

    with counting_dialogs(dialogs) as shown, driver.answering(answer):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert len(shown) == 1, shown
    assert "signed by Test Signer RSA" in seen[0]
    content = verify_with_openssl(path, pki, tmp_path)
    assert content == window.document.profile.to_bytes("xml")
    assert plistlib.loads(content)["PayloadContent"][0]["IKEv2"]["RemoteAddress"] == (
        "vpn2.example.com"
    )
    assert not window.isWindowModified()
    assert "Test Signer RSA" in window.banner.text.text()
    assert "no longer applies" not in window.banner.text.text()


def test_the_passphrase_is_typed_in_the_same_dialog(
    qtbot: Any,
    schema: Schema,
    pki: Pki,
    tmp_path: Path,
    dialogs: DialogRecorder,
    isolated_settings: Path,
) -> None:
    p12 = make_p12(pki, "save-again.p12")
    settings = QSettings()
    settings.setValue(app_settings.IDENTITY_KIND.key, "pkcs12")
    settings.setValue(app_settings.IDENTITY_PKCS12.key, str(p12))
    path = signed_file(pki, tmp_path)
    window, driver = open_file(qtbot, schema, path)
    edit_remote_address(driver, "vpn3.example.com")

    def answer(dialog: QDialog) -> None:
        save_again = the_save_again_dialog(dialog)
        assert driver.focused() is save_again.passphrase  # what is left to do
        driver.type("not the passphrase\n")
        assert save_again.isVisible() and "wrong passphrase" in save_again.error.text()
        assert driver.focused() is save_again.passphrase
        driver.select_all_and_type(f"{PASSPHRASE}\n")

    with counting_dialogs(dialogs) as shown, driver.answering(answer):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert len(shown) == 1, shown
    content = verify_with_openssl(path, pki, tmp_path)
    assert plistlib.loads(content)["PayloadContent"][0]["IKEv2"]["RemoteAddress"] == (
        "vpn3.example.com"
    )
    window.settings.sync()
    kept = "".join(p.read_text() for p in isolated_settings.rglob("*") if p.is_file())
    assert "save-again.p12" in kept and PASSPHRASE not in kept


def test_save_unsigned_with_the_keyboard(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    remember_leaf(pki)
    path = signed_file(pki, tmp_path)
    window, driver = open_file(qtbot, schema, path)
    edit_remote_address(driver, "vpn4.example.com")

    def answer(dialog: QDialog) -> None:
        save_again = the_save_again_dialog(dialog)
        driver.shortcut("Alt+U")  # Save unsigned (a mnemonic clicks after a moment)
        driver.qtbot.waitUntil(save_again.unsigned_radio.isChecked, timeout=2000)
        assert not save_again.picker.isEnabled()
        driver.press(Qt.Key.Key_Return)

    with counting_dialogs(dialogs) as shown, driver.answering(answer):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert len(shown) == 1, shown
    saved = path.read_bytes()
    assert saved.startswith(b"<?xml")
    assert plistlib.loads(saved)["PayloadContent"][0]["IKEv2"]["RemoteAddress"] == (
        "vpn4.example.com"
    )
    assert window.banner.isHidden()
    # unsigned now: the next save asks nothing
    edit_remote_address(driver, "vpn5.example.com")
    with counting_dialogs(dialogs) as shown:
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert shown == []


def test_cancel_leaves_the_signed_file_as_it_was(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    remember_leaf(pki)
    path = signed_file(pki, tmp_path)
    before = path.read_bytes()
    window, driver = open_file(qtbot, schema, path)
    edit_remote_address(driver, "vpn6.example.com")
    with (
        counting_dialogs(dialogs) as shown,
        driver.answering(lambda dialog: driver.press(Qt.Key.Key_Escape)),
    ):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert len(shown) == 1
    assert path.read_bytes() == before
    assert window.isWindowModified()


# --- encrypted ---------------------------------------------------------------------------


def encrypted_file(pki: Pki, folder: Path) -> Path:
    from cryptography import x509

    recipient = x509.load_pem_x509_certificate(pki.path("leaf.pem").read_bytes())
    path = folder / "device.mobileconfig"
    plain = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD).root
    path.write_bytes(serialize_plist(encrypt_profile(plain, [recipient]), "xml"))
    return path


def open_decrypted(
    qtbot: Any, schema: Schema, pki: Pki, path: Path
) -> tuple[MainWindow, WindowDriver]:
    window, driver = open_file(qtbot, schema, path)
    window.signing.identity_dialog = pem_identity_dialog(window, pki)  # type: ignore[method-assign]
    driver.click(window.banner.decrypt_button)
    assert "PayloadContent" in window.document.profile.root
    return window, driver


def test_saving_decrypted_payloads_encrypts_again_for_the_same_device(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    path = encrypted_file(pki, tmp_path)
    window, driver = open_decrypted(qtbot, schema, pki, path)
    edit_remote_address(driver, "vpn7.example.com")
    seen: list[str] = []

    def answer(dialog: QDialog) -> None:
        save_again = the_save_again_dialog(dialog)
        seen.append(save_again.findChild(signing_ui.QLabel).text())
        assert save_again.sign_box is None  # the file was not signed
        assert save_again.encrypt_radio.isChecked()
        assert "Test Signer RSA" in save_again.encrypt_radio.text()
        driver.press(Qt.Key.Key_Return)

    with counting_dialogs(dialogs) as shown, driver.answering(answer):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert len(shown) == 1, shown
    assert "encrypted for Test Signer RSA" in seen[0]
    saved = Profile.read(path).root
    assert "PayloadContent" not in saved and "EncryptedPayloadContent" in saved
    # the device's key opens it: with the editor's core, and with openssl
    identity = load_pem_identity(pki.path("leaf.key"), pki.path("leaf.pem"))
    opened = decrypt_profile(saved, identity)
    assert opened["PayloadContent"][0]["IKEv2"]["RemoteAddress"] == "vpn7.example.com"
    envelope = tmp_path / "envelope.der"
    envelope.write_bytes(saved["EncryptedPayloadContent"])
    plain = openssl(
        "cms", "-decrypt", "-binary", "-inform", "DER", "-in", str(envelope),
        "-inkey", str(pki.path("leaf.key")),
    ).stdout  # fmt: skip
    assert b"vpn7.example.com" in plain
    assert not window.isWindowModified()


def test_decrypted_payloads_go_to_a_new_name_and_never_over_the_encrypted_file(
    qtbot: Any,
    schema: Schema,
    pki: Pki,
    tmp_path: Path,
    dialogs: DialogRecorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = encrypted_file(pki, tmp_path)
    encrypted = path.read_bytes()
    _window, driver = open_decrypted(qtbot, schema, pki, path)
    edit_remote_address(driver, "vpn8.example.com")
    names = [str(path), str(tmp_path / "device.plain.mobileconfig")]
    # the file dialog: first the encrypted file itself, then a new name
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (names.pop(0), ""))
    )

    def save_decrypted(dialog: QDialog) -> None:
        save_again = the_save_again_dialog(dialog)
        driver.shortcut("Alt+D")
        driver.qtbot.waitUntil(save_again.decrypted_radio.isChecked, timeout=2000)
        assert save_again.save_button.text().replace("&", "") == "Save As…"
        driver.press(Qt.Key.Key_Return)

    # the encrypted file chosen as the new name: asked again, and cancelled
    with (
        counting_dialogs(dialogs) as shown,
        driver.answering(save_decrypted, lambda dialog: driver.press(Qt.Key.Key_Escape)),
    ):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert len(shown) == 2, shown
    assert path.read_bytes() == encrypted
    with driver.answering(save_decrypted):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert path.read_bytes() == encrypted
    written = plistlib.loads((tmp_path / "device.plain.mobileconfig").read_bytes())
    assert written["PayloadContent"][0]["IKEv2"]["RemoteAddress"] == "vpn8.example.com"


def test_signed_and_encrypted_says_both_and_does_both(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    from cryptography import x509

    from editor.core.export import export_bytes

    remember_leaf(pki)
    identity = load_pem_identity(
        pki.path("leaf.key"), pki.path("leaf.pem"), [pki.path("intermediate.pem")]
    )
    recipient = x509.load_pem_x509_certificate(pki.path("leaf.pem").read_bytes())
    path = tmp_path / "both.mobileconfig"
    root = make_profile(IKEV2_PAYLOAD).root
    path.write_bytes(export_bytes(root, identity=identity, recipients=[recipient]))
    _window, driver = open_decrypted(qtbot, schema, pki, path)
    seen: list[str] = []

    def answer(dialog: QDialog) -> None:
        save_again = the_save_again_dialog(dialog)
        seen.append(save_again.findChild(signing_ui.QLabel).text())
        assert save_again.sign_radio.isChecked() and save_again.encrypt_radio.isChecked()
        driver.press(Qt.Key.Key_Return)

    with counting_dialogs(dialogs) as shown, driver.answering(answer):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert len(shown) == 1, shown
    assert "signed by Test Signer RSA and its payloads were encrypted for" in seen[0]
    outer = plistlib.loads(verify_with_openssl(path, pki, tmp_path))
    assert "PayloadContent" not in outer
    opened = decrypt_profile(outer, identity)
    assert opened["PayloadContent"] == root["PayloadContent"]


# --- a signer OpenSSL refuses ---------------------------------------------------------------


def test_a_tls_client_certificate_is_warned_about_before_signing(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    tls = make_signer(
        tmp_path, "TLS Client Signer", pki.intermediate, _intermediate_key(pki),
        eku=[EKU.CLIENT_AUTH], usage=SIGNS,
    )  # fmt: skip
    remember_pem(tls.key_file, tls.cert_file, pki.path("intermediate.pem"))
    path = signed_file(pki, tmp_path)
    before = path.read_bytes()
    window, driver = open_file(qtbot, schema, path)
    edit_remote_address(driver, "vpn9.example.com")
    warned: list[str] = []

    def answer(dialog: QDialog) -> None:
        save_again = the_save_again_dialog(dialog)
        driver.press(Qt.Key.Key_Return)
        # not signed yet: the warning says why OpenSSL refuses and what to use instead
        assert save_again.isVisible() and path.read_bytes() == before
        assert save_again.purpose.isVisible()
        warned.append(save_again.purpose.text())
        assert save_again.save_button.text().replace("&", "") == "Sign Anyway"
        assert driver.focused() is save_again.save_button
        driver.press(Qt.Key.Key_Return)  # Sign Anyway

    with counting_dialogs(dialogs) as shown, driver.answering(answer):
        driver.shortcut(QKeySequence.StandardKey.Save)
    assert len(shown) == 1, shown
    assert "unsuitable certificate purpose" in warned[0] and "clientAuth" in warned[0]
    assert "emailProtection" in warned[0]
    # signed as asked; OpenSSL's default check refuses it, as the warning said
    check = tmp_path / "check.der"
    check.write_bytes(path.read_bytes())
    refused = openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", str(check),
        "-CAfile", str(pki.path("root.pem")), "-out", str(tmp_path / "c.plist"), check=False,
    )  # fmt: skip
    assert refused.returncode != 0
    assert b"unsuitable certificate purpose" in refused.stderr
    assert not window.isWindowModified()


def test_export_warns_about_the_signer_and_signs_anyway(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    tls = make_signer(
        tmp_path, "No Signing Usage", pki.intermediate, _intermediate_key(pki),
        eku=[EKU.EMAIL_PROTECTION], usage={"key_encipherment": True},
    )  # fmt: skip
    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD), schema))
    driver = WindowDriver(qtbot, window)
    target = tmp_path / "exported.mobileconfig"

    def export(dialog: QDialog) -> None:
        assert isinstance(dialog, signing_ui.ExportDialog)
        driver.click(dialog.path_edit)
        driver.select_all_and_type(str(target))
        driver.click(dialog.picker.pem_radio)
        picker = dialog.picker
        for row, file in (
            (picker.key_row, tls.key_file),
            (picker.cert_row, tls.cert_file),
            (picker.chain_row, pki.path("intermediate.pem")),
        ):
            driver.click(row.edit)
            driver.type(str(file))
        driver.press(Qt.Key.Key_Return)
        assert dialog.isVisible() and not target.exists()
        assert "digitalSignature" in dialog.purpose.text() and dialog.purpose.isVisible()
        assert dialog.purpose.button.text().replace("&", "") == "Sign Anyway"
        driver.press(Qt.Key.Key_Return)  # Sign Anyway

    with counting_dialogs(dialogs) as shown, driver.answering(export):
        driver.shortcut("Ctrl+Shift+E")
    assert len(shown) == 1, shown
    assert target.exists()
    accepted = openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", str(target),
        "-CAfile", str(pki.path("root.pem")), "-purpose", "any", "-out",
        str(tmp_path / "c.plist"),
    )  # fmt: skip
    assert accepted.returncode == 0


def _intermediate_key(pki: Pki) -> Any:
    """The throwaway PKI's intermediate key (build_pki writes it beside the certificates)."""
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pki.path("intermediate.key").read_bytes(), None)
