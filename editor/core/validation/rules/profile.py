"""Rules about the profile as a whole: identity, duplicates, counts, references."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from editor.core.certificates import CERTIFICATE_TYPES, identity_payloads
from editor.core.formats import is_canonical_uuid
from editor.core.model import KeyPath, Profile
from editor.core.payload_types import ACME, APPLAYER, PKCS12, SCEP, VPN
from editor.core.plisttypes import PlistValue
from editor.core.schema import PayloadSchema
from editor.core.validation.context import ERROR, INFO, WARNING, ProfileContext, ProfileRule
from editor.core.validation.problems import Problem
from editor.core.validation.rules.common import NIL_UUID, TUNNELS, pkcs12_info, values_at
from editor.core.validation.wording import ADD_IDENTITY

if TYPE_CHECKING:
    pass


_PLACEHOLDER_RE = re.compile(
    r"replace|changeme|placeholder|xxxx|\.\.\.|todo|^uuid$|\$\{|\{\{", re.I
)


def quoted(value: str) -> str:
    """A value in double quotes, so that an empty one shows: PayloadUUID "" ..."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def payload_ref(index: int) -> str:
    """A payload as paths count it, and as people do: 'PayloadContent/1 (payload 2)'."""
    return f"PayloadContent/{index} (payload {index + 1})"


def reference_paths(payload_schema: PayloadSchema) -> list[tuple[str, str]]:
    """(schema path, reference kind) of every key that names another payload."""
    return [(spec.path, spec.references) for spec in payload_schema.walk() if spec.references]


def _payloads(profile: Profile) -> Iterator[tuple[int, dict[str, PlistValue]]]:
    return profile.payload_dicts()


def check_fragment_identity(ctx: ProfileContext) -> None:
    """A bare payload's own PayloadUUID (the profile rules do not run on a fragment)."""
    uuid = ctx.profile.root.get("PayloadUUID")
    if isinstance(uuid, str):
        _check_placeholder(ctx, ("PayloadUUID",), uuid)


def check_profile_type(ctx: ProfileContext) -> None:
    kind = ctx.profile.root.get("PayloadType")
    if isinstance(kind, str) and kind != "Configuration" and ctx.schema.payload(kind) is not None:
        ctx.add(
            ERROR,
            "profile-type",
            ("PayloadType",),
            f"this file is a bare {kind} payload, not a profile: put it in the PayloadContent "
            "array of a Configuration profile before installing it",
        )


def check_payload_count(ctx: ProfileContext) -> None:
    content = ctx.profile.root.get("PayloadContent")
    if isinstance(content, list) and not content and not ctx.profile.is_encrypted:
        ctx.add(
            WARNING,
            "no-payloads",
            ("PayloadContent",),
            "the profile has no payloads: it installs but does nothing",
        )


def check_encryption(ctx: ProfileContext) -> None:
    root = ctx.profile.root
    if "EncryptedPayloadContent" in root and root.get("IsEncrypted") is not True:
        ctx.add(
            ERROR,
            "encryption",
            ("IsEncrypted",),
            "EncryptedPayloadContent is present but IsEncrypted is not true; "
            "set IsEncrypted to true",
        )
    if "EncryptedPayloadContent" in root and "PayloadContent" in root:
        ctx.add(
            WARNING,
            "encryption",
            ("PayloadContent",),
            "the profile has both PayloadContent and EncryptedPayloadContent; "
            "a device reads only the encrypted one",
        )
    envelope = root.get("EncryptedPayloadContent")
    if root.get("IsEncrypted") is True and isinstance(envelope, bytes):
        error = _envelope_error(envelope)
        if error is not None:
            ctx.add(
                ERROR,
                "encryption",
                ("EncryptedPayloadContent",),
                f"{error}; a device cannot decrypt it. Encrypt the payloads again for the "
                "device's certificate",
            )


@functools.lru_cache(maxsize=16)
def _envelope_error(envelope: bytes) -> str | None:
    """Why EncryptedPayloadContent is not a readable CMS EnvelopedData, or None."""
    from editor.core.encryption import encryption_info

    info = encryption_info({"EncryptedPayloadContent": envelope}, "")
    return None if info.error is None else info.error.removeprefix(": ")


