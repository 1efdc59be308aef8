"""`vpn-profile simulate`: every flag, the exit codes and the JSON contract of issue 15."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.profiles import CORPUS, IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, make_profile

PROBE = "https://trusted.example.com/ok"
RULES = [
    {"InterfaceTypeMatch": "WiFi", "SSIDMatch": ["Office"], "Action": "Disconnect"},
    {"DNSDomainMatch": ["corp.example.com"], "Action": "Disconnect"},
    {"DNSServerAddressMatch": ["10.*"], "Action": "Ignore"},
    {"InterfaceTypeMatch": "WiFi", "URLStringProbe": PROBE, "Action": "Disconnect"},
    {"InterfaceTypeMatch": "Ethernet", "Action": "Disconnect"},
    {
        "InterfaceTypeMatch": "WiFi",
        "SSIDMatch": ["Lab"],
        "Action": "EvaluateConnection",
        "ActionParameters": [
            {"Domains": ["www.example.com"], "DomainAction": "NeverConnect"},
            {
                "Domains": ["example.com"],
                "DomainAction": "ConnectIfNeeded",
                "RequiredDNSServers": ["10.0.0.53"],
            },
        ],
    },
    {"Action": "Connect"},
]


def fails(*argv: str) -> str:
    """Exit 2, nothing on stdout; what stderr says."""
    code, out, err = run_cli(*argv)
    assert (code, out) == (2, "")
    return err


def write(tmp_path: Path, rules: list[dict[str, Any]] | None, name: str = "p.mobileconfig") -> str:
    vpn = copy.deepcopy(IKEV2_PAYLOAD)
    if rules is not None:
        vpn["IKEv2"]["OnDemandEnabled"] = 1
        vpn["IKEv2"]["OnDemandRules"] = rules
    path = tmp_path / name
    make_profile(PKCS12_PAYLOAD, vpn, ROOT_PAYLOAD).save(path)
    return str(path)


@pytest.fixture
def profile(tmp_path: Path) -> str:
    return write(tmp_path, RULES)


def simulate_json(*argv: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli("simulate", *argv, "--format", "json")
    assert err == ""
    return code, json.loads(out)


def test_json_contract(profile: str) -> None:
    code, document = simulate_json(profile, "--ssid", "Cafe")
    assert code == 0
    assert list(document) == [
        "file",
        "payload",
        "mode",
        "rule",
        "action",
        "conditions",
        "connection",
    ]
    assert document["file"] == profile
    assert document["payload"] == 1  # the VPN payload's index in PayloadContent
    assert (document["mode"], document["rule"], document["action"]) == ("schema", 6, "Connect")
    assert document["connection"] is None
    first = document["conditions"][0]
    assert list(first) == ["rule", "key", "matched", "why"]
    assert (first["rule"], first["key"], first["matched"]) == (0, "InterfaceTypeMatch", True)
    assert document["conditions"][1]["matched"] is False
    assert {c["rule"] for c in document["conditions"]} == {0, 1, 2, 3, 4, 5}


def test_ssid_fires_the_trusted_rule(profile: str) -> None:
    code, document = simulate_json(profile, "--interface", "wifi", "--ssid", "Office")
    assert (code, document["rule"], document["action"]) == (0, 0, "Disconnect")


def test_interface_and_platform(profile: str) -> None:
    document = simulate_json(profile, "--platform", "macos", "--interface", "ethernet")[1]
    assert (document["rule"], document["action"]) == (4, "Disconnect")
    # iOS has no Ethernet interface type: the Ethernet rule is passed over
    document = simulate_json(profile, "--platform", "ios", "--interface", "ethernet")[1]
    assert document["rule"] == 6
    why = next(c["why"] for c in document["conditions"] if c["rule"] == 4)
    assert "iOS has no Ethernet" in why
    document = simulate_json(profile, "--interface", "cellular")[1]
    assert document["rule"] == 6


def test_search_domain_and_mode(profile: str) -> None:
    args = (profile, "--ssid", "Cafe", "--search-domain", "home.lan")
    args += ("--search-domain", "eu.corp.example.com")
    assert simulate_json(*args)[1]["rule"] == 1
    document = simulate_json(*args, "--mode", "api")[1]
    assert (document["mode"], document["rule"]) == ("api", 6)
    document = simulate_json(*args, "--mode", "schema")[1]
    assert document["mode"] == "schema"


def test_dns_server_and_mode(profile: str) -> None:
    args = (profile, "--ssid", "Cafe", "--dns-server", "10.1.2.3", "--dns-server", "1.1.1.1")
    assert simulate_json(*args)[1]["rule"] == 2
    assert simulate_json(*args, "--mode", "api")[1]["rule"] == 6


def test_probe(profile: str) -> None:
    assert simulate_json(profile, "--ssid", "Cafe", "--probe", f"{PROBE}=ok")[1]["rule"] == 3
    assert simulate_json(profile, "--ssid", "Cafe", "--probe", f"{PROBE}=fail")[1]["rule"] == 6
    assert "URL=ok or URL=fail" in fails("simulate", profile, "--probe", "https://x.example.com/")


def test_host_and_dns(profile: str) -> None:
    args = (profile, "--ssid", "Lab")
    document = simulate_json(*args, "--host", "intranet.example.com", "--dns", "fail")[1]
    assert document["action"] == "EvaluateConnection"
    connection = document["connection"]
    assert list(connection) == ["host", "entry", "domain_action", "vpn_starts", "why"]
    assert connection["host"] == "intranet.example.com"
    assert (connection["entry"], connection["domain_action"]) == (1, "ConnectIfNeeded")
    assert connection["vpn_starts"] is True
    connection = simulate_json(*args, "--host", "intranet.example.com", "--dns", "ok")[1][
        "connection"
    ]
    assert connection["vpn_starts"] is False
    connection = simulate_json(*args, "--host", "intranet.example.com")[1]["connection"]
    assert connection["vpn_starts"] is None
    connection = simulate_json(*args, "--host", "www.example.com")[1]["connection"]
    assert (connection["entry"], connection["domain_action"]) == (0, "NeverConnect")
    assert connection["vpn_starts"] is False
    connection = simulate_json(*args, "--host", "example.org", "--dns", "fail")[1]["connection"]
    assert connection["entry"] is None and connection["vpn_starts"] is None
    assert "--dns needs --host" in fails("simulate", profile, "--dns", "ok")


def test_payload_by_index_and_uuid(tmp_path: Path, profile: str) -> None:
    assert simulate_json(profile, "--payload", "1")[1]["payload"] == 1
    uuid = IKEV2_PAYLOAD["PayloadUUID"].lower()
    assert simulate_json(profile, "--payload", uuid)[1]["payload"] == 1
    assert "payload 0 is not a VPN payload" in fails("simulate", profile, "--payload", "0")
    assert "no payload 7" in fails("simulate", profile, "--payload", "7")
    unknown = "00000000-0000-0000-0000-00000000AAAA"
    assert "no VPN payload has PayloadUUID" in fails("simulate", profile, "--payload", unknown)


def test_exit_1_when_no_rule_fires(tmp_path: Path) -> None:
    path = write(tmp_path, [{"InterfaceTypeMatch": "Cellular", "Action": "Connect"}])
    code, document = simulate_json(path, "--interface", "wifi")
    assert (code, document["rule"], document["action"]) == (1, None, None)
    code, out, err = run_cli("simulate", path)
    assert (code, err) == (1, "") and "undefined" in out


def test_on_demand_off_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, None)
    code, document = simulate_json(path)
    assert (code, document["rule"], document["conditions"]) == (1, None, [])


def test_exit_2_on_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.mobileconfig"
    code, out, err = run_cli("simulate", str(missing))
    assert code == 2 and str(missing) in err and out == ""
    garbage = tmp_path / "garbage.mobileconfig"
    garbage.write_bytes(b"<plist><dict><key>")
    code, out, err = run_cli("simulate", str(garbage), "--format", "json")
    assert code == 2 and str(garbage) in err and out == ""
    no_vpn = tmp_path / "novpn.mobileconfig"
    make_profile(ROOT_PAYLOAD).save(no_vpn)
    assert "no VPN payload" in fails("simulate", str(no_vpn))


def test_text_output(profile: str) -> None:
    code, out, err = run_cli("simulate", profile, "--ssid", "Lab", "--host", "www.example.com")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{profile}: payload 1, IKEv2 dictionary, mode schema"
    assert lines[1] == 'network: iOS, Wi-Fi "Lab"'
    assert '  rule 0 SSIDMatch: no: SSID "Lab" is not in "Office"' in lines
    assert any(line.startswith("fires: rule 5, action EvaluateConnection") for line in lines)
    assert lines[-1].startswith("host www.example.com (entry 0, NeverConnect): VPN starts: no")


def test_matrix_json(profile: str) -> None:
    code, out, err = run_cli("simulate", profile, "--matrix", "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert list(document) == ["file", "payload", "networks"]
    assert (document["file"], document["payload"]) == (profile, 1)
    rows = {n["name"]: (n["rule"], n["action"]) for n in document["networks"]}
    assert rows == {
        "Cellular": (6, "Connect"),
        'Wi-Fi "Office"': (0, "Disconnect"),
        'Wi-Fi "Lab"': (5, "EvaluateConnection"),
        "Wi-Fi, search domain corp.example.com": (1, "Disconnect"),
        "Wi-Fi, search domain corp.example.com, probes answer": (1, "Disconnect"),
        "Wi-Fi, DNS server 10.0.0.1": (2, "Ignore"),
        "Wi-Fi, DNS server 10.0.0.1, probes answer": (2, "Ignore"),
        "Untrusted Wi-Fi": (6, "Connect"),
        "Untrusted Wi-Fi, probes answer": (3, "Disconnect"),
    }
    first = document["networks"][0]
    assert list(first) == ["name", "context", "rule", "action"]
    assert first["context"] == {
        "platform": "iOS",
        "interface": "Cellular",
        "ssid": None,
        "search_domains": [],
        "dns_servers": [],
        "probes": {},
    }


def test_matrix_text_and_platform(profile: str, tmp_path: Path) -> None:
    code, out, err = run_cli("simulate", profile, "--matrix", "--platform", "macos")
    assert code == 0
    assert out.splitlines()[0] == f"{profile}: payload 1, macOS, mode schema"
    assert "  Ethernet" in out and "rule 4: Disconnect" in out and "Cellular" not in out
    path = write(tmp_path, [{"SSIDMatch": ["Home"], "Action": "Disconnect"}], "gap.mobileconfig")
    code, out, err = run_cli("simulate", path, "--matrix")
    assert (code, err) == (1, "") and "no rule fires (undefined)" in out


def test_real_algo_profile(corpus_dir: Path) -> None:
    """trailofbits/algo's template (the file's own rules): trusted SSIDs disconnect, other
    Wi-Fi connects when captive.apple.com answers, cellular with an answer disconnects
    (the template's choice), everything else disconnects."""
    path = str(corpus_dir / "algo__strongswan-mobileconfig-j2.ondemand.mobileconfig")
    probe = "http://captive.apple.com/hotspot-detect.html"
    code, document = simulate_json(path, "--ssid", "HomeNet")
    assert (code, document["rule"], document["action"]) == (0, 0, "Disconnect")
    document = simulate_json(path, "--ssid", "Cafe", "--probe", f"{probe}=ok")[1]
    assert (document["rule"], document["action"]) == (1, "Connect")
    document = simulate_json(path, "--interface", "cellular", "--probe", f"{probe}=ok")[1]
    assert (document["rule"], document["action"]) == (2, "Disconnect")
    document = simulate_json(path, "--ssid", "Cafe")[1]
    assert (document["rule"], document["action"]) == (3, "Disconnect")


def test_corpus_profiles_never_crash(corpus_dir: Path) -> None:
    for path in sorted(CORPUS.glob("*.mobileconfig")):
        for extra in ((), ("--matrix",), ("--host", "www.example.com", "--dns", "fail")):
            code, out, err = run_cli("simulate", str(path), "--format", "json", *extra)
            assert code in (0, 1, 2), path
            if code == 2:
                assert str(path) in err and out == ""
            else:
                json.loads(out)


def test_readme_example_run_is_what_the_command_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's example run, replayed on the profile it describes (the rules of the
    Try it picture)."""
    import re
    import sys

    from editor.core import presets
    from editor.core.model import Profile

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "packaging"))
    try:
        from render_screenshots import TRY_IT_RULES
    finally:
        sys.path.remove(str(root / "packaging"))
    profile = Profile.new("com.example.corp.vpn", "Example Corp VPN")
    vpn = presets.build_payload(
        "ikev2", name="Example Corp VPN", identifier_base="com.example.corp",
        server="vpn.example.com",
    )  # fmt: skip
    vpn["IKEv2"].update(OnDemandEnabled=1, OnDemandRules=TRY_IT_RULES)
    profile.root["PayloadContent"] = [vpn]
    monkeypatch.chdir(tmp_path)
    profile.save(tmp_path / "corp.mobileconfig")
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ vpn-profile simulate corp.mobileconfig --ssid Guest", 1)[1]
    block = "$ vpn-profile simulate corp.mobileconfig --ssid Guest" + block.split("```", 1)[0]
    runs = re.split(r"^\$ vpn-profile ", block, flags=re.M)[1:]
    assert len(runs) == 2
    for run_text in runs:
        command, _, expected = run_text.partition("\n")
        code, out, err = run_cli(*command.split())
        assert (code, err) == (0, "")
        assert out == expected
