"""Payload fragments (a bare payload dictionary, as Workspace ONE's custom settings take)
and keys written twice in one dictionary."""

from __future__ import annotations

import copy
import plistlib
from pathlib import Path

from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, make_profile

from editor.core.fixes import fix_for
from editor.core.fragments import find_payload, payload_fragment_xml
from editor.core.model import Profile
from editor.core.schema import Schema
from editor.core.validation.engine import validate_profile


def test_bare_payload_is_checked_as_that_payload(schema: Schema) -> None:
    fragment = copy.deepcopy(ROOT_PAYLOAD)
    fragment["PayloadVersion"] = True
    problems = validate_profile(Profile(fragment), schema)
    codes = [(p.code, p.path_text) for p in problems]
    # one problem says it is not installable alone, and it carries the wrap fix
    assert [c for c in codes if c[0] == "profile-type"] == [("profile-type", "PayloadType")]
    assert not [c for c in codes if c[0] in ("unknown-key", "value-not-allowed")]
    assert not [c for c in codes if c[0] == "required-when-missing"]  # no PayloadContent call
    # its own keys are checked as the payload's: here the boolean PayloadVersion
    assert ("type-coercion", "PayloadVersion") in codes
    wrap = next(p for p in problems if p.code == "profile-type")
    fix = fix_for(wrap, fragment, schema)
    assert fix is not None and fix.kind == "wrap-in-profile"


def test_fragment_checks_the_payload_rules(schema: Schema) -> None:
    """A payload rule (PEM where Apple documents DER) runs on a fragment too, at the
    fragment's own paths, and its fix works there."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    fragment = copy.deepcopy(ROOT_PAYLOAD)
    der = fragment["PayloadContent"]
    fragment["PayloadContent"] = x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM)
    problems = validate_profile(Profile(fragment), schema)
    pem = [p for p in problems if p.code == "certificate-content"]
    assert [p.path_text for p in pem] == ["PayloadContent"]
    fix = fix_for(pem[0], fragment, schema)
    assert fix is not None
    fix.apply(fragment)
    assert fragment["PayloadContent"] == der


def test_corpus_fragments_open_without_a_flood(schema: Schema, corpus_dir: Path) -> None:
    for name in (
        "euc-samples__iOS14-PerAppVPN.fragment.mobileconfig",
        "euc-samples__iOS14-IKEv2VPN.fragment.mobileconfig",
    ):
        profile = Profile.read(corpus_dir / name)
        problems = validate_profile(profile, schema)
        codes = [p.code for p in problems]
        assert codes.count("profile-type") == 1, name
        assert "unknown-key" not in codes and "read-leniency" not in codes, name
        assert "misplaced-key" in codes  # checked as a per-app VPN payload


def test_exported_fragment_opens_again_as_the_payload(tmp_path: Path, schema: Schema) -> None:
    profile = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD)
    index, payload = find_payload(profile, ROOT_PAYLOAD["PayloadUUID"])
    assert index == 2
    path = tmp_path / "ca.xml"
    path.write_bytes(payload_fragment_xml(payload))
    assert path.read_bytes().startswith(b"<dict>")
    again = Profile.read(path)
    assert again.root == ROOT_PAYLOAD
    assert [p.code for p in validate_profile(again, schema)] == ["profile-type"]


# --- keys written twice ----------------------------------------------------------------------

def test_key_twice_opens_with_the_later_value_and_a_warning_naming_both_lines(
    tmp_path: Path, schema: Schema
) -> None:
    root = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD).root
    text = plistlib.dumps(root).decode()
    # the VPN payload's IPv4 written twice: first 0, then 1 (the one that counts)
    marker = "<key>PayloadIdentifier</key>\n\t\t\t<string>com.example.vpn.ikev2</string>"
    assert marker in text
    twice = (
        "<key>IPv4</key>\n\t\t\t<dict><key>OverridePrimary</key><integer>0</integer></dict>\n"
        f"\t\t\t{marker}\n"
        "\t\t\t<key>IPv4</key>\n\t\t\t<dict><key>OverridePrimary</key><integer>1</integer>"
        "</dict>"
    )
    source = tmp_path / "twice.mobileconfig"
    source.write_text(text.replace(marker, twice, 1))
    lines = source.read_text().splitlines()
    first = next(i for i, line in enumerate(lines, 1) if "<key>IPv4</key>" in line)
    later = next(i for i, line in enumerate(lines, 1) if "<key>IPv4</key>" in line and i > first)
    profile = Profile.read(source)
    assert profile.payloads[0]["IPv4"] == {"OverridePrimary": 1}
    warnings = [p for p in validate_profile(profile, schema) if p.code == "duplicate-key"]
    assert [(p.severity.value, p.path_text) for p in warnings] == [
        ("warning", "PayloadContent/0/IPv4")
    ]
    assert f"lines {first} and {later}" in warnings[0].message
    saved = tmp_path / "saved.mobileconfig"
    profile.save(saved)
    assert saved.read_text().count("<key>IPv4</key>") == 1
    assert plistlib.loads(saved.read_bytes())["PayloadContent"][0]["IPv4"] == {
        "OverridePrimary": 1
    }
    reopened = validate_profile(Profile.read(saved), schema)
    assert not [p for p in reopened if p.code == "duplicate-key"]