def check_identities(ctx: ProfileContext) -> None:
    by_uuid: dict[str, list[int]] = defaultdict(list)
    by_identifier: dict[str, list[int]] = defaultdict(list)
    original_uuid: dict[int, str] = {}
    profile_id = ctx.profile.root.get("PayloadIdentifier")
    profile_uuid = ctx.profile.root.get("PayloadUUID")
    if isinstance(profile_uuid, str):
        _check_placeholder(ctx, ("PayloadUUID",), profile_uuid)
    for index, payload in _payloads(ctx.profile):
        uuid = payload.get("PayloadUUID")
        if isinstance(uuid, str):
            by_uuid[uuid.upper()].append(index)
            original_uuid[index] = uuid
            _check_placeholder(ctx, ("PayloadContent", index, "PayloadUUID"), uuid)
            if isinstance(profile_uuid, str) and uuid.upper() == profile_uuid.upper():
                ctx.add(
                    ERROR,
                    "duplicate-uuid",
                    ("PayloadContent", index, "PayloadUUID"),
                    "this payload has the profile's own PayloadUUID; give it a new UUID",
                )
        identifier = payload.get("PayloadIdentifier")
        if isinstance(identifier, str):
            by_identifier[identifier].append(index)
            if identifier == profile_id:
                ctx.add(
                    WARNING,
                    "identifier-clash",
                    ("PayloadContent", index, "PayloadIdentifier"),
                    "this payload's PayloadIdentifier equals the profile's; use a longer one, "
                    f"such as {identifier}.vpn",
                )
    for indices in by_uuid.values():
        for index in indices[1:] if len(indices) > 1 else []:
            ctx.add(
                ERROR,
                "duplicate-uuid",
                ("PayloadContent", index, "PayloadUUID"),
                f"PayloadUUID {quoted(original_uuid[index])} is also used by "
                f"{payload_ref(indices[0])}; every payload needs its own UUID or the device "
                "refuses the profile",
            )
    for identifier, indices in by_identifier.items():
        for index in indices[1:] if len(indices) > 1 else []:
            ctx.add(
                ERROR,
                "duplicate-identifier",
                ("PayloadContent", index, "PayloadIdentifier"),
                f"PayloadIdentifier {quoted(identifier)} is also used by "
                f"{payload_ref(indices[0])}; "
                "make each payload's identifier unique",
            )


def _check_placeholder(ctx: ProfileContext, path: KeyPath, uuid: str) -> None:
    if uuid == NIL_UUID:
        ctx.add(
            WARNING,
            "placeholder-uuid",
            path,
            "the all-zero UUID is a placeholder that other profiles use too; "
            "replace it with a newly generated UUID",
        )
        return
    if is_canonical_uuid(uuid):
        return
    if _PLACEHOLDER_RE.search(uuid):
        ctx.add(
            WARNING,
            "placeholder-uuid",
            path,
            f"PayloadUUID {uuid!r} looks like a placeholder; replace it with a real UUID",
        )


def check_single_payloads(ctx: ProfileContext) -> None:
    seen: dict[str, int] = {}
    for index, payload in _payloads(ctx.profile):
        kind = payload.get("PayloadType")
        payload_schema = ctx.schema.payload(kind) if isinstance(kind, str) else None
        if payload_schema is None:
            continue
        multiple = payload_schema.multiple
        if multiple and not any(multiple.values()):
            if kind in seen:
                ctx.add(
                    ERROR,
                    "single-payload",
                    ("PayloadContent", index),
                    f"a profile may hold only one {payload_schema.title} payload; "
                    f"{payload_ref(seen[kind])} is one already: merge them",
                )
            else:
                seen[str(kind)] = index


