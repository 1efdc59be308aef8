"""Encrypted profiles and PKCS#12 payloads, with OpenSSL as the peer both ways."""

from __future__ import annotations

import copy
import io
import plistlib
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import assert_one_line_failure, run_cli
from helpers.pki import (
    PASSPHRASE,
    Pki,
    build_pki,
    has_legacy_provider,
    make_p12,
    needs_openssl,
    openssl,
)
from helpers.profiles import IKEV2_PAYLOAD, make_profile

from editor.core.encryption import (
    EncryptionError,
    decrypt_profile,
    encrypt_profile,
    encryption_info,
    inspect_pkcs12,
    inspect_pkcs12_payload,
    reencode_pkcs12_legacy,
    reencode_pkcs12_payload,
)
from editor.core.model import Profile
from editor.core.plistio import serialize_plist
from editor.core.signing import load_pem_identity, load_pkcs12_identity, verify_profile


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return build_pki(tmp_path_factory.mktemp("pki-encryption"))


def sample_root() -> dict[str, Any]:
    return make_profile(IKEV2_PAYLOAD, PayloadDescription="multi\r\nline").root


def rsa_identity(pki: Pki) -> Any:
    return load_pem_identity(pki.path("leaf.key"), pki.path("leaf.pem"))


# --- encrypted profiles -----------------------------------------------------------------------


def test_encrypt_keeps_outer_keys_readable(pki: Pki) -> None:
    root = sample_root()
    encrypted = encrypt_profile(root, [pki.leaf])
    assert "PayloadContent" not in encrypted
    assert encrypted["IsEncrypted"] is True
    assert isinstance(encrypted["EncryptedPayloadContent"], bytes)
    outer = [k for k in root if k != "PayloadContent"]
    assert [k for k in encrypted if k not in ("EncryptedPayloadContent", "IsEncrypted")] == outer
    assert list(encrypted).index("EncryptedPayloadContent") == list(root).index("PayloadContent")
    assert root["PayloadContent"]  # the input is not changed
    info = encryption_info(encrypted)
    assert info.cipher == "aes256_cbc"
    assert info.key_transport == ("rsaes_pkcs1v15",)
    assert [r.serial for r in info.recipients] == [pki.leaf.serial_number]
    assert "Test Intermediate CA" in info.needed
    assert "PayloadIdentifier" in info.outer_keys
    assert decrypt_profile(encrypted, rsa_identity(pki)) == root


@needs_openssl
def test_our_encryption_decrypts_in_openssl(pki: Pki, tmp_path: Path) -> None:
    root = sample_root()
    encrypted = encrypt_profile(root, [pki.leaf])
    envelope = tmp_path / "envelope.der"
    envelope.write_bytes(encrypted["EncryptedPayloadContent"])
    plain = tmp_path / "plain.plist"
    openssl(
        "cms", "-decrypt", "-inform", "DER", "-in", str(envelope), "-recip",
        str(pki.path("leaf.pem")), "-inkey", str(pki.path("leaf.key")), "-binary",
        "-out", str(plain),
    )  # fmt: skip
    data = plain.read_bytes()
    assert data == serialize_plist(root["PayloadContent"])  # type: ignore[arg-type]
    assert plistlib.loads(data) == root["PayloadContent"]


@needs_openssl
def test_openssl_encryption_decrypts_here(pki: Pki, tmp_path: Path) -> None:
    root = sample_root()
    plain = tmp_path / "payloads.plist"
    plain.write_bytes(plistlib.dumps(root["PayloadContent"]))
    envelope = tmp_path / "envelope.der"
    openssl(
        "cms", "-encrypt", "-binary", "-aes256", "-outform", "DER", "-in", str(plain),
        "-out", str(envelope), str(pki.path("leaf.pem")),
    )  # fmt: skip
    encrypted = {k: v for k, v in root.items() if k != "PayloadContent"}
    encrypted["EncryptedPayloadContent"] = envelope.read_bytes()
    encrypted["IsEncrypted"] = True
    decrypted = decrypt_profile(encrypted, rsa_identity(pki))
    assert decrypted["PayloadContent"] == root["PayloadContent"]
    assert "IsEncrypted" not in decrypted


