"""`vpn-profile export-declarations`: VPN payloads as declarations, checked against Apple's
published declarative schema (../shared/reference/…/declarative; skipped without it)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.profiles import (
    CORPUS,
    IKEV2_PAYLOAD,
    PKCS12_PAYLOAD,
    ROOT_PAYLOAD,
    corpus_files,
    make_profile,
)

from editor.core.model import Profile
from editor.core.plistio import ProfileReadError

DECLARATIVE = CORPUS.parent.parent / "reference" / "apple-device-management" / "declarative"


# --- the published schema, as a checker ---------------------------------------------------------


@pytest.fixture(scope="module")
def schemas() -> dict[str, list[dict[str, Any]]]:
    yaml = pytest.importorskip("yaml")
    if not DECLARATIVE.is_dir():
        pytest.skip("Apple's declarative schema (../shared/reference) is not present")
    found = {}
    for path in DECLARATIVE.rglob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[document["payload"]["declarationtype"]] = document["payloadkeys"]
    return found


_TYPES = {
    "<string>": str,
    "<boolean>": bool,
    "<integer>": int,
    "<array>": list,
    "<dictionary>": dict,
    "<data>": str,  # base64 text in JSON
}


def _check(value: Any, spec: dict[str, Any], path: str, assets: dict[str, str]) -> list[str]:
    problems = []
    expected = _TYPES[spec["type"]]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        return [f"{path}: {value!r} is not {spec['type']}"]
    if spec["type"] == "<data>":
        base64.b64decode(value, validate=True)
    if "rangelist" in spec and value not in spec["rangelist"]:
        problems.append(f"{path}: {value!r} is not one of {spec['rangelist']}")
    if "assettypes" in spec and assets.get(value) not in spec["assettypes"]:
        problems.append(f"{path}: {value!r} names no asset of type {spec['assettypes']}")
    if spec["type"] == "<dictionary>" and "subkeys" in spec:
        problems += _check_keys(value, spec["subkeys"], path, assets)
    if spec["type"] == "<array>" and "subkeys" in spec:
        for index, item in enumerate(value):
            problems += _check(item, spec["subkeys"][0], f"{path}/{index}", assets)
    return problems


def _check_keys(
    value: dict[str, Any], keys: list[dict[str, Any]], path: str, assets: dict[str, str]
) -> list[str]:
    problems = []
    specs = {spec["key"]: spec for spec in keys}
    for name in value:
        if name not in specs:
            problems.append(f"{path}/{name}: not a key of the declaration")
    for name, spec in specs.items():
        if name in value:
            problems += _check(value[name], spec, f"{path}/{name}".lstrip("/"), assets)
        elif spec.get("presence") == "required":
            problems.append(f"{path}/{name}: required, missing")
    return problems


def schema_problems(
    declarations: list[dict[str, Any]], schemas: dict[str, list[dict[str, Any]]]
) -> list[str]:
    assets = {d["Identifier"]: d["Type"] for d in declarations if ".asset." in d["Type"]}
    problems = []
    identifiers = [d["Identifier"] for d in declarations]
    if len(set(identifiers)) != len(identifiers):
        problems.append("two declarations share an Identifier")
    for declaration in declarations:
        if sorted(declaration) != ["Identifier", "Payload", "ServerToken", "Type"]:
            problems.append(f"{declaration.get('Identifier')}: keys {sorted(declaration)}")
        if declaration["Type"] not in schemas:
            problems.append(f"{declaration['Type']}: not a published declaration type")
            continue
        problems += _check_keys(
            declaration["Payload"], schemas[declaration["Type"]], declaration["Identifier"], assets
        )
        reference = declaration["Payload"].get("Reference")
        if reference is not None and not reference["DataURL"].startswith("https://"):
            problems.append(f"{declaration['Identifier']}: DataURL is not https")
    return problems


def test_the_checker_finds_faults(schemas: dict[str, list[dict[str, Any]]]) -> None:
    bad = {
        "Type": "com.apple.configuration.network.vpn.ikev2",
        "Identifier": "x",
        "ServerToken": "1",
        "Payload": {
            "VisibleName": "x",
            "HostName": 5,
            "LocalIdentifier": "a",
            "Authentication": {"Method": "Hybrid", "IdentityAssetReference": "nothing"},
            "DisableMOBIKE": 1,
            "Unknown": True,
        },
    }
    problems = schema_problems([bad], schemas)
    assert any("HostName: 5 is not <string>" in p for p in problems)
    assert any("RemoteIdentifier: required, missing" in p for p in problems)
    assert any("'Hybrid' is not one of" in p for p in problems)
    assert any("names no asset" in p for p in problems)
    assert any("DisableMOBIKE: 1 is not <boolean>" in p for p in problems)
    assert any("Unknown: not a key" in p for p in problems)


# --- exports --------------------------------------------------------------------------------------


def export(tmp_path: Path, profile: Profile, *extra: str) -> tuple[int, str, Path]:
    source = tmp_path / "profile.mobileconfig"
    profile.save(source)
    out = tmp_path / "declarations"
    code, _, err = run_cli("export-declarations", str(source), "--out", str(out), *extra)
    return code, err, out


def written(out: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]


def asset_document(out: Path, declaration: dict[str, Any]) -> dict[str, Any]:
    reference = declaration["Payload"]["Reference"]
    data = (out / "asset-data" / reference["DataURL"].rsplit("/", 1)[1]).read_bytes()
    assert reference["Size"] == len(data)
    assert reference["Hash-SHA-256"] == hashlib.sha256(data).hexdigest()
    document: dict[str, Any] = json.loads(data)
    return document


def test_ikev2_with_identity_and_ca(tmp_path: Path, schemas: dict[str, Any]) -> None:
    identity = copy.deepcopy(PKCS12_PAYLOAD)
    identity["Password"] = "p12 pass"
    vpn = copy.deepcopy(IKEV2_PAYLOAD)
    vpn["IKEv2"].update(
        OnDemandEnabled=1,
        OnDemandRules=[{"Action": "Connect", "InterfaceTypeMatch": "WiFi"}],
        EnablePFS=1,
        IKESecurityAssociationParameters={
            "EncryptionAlgorithm": "AES-256-GCM",
            "DiffieHellmanGroup": 20,
        },
    )
    code, err, out = export(tmp_path, make_profile(vpn, identity, ROOT_PAYLOAD))
    assert code == 0, err
    declarations = written(out)
    assert schema_problems(declarations, schemas) == []
    by_type = {d["Type"]: d for d in declarations}
    ikev2 = by_type["com.apple.configuration.network.vpn.ikev2"]["Payload"]
    assert ikev2["HostName"] == "vpn.example.com"
    assert ikev2["OnDemand"] == {
        "Enabled": True,
        "Rules": [{"Action": "Connect", "InterfaceTypeMatch": "WiFi"}],
    }
    assert ikev2["EnablePFS"] is True
    asset = by_type["com.apple.asset.credential.identity"]
    assert ikev2["Authentication"]["IdentityAssetReference"] == asset["Identifier"]
    document = asset_document(out, asset)
    assert document["Type"] == "com.apple.credential.identity"
    assert base64.b64decode(document["Payload"]["Identity"]) == PKCS12_PAYLOAD["PayloadContent"]
    assert document["Payload"]["Password"] == "p12 pass"
    certificate = by_type["com.apple.configuration.security.certificate"]["Payload"]
    assert by_type["com.apple.asset.credential.certificate"]["Identifier"] == (
        certificate["CredentialAssetReference"]
    )
    mode = (out / "asset-data" / (asset["Identifier"] + ".json")).stat().st_mode & 0o777
    assert mode == 0o600


def test_shared_secret_goes_to_an_asset_not_the_declaration(
    tmp_path: Path, schemas: dict[str, Any]
) -> None:
    vpn = copy.deepcopy(IKEV2_PAYLOAD)
    vpn["IKEv2"].update(AuthenticationMethod="SharedSecret", SharedSecret="very secret")
    del vpn["IKEv2"]["PayloadCertificateUUID"]
    code, err, out = export(tmp_path, make_profile(vpn))
    assert code == 0, err
    declarations = written(out)
    assert schema_problems(declarations, schemas) == []
    assert "very secret" not in json.dumps(declarations)
    (asset,) = [d for d in declarations if d["Type"] == "com.apple.asset.credential.userpassword"]
    document = asset_document(out, asset)
    assert document == {
        "Type": "com.apple.credential.usernameandpassword",
        "Payload": {"UserName": "client.example.com", "Password": "very secret"},
    }


def test_legacy_values_and_unknown_keys_are_named(tmp_path: Path, schemas: dict[str, Any]) -> None:
    vpn = copy.deepcopy(IKEV2_PAYLOAD)
    vpn["IKEv2"].update(
        IKESecurityAssociationParameters={
            "EncryptionAlgorithm": "3DES",
            "DiffieHellmanGroup": 2,
            "IntegrityAlgorithm": "SHA2-256",
        },
        OnDemandMatchDomainsAlways=["corp.example.com"],
    )
    vpn["IPv4"] = {"OverridePrimary": 1}
    code, err, out = export(tmp_path, make_profile(vpn, PKCS12_PAYLOAD))
    assert code == 1
    assert schema_problems(written(out), schemas) == []
    base = f"{tmp_path / 'profile.mobileconfig'}: PayloadContent/0"
    lines = err.splitlines()
    assert f"{base}/IKEv2/IKESecurityAssociationParameters/EncryptionAlgorithm: '3DES' is not " \
           "allowed in a declaration" in lines  # fmt: skip
    assert f"{base}/IKEv2/IKESecurityAssociationParameters/DiffieHellmanGroup: 2 is not " \
           "allowed in a declaration" in lines  # fmt: skip
    assert f"{base}/IKEv2/OnDemandMatchDomainsAlways: no declarative equivalent" in lines
    assert f"{base}/IPv4/OverridePrimary: no declarative equivalent" in lines
    ikev2 = next(d for d in written(out) if d["Type"].endswith("vpn.ikev2"))["Payload"]
    assert ikev2["IKESecurityAssociationParameters"] == {"IntegrityAlgorithm": "SHA2-256"}


def test_vpn_app_keeps_documented_vendor_keys(tmp_path: Path, schemas: dict[str, Any]) -> None:
    vpn = {
        "PayloadType": "com.apple.vpn.managed",
        "PayloadIdentifier": "com.example.wg",
        "PayloadUUID": "11111111-2222-4333-8444-555555555555",
        "PayloadVersion": 1,
        "UserDefinedName": "Office",
        "VPNType": "VPN",
        "VPNSubType": "com.example.vpnapp",
        "VendorConfig": {"Group": "staff", "WgQuickConfig": "[Interface]\n"},
        "VPN": {
            "RemoteAddress": "vpn.example.com",
            "AuthenticationMethod": "Password",
            "AuthName": "alice",
            "ProviderBundleIdentifier": "com.example.vpnapp.tunnel",
            "ProviderDesignatedRequirement": "anchor apple generic",
            "OnDemandEnabled": 1,
            "IncludeAllNetworks": 1,
        },
    }
    code, err, out = export(tmp_path, make_profile(vpn))
    assert code == 1
    assert "PayloadContent/0/VendorConfig/WgQuickConfig: no declarative equivalent" in err
    declarations = written(out)
    assert schema_problems(declarations, schemas) == []
    plugin = next(d for d in declarations if d["Type"].endswith("vpn-plugin"))["Payload"]
    assert plugin["SubType"] == "com.example.vpnapp"
    assert plugin["VendorConfig"] == {"Group": "staff"}
    assert plugin["Provider"] == {
        "ComposedIdentifier": "com.example.vpnapp.tunnel {anchor apple generic}"
    }
    assert plugin["NetworkRouting"] == {"IncludeAllNetworks": True}
    asset = next(d for d in declarations if d["Type"].endswith("userpassword"))
    assert asset_document(out, asset)["Payload"] == {"UserName": "alice"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"VPNType": "L2TP"}, "L2TP has no declarative VPN configuration"),
        ({"VPNType": "TransparentProxy"}, "transparent proxy has no declarative"),
        ({"PayloadType": "com.apple.vpn.managed.applayer", "VPNUUID": "x"}, "per-app VPN"),
        (
            {"VPNType": "IPSec", "IPSec": {"AuthenticationMethod": "Hybrid"}},
            "with Hybrid authentication: the declaration allows only SharedSecret or Certificate",
        ),
    ],
)
def test_what_cannot_be_expressed_is_refused(
    tmp_path: Path, change: dict[str, Any], reason: str
) -> None:
    vpn = copy.deepcopy(IKEV2_PAYLOAD)
    vpn.update(change)
    code, err, out = export(tmp_path, make_profile(vpn))
    assert code == 2
    assert f"PayloadContent/0 ({vpn['PayloadType']}): not exported: " in err
    assert reason in err
    assert "nothing written" in err
    assert not out.exists()


def test_a_refused_payload_leaves_no_assets(tmp_path: Path, schemas: dict[str, Any]) -> None:
    """An Always On payload whose second tunnel cannot be expressed: the first tunnel's
    shared-secret asset goes too."""
    good_tunnel = {
        "ProtocolType": "IKEv2",
        "RemoteAddress": "vpn.example.com",
        "LocalIdentifier": "phone",
        "RemoteIdentifier": "vpn.example.com",
        "AuthenticationMethod": "SharedSecret",
        "SharedSecret": "tunnel secret",
    }
    bad_tunnel = {k: v for k, v in good_tunnel.items() if k != "LocalIdentifier"}
    always_on = {
        "PayloadType": "com.apple.vpn.managed",
        "PayloadIdentifier": "com.example.alwayson",
        "PayloadUUID": "22222222-2222-4333-8444-555555555555",
        "PayloadVersion": 1,
        "UserDefinedName": "Always",
        "VPNType": "AlwaysOn",
        "AlwaysOn": {"TunnelConfigurations": [good_tunnel, bad_tunnel]},
    }
    code, err, out = export(tmp_path, make_profile(always_on, IKEV2_PAYLOAD, PKCS12_PAYLOAD))
    assert code == 1, err
    assert "PayloadContent/0 (com.apple.vpn.managed): not exported: tunnel 1: the IKEv2 " \
           "declaration requires LocalIdentifier" in err  # fmt: skip
    declarations = written(out)
    assert schema_problems(declarations, schemas) == []
    assert sorted(d["Type"] for d in declarations) == [
        "com.apple.asset.credential.identity",
        "com.apple.configuration.network.vpn.ikev2",
    ]
    assert not list((out / "asset-data").glob("*alwayson*"))
    # with both tunnels whole, the Always On declaration and its asset are there
    always_on["AlwaysOn"]["TunnelConfigurations"] = [good_tunnel]
    (tmp_path / "two").mkdir()
    code, err, out = export(tmp_path / "two", make_profile(always_on))
    assert code == 0, err
    declarations = written(out)
    assert schema_problems(declarations, schemas) == []
    assert sorted(d["Type"] for d in declarations) == [
        "com.apple.asset.credential.userpassword",
        "com.apple.configuration.network.vpn.always-on",
    ]


def test_standard_output(tmp_path: Path, schemas: dict[str, Any]) -> None:
    source = tmp_path / "p.mobileconfig"
    make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD).save(source)
    code, out, err = run_cli("export-declarations", str(source))
    assert code == 0
    document = json.loads(out)
    assert list(document) == ["declarations"]
    assert schema_problems(document["declarations"], schemas) == []
    assert "asset data is written only with --out" in err


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_exports_validate(path: Path, tmp_path: Path, schemas: dict[str, Any]) -> None:
    try:
        profile = Profile.read(path)
    except ProfileReadError:
        pytest.skip("damaged on purpose")
    out = tmp_path / "out"
    code, _, err = run_cli("export-declarations", str(path), "--out", str(out))
    assert code in (0, 1, 2), err
    assert err.count("\n") >= 1
    if code == 2:
        assert not out.exists()
        return
    declarations = written(out)
    assert declarations
    assert schema_problems(declarations, schemas) == []
    exported = [line for line in err.splitlines() if ": exported as " in line]
    kinds = [p.get("PayloadType") for _, p in profile.payload_dicts()]
    assert len(exported) <= len(kinds)