def check_references(ctx: ProfileContext) -> None:
    payload_types: dict[str, str] = {}
    vpn_uuids: dict[str, int] = {}
    for index, payload in _payloads(ctx.profile):
        uuid, kind = payload.get("PayloadUUID"), payload.get("PayloadType")
        if isinstance(uuid, str):
            payload_types.setdefault(uuid.upper(), str(kind))
        if kind == APPLAYER:
            vpn_uuid = payload.get("VPNUUID")
            if isinstance(vpn_uuid, str):
                if vpn_uuid in vpn_uuids:
                    ctx.add(
                        ERROR,
                        "per-app-vpn",
                        ("PayloadContent", index, "VPNUUID"),
                        f"VPNUUID {quoted(vpn_uuid)} is also used by "
                        f"{payload_ref(vpn_uuids[vpn_uuid])}; "
                        "each per-app VPN needs its own VPNUUID",
                    )
                else:
                    vpn_uuids[vpn_uuid] = index
    certificate_types = ctx.schema.certificate_types()
    paths_cache: dict[str, list[tuple[str, str]]] = {}
    for index, payload in _payloads(ctx.profile):
        kind = payload.get("PayloadType")
        payload_schema = ctx.schema.payload(kind) if isinstance(kind, str) else None
        if payload_schema is None:
            continue
        if payload_schema.payload_type not in paths_cache:
            paths = reference_paths(payload_schema)
            paths_cache[payload_schema.payload_type] = paths
        for schema_path, reference in paths_cache[payload_schema.payload_type]:
            for rel_path, value in values_at(payload, schema_path):
                if not isinstance(value, str) or not value:
                    continue
                path = ("PayloadContent", index, *rel_path)
                if reference == "certificate":
                    target = payload_types.get(value.upper())
                    if target is None:
                        ctx.add(
                            ERROR,
                            "dangling-reference",
                            path,
                            f"no payload in this profile has PayloadUUID {value!r}; choose "
                            f"one of the profile's identities here, or add one with "
                            f"{ADD_IDENTITY}",
                        )
                    elif target not in certificate_types:
                        ctx.add(
                            ERROR,
                            "reference-kind",
                            path,
                            f"{value!r} is the PayloadUUID of a {target} payload, "
                            "not of a certificate or identity payload; choose one of the "
                            f"profile's identities here, or add one with {ADD_IDENTITY}",
                        )
                    elif target in CERTIFICATE_TYPES:
                        ctx.add(
                            ERROR,
                            "reference-kind",
                            path,
                            f"{value!r} is a {target} payload: a certificate without its "
                            "private key, which cannot authenticate the device; name an "
                            "identity (PKCS#12, SCEP or ACME payload) instead",
                        )
                elif reference == "vpn-uuid" and value not in vpn_uuids:
                    ctx.add(
                        ERROR,
                        "dangling-reference",
                        path,
                        f"no per-app VPN payload in this profile has VPNUUID {value!r}; "
                        "choose one of the profile's per-app VPNs here, or make one with "
                        "New… beside it",
                    )


def check_vpn_counts(ctx: ProfileContext) -> None:
    always_on: list[int] = []
    certificate_auth = False
    has_ca = False
    for index, payload in _payloads(ctx.profile):
        kind = payload.get("PayloadType")
        if isinstance(kind, str) and kind in CERTIFICATE_TYPES:
            has_ca = True
        if kind not in (VPN, APPLAYER):
            continue
        vpn_type = payload.get("VPNType")
        if vpn_type == "AlwaysOn":
            always_on.append(index)
        # built-in clients only: a provider app (the VPN dictionary) checks its server its
        # own way, often without a CA from the profile
        for dictionary in ("IKEv2", "IPSec"):
            settings = payload.get(dictionary)
            if isinstance(settings, dict) and _uses_certificates(settings, dictionary):
                certificate_auth = True
        for _, tunnel in values_at(payload, TUNNELS):
            if isinstance(tunnel, dict) and _uses_certificates(tunnel, "IKEv2"):
                certificate_auth = True
    for index in always_on[1:]:
        ctx.add(
            ERROR,
            "always-on",
            ("PayloadContent", index, "VPNType"),
            "only one Always On VPN payload is allowed per profile "
            f"({payload_ref(always_on[0])} is one)",
        )
    if certificate_auth and not has_ca and ctx.profile.payloads:
        ctx.add(
            INFO,
            "missing-ca",
            ("PayloadContent",),
            "the VPN server proves itself with a certificate (certificate or EAP "
            "authentication), but the profile holds no CA certificate payload; unless a CA "
            f"the device already trusts issued the server's certificate, add that CA with "
            f"{ADD_IDENTITY}",
        )


