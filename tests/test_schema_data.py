"""The schema data itself: strict loading, internal consistency, our own wording."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from editor.core import schema_loader
from editor.core.platforms import PLATFORMS, Version
from editor.core.plisttypes import plist_type_of
from editor.core.schema import Schema, SchemaError
from editor.core.schema_cache import SCHEMA_CACHE_FILE
from editor.core.schema_loader import load_schema
from editor.resources import resource_path

SCHEMA_DIR = resource_path("schema", "payloads")
APPLE_YAML = (
    Path(__file__).resolve().parents[2] / "shared" / "reference" / "apple-device-management"
)


def all_specs(schema: Schema):  # type: ignore[no-untyped-def]
    for payload in [schema.configuration, schema.common, *schema.payloads.values()]:
        for spec in payload.walk():
            yield payload, spec


def test_every_vpn_family_payload_is_present(schema: Schema) -> None:
    expected = {
        "com.apple.vpn.managed",
        "com.apple.vpn.managed.applayer",
        "com.apple.vpn.managed.appmapping",
        "com.apple.security.pkcs12",
        "com.apple.security.pkcs1",
        "com.apple.security.root",
        "com.apple.security.pem",
        "com.apple.security.scep",
        "com.apple.security.acme",
    }
    assert expected <= set(schema.payloads)


@pytest.mark.parametrize(
    "path",
    [
        "VPNType",
        "VPNSubType",
        "VendorConfig/Group",
        "VPN/ProviderBundleIdentifier",
        "IPSec/SharedSecret",
        "PPP/CommRemoteAddress",
        "IPv4/OverridePrimary",
        "IKEv2/IKESecurityAssociationParameters/DiffieHellmanGroup",
        "IKEv2/ChildSecurityAssociationParameters/EncryptionAlgorithm",
        "IKEv2/OnDemandRules[]/ActionParameters[]/DomainAction",
        "IKEv2/EnforceStrictAlgorithmSelection",
        "IKEv2/AllowPostQuantumKeyExchangeFallback",
        "IKEv2/IKESecurityAssociationParameters/PostQuantumKeyExchangeMethods",
        "IKEv2/PPK",
        "DNS/ServerURL",
        "Proxies/HTTPSPort",
        "AlwaysOn/TunnelConfigurations[]/ProtocolType",
        "AlwaysOn/ServiceExceptions[]/ServiceName",
        "TransparentProxy/Order",
        "VPN/OnDemandRules[]/SSIDMatch",
    ],
)
def test_vpn_key_paths_exist(schema: Schema, path: str) -> None:
    assert schema.payloads["com.apple.vpn.managed"].find(path) is not None


def test_applayer_takes_the_vpn_keys(schema: Schema) -> None:
    applayer = schema.payloads["com.apple.vpn.managed.applayer"]
    for path in ("VPNUUID", "SafariDomains", "VPNType", "IKEv2/RemoteAddress", "PayloadUUID"):
        assert applayer.find(path) is not None, path


def test_known_facts(schema: Schema) -> None:
    vpn = schema.payloads["com.apple.vpn.managed"]
    dh = vpn.find("IKEv2/IKESecurityAssociationParameters/DiffieHellmanGroup")
    assert dh is not None and dh.type == "integer" and dh.default == 14
    assert dh.values is not None and {14, 19, 20, 21, 31, 32} <= set(dh.values)
    mtu = vpn.find("IKEv2/MTU")
    assert mtu is not None and (mtu.minimum, mtu.maximum) == (1280, 1400)
    assert mtu.availability["iOS"].introduced == Version.parse("14.0")
    assert vpn.find("IPSec/SharedSecret").type == "data"  # type: ignore[union-attr]
    assert vpn.find("IKEv2/SharedSecret").type == "string"  # type: ignore[union-attr]
    transparent = vpn.find("TransparentProxy")
    assert transparent is not None
    assert transparent.availability["iOS"].introduced is None
    assert transparent.availability["macOS"].introduced == Version.parse("14.0")
    strict = vpn.find("IKEv2/EnforceStrictAlgorithmSelection")
    assert strict is not None and strict.availability["iOS"].introduced == Version.parse("18.5")
    assert vpn.availability["watchOS"].introduced is None
    # Apple lists IKEv2 for watchOS 10, which holds for per-app VPN only: the VPN payload
    # itself does not exist on watchOS, so none of its keys do
    action = "IKEv2/OnDemandRules[]/Action"
    assert vpn.find(action).availability["watchOS"].introduced is None  # type: ignore[union-attr]
    per_app = schema.payload("com.apple.vpn.managed.applayer")
    assert per_app is not None
    assert per_app.find(action).availability[  # type: ignore[union-attr]
        "watchOS"
    ].introduced == Version.parse("10")
    assert vpn.find("IKEv2/OnDemandRules[]/Action").is_flag is False  # type: ignore[union-attr]
    assert vpn.find("IKEv2/DisableMOBIKE").is_flag  # type: ignore[union-attr]


def test_secrets_are_marked(schema: Schema) -> None:
    vpn = schema.payloads["com.apple.vpn.managed"]
    for path in (
        "VPN/Password",
        "PPP/AuthPassword",
        "IPSec/XAuthPassword",
        "IPSec/SharedSecret",
        "IKEv2/SharedSecret",
        "IKEv2/AuthPassword",
        "IKEv2/PPK",
        "Proxies/HTTPProxyPassword",
        "TransparentProxy/Password",
    ):
        assert vpn.find(path).secret, path  # type: ignore[union-attr]
    assert schema.payloads["com.apple.security.pkcs12"].find("Password").secret  # type: ignore[union-attr]


def test_every_key_is_described(schema: Schema) -> None:
    missing = [
        f"{payload.payload_type}: {spec.path}"
        for payload, spec in all_specs(schema)
        if spec.name and not spec.description.strip()
    ]
    assert missing == []


def test_allowed_values_and_defaults_fit(schema: Schema) -> None:
    for payload, spec in all_specs(schema):
        where = f"{payload.payload_type}: {spec.path}"
        for value in spec.values or ():
            assert plist_type_of(value) == spec.type, where
        if spec.has_default:
            assert plist_type_of(spec.default) == spec.type, where
            if spec.values is not None and not spec.values_open:
                assert spec.default in spec.values, where
        for value in spec.value_notes:
            assert spec.values is not None and value in spec.values, where


def test_every_platform_is_resolved(schema: Schema) -> None:
    for payload, spec in all_specs(schema):
        assert set(spec.availability) == set(PLATFORMS), f"{payload.payload_type}: {spec.path}"


def test_versions_are_quoted_strings() -> None:
    text = "\n".join(p.read_text() for p in SCHEMA_DIR.glob("*.json"))
    unquoted = re.findall(r'"(?:introduced|deprecated|removed)":\s*[0-9]', text)
    assert unquoted == []


def _copy_schema(tmp_path: Path) -> Path:
    target = tmp_path / "payloads"
    shutil.copytree(SCHEMA_DIR, target)
    return target


def _edit(directory: Path, name: str, change: Any) -> None:
    path = directory / name
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def _first_key(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(k for k in doc["keys"] if k["name"] == name)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _first_key(d, "VPNType").update(type="str"), "unknown type 'str'"),
        (lambda d: _first_key(d, "VPNType").update(colour="red"), "unknown field(s) colour"),
        (lambda d: _first_key(d, "VPNType").update(default="SSL"), "default 'SSL' not allowed"),
        (
            lambda d: _first_key(d, "VPNType").update(values=["IKEv2", 3]),
            "allowed value 3 is not of type string",
        ),
        (lambda d: _first_key(d, "IKEv2").update(structure="Nope"), "unknown structure 'Nope'"),
        (
            lambda d: _first_key(d, "VPNType").update(without=["RemoteAddress"]),
            "without needs a structure",
        ),
        (
            lambda d: _first_key(d, "VPNSubType").update(
                required_when={"key": "/NoSuchKey", "equals": "x"}
            ),
            "condition names unknown key '/NoSuchKey'",
        ),
        (
            lambda d: _first_key(d, "VPNType").update(availability={"iOS": {"introduced": 10.1}}),
            "must be a quoted string",
        ),
        (lambda d: _first_key(d, "VPNType").update(format="colour"), "unknown format 'colour'"),
        (lambda d: d["keys"].append(dict(_first_key(d, "VPNType"))), "key listed twice"),
    ],
)
def test_loader_refuses_malformed_entries(tmp_path: Path, change: Any, message: str) -> None:
    directory = _copy_schema(tmp_path)
    _edit(directory, "com.apple.vpn.managed.json", change)
    with pytest.raises(SchemaError) as info:
        load_schema(directory)
    # The VPN keys also load through the per-app VPN payload, which may be read first.
    assert re.match(r"com\.apple\.vpn\.managed(\.applayer)?\.json: ", str(info.value))
    assert message in str(info.value)


def test_loader_refuses_broken_json(tmp_path: Path) -> None:
    directory = _copy_schema(tmp_path)
    (directory / "com.apple.security.pem.json").write_text("{ not json")
    with pytest.raises(SchemaError, match=r"com\.apple\.security\.pem\.json: cannot read"):
        load_schema(directory)


def test_descriptions_are_our_own_words(schema: Schema) -> None:
    """No description repeats a run of eight words of Apple's YAML prose.

    Runs made mostly of identifiers and numbers (OIDs, bundle IDs, RFC numbers) are
    facts, not wording, and are not counted.
    """
    if not APPLE_YAML.is_dir():
        pytest.skip("Apple's reference YAML (../shared) is not present")
    apple_text = " ".join(p.read_text(encoding="utf-8") for p in APPLE_YAML.rglob("*.yaml")).lower()
    apple_words = re.findall(r"[a-z0-9]+", apple_text)
    apple_runs = {" ".join(apple_words[i : i + 8]) for i in range(len(apple_words) - 7)}
    copied = []
    for payload, spec in all_specs(schema):
        words = re.findall(r"[a-z0-9]+", spec.description.lower())
        for i in range(len(words) - 7):
            run = words[i : i + 8]
            prose_words = [w for w in run if w.isalpha() and len(w) > 2]
            if len(prose_words) >= 5 and " ".join(run) in apple_runs:
                copied.append(f"{payload.payload_type}: {spec.path}: {' '.join(run)}")
                break
    assert copied == []


def test_included_keys_stay_absent_where_their_own_payload_is_absent(schema: Schema) -> None:
    per_app = schema.payload("com.apple.vpn.managed.applayer")
    assert per_app is not None
    # Transparent Proxy exists on macOS only, also inside a per-app VPN
    proxy = per_app.keys["TransparentProxy"].availability
    assert proxy["watchOS"].introduced is None and proxy["iOS"].introduced is None
    assert proxy["macOS"].introduced == Version.parse("14.0")
    # a key that names no platform follows the per-app payload (watchOS 10 for IKEv2 per-app VPN)
    assert per_app.keys["VPNType"].availability["watchOS"].introduced == Version.parse("10.0")


def test_no_key_exists_where_its_payload_does_not(schema: Schema) -> None:
    def walk(spec: Any, parent: Any, payload_type: str) -> None:
        for platform, support in spec.availability.items():
            if parent.availability[platform].introduced is None:
                assert support.introduced is None, (payload_type, spec.path, platform)
        for child in spec.keys.values():
            walk(child, spec, payload_type)
        if spec.item is not None:
            walk(spec.item, spec, payload_type)

    for payload in schema.payloads.values():
        for key in payload.keys.values():
            walk(key, payload, payload.payload_type)


# --- the cache of the checked schema ---------------------------------------------------


def _copy_schema_files(target: Path) -> Path:
    from editor.resources import resource_path

    shutil.copytree(resource_path("schema", "payloads"), target)
    return target


def test_cached_schema_equals_the_checked_files_and_skips_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _copy_schema_files(tmp_path / "payloads")
    cache = tmp_path / "cache"
    fresh = load_schema(files)
    first = load_schema(files, cache_dir=cache)
    assert (cache / SCHEMA_CACHE_FILE).is_file()
    assert first == fresh

    def no_file_reading(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the files were read again")

    monkeypatch.setattr(schema_loader, "_load_files", no_file_reading)
    second = load_schema(files, cache_dir=cache)
    assert second == fresh
    assert second.payload("com.apple.vpn.managed") == fresh.payload("com.apple.vpn.managed")


def test_a_changed_schema_file_is_read_again(tmp_path: Path) -> None:
    files = _copy_schema_files(tmp_path / "payloads")
    cache = tmp_path / "cache"
    load_schema(files, cache_dir=cache)
    vpn = files / "com.apple.vpn.managed.json"
    doc = json.loads(vpn.read_text(encoding="utf-8"))
    doc["title"] = "Changed VPN title"
    vpn.write_text(json.dumps(doc), encoding="utf-8")
    changed = load_schema(files, cache_dir=cache)
    assert changed.payloads["com.apple.vpn.managed"].title == "Changed VPN title"
    # and the damage a strict load reports is not hidden by the cache
    doc["keys"] = "not a list"
    vpn.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SchemaError):
        load_schema(files, cache_dir=cache)


@pytest.mark.parametrize(
    "content", [b"", b"not a pickle", pickle.dumps(("other", "data")), pickle.dumps([1, 2])]
)
def test_a_damaged_or_foreign_cache_is_replaced(tmp_path: Path, content: bytes) -> None:
    files = _copy_schema_files(tmp_path / "payloads")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / SCHEMA_CACHE_FILE).write_bytes(content)
    assert load_schema(files, cache_dir=cache) == load_schema(files)
    assert (cache / SCHEMA_CACHE_FILE).read_bytes() != content  # rewritten


def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path) -> None:
    files = _copy_schema_files(tmp_path / "payloads")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert load_schema(files, cache_dir=blocked / "cache") == load_schema(files)


def test_user_cache_dir_follows_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    from editor import resources

    monkeypatch.setattr(resources.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache-of-alice")
    assert resources.user_cache_dir() == Path("/var/cache-of-alice/vpn-profile-editor")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/allowed")
    assert resources.user_cache_dir() == Path(
        os.path.expanduser("~"), ".cache", "vpn-profile-editor"
    )
    monkeypatch.setattr(resources.sys, "platform", "darwin")
    assert resources.user_cache_dir() == Path(
        os.path.expanduser("~"), "Library", "Caches", "vpn-profile-editor"
    )


# --- every fact and every rule has a source (issue 13) ----------------------------------------

SHARED = APPLE_YAML.parent.parent
SOURCE_PLACES = {
    "apple-schema: ": APPLE_YAML,
    "seed: ": SHARED / "seeds",
    "research: ": SHARED / "research",
    "corpus: ": SHARED / "corpus" / "vpn-profiles",
}
SOURCE_FORMS = (*SOURCE_PLACES, "doc: ", "https://")


def _availabilities(node: Any, where: str) -> Any:
    """(where, availability object) of every availability in a schema file."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "availability" and isinstance(value, dict):
                yield f"{where}:{node.get('name') or node.get('payload_type') or 'note'}", value
            else:
                yield from _availabilities(value, f"{where}/{name}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _availabilities(value, f"{where}[{index}]")


def test_every_availability_fact_names_its_source() -> None:
    unsourced = []
    count = 0
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        for where, availability in _availabilities(json.loads(path.read_text()), path.name):
            count += 1
            source = availability.get("source")
            if not (isinstance(source, str) and source.startswith(SOURCE_FORMS)):
                unsourced.append(where)
    assert count > 100  # the payloads, their keys and the value notes
    assert unsourced == []


def test_a_fact_without_source_is_caught(tmp_path: Path) -> None:
    """The check above can fail: drop one source and it names the place."""
    copy = tmp_path / "payloads"
    shutil.copytree(SCHEMA_DIR, copy)
    doc = json.loads((copy / "com.apple.vpn.managed.json").read_text())
    del doc["availability"]["source"]
    found = [w for w, a in _availabilities(doc, "vpn") if "source" not in a]
    assert found == ["vpn:com.apple.vpn.managed"]


def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = json.loads(resource_path("schema", "rules.json").read_text())["rules"]
    return rules


def test_every_problem_code_has_a_rule_with_severities_evidence_and_sources() -> None:
    from editor.core.validation.problems import CODES

    rules = _rules()
    assert sorted(rules) == sorted(CODES)
    for code, rule in rules.items():
        assert rule["severities"] and set(rule["severities"]) <= {"error", "warning", "info"}, code
        assert len(rule["evidence"]) > 40, code
        assert rule["sources"], code
        for source in rule["sources"]:
            assert source.startswith(SOURCE_FORMS), (code, source)


def test_sources_name_files_that_exist() -> None:
    if not SHARED.is_dir():
        pytest.skip("the shared reference material (../shared) is not present")
    sources = [s for rule in _rules().values() for s in rule["sources"]]
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        sources += [a["source"] for _w, a in _availabilities(json.loads(path.read_text()), "")]
    missing = set()
    for text in sources:
        for part in text.split("; "):
            for prefix, folder in SOURCE_PLACES.items():
                if part.startswith(prefix):
                    name = part.removeprefix(prefix).split(" ")[0]
                    if not (folder / name).exists():
                        missing.add(part)
    assert missing == set()


def test_apple_payload_types_hold_every_local_reference_and_our_own(schema: Schema) -> None:
    assert set(schema.payloads) <= schema.apple_payload_types
    assert {"com.apple.wifi.managed", "com.apple.applicationaccess"} <= schema.apple_payload_types
    assert "com.example.vpn" not in schema.apple_payload_types
    profiles = APPLE_YAML / "mdm" / "profiles"
    if not profiles.is_dir():
        pytest.skip("the shared reference material (../shared) is not present")
    for path in profiles.glob("*.yaml"):
        found = re.search(r"^  payloadtype: (\S+)", path.read_text(), re.M)
        assert found, path.name
        if found.group(1) not in ("TopLevel", "CommonPayloadKeys"):
            assert found.group(1) in schema.apple_payload_types, path.name
