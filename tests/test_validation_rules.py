"""Every problem code the validation engine emits: a minimal profile that triggers it
(exact code, severity and key path) and the same profile fixed (the code is gone there).

Profiles are the conftest baseline (IKEv2 with certificate authentication, its PKCS#12
identity and a root CA) or one of the small samples below, changed by a list of
(path, value) edits.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers.profiles import (
    IKEV2_PAYLOAD,
    PKCS12_PAYLOAD,
    ROOT_PAYLOAD,
    SAMPLE_CA_DER,
    make_profile,
)

from editor.core.model import KeyPath, Profile
from editor.core.platforms import Target
from editor.core.schema import Schema
from editor.core.schema_loader import load_schema
from editor.core.validation.context import Options
from editor.core.validation.engine import validate_profile
from editor.core.validation.problems import CODES, Problem, Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# --- samples ------------------------------------------------------------------------

P0: KeyPath = ("PayloadContent", 0)
IK: KeyPath = (*P0, "IKEv2")
PKCS12_UUID = PKCS12_PAYLOAD["PayloadUUID"]
ROOT_UUID = ROOT_PAYLOAD["PayloadUUID"]
VPN_UUID = IKEV2_PAYLOAD["PayloadUUID"]
TOP_UUID = "9D3C2B1A-0F9E-4D8C-B7A6-958473625140"  # make_profile's PayloadUUID

PROVIDER_PAYLOAD: dict[str, Any] = {
    "PayloadIdentifier": "com.example.vpn.provider",
    "PayloadType": "com.apple.vpn.managed",
    "PayloadUUID": "1B2C3D4E-5F60-4A7B-8C9D-0E1F2A3B4C5D",
    "PayloadVersion": 1,
    "UserDefinedName": "Provider VPN",
    "VPNType": "VPN",
    "VPNSubType": "com.example.vpnapp",
    "VPN": {
        "RemoteAddress": "vpn.example.com",
        "AuthenticationMethod": "Certificate",
        "PayloadCertificateUUID": PKCS12_UUID,
        "ProviderBundleIdentifier": "com.example.vpnapp.tunnel",
        "ProviderDesignatedRequirement": 'identifier "com.example.vpnapp.tunnel"',
    },
}

IPSEC_PAYLOAD: dict[str, Any] = {
    "PayloadIdentifier": "com.example.vpn.ipsec",
    "PayloadType": "com.apple.vpn.managed",
    "PayloadUUID": "2C3D4E5F-6071-4B8C-9DAE-1F2A3B4C5D6E",
    "PayloadVersion": 1,
    "UserDefinedName": "Cisco IPSec",
    "VPNType": "IPSec",
    "IPSec": {
        "RemoteAddress": "vpn.example.com",
        "AuthenticationMethod": "SharedSecret",
        "LocalIdentifier": "vpngroup",
        "LocalIdentifierType": "KeyID",
        "SharedSecret": b"group secret",
    },
}

L2TP_PAYLOAD: dict[str, Any] = {
    "PayloadIdentifier": "com.example.vpn.l2tp",
    "PayloadType": "com.apple.vpn.managed",
    "PayloadUUID": "3D4E5F60-7182-4C9D-AEBF-2A3B4C5D6E7F",
    "PayloadVersion": 1,
    "UserDefinedName": "L2TP",
    "VPNType": "L2TP",
    "PPP": {"CommRemoteAddress": "vpn.example.com", "AuthName": "user"},
    "IPSec": {"AuthenticationMethod": "SharedSecret", "SharedSecret": b"secret"},
}

APPLAYER_PAYLOAD: dict[str, Any] = {
    **copy.deepcopy(IKEV2_PAYLOAD),
    "PayloadIdentifier": "com.example.vpn.perapp",
    "PayloadType": "com.apple.vpn.managed.applayer",
    "PayloadUUID": "4E5F6071-8293-4DAE-BFC0-3B4C5D6E7F80",
    "VPNUUID": "perapp-vpn-1",
}

APPMAPPING_PAYLOAD: dict[str, Any] = {
    "PayloadIdentifier": "com.example.vpn.appmapping",
    "PayloadType": "com.apple.vpn.managed.appmapping",
    "PayloadUUID": "5F607182-93A4-4EBF-80D1-4C5D6E7F8091",
    "PayloadVersion": 1,
    "AppLayerVPNMapping": [
        {
            "Identifier": "com.example.app",
            "VPNUUID": "perapp-vpn-1",
            "DesignatedRequirement": 'identifier "com.example.app"',
            "SigningIdentifier": "com.example.app",
        }
    ],
}

_TUNNEL: dict[str, Any] = {
    "ProtocolType": "IKEv2",
    "RemoteAddress": "vpn.example.com",
    "RemoteIdentifier": "vpn.example.com",
    "LocalIdentifier": "client.example.com",
    "AuthenticationMethod": "Certificate",
    "PayloadCertificateUUID": PKCS12_UUID,
}

ALWAYSON_PAYLOAD: dict[str, Any] = {
    "PayloadIdentifier": "com.example.vpn.alwayson",
    "PayloadType": "com.apple.vpn.managed",
    "PayloadUUID": "60718293-A4B5-4FC0-91E2-5D6E7F8091A2",
    "PayloadVersion": 1,
    "UserDefinedName": "Always On",
    "VPNType": "AlwaysOn",
    "AlwaysOn": {
        "TunnelConfigurations": [
            {**_TUNNEL, "Interfaces": ["Cellular"]},
            {**_TUNNEL, "Interfaces": ["WiFi"]},
        ]
    },
}

ACME_PAYLOAD: dict[str, Any] = {
    "PayloadIdentifier": "com.example.vpn.acme",
    "PayloadType": "com.apple.security.acme",
    "PayloadUUID": "718293A4-B5C6-4D01-A2F3-6E7F8091A2B3",
    "PayloadVersion": 1,
    "DirectoryURL": "https://acme.example.com/directory",
    "ClientIdentifier": "client-1",
    "KeySize": 384,
    "KeyType": "ECSECPrimeRandom",
    "HardwareBound": True,
    "Subject": [[["CN", "client.example.com"]]],
}


@functools.cache
def _another_ca(name: str) -> bytes:
    """A CA certificate of its own (DER): two CA payloads with one certificate would be a
    duplicate-certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(datetime(2020, 1, 1))
        .not_valid_after(datetime(2099, 1, 1))
        .sign(key, hashes.SHA256())
        .public_bytes(Encoding.DER)
    )


def root_payload(uuid: str, identifier: str) -> dict[str, Any]:
    return {
        **copy.deepcopy(ROOT_PAYLOAD),
        "PayloadUUID": uuid,
        "PayloadIdentifier": identifier,
        "PayloadContent": _another_ca(identifier),
    }


# Real PKCS#12 identities and a real encrypted-payload envelope, made once per run.
P12_PASSWORD = "p12 secret"


def _private_key(kind: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def _self_signed(key: Any) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client.example.com")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2020, 1, 1))
        .not_valid_after(datetime(2099, 1, 1))
        .sign(key, None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256())
    )


def _p12(key: Any, protection: str = "legacy", with_key: bool = True) -> bytes:
    """legacy: 3DES and a SHA-1 MAC (what iOS reads); aes: the library's modern default
    (PBES2, AES-256, SHA-256 MAC); none: no password at all."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    secret = P12_PASSWORD.encode()
    encryption: Any = serialization.NoEncryption()
    if protection == "legacy":
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
            .build(secret)
        )
    elif protection == "aes":
        encryption = serialization.BestAvailableEncryption(secret)
    return pkcs12.serialize_key_and_certificates(
        b"client", key if with_key else None, _self_signed(key), None, encryption
    )


_EC_KEY, _RSA_KEY = _private_key("ec"), _private_key("rsa")
EC_P12 = _p12(_EC_KEY)
AES_P12 = _p12(_EC_KEY, "aes")
OPEN_P12 = _p12(_EC_KEY, "none")
RSA_P12 = _p12(_RSA_KEY)
ED25519_P12 = _p12(_private_key("ed25519"))
KEYLESS_P12 = _p12(_EC_KEY, "none", with_key=False)


def _envelope() -> bytes:
    from editor.core.encryption import encrypt_profile

    encrypted = encrypt_profile(make_profile(IKEV2_PAYLOAD).root, [_self_signed(_RSA_KEY)])
    envelope: bytes = encrypted["EncryptedPayloadContent"]
    return envelope


ENVELOPE = _envelope()

IDENTITY_PAYLOAD: dict[str, Any] = {
    **PKCS12_PAYLOAD,
    "PayloadContent": EC_P12,
    "Password": P12_PASSWORD,
}
EC_IKEV2_PAYLOAD: dict[str, Any] = copy.deepcopy(IKEV2_PAYLOAD)
EC_IKEV2_PAYLOAD["IKEv2"].update(
    {"CertificateType": "ECDSA256", "ServerCertificateIssuerCommonName": "Example VPN CA"}
)


STD = (IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD)
PROVIDER = (PROVIDER_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD)
IPSEC = (IPSEC_PAYLOAD,)
L2TP = (L2TP_PAYLOAD,)
PERAPP = (APPLAYER_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD)
MAPPING = (APPLAYER_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, APPMAPPING_PAYLOAD)
ALWAYSON = (ALWAYSON_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD)
REAL = (EC_IKEV2_PAYLOAD, IDENTITY_PAYLOAD, ROOT_PAYLOAD)  # a PKCS#12 iOS can open

# --- edits ------------------------------------------------------------------------------

DEL: Any = type("Delete", (), {"__repr__": lambda self: "DEL"})()
Edits = tuple[tuple[KeyPath, Any], ...]


def apply(root: dict[str, Any], edits: Edits) -> None:
    """Set (or with DEL remove) each path; an index one past an array's end appends."""
    for path, value in edits:
        parent: Any = root
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if value is DEL:
            del parent[last]
        elif isinstance(parent, list) and last == len(parent):
            parent.append(copy.deepcopy(value))
        else:
            parent[last] = copy.deepcopy(value)


def edited(payloads: Sequence[dict[str, Any]], *edit_lists: Edits) -> Profile:
    profile = make_profile(*payloads)
    for edits in edit_lists:
        apply(profile.root, edits)
    return profile


def check(
    profile: Profile, schema: Schema, targets: Sequence[str] = (), strict: bool = False
) -> list[Problem]:
    return validate_profile(
        profile,
        schema,
        Options(targets=tuple(Target.parse(t) for t in targets), strict=strict),
    )


def at(problems: list[Problem], code: str, path: KeyPath) -> list[Problem]:
    return [p for p in problems if p.code == code and p.path == path]


def loud(problems: list[Problem]) -> list[tuple[str, str, KeyPath]]:
    """Errors and warnings, shown readably in assertion messages."""
    return [(p.severity.value, p.code, p.path) for p in problems if p.severity is not INFO]


def _pem(der: bytes) -> bytes:
    import base64
    import textwrap

    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n".encode()


# --- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    payloads: tuple[dict[str, Any], ...]
    bad: Edits  # applied to the payloads: the code must fire once, at path, with severity
    good: Edits  # applied on top of bad: the code must be gone at path
    code: str
    severity: Severity
    path: KeyPath
    targets: tuple[str, ...] = ()
    good_targets: tuple[str, ...] | None = None
    clean: bool = True  # the fixed profile has no errors and no warnings at all
    strict: bool = False  # validate as --strict does


def case(
    id: str,
    payloads: tuple[dict[str, Any], ...],
    bad: Edits,
    good: Edits,
    code: str,
    severity: Severity,
    path: KeyPath,
    **more: Any,
) -> Any:
    return pytest.param(Case(id, payloads, bad, good, code, severity, path, **more), id=id)


PQ = (*IK, "IKESecurityAssociationParameters", "PostQuantumKeyExchangeMethods")
IKE_SA = (*IK, "IKESecurityAssociationParameters")
CHILD_SA = (*IK, "ChildSecurityAssociationParameters")
EAP_NO_CERT: Edits = (
    ((*IK, "AuthenticationMethod"), "None"),
    ((*IK, "ExtendedAuthEnabled"), 1),
    ((*IK, "PayloadCertificateUUID"), DEL),
)
NEW_UUID = "8293A4B5-C6D7-4E12-B304-7F8091A2B3C4"
P1: KeyPath = ("PayloadContent", 1)
T0: KeyPath = (*P0, "AlwaysOn", "TunnelConfigurations", 0)
RULES: KeyPath = (*IK, "OnDemandRules")
EVALUATE_RULES = [
    {
        "Action": "EvaluateConnection",
        "InterfaceTypeMatch": "WiFi",
        "ActionParameters": [
            {
                "Domains": ["intranet.example.com"],
                "DomainAction": "NeverConnect",
                "RequiredDNSServers": ["10.0.0.53"],
            }
        ],
    },
    {"Action": "Disconnect"},
]

