"""Certificate files as an administrator has them: a CA in PEM, a client certificate in
DER, the client's identity as a PKCS#12 locked with PASSWORD, an expired certificate, a
file that is not a certificate and an empty one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSWORD = "correct horse"


@dataclass(frozen=True)
class Files:
    ca_pem: Path  # self-signed CA, PEM: a root payload
    client_der: Path  # the client certificate alone, DER: a pkcs1 payload
    client_p12: Path  # client key and certificate (and the CA), locked with PASSWORD
    expired_pem: Path
    garbage: Path
    empty: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Org"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: str,
    issuer: str,
    public_key: Any,
    signing_key: Any,
    ca: bool,
    not_after: datetime.datetime = datetime.datetime(2045, 1, 1, tzinfo=datetime.UTC),
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signing_key, hashes.SHA256())
    )


def build_certificate_files(folder: Path) -> Files:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Example VPN CA", "Example VPN CA", ca_key.public_key(), ca_key, True)
    client_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = _certificate(
        "client.example.com", "Example VPN CA", client_key.public_key(), ca_key, False
    )
    old_key = ec.generate_private_key(ec.SECP256R1())
    expired = _certificate(
        "old.example.com",
        "old.example.com",
        old_key.public_key(),
        old_key,
        False,
        not_after=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC),
    )
    contents = {
        "ca.pem": ca.public_bytes(serialization.Encoding.PEM),
        "client.der": client.public_bytes(serialization.Encoding.DER),
        "client.p12": pkcs12.serialize_key_and_certificates(
            b"client",
            client_key,
            client,
            [ca],
            # the encoding iPhone and iPad can open (3DES, SHA-1 MAC)
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
            .build(PASSWORD.encode()),
        ),
        "expired.pem": expired.public_bytes(serialization.Encoding.PEM),
        "garbage.cer": b"this is not a certificate\x00\x01\x02",
        "empty.pem": b"",
    }
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return Files(
        ca_pem=folder / "ca.pem",
        client_der=folder / "client.der",
        client_p12=folder / "client.p12",
        expired_pem=folder / "expired.pem",
        garbage=folder / "garbage.cer",
        empty=folder / "empty.pem",
    )