@needs_openssl
@pytest.mark.parametrize(
    "extra",
    [
        ["-des3"],
        ["-aes192"],
        ["-aes256", "-keyid"],
        ["-aes128", "-keyopt", "rsa_padding_mode:oaep"],
    ],
)
def test_other_openssl_envelopes_decrypt_here(pki: Pki, tmp_path: Path, extra: list[str]) -> None:
    """Envelopes cryptography's CMS decryption refuses are read with asn1crypto."""
    root = sample_root()
    plain = tmp_path / "payloads.plist"
    plain.write_bytes(plistlib.dumps(root["PayloadContent"]))
    envelope = tmp_path / "envelope.der"
    recipient = str(pki.path("leaf.pem"))
    # -keyopt applies to the -recip before it
    tail = (
        [extra[0], "-recip", recipient, *extra[1:]] if "-keyopt" in extra else [*extra, recipient]
    )
    openssl(
        "cms", "-encrypt", "-binary", "-outform", "DER", "-in", str(plain),
        "-out", str(envelope), *tail,
    )  # fmt: skip
    encrypted = {k: v for k, v in root.items() if k != "PayloadContent"}
    encrypted["EncryptedPayloadContent"] = envelope.read_bytes()
    assert decrypt_profile(encrypted, rsa_identity(pki))["PayloadContent"] == root["PayloadContent"]
    other = load_pem_identity(pki.path("expired.key"), pki.path("expired.pem"))
    with pytest.raises(EncryptionError, match="not encrypted for this certificate"):
        decrypt_profile(encrypted, other)


def test_encryption_refusals(pki: Pki) -> None:
    root = sample_root()
    with pytest.raises(EncryptionError, match="RSA"):
        encrypt_profile(root, [pki.ec_leaf])
    encrypted = encrypt_profile(root, [pki.leaf])
    with pytest.raises(EncryptionError, match="already encrypted"):
        encrypt_profile(encrypted, [pki.leaf])
    other = load_pem_identity(pki.path("expired.key"), pki.path("expired.pem"))
    with pytest.raises(EncryptionError, match="not encrypted for this certificate"):
        decrypt_profile(encrypted, other)
    damaged = dict(encrypted, EncryptedPayloadContent=b"\x30\x03junk")
    with pytest.raises(EncryptionError, match="not a readable CMS envelope"):
        decrypt_profile(damaged, rsa_identity(pki))
    assert encryption_info(damaged).error is not None
    with pytest.raises(EncryptionError, match="not encrypted"):
        decrypt_profile(root, rsa_identity(pki))


def test_cli_signed_and_encrypted_round_trip(pki: Pki, tmp_path: Path) -> None:
    profile = Profile(sample_root())
    source = tmp_path / "profile.mobileconfig"
    profile.save(source)
    encrypted = tmp_path / "encrypted.mobileconfig"
    code, _, err = run_cli(
        "encrypt", str(source), str(encrypted), "--recipient", str(pki.path("leaf.pem"))
    )
    assert (code, err) == (0, "")
    outer = Profile.read(encrypted)
    assert outer.is_encrypted and outer.root["PayloadIdentifier"] == "com.example.profile"
    signed = tmp_path / "signed.mobileconfig"
    code, _, err = run_cli(
        "sign", str(encrypted), str(signed), "--key", str(pki.path("leaf.key")),
        "--cert", str(pki.path("leaf.pem")), "--chain", str(pki.path("intermediate.pem")),
    )  # fmt: skip
    assert code == 0, err
    assert verify_profile(signed.read_bytes(), [pki.root]).content == encrypted.read_bytes()
    code, _, _ = run_cli("verify", str(signed), "--trust", str(pki.path("root.pem")))
    assert code == 0
    opened = tmp_path / "opened.mobileconfig"
    code, _, err = run_cli(
        "decrypt", str(signed), str(opened), "--key", str(pki.path("leaf.key")),
        "--cert", str(pki.path("leaf.pem")),
    )  # fmt: skip
    assert code == 0
    assert "not signed" in err
    assert Profile.read(opened).root == profile.root


@needs_openssl
def test_cli_decrypt_with_p12(pki: Pki, tmp_path: Path) -> None:
    source = tmp_path / "profile.mobileconfig"
    Profile(sample_root()).save(source)
    encrypted = tmp_path / "encrypted.mobileconfig"
    assert run_cli("encrypt", str(source), str(encrypted), "--recipient",
                   str(pki.path("leaf.pem")))[0] == 0  # fmt: skip
    opened = tmp_path / "opened.mobileconfig"
    code, _, err = run_cli(
        "decrypt", str(encrypted), str(opened), "--identity", str(make_p12(pki, "enc.p12")),
        "--passphrase-file", str(pki.path("passphrase.txt")),
    )  # fmt: skip
    assert code == 0, err
    assert Profile.read(opened).root == sample_root()