SCHEMA_CASES = [
    # type mismatches, both directions, and data vs string
    case(
        "bool-for-integer",
        STD,
        (((*IK, "DisableMOBIKE"), True),),
        (((*IK, "DisableMOBIKE"), 1),),
        "type-coercion",
        WARNING,
        (*IK, "DisableMOBIKE"),
    ),
    case(
        "false-for-integer-flag",
        STD,
        (((*IK, "OnDemandEnabled"), False),),
        (((*IK, "OnDemandEnabled"), 0),),
        "type-coercion",
        WARNING,
        (*IK, "OnDemandEnabled"),
    ),
    case(
        "integer-for-boolean-top",
        STD,
        ((("HasRemovalPasscode",), 1),),
        ((("HasRemovalPasscode",), False),),
        "type-coercion",
        WARNING,
        ("HasRemovalPasscode",),
    ),
    case(
        "integer-for-boolean-payload",
        STD,
        ((("PayloadContent", 1, "AllowAllAppsAccess"), 1),),
        ((("PayloadContent", 1, "AllowAllAppsAccess"), True),),
        "type-coercion",
        WARNING,
        ("PayloadContent", 1, "AllowAllAppsAccess"),
    ),
    case(
        "string-for-data",
        STD,
        ((("PayloadContent", 2, "PayloadContent"), "MIIBszCCAVmgAwIBAgIU"),),
        ((("PayloadContent", 2, "PayloadContent"), SAMPLE_CA_DER),),
        "type-mismatch",
        ERROR,
        ("PayloadContent", 2, "PayloadContent"),
    ),
    case(
        "string-for-data-ipsec-secret",
        IPSEC,
        (((*P0, "IPSec", "SharedSecret"), "group secret"),),
        (((*P0, "IPSec", "SharedSecret"), b"group secret"),),
        "type-mismatch",
        ERROR,
        (*P0, "IPSec", "SharedSecret"),
    ),
    case(
        "data-for-string-ikev2-secret",
        STD,
        (
            ((*IK, "AuthenticationMethod"), "SharedSecret"),
            ((*IK, "SharedSecret"), b"secret"),
            ((*IK, "PayloadCertificateUUID"), DEL),
        ),
        (((*IK, "SharedSecret"), "secret"),),
        "type-mismatch",
        ERROR,
        (*IK, "SharedSecret"),
    ),
    case(
        "string-for-integer",
        STD,
        (((*IK, "MTU"), "1300"),),
        (((*IK, "MTU"), 1300),),
        "type-mismatch",
        ERROR,
        (*IK, "MTU"),
    ),
    case(
        "string-for-dictionary",
        STD,
        (((*IK, "IKESecurityAssociationParameters"), "AES-256"),),
        (((*IK, "IKESecurityAssociationParameters"), {"EncryptionAlgorithm": "AES-256"}),),
        "type-mismatch",
        ERROR,
        IKE_SA,
    ),
    case(
        "dictionary-for-array",
        STD,
        (((*P0, "DNS"), {"DNSProtocol": "Cleartext", "ServerAddresses": {"a": "10.0.0.1"}}),),
        (((*P0, "DNS", "ServerAddresses"), ["10.0.0.1"]),),
        "type-mismatch",
        ERROR,
        (*P0, "DNS", "ServerAddresses"),
    ),
    case(
        "real-for-integer-top",
        STD,
        ((("PayloadVersion",), 1.0),),
        ((("PayloadVersion",), 1),),
        "type-coercion",
        WARNING,
        ("PayloadVersion",),
    ),
    # presence
    case(
        "required-key",
        STD,
        (((*IK, "RemoteAddress"), DEL),),
        (((*IK, "RemoteAddress"), "vpn.example.com"),),
        "required-missing",
        ERROR,
        (*IK, "RemoteAddress"),
    ),
    case(
        "required-payload-version",
        STD,
        (((*P0, "PayloadVersion"), DEL),),
        (((*P0, "PayloadVersion"), 1),),
        "required-missing",
        ERROR,
        (*P0, "PayloadVersion"),
    ),
    case(
        "required-top-uuid",
        STD,
        ((("PayloadUUID",), DEL),),
        ((("PayloadUUID",), TOP_UUID),),
        "required-missing",
        ERROR,
        ("PayloadUUID",),
    ),
    case(
        "required-top-version",
        STD,
        ((("PayloadVersion",), DEL),),
        ((("PayloadVersion",), 1),),
        "required-missing",
        ERROR,
        ("PayloadVersion",),
    ),
    case(
        "required-in-array-item",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            ((*IK, "OnDemandRules"), [{"InterfaceTypeMatch": "WiFi"}, {"Action": "Connect"}]),
        ),
        (((*IK, "OnDemandRules", 0, "Action"), "Disconnect"),),
        "required-missing",
        ERROR,
        (*IK, "OnDemandRules", 0, "Action"),
    ),
    case(
        "required-unknown-payload-type-common",
        STD,
        (
            (
                ("PayloadContent", 3),
                {
                    "PayloadType": "com.apple.wifi.managed",
                    "PayloadVersion": 1,
                    "PayloadUUID": NEW_UUID,
                },
            ),
        ),
        ((("PayloadContent", 3, "PayloadIdentifier"), "com.example.custom"),),
        "required-missing",
        ERROR,
        ("PayloadContent", 3, "PayloadIdentifier"),
    ),
    case(
        "required-when-certificate",
        STD,
        (((*IK, "PayloadCertificateUUID"), DEL),),
        (((*IK, "PayloadCertificateUUID"), PKCS12_UUID),),
        "required-when-missing",
        ERROR,
        (*IK, "PayloadCertificateUUID"),
    ),
    case(
        "required-when-shared-secret",
        STD,
        (((*IK, "AuthenticationMethod"), "SharedSecret"), ((*IK, "PayloadCertificateUUID"), DEL)),
        (((*IK, "SharedSecret"), "secret"),),
        "required-when-missing",
        ERROR,
        (*IK, "SharedSecret"),
    ),
    case(
        "required-when-ikev2-dictionary",
        STD,
        (((*IK,), DEL),),
        (((*IK,), IKEV2_PAYLOAD["IKEv2"]),),
        "required-when-missing",
        ERROR,
        IK,
    ),
    case(
        "required-when-empty-subtype",
        PROVIDER,
        (((*P0, "VPNSubType"), ""),),
        (((*P0, "VPNSubType"), "com.example.vpnapp"),),
        "empty-value",
        ERROR,
        (*P0, "VPNSubType"),
    ),
    case(
        "required-when-empty-certificate",
        STD,
        (((*IK, "PayloadCertificateUUID"), ""),),
        (((*IK, "PayloadCertificateUUID"), PKCS12_UUID),),
        "empty-value",
        ERROR,
        (*IK, "PayloadCertificateUUID"),
    ),
    case(
        "required-when-subtype",
        PROVIDER,
        (((*P0, "VPNSubType"), DEL),),
        (((*P0, "VPNSubType"), "com.example.vpnapp"),),
        "required-when-missing",
        ERROR,
        (*P0, "VPNSubType"),
    ),
    case(
        "required-when-doh-url",
        STD,
        (((*P0, "DNS"), {"DNSProtocol": "HTTPS"}),),
        (((*P0, "DNS", "ServerURL"), "https://dns.example.com/dns-query"),),
        "required-when-missing",
        ERROR,
        (*P0, "DNS", "ServerURL"),
    ),
    case(
        "required-when-dot-name",
        STD,
        (((*P0, "DNS"), {"DNSProtocol": "TLS"}),),
        (((*P0, "DNS", "ServerName"), "dns.example.com"),),
        "required-when-missing",
        ERROR,
        (*P0, "DNS", "ServerName"),
    ),
    case(
        "required-when-proxy-port",
        STD,
        (((*P0, "Proxies"), {"HTTPEnable": 1, "HTTPProxy": "proxy.example.com"}),),
        (((*P0, "Proxies", "HTTPPort"), 8080),),
        "required-when-missing",
        ERROR,
        (*P0, "Proxies", "HTTPPort"),
    ),
    case(
        "required-when-ppk-identifier",
        STD,
        (((*IK, "PPK"), b"0123456789abcdef"),),
        (((*IK, "PPKIdentifier"), "ppk-1"),),
        "required-when-missing",
        ERROR,
        (*IK, "PPKIdentifier"),
    ),
    case(
        "required-when-alwayson",
        ALWAYSON,
        (((*P0, "AlwaysOn"), DEL),),
        (((*P0, "AlwaysOn"), ALWAYSON_PAYLOAD["AlwaysOn"]),),
        "required-when-missing",
        ERROR,
        (*P0, "AlwaysOn"),
    ),
    case(
        "required-top-identifier",
        STD,
        ((("PayloadIdentifier",), DEL),),
        ((("PayloadIdentifier",), "com.example.profile"),),
        "required-missing",
        ERROR,
        ("PayloadIdentifier",),
    ),
    case(
        "required-when-payload-content",
        STD,
        ((("PayloadContent",), DEL),),
        ((("PayloadContent",), [IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD]),),
        "required-when-missing",
        ERROR,
        ("PayloadContent",),
    ),
    case(
        "required-when-issuer-name-eap",
        STD,
        (
            ((*IK, "CertificateType"), "RSA"),
            ((*IK, "ExtendedAuthEnabled"), 1),
            ((*IK, "AuthName"), "user"),
        ),
        (((*IK, "ServerCertificateIssuerCommonName"), "Example VPN CA"),),
        "required-when-missing",
        ERROR,
        (*IK, "ServerCertificateIssuerCommonName"),
    ),
    case(
        "required-vpnuuid",
        PERAPP,
        (((*P0, "VPNUUID"), DEL),),
        (((*P0, "VPNUUID"), "perapp-vpn-1"),),
        "required-missing",
        ERROR,
        (*P0, "VPNUUID"),
    ),
    case(
        "required-mapping-signing-identifier",
        MAPPING,
        ((("PayloadContent", 3, "AppLayerVPNMapping", 0, "SigningIdentifier"), DEL),),
        (
            (
                ("PayloadContent", 3, "AppLayerVPNMapping", 0, "SigningIdentifier"),
                "com.example.app",
            ),
        ),
        "required-missing",
        ERROR,
        ("PayloadContent", 3, "AppLayerVPNMapping", 0, "SigningIdentifier"),
        targets=("macos:14",),
    ),
    # values, ranges, formats, lengths
    case(
        "value-auth-method",
        STD,
        (((*IK, "AuthenticationMethod"), "Password"),),
        (((*IK, "AuthenticationMethod"), "Certificate"),),
        "value-not-allowed",
        ERROR,
        (*IK, "AuthenticationMethod"),
    ),
    case(
        "value-certificate-type-ed25519",
        STD,
        (((*IK, "CertificateType"), "Ed25519"),),
        (((*IK, "CertificateType"), "RSA"), ((*IK, "ServerCertificateIssuerCommonName"), "CA")),
        "value-not-allowed",
        ERROR,
        (*IK, "CertificateType"),
    ),
    case(
        "value-payload-version",
        STD,
        ((("PayloadVersion",), 2),),
        ((("PayloadVersion",), 1),),
        "value-not-allowed",
        ERROR,
        ("PayloadVersion",),
    ),
    case(
        "value-inner-payload-version",
        STD,
        (((*P0, "PayloadVersion"), 2),),
        (((*P0, "PayloadVersion"), 1),),
        "value-not-allowed",
        ERROR,
        (*P0, "PayloadVersion"),
    ),
    case(
        "value-dh-group",
        STD,
        (((*IKE_SA,), {"DiffieHellmanGroup": 3}),),
        (((*IKE_SA, "DiffieHellmanGroup"), 14),),
        "value-not-allowed",
        ERROR,
        (*IKE_SA, "DiffieHellmanGroup"),
    ),
    case(
        "value-vpn-type-case",
        STD,
        (((*P0, "VPNType"), "ikev2"),),
        (((*P0, "VPNType"), "IKEv2"),),
        "value-not-allowed",
        ERROR,
        (*P0, "VPNType"),
    ),
    case(
        "value-target-device-type",
        STD,
        ((("TargetDeviceType",), 7),),
        ((("TargetDeviceType",), 1),),
        "value-not-allowed",
        ERROR,
        ("TargetDeviceType",),
    ),
    case(
        "range-mtu-high",
        STD,
        (((*IK, "MTU"), 1500),),
        (((*IK, "MTU"), 1400),),
        "out-of-range",
        ERROR,
        (*IK, "MTU"),
    ),
    case(
        "range-lifetime-low",
        STD,
        (((*IKE_SA,), {"LifeTimeInMinutes": 5}),),
        (((*IKE_SA, "LifeTimeInMinutes"), 10),),
        "out-of-range",
        ERROR,
        (*IKE_SA, "LifeTimeInMinutes"),
    ),
    case(
        "range-nat-keepalive",
        STD,
        (((*IK, "NATKeepAliveInterval"), 19),),
        (((*IK, "NATKeepAliveInterval"), 20),),
        "out-of-range",
        ERROR,
        (*IK, "NATKeepAliveInterval"),
    ),
    case(
        "range-proxy-port",
        STD,
        (
            (
                (*P0, "Proxies"),
                {"HTTPEnable": 1, "HTTPProxy": "proxy.example.com", "HTTPPort": 65536},
            ),
        ),
        (((*P0, "Proxies", "HTTPPort"), 65535),),
        "out-of-range",
        ERROR,
        (*P0, "Proxies", "HTTPPort"),
    ),
    case(
        "format-host-with-scheme",
        STD,
        (((*IK, "RemoteAddress"), "https://vpn.example.com"),),
        (((*IK, "RemoteAddress"), "vpn.example.com"),),
        "format-invalid",
        WARNING,
        (*IK, "RemoteAddress"),
    ),
    case(
        "format-https-url",
        STD,
        (((*P0, "DNS"), {"DNSProtocol": "HTTPS", "ServerURL": "http://dns.example.com/q"}),),
        (((*P0, "DNS", "ServerURL"), "https://dns.example.com/q"),),
        "format-invalid",
        ERROR,
        (*P0, "DNS", "ServerURL"),
    ),
    case(
        "format-reverse-dns",
        STD,
        (((*P0, "PayloadIdentifier"), "my vpn"),),
        (((*P0, "PayloadIdentifier"), "com.example.vpn.ikev2"),),
        "format-invalid",
        WARNING,
        (*P0, "PayloadIdentifier"),
    ),
    case(
        "format-ip-in-array",
        STD,
        (
            (
                (*P0, "DNS"),
                {"DNSProtocol": "Cleartext", "ServerAddresses": ["10.0.0.1", "10.0.0.300"]},
            ),
        ),
        (((*P0, "DNS", "ServerAddresses", 1), "10.0.0.3"),),
        "format-invalid",
        WARNING,
        (*P0, "DNS", "ServerAddresses", 1),
    ),
    case(
        "format-uuid-top",
        STD,
        ((("PayloadUUID",), "9D3C2B1A-0F9E-4D8C-B7A6"),),
        ((("PayloadUUID",), TOP_UUID),),
        "format-invalid",
        WARNING,
        ("PayloadUUID",),
    ),
    case(
        "array-too-long",
        STD,
        (((*IKE_SA,), {"PostQuantumKeyExchangeMethods": [36] * 8}),),
        ((PQ, [36]),),
        "array-length",
        ERROR,
        PQ,
    ),
    case(
        "array-too-short-scep-subject",
        STD,
        (
            (
                ("PayloadContent", 3),
                {
                    "PayloadType": "com.apple.security.scep",
                    "PayloadVersion": 1,
                    "PayloadUUID": NEW_UUID,
                    "PayloadIdentifier": "com.example.scep",
                    "PayloadContent": {
                        "URL": "https://scep.example.com/",
                        "Challenge": "",
                        "Subject": [[["CN"]]],
                    },
                },
            ),
        ),
        ((("PayloadContent", 3, "PayloadContent", "Subject", 0, 0), ["CN", "client"]),),
        "array-length",
        ERROR,
        ("PayloadContent", 3, "PayloadContent", "Subject", 0, 0),
        clean=False,
    ),  # see test_subject_with_one_name_component_is_valid
    case(
        "empty-required-string",
        STD,
        (((*IK, "RemoteAddress"), ""),),
        (((*IK, "RemoteAddress"), "vpn.example.com"),),
        "empty-value",
        ERROR,
        (*IK, "RemoteAddress"),
    ),
    case(
        "empty-identifier",
        STD,
        (((*P0, "PayloadIdentifier"), ""),),
        (((*P0, "PayloadIdentifier"), "com.example.vpn.ikev2"),),
        "empty-value",
        ERROR,
        (*P0, "PayloadIdentifier"),
    ),
    # unknown, misplaced, not applicable
    case(
        "unknown-key",
        STD,
        (((*P0, "CustomFlag"), 1),),
        (((*P0, "CustomFlag"), DEL),),
        "unknown-key",
        INFO,
        (*P0, "CustomFlag"),
    ),
    case(
        "unknown-nested-key",
        STD,
        (((*IK, "RemoteAdress"), "typo.example.com"),),
        (((*IK, "RemoteAdress"), DEL),),
        "unknown-key",
        INFO,
        (*IK, "RemoteAdress"),
    ),
    case(
        "unknown-top-key",
        STD,
        ((("X-Generator",), "tool 1.0"),),
        ((("X-Generator",), DEL),),
        "unknown-key",
        INFO,
        ("X-Generator",),
    ),
    case(
        "misplaced-key",
        STD,
        (((*P0, "RemoteAddress"), "vpn.example.com"),),
        (((*P0, "RemoteAddress"), DEL),),
        "misplaced-key",
        WARNING,
        (*P0, "RemoteAddress"),
    ),
    case(
        "misplaced-sa-key",
        STD,
        (((*IK, "DiffieHellmanGroup"), 14),),
        (((*IK, "DiffieHellmanGroup"), DEL), ((*IKE_SA,), {"DiffieHellmanGroup": 14})),
        "misplaced-key",
        WARNING,
        (*IK, "DiffieHellmanGroup"),
    ),
    case(
        "not-applicable-eap-name",
        STD,
        (((*IK, "AuthName"), "user"),),
        (((*IK, "ExtendedAuthEnabled"), 1),),
        "not-applicable",
        WARNING,
        (*IK, "AuthName"),
    ),
    case(
        "not-applicable-dictionary",
        STD,
        (((*P0, "PPP"), {"AuthName": "user"}),),
        (((*P0, "PPP"), DEL),),
        "not-applicable",
        WARNING,
        (*P0, "PPP"),
    ),
    case(
        "not-applicable-doh-url-for-tls",
        STD,
        (
            (
                (*P0, "DNS"),
                {
                    "DNSProtocol": "TLS",
                    "ServerName": "dns.example.com",
                    "ServerURL": "https://dns.example.com/q",
                },
            ),
        ),
        (((*P0, "DNS", "ServerURL"), DEL),),
        "not-applicable",
        WARNING,
        (*P0, "DNS", "ServerURL"),
    ),
    case(
        "not-applicable-pac-url",
        STD,
        (((*P0, "Proxies"), {"ProxyAutoConfigURLString": "https://proxy.example.com/a.pac"}),),
        (((*P0, "Proxies", "ProxyAutoConfigEnable"), 1),),
        "not-applicable",
        WARNING,
        (*P0, "Proxies", "ProxyAutoConfigURLString"),
    ),
    case(
        "not-applicable-exclude-without-include-all",
        STD,
        (((*IK, "ExcludeAPNs"), 0),),
        (((*IK, "IncludeAllNetworks"), 1),),
        "not-applicable",
        WARNING,
        (*IK, "ExcludeAPNs"),
    ),
    case(
        "not-applicable-action-parameters",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            ((*IK, "OnDemandRules"), EVALUATE_RULES),
            ((*RULES, 0, "Action"), "Connect"),
        ),
        (
            ((*RULES, 0, "Action"), "EvaluateConnection"),
            ((*RULES, 0, "ActionParameters", 0, "DomainAction"), "ConnectIfNeeded"),
        ),
        "not-applicable",
        WARNING,
        (*RULES, 0, "ActionParameters"),
    ),
    case(
        "not-applicable-required-dns-servers",
        STD,
        (((*IK, "OnDemandEnabled"), 1), ((*IK, "OnDemandRules"), EVALUATE_RULES)),
        (((*RULES, 0, "ActionParameters", 0, "DomainAction"), "ConnectIfNeeded"),),
        "not-applicable",
        WARNING,
        (*RULES, 0, "ActionParameters", 0, "RequiredDNSServers"),
    ),
    case(
        "not-applicable-encrypted-content",
        STD,
        ((("EncryptedPayloadContent",), b"\x30\x80"),),
        ((("EncryptedPayloadContent",), DEL),),
        "not-applicable",
        WARNING,
        ("EncryptedPayloadContent",),
        clean=False,
    ),
    case(
        "not-apple-payload-type",
        STD,
        (
            (
                ("PayloadContent", 3),
                {
                    "PayloadType": "com.example.custom",
                    "PayloadVersion": 1,
                    "PayloadUUID": NEW_UUID,
                    "PayloadIdentifier": "com.example.custom",
                    "CustomKey": [1, 2],
                },
            ),
        ),
        ((("PayloadContent", 3), root_payload(NEW_UUID, "com.example.ca2")),),
        "not-apple-payload-type",
        WARNING,
        ("PayloadContent", 3, "PayloadType"),
    ),
    case(
        "not-a-dictionary",
        STD,
        ((("PayloadContent", 3), "com.apple.security.root"),),
        ((("PayloadContent", 3), root_payload(NEW_UUID, "com.example.ca2")),),
        "not-a-dictionary",
        ERROR,
        ("PayloadContent", 3),
    ),
    case(
        "mdm-variable",
        STD,
        (((*IK, "RemoteAddress"), "$VPN_SERVER$"),),
        (((*IK, "RemoteAddress"), "vpn.example.com"),),
        "mdm-variable",
        INFO,
        (*IK, "RemoteAddress"),
    ),
]

