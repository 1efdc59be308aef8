"""Quick fixes in the core: for each, the profile before, the fix applied, the profile
after, and the problem gone (and nothing new in its place)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from helpers.profiles import (
    IKEV2_PAYLOAD,
    PKCS12_PAYLOAD,
    ROOT_PAYLOAD,
    SAMPLE_IDENTITY_P12,
    make_profile,
)

from editor.core.fixes import (
    FIX_KINDS,
    Fix,
    FixError,
    fix_for,
    fix_profile,
    fixes_for,
)
from editor.core.model import MISSING, KeyPath, Profile, get_value
from editor.core.schema import Schema
from editor.core.validation.engine import validate_profile
from editor.core.validation.problems import CODES, Problem

VPN0: KeyPath = ("PayloadContent", 0)
IK: KeyPath = (*VPN0, "IKEv2")


def standard(**changes: Any) -> Profile:
    return make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, **changes)


def problem_at(profile: Profile, schema: Schema, code: str, path: KeyPath) -> Problem:
    found = [p for p in validate_profile(profile, schema) if p.code == code and p.path == path]
    assert found, [(p.code, p.path_text) for p in validate_profile(profile, schema)]
    return found[0]


def fixed(
    profile: Profile, schema: Schema, code: str, path: KeyPath, value: str | None = None
) -> tuple[Fix, list[Problem]]:
    """Apply the fix of the problem; return it and the problems afterwards, after checking
    that the problem is gone and no new problem came."""
    before = {(p.code, p.path) for p in validate_profile(profile, schema)}
    problem = problem_at(profile, schema, code, path)
    fix = fix_for(problem, profile.root, schema)
    assert fix is not None, problem
    assert fix.kind in FIX_KINDS and fix.description[0].isupper()
    changes = fix.apply(profile.root, value)
    assert changes
    after = validate_profile(profile, schema)
    assert (code, path) not in {(p.code, p.path) for p in after}
    new = {(p.code, p.path) for p in after} - before
    assert not [n for n in new if n[0] != "unused-identity"], new
    return fix, after


def edited(profile: Profile, path: KeyPath, value: Any) -> Profile:
    parent = get_value(profile.root, path[:-1])
    if value is MISSING:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return profile


# --- type coercions ---------------------------------------------------------------------------


def test_boolean_for_integer_becomes_the_integer(schema: Schema) -> None:
    profile = edited(standard(), (*IK, "DisableMOBIKE"), True)
    fix, _ = fixed(profile, schema, "type-coercion", (*IK, "DisableMOBIKE"))
    assert fix.description == "Write 1 as an integer"
    value = get_value(profile.root, (*IK, "DisableMOBIKE"))
    assert value == 1 and type(value) is int


def test_integer_for_boolean_becomes_the_boolean(schema: Schema) -> None:
    profile = standard(PayloadRemovalDisallowed=0)
    fix, _ = fixed(profile, schema, "type-coercion", ("PayloadRemovalDisallowed",))
    assert fix.description == "Write false as a boolean"
    assert profile.root["PayloadRemovalDisallowed"] is False


def test_whole_real_becomes_an_integer(schema: Schema) -> None:
    profile = edited(standard(), (*VPN0, "PayloadVersion"), 1.0)
    fixed(profile, schema, "type-coercion", (*VPN0, "PayloadVersion"))
    assert type(profile.payloads[0]["PayloadVersion"]) is int


def test_numeric_string_becomes_an_integer(schema: Schema) -> None:
    profile = edited(standard(), (*IK, "MTU"), " 1280")
    fix, _ = fixed(profile, schema, "type-mismatch", (*IK, "MTU"))
    assert get_value(profile.root, (*IK, "MTU")) == 1280
    assert fix.description == "Write 1280 as an integer"


def test_no_fix_for_a_string_that_is_not_a_number(schema: Schema) -> None:
    profile = edited(standard(), (*IK, "MTU"), "large")
    problem = problem_at(profile, schema, "type-mismatch", (*IK, "MTU"))
    assert fix_for(problem, profile.root, schema) is None


# --- UUIDs ------------------------------------------------------------------------------------


def test_placeholder_uuid_gets_a_new_one_and_the_reference_follows(schema: Schema) -> None:
    profile = standard()
    profile.payloads[1]["PayloadUUID"] = "REPLACE-WITH-UUID"
    profile.payloads[0]["IKEv2"]["PayloadCertificateUUID"] = "replace-with-uuid"
    fix, after = fixed(profile, schema, "placeholder-uuid", ("PayloadContent", 1, "PayloadUUID"))
    new = profile.payloads[1]["PayloadUUID"]
    assert new != "REPLACE-WITH-UUID" and len(new) == 36
    assert profile.payloads[0]["IKEv2"]["PayloadCertificateUUID"] == new
    assert not [p for p in after if p.code == "dangling-reference"]
    assert "references" in fix.description


def test_duplicate_uuid_gets_a_new_one_and_references_stay_with_the_first(
    schema: Schema,
) -> None:
    profile = standard()
    first = profile.payloads[1]["PayloadUUID"]
    profile.payloads[2]["PayloadUUID"] = first.lower()
    fixed(profile, schema, "duplicate-uuid", ("PayloadContent", 2, "PayloadUUID"))
    assert profile.payloads[1]["PayloadUUID"] == first
    assert profile.payloads[0]["IKEv2"]["PayloadCertificateUUID"] == first
    assert profile.payloads[2]["PayloadUUID"].upper() != first.upper()


def test_missing_and_empty_uuids_are_added(schema: Schema) -> None:
    profile = standard()
    del profile.payloads[2]["PayloadUUID"]
    fixed(profile, schema, "required-missing", ("PayloadContent", 2, "PayloadUUID"))
    profile.root["PayloadUUID"] = ""
    fix, _ = fixed(profile, schema, "empty-value", ("PayloadUUID",))
    assert fix.description == "Give the profile a new UUID"
    assert len(profile.root["PayloadUUID"]) == 36


# --- keys in the wrong place ------------------------------------------------------------------


def test_misplaced_key_moves_into_its_dictionary(schema: Schema) -> None:
    profile = edited(standard(), (*VPN0, "DeadPeerDetectionRate"), "High")
    fix, _ = fixed(profile, schema, "misplaced-key", (*VPN0, "DeadPeerDetectionRate"))
    assert fix.description == "Move DeadPeerDetectionRate into IKEv2"
    assert "DeadPeerDetectionRate" not in profile.payloads[0]
    assert profile.payloads[0]["IKEv2"]["DeadPeerDetectionRate"] == "High"


def test_misplaced_key_is_not_moved_over_a_value_that_is_there(schema: Schema) -> None:
    profile = edited(standard(), (*VPN0, "RemoteAddress"), "other.example.com")
    problem = problem_at(profile, schema, "misplaced-key", (*VPN0, "RemoteAddress"))
    assert fix_for(problem, profile.root, schema) is None


def test_key_ignored_for_the_vpn_type_is_removed(schema: Schema) -> None:
    profile = edited(standard(), (*VPN0, "IPSec"), {"RemoteAddress": "vpn.example.com"})
    fix, _ = fixed(profile, schema, "not-applicable", (*VPN0, "IPSec"))
    assert "IPSec" not in profile.payloads[0]
    assert fix.description == "Remove IPSec: VPNType IKEv2 does not read it"


def test_key_ignored_for_another_reason_is_kept(schema: Schema) -> None:
    """A key ignored because of another setting (not the VPN type) may be wanted later."""
    profile = edited(standard(), (*IK, "SharedSecret"), "s3cret")
    problems = validate_profile(profile, schema)
    ignored = [p for p in problems if p.code == "not-applicable"]
    assert ignored
    assert all(fix_for(p, profile.root, schema) is None for p in ignored)


# --- PayloadVersion and PayloadIdentifier -----------------------------------------------------


def test_missing_payload_version_is_added(schema: Schema) -> None:
    profile = edited(standard(), (*VPN0, "PayloadVersion"), MISSING)
    fixed(profile, schema, "required-missing", (*VPN0, "PayloadVersion"))
    assert profile.payloads[0]["PayloadVersion"] == 1


def test_missing_payload_identifier_is_made_from_the_profiles(schema: Schema) -> None:
    profile = edited(standard(), (*VPN0, "PayloadIdentifier"), MISSING)
    fixed(profile, schema, "required-missing", (*VPN0, "PayloadIdentifier"))
    assert profile.payloads[0]["PayloadIdentifier"] == "com.example.profile.vpn"


def test_missing_profile_identifier_is_the_payloads_common_prefix(schema: Schema) -> None:
    profile = standard()
    del profile.root["PayloadIdentifier"]
    fixed(profile, schema, "required-missing", ("PayloadIdentifier",))
    assert profile.root["PayloadIdentifier"] == "com.example.vpn"


# --- On Demand --------------------------------------------------------------------------------


def test_on_demand_rules_get_a_catch_all_with_the_chosen_action(schema: Schema) -> None:
    profile = standard()
    rules = [{"Action": "Connect", "InterfaceTypeMatch": "Cellular"}]
    profile.payloads[0]["IKEv2"].update(OnDemandEnabled=1, OnDemandRules=rules)
    path = (*IK, "OnDemandRules")
    problem = problem_at(profile, schema, "on-demand-no-catch-all", path)
    fix = fix_for(problem, profile.root, schema)
    assert fix is not None and fix.parameter is not None
    assert fix.parameter.choices == ("Connect", "Disconnect", "Ignore")
    with pytest.raises(FixError):
        fix.apply(profile.root)  # the action is a choice: none given, nothing done
    with pytest.raises(FixError):
        fix.apply(profile.root, "Allow")
    assert len(profile.payloads[0]["IKEv2"]["OnDemandRules"]) == 1
    fixed(profile, schema, "on-demand-no-catch-all", path, "Disconnect")
    assert profile.payloads[0]["IKEv2"]["OnDemandRules"][-1] == {"Action": "Disconnect"}


# --- certificates -----------------------------------------------------------------------------


def _pem(der: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM)


def test_pem_certificate_becomes_der(schema: Schema) -> None:
    profile = standard()
    der = profile.payloads[2]["PayloadContent"]
    profile.payloads[2]["PayloadContent"] = _pem(der)
    fix, _ = fixed(profile, schema, "certificate-content", ("PayloadContent", 2, "PayloadContent"))
    assert profile.payloads[2]["PayloadContent"] == der
    assert fix.description == "Convert the PEM certificate to DER"


def test_two_pem_certificates_are_not_converted(schema: Schema) -> None:
    """Which of two certificates to keep is a judgement."""
    profile = standard()
    pem = _pem(profile.payloads[2]["PayloadContent"])
    profile.payloads[2]["PayloadContent"] = pem + pem
    path = ("PayloadContent", 2, "PayloadContent")
    problem = problem_at(profile, schema, "certificate-content", path)
    assert fix_for(problem, profile.root, schema) is None


def _openssl3_identity(password: bytes) -> bytes:
    """A PKCS#12 file as OpenSSL 3 writes it by default: AES-256 and PBKDF2."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    loaded = pkcs12.load_pkcs12(SAMPLE_IDENTITY_P12, b"sample identity")
    assert loaded.key is not None and loaded.cert is not None
    return pkcs12.serialize_key_and_certificates(
        b"client", loaded.key, loaded.cert.certificate, None, BestAvailableEncryption(password)
    )