def _uses_certificates(settings: dict[str, PlistValue], dictionary: str) -> bool:
    """Whether the server is authenticated by a certificate the device must trust."""
    method = settings.get("AuthenticationMethod")
    if method == "Certificate":
        return True
    # IKEv2 EAP without a machine credential: the server still signs with its certificate
    return dictionary == "IKEv2" and method == "None" and settings.get("ExtendedAuthEnabled") == 1


# IKEv2 CertificateType values that fit each kind of identity key.
FITTING_CERTIFICATE_TYPES = {
    "RSA": ("RSA", "RSA-PSS"),
    "EC P-256": ("ECDSA256",),
    "EC P-384": ("ECDSA384",),
    "EC P-521": ("ECDSA521",),
}
_ACME_CURVES = {256: "EC P-256", 384: "EC P-384", 521: "EC P-521"}


def identity_key(payload: dict[str, PlistValue]) -> str | None:
    """The key kind of an identity payload ("RSA", "EC P-256", "Ed25519", ...), None when
    it cannot be told without the device (a PKCS#12 file the profile has no password for)."""
    kind = payload.get("PayloadType")
    if kind == PKCS12:
        content, password = payload.get("PayloadContent"), payload.get("Password")
        if not isinstance(content, bytes):
            return None
        info = pkcs12_info(content, password if isinstance(password, str) and password else None)
        if info.error is not None or not info.key_type:
            return None
        return "RSA" if info.key_type.startswith("RSA") else info.key_type
    if kind == SCEP:
        settings = payload.get("PayloadContent")
        key_type = settings.get("Key Type", "RSA") if isinstance(settings, dict) else None
        return "RSA" if key_type == "RSA" else None
    if kind == ACME:
        key_type, size = payload.get("KeyType"), payload.get("KeySize")
        if key_type == "RSA":
            return "RSA"
        if key_type == "ECSECPrimeRandom" and isinstance(size, int):
            return _ACME_CURVES.get(size)
    return None


def check_certificate_types(ctx: ProfileContext) -> None:
    """IKEv2 signs with the identity's key in the way CertificateType names."""
    identities = {uuid.upper(): payload for uuid, _kind, payload in identity_payloads(ctx.profile)}
    if not identities:
        return
    keys: dict[str, str | None] = {}
    for index, payload in _payloads(ctx.profile):
        if payload.get("PayloadType") not in (VPN, APPLAYER):
            continue
        places: list[tuple[KeyPath, PlistValue]] = []
        if payload.get("VPNType") == "IKEv2":
            places.append((("IKEv2",), payload.get("IKEv2")))
        elif payload.get("VPNType") == "AlwaysOn":
            places.extend(values_at(payload, TUNNELS))
        for where, settings in places:
            if not isinstance(settings, dict) or settings.get("AuthenticationMethod") != (
                "Certificate"
            ):
                continue
            reference = settings.get("PayloadCertificateUUID")
            uuid = reference.upper() if isinstance(reference, str) else ""
            if uuid in identities and uuid not in keys:
                keys[uuid] = identity_key(identities[uuid])
            key = keys.get(uuid)
            chosen = settings.get("CertificateType", "RSA")
            if key is None or not isinstance(chosen, str):
                continue
            path = ("PayloadContent", index, *where, "CertificateType")
            fitting = FITTING_CERTIFICATE_TYPES.get(key)
            if fitting is None:
                ctx.add(
                    ERROR,
                    "certificate-type",
                    path,
                    f"the identity {reference!r} holds a key of type {key}, for which IKEv2 on "
                    "Apple devices has no certificate type; issue the identity with an RSA key "
                    "or an ECDSA P-256, P-384 or P-521 key",
                )
            elif chosen not in fitting:
                ctx.add(
                    WARNING,
                    "certificate-type",
                    path,
                    f"CertificateType is {chosen}, but the identity {reference!r} holds a key "
                    f"of type {key}, so the device cannot sign with it as configured; choose "
                    f"{fitting[0]} in CertificateType",
                )


