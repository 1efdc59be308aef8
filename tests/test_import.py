"""`vpn-profile import wireguard|openvpn`: profiles from other VPN configurations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.profiles import CORPUS

from editor.core.importers import WIREGUARD_UNSUPPORTED, endpoint_host
from editor.core.model import Profile

WIREGUARD = """\
[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 10.0.0.2/32, fd00::2/128
DNS = 10.0.0.1

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = vpn.example.com:51820
PersistentKeepalive = 25
"""

OPENVPN = """\
# a client
client
dev tun
proto udp
remote vpn.example.com 1194
nobind
persist-key
remote-cert-tls server
auth-user-pass
key-direction 1
<ca>
-----BEGIN CERTIFICATE-----
MIIBfakeCA
-----END CERTIFICATE-----
</ca>
<tls-auth>
-----BEGIN OpenVPN Static key V1-----
00112233
-----END OpenVPN Static key V1-----
</tls-auth>
"""


SERVER = {"RemoteAddress": "vpn.example.com", "AuthenticationMethod": "Password"}


def imported(tmp_path: Path, kind: str, text: str, *extra: str, name: str = "tunnel") -> Profile:
    source = tmp_path / f"{name}.{'conf' if kind == 'wireguard' else 'ovpn'}"
    source.write_text(text)
    out = tmp_path / f"{name}.mobileconfig"
    code, _, err = run_cli("import", kind, str(source), "-o", str(out), *extra)
    assert code == 0, err
    assert "error" not in err
    # the round trip: the written profile validates without errors
    code, report, _ = run_cli("validate", str(out), "--format", "json")
    problems = json.loads(report)["files"][0]["problems"]
    assert code == 0, problems
    assert not [p for p in problems if p["severity"] == "error"]
    return Profile.read(out)


def refused(tmp_path: Path, kind: str, text: str) -> str:
    source = tmp_path / "bad.conf"
    source.write_text(text)
    out = tmp_path / "bad.mobileconfig"
    code, stdout, err = run_cli("import", kind, str(source), "-o", str(out))
    assert code == 2
    assert stdout == "" and not out.exists()
    assert err.count("\n") == 1 and err.startswith(str(source))
    return err


# --- WireGuard ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("platform", "subtype"), [("ios", "com.wireguard.ios"),
                                                   ("macos", "com.wireguard.macos")])  # fmt: skip
def test_wireguard_payload(tmp_path: Path, platform: str, subtype: str) -> None:
    profile = imported(tmp_path, "wireguard", WIREGUARD, "--platform", platform, name="office")
    (payload,) = profile.payloads
    assert payload["PayloadType"] == "com.apple.vpn.managed"
    assert (payload["VPNType"], payload["VPNSubType"]) == ("VPN", subtype)
    assert payload["UserDefinedName"] == "office"
    assert payload["VendorConfig"] == {"WgQuickConfig": WIREGUARD}
    assert payload["VPN"] == SERVER


def test_endpoint_host() -> None:
    assert endpoint_host("vpn.example.com:51820") == "vpn.example.com"
    assert endpoint_host("[fd00::1]:51820") == "fd00::1"
    assert endpoint_host("198.51.100.7:443") == "198.51.100.7"
    assert endpoint_host("vpn.example.com") == "vpn.example.com"


@pytest.mark.parametrize("key", sorted(WIREGUARD_UNSUPPORTED.values()))
def test_wireguard_refuses_what_the_app_does_not_support(tmp_path: Path, key: str) -> None:
    value = "iptables -A FORWARD -i wg0 -j ACCEPT" if "Up" in key or "Down" in key else "1234"
    text = WIREGUARD.replace("DNS = 10.0.0.1\n", f"DNS = 10.0.0.1\n{key.lower()} = {value}\n")
    err = refused(tmp_path, "wireguard", text)
    assert f"line 5: {key} is not supported by the WireGuard app" in err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("Endpoint = vpn.example.com:51820\n", ""), "no peer has an Endpoint"),
        (("PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n", ""), "no PrivateKey"),
        (("[Peer]", "[Peers]"), "line 6: unknown section [Peers]"),
        (("[Interface]\n", ""), "PrivateKey comes before any [Interface]"),
        (("DNS = 10.0.0.1", "DNS 10.0.0.1"), "line 4: expected 'Key = value'"),
    ],
)
def test_wireguard_damaged(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    err = refused(tmp_path, "wireguard", WIREGUARD.replace(*change))
    assert message in err


def test_wireguard_to_standard_output(tmp_path: Path) -> None:
    source = tmp_path / "wg0.conf"
    source.write_bytes(WIREGUARD.replace("\n", "\r\n").encode())
    code, out, err = run_cli("import", "wireguard", str(source))
    assert code == 0, err
    profile = Profile.parse(out.encode())
    assert profile.payloads[0]["VendorConfig"]["WgQuickConfig"] == WIREGUARD
    assert profile.root["PayloadDisplayName"] == "wg0"


def _corpus_wireguard_configs() -> list[tuple[str, str]]:
    found = []
    for path in sorted(CORPUS.glob("*.mobileconfig")) if CORPUS.is_dir() else []:
        try:
            profile = Profile.read(path)
        except Exception:
            continue
        for _, payload in profile.payload_dicts():
            vendor = payload.get("VendorConfig")
            if isinstance(vendor, dict) and isinstance(vendor.get("WgQuickConfig"), str):
                found.append((path.name, vendor["WgQuickConfig"]))
    return found


@pytest.mark.parametrize(("name", "config"), _corpus_wireguard_configs(), ids=lambda v: v[:40])
def test_corpus_wireguard_configs_import_and_validate(
    tmp_path: Path, name: str, config: str
) -> None:
    text = "\n".join(line.strip() for line in config.strip().splitlines()) + "\n"
    profile = imported(tmp_path, "wireguard", text)
    assert profile.payloads[0]["VendorConfig"]["WgQuickConfig"] == text


def test_corpus_has_wireguard_profiles(corpus_dir: Path) -> None:
    assert len(_corpus_wireguard_configs()) >= 3


# --- OpenVPN -------------------------------------------------------------------------------------


def test_openvpn_payload(tmp_path: Path) -> None:
    profile = imported(tmp_path, "openvpn", OPENVPN)
    (payload,) = profile.payloads
    assert (payload["VPNType"], payload["VPNSubType"]) == ("VPN", "net.openvpn.connect.app")
    assert payload["VPN"] == SERVER
    assert payload["VendorConfig"] == {
        "client": "NOARGS",
        "dev": "tun",
        "proto": "udp",
        "remote": "vpn.example.com 1194",
        "nobind": "NOARGS",
        "persist-key": "NOARGS",
        "remote-cert-tls": "server",
        "auth-user-pass": "NOARGS",
        "key-direction": "1",
        "ca": "-----BEGIN CERTIFICATE-----\\nMIIBfakeCA\\n-----END CERTIFICATE-----",
        "tls-auth": (
            "-----BEGIN OpenVPN Static key V1-----\\n00112233\\n-----END OpenVPN Static key V1-----"
        ),
    }


def test_openvpn_inline_marker(tmp_path: Path) -> None:
    text = OPENVPN.replace("key-direction 1\n", "").replace(
        "<tls-auth>", "tls-auth [inline] 1\n<tls-auth>"
    )
    payload = imported(tmp_path, "openvpn", text).payloads[0]
    assert payload["VendorConfig"]["key-direction"] == "1"
    assert payload["VendorConfig"]["tls-auth"].startswith("-----BEGIN OpenVPN Static key V1")


def test_openvpn_repeated_directive_is_noted(tmp_path: Path) -> None:
    source = tmp_path / "two.ovpn"
    source.write_text(OPENVPN + "remote backup.example.com 1194\n")
    code, _, err = run_cli(
        "import", "openvpn", str(source), "-o", str(tmp_path / "two.mobileconfig")
    )
    assert code == 0
    assert "remote appears 2 times" in err and "'vpn.example.com 1194'" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (OPENVPN + "cert client.crt\n", "cert names the file 'client.crt'"),
        (OPENVPN + "auth-user-pass login.txt\n", "leave the argument out"),
        (OPENVPN.replace("remote vpn.example.com 1194\n", ""), "there is no remote directive"),
        (OPENVPN.replace("</ca>\n", ""), "line 11: <ca> is never closed"),
        (OPENVPN + "<ca>\nx\n</ca>\n", "<ca> is given twice"),
    ],
)
def test_openvpn_refusals(tmp_path: Path, text: str, message: str) -> None:
    assert message in refused(tmp_path, "openvpn", text)


def test_corpus_openvpn_vendor_config_round_trip(corpus_dir: Path, tmp_path: Path) -> None:
    """The generator's VendorConfig, written back as an .ovpn file, imports to the same
    VendorConfig."""
    original = Profile.read(corpus_dir / "ovpn2mobileconfig__tpl.mobileconfig").payloads[0]
    lines = []
    for key, value in original["VendorConfig"].items():
        if value == "NOARGS":
            lines.append(key)
        elif "\\n" in value:
            lines.extend([f"<{key}>", *value.split("\\n"), f"</{key}>"])
        else:
            lines.append(f"{key} {value}")
    profile = imported(tmp_path, "openvpn", "\n".join(lines) + "\n")
    payload = profile.payloads[0]
    assert payload["VendorConfig"] == original["VendorConfig"]
    assert payload["VPNSubType"] == original["VPNSubType"]


def test_unreadable_configuration(tmp_path: Path) -> None:
    binary = tmp_path / "x.conf"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    for path, message in ((binary, "not UTF-8 text"), (tmp_path / "nope.conf", "no such file")):
        code, out, err = run_cli("import", "wireguard", str(path))
        assert code == 2 and out == ""
        assert message in err and err.count("\n") == 1