def test_openssl3_identity_is_reencoded_with_the_stored_password(schema: Schema) -> None:
    profile = standard()
    profile.payloads[1]["PayloadContent"] = _openssl3_identity(b"pw1234")
    profile.payloads[1]["Password"] = "pw1234"
    path = ("PayloadContent", 1, "PayloadContent")
    problem = problem_at(profile, schema, "pkcs12", path)
    fix = fix_for(problem, profile.root, schema)
    assert fix is not None and fix.parameter is not None and fix.parameter.secret
    assert fix.parameter.default == "pw1234"
    fixed(profile, schema, "pkcs12", path)
    from editor.core.encryption import IOS_PKCS12_ALGORITHMS, inspect_pkcs12

    inspection = inspect_pkcs12(profile.payloads[1]["PayloadContent"])
    assert inspection.key_algorithms
    assert set(inspection.key_algorithms) <= IOS_PKCS12_ALGORITHMS


def test_openssl3_identity_needs_the_passphrase_when_none_is_stored(schema: Schema) -> None:
    profile = standard()
    profile.payloads[1]["PayloadContent"] = _openssl3_identity(b"pw1234")
    path = ("PayloadContent", 1, "PayloadContent")
    fix = fix_for(problem_at(profile, schema, "pkcs12", path), profile.root, schema)
    assert fix is not None
    original = profile.payloads[1]["PayloadContent"]
    with pytest.raises(FixError):
        fix.apply(profile.root)
    with pytest.raises(FixError, match="does not open"):
        fix.apply(profile.root, "wrong")
    assert profile.payloads[1]["PayloadContent"] == original
    fixed(profile, schema, "pkcs12", path, "pw1234")