PLATFORM_CASES = [
    case(
        "unsupported-key",
        STD,
        (((*IK, "IncludeAllNetworks"), 1),),
        (((*IK, "IncludeAllNetworks"), DEL),),
        "unsupported-platform",
        WARNING,
        (*IK, "IncludeAllNetworks"),
        targets=("tvos:17",),
    ),
    case(
        "unsupported-value",
        STD,
        (((*IKE_SA,), {"EncryptionAlgorithm": "DES"}),),
        (((*IKE_SA, "EncryptionAlgorithm"), "AES-256-GCM"),),
        "unsupported-platform",
        WARNING,
        (*IKE_SA, "EncryptionAlgorithm"),
        targets=("tvos:17",),
    ),
    case(
        "unsupported-vpn-type",
        IPSEC,
        (),
        (),
        "unsupported-platform",
        WARNING,
        (*P0, "VPNType"),
        targets=("tvos:17",),
        good_targets=("ios:17",),
    ),
    case(
        "unsupported-transparent-proxy",
        PROVIDER,
        (
            ((*P0, "VPNType"), "TransparentProxy"),
            ((*P0, "TransparentProxy"), PROVIDER_PAYLOAD["VPN"]),
            ((*P0, "TransparentProxy", "RemoteAddress"), DEL),
            ((*P0, "VPN"), DEL),
        ),
        (),
        "unsupported-platform",
        WARNING,
        (*P0, "VPNType"),
        targets=("ios:17",),
        good_targets=("macos:14",),
    ),
    case(
        "unsupported-always-on",
        ALWAYSON,
        (),
        (),
        "unsupported-platform",
        WARNING,
        (*P0, "VPNType"),
        targets=("macos:14",),
        good_targets=("ios:17",),
    ),
    case(
        "unsupported-payload",
        MAPPING,
        (),
        (),
        "unsupported-platform",
        WARNING,
        ("PayloadContent", 3),
        targets=("ios:17", "macos:14"),
        good_targets=("macos:14",),
    ),
    case(
        "unsupported-top-key",
        (PKCS12_PAYLOAD, ROOT_PAYLOAD),
        ((("PayloadExpirationDate",), datetime(2030, 1, 1)),),
        ((("PayloadExpirationDate",), DEL),),
        "unsupported-platform",
        WARNING,
        ("PayloadExpirationDate",),
        targets=("watchos:10",),
    ),
    case(
        "too-new-key",
        STD,
        (((*IK, "PPK"), b"0123456789abcdef"), ((*IK, "PPKIdentifier"), "ppk-1")),
        (((*IK, "PPK"), DEL), ((*IK, "PPKIdentifier"), DEL)),
        "too-new-for-target",
        WARNING,
        (*IK, "PPK"),
        targets=("tvos:17",),
    ),
    case(
        "too-new-key-ios",
        STD,
        (((*IK, "IncludeAllNetworks"), 1),),
        (),
        "too-new-for-target",
        WARNING,
        (*IK, "IncludeAllNetworks"),
        targets=("ios:13.7",),
        good_targets=("ios:14",),
    ),
    case(
        "too-new-value",
        ALWAYSON,
        (
            (
                (*P0, "AlwaysOn", "ServiceExceptions"),
                [{"ServiceName": "DeviceCommunication", "Action": "Allow"}],
            ),
        ),
        (((*P0, "AlwaysOn", "ServiceExceptions", 0, "ServiceName"), "AirPrint"),),
        "too-new-for-target",
        WARNING,
        (*P0, "AlwaysOn", "ServiceExceptions", 0, "ServiceName"),
        targets=("ios:17.0",),
        clean=False,
    ),
    case(
        "too-new-payload",
        (*STD, ACME_PAYLOAD),
        (),
        (),
        "too-new-for-target",
        WARNING,
        ("PayloadContent", 3),
        targets=("ios:15",),
        good_targets=("ios:16",),
        clean=False,
    ),  # ACME Subject: see below
    case(
        "removed-value-anywhere",
        STD,
        (((*IKE_SA,), {"DiffieHellmanGroup": 14, "IntegrityAlgorithm": "SHA1-96"}),),
        (((*IKE_SA, "IntegrityAlgorithm"), "SHA2-256"),),
        "removed",
        WARNING,
        (*IKE_SA, "IntegrityAlgorithm"),
    ),
    case(
        "removed-value-on-target",
        STD,
        (((*IKE_SA,), {"DiffieHellmanGroup": 2}),),
        (((*IKE_SA, "DiffieHellmanGroup"), 14),),
        "removed",
        WARNING,
        (*IKE_SA, "DiffieHellmanGroup"),
        targets=("ios:26",),
    ),
    case(
        "removed-pptp",
        STD,
        (((*P0, "VPNType"), "PPTP"),),
        (((*P0, "VPNType"), "IKEv2"),),
        "removed",
        WARNING,
        (*P0, "VPNType"),
    ),
    case(
        "deprecated-key",
        PROVIDER,
        (
            ((*P0, "VPN", "OnDemandEnabled"), 1),
            ((*P0, "VPN", "OnDemandMatchDomainsAlways"), ["example.com"]),
        ),
        (
            ((*P0, "VPN", "OnDemandMatchDomainsAlways"), DEL),
            ((*P0, "VPN", "OnDemandRules"), [{"Action": "Connect"}]),
        ),
        "deprecated",
        WARNING,
        (*P0, "VPN", "OnDemandMatchDomainsAlways"),
    ),
    case(
        "deprecated-allow-action",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            ((*IK, "OnDemandRules"), [{"Action": "Allow", "SSIDMatch": ["Office"]}]),
            ((*RULES, 1), {"Action": "Disconnect"}),
        ),
        (((*RULES, 0, "Action"), "Connect"),),
        "deprecated",
        WARNING,
        (*RULES, 0, "Action"),
    ),
    case(
        "deprecated-key-on-target",
        PERAPP,
        (((*P0, "MailDomains"), ["example.com"]),),
        (((*P0, "MailDomains"), DEL),),
        "deprecated",
        WARNING,
        (*P0, "MailDomains"),
        targets=("ios:14",),
    ),
    case(
        "supervised-key",
        STD,
        ((("PayloadRemovalDisallowed",), True),),
        ((("PayloadRemovalDisallowed",), DEL),),
        "supervised-only",
        INFO,
        ("PayloadRemovalDisallowed",),
        targets=("ios:17",),
    ),
    case(
        "supervised-always-on",
        ALWAYSON,
        (),
        (),
        "supervised-only",
        INFO,
        (*P0, "VPNType"),
        good_targets=("macos",),
        clean=False,
    ),
]

PROFILE_CASES = [
    case(
        "profile-type",
        STD,
        ((("PayloadType",), "com.apple.vpn.managed"),),
        ((("PayloadType",), "Configuration"),),
        "profile-type",
        ERROR,
        ("PayloadType",),
    ),
    case(
        "duplicate-uuid",
        STD,
        ((("PayloadContent", 2, "PayloadUUID"), PKCS12_UUID),),
        ((("PayloadContent", 2, "PayloadUUID"), ROOT_UUID),),
        "duplicate-uuid",
        ERROR,
        ("PayloadContent", 2, "PayloadUUID"),
    ),
    case(
        "duplicate-uuid-any-case",
        STD,
        ((("PayloadContent", 2, "PayloadUUID"), PKCS12_UUID.lower()),),
        ((("PayloadContent", 2, "PayloadUUID"), ROOT_UUID),),
        "duplicate-uuid",
        ERROR,
        ("PayloadContent", 2, "PayloadUUID"),
    ),
    case(
        "duplicate-uuid-of-profile",
        STD,
        ((("PayloadContent", 2, "PayloadUUID"), TOP_UUID),),
        ((("PayloadContent", 2, "PayloadUUID"), ROOT_UUID),),
        "duplicate-uuid",
        ERROR,
        ("PayloadContent", 2, "PayloadUUID"),
    ),
    case(
        "duplicate-identifier",
        STD,
        ((("PayloadContent", 2, "PayloadIdentifier"), "com.example.vpn.identity"),),
        ((("PayloadContent", 2, "PayloadIdentifier"), "com.example.vpn.ca"),),
        "duplicate-identifier",
        ERROR,
        ("PayloadContent", 2, "PayloadIdentifier"),
    ),
    case(
        "identifier-clash",
        STD,
        (((*P0, "PayloadIdentifier"), "com.example.profile"),),
        (((*P0, "PayloadIdentifier"), "com.example.profile.vpn"),),
        "identifier-clash",
        WARNING,
        (*P0, "PayloadIdentifier"),
    ),
    case(
        "placeholder-uuid",
        STD,
        ((("PayloadContent", 2, "PayloadUUID"), "REPLACE-WITH-UUID"),),
        ((("PayloadContent", 2, "PayloadUUID"), ROOT_UUID),),
        "placeholder-uuid",
        WARNING,
        ("PayloadContent", 2, "PayloadUUID"),
    ),
    case(
        "placeholder-uuid-template",
        STD,
        ((("PayloadUUID",), "${uuid_0}"),),
        ((("PayloadUUID",), TOP_UUID),),
        "placeholder-uuid",
        WARNING,
        ("PayloadUUID",),
    ),
    case(
        "placeholder-uuid-nil",
        STD,
        ((("PayloadContent", 2, "PayloadUUID"), "00000000-0000-0000-0000-000000000000"),),
        ((("PayloadContent", 2, "PayloadUUID"), ROOT_UUID),),
        "placeholder-uuid",
        WARNING,
        ("PayloadContent", 2, "PayloadUUID"),
    ),
    case(
        "single-payload",
        (
            *MAPPING,
            {
                **APPMAPPING_PAYLOAD,
                "PayloadUUID": NEW_UUID,
                "PayloadIdentifier": "com.example.vpn.appmapping2",
            },
        ),
        (),
        ((("PayloadContent", 4), DEL),),
        "single-payload",
        ERROR,
        ("PayloadContent", 4),
        targets=("macos:14",),
    ),
    case(
        "no-payloads",
        STD,
        ((("PayloadContent",), []),),
        ((("PayloadContent",), [IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD]),),
        "no-payloads",
        WARNING,
        ("PayloadContent",),
    ),
    case(
        "encrypted-without-flag",
        STD,
        ((("PayloadContent",), DEL), (("EncryptedPayloadContent",), ENVELOPE)),
        ((("IsEncrypted",), True),),
        "encryption",
        ERROR,
        ("IsEncrypted",),
    ),
    case(
        "encrypted-envelope-unreadable",
        STD,
        (
            (("PayloadContent",), DEL),
            (("IsEncrypted",), True),
            (("EncryptedPayloadContent",), b"\x30\x80"),
        ),
        ((("EncryptedPayloadContent",), ENVELOPE),),
        "encryption",
        ERROR,
        ("EncryptedPayloadContent",),
    ),
    case(
        "encrypted-and-plain",
        STD,
        ((("IsEncrypted",), True), (("EncryptedPayloadContent",), ENVELOPE)),
        ((("PayloadContent",), DEL),),
        "encryption",
        WARNING,
        ("PayloadContent",),
    ),
    case(
        "dangling-certificate",
        STD,
        (((*IK, "PayloadCertificateUUID"), NEW_UUID),),
        (((*IK, "PayloadCertificateUUID"), PKCS12_UUID),),
        "dangling-reference",
        ERROR,
        (*IK, "PayloadCertificateUUID"),
    ),
    case(
        "dangling-vpn-uuid",
        MAPPING,
        ((("PayloadContent", 3, "AppLayerVPNMapping", 0, "VPNUUID"), "other-vpn"),),
        ((("PayloadContent", 3, "AppLayerVPNMapping", 0, "VPNUUID"), "perapp-vpn-1"),),
        "dangling-reference",
        ERROR,
        ("PayloadContent", 3, "AppLayerVPNMapping", 0, "VPNUUID"),
        targets=("macos:14",),
    ),
    case(
        "reference-to-vpn-payload",
        STD,
        (((*IK, "PayloadCertificateUUID"), VPN_UUID),),
        (((*IK, "PayloadCertificateUUID"), PKCS12_UUID),),
        "reference-kind",
        ERROR,
        (*IK, "PayloadCertificateUUID"),
    ),
    case(
        "reference-to-ca-payload",
        STD,
        (((*IK, "PayloadCertificateUUID"), ROOT_UUID),),
        (((*IK, "PayloadCertificateUUID"), PKCS12_UUID),),
        "reference-kind",
        ERROR,
        (*IK, "PayloadCertificateUUID"),
    ),
    case(
        "always-on-tunnel-dangling",
        ALWAYSON,
        (((*T0, "PayloadCertificateUUID"), NEW_UUID),),
        (((*T0, "PayloadCertificateUUID"), PKCS12_UUID),),
        "dangling-reference",
        ERROR,
        (*T0, "PayloadCertificateUUID"),
    ),
    case(
        "missing-ca",
        STD,
        ((("PayloadContent", 2), DEL),),
        ((("PayloadContent", 2), ROOT_PAYLOAD),),
        "missing-ca",
        INFO,
        ("PayloadContent",),
    ),
    case(
        "missing-ca-eap",
        STD,
        (*EAP_NO_CERT, ((*IK, "AuthName"), "user"), (("PayloadContent", 2), DEL)),
        ((("PayloadContent", 2), ROOT_PAYLOAD),),
        "missing-ca",
        INFO,
        ("PayloadContent",),
    ),
    case(
        "missing-ca-always-on",
        ALWAYSON,
        ((("PayloadContent", 2), DEL),),
        ((("PayloadContent", 2), ROOT_PAYLOAD),),
        "missing-ca",
        INFO,
        ("PayloadContent",),
    ),
    case(
        "pkcs12-aes",
        REAL,
        (((*P1, "PayloadContent"), AES_P12),),
        (((*P1, "PayloadContent"), EC_P12),),
        "pkcs12",
        WARNING,
        (*P1, "PayloadContent"),
    ),
    case(
        "pkcs12-wrong-password",
        REAL,
        (((*P1, "Password"), "not the password"),),
        (((*P1, "Password"), P12_PASSWORD),),
        "pkcs12",
        ERROR,
        (*P1, "Password"),
    ),
    case(
        "pkcs12-without-password",
        REAL,
        (((*P1, "PayloadContent"), OPEN_P12), ((*P1, "Password"), DEL)),
        (((*P1, "PayloadContent"), EC_P12),),
        "pkcs12",
        WARNING,
        (*P1, "PayloadContent"),
    ),
    case(
        "pkcs12-without-key",
        REAL,
        (((*P1, "PayloadContent"), KEYLESS_P12), ((*P1, "Password"), DEL)),
        (((*P1, "PayloadContent"), EC_P12), ((*P1, "Password"), P12_PASSWORD)),
        "pkcs12",
        WARNING,
        (*P1, "PayloadContent"),
    ),
    case(
        "pkcs12-not-pkcs12",
        REAL,
        (((*P1, "PayloadContent"), b"not a real p12"),),
        (((*P1, "PayloadContent"), EC_P12),),
        "pkcs12",
        ERROR,
        (*P1, "PayloadContent"),
    ),
    case(
        "secret-in-clear",
        STD,
        (
            ((*IK, "AuthenticationMethod"), "SharedSecret"),
            ((*IK, "SharedSecret"), "s3cret"),
            ((*IK, "PayloadCertificateUUID"), DEL),
        ),
        (
            ((*IK, "AuthenticationMethod"), "Certificate"),
            ((*IK, "SharedSecret"), DEL),
            ((*IK, "PayloadCertificateUUID"), PKCS12_UUID),
        ),
        "secret-in-clear",
        INFO,
        (*IK, "SharedSecret"),
    ),
    case(
        "secret-in-clear-p12-password",
        STD,
        ((("PayloadContent", 1, "Password"), "p12 password"),),
        ((("PayloadContent", 1, "Password"), DEL),),
        "secret-in-clear",
        INFO,
        ("PayloadContent", 1, "Password"),
    ),
    case(
        "secret-in-clear-tunnel",
        ALWAYSON,
        (
            ((*T0, "AuthenticationMethod"), "SharedSecret"),
            ((*T0, "SharedSecret"), "s3cret"),
            ((*T0, "PayloadCertificateUUID"), DEL),
        ),
        (
            ((*T0, "AuthenticationMethod"), "Certificate"),
            ((*T0, "SharedSecret"), DEL),
            ((*T0, "PayloadCertificateUUID"), PKCS12_UUID),
        ),
        "secret-in-clear",
        INFO,
        (*T0, "SharedSecret"),
    ),
    case(
        "secret-mdm-variable-is-not-clear",
        STD,
        ((("PayloadContent", 1, "Password"), "p12 password"),),
        ((("PayloadContent", 1, "Password"), "$P12_PASSWORD$"),),
        "secret-in-clear",
        INFO,
        ("PayloadContent", 1, "Password"),
    ),
]

