"""The editor's signature banner, sign-again on save, export, decryption and PKCS#12 check.

OpenSSL checks what the editor writes; the throwaway PKI comes from test_signing.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from helpers.gui import DialogRecorder, open_window, pem_identity_dialog, run_modal_by_accepting
from helpers.pki import PASSPHRASE, Pki, build_pki, make_p12, needs_openssl, openssl, signed_file
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QInputDialog

from editor.app.flows.signing import SigningFlow
from editor.app.main_window import MainWindow
from editor.core.encryption import decrypt_profile, encrypt_profile, inspect_pkcs12_payload
from editor.core.model import Profile
from editor.core.plistio import serialize_plist
from editor.core.schema import Schema
from editor.core.signing import load_pem_identity, verify_profile
from editor.session import settings as app_settings
from editor.session.document import Document
from editor.ui.dialogs.signing import (
    ExportDialog,
    IdentityDialog,
    SaveAgainDialog,
    short_name,
)

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return build_pki(tmp_path_factory.mktemp("pki-gui"))


@pytest.fixture
def passphrases(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answers every passphrase prompt with the PKI's passphrase; records what was asked."""
    asked: list[str] = []

    def get_text(_parent: Any, _title: str, label: str, *_args: Any) -> tuple[str, bool]:
        asked.append(label)
        return PASSPHRASE, True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    return asked


def open_file(qtbot: Any, schema: Schema, path: Path) -> MainWindow:
    return open_window(qtbot, Document(Profile.read(path), schema, path))


# --- banner on open -------------------------------------------------------------


def test_corpus_signed_profile_shows_its_expired_signer(
    qtbot: Any, schema: Schema, corpus_dir: Path
) -> None:
    window = open_file(
        qtbot, schema, corpus_dir / "designdeveloperr-ikev2__ios.signed.mobileconfig"
    )
    assert not window.banner.isHidden()
    assert window.banner.level == "warning"
    assert "expired" in window.banner.text.text()
    assert "treat the profile as unsigned" in window.banner.text.text()
    check = window.signing.signature_check
    assert check is not None and check.result is not None and check.result.signer is not None
    assert "Apple Distribution" in check.result.signer.subject
    assert short_name(check.result.signer.subject) in window.banner.text.text()


def test_trusted_untrusted_and_altered_signatures(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path
) -> None:
    path = signed_file(pki, tmp_path)
    untrusted = open_file(qtbot, schema, path)
    assert untrusted.banner.level == "warning"
    assert "Trust Anchors" in untrusted.banner.text.text()
    assert untrusted.banner.trust_button.isVisibleTo(untrusted)

    QSettings().setValue(app_settings.TRUST_ANCHORS.key, [str(pki.path("root.pem"))])
    trusted = open_file(qtbot, schema, path)
    assert trusted.banner.level == "ok", trusted.banner.text.text()
    assert "Test Signer RSA" in trusted.banner.text.text()

    QSettings().setValue(app_settings.TRUST_ANCHORS.key, [str(pki.path("other-root.pem"))])
    wrong_anchor = open_file(qtbot, schema, path)
    assert wrong_anchor.banner.level == "warning"
    assert "does not reach" in wrong_anchor.banner.text.text()

    data = bytearray(path.read_bytes())
    spot = data.index(b"vpn.example.com")
    data[spot] ^= 0x01
    altered = tmp_path / "altered.mobileconfig"
    altered.write_bytes(bytes(data))
    tampered = open_file(qtbot, schema, altered)
    assert tampered.banner.level == "error"
    assert "altered" in tampered.banner.text.text()


