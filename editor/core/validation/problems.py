"""What validation returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from editor.core.model import KeyPath, path_text


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str  # stable, for scripts: see CODES
    path: KeyPath  # from the profile root; array items by index
    message: str  # what is wrong and what to do

    @property
    def path_text(self) -> str:
        return path_text(self.path)

    def as_json(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "path": self.path_text,
            "message": self.message,
        }


# Every code the engine emits, with what it means. Scripts may rely on these names.
CODES: dict[str, str] = {
    # reading
    "read-leniency": "the file needed a lenient reading an Apple device may not share",
    "text-before-declaration": "text before the XML declaration, which XML forbids",
    "duplicate-key": "a key written twice in one dictionary; the later value is read",
    # structure and types
    "type-mismatch": "a value has another plist type than the schema says, one a device "
    "cannot read as the right type",
    "type-coercion": "a value of another plist type that devices coerce (<true/> for 1, "
    "<real>1.0</real> for 1); an error with --strict",
    "required-missing": "a required key is absent",
    "required-when-missing": "a key required by another key's value is absent",
    "value-not-allowed": "a value is not one of the allowed values",
    "out-of-range": "a number is outside its allowed range",
    "format-invalid": "a string does not have the expected format",
    "array-length": "an array has too few or too many items",
    "empty-value": "a required string is empty",
    "empty-item": "an array of strings holds an empty string",
    "unknown-key": "a key the schema does not know; kept as is",
    "misplaced-key": "a known key in a place where the device does not read it",
    "not-applicable": "a key the device ignores because of another key's value",
    "unknown-payload-type": "an Apple payload type the schema does not describe; kept as is",
    "not-apple-payload-type": "a PayloadType that is none of Apple's payload types",
    "not-a-dictionary": "a payload that is not a dictionary",
    "mdm-variable": "a value holds an MDM substitution variable",
    "unknown-mdm-variable": "a variable the chosen MDM channel does not fill in (unknown, "
    "another vendor's, or in the wrong case)",
    "channel-size": "the profile is larger than the chosen MDM channel takes",
    "channel-signature": "the profile is signed, but the chosen MDM channel does not pass "
    "signatures on",
    # platforms
    "unsupported-platform": "a key, value or payload does not exist on a target platform",
    "too-new-for-target": "a key or value needs a newer OS than a target version",
    "removed": "a key or value that the OS no longer supports",
    "deprecated": "a key or value that still works but is superseded",
    "supervised-only": "a key or payload that needs a supervised device",
    # profile level
    "profile-type": "the top-level PayloadType is not Configuration (a bare payload, checked "
    "as that payload)",
    "duplicate-uuid": "two payloads share a PayloadUUID",
    "duplicate-identifier": "two payloads share a PayloadIdentifier",
    "duplicate-profile-identifier": "two profiles checked together share a PayloadIdentifier",
    "identifier-clash": "a payload's identifier equals the profile's",
    "placeholder-uuid": "a PayloadUUID that is a placeholder or not a UUID",
    "single-payload": "a payload type that may appear only once appears more than once",
    "no-payloads": "the profile has no payloads",
    "encryption": "inconsistent encryption keys",
    "dangling-reference": "a reference to a payload that is not in the profile",
    "reference-kind": "a reference to a payload of the wrong kind",
    "missing-ca": "certificate authentication without a CA certificate in the profile",
    "secret-in-clear": "a password or shared secret stored in the profile in clear text",
    "pkcs12": "a PKCS#12 identity a device cannot open: its encoding, its password or no key",
    "certificate-content": "a certificate payload that holds no certificate, or PEM where "
    "Apple documents DER",
    "unused-identity": "an identity payload no other payload names",
    "certificate-validity": "a certificate that has expired, is not yet valid, or expires "
    "within 30 days",
    "duplicate-certificate": "the same certificate or identity in two payloads",
    # VPN rules
    "legacy-protocol": "PPTP or L2TP",
    "vpn-subtype": "VPNSubType missing or not allowed for the VPN type",
    "vpn-settings-missing": "the dictionary for the chosen VPN type is absent",
    "vendor-config": "VendorConfig keys that do not belong to the chosen vendor",
    "auth-credential": "the chosen authentication method lacks its credential",
    "auth-fallback": "AuthenticationMethod None without extended authentication",
    "ppk-pair": "PPK and PPKIdentifier must come together",
    "tls-versions": "TLS minimum version above the maximum",
    "weak-crypto": "weak algorithms or Diffie-Hellman groups",
    "strict-algorithms": "settings rejected by EnforceStrictAlgorithmSelection",
    "ineffective-setting": "a setting that has no effect in this combination",
    "on-demand": "On Demand rules that cannot work as intended",
    # On Demand rule analysis (rules/on_demand.py)
    "on-demand-shadowed": "an On Demand rule never fires: an earlier rule matches all it matches",
    "on-demand-unreachable": "an On Demand rule never fires: its conditions exclude each other",
    "on-demand-no-catch-all": "the On Demand rules do not end with a rule without conditions",
    "on-demand-no-rules": "OnDemandEnabled is 1 but there are no rules",
    "on-demand-interface-platform": "an InterfaceTypeMatch that a target platform does not have",
    "on-demand-http-probe": "an On Demand probe URL over plain HTTP",
    "on-demand-no-parameters": "EvaluateConnection without ActionParameters",
    "on-demand-swallowed-never": "a NeverConnect entry after a ConnectIfNeeded entry that "
    "matches its domains first",
    "always-on": "Always On VPN constraints",
    "per-app-vpn": "per-app VPN constraints",
    "system-extension": "a system-extension provider without its designated requirement",
    "ipsec-identifier": "Cisco IPSec local identifier rules",
    "identity-format": "an IKE identity written as an X.500 distinguished name",
    "certificate-type": "the IKEv2 CertificateType does not fit the key of the identity used",
    "watchos-limit": "a value beyond what watchOS accepts",
}
