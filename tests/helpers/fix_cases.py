"""One case per quick fix: a change that makes the standard profile need the fix, the
problem code and path the fix answers, and a check of the fixed profile. The command line
(test_cli_fix.py) and the window (test_gui_fixes.py) both go through every case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers.profiles import (
    IKEV2_PAYLOAD,
    PKCS12_PAYLOAD,
    ROOT_PAYLOAD,
    SAMPLE_IDENTITY_P12,
    make_profile,
)


def standard() -> dict[str, Any]:
    return make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD).root


def pem_of(der: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM)


def openssl3_identity() -> bytes:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    loaded = pkcs12.load_pkcs12(SAMPLE_IDENTITY_P12, b"sample identity")
    assert loaded.key is not None and loaded.cert is not None
    return pkcs12.serialize_key_and_certificates(
        b"client", loaded.key, loaded.cert.certificate, None, BestAvailableEncryption(b"pw1234")
    )




def set_at(root: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node = root
    for part in path[:-1]:
        node = node[part]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value


Check = Callable[[dict[str, Any]], bool]
IK = ("PayloadContent", 0, "IKEv2")

# (id, changes to the standard profile, code, path, extra arguments, check of the result)
CASES: list[tuple[str, list[tuple[tuple[Any, ...], Any]], str, str, list[str], Check]] = [
    (
        "boolean-to-integer",
        [((*IK, "DisableMOBIKE"), True)],
        "type-coercion",
        "PayloadContent/0/IKEv2/DisableMOBIKE",
        [],
        lambda r: type(r["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"]) is int,
    ),
    (
        "integer-to-boolean",
        [(("PayloadRemovalDisallowed",), 1)],
        "type-coercion",
        "PayloadRemovalDisallowed",
        [],
        lambda r: r["PayloadRemovalDisallowed"] is True,
    ),
    (
        "real-to-integer",
        [(("PayloadVersion",), 1.0)],
        "type-coercion",
        "PayloadVersion",
        [],
        lambda r: type(r["PayloadVersion"]) is int,
    ),
    (
        "string-to-integer",
        [((*IK, "MTU"), "1400")],
        "type-mismatch",
        "PayloadContent/0/IKEv2/MTU",
        [],
        lambda r: r["PayloadContent"][0]["IKEv2"]["MTU"] == 1400,
    ),
    (
        "placeholder-uuid",
        [
            (("PayloadContent", 1, "PayloadUUID"), "REPLACE-ME"),
            ((*IK, "PayloadCertificateUUID"), "REPLACE-ME"),
        ],
        "placeholder-uuid",
        "PayloadContent/1/PayloadUUID",
        [],
        lambda r: r["PayloadContent"][1]["PayloadUUID"]
        == r["PayloadContent"][0]["IKEv2"]["PayloadCertificateUUID"]
        != "REPLACE-ME",
    ),
    (
        "duplicate-uuid",
        [(("PayloadContent", 2, "PayloadUUID"), PKCS12_PAYLOAD["PayloadUUID"])],
        "duplicate-uuid",
        "PayloadContent/2/PayloadUUID",
        [],
        lambda r: r["PayloadContent"][2]["PayloadUUID"] != PKCS12_PAYLOAD["PayloadUUID"],
    ),
    (
        "missing-uuid",
        [(("PayloadContent", 2, "PayloadUUID"), None)],
        "required-missing",
        "PayloadContent/2/PayloadUUID",
        [],
        lambda r: len(r["PayloadContent"][2]["PayloadUUID"]) == 36,
    ),
    (
        "misplaced-key",
        [(("PayloadContent", 0, "DeadPeerDetectionRate"), "Low")],
        "misplaced-key",
        "PayloadContent/0/DeadPeerDetectionRate",
        [],
        lambda r: r["PayloadContent"][0]["IKEv2"]["DeadPeerDetectionRate"] == "Low",
    ),
    (
        "ignored-for-vpn-type",
        [(("PayloadContent", 0, "IPSec"), {"RemoteAddress": "vpn.example.com"})],
        "not-applicable",
        "PayloadContent/0/IPSec",
        [],
        lambda r: "IPSec" not in r["PayloadContent"][0],
    ),
    (
        "payload-version",
        [(("PayloadContent", 1, "PayloadVersion"), None)],
        "required-missing",
        "PayloadContent/1/PayloadVersion",
        [],
        lambda r: r["PayloadContent"][1]["PayloadVersion"] == 1,
    ),
    (
        "payload-identifier",
        [(("PayloadContent", 2, "PayloadIdentifier"), None)],
        "required-missing",
        "PayloadContent/2/PayloadIdentifier",
        [],
        lambda r: r["PayloadContent"][2]["PayloadIdentifier"] == "com.example.profile.ca",
    ),
    (
        "catch-all-rule",
        [
            ((*IK, "OnDemandEnabled"), 1),
            ((*IK, "OnDemandRules"), [{"Action": "Connect", "InterfaceTypeMatch": "WiFi"}]),
        ],
        "on-demand-no-catch-all",
        "PayloadContent/0/IKEv2/OnDemandRules",
        ["--on-demand-action", "Ignore"],
        lambda r: r["PayloadContent"][0]["IKEv2"]["OnDemandRules"][-1] == {"Action": "Ignore"},
    ),
    (
        "pem-to-der",
        [(("PayloadContent", 2, "PayloadContent"), pem_of(ROOT_PAYLOAD["PayloadContent"]))],
        "certificate-content",
        "PayloadContent/2/PayloadContent",
        [],
        lambda r: r["PayloadContent"][2]["PayloadContent"] == ROOT_PAYLOAD["PayloadContent"],
    ),
    (
        "pkcs12-reencode",
        [
            (("PayloadContent", 1, "PayloadContent"), openssl3_identity()),
            (("PayloadContent", 1, "Password"), "pw1234"),
        ],
        "pkcs12",
        "PayloadContent/1/PayloadContent",
        [],
        lambda r: r["PayloadContent"][1]["PayloadContent"] != openssl3_identity(),
    ),
]