def test_details_dialog_lists_signer_and_chain(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from editor.ui.dialogs import signing as signing_ui

    window = open_file(qtbot, schema, signed_file(pki, tmp_path))
    shown: list[signing_ui.SignatureDetailsDialog] = []
    monkeypatch.setattr(
        signing_ui.SignatureDetailsDialog, "exec", lambda self: shown.append(self) or 0
    )
    window.banner.details_button.click()
    assert len(shown) == 1
    texts = " ".join(label.text() for label in shown[0].findChildren(signing_ui.QLabel))
    assert "Test Signer RSA" in texts and "Test Intermediate CA" in texts
    chain = shown[0].findChildren(signing_ui.QListWidget)[0]
    assert chain.item(0).text().endswith("Test Signer RSA")


def test_editing_voids_the_signature_and_undo_restores_it(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path
) -> None:
    QSettings().setValue(app_settings.TRUST_ANCHORS.key, [str(pki.path("root.pem"))])
    window = open_file(qtbot, schema, signed_file(pki, tmp_path))
    assert window.banner.level == "ok"
    window.document.set_value(("PayloadDisplayName",), "Changed")
    assert window.banner.level == "warning"
    assert "no longer applies" in window.banner.text.text()
    window.undo_action.trigger()
    assert window.banner.level == "ok"


# --- saving a signed profile -------------------------------------------------------------


def remember_leaf_identity(window: MainWindow, pki: Pki) -> None:
    """The identity signed with last time (paths only, as the editor keeps them)."""

    window.settings.setValue(app_settings.IDENTITY_KIND.key, "pem")
    window.settings.setValue(app_settings.IDENTITY_KEY.key, str(pki.path("leaf.key")))
    window.settings.setValue(app_settings.IDENTITY_CERTIFICATE.key, str(pki.path("leaf.pem")))
    window.settings.setValue(app_settings.IDENTITY_CHAIN.key, [str(pki.path("intermediate.pem"))])


def answer_save_again(window: MainWindow, choose: Any, asked: list[SaveAgainDialog]) -> None:
    """The Save dialog of a signed profile is answered at once: `choose(dialog)` picks,
    and returns whether to press Save (else Cancel). Real keys drive it in
    test_gui_save_again; here the save's outcome is what is checked."""
    plain_factory = window.signing.make_save_again_dialog

    def factory(signed: bool, recipient: Any) -> SaveAgainDialog:
        dialog = plain_factory(signed, recipient)

        def exec_() -> int:
            asked.append(dialog)
            if choose(dialog):
                dialog.accept()
            else:
                dialog.reject()
            return dialog.result()

        dialog.exec = exec_  # type: ignore[method-assign]
        return dialog

    window.signing.make_save_again_dialog = factory  # type: ignore[method-assign]


@needs_openssl
def test_saving_a_signed_profile_signs_again(
    qtbot: Any,
    schema: Schema,
    pki: Pki,
    tmp_path: Path,
    dialogs: DialogRecorder,
    isolated_settings: Path,
) -> None:
    window = open_file(qtbot, schema, signed_file(pki, tmp_path))
    remember_leaf_identity(window, pki)
    asked: list[SaveAgainDialog] = []
    answer_save_again(window, lambda dialog: True, asked)  # Save: sign again
    window.document.set_value(("PayloadContent", 0, "IKEv2", "RemoteAddress"), "vpn2.example.com")
    target = tmp_path / "resigned.mobileconfig"
    assert window._save_to(target, "xml")
    assert len(asked) == 1 and asked[0].sign_radio.isChecked()
    assert dialogs.shown == []
    # OpenSSL verifies it with only the root, and the signed bytes are exactly the profile
    content = tmp_path / "content.plist"
    openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", str(target),
        "-CAfile", str(pki.path("root.pem")), "-out", str(content),
    )  # fmt: skip
    assert content.read_bytes() == window.document.profile.to_bytes("xml")
    assert (
        Profile.parse(content.read_bytes()).root["PayloadContent"][0]["IKEv2"]["RemoteAddress"]
        == "vpn2.example.com"
    )
    # the document now carries the new signature and no unsaved changes
    assert not window.isWindowModified()
    assert "no longer applies" not in window.banner.text.text()
    assert "Test Signer RSA" in window.banner.text.text()
    # the identity's paths are remembered, never a passphrase
    window.settings.sync()
    settings_text = "".join(p.read_text() for p in isolated_settings.rglob("*") if p.is_file())
    assert "leaf.key" in settings_text


