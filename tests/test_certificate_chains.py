"""Files holding several certificates (a chain): every one read, in order, strictly."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from helpers.pki import OPENSSL, Pki, needs_openssl, pem
from helpers.profiles import make_profile

from editor.core.certificates import (
    CertificateError,
    certificate_payload,
    certificate_payload_from_file,
    certificates_for_payload,
    certificates_from_file,
    certificates_in_profile,
    read_certificates,
)
from editor.core.payload_types import PEM, PKCS1, ROOT


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def full_chain(pki: Pki) -> bytes:
    return pem(pki.leaf) + pem(pki.intermediate) + pem(pki.root)


def test_every_certificate_of_a_chain_in_the_file_order(pki: Pki) -> None:
    found = read_certificates(full_chain(pki), "fullchain.pem")
    assert [c.der for c in found.certificates] == [der(pki.leaf), der(pki.intermediate),
                                                   der(pki.root)]  # fmt: skip
    assert [c.name for c in found.certificates] == [
        "Test Signer RSA", "Test Intermediate CA", "Test Root CA",
    ]  # fmt: skip
    assert [c.payload_type for c in found.certificates] == [PKCS1, PKCS1, ROOT]
    assert [c.role for c in found.certificates] == [
        "certificate", "intermediate CA", "root CA, self-signed",
    ]  # fmt: skip
    assert [c.issuer_name for c in found.certificates] == [
        "Test Intermediate CA", "Test Root CA", "Test Root CA",
    ]  # fmt: skip
    leaf = found.certificates[0].info
    assert leaf.subject == pki.leaf.subject.rfc4514_string()
    assert leaf.not_after == pki.leaf.not_valid_after_utc
    assert not leaf.is_ca and not leaf.self_signed
    assert found.notes == ()


@needs_openssl
def test_payloads_hold_the_der_openssl_writes(pki: Pki, tmp_path: Path) -> None:
    chain = tmp_path / "fullchain.pem"
    chain.write_bytes(full_chain(pki))
    found = certificates_from_file(chain)
    payloads = [certificate_payload(c, "com.example.vpn", chain.name) for c in found.certificates]
    for number, (certificate, payload) in enumerate(zip(found.certificates, payloads, strict=True)):
        alone = tmp_path / f"{number}.pem"
        alone.write_bytes(pem([pki.leaf, pki.intermediate, pki.root][number]))
        openssl_der = subprocess.run(
            [OPENSSL, "x509", "-in", str(alone), "-outform", "DER"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        assert payload["PayloadContent"] == openssl_der == certificate.der
        assert payload["PayloadType"] == certificate.payload_type
        assert payload["PayloadDisplayName"] == certificate.name
        assert payload["PayloadCertificateFileName"] == "fullchain.pem"
        assert payload["PayloadIdentifier"].startswith("com.example.vpn.")
    assert len({p["PayloadUUID"] for p in payloads}) == 3


@needs_openssl
def test_the_notes_openssl_writes_between_certificates_are_no_junk(
    pki: Pki, tmp_path: Path
) -> None:
    """`openssl pkcs12 -nokeys` writes "Bag Attributes", "subject=" and "issuer=" lines
    before each certificate: a chain exported so is read whole."""
    identity = tmp_path / "identity.p12"
    identity.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer", pki.leaf_key, pki.leaf, [pki.intermediate, pki.root],
            serialization.BestAvailableEncryption(b"secret"),
        )
    )  # fmt: skip
    exported = subprocess.run(
        [OPENSSL, "pkcs12", "-in", str(identity), "-nokeys", "-passin", "pass:secret"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert b"subject=" in exported and b"Bag Attributes" in exported
    found = read_certificates(exported, "exported.pem")
    assert {c.der for c in found.certificates} == {
        der(pki.leaf), der(pki.intermediate), der(pki.root),
    }  # fmt: skip


def test_comments_titles_keys_and_repeats(pki: Pki) -> None:
    key = pki.leaf_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    data = (
        b"## Bundle of the office's certificates\n\n"
        + pem(pki.leaf)
        + b"\n# Issuer: CN=Test Root CA\nTest Intermediate CA\n====================\n"
        + pem(pki.intermediate)
        + key
        + pem(pki.leaf)  # again
        + b"\r\n"
    )
    found = read_certificates(data.replace(b"\n", b"\r\n"), "bundle.pem")
    assert [c.der for c in found.certificates] == [der(pki.leaf), der(pki.intermediate)]
    assert len(found.notes) == 2
    assert "PRIVATE KEY" in found.notes[0] and "PKCS#12" in found.notes[0]
    assert "repeats" in found.notes[1]


Pems = list[bytes]
# How a chain of two PEM certificates gets broken, and what the message says of it.
BROKEN: dict[str, tuple[Callable[[Pems], bytes], str]] = {
    "junk-text": (
        lambda c: c[0] + b"garbage\n" + c[1],
        r"line 2\d: unexpected text between certificates: 'garbage'",
    ),
    "binary": (lambda c: c[0] + b"junk junk\x00\x01\n" + c[1], r"line 2\d: binary data"),
    "cut-short": (
        lambda c: c[0] + c[1][: len(c[1]) // 2],
        r"line 2\d: the CERTIFICATE block has no END line",
    ),
    "no-end": (
        lambda c: c[0].replace(b"-----END CERTIFICATE-----\n", b"") + c[1],
        r"line 1: the CERTIFICATE block has no END line before line 2\d",
    ),
    "damaged-marker": (
        lambda c: c[0][:-30] + c[1],
        r"line 2\d: a damaged BEGIN or END line: '.*-----BEGIN CERTIFICATE-----'",
    ),
    "bad-base64": (
        lambda c: c[0] + c[1].replace(b"MII", b"M!I", 1),
        r"certificate 2 \(line 2\d\): its base64 text is broken",
    ),
    "not-a-certificate": (
        lambda c: c[0] + c[1].replace(b"MII", b"AII", 1),
        r"certificate 2 \(line 2\d\): its data is not a readable certificate",
    ),
    "stray-end": (
        lambda c: c[0] + b"-----END CERTIFICATE-----\n" + c[1],
        r"line 2\d: an END line without its BEGIN",
    ),
    "bare-base64": (
        lambda c: c[0] + c[1].split(b"\n", 1)[1] + c[1],
        r"line 2\d: certificate data outside BEGIN and END lines",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_chain_is_an_error_naming_the_file_and_the_fault(
    pki: Pki, tmp_path: Path, case: str
) -> None:
    make, fault = BROKEN[case]
    data = make([pem(pki.leaf), pem(pki.intermediate)])
    with pytest.raises(CertificateError, match=r"^chain\.pem: " + fault):
        read_certificates(data, "chain.pem")
    # nor does the one-payload reader take the first certificate of it silently
    path = tmp_path / "chain.pem"
    path.write_bytes(data)
    with pytest.raises(CertificateError, match=r"^chain\.pem: "):
        certificate_payload_from_file(path)


def test_the_certificates_a_profile_holds(pki: Pki) -> None:
    profile = make_profile(
        {"PayloadType": ROOT, "PayloadContent": der(pki.root)},
        {"PayloadType": "com.apple.vpn.managed", "PayloadContent": der(pki.leaf)},  # not one
        {"PayloadType": PEM, "PayloadContent": pem(pki.intermediate)},
        {"PayloadType": PKCS1, "PayloadContent": der(pki.root)},  # the same again
        {"PayloadType": PKCS1, "PayloadContent": b"not a certificate"},
    )
    held = certificates_in_profile(profile)
    assert held[der(pki.root)] == 0
    assert held[der(pki.intermediate)] == 2
    assert der(pki.leaf) not in held


def test_the_certificate_of_a_chain_that_fits_a_payload(pki: Pki) -> None:
    found = read_certificates(full_chain(pki), "fullchain.pem").certificates
    leaf, intermediate, root = found
    assert certificates_for_payload(found, ROOT) == [root]
    assert certificates_for_payload(found, PKCS1) == [leaf, intermediate]  # the user picks
    # a payload holding the old intermediate: the one with its subject is its renewal
    assert certificates_for_payload(found, PKCS1, der(pki.intermediate)) == [intermediate]
    assert certificates_for_payload(found, PKCS1, b"not a certificate") == [leaf, intermediate]
    # a file of one certificate: that one, whatever the payload
    only = read_certificates(pem(pki.leaf), "leaf.pem").certificates
    assert certificates_for_payload(only, ROOT) == list(only)
    # no root in the file: nothing fits a root payload (the user picks among all)
    assert certificates_for_payload(found[:2], ROOT) == []