VPN_CASES = [
    case(
        "pptp",
        STD,
        (((*P0, "VPNType"), "PPTP"),),
        (((*P0, "VPNType"), "IKEv2"),),
        "legacy-protocol",
        ERROR,
        (*P0, "VPNType"),
    ),
    case(
        "l2tp",
        L2TP,
        (),
        (
            ((*P0, "VPNType"), "IPSec"),
            ((*P0, "PPP"), DEL),
            ((*P0, "IPSec"), IPSEC_PAYLOAD["IPSec"]),
        ),
        "legacy-protocol",
        WARNING,
        (*P0, "VPNType"),
    ),
    case(
        "ikev2-subtype",
        STD,
        (((*P0, "VPNSubType"), "com.example.vpnapp"),),
        (((*P0, "VPNSubType"), ""),),
        "vpn-subtype",
        ERROR,
        (*P0, "VPNSubType"),
    ),
    case(
        "ipsec-dictionary-missing",
        IPSEC,
        (((*P0, "IPSec"), DEL),),
        (((*P0, "IPSec"), IPSEC_PAYLOAD["IPSec"]),),
        "vpn-settings-missing",
        ERROR,
        (*P0, "IPSec"),
    ),
    case(
        "ipsec-server-missing",
        IPSEC,
        (((*P0, "IPSec", "RemoteAddress"), DEL),),
        (((*P0, "IPSec", "RemoteAddress"), "vpn.example.com"),),
        "vpn-settings-missing",
        ERROR,
        (*P0, "IPSec", "RemoteAddress"),
    ),
    case(
        "l2tp-ppp-missing",
        L2TP,
        (((*P0, "PPP"), DEL),),
        (((*P0, "PPP"), L2TP_PAYLOAD["PPP"]),),
        "vpn-settings-missing",
        ERROR,
        (*P0, "PPP"),
        clean=False,
    ),
    case(
        "l2tp-ipsec-missing",
        L2TP,
        (((*P0, "IPSec"), DEL),),
        (((*P0, "IPSec"), L2TP_PAYLOAD["IPSec"]),),
        "vpn-settings-missing",
        ERROR,
        (*P0, "IPSec"),
        clean=False,
    ),
    case(
        "l2tp-server-missing",
        L2TP,
        (((*P0, "PPP", "CommRemoteAddress"), DEL),),
        (((*P0, "PPP", "CommRemoteAddress"), "vpn.example.com"),),
        "vpn-settings-missing",
        ERROR,
        (*P0, "PPP", "CommRemoteAddress"),
        clean=False,
    ),
    case(
        "vendor-config",
        PROVIDER,
        (
            ((*P0, "VPNSubType"), "com.cisco.anyconnect"),
            ((*P0, "VendorConfig"), {"Realm": "users"}),
        ),
        (((*P0, "VendorConfig"), {"Group": "users"}),),
        "vendor-config",
        WARNING,
        (*P0, "VendorConfig", "Realm"),
    ),
    case(
        "shared-secret-empty",
        STD,
        (
            ((*IK, "AuthenticationMethod"), "SharedSecret"),
            ((*IK, "SharedSecret"), ""),
            ((*IK, "PayloadCertificateUUID"), DEL),
        ),
        (((*IK, "SharedSecret"), "s3cret"),),
        "auth-credential",
        ERROR,
        (*IK, "SharedSecret"),
    ),
    case(
        "eap-without-name",
        STD,
        EAP_NO_CERT,
        (((*IK, "AuthName"), "user"),),
        "auth-credential",
        INFO,
        (*IK, "AuthName"),
    ),
    case(
        "ipsec-secret-prompted",
        IPSEC,
        (((*P0, "IPSec", "SharedSecret"), DEL),),
        (((*P0, "IPSec", "SharedSecret"), b"group secret"),),
        "auth-credential",
        INFO,
        (*P0, "IPSec", "SharedSecret"),
    ),
    case(
        "auth-none-without-eap",
        STD,
        (
            ((*IK, "AuthenticationMethod"), "None"),
            ((*IK, "PayloadCertificateUUID"), DEL),
            ((*IK, "SharedSecret"), "s3cret"),
        ),
        (
            ((*IK, "ExtendedAuthEnabled"), 1),
            ((*IK, "AuthName"), "user"),
            ((*IK, "SharedSecret"), DEL),
        ),
        "auth-fallback",
        WARNING,
        (*IK, "AuthenticationMethod"),
    ),
    case(
        "issuer-name-for-certificate-type",
        STD,
        (((*IK, "CertificateType"), "RSA"),),
        (((*IK, "ServerCertificateIssuerCommonName"), "Example VPN CA"),),
        "required-when-missing",
        INFO,
        (*IK, "ServerCertificateIssuerCommonName"),
    ),
    case(
        "certificate-type-mismatch",
        REAL,
        (((*IK, "CertificateType"), DEL),),
        (((*IK, "CertificateType"), "ECDSA256"),),
        "certificate-type",
        WARNING,
        (*IK, "CertificateType"),
    ),
    case(
        "certificate-type-ed25519",
        REAL,
        (((*P1, "PayloadContent"), ED25519_P12),),
        (((*P1, "PayloadContent"), EC_P12),),
        "certificate-type",
        ERROR,
        (*IK, "CertificateType"),
    ),
    case(
        "certificate-type-acme",
        (*STD, ACME_PAYLOAD),
        (((*IK, "PayloadCertificateUUID"), ACME_PAYLOAD["PayloadUUID"]),),
        (
            ((*IK, "CertificateType"), "ECDSA384"),
            ((*IK, "ServerCertificateIssuerCommonName"), "Example VPN CA"),
        ),
        "certificate-type",
        WARNING,
        (*IK, "CertificateType"),
    ),
    case(
        "certificate-type-always-on",
        (ALWAYSON_PAYLOAD, IDENTITY_PAYLOAD, ROOT_PAYLOAD),
        (),
        (((*P1, "PayloadContent"), RSA_P12),),
        "certificate-type",
        WARNING,
        (*T0, "CertificateType"),
    ),
    case(
        "ppk-mandatory-alone",
        STD,
        (((*IK, "PPKMandatory"), 1),),
        (((*IK, "PPK"), b"0123456789abcdef"), ((*IK, "PPKIdentifier"), "ppk-1")),
        "ppk-pair",
        WARNING,
        (*IK, "PPKMandatory"),
    ),
    case(
        "tls-min-above-max",
        STD,
        (
            ((*IK, "ExtendedAuthEnabled"), 1),
            ((*IK, "AuthName"), "user"),
            ((*IK, "TLSMinimumVersion"), "1.2"),
            ((*IK, "TLSMaximumVersion"), "1.1"),
        ),
        (((*IK, "TLSMaximumVersion"), "1.2"),),
        "tls-versions",
        ERROR,
        (*IK, "TLSMinimumVersion"),
    ),
    case(
        "weak-encryption",
        STD,
        (((*IKE_SA,), {"EncryptionAlgorithm": "3DES"}),),
        (((*IKE_SA, "EncryptionAlgorithm"), "AES-256-GCM"),),
        "weak-crypto",
        WARNING,
        (*IKE_SA, "EncryptionAlgorithm"),
        clean=False,
    ),
    case(
        "weak-dh-group",
        STD,
        (((*CHILD_SA,), {"DiffieHellmanGroup": 5}),),
        (((*CHILD_SA, "DiffieHellmanGroup"), 19),),
        "weak-crypto",
        WARNING,
        (*CHILD_SA, "DiffieHellmanGroup"),
        clean=False,
    ),
    case(
        "strict-weak-group",
        STD,
        (((*IK, "EnforceStrictAlgorithmSelection"), 1), ((*IKE_SA,), {"DiffieHellmanGroup": 2})),
        (((*IKE_SA, "DiffieHellmanGroup"), 20),),
        "strict-algorithms",
        ERROR,
        (*IKE_SA, "DiffieHellmanGroup"),
        clean=False,
    ),
    case(
        "strict-ike-weaker-than-child",
        STD,
        (
            ((*IK, "EnforceStrictAlgorithmSelection"), 1),
            ((*IKE_SA,), {"EncryptionAlgorithm": "AES-128"}),
            ((*CHILD_SA,), {"EncryptionAlgorithm": "AES-256-GCM"}),
        ),
        (((*IKE_SA, "EncryptionAlgorithm"), "AES-256-GCM"),),
        "strict-algorithms",
        ERROR,
        (*IKE_SA, "EncryptionAlgorithm"),
    ),
    case(
        "enforce-routes-with-include-all",
        STD,
        (((*IK, "IncludeAllNetworks"), 1), ((*IK, "EnforceRoutes"), 1)),
        (((*IK, "EnforceRoutes"), DEL),),
        "ineffective-setting",
        WARNING,
        (*IK, "EnforceRoutes"),
    ),
    case(
        "on-demand-without-rules",
        STD,
        (((*IK, "OnDemandEnabled"), 1),),
        (((*IK, "OnDemandRules"), [{"Action": "Connect"}]),),
        "on-demand-no-rules",
        WARNING,
        (*IK, "OnDemandEnabled"),
    ),
    case(
        "on-demand-shadowed-rule",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            (
                (*IK, "OnDemandRules"),
                [{"Action": "Connect"}, {"Action": "Disconnect", "SSIDMatch": ["Office"]}],
            ),
        ),
        (
            (
                (*IK, "OnDemandRules"),
                [{"Action": "Disconnect", "SSIDMatch": ["Office"]}, {"Action": "Connect"}],
            ),
        ),
        "on-demand-shadowed",
        WARNING,
        (*IK, "OnDemandRules", 1),
    ),
    case(
        "on-demand-evaluate-without-parameters",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            (
                (*IK, "OnDemandRules"),
                [
                    {"Action": "EvaluateConnection", "InterfaceTypeMatch": "WiFi"},
                    {"Action": "Connect"},
                ],
            ),
        ),
        (
            (
                (*IK, "OnDemandRules", 0, "ActionParameters"),
                [{"Domains": ["intranet.example.com"], "DomainAction": "ConnectIfNeeded"}],
            ),
        ),
        "on-demand-no-parameters",
        WARNING,
        (*IK, "OnDemandRules", 0, "Action"),
    ),
    case(
        "on-demand-no-final-rule",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            ((*IK, "OnDemandRules"), [{"Action": "Connect", "InterfaceTypeMatch": "WiFi"}]),
        ),
        (((*IK, "OnDemandRules", 1), {"Action": "Disconnect"}),),
        "on-demand-no-catch-all",
        WARNING,
        (*IK, "OnDemandRules"),
    ),
    # On Demand rule analysis (rules/on_demand.py)
    case(
        "on-demand-shadowed-by-broader-rule",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            (
                (*IK, "OnDemandRules"),
                [
                    {"Action": "Connect", "InterfaceTypeMatch": "WiFi"},
                    {"Action": "Disconnect", "SSIDMatch": ["Office"]},
                    {"Action": "Ignore"},
                ],
            ),
        ),
        (((*IK, "OnDemandRules", 0, "SSIDMatch"), ["Cafe"]),),
        "on-demand-shadowed",
        WARNING,
        (*IK, "OnDemandRules", 1),
    ),
    case(
        "on-demand-unreachable-ssid-on-cellular",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            (
                (*IK, "OnDemandRules"),
                [
                    {"Action": "Disconnect", "InterfaceTypeMatch": "Cellular", "SSIDMatch": ["A"]},
                    {"Action": "Connect"},
                ],
            ),
        ),
        (((*IK, "OnDemandRules", 0, "InterfaceTypeMatch"), "WiFi"),),
        "on-demand-unreachable",
        WARNING,
        (*IK, "OnDemandRules", 0),
    ),
    case(
        "on-demand-ethernet-on-ios",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            (
                (*IK, "OnDemandRules"),
                [{"Action": "Disconnect", "InterfaceTypeMatch": "Ethernet"}, {"Action": "Connect"}],
            ),
        ),
        (((*IK, "OnDemandRules", 0, "InterfaceTypeMatch"), "WiFi"),),
        "on-demand-interface-platform",
        WARNING,
        (*IK, "OnDemandRules", 0, "InterfaceTypeMatch"),
        targets=("ios:17",),
    ),
    case(
        "on-demand-cellular-on-macos",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            (
                (*IK, "OnDemandRules"),
                [{"Action": "Connect", "InterfaceTypeMatch": "Cellular"}, {"Action": "Connect"}],
            ),
        ),
        (((*IK, "OnDemandRules", 0, "InterfaceTypeMatch"), "Ethernet"),),
        "on-demand-interface-platform",
        WARNING,
        (*IK, "OnDemandRules", 0, "InterfaceTypeMatch"),
        targets=("macos:14",),
    ),
    case(
        "on-demand-http-probe",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            (
                (*IK, "OnDemandRules"),
                [
                    {"Action": "Disconnect", "URLStringProbe": "http://intranet.example.com/"},
                    {"Action": "Connect"},
                ],
            ),
        ),
        (((*IK, "OnDemandRules", 0, "URLStringProbe"), "https://intranet.example.com/"),),
        "on-demand-http-probe",
        WARNING,
        (*IK, "OnDemandRules", 0, "URLStringProbe"),
    ),
    case(
        "on-demand-http-required-probe",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            (
                (*IK, "OnDemandRules"),
                [
                    {
                        "Action": "EvaluateConnection",
                        "ActionParameters": [
                            {
                                "Domains": ["example.com"],
                                "DomainAction": "ConnectIfNeeded",
                                "RequiredURLStringProbe": "http://intranet.example.com/",
                            }
                        ],
                    },
                ],
            ),
        ),
        (
            (
                (*RULES, 0, "ActionParameters", 0, "RequiredURLStringProbe"),
                "https://intranet.example.com/",
            ),
        ),
        "on-demand-http-probe",
        WARNING,
        (*RULES, 0, "ActionParameters", 0, "RequiredURLStringProbe"),
    ),
    case(
        "on-demand-swallowed-never",
        STD,
        (
            ((*IK, "OnDemandEnabled"), 1),
            (
                (*IK, "OnDemandRules"),
                [
                    {
                        "Action": "EvaluateConnection",
                        "ActionParameters": [
                            {"Domains": ["example.com"], "DomainAction": "ConnectIfNeeded"},
                            {"Domains": ["www.example.com"], "DomainAction": "NeverConnect"},
                        ],
                    },
                ],
            ),
        ),
        (
            (
                (*RULES, 0, "ActionParameters"),
                [
                    {"Domains": ["www.example.com"], "DomainAction": "NeverConnect"},
                    {"Domains": ["example.com"], "DomainAction": "ConnectIfNeeded"},
                ],
            ),
        ),
        "on-demand-swallowed-never",
        WARNING,
        (*RULES, 0, "ActionParameters", 1, "Domains"),
    ),
    case(
        "on-demand-interactive-eap",
        STD,
        (
            *EAP_NO_CERT,
            ((*IK, "AuthName"), "user"),
            ((*IK, "OnDemandEnabled"), 1),
            ((*IK, "OnDemandRules"), [{"Action": "Connect"}]),
        ),
        (((*IK, "AuthPassword"), "password"),),
        "on-demand",
        WARNING,
        (*IK, "OnDemandEnabled"),
    ),
    case(
        "on-demand-interactive-cisco",
        IPSEC,
        (
            ((*P0, "IPSec", "XAuthEnabled"), 1),
            ((*P0, "IPSec", "XAuthName"), "user"),
            ((*P0, "IPSec", "OnDemandEnabled"), 1),
            ((*P0, "IPSec", "OnDemandRules"), [{"Action": "Connect"}]),
        ),
        (((*P0, "IPSec", "XAuthPassword"), "password"),),
        "on-demand",
        WARNING,
        (*P0, "IPSec", "OnDemandEnabled"),
    ),
    case(
        "always-on-twice",
        (
            *ALWAYSON,
            {
                **ALWAYSON_PAYLOAD,
                "PayloadUUID": NEW_UUID,
                "PayloadIdentifier": "com.example.vpn.alwayson2",
            },
        ),
        (),
        ((("PayloadContent", 3), DEL),),
        "always-on",
        ERROR,
        ("PayloadContent", 3, "VPNType"),
    ),
    case(
        "always-on-ecdsa",
        ALWAYSON,
        (((*P0, "AlwaysOn", "TunnelConfigurations", 0, "CertificateType"), "ECDSA256"),),
        (((*P0, "AlwaysOn", "TunnelConfigurations", 0, "CertificateType"), "RSA"),),
        "always-on",
        WARNING,
        (*P0, "AlwaysOn", "TunnelConfigurations", 0, "CertificateType"),
    ),
    case(
        "always-on-dh-group",
        ALWAYSON,
        (
            (
                (*P0, "AlwaysOn", "TunnelConfigurations", 1, "IKESecurityAssociationParameters"),
                {"DiffieHellmanGroup": 5},
            ),
        ),
        (
            (
                (*P0, "AlwaysOn", "TunnelConfigurations", 1, "IKESecurityAssociationParameters"),
                {"DiffieHellmanGroup": 14},
            ),
        ),
        "always-on",
        WARNING,
        (
            *P0,
            "AlwaysOn",
            "TunnelConfigurations",
            1,
            "IKESecurityAssociationParameters",
            "DiffieHellmanGroup",
        ),
        clean=False,
    ),  # see test_tunnel_configuration_sa_dictionary_is_not_misplaced
    case(
        "always-on-tunnel-required",
        ALWAYSON,
        (((*T0, "RemoteAddress"), DEL),),
        (((*T0, "RemoteAddress"), "vpn.example.com"),),
        "required-missing",
        ERROR,
        (*T0, "RemoteAddress"),
    ),
    case(
        "always-on-tunnel-empty",
        ALWAYSON,
        (((*T0, "RemoteIdentifier"), ""),),
        (((*T0, "RemoteIdentifier"), "vpn.example.com"),),
        "empty-value",
        ERROR,
        (*T0, "RemoteIdentifier"),
    ),
    case(
        "always-on-tunnel-certificate",
        ALWAYSON,
        (((*T0, "PayloadCertificateUUID"), DEL),),
        (((*T0, "PayloadCertificateUUID"), PKCS12_UUID),),
        "required-when-missing",
        ERROR,
        (*T0, "PayloadCertificateUUID"),
    ),
    case(
        "always-on-interface-twice",
        ALWAYSON,
        (((*P0, "AlwaysOn", "TunnelConfigurations", 1, "Interfaces"), ["Cellular"]),),
        (((*P0, "AlwaysOn", "TunnelConfigurations", 1, "Interfaces"), ["WiFi"]),),
        "always-on",
        ERROR,
        (*P0, "AlwaysOn", "TunnelConfigurations"),
    ),
    case(
        "per-app-l2tp",
        PERAPP,
        (
            ((*P0, "VPNType"), "L2TP"),
            ((*P0, "IKEv2"), DEL),
            ((*P0, "PPP"), L2TP_PAYLOAD["PPP"]),
            ((*P0, "IPSec"), L2TP_PAYLOAD["IPSec"]),
        ),
        (
            ((*P0, "VPNType"), "IPSec"),
            ((*P0, "PPP"), DEL),
            ((*P0, "IPSec"), IPSEC_PAYLOAD["IPSec"]),
        ),
        "per-app-vpn",
        ERROR,
        (*P0, "VPNType"),
    ),
    case(
        "per-app-vpnuuid-twice",
        (
            *PERAPP,
            {
                **APPLAYER_PAYLOAD,
                "PayloadUUID": NEW_UUID,
                "PayloadIdentifier": "com.example.vpn.perapp2",
            },
        ),
        (),
        ((("PayloadContent", 3, "VPNUUID"), "perapp-vpn-2"),),
        "per-app-vpn",
        ERROR,
        ("PayloadContent", 3, "VPNUUID"),
    ),
    case(
        "per-app-watchos-ipsec",
        (
            *PERAPP,
            {
                **IPSEC_PAYLOAD,
                "PayloadType": "com.apple.vpn.managed.applayer",
                "VPNUUID": "perapp-vpn-2",
            },
        ),
        (),
        ((("PayloadContent", 3), DEL),),
        "per-app-vpn",
        WARNING,
        ("PayloadContent", 3, "VPNType"),
        targets=("watchos:10",),
    ),
    case(
        "system-extension",
        PROVIDER,
        (((*P0, "VPN", "ProviderDesignatedRequirement"), DEL),),
        (
            (
                (*P0, "VPN", "ProviderDesignatedRequirement"),
                'identifier "com.example.vpnapp.tunnel"',
            ),
        ),
        "system-extension",
        WARNING,
        (*P0, "VPN", "ProviderDesignatedRequirement"),
    ),
    case(
        "system-extension-macos",
        PROVIDER,
        (((*P0, "VPN", "ProviderDesignatedRequirement"), DEL),),
        (),
        "system-extension",
        WARNING,
        (*P0, "VPN", "ProviderDesignatedRequirement"),
        targets=("macos:14", "ios:17"),
        good_targets=("ios:17",),
    ),
    case(
        "cisco-group-name-missing",
        IPSEC,
        (((*P0, "IPSec", "LocalIdentifier"), DEL),),
        (((*P0, "IPSec", "LocalIdentifier"), "vpngroup"),),
        "ipsec-identifier",
        INFO,
        (*P0, "IPSec", "LocalIdentifier"),
    ),
    case(
        "cisco-identifier-with-certificate",
        IPSEC,
        (
            ((*P0, "IPSec", "AuthenticationMethod"), "Certificate"),
            ((*P0, "IPSec", "SharedSecret"), DEL),
            ((*P0, "IPSec", "LocalIdentifier"), DEL),
            ((*P0, "IPSec", "PayloadCertificateUUID"), PKCS12_UUID),
            (("PayloadContent", 1), PKCS12_PAYLOAD),
            (("PayloadContent", 2), ROOT_PAYLOAD),
        ),
        (((*P0, "IPSec", "LocalIdentifierType"), DEL),),
        "ipsec-identifier",
        WARNING,
        (*P0, "IPSec", "LocalIdentifierType"),
        clean=False,
    ),
    case(
        "dn-identity",
        STD,
        (((*IK, "LocalIdentifier"), "CN=client.example.com, O=Example"),),
        (((*IK, "LocalIdentifier"), "client.example.com"),),
        "identity-format",
        WARNING,
        (*IK, "LocalIdentifier"),
    ),
    case(
        "dn-identity-one-attribute",
        STD,
        (((*IK, "RemoteIdentifier"), "CN=vpn.example.com"),),
        (((*IK, "RemoteIdentifier"), "vpn.example.com"),),
        "identity-format",
        WARNING,
        (*IK, "RemoteIdentifier"),
    ),
    case(
        "dn-identity-tunnel",
        ALWAYSON,
        (((*T0, "LocalIdentifier"), "/CN=client.example.com/O=Example"),),
        (((*T0, "LocalIdentifier"), "client.example.com"),),
        "identity-format",
        WARNING,
        (*T0, "LocalIdentifier"),
    ),
    case(
        "watchos-idle-timer",
        PERAPP,
        (((*IK, "DisconnectOnIdle"), 1), ((*IK, "DisconnectOnIdleTimer"), 30)),
        (((*IK, "DisconnectOnIdleTimer"), 15),),
        "watchos-limit",
        WARNING,
        (*IK, "DisconnectOnIdleTimer"),
        targets=("watchos:10",),
    ),
    case(
        "watchos-on-demand-action",
        PERAPP,
        (((*IK, "OnDemandEnabled"), 1), ((*IK, "OnDemandRules"), [{"Action": "Connect"}])),
        (((*IK, "OnDemandRules", 0, "Action"), "Disconnect"),),
        "watchos-limit",
        WARNING,
        (*IK, "OnDemandRules", 0, "Action"),
        targets=("watchos:10",),
    ),
]