def test_saving_unsigned_when_the_user_says_so(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    window = open_file(qtbot, schema, signed_file(pki, tmp_path))
    asked: list[SaveAgainDialog] = []

    def unsigned(dialog: SaveAgainDialog) -> bool:
        dialog.unsigned_radio.setChecked(True)
        return True

    answer_save_again(window, unsigned, asked)
    target = tmp_path / "plain.mobileconfig"
    assert window._save_to(target, "xml")
    assert target.read_bytes().startswith(b"<?xml")
    assert window.banner.isHidden()
    window.document.set_value(("PayloadDisplayName",), "x")
    assert window._save_to(tmp_path / "other.mobileconfig", "xml")  # unsigned now: no question
    assert len(asked) == 1 and dialogs.shown == []


def test_cancel_leaves_the_file_alone(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    path = signed_file(pki, tmp_path)
    before = path.read_bytes()
    window = open_file(qtbot, schema, path)
    window.document.set_value(("PayloadDisplayName",), "Changed")
    asked: list[SaveAgainDialog] = []
    answer_save_again(window, lambda dialog: False, asked)  # Cancel
    assert not window._save_to(path, "xml")
    assert len(asked) == 1
    assert path.read_bytes() == before
    assert window.isWindowModified()


# --- export -------------------------------------------------------------


@needs_openssl
def test_export_signed_and_encrypted_with_a_p12(
    qtbot: Any,
    schema: Schema,
    pki: Pki,
    tmp_path: Path,
    passphrases: list[str],
    isolated_settings: Path,
) -> None:
    document = Document(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD), schema)
    window = open_window(qtbot, document)
    p12 = make_p12(pki, "gui-default.p12")
    target = tmp_path / "out.mobileconfig"
    dialog = ExportDialog(window.settings, target, 0, window)
    assert dialog.gate.isHidden()
    dialog.picker.p12_radio.setChecked(True)
    dialog.picker.p12_row.edit.setText(str(p12))
    dialog.encrypt_box.setChecked(True)
    dialog.recipient_row.edit.setText(str(pki.path("leaf.pem")))
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.request is not None
    assert len(passphrases) == 1 and "gui-default.p12" in passphrases[0]
    assert "Test Intermediate CA" in dialog.picker.chain_view.text()
    assert window.signing.export(dialog.request)
    # OpenSSL: the signature holds with only the root as trust
    content = tmp_path / "content.plist"
    openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", str(target),
        "-CAfile", str(pki.path("root.pem")), "-purpose", "any", "-out", str(content),
    )  # fmt: skip
    outer = Profile.parse(content.read_bytes()).root
    assert "PayloadContent" not in outer and outer["IsEncrypted"] is True
    # OpenSSL decrypts the payloads with the device key
    envelope = tmp_path / "envelope.der"
    envelope.write_bytes(outer["EncryptedPayloadContent"])
    plain = openssl(
        "cms", "-decrypt", "-binary", "-inform", "DER", "-in", str(envelope),
        "-inkey", str(pki.path("leaf.key")),
    ).stdout  # fmt: skip
    payloads = Profile.parse(
        b'<?xml version="1.0"?><plist version="1.0"><dict><key>P</key>'
        + plain.split(b'<plist version="1.0">', 1)[1].rsplit(b"</plist>", 1)[0]
        + b"</dict></plist>"
    ).root["P"]
    assert payloads == document.profile.root["PayloadContent"]
    window.settings.sync()
    settings_text = "".join(p.read_text() for p in isolated_settings.rglob("*") if p.is_file())
    assert PASSPHRASE not in settings_text and "gui-default.p12" in settings_text


def test_export_gate_and_refusals(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, passphrases: list[str]
) -> None:
    payload = copy.deepcopy(IKEV2_PAYLOAD)
    del payload["IKEv2"]["RemoteAddress"]
    window = open_window(qtbot, Document(make_profile(payload, PKCS12_PAYLOAD), schema))
    dialog = ExportDialog(window.settings, tmp_path / "x.mobileconfig", 1, window)
    assert not dialog.gate.isHidden() and "1 error" in dialog.gate.text()
    # an EC certificate cannot be an encryption recipient: the dialog says so and stays open
    dialog.sign_box.setChecked(False)
    dialog.encrypt_box.setChecked(True)
    dialog.recipient_row.edit.setText(str(pki.path("ec.pem")))
    dialog.accept()
    assert dialog.request is None and "RSA" in dialog.error.text()
    # a wrong key file names the file
    dialog.encrypt_box.setChecked(False)
    dialog.sign_box.setChecked(True)
    dialog.picker.pem_radio.setChecked(True)
    dialog.picker.key_row.edit.setText(str(pki.path("root.pem")))
    dialog.picker.cert_row.edit.setText(str(pki.path("leaf.pem")))
    dialog.accept()
    assert dialog.request is None and "root.pem" in dialog.error.text()
    assert not (tmp_path / "x.mobileconfig").exists()


