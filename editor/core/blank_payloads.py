"""New payloads of any type the schema knows, filled as far as the schema allows.

VPN connections have their own builder (presets.build_payload); this one makes the
other payloads (app mappings, certificates, enrolment) from their schema: the
identification keys, then every required key with its default, its first allowed
value, or an empty value of its type for the user to fill.
"""

from __future__ import annotations

import datetime
from typing import Any

from editor.core.model import MISSING, new_uuid
from editor.core.payload_types import APPMAPPING
from editor.core.schema import KeySpec, Schema

# Required keys whose schema gives no start better than an empty value.
_STARTING_VALUES: dict[tuple[str, str], Any] = {
    # Apple's ACME payload: an RSA key (the first KeyType) needs a KeySize that is a
    # multiple of 8 from 1024 to 4096 (com.apple.security.acme, KeyType).
    ("com.apple.security.acme", "KeySize"): 2048,
}


def starting_value(spec: KeySpec) -> Any:
    """The value a new required key starts with."""
    if spec.has_default:
        return spec.default
    if spec.values:
        return spec.values[0]
    if spec.format == "uuid" and spec.type == "string" and not spec.references:
        return new_uuid()
    if spec.type == "dictionary":
        return {name: starting_value(child) for name, child in spec.keys.items() if child.required}
    empty: dict[str, Any] = {
        "string": "",
        "integer": int(spec.minimum) if spec.minimum is not None else 0,
        "real": float(spec.minimum) if spec.minimum is not None else 0.0,
        "boolean": False,
        "data": b"",
        "array": [],
        "date": datetime.datetime(2000, 1, 1),
    }
    return empty.get(spec.type, "")


def blank_payload(
    schema: Schema,
    payload_type: str,
    identifier_base: str,
    vpn_uuids: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A new payload of `payload_type` (KeyError if the schema does not know it).

    vpn_uuids: the VPNUUIDs of the profile's per-app VPN payloads; an app mapping starts
    with one mapping to the first of them.
    """
    payload_schema = schema.payloads[payload_type]
    base = identifier_base.strip().rstrip(".") or "com.example"
    uuid = new_uuid()
    payload: dict[str, Any] = {
        "PayloadType": payload_type,
        "PayloadIdentifier": f"{base}.{payload_type.rsplit('.', 1)[-1]}.{uuid}",
        "PayloadUUID": uuid,
        "PayloadVersion": 1,
        "PayloadDisplayName": payload_schema.title,
    }
    for name, spec in payload_schema.root.keys.items():
        if spec.required and name not in payload:
            payload[name] = _STARTING_VALUES.get((payload_type, name), MISSING)
            if payload[name] is MISSING:
                payload[name] = starting_value(spec)
    if payload_type == APPMAPPING:
        mapping_spec = payload_schema.root.keys["AppLayerVPNMapping"].item
        assert mapping_spec is not None
        mapping = starting_value(mapping_spec)
        mapping["VPNUUID"] = vpn_uuids[0] if vpn_uuids else ""
        payload["AppLayerVPNMapping"] = [mapping]
    return payload
