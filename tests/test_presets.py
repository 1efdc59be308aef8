"""Connection presets: every type builds a payload that validates once filled in."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from helpers.profiles import PKCS12_PAYLOAD, ROOT_PAYLOAD, make_profile

from editor.core import presets
from editor.core.formats import check_format
from editor.core.model import KeyPath, Profile, get_value, set_key
from editor.core.platforms import Target
from editor.core.presets import CONNECTION_TYPES, ProxySetup, build_payload
from editor.core.schema import Schema
from editor.core.validation.context import Options
from editor.core.validation.engine import validate_profile
from editor.core.validation.problems import Problem, Severity

BASE = "com.example.profile"
SERVER = "vpn.example.com"
IDENTITY_UUID = PKCS12_PAYLOAD["PayloadUUID"]

# What a user would type into each field the preset asks for.
FILL: dict[str, Any] = {
    "RemoteAddress": SERVER,
    "RemoteIdentifier": SERVER,
    "LocalIdentifier": "client@example.com",
    "PayloadCertificateUUID": IDENTITY_UUID,
    "CommRemoteAddress": SERVER,
    "SharedSecret": b"a long shared secret",
    "VPNSubType": "com.example.vpnapp",
    "ProviderBundleIdentifier": "com.example.vpnapp.proxy",
    "ProviderDesignatedRequirement": (
        'identifier "com.example.vpnapp.proxy" and anchor apple generic'
    ),
    "WgQuickConfig": "[Interface]\nPrivateKey = x\n[Peer]\nEndpoint = vpn.example.com:51820\n",
}

# Warnings a filled-in preset is expected to get (with no targets or its own targets).
EXPECTED_WARNINGS = {"legacy-protocol"}  # L2TP is legacy by nature

TYPE_IDS = [c.id for c in CONNECTION_TYPES]


def _targets(platforms: tuple[str, ...]) -> tuple[Target, ...]:
    return tuple(Target.parse(p) for p in platforms or ("ios:18", "macos:15"))


def filled_profile(type_id: str, **kwargs: Any) -> Profile:
    preset = presets.connection_type(type_id)
    payload = build_payload(type_id, name="Office VPN", identifier_base=BASE, **kwargs)
    extra = (PKCS12_PAYLOAD, ROOT_PAYLOAD) if preset.certificate_auth else ()
    profile = make_profile(payload, *extra)
    base_type = kwargs.get("base_type", "ikev2")
    for path in presets.fields_to_fill(type_id, base_type):
        set_key(profile.root, ("PayloadContent", 0, *path), copy.deepcopy(FILL[str(path[-1])]))
    return profile


def _shown(problems: list[Problem]) -> list[str]:
    return [
        f"{p.severity.name} {p.code} {'/'.join(map(str, p.path))}: {p.message}" for p in problems
    ]


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_filled_preset_validates_without_errors(type_id: str, schema: Schema) -> None:
    profile = filled_profile(type_id)
    problems = validate_profile(profile, schema)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert not errors, _shown(errors)
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    assert {p.code for p in warnings} <= EXPECTED_WARNINGS, _shown(warnings)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_filled_preset_is_clean_on_its_platforms(type_id: str, schema: Schema) -> None:
    preset = presets.connection_type(type_id)
    options = Options(targets=_targets(preset.platforms))
    problems = validate_profile(filled_profile(type_id), schema, options)
    serious = [
        p
        for p in problems
        if p.severity is Severity.ERROR
        or (p.severity is Severity.WARNING and p.code not in EXPECTED_WARNINGS)
    ]
    assert not serious, _shown(serious)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_fields_to_fill_exist_in_the_fresh_payload(type_id: str) -> None:
    payload = build_payload(type_id, name="", identifier_base=BASE)
    for path in presets.fields_to_fill(type_id):
        assert get_value(payload, path) in ("", b""), (type_id, path)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_common_payload_keys(type_id: str) -> None:
    preset = presets.connection_type(type_id)
    first = build_payload(type_id, name="Office VPN", identifier_base=BASE + ".", server=SERVER)
    second = build_payload(type_id, name="Office VPN", identifier_base=BASE, server=SERVER)
    assert first["PayloadType"] == preset.payload_type
    assert first["PayloadVersion"] == 1
    assert first["PayloadDisplayName"] == first["UserDefinedName"] == "Office VPN"
    assert first["VPNType"] == preset.vpn_type
    assert check_format("uuid", first["PayloadUUID"]) is None
    assert first["PayloadIdentifier"].startswith(f"{BASE}.vpn.{type_id}.")
    assert check_format("reverse-dns", first["PayloadIdentifier"]) is None
    assert first["PayloadUUID"] != second["PayloadUUID"]
    assert first["PayloadIdentifier"] != second["PayloadIdentifier"]
    if preset.vpn_subtype is not None:
        assert first["VPNSubType"] == preset.vpn_subtype


def test_empty_name_falls_back_to_the_title() -> None:
    payload = build_payload("ikev2", name="  ", identifier_base=BASE)
    assert payload["UserDefinedName"] == "IKEv2"


def test_ids_are_unique_and_stable_looking() -> None:
    assert len(TYPE_IDS) == len(set(TYPE_IDS))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in TYPE_IDS)
    assert {
        "ikev2",
        "ipsec-cisco",
        "l2tp",
        "cisco-anyconnect",
        "juniper-pulse",
        "netmotion",
        "f5-ssl",
        "sonicwall",
        "aruba-via",
        "paloalto-globalprotect",
        "custom-ssl",
        "wireguard",
        "always-on",
        "transparent-proxy",
        "per-app",
    } == set(TYPE_IDS)


def test_types_match_the_schema(schema: Schema) -> None:
    for preset in CONNECTION_TYPES:
        payload_schema = schema.payload(preset.payload_type)
        assert payload_schema is not None, preset.id
        vpn_type = payload_schema.find("VPNType")
        assert vpn_type is not None and vpn_type.values is not None
        assert preset.vpn_type in vpn_type.values, preset.id
        if preset.vpn_subtype is not None:
            assert check_format("bundle-id", preset.vpn_subtype) is None, preset.id
        for key in preset.vendor_keys:
            assert check_format("bundle-id", key) is None  # plain key names
        assert preset.title and preset.description


def test_unknown_type_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown connection type 'pptp'.*ikev2"):
        build_payload("pptp", name="x", identifier_base=BASE)


def test_empty_identifier_base_is_refused() -> None:
    with pytest.raises(ValueError, match="identifier_base"):
        build_payload("ikev2", name="x", identifier_base=" . ")


# --- security defaults ------------------------------------------------------------------


def test_ikev2_defaults_are_strong(schema: Schema) -> None:
    payload = build_payload(
        "ikev2", name="x", identifier_base=BASE, server=SERVER, certificate_uuid=IDENTITY_UUID
    )
    ikev2 = payload["IKEv2"]
    assert ikev2["RemoteAddress"] == ikev2["RemoteIdentifier"] == SERVER
    assert ikev2["AuthenticationMethod"] == "Certificate"
    assert ikev2["PayloadCertificateUUID"] == IDENTITY_UUID
    assert ikev2["EnablePFS"] == 1
    for name in ("IKESecurityAssociationParameters", "ChildSecurityAssociationParameters"):
        sa = ikev2[name]
        assert sa["EncryptionAlgorithm"] == "AES-256-GCM"
        assert sa["IntegrityAlgorithm"] == "SHA2-256"
        assert sa["DiffieHellmanGroup"] in (19, 20)
    assert "VPNSubType" not in payload
    codes = {p.code for p in validate_profile(filled_profile("ikev2"), schema)}
    assert not codes & {"weak-crypto", "strict-algorithms", "missing-ca"}


def test_always_on_tunnel_uses_ikev2_with_rsa_certificate() -> None:
    payload = build_payload("always-on", name="x", identifier_base=BASE, server=SERVER)
    (tunnel,) = payload["AlwaysOn"]["TunnelConfigurations"]
    assert tunnel["ProtocolType"] == "IKEv2"
    assert sorted(tunnel["Interfaces"]) == ["Cellular", "WiFi"]
    assert tunnel["RemoteAddress"] == SERVER
    assert tunnel["CertificateType"] == "RSA"
    assert tunnel["IKESecurityAssociationParameters"]["DiffieHellmanGroup"] >= 14


def test_certificate_types_point_at_the_identity() -> None:
    for preset in CONNECTION_TYPES:
        if not preset.certificate_auth:
            continue
        payload = build_payload(
            preset.id, name="x", identifier_base=BASE, certificate_uuid=IDENTITY_UUID
        )
        uuids = [
            value
            for path in presets.fields_to_fill(preset.id)
            if path[-1] == "PayloadCertificateUUID"
            for value in [get_value(payload, path)]
        ]
        assert uuids == [IDENTITY_UUID], preset.id


# --- vendors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_id", "keys"),
    [
        ("cisco-anyconnect", {"Group"}),
        ("juniper-pulse", {"Realm", "Role"}),
        ("sonicwall", {"LoginGroupOrDomain"}),
        ("wireguard", {"WgQuickConfig"}),
    ],
)
def test_vendor_keys(type_id: str, keys: set[str]) -> None:
    preset = presets.connection_type(type_id)
    assert set(preset.vendor_keys) == keys
    payload = build_payload(type_id, name="x", identifier_base=BASE)
    assert set(payload["VendorConfig"]) == keys


def test_custom_vendor_pairs_end_up_in_vendor_config(schema: Schema) -> None:
    pairs = {"Group": "staff", "CustomKey": "custom value"}
    profile = filled_profile("cisco-anyconnect", vendor_config=pairs)
    vendor = profile.payloads[0]["VendorConfig"]
    assert vendor == {"Group": "staff", "CustomKey": "custom value"}
    assert not [p for p in validate_profile(profile, schema) if p.severity is Severity.ERROR]


def test_custom_ssl_takes_the_users_identifier(schema: Schema) -> None:
    payload = build_payload(
        "custom-ssl",
        name="x",
        identifier_base=BASE,
        custom_identifier="com.example.sslvpn",
        vendor_config={"Portal": "main"},
    )
    assert payload["VPNType"] == "VPN"
    assert payload["VPNSubType"] == "com.example.sslvpn"
    assert payload["VendorConfig"] == {"Portal": "main"}
    empty = build_payload("custom-ssl", name="x", identifier_base=BASE)
    assert empty["VPNSubType"] == ""


def test_custom_identifier_replaces_a_vendor_subtype() -> None:
    payload = build_payload(
        "wireguard", name="x", identifier_base=BASE, custom_identifier="com.wireguard.macos"
    )
    assert payload["VPNSubType"] == "com.wireguard.macos"


def test_vendor_config_is_refused_for_built_in_types() -> None:
    with pytest.raises(ValueError, match="VendorConfig"):
        build_payload("ikev2", name="x", identifier_base=BASE, vendor_config={"Group": "a"})


def test_provider_type() -> None:
    payload = build_payload(
        "juniper-pulse", name="x", identifier_base=BASE, provider_type="app-proxy"
    )
    assert payload["VPN"]["ProviderType"] == "app-proxy"
    assert build_payload("f5-ssl", name="x", identifier_base=BASE)["VPN"]["ProviderType"] == (
        "packet-tunnel"
    )
    with pytest.raises(ValueError, match="provider type"):
        build_payload("ikev2", name="x", identifier_base=BASE, provider_type="app-proxy")
    with pytest.raises(ValueError, match="packet-tunnel or app-proxy"):
        build_payload("f5-ssl", name="x", identifier_base=BASE, provider_type="tunnel")


# --- proxies -----------------------------------------------------------------------------


def test_no_proxy_by_default() -> None:
    assert "Proxies" not in build_payload("ikev2", name="x", identifier_base=BASE)
    none = build_payload("ikev2", name="x", identifier_base=BASE, proxy=ProxySetup("none"))
    assert "Proxies" not in none


def test_manual_proxy(schema: Schema) -> None:
    proxy = ProxySetup("manual", http_server="proxy.example.com", http_port=3128)
    profile = filled_profile("cisco-anyconnect", proxy=proxy)
    assert profile.payloads[0]["Proxies"] == {
        "HTTPEnable": 1,
        "HTTPProxy": "proxy.example.com",
        "HTTPPort": 3128,
        "HTTPSEnable": 1,
        "HTTPSProxy": "proxy.example.com",
        "HTTPSPort": 3128,
    }
    assert not [p for p in validate_profile(profile, schema) if p.severity is not Severity.INFO]


def test_manual_proxy_with_own_https_server_and_login() -> None:
    proxy = ProxySetup(
        "manual",
        http_server="http.example.com",
        http_port=80,
        https_server="https.example.com",
        https_port=443,
        username="alice",
        password="secret",
    )
    proxies = build_payload("ikev2", name="x", identifier_base=BASE, proxy=proxy)["Proxies"]
    assert (proxies["HTTPSProxy"], proxies["HTTPSPort"]) == ("https.example.com", 443)
    assert (proxies["HTTPProxy"], proxies["HTTPPort"]) == ("http.example.com", 80)
    assert proxies["HTTPProxyUsername"] == "alice"
    assert proxies["HTTPProxyPassword"] == "secret"


def test_automatic_proxy(schema: Schema) -> None:
    proxy = ProxySetup("automatic", pac_url="https://proxy.example.com/proxy.pac")
    profile = filled_profile("ikev2", proxy=proxy)
    assert profile.payloads[0]["Proxies"] == {
        "ProxyAutoConfigEnable": 1,
        "ProxyAutoConfigURLString": "https://proxy.example.com/proxy.pac",
    }
    assert not [p for p in validate_profile(profile, schema) if p.severity is not Severity.INFO]


def test_unknown_proxy_mode() -> None:
    with pytest.raises(ValueError, match="proxy mode"):
        build_payload(
            "ikev2",
            name="x",
            identifier_base=BASE,
            proxy=ProxySetup("pac"),  # type: ignore[arg-type]
        )


# --- per-app VPN --------------------------------------------------------------------------


def test_per_app_defaults_to_ikev2() -> None:
    first = build_payload("per-app", name="Apps", identifier_base=BASE, server=SERVER)
    second = build_payload("per-app", name="Apps", identifier_base=BASE, server=SERVER)
    assert first["PayloadType"] == "com.apple.vpn.managed.applayer"
    assert first["VPNType"] == "IKEv2"
    assert "VPNSubType" not in first
    assert first["IKEv2"]["RemoteAddress"] == SERVER
    assert check_format("uuid", first["VPNUUID"]) is None
    assert first["VPNUUID"] not in (second["VPNUUID"], first["PayloadUUID"])
    assert first["OnDemandMatchAppEnabled"] is True


@pytest.mark.parametrize("base_type", ["cisco-anyconnect", "ipsec-cisco", "custom-ssl", "ikev2"])
def test_per_app_on_other_types_validates(base_type: str, schema: Schema) -> None:
    profile = filled_profile("per-app", base_type=base_type)
    payload = profile.payloads[0]
    base = presets.connection_type(base_type)
    assert payload["PayloadType"] == "com.apple.vpn.managed.applayer"
    assert payload["VPNType"] == base.vpn_type
    if base.vpn_subtype is not None:
        assert payload["VPNSubType"] == base.vpn_subtype
    assert not [p for p in validate_profile(profile, schema) if p.severity is Severity.ERROR]


@pytest.mark.parametrize("base_type", ["l2tp", "always-on", "transparent-proxy", "per-app"])
def test_per_app_refuses_other_vpn_types(base_type: str) -> None:
    with pytest.raises(ValueError, match="per-app VPN"):
        build_payload("per-app", name="x", identifier_base=BASE, base_type=base_type)


def test_per_app_cellular_slice(schema: Schema) -> None:
    profile = filled_profile("per-app", cellular_slice_uuid="internet.slice")
    assert profile.payloads[0]["CellularSliceUUID"] == "internet.slice"
    options = Options(targets=(Target.parse("ios:18"),))
    assert not [
        p for p in validate_profile(profile, schema, options) if p.severity is not Severity.INFO
    ]
    with pytest.raises(ValueError, match="per-app"):
        build_payload("ikev2", name="x", identifier_base=BASE, cellular_slice_uuid="x")


def test_fields_to_fill_follow_the_per_app_base() -> None:
    paths: tuple[KeyPath, ...] = presets.fields_to_fill("per-app", "cisco-anyconnect")
    assert ("VPN", "RemoteAddress") in paths
    assert presets.fields_to_fill("per-app") == presets.connection_type("ikev2").required_fields


def test_two_presets_of_one_type_fit_in_one_profile(schema: Schema) -> None:
    first = build_payload("ikev2", name="A", identifier_base=BASE, server=SERVER)
    second = build_payload("ikev2", name="B", identifier_base=BASE, server=SERVER)
    codes = {p.code for p in validate_profile(make_profile(first, second), schema)}
    assert not codes & {"duplicate-uuid", "duplicate-identifier"}