# Issue 13: severities that say what a device does, and the misses it listed.
VERDICT_CASES = [
    case(
        "bool-for-integer-strict",
        STD,
        (((*IK, "DisableMOBIKE"), True),),
        (((*IK, "DisableMOBIKE"), 1),),
        "type-coercion",
        ERROR,
        (*IK, "DisableMOBIKE"),
        strict=True,
    ),
    case(
        "real-for-integer-strict",
        STD,
        ((("PayloadVersion",), 1.0),),
        ((("PayloadVersion",), 1),),
        "type-coercion",
        ERROR,
        ("PayloadVersion",),
        strict=True,
    ),
    case(
        "unknown-payload-type",
        STD,
        (
            (
                ("PayloadContent", 3),
                {
                    "PayloadType": "com.apple.wifi.managed",
                    "PayloadVersion": 1,
                    "PayloadUUID": NEW_UUID,
                    "PayloadIdentifier": "com.example.wifi",
                    "SSID_STR": "Office",
                },
            ),
        ),
        ((("PayloadContent", 3), root_payload(NEW_UUID, "com.example.ca2")),),
        "unknown-payload-type",
        INFO,
        ("PayloadContent", 3, "PayloadType"),
    ),
    case(
        "empty-item-safari-domains",
        PERAPP,
        (((*P0, "SafariDomains"), ["example.com", ""]),),
        (((*P0, "SafariDomains", 1), "intranet.example.com"),),
        "empty-item",
        WARNING,
        (*P0, "SafariDomains", 1),
    ),
    case(
        "misplaced-key-payload-level",
        PERAPP,
        (((*IK, "OnDemandMatchAppEnabled"), True),),
        (((*IK, "OnDemandMatchAppEnabled"), DEL), ((*P0, "OnDemandMatchAppEnabled"), True)),
        "misplaced-key",
        WARNING,
        (*IK, "OnDemandMatchAppEnabled"),
    ),
    case(
        "not-applicable-tls-without-eap-tls",
        STD,
        (((*IK, "TLSMinimumVersion"), "1.2"),),
        (((*IK, "ExtendedAuthEnabled"), 1),),
        "not-applicable",
        WARNING,
        (*IK, "TLSMinimumVersion"),
    ),
    case(
        "not-applicable-tls-eap-without-certificate",
        STD,
        (((*IK, "TLSMaximumVersion"), "1.3"), *EAP_NO_CERT, ((*IK, "AuthName"), "user")),
        (((*IK, "TLSMaximumVersion"), DEL),),
        "not-applicable",
        WARNING,
        (*IK, "TLSMaximumVersion"),
        clean=False,
    ),
    case(
        "not-applicable-auth-name-without-eap",
        STD,
        (((*IK, "AuthName"), "user"), ((*IK, "AuthPassword"), "password")),
        (((*IK, "AuthName"), DEL), ((*IK, "AuthPassword"), DEL)),
        "not-applicable",
        WARNING,
        (*IK, "AuthName"),
    ),
]

