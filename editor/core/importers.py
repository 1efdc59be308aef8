"""Profiles from other VPN configurations: WireGuard (wg-quick .conf) and OpenVPN (.ovpn).

WireGuard (facts from the WireGuard project's MOBILECONFIG.md for its Apple app):
VPNType `VPN`, VPNSubType `com.wireguard.ios` (iPhone, iPad) or `com.wireguard.macos`,
UserDefinedName the tunnel's name, `VendorConfig.WgQuickConfig` the configuration text,
`VPN.RemoteAddress` non-empty (the app only shows it as the server; here the host of the
first peer's Endpoint, without the port, so that it reads as a host name) and
`VPN.AuthenticationMethod` `Password`. The app does not support FwMark, Table, PreUp,
PostUp, PreDown, PostDown or SaveConfig: a file using them is refused, since the tunnel
would not behave as the file says.

OpenVPN (OpenVPN Connect; the shape the ovpnmcgen and ovpn2mobileconfig generators
write): every directive becomes a VendorConfig key holding its arguments as one string,
`NOARGS` for a directive without arguments; inline blocks (`<ca>…</ca>`, `<cert>`,
`<key>`, `<tls-auth>`, `<tls-crypt>`…) are kept as their key with the lines joined by a
literal backslash-n, as those generators write them. Directives that point at files on
disk (`ca ca.crt`, `auth-user-pass creds.txt`) are refused: the device has no such files.
The subtype is `net.openvpn.connect.app`, the identifier of the current OpenVPN Connect
app (3.x) that both generators use; the legacy 1.x plug-in was
`net.openvpn.OpenVPN-Connect.vpnplugin` (ovpnmcgen issue 17). The app is the same on
iOS and macOS, so the platform does not change the subtype.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from editor.core.errors import EditorError
from editor.core.model import Profile, new_uuid
from editor.core.presets import build_payload

Platform = Literal["ios", "macos"]

WIREGUARD_SUBTYPES: dict[str, str] = {"ios": "com.wireguard.ios", "macos": "com.wireguard.macos"}
OPENVPN_SUBTYPE = "net.openvpn.connect.app"
OPENVPN_LEGACY_SUBTYPE = "net.openvpn.OpenVPN-Connect.vpnplugin"

# wg-quick keys the Apple app does not support, lower case -> as documented.
WIREGUARD_UNSUPPORTED = {
    name.lower(): name
    for name in ("FwMark", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig")
}
_WIREGUARD_INTERFACE_KEYS = frozenset({"privatekey", "address", "dns", "listenport", "mtu"})
_WIREGUARD_PEER_KEYS = frozenset(
    {"publickey", "presharedkey", "allowedips", "endpoint", "persistentkeepalive"}
)

# OpenVPN directives whose argument names a file on the computer the .ovpn came from.
_OPENVPN_FILE_DIRECTIVES = frozenset(
    {"ca", "cert", "key", "tls-auth", "tls-crypt", "tls-crypt-v2", "pkcs12", "extra-certs",
     "dh", "secret", "crl-verify", "auth-user-pass", "http-proxy-user-pass", "askpass"}
)  # fmt: skip
_INLINE = "[inline]"  # the argument that says: the content is in a block


class ConfigImportError(EditorError):
    """A configuration that cannot become a profile; str() names the file, the line and
    what to do."""


@dataclass
class ImportResult:
    profile: Profile
    notes: list[str] = field(default_factory=list)  # what was changed or left out


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-").lower()
    return slug or "vpn"


def _profile(payload: dict[str, object], name: str, identifier_base: str) -> Profile:
    profile = Profile.new(f"{identifier_base}.{_slug(name)}", name)
    profile.root["PayloadUUID"] = new_uuid()
    profile.root["PayloadContent"] = [payload]
    return profile


# --- WireGuard ----------------------------------------------------------------------------


def _wireguard_endpoint(text: str, source: str) -> tuple[str, list[str]]:
    """(first peer's Endpoint, notes); raises for what the app cannot run."""
    section = ""
    interfaces = 0
    peers = 0
    endpoint = ""
    private_key = False
    peer_has_key: list[bool] = []
    notes: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            if section == "interface":
                interfaces += 1
            elif section == "peer":
                peers += 1
                peer_has_key.append(False)
            else:
                raise ConfigImportError(
                    f"{source}: line {number}: unknown section {line}; a WireGuard "
                    "configuration has one [Interface] and [Peer] sections"
                )
            continue
        if "=" not in line:
            raise ConfigImportError(f"{source}: line {number}: expected 'Key = value': {line!r}")
        key, value = (part.strip() for part in line.split("=", 1))
        lowered = key.lower()
        if lowered in WIREGUARD_UNSUPPORTED:
            raise ConfigImportError(
                f"{source}: line {number}: {WIREGUARD_UNSUPPORTED[lowered]} is not supported "
                "by the WireGuard app on iOS and macOS (it runs no scripts and sets no "
                "routing tables or marks); remove the line and import again"
            )
        if not section:
            raise ConfigImportError(
                f"{source}: line {number}: {key} comes before any [Interface] or [Peer] section"
            )
        known = _WIREGUARD_INTERFACE_KEYS if section == "interface" else _WIREGUARD_PEER_KEYS
        if lowered not in known:
            notes.append(
                f"line {number}: {key} is not a key of a WireGuard [{section.title()}] section; "
                "the app may refuse the tunnel"
            )
        if lowered == "privatekey" and value:
            private_key = True
        if lowered == "publickey" and value:
            peer_has_key[-1] = True
        if lowered == "endpoint" and not endpoint:
            endpoint = value
    if interfaces != 1:
        raise ConfigImportError(
            f"{source}: a WireGuard configuration needs exactly one [Interface] section "
            f"(found {interfaces})"
        )
    if not private_key:
        raise ConfigImportError(f"{source}: the [Interface] section has no PrivateKey")
    if not peers:
        raise ConfigImportError(f"{source}: there is no [Peer] section")
    if not all(peer_has_key):
        raise ConfigImportError(f"{source}: a [Peer] section has no PublicKey")
    if not endpoint:
        raise ConfigImportError(
            f"{source}: no peer has an Endpoint; the profile needs the server address "
            "(VPN RemoteAddress) to show"
        )
    if peers > 1:
        notes.append(f"{peers} peers: the server address shown is the first peer's Endpoint")
    return endpoint, notes


def endpoint_host(endpoint: str) -> str:
    """'vpn.example.com:51820' -> 'vpn.example.com'; '[fd00::1]:51820' -> 'fd00::1'."""
    endpoint = endpoint.strip()
    if endpoint.startswith("["):
        return endpoint[1:].split("]", 1)[0]
    host, colon, port = endpoint.rpartition(":")
    if colon and port.isdigit() and ":" not in host:
        return host
    return endpoint


def import_wireguard(
    text: str,
    source: str = "<wireguard>",
    *,
    name: str = "",
    platform: Platform = "ios",
    identifier_base: str = "com.example.vpn",
) -> ImportResult:
    """A profile for the WireGuard app from a wg-quick configuration's text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    endpoint, notes = _wireguard_endpoint(text, source)
    display = name.strip() or "WireGuard"
    payload = build_payload(
        "wireguard",
        name=display,
        identifier_base=identifier_base,
        server=endpoint_host(endpoint),
        vendor_config={"WgQuickConfig": text.strip("\n") + "\n"},
        custom_identifier=WIREGUARD_SUBTYPES[platform],
    )
    return ImportResult(_profile(payload, display, identifier_base), notes)


# --- OpenVPN ---------------------------------------------------------------------------------


def _split_directive(line: str) -> tuple[str, str]:
    parts = line.split(None, 1)
    return parts[0], (parts[1].strip() if len(parts) > 1 else "")


def import_openvpn(
    text: str,
    source: str = "<openvpn>",
    *,
    name: str = "",
    platform: Platform = "ios",
    identifier_base: str = "com.example.vpn",
) -> ImportResult:
    """A profile for OpenVPN Connect from an .ovpn client configuration's text."""
    del platform  # the same app and subtype on iOS and macOS (see the module text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    vendor: dict[str, str] = {}
    notes: list[str] = []
    repeated: dict[str, int] = {}
    block: str | None = None
    block_lines: list[str] = []
    block_start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if block is not None:
            if line.lower() == f"</{block}>":
                if block in vendor:
                    raise ConfigImportError(
                        f"{source}: line {block_start}: <{block}> is given twice"
                    )
                vendor[block] = "\\n".join(block_lines)
                block = None
            else:
                block_lines.append(line)
            continue
        if not line or line[0] in "#;":
            continue
        opened = re.fullmatch(r"<([A-Za-z0-9-]+)>", line)
        if opened:
            block, block_lines, block_start = opened.group(1).lower(), [], number
            continue
        if line.startswith("<"):
            raise ConfigImportError(f"{source}: line {number}: unexpected {line!r}")
        directive, arguments = _split_directive(line)
        directive = directive.removeprefix("--")
        if directive in _OPENVPN_FILE_DIRECTIVES and arguments.startswith(_INLINE):
            # "tls-auth [inline] 1": the block holds the key; the direction has its own
            # directive in the inline form
            direction = arguments.split()[1:]
            if directive == "tls-auth" and direction and "key-direction" not in vendor:
                vendor["key-direction"] = direction[0]
            continue
        if directive in _OPENVPN_FILE_DIRECTIVES and arguments:
            first = arguments.split()[0]
            if not (
                directive in ("tls-auth", "secret") and first.isdigit()
            ):
                raise ConfigImportError(
                    f"{source}: line {number}: {directive} names the file {first!r}, which "
                    f"the device does not have; put its content inline "
                    f"(<{directive}>…</{directive}>) and import again"
                    if directive not in ("auth-user-pass", "http-proxy-user-pass", "askpass")
                    else f"{source}: line {number}: {directive} names the file {first!r}; "
                    "the device has no such file: leave the argument out so that the app "
                    "asks for the credentials"
                )
        if directive in vendor:
            repeated[directive] = repeated.get(directive, 1) + 1
            continue
        vendor[directive] = arguments or "NOARGS"
    if block is not None:
        raise ConfigImportError(f"{source}: line {block_start}: <{block}> is never closed")
    if not vendor:
        raise ConfigImportError(f"{source}: no OpenVPN directives found")
    for directive, count in repeated.items():
        notes.append(
            f"{directive} appears {count} times; VendorConfig holds one value per directive, "
            f"so only the first ({vendor[directive]!r}) is kept"
        )
    remote = vendor.get("remote", "")
    if not remote:
        raise ConfigImportError(f"{source}: there is no remote directive (the server to reach)")
    display = name.strip() or "OpenVPN"
    payload = build_payload(
        "custom-ssl",
        name=display,
        identifier_base=identifier_base,
        server=remote.split()[0],
        vendor_config=vendor,
        custom_identifier=OPENVPN_SUBTYPE,
    )
    # the credentials are in VendorConfig: no identity payload (the generators' shape)
    payload["VPN"] = {"RemoteAddress": remote.split()[0], "AuthenticationMethod": "Password"}
    return ImportResult(_profile(payload, display, identifier_base), notes)


__all__ = [
    "OPENVPN_LEGACY_SUBTYPE",
    "OPENVPN_SUBTYPE",
    "WIREGUARD_SUBTYPES",
    "WIREGUARD_UNSUPPORTED",
    "ConfigImportError",
    "ImportResult",
    "import_openvpn",
    "import_wireguard",
]
