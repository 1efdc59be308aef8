"""The engine's messages speak the form's language: a key is named as the form labels it
(the schema's title, the one place the form takes its labels from) with the key in
brackets, and the advice says what to do in the form. Like checks have like severities."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, corpus_files, make_profile

from editor.core.model import Profile
from editor.core.platforms import Target
from editor.core.plistio import ProfileReadError
from editor.core.schema import PayloadSchema, Schema
from editor.core.validation.context import Options
from editor.core.validation.engine import validate_profile
from editor.core.validation.problems import Problem, Severity

VPN = "com.apple.vpn.managed"


def vpn_with(**changes: Any) -> Profile:
    payload = copy.deepcopy(IKEV2_PAYLOAD)
    ikev2 = changes.pop("IKEv2", None)
    payload.update(changes)
    if ikev2 is not None:
        payload["IKEv2"].update(ikev2)
        for key in [k for k, v in payload["IKEv2"].items() if v is None]:
            del payload["IKEv2"][key]
    for key in [k for k, v in payload.items() if v is None]:
        del payload[key]
    return make_profile(payload, PKCS12_PAYLOAD)


def problems_at(profile: Profile, schema: Schema, *path: str | int) -> list[Problem]:
    where = ("PayloadContent", 0, *path)
    return [p for p in validate_profile(profile, schema) if p.path == where]


def title(schema: Schema, schema_path: str, payload_type: str = VPN) -> str:
    payload_schema = schema.payload(payload_type)
    assert payload_schema is not None
    spec = payload_schema.find(schema_path)
    assert spec is not None and spec.title
    return spec.title


# --- representative messages (each failed on the wording before) ----------------------


def test_a_missing_connection_type_is_named_as_the_form_labels_it(schema: Schema) -> None:
    [problem] = problems_at(vpn_with(VPNType=None), schema, "VPNType")
    label = title(schema, "VPNType")
    assert label == "Connection type"  # the form's label, from the schema
    assert problem.message == (
        "Connection type (VPNType) is required; choose one in Connection type"
    )


def test_a_value_not_allowed_names_the_dns_transport_and_says_where_to_choose(
    schema: Schema,
) -> None:
    profile = vpn_with(DNS={"DNSProtocol": "DoH", "ServerAddresses": ["10.0.0.53"]})
    [problem] = [
        p
        for p in problems_at(profile, schema, "DNS", "DNSProtocol")
        if p.code == "value-not-allowed"
    ]
    assert problem.message.startswith("DNS transport (DNSProtocol) is 'DoH'; allowed: ")
    assert problem.message.endswith("; choose one in DNS transport")


def test_a_missing_identity_says_to_add_one_with_the_menu(schema: Schema) -> None:
    profile = make_profile(
        {**IKEV2_PAYLOAD, "IKEv2": {**IKEV2_PAYLOAD["IKEv2"], "PayloadCertificateUUID": None}}
    )
    del profile.payloads[0]["IKEv2"]["PayloadCertificateUUID"]
    [problem] = [
        p
        for p in problems_at(profile, schema, "IKEv2", "PayloadCertificateUUID")
        if p.severity is Severity.ERROR
    ]
    label = title(schema, "IKEv2/PayloadCertificateUUID")
    assert problem.message.startswith(f"{label} (PayloadCertificateUUID) is required when ")
    method = title(schema, "IKEv2/AuthenticationMethod")
    assert f"{method} (AuthenticationMethod) is Certificate" in problem.message
    assert f"choose the identity in {label}" in problem.message
    # the menu's own words (editor/app/main_window.py: Edit ▸ "Add &Certificate…")
    assert "add one with Edit ▸ Add Certificate…" in problem.message


def test_an_ignored_dictionary_says_which_connection_type_to_choose(schema: Schema) -> None:
    profile = vpn_with(VPNType="IPSec", IPSec={"RemoteAddress": "vpn.example.com"})
    [problem] = [
        p for p in problems_at(profile, schema, "IKEv2") if p.code == "not-applicable"
    ]
    assert problem.message == (
        f"{title(schema, 'IKEv2')} (IKEv2) is ignored unless Connection type (VPNType) is "
        "IKEv2; remove it, or choose IKEv2 in Connection type"
    )


def test_on_demand_without_rules_says_which_box_to_clear(schema: Schema) -> None:
    profile = vpn_with(IKEv2={"OnDemandEnabled": 1})
    [problem] = [
        p
        for p in problems_at(profile, schema, "IKEv2", "OnDemandEnabled")
        if p.code == "on-demand-no-rules"
    ]
    rules = title(schema, "IKEv2/OnDemandRules")
    switch = title(schema, "IKEv2/OnDemandEnabled")
    assert f"{rules} (OnDemandRules) holds no rule" in problem.message
    assert f"clear {switch} (OnDemandEnabled)" in problem.message


def test_a_flag_condition_says_to_tick_the_box(schema: Schema) -> None:
    profile = vpn_with(IKEv2={"AuthName": "alex", "ExtendedAuthEnabled": 0})
    problems = validate_profile(profile, schema)
    [problem] = [
        p
        for p in problems
        if p.code == "not-applicable" and p.path[-1] == "AuthName"
    ]
    switch = title(schema, "IKEv2/ExtendedAuthEnabled")
    assert problem.message.endswith(f"; remove it, or tick {switch}")


def test_the_cli_prints_the_same_words_and_keeps_its_json_fields(
    schema: Schema, tmp_path: Path
) -> None:
    import io
    import json

    from editor.cli.main import main

    path = tmp_path / "no-type.mobileconfig"
    path.write_bytes(vpn_with(VPNType=None).to_bytes("xml"))
    out, err = io.StringIO(), io.StringIO()
    main(["validate", "--format", "json", str(path)], out=out, err=err)
    report = json.loads(out.getvalue())
    found = [
        problem
        for problem in _json_problems(report)
        if problem["path"].endswith("VPNType") and problem["code"] == "required-missing"
    ]
    assert found and set(found[0]) == {"severity", "code", "path", "message"}
    assert found[0]["message"].startswith("Connection type (VPNType) is required")


def _json_problems(report: Any) -> list[dict[str, str]]:
    if isinstance(report, dict):
        if {"code", "message", "path"} <= set(report):
            return [report]
        return [p for value in report.values() for p in _json_problems(value)]
    if isinstance(report, list):
        return [p for value in report for p in _json_problems(value)]
    return []


# --- no message names a key bare where the form has a label for it -------------------

# A key name that cannot be read as an ordinary word (an inner capital or digit):
# plain words and acronyms (Password, Name, DNS, PPP) read as prose and are not checked.
_KEY_LIKE = re.compile(r"[A-Z][A-Za-z0-9]*(?:[a-z][A-Z0-9]|[A-Z0-9][a-z])[A-Za-z0-9]*\Z")
# user values quoted in messages ('REPLACE_ME', "") are not names, and sources name keys
# as Apple's documents do: "(Apple VPN schema, OnDemandRules)"
_QUOTED = re.compile(r"(?<![A-Za-z])'[^']*'(?![A-Za-z])|\"[^\"]*\"")
_SOURCE = re.compile(r"\((?:Apple|iOS|Configuration|Network Extension)[^()]*\)")


def _titled_names(payload_schema: PayloadSchema) -> dict[str, set[str]]:
    """Key name -> its titles, for the names a message must label."""
    values = {v for spec in payload_schema.walk() for v in spec.values or () if isinstance(v, str)}
    titled: dict[str, set[str]] = {}
    for spec in payload_schema.walk():
        if (
            spec.name
            and spec.title
            and spec.title != spec.name
            and _KEY_LIKE.match(spec.name)
            and spec.name not in values  # IKEv2, IPSec, Certificate: also values
        ):
            titled.setdefault(spec.name, set()).add(spec.title)
    return titled


def bare_names(problem: Problem, profile: Profile, schema: Schema) -> list[str]:
    """Key names a message mentions before (or without) naming them by their label."""
    payload_schema = schema.configuration
    path = problem.path
    if len(path) >= 2 and path[0] == "PayloadContent" and isinstance(path[1], int):
        payload = profile.payloads[path[1]]
        kind = payload.get("PayloadType") if isinstance(payload, dict) else None
        found = schema.payload(kind) if isinstance(kind, str) else None
        if found is None:
            return []
        payload_schema = found
    text = _SOURCE.sub("()", _QUOTED.sub("''", problem.message))
    bare = []
    for name, titles in _titled_names(payload_schema).items():
        masked = text
        for label in sorted(titles, key=len, reverse=True):
            masked = masked.replace(f"{label} ({name})", "\0" * (len(label) + len(name) + 3))
        labelled = masked.find("\0")
        first = re.search(rf"(?<![\w/.]){re.escape(name)}(?![\w/])", masked)
        if first is not None and (labelled < 0 or first.start() < labelled):
            bare.append(name)
    return bare


def _own_profiles() -> list[Profile]:
    return [
        vpn_with(VPNType=None),
        vpn_with(VPNType="IPSec", IPSec={"RemoteAddress": "vpn example"}),
        vpn_with(IKEv2={"OnDemandEnabled": 1, "ExtendedAuthEnabled": 1}),
        vpn_with(IKEv2={"AuthenticationMethod": "None", "DeadPeerDetectionRate": "Fast"}),
        vpn_with(IKEv2={"RemoteAddress": "", "LocalIdentifier": None, "MTU": 10}),
        vpn_with(DNS={"DNSProtocol": "TLS", "ServerName": "dns example"}),
        vpn_with(IKEv2={"PayloadCertificateUUID": "11111111-2222-3333-4444-555555555555"}),
        make_profile({**IKEV2_PAYLOAD, "VPNType": "AlwaysOn", "AlwaysOn": {}}),
    ]


def _corpus_profiles() -> list[Profile]:
    profiles = []
    for path in corpus_files():
        try:
            profiles.append(Profile.read(path))
        except ProfileReadError:
            continue
    return profiles


@pytest.mark.parametrize("source", ["own", "corpus"])
def test_no_message_names_a_titled_key_without_its_label(source: str, schema: Schema) -> None:
    profiles = _own_profiles() if source == "own" else _corpus_profiles()
    if not profiles:
        pytest.skip("the corpus is not here")
    offenders = set()
    checked = 0
    for profile in profiles:
        for options in (Options(), Options(targets=(Target.parse("ios:12"),))):
            for problem in validate_profile(profile, schema, options):
                checked += 1
                for name in bare_names(problem, profile, schema):
                    offenders.add(f"{problem.code}: {name}: {problem.message}")
    assert checked > 20
    assert not offenders, "\n".join(sorted(offenders))


def test_the_check_finds_a_bare_key() -> None:
    """The check above can fail: a message naming VPNType bare is caught."""
    from editor.core.schema_loader import load_schema

    schema = load_schema()
    profile = vpn_with()
    bare = Problem(Severity.ERROR, "x", ("PayloadContent", 0, "VPNType"), "VPNType is odd")
    labelled = Problem(
        Severity.ERROR, "x", ("PayloadContent", 0, "VPNType"), "Connection type (VPNType) is odd"
    )
    assert bare_names(bare, profile, schema) == ["VPNType"]
    assert bare_names(labelled, profile, schema) == []


# --- severity: like checks alike --------------------------------------------------------


@pytest.mark.parametrize(
    ("dns", "key", "severity"),
    [
        # a DoH URL that is not https:// cannot work: an error (as before)
        ({"DNSProtocol": "HTTPS", "ServerURL": "http://dns.example.com/q"}, "ServerURL", "error"),
        # a DoT server name that can be no host name cannot match a certificate: an error
        ({"DNSProtocol": "TLS", "ServerName": "tls://dns.example.com"}, "ServerName", "error"),
        ({"DNSProtocol": "TLS", "ServerName": "dns example"}, "ServerName", "error"),
        # an address where Apple documents a host name may still match: a warning
        ({"DNSProtocol": "TLS", "ServerName": "9.9.9.9"}, "ServerName", "warning"),
        ({"DNSProtocol": "TLS", "ServerName": "dns.example.com"}, "ServerName", None),
        ({"DNSProtocol": "HTTPS", "ServerURL": "https://dns.example.com/q"}, "ServerURL", None),
    ],
)
def test_encrypted_dns_server_names_have_like_severities(
    schema: Schema, dns: dict[str, str], key: str, severity: str | None
) -> None:
    profile = vpn_with(DNS=dns)
    found = [p for p in problems_at(profile, schema, "DNS", key) if p.code == "format-invalid"]
    assert [p.severity.value for p in found] == ([severity] if severity else [])


def test_rules_json_gives_the_source_of_the_dot_severity() -> None:
    import json

    from editor.resources import resource_path

    rules = json.loads(resource_path("schema", "rules.json").read_text(encoding="utf-8"))
    entry = rules["rules"]["format-invalid"]
    assert set(entry["severities"]) == {"warning", "error"}
    assert "ServerName" in entry["evidence"]
    assert any("DNS.ServerName" in source for source in entry["sources"])