# --- a bare payload ---------------------------------------------------------------------------


def test_bare_payload_is_wrapped_in_a_profile(schema: Schema) -> None:
    profile = Profile(copy.deepcopy(IKEV2_PAYLOAD))
    problem = problem_at(profile, schema, "profile-type", ("PayloadType",))
    fix = fix_for(problem, profile.root, schema)
    assert fix is not None and fix.restructures
    fix.apply(profile.root)
    assert profile.root["PayloadType"] == "Configuration"
    assert profile.payloads[0] == IKEV2_PAYLOAD
    assert profile.root["PayloadIdentifier"] == "com.example.vpn.ikev2.profile"
    assert not [p for p in validate_profile(profile, schema) if p.code == "profile-type"]


# --- rules for every fix ----------------------------------------------------------------------


def test_a_stale_fix_fails_instead_of_editing_something_else(schema: Schema) -> None:
    profile = edited(standard(), (*IK, "DisableMOBIKE"), True)
    problem = problem_at(profile, schema, "type-coercion", (*IK, "DisableMOBIKE"))
    fix = fix_for(problem, profile.root, schema)
    assert fix is not None
    profile.payloads[0]["IKEv2"]["DisableMOBIKE"] = False
    with pytest.raises(FixError, match="changed"):
        fix.apply(profile.root)
    assert profile.payloads[0]["IKEv2"]["DisableMOBIKE"] is False