def _strings(node: PlistValue) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def check_unused_identities(ctx: ProfileContext) -> None:
    """An identity no payload names: installed, but no connection uses it."""
    identities = identity_payloads(ctx.profile)
    if not identities:
        return
    named: set[str] = set()
    for _index, payload in _payloads(ctx.profile):
        own = payload.get("PayloadUUID")
        for text in _strings({k: v for k, v in payload.items() if k != "PayloadUUID"}):
            if text != own and len(text) <= 64:
                named.add(text.upper())
    for index, payload in _payloads(ctx.profile):
        uuid = payload.get("PayloadUUID")
        if any(payload is p for _u, _k, p in identities) and str(uuid).upper() not in named:
            ctx.add(
                INFO,
                "unused-identity",
                ("PayloadContent", index),
                "no payload of this profile names this identity: it is installed, but no "
                "connection uses it; choose it in a VPN payload's certificate field, or remove "
                f"it. Its PayloadUUID is {quoted(str(uuid))}",
            )


def check_duplicate_certificates(ctx: ProfileContext) -> None:
    """The same certificate or identity twice: installed twice, referenced once at best."""
    first: dict[tuple[str, bytes], int] = {}
    for index, payload in _payloads(ctx.profile):
        kind = payload.get("PayloadType")
        content = payload.get("PayloadContent")
        if kind not in (*CERTIFICATE_TYPES, PKCS12) or not isinstance(content, bytes):
            continue
        if not content:
            continue
        key = (str(kind), content)
        if key not in first:
            first[key] = index
            continue
        earlier = first[key]
        ctx.add(
            WARNING,
            "duplicate-certificate",
            ("PayloadContent", index, "PayloadContent"),
            f"payload {index + 1} holds the same {'identity' if kind == PKCS12 else 'certificate'}"
            f" as payload {earlier + 1} (PayloadContent/{earlier}): the device installs it "
            "twice; remove one and point its references at the other",
        )


PROFILE_RULES: list[ProfileRule] = [
    check_profile_type,
    check_payload_count,
    check_encryption,
    check_identities,
    check_single_payloads,
    check_references,
    check_vpn_counts,
    check_certificate_types,
    check_unused_identities,
    check_duplicate_certificates,
]


def cross_profile_problems(profiles: Sequence[tuple[str, Profile]]) -> dict[str, list[Problem]]:
    """Problems between profiles checked together: shared PayloadIdentifier, more than
    one Always On VPN."""
    by_identifier: dict[str, list[str]] = defaultdict(list)
    for name, profile in profiles:
        if profile.root.get("PayloadType", "Configuration") != "Configuration":
            continue  # a bare payload: its identifier is a payload's, not a profile's
        identifier = profile.root.get("PayloadIdentifier")
        if isinstance(identifier, str):
            by_identifier[identifier].append(name)
    found: dict[str, list[Problem]] = defaultdict(list)
    for identifier, names in by_identifier.items():
        if len(names) < 2:
            continue
        for name in names:
            others = ", ".join(n for n in names if n != name)
            found[name].append(
                Problem(
                    WARNING,
                    "duplicate-profile-identifier",
                    ("PayloadIdentifier",),
                    f"{others} has the same PayloadIdentifier {identifier!r}; installing one "
                    "replaces the other on a device",
                )
            )
    always_on: dict[str, int] = {}
    for name, profile in profiles:
        for index, payload in profile.payload_dicts():
            if payload.get("PayloadType") == VPN and payload.get("VPNType") == "AlwaysOn":
                always_on.setdefault(name, index)
    if len(always_on) > 1:
        for name, index in always_on.items():
            others = ", ".join(n for n in always_on if n != name)
            found[name].append(
                Problem(
                    WARNING,
                    "always-on",
                    ("PayloadContent", index, "VPNType"),
                    f"{others} also holds an Always On VPN, and a device accepts only one "
                    "Always On profile: deploy just one of them to each device",
                )
            )
    return found
