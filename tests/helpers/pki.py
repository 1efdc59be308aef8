"""A throwaway PKI for tests, and OpenSSL as the peer that checks our work.

build_pki makes an RSA root, an intermediate under it and leaves under that (RSA and EC
P-256 with emailProtection and codeSigning, and an expired RSA one), plus an unrelated
root; PKCS#12 files come from the openssl command itself (make_p12).
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile

from editor.core.signing import load_pem_identity, sign_profile

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
PASSPHRASE = "s3cret pass"
needs_openssl = pytest.mark.skipif(not Path(OPENSSL).exists(), reason="openssl is not installed")


# A small profile to sign; the CRLF on its first line must survive signing untouched
PROFILE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\r\n'
    b'<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
    b'"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
    b'<plist version="1.0">\n<dict>\n'
    b"\t<key>PayloadContent</key>\n\t<array/>\n"
    b"\t<key>PayloadDisplayName</key>\n\t<string>Example VPN</string>\n"
    b"\t<key>PayloadIdentifier</key>\n\t<string>com.example.vpn</string>\n"
    b"\t<key>PayloadType</key>\n\t<string>Configuration</string>\n"
    b"\t<key>PayloadUUID</key>\n\t<string>9D3C2B1A-0F9E-4D8C-B7A6-958473625140</string>\n"
    b"\t<key>PayloadVersion</key>\n\t<integer>1</integer>\n"
    b"</dict>\n</plist>\n"
)

# Every key usage bit off: certificates turn on the ones they need
NO_USAGE = dict.fromkeys(
    (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    ),
    False,
)


@dataclass
class Pki:
    dir: Path
    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    ec_leaf: x509.Certificate
    ec_key: ec.EllipticCurvePrivateKey
    expired: x509.Certificate
    expired_key: rsa.RSAPrivateKey
    other_root: x509.Certificate

    def path(self, name: str) -> Path:
        return self.dir / name


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Tests"),
        ]
    )


def certificate(
    subject: str,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool,
    days: tuple[int, int] = (-1, 365),
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.subject if issuer else _name(subject))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + datetime.timedelta(days=days[0]))
        .not_valid_after(now + datetime.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    usage = dict(NO_USAGE)
    if ca:
        usage.update(key_cert_sign=True, crl_sign=True)
    else:
        usage.update(digital_signature=True, key_encipherment=isinstance(key, rsa.RSAPrivateKey))
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CODE_SIGNING]
            ),
            critical=False,
        )
    builder = builder.add_extension(x509.KeyUsage(**usage), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def build_pki(directory: Path) -> Pki:
    root_key = rsa.generate_private_key(65537, 2048)
    root = certificate("Test Root CA", root_key, None, root_key, ca=True, days=(-30, 3650))
    inter_key = rsa.generate_private_key(65537, 2048)
    inter = certificate(
        "Test Intermediate CA", inter_key, root, root_key, ca=True, days=(-30, 3650)
    )
    leaf_key = rsa.generate_private_key(65537, 2048)
    leaf = certificate("Test Signer RSA", leaf_key, inter, inter_key, ca=False)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_leaf = certificate("Test Signer EC", ec_key, inter, inter_key, ca=False)
    expired_key = rsa.generate_private_key(65537, 2048)
    expired = certificate(
        "Test Signer Expired", expired_key, inter, inter_key, ca=False, days=(-20, -2)
    )
    other_key = rsa.generate_private_key(65537, 2048)
    other = certificate("Unrelated Root", other_key, None, other_key, ca=True)
    files = {
        "root.pem": pem(root),
        "intermediate.pem": pem(inter),
        "intermediate.key": key_pem(inter_key),  # to issue more signers in a test
        "leaf.pem": pem(leaf),
        "leaf.key": key_pem(leaf_key),
        "ec.pem": pem(ec_leaf),
        "ec.key": key_pem(ec_key),
        "expired.pem": pem(expired),
        "expired.key": key_pem(expired_key),
        "other-root.pem": pem(other),
        "passphrase.txt": PASSPHRASE.encode() + b"\n",
    }
    for name, data in files.items():
        (directory / name).write_bytes(data)
    (directory / "root.der").write_bytes(root.public_bytes(serialization.Encoding.DER))
    anchors = directory / "anchors"
    anchors.mkdir()
    (anchors / "root.crt").write_bytes(pem(root))
    (anchors / "README.txt").write_text("not a certificate")
    return Pki(directory, root, inter, leaf, leaf_key, ec_leaf, ec_key, expired, expired_key, other)


def openssl(*args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([OPENSSL, *args], capture_output=True, timeout=60)
    if check:
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc


def has_legacy_provider() -> bool:
    try:
        proc = subprocess.run(
            [OPENSSL, "list", "-providers", "-provider", "legacy"], capture_output=True, timeout=30
        )
    except OSError:
        return False
    return proc.returncode == 0 and b"legacy" in proc.stdout.lower()


def make_p12(pki: Pki, name: str, *extra: str) -> Path:
    out = pki.path(name)
    if not out.exists():
        openssl(
            "pkcs12", "-export", "-inkey", str(pki.path("leaf.key")), "-in",
            str(pki.path("leaf.pem")), "-certfile", str(pki.path("intermediate.pem")),
            "-name", "Test Signer RSA", "-passout", f"pass:{PASSPHRASE}", "-out", str(out),
            *extra,
        )  # fmt: skip
    return out


def signed_file(pki: Pki, folder: Path, name: str = "signed.mobileconfig") -> Path:
    identity = load_pem_identity(
        pki.path("leaf.key"), pki.path("leaf.pem"), [pki.path("intermediate.pem")]
    )
    content = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD).to_bytes("xml")
    path = folder / name
    path.write_bytes(sign_profile(content, identity))
    return path