CERTIFICATE_CASES = [
    case(
        "certificate-content-not-a-certificate",
        STD,
        ((("PayloadContent", 2, "PayloadContent"), b"FAKE-CA-PLACEHOLDER"),),
        ((("PayloadContent", 2, "PayloadContent"), SAMPLE_CA_DER),),
        "certificate-content",
        ERROR,
        ("PayloadContent", 2, "PayloadContent"),
    ),
    case(
        "certificate-content-pkcs1-not-a-certificate",
        STD,
        (
            (("PayloadContent", 2, "PayloadType"), "com.apple.security.pkcs1"),
            (("PayloadContent", 2, "PayloadContent"), b"\x30\x82\x01"),
        ),
        ((("PayloadContent", 2, "PayloadContent"), SAMPLE_CA_DER),),
        "certificate-content",
        ERROR,
        ("PayloadContent", 2, "PayloadContent"),
    ),
    case(
        "certificate-content-pem-where-der",
        STD,
        ((("PayloadContent", 2, "PayloadContent"), _pem(SAMPLE_CA_DER)),),
        ((("PayloadContent", 2, "PayloadContent"), SAMPLE_CA_DER),),
        "certificate-content",
        WARNING,
        ("PayloadContent", 2, "PayloadContent"),
    ),
    case(
        "certificate-content-pem-payload-with-pem",
        STD,
        (
            (("PayloadContent", 2, "PayloadType"), "com.apple.security.pem"),
            (("PayloadContent", 2, "PayloadContent"), b"-----BEGIN CERTIFICATE-----\nAAAA\n"),
        ),
        ((("PayloadContent", 2, "PayloadContent"), _pem(SAMPLE_CA_DER)),),
        "certificate-content",
        ERROR,
        ("PayloadContent", 2, "PayloadContent"),
    ),
    case(
        "unused-identity",
        STD,
        (
            ((*IK, "PayloadCertificateUUID"), DEL),
            ((*IK, "AuthenticationMethod"), "SharedSecret"),
            ((*IK, "SharedSecret"), "$SECRET$"),
        ),
        (
            ((*IK, "AuthenticationMethod"), "Certificate"),
            ((*IK, "SharedSecret"), DEL),
            ((*IK, "PayloadCertificateUUID"), PKCS12_UUID),
        ),
        "unused-identity",
        INFO,
        ("PayloadContent", 1),
    ),
]

VERDICT_CASES += [
    case(
        "duplicate-certificate",
        STD,
        (
            (
                ("PayloadContent", 3),
                dict(
                    ROOT_PAYLOAD,
                    PayloadUUID="0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9",
                    PayloadIdentifier="com.example.vpn.root.again",
                ),
            ),
        ),
        ((("PayloadContent", 3), DEL),),
        "duplicate-certificate",
        WARNING,
        ("PayloadContent", 3, "PayloadContent"),
    ),
    case(
        "eap-without-local-identifier",
        STD,
        (*EAP_NO_CERT, ((*IK, "AuthName"), "user"), ((*IK, "LocalIdentifier"), DEL)),
        (((*IK, "LocalIdentifier"), "client.example.com"),),
        "required-missing",
        WARNING,
        (*IK, "LocalIdentifier"),
        clean=False,
    ),
    case(
        "eap-with-empty-local-identifier",
        STD,
        (*EAP_NO_CERT, ((*IK, "AuthName"), "user"), ((*IK, "LocalIdentifier"), "")),
        (((*IK, "LocalIdentifier"), "client.example.com"),),
        "empty-value",
        WARNING,
        (*IK, "LocalIdentifier"),
        clean=False,
    ),
    case(
        "certificate-auth-without-local-identifier",
        STD,
        (((*IK, "LocalIdentifier"), DEL),),
        (((*IK, "LocalIdentifier"), "client.example.com"),),
        "required-missing",
        ERROR,
        (*IK, "LocalIdentifier"),
    ),
]

VERDICT_CASES += [
    case(
        "provider-certificate-without-reference",
        PROVIDER,
        (((*P0, "VPN", "PayloadCertificateUUID"), DEL),),
        (((*P0, "VPN", "PayloadCertificateUUID"), PKCS12_UUID),),
        "required-when-missing",
        WARNING,
        (*P0, "VPN", "PayloadCertificateUUID"),
    ),
]

VERDICT_CASES += [
    case(
        "always-on-tunnel-empty-certificate-reference",
        ALWAYSON,
        (((*T0, "PayloadCertificateUUID"), ""),),
        (((*T0, "PayloadCertificateUUID"), PKCS12_UUID),),
        "empty-value",
        ERROR,
        (*T0, "PayloadCertificateUUID"),
    ),
    case(
        "always-on-wifi-without-tunnel",
        ALWAYSON,
        (((*P0, "AlwaysOn", "TunnelConfigurations", 1), DEL),),
        (((*P0, "AlwaysOn", "TunnelConfigurations", 0, "Interfaces"), ["Cellular", "WiFi"]),),
        "always-on",
        WARNING,
        (*P0, "AlwaysOn", "TunnelConfigurations"),
        clean=False,
    ),
    case(
        "always-on-service-exception-twice",
        ALWAYSON,
        (
            (
                (*P0, "AlwaysOn", "ServiceExceptions"),
                [
                    {"ServiceName": "VoiceMail", "Action": "Allow"},
                    {"ServiceName": "VoiceMail", "Action": "Drop"},
                ],
            ),
        ),
        (
            (
                (*P0, "AlwaysOn", "ServiceExceptions"),
                [
                    {"ServiceName": "VoiceMail", "Action": "Allow"},
                    {"ServiceName": "AirPrint", "Action": "Drop"},
                ],
            ),
        ),
        "always-on",
        WARNING,
        (*P0, "AlwaysOn", "ServiceExceptions", 1, "ServiceName"),
    ),
    case(
        "transparent-proxy-empty-bundle-identifier",
        PROVIDER,
        (
            ((*P0, "VPNType"), "TransparentProxy"),
            ((*P0, "TransparentProxy"), PROVIDER_PAYLOAD["VPN"]),
            ((*P0, "TransparentProxy", "ProviderBundleIdentifier"), ""),
            ((*P0, "TransparentProxy", "RemoteAddress"), DEL),
            ((*P0, "VPN"), DEL),
        ),
        (
            (
                (*P0, "TransparentProxy", "ProviderBundleIdentifier"),
                PROVIDER_PAYLOAD["VPN"]["ProviderBundleIdentifier"],
            ),
        ),
        "system-extension",
        WARNING,
        (*P0, "TransparentProxy", "ProviderBundleIdentifier"),
        targets=("macos:14",),
        good_targets=("macos:14",),
    ),
    case(
        "eap-tunnel-without-local-identifier",
        ALWAYSON,
        (
            ((*T0, "LocalIdentifier"), DEL),
            ((*T0, "AuthenticationMethod"), "None"),
            ((*T0, "ExtendedAuthEnabled"), 1),
            ((*T0, "AuthName"), "user"),
            ((*T0, "PayloadCertificateUUID"), DEL),
        ),
        (((*T0, "LocalIdentifier"), "client.example.com"),),
        "required-missing",
        WARNING,
        (*T0, "LocalIdentifier"),
        clean=False,
    ),
]

ALL_CASES = (
    CERTIFICATE_CASES + SCHEMA_CASES + PLATFORM_CASES + PROFILE_CASES + VPN_CASES + VERDICT_CASES
)


@pytest.mark.parametrize("c", ALL_CASES)
def test_code_fires(c: Case, schema: Schema) -> None:
    problems = check(edited(c.payloads, c.bad), schema, c.targets, c.strict)
    hits = at(problems, c.code, c.path)
    assert [p.severity for p in hits] == [c.severity], [
        (p.severity.value, p.code, p.path) for p in problems
    ]
    assert hits[0].message.strip()


@pytest.mark.parametrize("c", ALL_CASES)
def test_code_gone_when_fixed(c: Case, schema: Schema) -> None:
    targets = c.targets if c.good_targets is None else c.good_targets
    problems = check(edited(c.payloads, c.bad, c.good), schema, targets, c.strict)
    assert at(problems, c.code, c.path) == []
    if c.clean:
        assert loud(problems) == []


# --- codes ------------------------------------------------------------------------------

# Codes with a test elsewhere in this file (not in the table), or, for the channel codes
# (which need Options.channel), in test_channels.py.
TESTED_ELSEWHERE = {
    "read-leniency",
    "duplicate-profile-identifier",
    "text-before-declaration",
    "certificate-validity",
    "duplicate-key",
    "unknown-mdm-variable",
    "channel-size",
    "channel-signature",
}


def test_duplicate_key_is_a_warning_at_the_key(schema: Schema) -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
        b"<key>PayloadDisplayName</key><string>A</string>\n"
        b"<key>PayloadDisplayName</key><string>B</string>\n</dict>\n</plist>\n"
    )
    profile = Profile.parse(data)
    assert profile.root["PayloadDisplayName"] == "B"
    hits = [p for p in check(profile, schema) if p.code == "duplicate-key"]
    assert [(p.severity, p.path) for p in hits] == [(WARNING, ("PayloadDisplayName",))]
    assert "lines 4 and 5" in hits[0].message


def test_every_emitted_code_has_a_case() -> None:
    covered = {p.values[0].code for p in ALL_CASES} | TESTED_ELSEWHERE
    assert set(CODES) - covered == set()
    assert covered <= set(CODES)


def test_every_code_in_the_catalogue_is_emitted_by_the_core() -> None:
    """A code nobody emits would be a promise the engine does not keep."""
    import ast
    from pathlib import Path

    core = Path(__file__).resolve().parent.parent / "editor" / "core"
    # string constants in code, not in comments or docstrings (a code named only in a
    # comment is not emitted)
    constants: set[str] = set()
    for path in core.rglob("*.py"):
        if path.name == "problems.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        constants |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        }
    assert [code for code in CODES if code not in constants] == []


# --- baseline -----------------------------------------------------------------------------


def test_baseline_has_no_errors_or_warnings(schema: Schema) -> None:
    problems = check(make_profile(*STD), schema)
    assert loud(problems) == []


@pytest.mark.parametrize(
    "payloads",
    [PROVIDER, IPSEC, PERAPP, MAPPING, ALWAYSON],
    ids=["provider", "ipsec", "perapp", "mapping", "alwayson"],
)
def test_samples_have_no_errors_or_warnings(
    payloads: tuple[dict[str, Any], ...], schema: Schema
) -> None:
    targets = ("macos:14",) if payloads is MAPPING else ()
    assert loud(check(make_profile(*payloads), schema, targets)) == []


@pytest.mark.parametrize("target", ["ios:17", "macos:14", "tvos:17", "visionos:1", "ipados:17"])
def test_baseline_is_quiet_on_every_platform_it_exists_on(target: str, schema: Schema) -> None:
    assert loud(check(make_profile(*STD), schema, (target,))) == []


# --- type mismatch messages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "code", "hint"),
    [
        ("DisableMOBIKE", True, "type-coercion", "<integer>1</integer> instead of <true/>"),
        ("DisableMOBIKE", False, "type-coercion", "<integer>0</integer> instead of <false/>"),
        ("MTU", 1300.0, "type-coercion", "<integer>1300</integer> instead of <real>1300.0</real>"),
        ("MTU", " 1300", "type-mismatch", "<integer>1300</integer>"),
    ],
)
def test_type_mismatch_hint(key: str, value: Any, code: str, hint: str, schema: Schema) -> None:
    problems = check(edited(STD, (((*IK, key), value),)), schema)
    [problem] = at(problems, code, (*IK, key))
    assert hint in problem.message


def test_integer_for_boolean_hint(schema: Schema) -> None:
    problems = check(edited(STD, ((("PayloadContent", 1, "AllowAllAppsAccess"), 0),)), schema)
    [problem] = at(problems, "type-coercion", ("PayloadContent", 1, "AllowAllAppsAccess"))
    assert "<false/> instead of <integer>0</integer>" in problem.message


def test_type_mismatch_stops_further_checks(schema: Schema) -> None:
    """A wrong type gives one error, not also a value or range error at the same key."""
    problems = check(
        edited(STD, (((*IK, "MTU"), "huge"), ((*IK, "AuthenticationMethod"), 3))), schema
    )
    assert sorted(
        (p.code, p.path) for p in problems if p.path[:3] == IK and p.severity is ERROR
    ) == [
        ("type-mismatch", (*IK, "AuthenticationMethod")),
        ("type-mismatch", (*IK, "MTU")),
    ]


def test_mistyped_dictionary_is_not_walked(schema: Schema) -> None:
    """IKEv2 as an array: one type error, no required-missing for its keys."""
    problems = check(edited(STD, (((*IK,), [IKEV2_PAYLOAD["IKEv2"]]),)), schema)
    assert [p.code for p in problems if p.path[: len(IK)] == IK] == ["type-mismatch"]


# --- unknown keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        (*P0, "X-Custom"),
        (*IK, "X-Custom"),
        (*IKE_SA, "X-Custom"),
        ("PayloadContent", 1, "X-Custom"),
        ("X-Custom",),
    ],
)
def test_unknown_keys_are_info_never_errors(path: KeyPath, schema: Schema) -> None:
    edits: list[tuple[KeyPath, Any]] = []
    if path[: len(IKE_SA)] == IKE_SA:
        edits.append((IKE_SA, {"EncryptionAlgorithm": "AES-256-GCM"}))
    edits.append((path, {"nested": [1, "two", b"3"]}))
    problems = check(edited(STD, tuple(edits)), schema)
    assert [(p.severity, p.code, p.path) for p in problems if p.path[: len(path)] == path] == [
        (INFO, "unknown-key", path)
    ]
    assert loud(problems) == []


def test_open_dictionary_keys_are_not_unknown(schema: Schema) -> None:
    """VendorConfig accepts any key; the vendor's own keys are neither unknown nor errors."""
    profile = edited(
        PROVIDER, (((*P0, "VendorConfig"), {"CustomSetting": True, "Servers": ["a", 1]}),)
    )
    problems = check(profile, schema)
    assert [p for p in problems if p.path[:3] == (*P0, "VendorConfig")] == []


# Known engine bug (engine.py walk_value): a value whose spec has type "any" is walked like
# a dictionary when it is one, so every key inside is reported as unknown or misplaced.
ANY_IS_WALKED = "engine walks dictionaries under a type-any spec (open dictionary items)"


def test_nested_vendor_dictionary_is_not_unknown(schema: Schema) -> None:
    profile = edited(PROVIDER, (((*P0, "VendorConfig"), {"Server": {"Host": "a.example.com"}}),))
    assert [p.code for p in check(profile, schema) if p.path[:3] == (*P0, "VendorConfig")] == []


def test_tunnel_configuration_sa_dictionary_is_not_misplaced(schema: Schema) -> None:
    """Always On tunnel configurations take the IKEv2 keys, SA parameters included."""
    sa = (*P0, "AlwaysOn", "TunnelConfigurations", 0, "IKESecurityAssociationParameters")
    profile = edited(
        ALWAYSON, ((sa, {"EncryptionAlgorithm": "AES-256-GCM", "DiffieHellmanGroup": 19}),)
    )
    assert loud(check(profile, schema)) == []


# Known schema-loader bug (schema_loader.py: an array copies its item's min/max items, so a
# repetition on the innermost item of nested arrays climbs to every enclosing array).
@pytest.mark.parametrize("payload", [ACME_PAYLOAD, None], ids=["acme", "scep"])
def test_subject_with_one_name_component_is_valid(
    payload: dict[str, Any] | None, schema: Schema
) -> None:
    if payload is None:
        payload = {
            "PayloadType": "com.apple.security.scep",
            "PayloadVersion": 1,
            "PayloadUUID": NEW_UUID,
            "PayloadIdentifier": "com.example.scep",
            "PayloadContent": {"URL": "https://scep.example.com/", "Subject": [[["CN", "client"]]]},
        }
    problems = check(make_profile(payload), schema)
    assert [p for p in problems if p.code == "array-length"] == []


def test_misplaced_key_names_its_home(schema: Schema) -> None:
    problems = check(edited(STD, (((*IK, "LifeTimeInMinutes"), 60),)), schema)
    [problem] = at(problems, "misplaced-key", (*IK, "LifeTimeInMinutes"))
    assert "SecurityAssociationParameters" in problem.message
    assert problem.severity is WARNING


def test_key_of_another_payload_type_is_unknown_not_misplaced(schema: Schema) -> None:
    problems = check(edited(STD, ((("PayloadContent", 1, "VPNType"), "IKEv2"),)), schema)
    assert [
        (p.severity, p.code) for p in problems if p.path == ("PayloadContent", 1, "VPNType")
    ] == [(INFO, "unknown-key")]


