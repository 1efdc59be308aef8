"""Signers OpenSSL's default verification refuses, and the missing-intermediate warning.

`openssl cms -verify` checks the signer for the S/MIME signing purpose unless told
otherwise; each certificate here is built with the cryptography library, a profile is
signed with it, and the real openssl command says whether it accepts the signature. The
editor's check (editor.core.signing.openssl_purpose_refusals) must agree with it, and
`vpn-profile sign` warns before signing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from helpers.cli import run_cli
from helpers.pki import PROFILE, certificate, needs_openssl, openssl, pem
from helpers.signers import EKU, SIGNS, make_signer

from editor.core.signing import (
    load_pem_identity,
    load_pkcs12_identity,
    missing_issuer,
    openssl_purpose_refusals,
    sign_profile,
)


@dataclass
class Ca:
    """A root and an intermediate under it, with their keys and PEM files."""

    folder: Path
    root: x509.Certificate
    root_key: rsa.RSAPrivateKey
    intermediate: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey

    @property
    def root_file(self) -> Path:
        return self.folder / "root.pem"

    @property
    def intermediate_file(self) -> Path:
        return self.folder / "intermediate.pem"


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Ca:
    folder = tmp_path_factory.mktemp("purpose-ca")
    root_key = rsa.generate_private_key(65537, 2048)
    root = certificate("Purpose Root CA", root_key, None, root_key, ca=True, days=(-30, 3650))
    inter_key = rsa.generate_private_key(65537, 2048)
    inter = certificate(
        "Purpose Intermediate CA", inter_key, root, root_key, ca=True, days=(-30, 3650)
    )
    made = Ca(folder, root, root_key, inter, inter_key)
    made.root_file.write_bytes(pem(root))
    made.intermediate_file.write_bytes(pem(inter))
    return made


def openssl_verdict(signed: bytes, folder: Path, root: Path) -> tuple[bool, str]:
    """(accepted, stderr) of `openssl cms -verify` with its default purpose check."""
    path = folder / "signed.der"
    path.write_bytes(signed)
    proc = openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", str(path),
        "-CAfile", str(root), "-out", str(folder / "content.plist"),
        check=False,
    )  # fmt: skip
    return proc.returncode == 0, proc.stderr.decode(errors="replace")


# --- the editor's check agrees with OpenSSL's -------------------------------------------------

CASES = {
    # name: (extended key usage, key usage, Netscape type, what a refusal names)
    "emailProtection": ([EKU.EMAIL_PROTECTION], SIGNS, None, None),
    "no extensions at all": (None, None, None, None),
    "emailProtection and codeSigning": (
        [EKU.EMAIL_PROTECTION, EKU.CODE_SIGNING],
        SIGNS,
        None,
        None,
    ),
    "nonRepudiation only": ([EKU.EMAIL_PROTECTION], {"content_commitment": True}, None, None),
    "Netscape type S/MIME": (None, SIGNS, b"\x03\x02\x05\x20", None),
    "TLS client only": ([EKU.CLIENT_AUTH], SIGNS, None, "clientAuth"),
    "code signing only": ([EKU.CODE_SIGNING], SIGNS, None, "codeSigning"),
    "any purpose only": ([EKU.ANY_EXTENDED_KEY_USAGE], SIGNS, None, "anyExtendedKeyUsage"),
    "keyEncipherment only": (
        [EKU.EMAIL_PROTECTION],
        {"key_encipherment": True},
        None,
        "keyEncipherment",
    ),
    "Netscape type SSL server only": (None, SIGNS, b"\x03\x02\x06\x40", "Netscape"),
}


@needs_openssl
@pytest.mark.parametrize("case", list(CASES))
def test_the_editor_and_openssl_agree_on_the_signer(ca: Ca, tmp_path: Path, case: str) -> None:
    eku, usage, netscape, named = CASES[case]
    signer = make_signer(
        tmp_path, "Purpose Signer", ca.intermediate, ca.intermediate_key,
        eku=eku, usage=usage, netscape_type=netscape,
    )  # fmt: skip
    signed = sign_profile(PROFILE, signer.identity(ca.intermediate))
    accepted, stderr = openssl_verdict(signed, tmp_path, ca.root_file)
    refusals = openssl_purpose_refusals(signer.certificate, [ca.intermediate])
    if named is None:
        assert accepted, stderr
        assert refusals == ()
    else:
        assert not accepted
        assert "unsuitable certificate purpose" in stderr
        assert len(refusals) == 1 and "Purpose Signer" in refusals[0], refusals
        assert named in refusals[0]


@needs_openssl
def test_an_intermediate_without_email_protection_is_refused_too(ca: Ca, tmp_path: Path) -> None:
    tls_ca = make_signer(
        tmp_path, "TLS Only Intermediate", ca.root, ca.root_key,
        eku=[EKU.CLIENT_AUTH], usage={"key_cert_sign": True}, ca=True,
    )  # fmt: skip
    signer = make_signer(
        tmp_path, "Good Signer", tls_ca.certificate, tls_ca.key,
        eku=[EKU.EMAIL_PROTECTION], usage=SIGNS,
    )  # fmt: skip
    signed = sign_profile(PROFILE, signer.identity(tls_ca.certificate))
    accepted, stderr = openssl_verdict(signed, tmp_path, ca.root_file)
    assert not accepted and "unsuitable certificate purpose" in stderr
    refusals = openssl_purpose_refusals(signer.certificate, [tls_ca.certificate])
    assert len(refusals) == 1
    assert "TLS Only Intermediate" in refusals[0] and "clientAuth" in refusals[0]


# --- vpn-profile sign -------------------------------------------------------------------


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    path = tmp_path / "profile.mobileconfig"
    path.write_bytes(PROFILE)
    return path


@needs_openssl
def test_sign_warns_about_a_tls_client_certificate_before_signing(
    ca: Ca, profile_file: Path, tmp_path: Path
) -> None:
    signer = make_signer(
        tmp_path, "TLS Client", ca.intermediate, ca.intermediate_key,
        eku=[EKU.CLIENT_AUTH], usage=SIGNS,
    )  # fmt: skip
    out = tmp_path / "signed.mobileconfig"
    code, _out, err = run_cli(
        "sign", str(profile_file), str(out), "--key", str(signer.key_file),
        "--cert", str(signer.cert_file), "--chain", str(ca.intermediate_file),
    )  # fmt: skip
    assert code == 0  # a warning only: the file is signed as asked
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{signer.cert_file}: warning: ")
    assert "unsuitable certificate purpose" in lines[0] and "clientAuth" in lines[0]
    assert "emailProtection" in lines[0]  # the fix is named
    accepted, stderr = openssl_verdict(out.read_bytes(), tmp_path, ca.root_file)
    assert not accepted and "unsuitable certificate purpose" in stderr


@needs_openssl
def test_sign_says_nothing_about_a_proper_signer(
    ca: Ca, profile_file: Path, tmp_path: Path
) -> None:
    signer = make_signer(
        tmp_path, "Mail Signer", ca.intermediate, ca.intermediate_key,
        eku=[EKU.EMAIL_PROTECTION], usage=SIGNS,
    )  # fmt: skip
    out = tmp_path / "signed.mobileconfig"
    code, _out, err = run_cli(
        "sign", str(profile_file), str(out), "--key", str(signer.key_file),
        "--cert", str(signer.cert_file), "--chain", str(ca.intermediate_file),
    )  # fmt: skip
    assert (code, err) == (0, "")
    accepted, stderr = openssl_verdict(out.read_bytes(), tmp_path, ca.root_file)
    assert accepted, stderr


# --- the intermediates warning ------------------------------------------------------------


def certificates_in(signed: bytes) -> list[str]:
    from asn1crypto import cms

    info = cms.ContentInfo.load(signed)
    return [c.chosen.subject.native["common_name"] for c in info["content"]["certificates"]]


@needs_openssl
def test_a_signer_issued_by_a_root_needs_no_intermediate(
    ca: Ca, profile_file: Path, tmp_path: Path
) -> None:
    signer = make_signer(
        tmp_path, "Root Issued Signer", ca.root, ca.root_key,
        eku=[EKU.EMAIL_PROTECTION], usage=SIGNS,
    )  # fmt: skip
    # the root given with --chain: recognised as the issuer, and not included
    out = tmp_path / "pem.mobileconfig"
    code, _out, err = run_cli(
        "sign", str(profile_file), str(out), "--key", str(signer.key_file),
        "--cert", str(signer.cert_file), "--chain", str(ca.root_file),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert certificates_in(out.read_bytes()) == ["Root Issued Signer"]
    accepted, stderr = openssl_verdict(out.read_bytes(), tmp_path, ca.root_file)
    assert accepted, stderr
    # a PKCS#12 that carries the root, as CAs and keychains export them
    p12 = tmp_path / "root-issued.p12"
    openssl(
        "pkcs12", "-export", "-inkey", str(signer.key_file), "-in", str(signer.cert_file),
        "-certfile", str(ca.root_file), "-passout", "pass:", "-out", str(p12),
    )  # fmt: skip
    identity = load_pkcs12_identity(p12)
    assert identity.chain == () and identity.roots == (ca.root,)
    assert missing_issuer(identity) is None
    out = tmp_path / "p12.mobileconfig"
    code, _out, err = run_cli("sign", str(profile_file), str(out), "--identity", str(p12))
    assert (code, err) == (0, "")


@needs_openssl
def test_a_missing_intermediate_is_still_warned_about(
    ca: Ca, profile_file: Path, tmp_path: Path
) -> None:
    signer = make_signer(
        tmp_path, "Intermediate Issued Signer", ca.intermediate, ca.intermediate_key,
        eku=[EKU.EMAIL_PROTECTION], usage=SIGNS,
    )  # fmt: skip
    # only the root given: the intermediate that issued the signer is missing
    for chain in (["--chain", str(ca.root_file)], []):
        out = tmp_path / "signed.mobileconfig"
        code, _out, err = run_cli(
            "sign", str(profile_file), str(out), "--key", str(signer.key_file),
            "--cert", str(signer.cert_file), *chain,
        )  # fmt: skip
        assert code == 0
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{out}: warning: "), err
        assert "no intermediate certificates were included" in lines[0]
        assert "Purpose Intermediate CA" in lines[0] and "--chain" in lines[0]
    identity = load_pem_identity(signer.key_file, signer.cert_file, [ca.root_file])
    assert missing_issuer(identity) == "Purpose Intermediate CA"
    # with the intermediate given, nothing is missing
    given = load_pem_identity(signer.key_file, signer.cert_file, [ca.intermediate_file])
    assert missing_issuer(given) is None