def test_no_fix_needs_judgement(schema: Schema) -> None:
    """A missing server address or secret has no fix."""
    profile = edited(standard(), (*IK, "RemoteAddress"), MISSING)
    problems = validate_profile(profile, schema)
    assert any(p.code == "required-missing" for p in problems)
    assert fixes_for(problems, profile.root, schema) == []


def test_every_fix_is_for_a_known_problem_code() -> None:
    from editor.core.fixes import FINDERS

    assert set(FINDERS) <= set(CODES)


def test_fix_profile_fixes_everything_it_can_in_one_run(schema: Schema) -> None:
    profile = standard()
    profile.payloads[0]["IKEv2"]["DisableMOBIKE"] = True
    profile.payloads[0]["DeadPeerDetectionRate"] = "Medium"
    profile.payloads[2]["PayloadUUID"] = profile.payloads[1]["PayloadUUID"]
    del profile.payloads[2]["PayloadVersion"]
    run = fix_profile(profile, schema, lambda p: validate_profile(p, schema))
    kinds = sorted(a.fix.kind for a in run.applied)
    assert kinds == ["add-payload-version", "coerce-type", "move-key", "new-uuid"]
    assert not [p for p in run.remaining if p.severity.value == "error"]
    again = fix_profile(profile, schema, lambda p: validate_profile(p, schema))
    assert again.applied == []