# --- MDM variables ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variable", ["$EMAIL$", "%Email%", "{{username}}", "{{ device.serial }}", "${uuid_0}"]
)
@pytest.mark.parametrize(
    ("path", "template"),
    [
        ((*IK, "RemoteAddress"), "{}"),  # host
        ((*IK, "LocalIdentifier"), "{}"),  # no format
        ((*P0, "PayloadIdentifier"), "com.example.vpn.{}"),  # reverse-dns
        ((*IK, "AuthName"), "{}"),
        ((*P0, "DNS", "ServerURL"), "https://{}/dns-query"),  # https-url: an error otherwise
    ],
    ids=["host", "plain", "reverse-dns", "auth-name", "https-url"],
)
def test_mdm_variables_are_info_not_format_errors(
    variable: str, path: KeyPath, template: str, schema: Schema
) -> None:
    edits: list[tuple[KeyPath, Any]] = []
    if path[2] == "DNS":
        edits.append(((*P0, "DNS"), {"DNSProtocol": "HTTPS"}))
    if path[-1] == "AuthName":
        edits.append(((*IK, "ExtendedAuthEnabled"), 1))
    edits.append((path, template.format(variable)))
    problems = check(edited(STD, tuple(edits)), schema)
    assert [(p.severity, p.code) for p in problems if p.path == path] == [(INFO, "mdm-variable")]
    assert loud(problems) == []


def test_mdm_variable_in_secret_is_not_clear_text(schema: Schema) -> None:
    problems = check(edited(STD, ((("PayloadContent", 1, "Password"), "%P12Password%"),)), schema)
    assert [p.code for p in problems if p.path == ("PayloadContent", 1, "Password")] == [
        "mdm-variable"
    ]


def test_percent_sign_alone_is_not_a_variable(schema: Schema) -> None:
    problems = check(edited(STD, (((*IK, "RemoteAddress"), "100% vpn"),)), schema)
    assert [p.code for p in problems if p.path == (*IK, "RemoteAddress")] == ["format-invalid"]


# --- target platforms -----------------------------------------------------------------------------

TVOS17 = Options(targets=(Target.parse("tvos:17"),))


def test_payload_missing_on_target_gives_one_warning(schema: Schema) -> None:
    """The VPN payload does not exist on watchOS: one warning for the payload, none per key."""
    profile = edited(
        STD,
        (
            ((*IK, "IncludeAllNetworks"), 1),
            ((*IK, "PPK"), b"k"),
            ((*IK, "PPKIdentifier"), "p"),
            ((*P0, "VPNType"), "IKEv2"),
        ),
    )
    problems = validate_profile(profile, schema, Options(targets=(Target.parse("watchos:11"),)))
    vpn = [p for p in problems if p.path[:2] == P0]
    assert [(p.severity, p.code, p.path) for p in vpn if p.code != "secret-in-clear"] == [
        (WARNING, "unsupported-platform", P0)
    ]


def test_payload_missing_on_one_of_two_targets(schema: Schema) -> None:
    """Keys are checked against the targets the payload exists on only."""
    profile = edited(STD, (((*IK, "IncludeAllNetworks"), 1),))
    targets = (Target.parse("watchos:11"), Target.parse("tvos:17"))
    problems = validate_profile(profile, schema, Options(targets=targets))
    assert [(p.code, p.path, "watchOS" in p.message) for p in loud_problems(problems)] == [
        ("unsupported-platform", P0, True),
        ("unsupported-platform", (*IK, "IncludeAllNetworks"), False),
    ]


def loud_problems(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is not INFO]


def test_tvos_turns_unsupported_things_into_warnings_not_errors(schema: Schema) -> None:
    profile = edited(
        STD,
        (
            ((*IK, "IncludeAllNetworks"), 1),
            ((*IK, "PPK"), b"0123456789abcdef"),
            ((*IK, "PPKIdentifier"), "ppk"),
            ((*IKE_SA,), {"EncryptionAlgorithm": "DES"}),
        ),
    )
    problems = validate_profile(profile, schema, TVOS17)
    assert [p for p in problems if p.severity is ERROR] == []
    found = {(p.code, p.path) for p in problems if p.severity is WARNING}
    assert {
        ("unsupported-platform", (*IK, "IncludeAllNetworks")),
        ("too-new-for-target", (*IK, "PPK")),
        ("too-new-for-target", (*IK, "PPKIdentifier")),
        ("unsupported-platform", (*IKE_SA, "EncryptionAlgorithm")),
    } <= found
    # without targets none of these is a platform warning
    plain = validate_profile(profile, schema)
    assert not [p for p in plain if p.code in ("unsupported-platform", "too-new-for-target")]


def test_too_new_message_names_versions(schema: Schema) -> None:
    problems = validate_profile(
        edited(STD, (((*IK, "PPK"), b"k"), ((*IK, "PPKIdentifier"), "p"))), schema, TVOS17
    )
    [problem] = at(problems, "too-new-for-target", (*IK, "PPK"))
    assert "tvOS 18.0" in problem.message and "tvOS 17.0" in problem.message


def test_target_without_version_means_newest(schema: Schema) -> None:
    profile = edited(STD, (((*IK, "PPK"), b"k"), ((*IK, "PPKIdentifier"), "p")))
    problems = validate_profile(profile, schema, Options(targets=(Target.parse("tvos"),)))
    assert at(problems, "too-new-for-target", (*IK, "PPK")) == []


def test_deprecated_without_targets_names_platform(schema: Schema) -> None:
    profile = edited(PERAPP, (((*P0, "MailDomains"), ["example.com"]),))
    [problem] = at(check(profile, schema), "deprecated", (*P0, "MailDomains"))
    assert "iOS 13.4" in problem.message


def test_deprecated_not_reported_for_target_before_deprecation(schema: Schema) -> None:
    profile = edited(PERAPP, (((*P0, "MailDomains"), ["example.com"]),))
    assert at(check(profile, schema, ("ios:13.1",)), "deprecated", (*P0, "MailDomains")) == []
    assert at(check(profile, schema, ("macos:14",)), "deprecated", (*P0, "MailDomains")) == []


def test_ipados_follows_ios(schema: Schema) -> None:
    profile = edited(STD, (((*IK, "IncludeAllNetworks"), 1),))
    ios = at(check(profile, schema, ("ios:13",)), "too-new-for-target", (*IK, "IncludeAllNetworks"))
    ipad = at(
        check(profile, schema, ("ipados:13",)), "too-new-for-target", (*IK, "IncludeAllNetworks")
    )
    assert len(ios) == len(ipad) == 1
    assert "iPadOS" in ipad[0].message


# --- protocols, required_when and applies_when from the data --------------------------


def test_pptp_is_an_error_and_l2tp_a_warning(schema: Schema) -> None:
    pptp = at(
        check(edited(STD, (((*P0, "VPNType"), "PPTP"),)), schema),
        "legacy-protocol",
        (*P0, "VPNType"),
    )
    l2tp = at(check(make_profile(*L2TP), schema), "legacy-protocol", (*P0, "VPNType"))
    assert [p.severity for p in pptp] == [ERROR]
    assert [p.severity for p in l2tp] == [WARNING]


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        # SharedSecret: required when AuthenticationMethod is SharedSecret, or None without EAP
        ((((*IK, "AuthenticationMethod"), "SharedSecret"),), True),
        ((((*IK, "AuthenticationMethod"), "None"),), True),
        ((((*IK, "AuthenticationMethod"), "None"), ((*IK, "ExtendedAuthEnabled"), 0)), True),
        ((((*IK, "AuthenticationMethod"), "None"), ((*IK, "ExtendedAuthEnabled"), 1)), False),
        ((((*IK, "AuthenticationMethod"), "Certificate"),), False),
        # conditions read a wrongly typed flag as a device does: <false/> counts as 0
        ((((*IK, "AuthenticationMethod"), "None"), ((*IK, "ExtendedAuthEnabled"), False)), True),
        ((((*IK, "AuthenticationMethod"), "None"), ((*IK, "ExtendedAuthEnabled"), True)), False),
    ],
)
def test_required_when_shared_secret(edits: Edits, expected: bool, schema: Schema) -> None:
    problems = check(edited(STD, (((*IK, "PayloadCertificateUUID"), DEL), *edits)), schema)
    assert bool(at(problems, "required-when-missing", (*IK, "SharedSecret"))) is expected


@pytest.mark.parametrize(
    ("dns", "missing"),
    [
        ({"DNSProtocol": "Cleartext"}, "ServerAddresses"),
        ({"SearchDomains": ["example.com"]}, "ServerAddresses"),  # DNSProtocol absent
        ({"DNSProtocol": "HTTPS"}, "ServerURL"),
        ({"DNSProtocol": "TLS"}, "ServerName"),
    ],
)
def test_required_when_dns(dns: dict[str, Any], missing: str, schema: Schema) -> None:
    problems = check(edited(STD, (((*P0, "DNS"), dns),)), schema)
    assert [p.path[-1] for p in problems if p.code == "required-when-missing"] == [missing]


def test_applies_when_uses_defaults(schema: Schema) -> None:
    """IPSec LocalIdentifier applies when AuthenticationMethod is SharedSecret, its default."""
    profile = edited(IPSEC, (((*P0, "IPSec", "AuthenticationMethod"), DEL),))
    assert at(check(profile, schema), "not-applicable", (*P0, "IPSec", "LocalIdentifier")) == []


def test_applies_when_reads_enclosing_dictionary(schema: Schema) -> None:
    """RequiredDNSServers applies only with DomainAction ConnectIfNeeded."""
    rules = [
        {
            "Action": "EvaluateConnection",
            "InterfaceTypeMatch": "WiFi",
            "ActionParameters": [
                {
                    "Domains": ["a.example.com"],
                    "DomainAction": "NeverConnect",
                    "RequiredDNSServers": ["10.0.0.1"],
                },
                {
                    "Domains": ["b.example.com"],
                    "DomainAction": "ConnectIfNeeded",
                    "RequiredDNSServers": ["10.0.0.1"],
                },
            ],
        },
        {"Action": "Connect"},
    ]
    profile = edited(STD, (((*IK, "OnDemandEnabled"), 1), ((*IK, "OnDemandRules"), rules)))
    problems = check(profile, schema)
    base = (*IK, "OnDemandRules", 0, "ActionParameters")
    assert [p.path for p in problems if p.code == "not-applicable"] == [
        (*base, 0, "RequiredDNSServers")
    ]


def test_applies_when_absolute_path(schema: Schema) -> None:
    """IKEv2 is read only when /VPNType is IKEv2."""
    profile = edited(PROVIDER, (((*P0, "IKEv2"), IKEV2_PAYLOAD["IKEv2"]),))
    assert [p.code for p in check(profile, schema) if p.path == (*P0, "IKEv2")] == [
        "not-applicable"
    ]


def test_not_applicable_dictionary_is_still_checked_inside(schema: Schema) -> None:
    profile = edited(STD, (((*P0, "PPP"), {"TokenCard": True}),))
    problems = check(profile, schema)
    assert at(problems, "type-coercion", (*P0, "PPP", "TokenCard"))


def test_ignored_dictionary_is_one_warning(schema: Schema) -> None:
    """A VPN dictionary in an IKEv2 payload is ignored by the device: a not-applicable warning
    on the dictionary. (Its own required keys are still checked inside: see the report.)"""
    profile = edited(STD, (((*P0, "VPN"), {"RemoteAddress": "vpn.example.com"}),))
    problems = check(profile, schema)
    assert [(p.severity, p.code, p.path) for p in loud_problems(problems)] == [
        (WARNING, "not-applicable", (*P0, "VPN"))
    ]


def test_absent_shared_secret_is_reported_once(schema: Schema) -> None:
    """The schema's required_when reports it; the auth rule must not add a second error."""
    bad = (((*IK, "AuthenticationMethod"), "SharedSecret"), ((*IK, "PayloadCertificateUUID"), DEL))
    problems = check(edited(STD, bad), schema)
    assert [(p.severity, p.code) for p in problems if p.path == (*IK, "SharedSecret")] == [
        (ERROR, "required-when-missing")
    ]


# --- incremental re-check -------------------------------------------------------------


def _messy_profile() -> Profile:
    return edited(
        (*STD, APPLAYER_PAYLOAD),
        (
            ((*IK, "MTU"), 9000),
            ((*IK, "Bogus"), 1),
            (("PayloadContent", 1, "Password"), "pw"),
            (("PayloadContent", 2, "PayloadUUID"), PKCS12_UUID),
            (("PayloadContent", 2, "PayloadContent"), "not data"),
            (("PayloadContent", 3, "VPNType"), "PPTP"),
            (("PayloadContent", 4), "not a payload"),
            (("HasRemovalPasscode",), 1),
        ),
    )


@pytest.mark.parametrize("targets", [(), ("ios:17", "macos:14")])
def test_validate_payload_is_the_payload_subset(targets: tuple[str, ...], schema: Schema) -> None:
    from editor.core.validation.engine import validate_payload, validate_profile_level

    profile = _messy_profile()
    options = Options(targets=tuple(Target.parse(t) for t in targets))
    full = validate_profile(profile, schema, options)
    level = validate_profile_level(profile, schema, options)
    per_payload = [
        validate_payload(profile, i, schema, options) for i in range(len(profile.payloads))
    ]
    assert full == level + [p for problems in per_payload for p in problems]
    for index, problems in enumerate(per_payload):
        assert problems, index  # every payload of the messy profile has something
        assert all(p.path[:2] == ("PayloadContent", index) for p in problems)
        subset = [p for p in full if p.path[:2] == ("PayloadContent", index) and p not in level]
        assert problems == subset


def test_validate_payload_reads_no_other_payload(schema: Schema) -> None:
    from editor.core.validation.engine import validate_payload

    profile = _messy_profile()
    before = [validate_payload(profile, i, schema) for i in range(len(profile.payloads))]
    apply(profile.root, (((*IK, "RemoteAddress"), DEL), (("PayloadContent", 2), DEL)))
    after0 = validate_payload(profile, 0, schema)
    assert after0 != before[0]
    assert at(after0, "required-missing", (*IK, "RemoteAddress"))
    assert validate_payload(profile, 1, schema) == before[1]


def test_validate_payload_problems_of_profile_level_are_not_repeated(schema: Schema) -> None:
    from editor.core.validation.engine import validate_payload, validate_profile_level

    profile = _messy_profile()
    level_codes = {p.code for p in validate_profile_level(profile, schema)}
    assert "duplicate-uuid" in level_codes
    for index in range(len(profile.payloads)):
        assert "duplicate-uuid" not in {p.code for p in validate_payload(profile, index, schema)}


# --- several profiles -----------------------------------------------------------------


def test_cross_profile_duplicate_identifier() -> None:
    from editor.core.validation.rules.profile import cross_profile_problems

    one = make_profile(*STD)
    two = make_profile(*STD, PayloadUUID="0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9")
    three = make_profile(*STD, PayloadIdentifier="com.example.other")
    found = cross_profile_problems(
        [("one.mobileconfig", one), ("two.mobileconfig", two), ("three", three)]
    )
    assert set(found) == {"one.mobileconfig", "two.mobileconfig"}
    for name, other in (
        ("one.mobileconfig", "two.mobileconfig"),
        ("two.mobileconfig", "one.mobileconfig"),
    ):
        [problem] = found[name]
        assert (problem.severity, problem.code, problem.path) == (
            WARNING,
            "duplicate-profile-identifier",
            ("PayloadIdentifier",),
        )
        assert other in problem.message


def test_cross_profile_distinct_identifiers() -> None:
    from editor.core.validation.rules.profile import cross_profile_problems

    one = make_profile(*STD)
    two = make_profile(*STD, PayloadIdentifier="com.example.profile2")
    assert dict(cross_profile_problems([("a", one), ("b", two)])) == {}
    assert dict(cross_profile_problems([("a", one)])) == {}