def test_cli_encryption_failures(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "profile.mobileconfig"
    Profile(sample_root()).save(source)
    encrypted = tmp_path / "encrypted.mobileconfig"
    run_cli("encrypt", str(source), str(encrypted), "--recipient", str(pki.path("leaf.pem")))
    out_file = tmp_path / "out.mobileconfig"
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    cases: list[tuple[list[str], str]] = [
        (["encrypt", str(source), str(out_file), "--recipient", str(pki.path("ec.pem"))],
         "ec.pem"),
        (["encrypt", str(encrypted), str(out_file), "--recipient", str(pki.path("leaf.pem"))],
         "encrypted.mobileconfig"),
        (["encrypt", str(tmp_path / "missing"), str(out_file), "--recipient",
          str(pki.path("leaf.pem"))], "missing"),
        (["decrypt", str(source), str(out_file), "--key", str(pki.path("leaf.key")),
          "--cert", str(pki.path("leaf.pem"))], "profile.mobileconfig"),
        (["decrypt", str(encrypted), str(out_file), "--key", str(pki.path("expired.key")),
          "--cert", str(pki.path("expired.pem"))], "encrypted.mobileconfig"),
        (["decrypt", str(encrypted), str(out_file)], "encrypted.mobileconfig"),
    ]  # fmt: skip
    for argv, name in cases:
        code, _, err = run_cli(*argv)
        assert code == 2, (argv, err)
        assert_one_line_failure(err, name)
        assert not out_file.exists()


# --- PKCS#12 payloads ----------------------------------------------------------------------------


@needs_openssl
def test_openssl3_default_pkcs12_is_flagged_and_reencoded(pki: Pki, tmp_path: Path) -> None:
    data = make_p12(pki, "default.p12").read_bytes()
    report = inspect_pkcs12(data, PASSPHRASE)
    assert report.error is None
    assert report.password_ok is True
    assert not report.ios_compatible and report.needs_reencoding
    assert any("PBES2" in a and "aes256_cbc" in a for a in report.key_algorithms)
    assert any("iOS cannot read" in p for p in report.problems)
    assert report.mac_algorithm == "sha256"

    fixed = reencode_pkcs12_legacy(data, PASSPHRASE)
    again = inspect_pkcs12(fixed, PASSPHRASE)
    assert again.ios_compatible, again.problems
    assert again.key_algorithms == ("pkcs12_sha1_tripledes_3key",)
    assert again.certificate_algorithms == ("pkcs12_sha1_tripledes_3key",)
    assert again.mac_algorithm == "sha1"
    path = tmp_path / "fixed.p12"
    path.write_bytes(fixed)
    loaded = load_pkcs12_identity(path, PASSPHRASE.encode())
    assert loaded.certificate == pki.leaf and loaded.chain == (pki.intermediate,)
    if has_legacy_provider():
        proc = openssl(
            "pkcs12", "-info", "-noout", "-legacy", "-in", str(path),
            "-passin", f"pass:{PASSPHRASE}",
        )  # fmt: skip
        text = proc.stderr.decode() + proc.stdout.decode()
        assert "MAC: sha1" in text
        assert "pbeWithSHA1And3-KeyTripleDES-CBC" in text
        assert "PBES2" not in text


@needs_openssl
def test_openssl_legacy_pkcs12_is_fine(pki: Pki) -> None:
    if not has_legacy_provider():
        pytest.skip("the local OpenSSL has no legacy provider")
    report = inspect_pkcs12(make_p12(pki, "legacy.p12", "-legacy").read_bytes(), PASSPHRASE)
    assert report.ios_compatible, report.problems
    assert report.password_ok is True
    assert report.problems == ()
    assert "pkcs12_sha1_rc2_40" in report.certificate_algorithms  # what -legacy writes


@needs_openssl
def test_pkcs12_payload_helpers(pki: Pki) -> None:
    data = make_p12(pki, "default.p12").read_bytes()
    payload = {
        "PayloadType": "com.apple.security.pkcs12",
        "PayloadIdentifier": "com.example.identity",
        "PayloadContent": data,
        "Password": PASSPHRASE,
    }
    report = inspect_pkcs12_payload(payload)
    assert report is not None and report.needs_reencoding
    fixed = reencode_pkcs12_payload(payload)
    assert fixed["PayloadContent"] != data and payload["PayloadContent"] == data
    fixed_report = inspect_pkcs12_payload(fixed)
    assert fixed_report is not None and fixed_report.ios_compatible
    assert inspect_pkcs12_payload({"PayloadType": "com.apple.vpn.managed"}) is None

    wrong = dict(payload, Password="wrong")
    wrong_report = inspect_pkcs12_payload(wrong)
    assert wrong_report is not None and wrong_report.password_ok is False
    with pytest.raises(EncryptionError, match="does not open"):
        reencode_pkcs12_payload(wrong)
    without = copy.copy(payload)
    del without["Password"]
    no_password = inspect_pkcs12_payload(without)
    assert no_password is not None and no_password.password_ok is None
    assert no_password.needs_reencoding  # the algorithms are visible without the password
    with pytest.raises(EncryptionError, match="no password"):
        reencode_pkcs12_payload(without)
    assert inspect_pkcs12(b"not a p12").error is not None
