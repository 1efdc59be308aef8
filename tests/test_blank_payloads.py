"""New payloads of every type the schema knows (Edit ▸ Add Payload)."""

from __future__ import annotations

import re

from helpers.profiles import make_profile

from editor.core.blank_payloads import APPMAPPING, blank_payload
from editor.core.model import Profile
from editor.core.schema import Schema
from editor.core.validation.context import Options
from editor.core.validation.engine import validate_payload
from editor.core.validation.problems import Severity

UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def test_every_payload_type_starts_with_its_required_keys(schema: Schema) -> None:
    for payload_type, payload_schema in schema.payloads.items():
        if payload_type == "Configuration":
            continue
        payload = blank_payload(schema, payload_type, "com.example.office")
        assert payload["PayloadType"] == payload_type
        assert UUID.match(payload["PayloadUUID"])
        assert payload["PayloadIdentifier"].startswith("com.example.office.")
        assert payload["PayloadIdentifier"].endswith(payload["PayloadUUID"])
        missing = [
            name
            for name, spec in payload_schema.root.keys.items()
            if spec.required and spec.applies_when is None and name not in payload
        ]
        assert not missing, payload_type


def test_what_is_left_to_fill_is_only_what_the_user_must_say(schema: Schema) -> None:
    """Errors on a new payload are about empty values the user fills, nothing else."""
    for payload_type in schema.payloads:
        if payload_type in ("Configuration", "com.apple.vpn.managed", APPMAPPING):
            continue
        payload = blank_payload(schema, payload_type, "com.example.office")
        profile: Profile = make_profile(payload)
        for problem in validate_payload(profile, 0, schema, Options()):
            if problem.severity is Severity.ERROR:
                value = profile.payloads[0]
                for part in problem.path[2:]:
                    value = value.get(part, "") if isinstance(value, dict) else ""
                assert value in ("", b"", []), (payload_type, problem)


def test_two_new_payloads_never_share_an_identifier(schema: Schema) -> None:
    first = blank_payload(schema, "com.apple.security.root", "com.example")
    second = blank_payload(schema, "com.apple.security.root", "com.example")
    assert first["PayloadUUID"] != second["PayloadUUID"]
    assert first["PayloadIdentifier"] != second["PayloadIdentifier"]


def test_an_app_mapping_points_at_the_first_per_app_vpn(schema: Schema) -> None:
    uuid = "3B8C5B5E-1D2C-4F1A-9E8D-7C6B5A4F3E2D"
    payload = blank_payload(schema, APPMAPPING, "com.example", (uuid,))
    (mapping,) = payload["AppLayerVPNMapping"]
    assert mapping["VPNUUID"] == uuid
    assert set(mapping) == {"Identifier", "VPNUUID", "DesignatedRequirement", "SigningIdentifier"}


def test_an_acme_key_size_fits_its_key_type(schema: Schema) -> None:
    payload = blank_payload(schema, "com.apple.security.acme", "com.example")
    assert payload["KeyType"] == "RSA"
    assert payload["KeySize"] % 8 == 0 and 1024 <= payload["KeySize"] <= 4096
