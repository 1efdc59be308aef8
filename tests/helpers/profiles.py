"""Profiles for tests: the corpus's whereabouts, sample payloads (a certificate-based
IKEv2 VPN, its identity and CA, made once per run) and a small profile builder."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from editor.core.model import Profile

REPO = Path(__file__).resolve().parent.parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "vpn-profiles"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.mobileconfig")) if CORPUS.is_dir() else []


IKEV2_PAYLOAD: dict[str, Any] = {
    "PayloadIdentifier": "com.example.vpn.ikev2",
    "PayloadType": "com.apple.vpn.managed",
    "PayloadUUID": "6F1E7C0A-2B7D-4E59-9C1B-3F7B2C1D4E5F",
    "PayloadVersion": 1,
    "UserDefinedName": "Example VPN",
    "VPNType": "IKEv2",
    "IKEv2": {
        "RemoteAddress": "vpn.example.com",
        "RemoteIdentifier": "vpn.example.com",
        "LocalIdentifier": "client.example.com",
        "AuthenticationMethod": "Certificate",
        "PayloadCertificateUUID": "0C4D4B4E-7E0F-4C52-8A59-2C0E5A3B1F11",
    },
}


def _sample_certificates() -> tuple[bytes, bytes]:
    """A CA certificate (DER) and a client identity (PKCS#12 with 3DES and SHA-1, as iOS
    reads it, protected by a password the profile does not store), made once per run."""
    from datetime import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    def self_signed(name: str) -> tuple[Any, Any]:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(1)
            .not_valid_before(datetime(2020, 1, 1))
            .not_valid_after(datetime(2099, 1, 1))
            .sign(key, hashes.SHA256())
        )
        return key, certificate

    _ca_key, ca = self_signed("Example VPN CA")
    client_key, client = self_signed("client.example.com")
    protection = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2048)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())
        .build(b"sample identity")
    )
    identity = pkcs12.serialize_key_and_certificates(
        b"client", client_key, client, None, protection
    )
    return ca.public_bytes(serialization.Encoding.DER), identity


SAMPLE_CA_DER, SAMPLE_IDENTITY_P12 = _sample_certificates()

PKCS12_PAYLOAD: dict[str, Any] = {
    "PayloadIdentifier": "com.example.vpn.identity",
    "PayloadType": "com.apple.security.pkcs12",
    "PayloadUUID": "0C4D4B4E-7E0F-4C52-8A59-2C0E5A3B1F11",
    "PayloadVersion": 1,
    "PayloadContent": SAMPLE_IDENTITY_P12,
}

ROOT_PAYLOAD: dict[str, Any] = {
    "PayloadIdentifier": "com.example.vpn.ca",
    "PayloadType": "com.apple.security.root",
    "PayloadUUID": "5A0B1C2D-3E4F-4A5B-8C6D-7E8F9A0B1C2D",
    "PayloadVersion": 1,
    "PayloadContent": SAMPLE_CA_DER,
}


def make_profile(*payloads: dict[str, Any], **top: Any) -> Profile:
    """A valid-looking profile around deep copies of the given payloads."""
    root: dict[str, Any] = {
        "PayloadContent": [copy.deepcopy(p) for p in payloads],
        "PayloadDisplayName": "Example",
        "PayloadIdentifier": "com.example.profile",
        "PayloadType": "Configuration",
        "PayloadUUID": "9D3C2B1A-0F9E-4D8C-B7A6-958473625140",
        "PayloadVersion": 1,
    }
    root.update(top)
    return Profile(root)