def test_export_failure_keeps_the_old_file(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    from editor.ui.dialogs.signing import ExportRequest

    target = tmp_path / "old.mobileconfig"
    target.write_bytes(b"old")
    document = Document(make_profile(IKEV2_PAYLOAD), schema)
    document.profile.root["Huge"] = 2**70
    window = open_window(qtbot, document)
    identity = load_pem_identity(pki.path("leaf.key"), pki.path("leaf.pem"))
    assert not window.signing.export(ExportRequest(target, "binary", identity, None))
    assert target.read_bytes() == b"old"
    assert any(str(target) in text for text in dialogs.texts("critical"))


# --- decrypting -------------------------------------------------------------


def test_decrypt_on_request_and_undo(qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path) -> None:
    from cryptography import x509

    plain = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD).root
    recipient = x509.load_pem_x509_certificate(pki.path("leaf.pem").read_bytes())
    path = tmp_path / "encrypted.mobileconfig"
    path.write_bytes(serialize_plist(encrypt_profile(plain, [recipient]), "xml"))
    window = open_file(qtbot, schema, path)
    assert not window.banner.isHidden()
    assert window.banner.decrypt_button.isVisibleTo(window)
    assert window.start_panel is None  # the payloads are there, only encrypted
    assert "Test Intermediate CA" in window.banner.text.text()  # names the needed certificate
    window.signing.identity_dialog = pem_identity_dialog(window, pki)  # type: ignore[method-assign]
    window.banner.decrypt_button.click()
    assert window.document.profile.root["PayloadContent"] == plain["PayloadContent"]
    assert window.banner.isHidden()
    assert window.isWindowModified()
    assert window.form is not None and window.form.path == ("PayloadContent", 0)
    window.undo_action.trigger()
    assert "EncryptedPayloadContent" in window.document.profile.root
    assert not window.banner.isHidden()


def test_decrypt_with_the_wrong_identity_says_why(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    from cryptography import x509

    plain = make_profile(IKEV2_PAYLOAD).root
    recipient = x509.load_pem_x509_certificate(pki.path("leaf.pem").read_bytes())
    path = tmp_path / "encrypted.mobileconfig"
    path.write_bytes(serialize_plist(encrypt_profile(plain, [recipient]), "xml"))
    window = open_file(qtbot, schema, path)

    def wrong(title: str, explanation: str) -> IdentityDialog:
        dialog = IdentityDialog(window.settings, window, title, explanation)
        dialog.picker.pem_radio.setChecked(True)
        dialog.picker.key_row.edit.setText(str(pki.path("expired.key")))
        dialog.picker.cert_row.edit.setText(str(pki.path("expired.pem")))
        return run_modal_by_accepting(dialog)  # type: ignore[return-value]

    window.signing.identity_dialog = wrong  # type: ignore[method-assign]
    window.signing.decrypt_payloads()
    assert dialogs.texts("critical")
    assert "EncryptedPayloadContent" in window.document.profile.root
    assert not window.isWindowModified()


# --- PKCS#12 payloads -------------------------------------------------------------


@needs_openssl
def test_pkcs12_payload_from_openssl3_is_flagged_and_reencoded(
    qtbot: Any, schema: Schema, pki: Pki
) -> None:
    data = make_p12(pki, "gui-payload.p12").read_bytes()
    identity = dict(PKCS12_PAYLOAD, PayloadContent=data, Password=PASSPHRASE)
    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD, identity), schema))
    window.select_path(("PayloadContent", 1))
    notice = window.signing.pkcs12_notice
    assert notice is not None and notice.level == "warning"
    assert "iPhone" in notice.text.text() and not notice.button.isHidden()
    notice.button.click()
    fixed = window.document.value(("PayloadContent", 1))
    report = inspect_pkcs12_payload(fixed)
    assert report is not None and report.ios_compatible and report.password_ok
    assert window.signing.pkcs12_notice is not None and window.signing.pkcs12_notice.level == "ok"
    window.undo_action.trigger()
    assert window.document.value(("PayloadContent", 1, "PayloadContent")) == data


