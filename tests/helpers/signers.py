"""Signers with exactly the certificate extensions a test asks for (extended key usage,
key usage, Netscape certificate type), to check what OpenSSL's purpose check refuses."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from helpers.pki import NO_USAGE

from editor.core.signing import Identity

EKU = ExtendedKeyUsageOID
NETSCAPE_CERT_TYPE = x509.ObjectIdentifier("2.16.840.1.113730.1.1")
SIGNS = {"digital_signature": True}


@dataclass
class Signer:
    """A signer's files: key.pem, cert.pem (in `folder`)."""

    folder: Path
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def key_file(self) -> Path:
        return self.folder / "key.pem"

    @property
    def cert_file(self) -> Path:
        return self.folder / "cert.pem"

    def identity(self, *chain: x509.Certificate) -> Identity:
        return Identity(self.key, self.certificate, tuple(chain))


def make_signer(
    folder: Path,
    name: str,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    *,
    eku: list[x509.ObjectIdentifier] | None = None,
    usage: dict[str, bool] | None = None,
    netscape_type: bytes | None = None,
    ca: bool = False,
) -> Signer:
    """A certificate with exactly the extended key usage and key usage given (None: the
    extension is left out), its key and PEM files in `folder`/`name`/."""
    key = rsa.generate_private_key(65537, 2048)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if usage is not None:
        builder = builder.add_extension(x509.KeyUsage(**{**NO_USAGE, **usage}), critical=True)
    if netscape_type is not None:  # nsCertType: the DER BIT STRING as given
        builder = builder.add_extension(
            x509.UnrecognizedExtension(NETSCAPE_CERT_TYPE, netscape_type), critical=False
        )
    certificate = builder.sign(issuer_key, hashes.SHA256())
    home = folder / name
    home.mkdir(parents=True, exist_ok=True)
    signer = Signer(home, key, certificate)
    signer.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer.cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return signer
