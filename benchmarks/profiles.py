"""Deterministic test profiles for the benchmarks.

`build_profile(n)` returns the root dictionary of a profile with `n` IKEv2 VPN payloads
(certificate authentication, On Demand rules, encrypted DNS and proxies) plus the
identity they authenticate with (a SCEP payload, as MDM-deployed profiles use) and the
root certificate of the VPN servers. With n=1000 the XML is about
4 MB. The same seed always gives the same bytes, so runs on different days compare.
"""

from __future__ import annotations

import plistlib
import random
import uuid
from pathlib import Path
from typing import Any

SEED = 20261101


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def _blob(rng: random.Random, size: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(size))


def _certificate_shaped(rng: random.Random, size: int) -> bytes:
    """Random bytes in the outer shape of a DER certificate (signed part, algorithm,
    signature), which validation checks; the same size as a typical CA certificate."""

    def item(tag: int, body: bytes) -> bytes:
        length = len(body)
        head = bytes([length]) if length < 0x80 else b"\x82" + length.to_bytes(2, "big")
        return bytes([tag]) + head + body

    algorithm = item(0x30, bytes.fromhex("06092a864886f70d01010b0500"))  # sha256WithRSA
    signature = item(0x03, b"\x00" + _blob(rng, 256))
    signed_part = item(0x30, _blob(rng, size - len(algorithm) - len(signature) - 8))
    return item(0x30, signed_part + algorithm + signature)


def _vpn_payload(rng: random.Random, number: int, identity_uuid: str) -> dict[str, Any]:
    site = f"site{number:04d}"
    host = f"{site}.vpn.example.com"
    corp = f"{site}.corp.example.com"
    return {
        "PayloadDisplayName": f"VPN {number:04d}",
        "PayloadIdentifier": f"com.example.bench.vpn.{number:04d}",
        "PayloadType": "com.apple.vpn.managed",
        "PayloadUUID": _uuid(rng),
        "PayloadVersion": 1,
        "UserDefinedName": f"Office {number:04d}",
        "VPNType": "IKEv2",
        "IKEv2": {
            "RemoteAddress": host,
            "RemoteIdentifier": host,
            "LocalIdentifier": f"client{number:04d}.example.com",
            "AuthenticationMethod": "Certificate",
            "CertificateType": "RSA",
            "PayloadCertificateUUID": identity_uuid,
            "ServerCertificateIssuerCommonName": "Example Corp VPN CA",
            "ExtendedAuthEnabled": 0,
            "DeadPeerDetectionRate": "Medium",
            "EnablePFS": 1,
            "IKESecurityAssociationParameters": {
                "EncryptionAlgorithm": "AES-256-GCM",
                "IntegrityAlgorithm": "SHA2-384",
                "DiffieHellmanGroup": 20,
                "LifeTimeInMinutes": 1440,
            },
            "ChildSecurityAssociationParameters": {
                "EncryptionAlgorithm": "AES-256-GCM",
                # every 50th connection keeps an old setting: a realistic warning
                "IntegrityAlgorithm": "SHA1-96" if number % 50 == 0 else "SHA2-384",
                "DiffieHellmanGroup": 20,
                "LifeTimeInMinutes": 60 + number % 60,
            },
            "OnDemandEnabled": 1,
            "OnDemandRules": [
                {
                    "Action": "Disconnect",
                    "InterfaceTypeMatch": "WiFi",
                    "SSIDMatch": [f"Office-{number:04d}"],
                },
                {
                    "Action": "EvaluateConnection",
                    "DNSDomainMatch": [f"{site}.example.com", "example.net"],
                    "ActionParameters": [
                        {
                            "Domains": [corp, f"intranet.{site}.example.com"],
                            "DomainAction": "ConnectIfNeeded",
                            "RequiredDNSServers": [f"10.{number % 250}.0.53"],
                            "RequiredURLStringProbe": f"https://probe.{corp}/ok",
                        },
                    ],
                },
                {"Action": "Connect", "InterfaceTypeMatch": "Cellular"},
                {"Action": "Connect"},
            ],
        },
        "DNS": {
            "DNSProtocol": "HTTPS",
            "ServerURL": f"https://dns.{corp}/dns-query",
            "ServerAddresses": [f"10.{number % 250}.0.53", f"10.{number % 250}.1.53"],
            "SupplementalMatchDomains": [corp, f"{site}.example.net"],
        },
        "Proxies": {
            "HTTPEnable": 1,
            "HTTPProxy": f"proxy.{corp}",
            "HTTPPort": 3128,
            "SupplementalMatchDomains": [corp],
        },
    }


def build_profile(vpn_payloads: int, seed: int = SEED) -> dict[str, Any]:
    rng = random.Random(seed)
    identity_uuid = _uuid(rng)
    root_uuid = _uuid(rng)
    certificates = [
        {
            "PayloadDisplayName": "VPN client identity (SCEP)",
            "PayloadIdentifier": "com.example.bench.identity",
            "PayloadType": "com.apple.security.scep",
            "PayloadUUID": identity_uuid,
            "PayloadVersion": 1,
            "PayloadContent": {
                "URL": "https://scep.example.com/certsrv/mscep/mscep.dll",
                "Name": "Example Corp Issuing CA",
                "Subject": [[["CN", "$DEVICE_SERIAL$"]], [["O", "Example Corp"]]],
                "Challenge": "$SCEP_CHALLENGE$",
                "Keysize": 2048,
                "Key Type": "RSA",
                "Key Usage": 5,
                "CAFingerprint": _blob(rng, 20),
            },
        },
        {
            "PayloadDisplayName": "Example Corp VPN CA",
            "PayloadIdentifier": "com.example.bench.ca",
            "PayloadType": "com.apple.security.root",
            "PayloadUUID": root_uuid,
            "PayloadVersion": 1,
            "PayloadCertificateFileName": "ca.cer",
            "PayloadContent": _certificate_shaped(rng, 900),
        },
    ]
    vpns = [_vpn_payload(rng, n + 1, identity_uuid) for n in range(vpn_payloads)]
    return {
        "PayloadContent": [*certificates, *vpns],
        "PayloadDescription": f"Benchmark profile with {vpn_payloads} IKEv2 VPN payloads",
        "PayloadDisplayName": f"Benchmark ({vpn_payloads} VPNs)",
        "PayloadIdentifier": f"com.example.bench.{vpn_payloads}",
        "PayloadOrganization": "Example Corp",
        "PayloadRemovalDisallowed": False,
        "PayloadType": "Configuration",
        "PayloadUUID": _uuid(rng),
        "PayloadVersion": 1,
    }


def profile_bytes(vpn_payloads: int, seed: int = SEED) -> bytes:
    return plistlib.dumps(build_profile(vpn_payloads, seed), fmt=plistlib.FMT_XML, sort_keys=False)


def write_profile(directory: Path, vpn_payloads: int, seed: int = SEED) -> Path:
    path = directory / f"bench-{vpn_payloads}.mobileconfig"
    path.write_bytes(profile_bytes(vpn_payloads, seed))
    return path


if __name__ == "__main__":
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    sys.stdout.buffer.write(profile_bytes(count))