def test_no_pkcs12_notice_on_other_payloads(qtbot: Any, schema: Schema) -> None:
    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD), schema))
    window.select_path(("PayloadContent", 0))
    assert window.signing.pkcs12_notice is None


def test_round_trip_helpers_agree(pki: Pki) -> None:
    """The export helper's layers undo cleanly with the core's own readers."""
    from cryptography import x509

    from editor.core.export import export_bytes

    root = make_profile(IKEV2_PAYLOAD).root
    identity = load_pem_identity(pki.path("leaf.key"), pki.path("leaf.pem"))
    recipient = x509.load_pem_x509_certificate(pki.path("leaf.pem").read_bytes())
    plain = export_bytes(root, "binary")
    assert plain == serialize_plist(root, "binary")
    signed = export_bytes(root, "xml", identity=identity)
    result = verify_profile(signed)
    assert result.digest_ok and result.signature_ok and result.content == serialize_plist(root)
    both = export_bytes(root, "xml", identity=identity, recipients=[recipient])
    inner = Profile.parse(verify_profile(both).content or b"").root
    assert decrypt_profile(inner, identity)["PayloadContent"] == root["PayloadContent"]


def test_opening_an_encrypted_file_asks_for_the_identity(
    qtbot: Any, qapp: Any, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography import x509

    from editor.app.application import EditorApplication

    plain = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD).root
    recipient = x509.load_pem_x509_certificate(pki.path("leaf.pem").read_bytes())
    path = tmp_path / "encrypted.mobileconfig"
    path.write_bytes(serialize_plist(encrypt_profile(plain, [recipient]), "xml"))
    asked: list[str] = []

    def identity_dialog(self: SigningFlow, title: str, explanation: str) -> Any:
        asked.append(title)
        return pem_identity_dialog(self.window, pki)(title, explanation)

    monkeypatch.setattr(SigningFlow, "identity_dialog", identity_dialog)
    editor = EditorApplication(qapp)
    (window,) = editor.open_paths([str(path)])
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "PayloadContent" in window.document.profile.root, timeout=5000)
    assert asked == ["Decrypt Payloads"]
    assert window.document.profile.root["PayloadContent"] == plain["PayloadContent"]


def test_signed_and_encrypted_file_shows_both(
    qtbot: Any, schema: Schema, pki: Pki, tmp_path: Path
) -> None:
    from cryptography import x509

    from editor.core.export import export_bytes

    root = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD).root
    identity = load_pem_identity(
        pki.path("leaf.key"), pki.path("leaf.pem"), [pki.path("intermediate.pem")]
    )
    recipient = x509.load_pem_x509_certificate(pki.path("leaf.pem").read_bytes())
    path = tmp_path / "both.mobileconfig"
    path.write_bytes(export_bytes(root, identity=identity, recipients=[recipient]))
    QSettings().setValue(app_settings.TRUST_ANCHORS.key, [str(pki.path("root.pem"))])
    window = open_file(qtbot, schema, path)
    text = window.banner.text.text()
    assert "Test Signer RSA" in text and "the chain is trusted" in text
    assert "encrypted" in text
    assert window.banner.decrypt_button.isVisibleTo(window)
    assert window.banner.details_button.isVisibleTo(window)
    window.signing.identity_dialog = pem_identity_dialog(window, pki)  # type: ignore[method-assign]
    window.banner.decrypt_button.click()
    assert window.document.profile.root["PayloadContent"] == root["PayloadContent"]
    assert "no longer applies" in window.banner.text.text()  # decrypting is an edit