def test_fix_profile_keeps_to_the_codes_given(schema: Schema) -> None:
    profile = standard()
    profile.payloads[0]["IKEv2"]["DisableMOBIKE"] = True
    del profile.payloads[2]["PayloadVersion"]
    run = fix_profile(
        profile, schema, lambda p: validate_profile(p, schema), codes={"required-missing"}
    )
    assert [a.fix.kind for a in run.applied] == ["add-payload-version"]
    assert profile.payloads[0]["IKEv2"]["DisableMOBIKE"] is True


def test_key_written_twice_keeps_the_later_value_once(schema: Schema) -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
        b"<key>PayloadDisplayName</key><string>First</string>\n"
        b"<key>PayloadDisplayName</key><string>Later</string>\n</dict>\n</plist>\n"
    )
    profile = Profile.parse(data)
    assert [p.code for p in validate_profile(profile, schema)].count("duplicate-key") == 1
    run = fix_profile(profile, schema, lambda p: validate_profile(p, schema))
    [applied] = [a for a in run.applied if a.fix.kind == "write-key-once"]
    assert [(c.before, c.after) for c in applied.changes] == [("First", "Later")]
    assert "duplicate-key" not in [p.code for p in run.remaining]
    assert profile.to_bytes().count(b"<key>PayloadDisplayName</key>") == 1


def test_a_fragments_own_uuid_is_named_as_the_payloads(schema: Schema) -> None:
    fragment = copy.deepcopy(ROOT_PAYLOAD)
    fragment["PayloadUUID"] = "REPLACE-ME"
    profile = Profile(fragment)
    fix, _ = fixed(profile, schema, "placeholder-uuid", ("PayloadUUID",))
    assert fix.description == "Give this payload a new UUID"


def test_only_references_follow_a_new_uuid(schema: Schema) -> None:
    """A template may use one placeholder for a host and a UUID alike (the corpus's
    eMtheBi profile): only keys that name a payload follow the new UUID."""
    profile = standard()
    profile.payloads[1]["PayloadUUID"] = "REPLACE_ME"
    profile.payloads[0]["IKEv2"]["PayloadCertificateUUID"] = "REPLACE_ME"
    profile.payloads[0]["IKEv2"]["RemoteAddress"] = "REPLACE_ME"
    profile.payloads[1]["PayloadIdentifier"] = "REPLACE_ME"
    fixed(profile, schema, "placeholder-uuid", ("PayloadContent", 1, "PayloadUUID"))
    new = profile.payloads[1]["PayloadUUID"]
    assert profile.payloads[0]["IKEv2"]["PayloadCertificateUUID"] == new
    assert profile.payloads[0]["IKEv2"]["RemoteAddress"] == "REPLACE_ME"
    assert profile.payloads[1]["PayloadIdentifier"] == "REPLACE_ME"


def test_a_uuid_that_is_unique_but_not_canonical_is_left_alone(schema: Schema) -> None:
    """A PayloadUUID in another form (40 hex digits) works and updates installed
    profiles by it: changing it is a judgement, so no fix."""
    profile = standard()
    profile.payloads[2]["PayloadUUID"] = "96EA10AB95F653AF53DD78FBCA737E4ED68DFE51"
    problems = validate_profile(profile, schema)
    odd = [p for p in problems if p.path == ("PayloadContent", 2, "PayloadUUID")]
    assert odd and all(fix_for(p, profile.root, schema) is None for p in odd)


def test_ipv4_is_kept_even_where_the_vpn_type_ignores_it(schema: Schema) -> None:
    """Apple's schema reads IPv4 only for IPSec and L2TP; field reports say it matters
    on macOS for IKEv2 too (a debatable verdict): removing it is a judgement."""
    profile = edited(standard(), (*VPN0, "IPv4"), {"OverridePrimary": 1})
    problem = problem_at(profile, schema, "not-applicable", (*VPN0, "IPv4"))
    assert fix_for(problem, profile.root, schema) is None
