"""Signing and verifying profiles, with OpenSSL as the peer both ways.

A throwaway PKI is built once per session: RSA root -> RSA intermediate -> leaves (RSA
and EC P-256 with emailProtection/codeSigning, and an expired RSA one), plus an
unrelated root. PKCS#12 files come from the openssl command itself.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import cms as asn1_cms
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from helpers.cli import assert_one_line_failure, run_cli
from helpers.pki import (
    PASSPHRASE,
    PROFILE,
    Pki,
    has_legacy_provider,
    key_pem,
    make_p12,
    needs_openssl,
    openssl,
)

from editor.core.signing import (
    SigningError,
    load_identity,
    load_pem_identity,
    load_pkcs12_identity,
    load_trust_anchors,
    sign_profile,
    verify_profile,
)


def identity(pki: Pki, kind: str = "rsa") -> object:
    names = {"rsa": ("leaf.key", "leaf.pem"), "ec": ("ec.key", "ec.pem")}
    names["expired"] = ("expired.key", "expired.pem")
    key, cert = names[kind]
    return load_pem_identity(pki.path(key), pki.path(cert), [pki.path("intermediate.pem")])


# --- signing: our output, checked by OpenSSL ----------------------------------------------


@needs_openssl
@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_our_signature_verifies_in_openssl_with_only_the_root(
    pki: Pki, tmp_path: Path, kind: str
) -> None:
    signed = sign_profile(PROFILE, identity(pki, kind))  # type: ignore[arg-type]
    target = tmp_path / "signed.mobileconfig"
    target.write_bytes(signed)
    extracted = tmp_path / "content.xml"
    proc = openssl(
        "cms", "-verify", "-inform", "DER", "-in", str(target), "-CAfile",
        str(pki.path("root.pem")), "-out", str(extracted),
    )  # fmt: skip
    assert b"Verification successful" in proc.stderr
    assert extracted.read_bytes() == PROFILE


def test_signature_shape(pki: Pki) -> None:
    signed = sign_profile(PROFILE, identity(pki))  # type: ignore[arg-type]
    info = asn1_cms.ContentInfo.load(signed, strict=True)
    assert info["content_type"].native == "signed_data"
    content = info["content"]
    assert content["encap_content_info"]["content"].native == PROFILE
    subjects = [c.chosen.subject.native["common_name"] for c in content["certificates"]]
    assert sorted(subjects) == ["Test Intermediate CA", "Test Signer RSA"]  # no root
    signer = content["signer_infos"][0]
    assert signer["digest_algorithm"]["algorithm"].native == "sha256"
    attributes = {a["type"].native for a in signer["signed_attrs"]}
    assert {"signing_time", "message_digest", "content_type"} <= attributes
    assert signed[:2] == b"\x30\x82"  # DER, definite length


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_our_signature_verifies_here(pki: Pki, kind: str) -> None:
    signed = sign_profile(PROFILE, identity(pki, kind))  # type: ignore[arg-type]
    result = verify_profile(signed, [pki.root])
    assert result.status == "valid", result.messages
    assert result.digest_ok and result.signature_ok and result.trusted
    assert result.content == PROFILE
    assert result.signer is not None
    assert result.signer.subject.endswith(f"Test Signer {kind.upper()}")
    assert [c.subject.split(": ")[-1] for c in result.chain] == [
        f"Test Signer {kind.upper()}",
        "Test Intermediate CA",
        "Test Root CA",
    ]


# --- verifying: OpenSSL's output, checked here ----------------------------------------------


@needs_openssl
@pytest.mark.parametrize("kind", ["leaf", "ec"])
def test_openssl_signature_verifies_here(pki: Pki, tmp_path: Path, kind: str) -> None:
    source = tmp_path / "profile.xml"
    source.write_bytes(PROFILE)
    target = tmp_path / "signed.mobileconfig"
    openssl(
        "cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-md", "sha256",
        "-in", str(source), "-signer", str(pki.path(f"{kind}.pem")),
        "-inkey", str(pki.path(f"{kind}.key")), "-certfile", str(pki.path("intermediate.pem")),
        "-out", str(target),
    )  # fmt: skip
    result = verify_profile(target.read_bytes(), [pki.root])
    assert result.status == "valid", result.messages
    assert result.content == PROFILE
    assert result.signing_time is not None


@needs_openssl
@pytest.mark.parametrize(
    "extra", [["-noattr"], ["-keyid"], ["-keyopt", "rsa_padding_mode:pss"], ["-nocerts"]]
)
def test_openssl_signature_variants(pki: Pki, tmp_path: Path, extra: list[str]) -> None:
    source = tmp_path / "profile.xml"
    source.write_bytes(PROFILE)
    target = tmp_path / "signed.mobileconfig"
    openssl(
        "cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-md", "sha256",
        "-in", str(source), "-signer", str(pki.path("leaf.pem")),
        "-inkey", str(pki.path("leaf.key")), "-certfile", str(pki.path("intermediate.pem")),
        "-out", str(target), *extra,
    )  # fmt: skip
    signed = target.read_bytes()
    if extra == ["-nocerts"]:
        missing = verify_profile(signed, [pki.root])
        assert missing.status == "invalid"
        assert any("not in the envelope" in m for m in missing.messages)
        anchors = [pki.leaf]  # a signer given as a trust anchor is found there
    else:
        anchors = [pki.root]
    assert verify_profile(signed, anchors).status == "valid"
    at = signed.index(b"Example VPN")
    altered = verify_profile(signed[:at] + b"F" + signed[at + 1 :], anchors)
    assert altered.status == "invalid"
    assert any("altered" in m for m in altered.messages)


def test_altered_content_is_detected(pki: Pki) -> None:
    signed = sign_profile(PROFILE, identity(pki))  # type: ignore[arg-type]
    at = signed.index(b"Example VPN")
    altered = signed[:at] + b"F" + signed[at + 1 :]
    result = verify_profile(altered, [pki.root])
    assert result.status == "invalid"
    assert not result.digest_ok
    assert result.signature_ok  # the signed attributes were not touched
    assert any("altered" in m for m in result.messages)


def test_altered_signature_is_detected(pki: Pki) -> None:
    signed = bytearray(sign_profile(PROFILE, identity(pki)))  # type: ignore[arg-type]
    signed[-5] ^= 0x01  # inside the RSA signature, the last element
    result = verify_profile(bytes(signed), [pki.root])
    assert result.status == "invalid"
    assert result.digest_ok and not result.signature_ok
    assert any("altered" in m for m in result.messages)


def test_trust(pki: Pki) -> None:
    signed = sign_profile(PROFILE, identity(pki))  # type: ignore[arg-type]
    unchecked = verify_profile(signed)
    assert unchecked.trusted is None and unchecked.status == "untrusted"
    assert any("no trust anchors" in m for m in unchecked.messages)
    wrong = verify_profile(signed, [pki.other_root])
    assert wrong.trusted is False and wrong.status == "untrusted"
    # the intermediate as the anchor is enough too
    assert verify_profile(signed, [pki.intermediate]).status == "valid"


def test_expired_signer(pki: Pki) -> None:
    signed = sign_profile(PROFILE, identity(pki, "expired"))  # type: ignore[arg-type]
    result = verify_profile(signed, [pki.root])
    assert result.digest_ok and result.signature_ok
    assert result.expired
    assert result.status == "expired"
    assert result.trusted is True  # the chain held while the signer was valid
    assert any("treat the profile as unsigned" in m for m in result.messages)


def test_unsigned_and_damaged() -> None:
    assert verify_profile(PROFILE).status == "unsigned"
    with pytest.raises(SigningError):
        verify_profile(b"\x30\x82\x00\x10\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" + b"\0" * 5)


def test_corpus_signed_profile_is_intact_but_expired(corpus_dir: Path) -> None:
    path = corpus_dir / "designdeveloperr-ikev2__ios.signed.mobileconfig"
    if not path.exists():
        pytest.skip("the signed corpus profile is not present")
    result = verify_profile(path.read_bytes())
    assert result.digest_ok and result.signature_ok
    assert result.expired
    assert result.trusted is None
    assert result.status == "expired"
    assert result.digest_algorithm == "sha1"
    assert any("SHA-1" in m for m in result.messages)
    code, out, _ = run_cli("verify", str(path))
    assert code == 3
    assert "expired" in out


# --- identities -------------------------------------------------------------------------------


@needs_openssl
def test_openssl3_default_pkcs12_is_an_identity(pki: Pki) -> None:
    p12 = make_p12(pki, "default.p12")
    loaded = load_pkcs12_identity(p12, PASSPHRASE.encode())
    assert loaded.certificate == pki.leaf
    assert loaded.chain == (pki.intermediate,)
    asked: list[int] = []

    def ask() -> bytes:
        asked.append(1)
        return PASSPHRASE.encode()

    assert load_identity(p12, passphrase=ask).certificate == pki.leaf
    assert asked == [1]
    with pytest.raises(SigningError, match="wrong passphrase"):
        load_pkcs12_identity(p12, b"nope")


@needs_openssl
def test_openssl_legacy_pkcs12_is_an_identity(pki: Pki) -> None:
    if not has_legacy_provider():
        pytest.skip("the local OpenSSL has no legacy provider")
    p12 = make_p12(pki, "legacy.p12", "-legacy")
    loaded = load_pkcs12_identity(p12, PASSPHRASE.encode())
    assert loaded.certificate == pki.leaf
    signed = sign_profile(PROFILE, loaded)
    assert verify_profile(signed, [pki.root]).status == "valid"


def test_pem_identity_problems(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="does not belong"):
        load_pem_identity(pki.path("ec.key"), pki.path("leaf.pem"))
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(
        pki.leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"pw"),
        )
    )
    assert load_pem_identity(encrypted, pki.path("leaf.pem"), passphrase=b"pw").key is not None
    with pytest.raises(SigningError, match="no passphrase"):
        load_pem_identity(encrypted, pki.path("leaf.pem"))
    with pytest.raises(SigningError, match="wrong passphrase"):
        load_pem_identity(encrypted, pki.path("leaf.pem"), passphrase=b"bad")
    with pytest.raises(SigningError, match="no such file"):
        load_pem_identity(tmp_path / "missing.key", pki.path("leaf.pem"))


def _altered_rsa_key(key: rsa.RSAPrivateKey, **changes: int) -> bytes:
    """The key's PEM with some private numbers changed (OpenSSL would refuse it on a
    checked load)."""
    numbers = key.private_numbers()
    fields = {
        "p": numbers.p, "q": numbers.q, "d": numbers.d, "dmp1": numbers.dmp1,
        "dmq1": numbers.dmq1, "iqmp": numbers.iqmp,
    }  # fmt: skip
    fields.update(changes)
    altered = rsa.RSAPrivateNumbers(**fields, public_numbers=numbers.public_numbers)
    return key_pem(altered.private_key(unsafe_skip_rsa_key_validation=True))


def test_a_key_whose_signatures_do_not_verify_is_refused(pki: Pki, tmp_path: Path) -> None:
    # With both the exponent and a CRT part wrong, OpenSSL's own fault check cannot
    # repair the signature: the trial signature must catch it.
    numbers = pki.leaf_key.private_numbers()
    damaged = tmp_path / "damaged.key"
    damaged.write_bytes(_altered_rsa_key(pki.leaf_key, d=numbers.d + 2, dmp1=numbers.dmp1 + 2))
    with pytest.raises(SigningError, match=r"damaged\.key: the private key is damaged"):
        load_pem_identity(damaged, pki.path("leaf.pem"))
    out_file = tmp_path / "out.mobileconfig"
    profile = tmp_path / "profile.mobileconfig"
    profile.write_bytes(PROFILE)
    code, _, err = run_cli(
        "sign",
        str(profile),
        str(out_file),
        "--key",
        str(damaged),
        "--cert",
        str(pki.path("leaf.pem")),
    )
    assert code == 2
    assert_one_line_failure(err, "damaged.key")
    assert not out_file.exists()


@needs_openssl
def test_a_key_that_still_signs_verifiably_is_used(pki: Pki, tmp_path: Path) -> None:
    # One wrong CRT part: OpenSSL notices the faulty result and signs without the CRT, so
    # the signature holds. Such a key is accepted (as openssl cms -sign accepts it), and
    # what it signs verifies in OpenSSL.
    numbers = pki.leaf_key.private_numbers()
    odd = tmp_path / "odd.key"
    odd.write_bytes(_altered_rsa_key(pki.leaf_key, dmp1=numbers.dmp1 + 2))
    identity = load_pem_identity(odd, pki.path("leaf.pem"), [pki.path("intermediate.pem")])
    signed = tmp_path / "signed.mobileconfig"
    signed.write_bytes(sign_profile(PROFILE, identity))
    proc = openssl(
        "cms", "-verify", "-inform", "DER", "-in", str(signed), "-CAfile",
        str(pki.path("root.pem")), "-purpose", "any",
    )  # fmt: skip
    assert proc.stdout == PROFILE


def test_trust_anchor_loading(pki: Pki, tmp_path: Path) -> None:
    assert load_trust_anchors([pki.path("root.der")]) == [pki.root]
    assert load_trust_anchors([pki.path("anchors")]) == [pki.root]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SigningError, match="no certificate"):
        load_trust_anchors([empty])
    with pytest.raises(SigningError, match=r"passphrase\.txt"):
        load_trust_anchors([pki.path("passphrase.txt")])


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    path = tmp_path / "profile.mobileconfig"
    path.write_bytes(PROFILE)
    return path


@needs_openssl
def test_cli_sign_with_p12_and_verify(pki: Pki, profile_file: Path, tmp_path: Path) -> None:
    p12 = make_p12(pki, "default.p12")
    signed = tmp_path / "signed.mobileconfig"
    code, _, err = run_cli(
        "sign", str(profile_file), str(signed), "--identity", str(p12),
        "--passphrase-file", str(pki.path("passphrase.txt")),
    )  # fmt: skip
    assert code == 0, err
    assert verify_profile(signed.read_bytes(), [pki.root]).content == PROFILE
    code, out, _ = run_cli("verify", str(signed), "--trust", str(pki.path("root.pem")))
    assert code == 0, out
    assert out.startswith(f"{signed}: valid")
    code, out, _ = run_cli("verify", str(signed), "--trust", str(pki.path("anchors")))
    assert code == 0
    code, out, _ = run_cli("verify", str(signed))
    assert code == 3
    assert "not checked" in out
    code, out, _ = run_cli("verify", str(signed), "--trust", str(pki.path("other-root.pem")))
    assert code == 3


def test_cli_sign_with_pem_and_verify_json(pki: Pki, profile_file: Path, tmp_path: Path) -> None:
    signed = tmp_path / "signed.mobileconfig"
    code, _, err = run_cli(
        "sign", str(profile_file), str(signed), "--key", str(pki.path("ec.key")),
        "--cert", str(pki.path("ec.pem")), "--chain", str(pki.path("intermediate.pem")),
    )  # fmt: skip
    assert (code, err) == (0, "")
    code, out, _ = run_cli(
        "verify", str(signed), "--trust", str(pki.path("root.der")), "--format", "json"
    )
    assert code == 0
    document = json.loads(out)
    assert document["file"] == str(signed)
    assert document["signed"] is True
    assert set(document["signer"]) == {"subject", "issuer", "serial", "not_before", "not_after"}
    assert document["signer"]["serial"] == f"{pki.ec_leaf.serial_number:X}"
    assert document["digest_ok"] is True and document["signature_ok"] is True
    assert document["trusted"] is True and document["expired"] is False
    assert document["status"] == "valid"
    assert isinstance(document["messages"], list)
    # without the chain the signer warns about Not Verified
    code, _, err = run_cli(
        "sign", str(profile_file), str(tmp_path / "bare.mobileconfig"), "--key",
        str(pki.path("ec.key")), "--cert", str(pki.path("ec.pem")),
    )  # fmt: skip
    assert code == 0
    assert "no intermediate certificates" in err


def test_cli_verify_exit_codes(pki: Pki, profile_file: Path, tmp_path: Path) -> None:
    signed = sign_profile(PROFILE, identity(pki))  # type: ignore[arg-type]
    tampered = tmp_path / "tampered.mobileconfig"
    at = signed.index(b"Example VPN")
    tampered.write_bytes(signed[:at] + b"F" + signed[at + 1 :])
    code, out, _ = run_cli("verify", str(tampered), "--trust", str(pki.path("root.pem")))
    assert code == 1
    assert "altered" in out and "INVALID" in out
    code, out, _ = run_cli("verify", str(tampered), "--format", "json")
    assert code == 1
    assert json.loads(out)["status"] == "invalid"

    expired = tmp_path / "expired.mobileconfig"
    expired.write_bytes(sign_profile(PROFILE, identity(pki, "expired")))  # type: ignore[arg-type]
    code, out, _ = run_cli("verify", str(expired), "--trust", str(pki.path("root.pem")))
    assert code == 3
    assert "treat the profile as unsigned" in out

    code, out, _ = run_cli("verify", str(profile_file), "--format", "json")
    assert code == 4
    assert json.loads(out)["status"] == "unsigned"
    assert json.loads(out)["signed"] is False


def test_cli_failures_are_one_line(pki: Pki, profile_file: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "out.mobileconfig"
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x30\x82\x01\x00\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02junk")
    cases: list[tuple[list[str], str]] = [
        (["verify", str(tmp_path / "missing")], "missing"),
        (["verify", str(garbage)], "garbage.bin"),
        (["verify", str(profile_file), "--trust", str(tmp_path / "nope.pem")], "nope.pem"),
        (["sign", str(garbage), str(out_file), "--key", str(pki.path("leaf.key")),
          "--cert", str(pki.path("leaf.pem"))], "garbage.bin"),
        (["sign", str(profile_file), str(out_file), "--key", str(pki.path("ec.key")),
          "--cert", str(pki.path("leaf.pem"))], "ec.key"),
        (["sign", str(profile_file), str(out_file), "--cert", str(pki.path("leaf.pem"))],
         "profile.mobileconfig"),
    ]  # fmt: skip
    for argv, name in cases:
        code, _, err = run_cli(*argv)
        assert code == 2, (argv, err)
        assert_one_line_failure(err, name)
        assert not out_file.exists()


@needs_openssl
def test_cli_passphrase_handling(
    pki: Pki, profile_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p12 = make_p12(pki, "default.p12")
    out_file = tmp_path / "out.mobileconfig"
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    code, _, err = run_cli("sign", str(profile_file), str(out_file), "--identity", str(p12))
    assert code == 2
    assert_one_line_failure(err, str(p12))
    assert "--passphrase-file" in err
    assert not out_file.exists()

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("wrong\n")
    code, _, err = run_cli(
        "sign", str(profile_file), str(out_file), "--identity", str(p12),
        "--passphrase-file", str(wrong),
    )  # fmt: skip
    assert code == 2
    assert_one_line_failure(err, str(p12))
    assert not out_file.exists()

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(""))
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return PASSPHRASE

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    code, _, err = run_cli("sign", str(profile_file), str(out_file), "--identity", str(p12))
    assert code == 0, err
    assert len(prompts) == 1 and str(p12) in prompts[0]
    assert verify_profile(out_file.read_bytes(), [pki.root]).status == "valid"


@needs_openssl
def test_cli_subprocess(pki: Pki, profile_file: Path, tmp_path: Path) -> None:
    p12 = make_p12(pki, "default.p12")
    signed = tmp_path / "signed.mobileconfig"

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "editor.cli", *argv],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )

    proc = run("sign", str(profile_file), str(signed), "--identity", str(p12))
    assert proc.returncode == 2
    assert_one_line_failure(proc.stderr, str(p12))
    assert not signed.exists()
    proc = run(
        "sign", str(profile_file), str(signed), "--identity", str(p12),
        "--passphrase-file", str(pki.path("passphrase.txt")),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = run("verify", str(signed), "--trust", str(pki.path("root.pem")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    extracted = tmp_path / "content.xml"
    openssl(
        "cms", "-verify", "-inform", "DER", "-in", str(signed), "-CAfile",
        str(pki.path("root.pem")), "-out", str(extracted),
    )  # fmt: skip
    assert extracted.read_bytes() == PROFILE


def test_resigning_a_signed_profile_signs_its_content(pki: Pki, tmp_path: Path) -> None:
    first = tmp_path / "first.mobileconfig"
    first.write_bytes(sign_profile(PROFILE, identity(pki, "expired")))  # type: ignore[arg-type]
    second = tmp_path / "second.mobileconfig"
    code, _, err = run_cli(
        "sign", str(first), str(second), "--key", str(pki.path("leaf.key")),
        "--cert", str(pki.path("leaf.pem")), "--chain", str(pki.path("intermediate.pem")),
    )  # fmt: skip
    assert code == 0
    assert "signature is replaced" in err
    result = verify_profile(second.read_bytes(), [pki.root])
    assert result.status == "valid" and result.content == PROFILE
