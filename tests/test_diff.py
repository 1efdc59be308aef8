"""`vpn-profile diff` and `show --canonical`: semantic differences by key path."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.cms import sign_profile
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, corpus_files, make_profile

from editor.core.diff import SECRET_MASK, canonical_lines, diff_roots
from editor.core.model import Profile
from editor.core.plistio import ProfileReadError

RULES = [
    {"Action": "Disconnect", "SSIDMatch": ["Home"]},
    {"Action": "Connect", "InterfaceTypeMatch": "WiFi"},
    {"Action": "Ignore"},
]


def save(path: Path, profile: Profile, fmt: str = "xml") -> Path:
    profile.save(path, fmt)  # type: ignore[arg-type]
    return path


def vpn(**ikev2: Any) -> dict[str, Any]:
    payload = copy.deepcopy(IKEV2_PAYLOAD)
    payload["IKEv2"].update(ikev2)
    return payload


def differences(a: Profile, b: Profile, tmp_path: Path, *extra: str) -> list[dict[str, Any]]:
    code, out, err = run_cli(
        "diff", str(save(tmp_path / "a.mobileconfig", a)),
        str(save(tmp_path / "b.mobileconfig", b)), "--format", "json", *extra,
    )  # fmt: skip
    document = json.loads(out)
    assert code == (1 if document["differences"] else 0), err
    return list(document["differences"])


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_profile_against_itself_and_its_binary_form(path: Path, tmp_path: Path) -> None:
    code, out, err = run_cli("diff", str(path), str(path))
    try:
        Profile.read(path)
    except ProfileReadError:  # a few corpus files are damaged on purpose
        assert (code, out, err.count("\n")) == (2, "", 1)
        return
    assert (code, out) == (0, ""), err
    binary = tmp_path / "binary.mobileconfig"
    assert run_cli("convert", str(path), str(binary), "--format", "binary")[0] == 0
    assert binary.read_bytes()[:8] == b"bplist00"
    code, out, err = run_cli("diff", str(path), str(binary), "--format", "json")
    assert code == 0, out
    assert json.loads(out)["differences"] == []
    _, text_a, _ = run_cli("show", "--canonical", str(path))
    _, text_b, _ = run_cli("show", "--canonical", str(binary))
    # the converted copy is no longer signed: only the signer line differs
    assert [line for line in text_a.splitlines() if not line.startswith("# signed by")] == (
        text_b.splitlines()
    )
    assert text_a.count("\n") > 5


def test_corpus_is_present_or_skipped(corpus_dir: Path) -> None:
    assert len(corpus_files()) >= 30


def test_xml_binary_and_signed_forms_are_the_same(tmp_path: Path) -> None:
    profile = make_profile(vpn(OnDemandRules=RULES, OnDemandEnabled=1), PKCS12_PAYLOAD)
    xml = save(tmp_path / "p.mobileconfig", profile)
    binary = save(tmp_path / "p.bin.mobileconfig", profile, "binary")
    signed = tmp_path / "p.signed.mobileconfig"
    signed.write_bytes(sign_profile(xml.read_bytes()))
    for other in (binary, signed):
        code, out, _ = run_cli("diff", str(xml), str(other))
        assert (code, out) == (0, ""), out
    assert "only this file is signed" in run_cli("diff", str(xml), str(signed))[2]


def test_key_order_does_not_count() -> None:
    a = make_profile(IKEV2_PAYLOAD).root
    b = copy.deepcopy(a)
    b["PayloadContent"][0] = dict(reversed(list(b["PayloadContent"][0].items())))
    assert diff_roots(a, b) == []
    assert list(canonical_lines(a)) == list(canonical_lines(b))


# --- kinds ---------------------------------------------------------------------------------


def test_changed_added_removed_by_validate_paths(tmp_path: Path) -> None:
    a = make_profile(vpn(ServerCertificateCommonName="old.example.com"), ROOT_PAYLOAD)
    b = make_profile(vpn(RemoteAddress="vpn2.example.com", DeadPeerDetectionRate="High"))
    found = differences(a, b, tmp_path)
    assert {
        "kind": "changed",
        "path": "PayloadContent/0/IKEv2/RemoteAddress",
        "before": "vpn.example.com",
        "after": "vpn2.example.com",
    } in found
    assert {
        "kind": "added",
        "path": "PayloadContent/0/IKEv2/DeadPeerDetectionRate",
        "before": None,
        "after": "High",
    } in found
    assert {
        "kind": "removed",
        "path": "PayloadContent/0/IKEv2/ServerCertificateCommonName",
        "before": "old.example.com",
        "after": None,
    } in found
    removed_payload = [d for d in found if d["path"] == "PayloadContent/1"]
    assert removed_payload[0]["kind"] == "removed"
    assert removed_payload[0]["before"]["PayloadType"] == "com.apple.security.root"
    assert len(found) == 4
    for difference in found:
        assert list(difference) == ["kind", "path", "before", "after"]


def test_json_document_shape(tmp_path: Path) -> None:
    a = save(tmp_path / "a.mobileconfig", make_profile(IKEV2_PAYLOAD))
    b = save(tmp_path / "b.mobileconfig", make_profile(IKEV2_PAYLOAD, PayloadDisplayName="New"))
    code, out, _ = run_cli("diff", str(a), str(b), "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert list(document) == ["a", "b", "differences"]
    assert (document["a"], document["b"]) == (str(a), str(b))
    assert document["differences"] == [
        {"kind": "changed", "path": "PayloadDisplayName", "before": "Example", "after": "New"}
    ]
    code, out, _ = run_cli("diff", str(a), str(b))
    assert out == 'changed: PayloadDisplayName: "Example" -> "New"\n'


def test_boolean_against_integer_is_a_type_change(tmp_path: Path) -> None:
    a = make_profile(vpn(OnDemandEnabled=True, DisableMOBIKE=0, NATKeepAliveInterval=20))
    b = make_profile(vpn(OnDemandEnabled=1, DisableMOBIKE=0, NATKeepAliveInterval=20.0))
    found = differences(a, b, tmp_path)
    assert found == [
        {
            "kind": "type-changed",
            "path": "PayloadContent/0/IKEv2/OnDemandEnabled",
            "before": True,
            "after": 1,
        },
        {
            "kind": "type-changed",
            "path": "PayloadContent/0/IKEv2/NATKeepAliveInterval",
            "before": 20,
            "after": 20.0,
        },
    ]
    _, out, _ = run_cli("diff", str(tmp_path / "a.mobileconfig"), str(tmp_path / "b.mobileconfig"))
    line = "type-changed: PayloadContent/0/IKEv2/OnDemandEnabled: true (boolean) -> 1 (integer)"
    assert line in out


def test_reordered_on_demand_rules_are_moves(tmp_path: Path) -> None:
    a = make_profile(vpn(OnDemandRules=RULES))
    b = make_profile(vpn(OnDemandRules=[RULES[1], RULES[0], RULES[2]]))
    found = differences(a, b, tmp_path)
    # one rule moved ahead of the other; the catch-all keeps its place
    assert len(found) == 1
    assert found[0]["kind"] == "moved"
    assert found[0]["path"] in ("PayloadContent/0/IKEv2/OnDemandRules/0",
                                "PayloadContent/0/IKEv2/OnDemandRules/1")  # fmt: skip
    assert {found[0]["before"], found[0]["after"]} == {0, 1}


def test_a_rule_changed_in_place_and_one_inserted(tmp_path: Path) -> None:
    changed_rule = {"Action": "Connect", "InterfaceTypeMatch": "Cellular"}
    new_rule = {"Action": "Disconnect", "DNSDomainMatch": ["corp.example.com"]}
    a = make_profile(vpn(OnDemandRules=RULES))
    b = make_profile(vpn(OnDemandRules=[new_rule, RULES[0], changed_rule, RULES[2]]))
    found = differences(a, b, tmp_path)
    base = "PayloadContent/0/IKEv2/OnDemandRules"
    assert found == [
        {"kind": "added", "path": f"{base}/0", "before": None, "after": new_rule},
        {
            "kind": "changed",
            "path": f"{base}/2/InterfaceTypeMatch",
            "before": "WiFi",
            "after": "Cellular",
        },
    ]


def test_payloads_pair_by_uuid_then_identifier_then_type(tmp_path: Path) -> None:
    a = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD)
    # reordered: the payloads are the same, only their places changed
    b = make_profile(ROOT_PAYLOAD, IKEV2_PAYLOAD, PKCS12_PAYLOAD)
    found = differences(a, b, tmp_path)
    assert [d["kind"] for d in found] == ["moved"]
    assert found[0]["path"] == "PayloadContent/0"
    # a new UUID with the same identifier: one payload whose UUID changed
    renewed = copy.deepcopy(ROOT_PAYLOAD)
    renewed["PayloadUUID"] = "11111111-2222-4333-8444-555555555555"
    found = differences(make_profile(ROOT_PAYLOAD), make_profile(renewed), tmp_path)
    assert [(d["kind"], d["path"]) for d in found] == [("changed", "PayloadContent/0/PayloadUUID")]
    # new UUID and identifier: paired by type
    renewed["PayloadIdentifier"] = "com.example.other"
    found = differences(make_profile(ROOT_PAYLOAD), make_profile(renewed), tmp_path)
    assert {d["path"] for d in found} == {
        "PayloadContent/0/PayloadUUID",
        "PayloadContent/0/PayloadIdentifier",
    }


def test_removal_names_the_first_profiles_path(tmp_path: Path) -> None:
    a = make_profile(ROOT_PAYLOAD, IKEV2_PAYLOAD, PKCS12_PAYLOAD)
    b = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD)
    b.root["PayloadContent"][0]["IKEv2"]["RemoteAddress"] = "new.example.com"
    found = differences(a, b, tmp_path)
    assert [(d["kind"], d["path"]) for d in found] == [
        ("removed", "PayloadContent/0"),
        ("changed", "PayloadContent/0/IKEv2/RemoteAddress"),
    ]
    assert found[0]["before"]["PayloadType"] == "com.apple.security.root"


# --- secrets ---------------------------------------------------------------------------------


def test_secrets_are_masked_unless_asked(tmp_path: Path) -> None:
    a = make_profile(vpn(AuthenticationMethod="SharedSecret", SharedSecret="first secret"))
    wireguard = {
        "PayloadType": "com.apple.vpn.managed",
        "PayloadIdentifier": "com.example.wg",
        "PayloadUUID": "11111111-2222-4333-8444-555555555555",
        "PayloadVersion": 1,
        "VPNType": "VPN",
        "VPNSubType": "com.wireguard.ios",
        "VendorConfig": {"WgQuickConfig": "[Interface]\nPrivateKey = abc=\n"},
        "VPN": {"RemoteAddress": "wg.example.com", "AuthenticationMethod": "Password"},
    }
    b = make_profile(
        vpn(AuthenticationMethod="SharedSecret", SharedSecret="second secret"), wireguard
    )
    found = differences(a, b, tmp_path)
    assert {
        "kind": "changed",
        "path": "PayloadContent/0/IKEv2/SharedSecret",
        "before": SECRET_MASK,
        "after": SECRET_MASK,
    } in found
    added = next(d for d in found if d["path"] == "PayloadContent/1")
    assert added["after"]["VendorConfig"]["WgQuickConfig"] == SECRET_MASK
    text = json.dumps(found)
    assert "first secret" not in text and "second secret" not in text and "abc=" not in text
    _, out, _ = run_cli("diff", str(tmp_path / "a.mobileconfig"), str(tmp_path / "b.mobileconfig"))
    assert "second secret" not in out and "abc=" not in out
    shown = differences(a, b, tmp_path, "--show-secrets")
    assert {
        "kind": "changed",
        "path": "PayloadContent/0/IKEv2/SharedSecret",
        "before": "first secret",
        "after": "second secret",
    } in shown
    # the same secret on both sides is no difference
    assert differences(a, copy.deepcopy(a), tmp_path) == []
    # a key about a secret that holds none is shown
    ipsec = {"RemoteAddress": "vpn.example.com", "XAuthPasswordEncryption": "Prompt"}
    c = make_profile(dict(IKEV2_PAYLOAD, VPNType="IPSec", IPSec=ipsec))
    found = differences(make_profile(IKEV2_PAYLOAD), c, tmp_path)
    added = next(d for d in found if d["path"] == "PayloadContent/0/IPSec")
    assert added["after"] == ipsec


def test_canonical_form_masks_secrets_and_shows_types(tmp_path: Path) -> None:
    profile = make_profile(
        vpn(SharedSecret="hidden", OnDemandEnabled=True, NATKeepAliveInterval=20), PKCS12_PAYLOAD
    )
    path = save(tmp_path / "c.mobileconfig", profile)
    code, out, _ = run_cli("show", "--canonical", str(path))
    assert code == 0
    assert "PayloadContent/0/IKEv2/SharedSecret = <secret>\n" in out
    assert "PayloadContent/1/PayloadContent = <secret>\n" in out
    assert "PayloadContent/0/IKEv2/OnDemandEnabled = true\n" in out
    assert "PayloadContent/0/IKEv2/NATKeepAliveInterval = 20\n" in out
    assert 'PayloadContent/0/IKEv2/RemoteAddress = "vpn.example.com"\n' in out
    assert "hidden" not in out
    lines = out.splitlines()
    top = [line for line in lines if "/" not in line.split(" = ")[0]]
    assert top == sorted(top)
    _, shown, _ = run_cli("show", "--canonical", "--show-secrets", str(path))
    assert 'PayloadContent/0/IKEv2/SharedSecret = "hidden"\n' in shown


def test_canonical_form_works_as_git_textconv(tmp_path: Path) -> None:
    """The README's .gitattributes lines make `git diff` show a binary profile's change."""
    import shutil
    import sys

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    tool = Path(sys.executable).with_name("vpn-profile")
    program = str(tool) if tool.exists() else f"{sys.executable} -m editor.cli"
    command = f"{program} show --canonical"

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=repo, capture_output=True, text=True, check=True, timeout=60,
        ).stdout  # fmt: skip

    git("init", "-q")
    git("config", "diff.mobileconfig.textconv", command)
    (repo / ".gitattributes").write_text("*.mobileconfig diff=mobileconfig\n")
    profile = make_profile(IKEV2_PAYLOAD)
    save(repo / "vpn.mobileconfig", profile, "binary")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    profile.root["PayloadContent"][0]["IKEv2"]["RemoteAddress"] = "vpn2.example.com"
    save(repo / "vpn.mobileconfig", profile, "binary")
    shown = git("diff")
    assert '-PayloadContent/0/IKEv2/RemoteAddress = "vpn.example.com"' in shown
    assert '+PayloadContent/0/IKEv2/RemoteAddress = "vpn2.example.com"' in shown


# --- failures ----------------------------------------------------------------------------------


def test_unreadable_file_is_exit_2(tmp_path: Path) -> None:
    good = save(tmp_path / "good.mobileconfig", make_profile(IKEV2_PAYLOAD))
    bad = tmp_path / "bad.mobileconfig"
    bad.write_bytes(b"<plist><dict><key>x</key>")
    for args in ((good, bad), (bad, good), (good, tmp_path / "missing.mobileconfig")):
        code, out, err = run_cli("diff", *map(str, args))
        assert code == 2
        assert out == ""
        assert len(err.strip().splitlines()) == 1
    code, _, err = run_cli("diff", str(good), str(tmp_path / "missing.mobileconfig"))
    assert "missing.mobileconfig: no such file" in err


def test_encrypted_profiles_compare_after_decryption(tmp_path: Path) -> None:
    from helpers.pki import build_pki

    pki = build_pki(tmp_path)
    plain = make_profile(vpn(SharedSecret="x"))
    changed = make_profile(vpn(SharedSecret="x", RemoteAddress="other.example.com"))
    a = save(tmp_path / "a.mobileconfig", plain)
    b = save(tmp_path / "b.mobileconfig", changed)
    encrypted = tmp_path / "b.encrypted.mobileconfig"
    code, _, err = run_cli(
        "encrypt", str(b), str(encrypted), "--recipient", str(pki.path("leaf.pem"))
    )
    assert code == 0, err
    code, out, err = run_cli("diff", str(a), str(encrypted))
    assert code == 1 and "compared as encrypted data" in err
    assert "removed: PayloadContent" in out
    code, out, err = run_cli(
        "diff", str(a), str(encrypted),
        "--key", str(pki.path("leaf.key")), "--cert", str(pki.path("leaf.pem")),
    )  # fmt: skip
    assert code == 1, err
    assert out == (
        'changed: PayloadContent/0/IKEv2/RemoteAddress: "vpn.example.com" -> "other.example.com"\n'
    )


def test_plistlib_binary_date_and_data(tmp_path: Path) -> None:
    import datetime

    a = make_profile(ROOT_PAYLOAD, RemovalDate=datetime.datetime(2030, 1, 1))
    b = make_profile(ROOT_PAYLOAD, RemovalDate=datetime.datetime(2031, 1, 1))
    b.root["PayloadContent"][0]["PayloadContent"] = b"other"
    found = differences(a, b, tmp_path)
    assert found == [
        {
            "kind": "changed",
            "path": "PayloadContent/0/PayloadContent",
            "before": base64.b64encode(ROOT_PAYLOAD["PayloadContent"]).decode(),
            "after": "b3RoZXI=",
        },
        {
            "kind": "changed",
            "path": "RemovalDate",
            "before": "2030-01-01T00:00:00Z",
            "after": "2031-01-01T00:00:00Z",
        },
    ]