def test_cross_profile_always_on() -> None:
    """A device holds one Always On profile: two checked together warn, one does not."""
    from editor.core.validation.rules.profile import cross_profile_problems

    one = make_profile(*ALWAYSON)
    two = make_profile(*ALWAYSON, PayloadIdentifier="com.example.profile2")
    plain = make_profile(*STD, PayloadIdentifier="com.example.profile3")
    found = cross_profile_problems([("a", one), ("b", two), ("c", plain)])
    assert set(found) == {"a", "b"}
    for name, other in (("a", "b"), ("b", "a")):
        [problem] = found[name]
        assert (problem.severity, problem.code, problem.path) == (
            WARNING,
            "always-on",
            (*P0, "VPNType"),
        )
        assert other in problem.message
    assert dict(cross_profile_problems([("a", one), ("c", plain)])) == {}


# --- PKCS#12 identities ------------------------------------------------------------------


def test_pkcs12_modern_encoding_is_info_when_only_macos_is_targeted(schema: Schema) -> None:
    profile = edited(REAL, (((*P1, "PayloadContent"), AES_P12),))
    for targets, severity in ((("macos:14",), INFO), (("macos:14", "ios:17"), WARNING)):
        [problem] = at(check(profile, schema, targets), "pkcs12", (*P1, "PayloadContent"))
        assert problem.severity is severity
        assert "PBES2" in problem.message


def test_pkcs12_password_from_mdm_is_not_checked(schema: Schema) -> None:
    profile = edited(REAL, (((*P1, "Password"), "$P12_PASSWORD$"),))
    assert [p for p in check(profile, schema) if p.code in ("pkcs12", "certificate-type")] == []


def test_certificate_type_needs_the_identity_password(schema: Schema) -> None:
    """Without a stored password the key cannot be read here: no guess."""
    profile = edited(REAL, (((*IK, "CertificateType"), DEL), ((*P1, "Password"), DEL)))
    assert at(check(profile, schema), "certificate-type", (*IK, "CertificateType")) == []


def test_an_identity_is_opened_once_per_check(
    schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PKCS#12 and IKEv2 rules share one opening: with an RSA key it costs ~35 ms."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    from editor.core.validation.rules.common import pkcs12_info
    from editor.core.validation.rules.vpn import inspect_pkcs12_cached

    opened: list[bytes] = []
    for name in ("load_key_and_certificates", "load_pkcs12"):
        original = getattr(pkcs12, name)

        def counting(data: bytes, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            opened.append(data)
            return _original(data, *args, **kwargs)

        monkeypatch.setattr(pkcs12, name, counting)
    pkcs12_info.cache_clear()
    inspect_pkcs12_cached.cache_clear()
    profile = edited(REAL, (((*P1, "PayloadContent"), RSA_P12),))
    problems = check(profile, schema)
    assert at(problems, "certificate-type", (*IK, "CertificateType"))  # the key was read
    assert opened == [RSA_P12]
    check(profile, schema)  # checked again, as after every edit: nothing is opened again
    assert opened == [RSA_P12]


# --- reading --------------------------------------------------------------------------


def test_read_leniency_notes_become_info(schema: Schema) -> None:
    profile = make_profile(*STD)
    profile.read_notes.append("the file had a byte-order mark")
    problems = check(profile, schema)
    [problem] = [p for p in problems if p.code == "read-leniency"]
    assert (problem.severity, problem.path) == (INFO, ())
    assert "byte-order mark" in problem.message
    assert [p for p in check(make_profile(*STD), schema) if p.code == "read-leniency"] == []


# --- robustness -----------------------------------------------------------------------

ODD_VALUES: list[Any] = ["text", 7, ["a", {"b": 1}], True, b"\x00", 1.5]


def _dictionary_specs(schema: Schema) -> list[Any]:
    params = []
    for payload_type, payload_schema in sorted(schema.payloads.items()):
        for spec in payload_schema.walk():
            if spec.type == "dictionary" and spec.path:
                params.append(
                    pytest.param(payload_type, spec.path, id=f"{payload_type}:{spec.path}")
                )
    return params


def _nest(schema_path: str, value: Any) -> dict[str, Any]:
    """'IKEv2/OnDemandRules[]/ActionParameters[]' ->
    {'IKEv2': {'OnDemandRules': [{'ActionParameters': [value]}]}}."""
    node: Any = value
    for part in reversed(schema_path.split("/")):
        name = part.replace("[]", "")
        for _ in range((len(part) - len(name)) // 2):
            node = [node]
        node = {name: node}
    result: dict[str, Any] = node
    return result


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _base_payload(payload_type: str) -> dict[str, Any]:
    for sample in (
        IKEV2_PAYLOAD,
        PKCS12_PAYLOAD,
        ROOT_PAYLOAD,
        APPLAYER_PAYLOAD,
        APPMAPPING_PAYLOAD,
        ACME_PAYLOAD,
    ):
        if sample["PayloadType"] == payload_type:
            return copy.deepcopy(sample)
    return {
        "PayloadType": payload_type,
        "PayloadIdentifier": "com.example.odd",
        "PayloadUUID": NEW_UUID,
        "PayloadVersion": 1,
    }


VPN_TYPES = ("IKEv2", "VPN", "IPSec", "L2TP", "AlwaysOn", "TransparentProxy", "PPTP")


@pytest.mark.parametrize(("payload_type", "schema_path"), _dictionary_specs(load_schema()))
def test_validation_never_raises_on_odd_dictionaries(
    payload_type: str, schema_path: str, schema: Schema
) -> None:
    has_vpn_type = "VPNType" in schema.payloads[payload_type].keys
    vpn_types = VPN_TYPES if has_vpn_type else (None,)
    targets = Options(
        targets=(Target.parse("ios:17"), Target.parse("watchos:10"), Target.parse("macos:14"))
    )
    for vpn_type in vpn_types:
        for odd in ODD_VALUES:
            payload = _base_payload(payload_type)
            if vpn_type is not None:
                payload["VPNType"] = vpn_type
                payload["VPNSubType"] = "com.example.vpnapp"
            _merge(payload, _nest(schema_path, odd))
            profile = make_profile(payload)
            for options in (Options(), targets):
                problems = validate_profile(profile, schema, options)
                assert all(p.code in CODES for p in problems)
            if not isinstance(odd, dict):
                # the odd value itself is reported as a type error where it sits
                assert any(p.code == "type-mismatch" and p.severity is ERROR for p in problems), (
                    schema_path,
                    odd,
                )


@pytest.mark.parametrize("odd", [*ODD_VALUES, ["string", 3, [1], {}]])
def test_validation_never_raises_on_odd_payload_content(odd: Any, schema: Schema) -> None:
    profile = make_profile(*STD)
    profile.root["PayloadContent"] = odd
    problems = validate_profile(profile, schema)
    if isinstance(odd, list):
        assert at(problems, "not-a-dictionary", ("PayloadContent", 0))
    else:
        assert at(problems, "type-mismatch", ("PayloadContent",))


@pytest.mark.parametrize(
    ("fmt", "good"),
    [
        ("hostname", "vpn.example.com"),
        ("host", "vpn.example.com"),
        ("host", "192.0.2.1"),
        ("domain", "corp.example.com"),
        ("ip", "192.0.2.1"),
        ("uuid", "0F6E3B1C-8D2A-4E5F-9A7B-1C2D3E4F5A6B"),
        ("reverse-dns", "com.example.vpn"),
        ("bundle-id", "com.example.app"),
        ("oid", "1.3.6.1.5.5.7.3.2"),
        ("email", "it@example.com"),
        ("url", "https://example.com/proxy.pac"),
        ("https-url", "https://example.com/dns-query"),
    ],
)
def test_a_trailing_line_feed_is_not_part_of_a_valid_value(fmt: str, good: str) -> None:
    """A value pasted with its line end still looks right in most editors; a device reads
    the line feed as part of the value."""
    from editor.core.formats import check_format

    assert check_format(fmt, good) is None
    assert check_format(fmt, good + "\n") is not None


# --- issue 13: verdicts that match what devices do ------------------------------------------


def test_blank_text_before_the_declaration_is_a_warning(schema: Schema) -> None:
    data = make_profile(*STD).to_bytes("xml")
    assert data.startswith(b"<?xml")
    problems = check(Profile.parse(b"\n  " + data), schema)
    [problem] = [p for p in problems if p.code == "text-before-declaration"]
    assert (problem.severity, problem.path) == (WARNING, ())
    assert "<?xml" in problem.message
    assert [p for p in check(Profile.parse(data), schema) if p.path == ()] == []


@pytest.mark.parametrize(
    "address", ["vpn.example.com:51820", "https://vpn.example.com/login", "10.0.0.1:443"]
)
def test_provider_server_address_is_the_providers_business(address: str, schema: Schema) -> None:
    """WireGuard writes host:port and SSL VPNs URLs in VPN/RemoteAddress; Apple defines no
    format there. IKEv2's RemoteAddress keeps its host check."""
    provider = edited(PROVIDER, (((*P0, "VPN", "RemoteAddress"), address),))
    assert loud(check(provider, schema)) == []
    ikev2 = edited(STD, (((*IK, "RemoteAddress"), address),))
    assert at(check(ikev2, schema), "format-invalid", (*IK, "RemoteAddress"))


@pytest.mark.parametrize("method", ["Password", "Certificate"])
def test_on_demand_provider_needs_no_credential_in_the_profile(method: str, schema: Schema) -> None:
    """A provider app (WireGuard, an SSL VPN) authenticates its own way."""
    profile = edited(
        PROVIDER,
        (
            ((*P0, "VPN", "AuthenticationMethod"), method),
            ((*P0, "VPN", "PayloadCertificateUUID"), DEL),
            ((*P0, "VPN", "OnDemandEnabled"), 1),
            ((*P0, "VPN", "OnDemandRules"), [{"Action": "Connect"}]),
        ),
    )
    assert [p for p in check(profile, schema) if p.code == "on-demand"] == []


def test_strict_algorithms_point_at_the_group_key(schema: Schema) -> None:
    profile = edited(
        STD,
        (
            ((*IK, "EnforceStrictAlgorithmSelection"), 1),
            (IKE_SA, {"EncryptionAlgorithm": "AES-256", "DiffieHellmanGroup": 2}),
        ),
    )
    paths = [p.path for p in check(profile, schema) if p.code == "strict-algorithms"]
    assert paths == [(*IKE_SA, "DiffieHellmanGroup")]


def test_removed_values_name_versions_and_platforms(schema: Schema) -> None:
    profile = edited(
        STD, ((IKE_SA, {"EncryptionAlgorithm": "3DES", "IntegrityAlgorithm": "SHA1-96"}),)
    )
    messages = [p.message for p in check(profile, schema) if p.code in ("removed", "weak-crypto")]
    assert messages and all("26" in m and "visionOS" in m for m in messages)
    assert not any("any platform" in m for m in messages)
    [targeted] = at(
        check(profile, schema, ("ios:26",)), "removed", (*IKE_SA, "EncryptionAlgorithm")
    )
    assert "iOS 26" in targeted.message
    assert (
        at(check(profile, schema, ("ios:18",)), "removed", (*IKE_SA, "EncryptionAlgorithm")) == []
    )


def test_duplicate_messages_show_empty_values_and_count_as_paths(schema: Schema) -> None:
    profile = edited(
        STD,
        ((("PayloadContent", 1, "PayloadUUID"), ""), (("PayloadContent", 2, "PayloadUUID"), "")),
    )
    [problem] = at(check(profile, schema), "duplicate-uuid", ("PayloadContent", 2, "PayloadUUID"))
    wanted = 'Payload UUID (PayloadUUID) "" is also used by PayloadContent/1 (payload 2)'
    assert wanted in problem.message


def test_strict_changes_only_coercions(schema: Schema) -> None:
    profile = edited(STD, (((*IK, "DisableMOBIKE"), True), ((*IK, "MTU"), "x")))
    relaxed = {(p.code, p.severity) for p in check(profile, schema) if p.path[:3] == IK}
    strict = {(p.code, p.severity) for p in check(profile, schema, strict=True) if p.path[:3] == IK}
    assert relaxed == {("type-coercion", WARNING), ("type-mismatch", ERROR)}
    assert strict == {("type-coercion", ERROR), ("type-mismatch", ERROR)}


def test_each_case_severity_is_one_the_rules_catalogue_declares() -> None:
    """resources/schema/rules.json says which severities a code may have, and why; the
    engine keeps to it."""
    import json

    from editor.resources import resource_path

    rules = json.loads(resource_path("schema", "rules.json").read_text())["rules"]
    wrong = [
        (c.id, c.code, c.severity.value)
        for c in (p.values[0] for p in ALL_CASES)
        if c.severity.value not in rules[c.code]["severities"]
    ]
    assert wrong == []


def test_provider_certificate_authentication_needs_no_ca_payload(schema: Schema) -> None:
    """A provider app checks its server its own way; the built-in IKEv2 client needs the CA."""
    provider = edited(PROVIDER, ((("PayloadContent", 2), DEL),))
    assert [p for p in check(provider, schema) if p.code == "missing-ca"] == []
    ikev2 = edited(STD, ((("PayloadContent", 2), DEL),))
    assert [p.severity for p in check(ikev2, schema) if p.code == "missing-ca"] == [INFO]


# --- certificate validity, judged at a fixed moment -----------------------------------------

MOMENT = datetime(2026, 6, 1, tzinfo=UTC)


def _certificate_and_key(
    not_before: datetime, not_after: datetime
) -> tuple[Any, Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Validity Test CA")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def _validity_problems(payload: dict[str, Any], schema: Schema) -> list[tuple[str, KeyPath]]:
    problems = validate_profile(make_profile(payload), schema, Options(now=MOMENT))
    return [(p.severity.value, p.path) for p in problems if p.code == "certificate-validity"]


@pytest.mark.parametrize(
    ("not_before", "not_after", "expected"),
    [
        pytest.param((2020, 1, 1), (2026, 5, 31), "error", id="expired"),
        pytest.param((2026, 7, 1), (2036, 1, 1), "warning", id="not-yet-valid"),
        pytest.param((2020, 1, 1), (2026, 6, 20), "warning", id="expires-in-19-days"),
        pytest.param((2020, 1, 1), (2026, 7, 2), None, id="valid-for-a-month"),
    ],
)
@pytest.mark.parametrize("encoding", ["der", "pem"])
def test_certificate_validity_of_root_and_pem_payloads(
    schema: Schema,
    not_before: tuple[int, int, int],
    not_after: tuple[int, int, int],
    expected: str | None,
    encoding: str,
) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    certificate, _key = _certificate_and_key(
        datetime(*not_before, tzinfo=UTC),
        datetime(*not_after, tzinfo=UTC),
    )
    der = encoding == "der"
    payload = dict(
        ROOT_PAYLOAD,
        PayloadType="com.apple.security.root" if der else "com.apple.security.pem",
        PayloadContent=certificate.public_bytes(Encoding.DER if der else Encoding.PEM),
    )
    found = _validity_problems(payload, schema)
    assert found == ([] if expected is None else [(expected, (*P0, "PayloadContent"))])


def test_utc_time_years_follow_rfc_5280() -> None:
    """Certificates until 2049 carry UTCTime (two-digit years), later ones GeneralizedTime."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from editor.core.certificates import certificate_validity

    start = datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)
    end = datetime(2051, 1, 2, 3, 4, 5, tzinfo=UTC)
    certificate, _key = _certificate_and_key(start, end)
    assert certificate_validity(certificate.public_bytes(Encoding.DER)) == (start, end)
    assert certificate_validity(b"not a certificate") is None


def test_an_expired_pkcs12_identity_is_an_error(schema: Schema) -> None:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    certificate, key = _certificate_and_key(
        datetime(2020, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    data = pkcs12.serialize_key_and_certificates(
        b"Expired", key, certificate, None, BestAvailableEncryption(b"secret")
    )
    payload = dict(PKCS12_PAYLOAD, PayloadContent=data, Password="secret")
    assert _validity_problems(payload, schema) == [("error", (*P0, "PayloadContent"))]
    wrong = dict(payload, Password="not it")  # the identity does not open: no dates known
    assert _validity_problems(wrong, schema) == []
