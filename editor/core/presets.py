"""Connection presets: the VPN connection types a user can start from, as data.

`CONNECTION_TYPES` describes each type (for the "new connection" chooser);
`build_payload` turns one into a fresh payload dictionary with secure defaults. Fields
the user still has to fill (server, identities, certificate) are present as empty
values so forms can focus them; validation reports the empty required ones.

Vendor subtypes (VPNSubType) are the provider app's bundle ID or a legacy plug-in ID.
Sources and confidence are noted per entry; every vendor subtype can be replaced with
`custom_identifier` (for example a legacy plug-in ID or the macOS build of an app).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from editor.core.errors import InvalidValueError
from editor.core.model import KeyPath, new_uuid
from editor.core.payload_types import APPLAYER, VPN

# VPN types a per-app VPN payload may carry (Apple: VPN, IPSec and IKEv2).
PER_APP_VPN_TYPES = frozenset({"IKEv2", "IPSec", "VPN"})
PROVIDER_TYPES = ("packet-tunnel", "app-proxy")

ProxyMode = Literal["none", "manual", "automatic"]


@dataclass(frozen=True)
class ProxySetup:
    """Proxy settings of a connection (the payload's Proxies dictionary).

    manual: HTTP and HTTPS proxy; the HTTPS values default to the HTTP ones.
    automatic: a proxy auto-configuration (PAC) file at `pac_url`.
    """

    mode: ProxyMode = "none"
    http_server: str = ""
    http_port: int = 8080
    https_server: str | None = None
    https_port: int | None = None
    pac_url: str = ""
    username: str = ""
    password: str = ""


@dataclass(frozen=True)
class ConnectionType:
    """One connection type the user can create."""

    id: str  # stable: stored in settings and used by the UI
    title: str
    description: str
    payload_type: str
    vpn_type: str
    vpn_subtype: str | None
    # Paths (from the payload root) the user must fill before the payload works.
    required_fields: tuple[KeyPath, ...]
    # VendorConfig keys this provider understands (the UI offers them).
    vendor_keys: tuple[str, ...] = ()
    # True when the preset authenticates with an identity (pkcs12) payload.
    certificate_auth: bool = False
    # Subtype facts: legacy IDs, platform variants, how sure we are.
    subtype_note: str = ""
    # Platforms the type works on; empty means wherever its payload type exists.
    platforms: tuple[str, ...] = ()
    # The description in one short line (a menu item's status tip)
    summary: str = ""


def _vendor_fields(settings: str, *extra: KeyPath) -> tuple[KeyPath, ...]:
    return ((settings, "RemoteAddress"), (settings, "PayloadCertificateUUID"), *extra)


_IKEV2_FIELDS: tuple[KeyPath, ...] = (
    ("IKEv2", "RemoteAddress"),
    ("IKEv2", "RemoteIdentifier"),
    ("IKEv2", "LocalIdentifier"),
    ("IKEv2", "PayloadCertificateUUID"),
)
_TUNNEL: KeyPath = ("AlwaysOn", "TunnelConfigurations", 0)

CONNECTION_TYPES: tuple[ConnectionType, ...] = (
    ConnectionType(
        id="ikev2",
        title="IKEv2",
        summary="The built-in IKEv2 client, with a certificate identity",
        description=(
            "The built-in IKEv2 client, authenticated with a certificate identity. Uses "
            "AES-256-GCM, SHA2-256 and the P-256 elliptic-curve group with perfect forward "
            "secrecy; works on iPhone, iPad, Mac, Apple TV and Vision Pro."
        ),
        payload_type=VPN,
        vpn_type="IKEv2",
        vpn_subtype=None,
        required_fields=_IKEV2_FIELDS,
        certificate_auth=True,
    ),
    ConnectionType(
        id="ipsec-cisco",
        title="IPSec (Cisco)",
        summary="The built-in Cisco IPSec (IKEv1) client, with certificate and Xauth",
        description=(
            "The built-in Cisco-compatible IPSec (IKEv1) client with certificate "
            "authentication and Xauth user login; all traffic goes through the tunnel. "
            "Prefer IKEv2 where the server offers it."
        ),
        payload_type=VPN,
        vpn_type="IPSec",
        vpn_subtype=None,
        required_fields=(("IPSec", "RemoteAddress"), ("IPSec", "PayloadCertificateUUID")),
        certificate_auth=True,
    ),
    ConnectionType(
        id="l2tp",
        title="L2TP over IPSec",
        summary="The built-in L2TP client with a shared secret (a legacy protocol)",
        description=(
            "The built-in L2TP client with a shared secret for the IPSec layer; the user "
            "name and password are asked when connecting. A legacy protocol: use it only "
            "for servers that offer nothing newer."
        ),
        payload_type=VPN,
        vpn_type="L2TP",
        vpn_subtype=None,
        required_fields=(("PPP", "CommRemoteAddress"), ("IPSec", "SharedSecret")),
    ),
    ConnectionType(
        id="cisco-anyconnect",
        title="Cisco Secure Client (AnyConnect)",
        summary="The Cisco Secure Client app, with a certificate identity",
        description=(
            "Cisco Secure Client, formerly AnyConnect, from the App Store, with a "
            "certificate identity. The Group vendor setting picks the tunnel group."
        ),
        payload_type=VPN,
        vpn_type="VPN",
        vpn_subtype="com.cisco.anyconnect",
        required_fields=_vendor_fields("VPN"),
        vendor_keys=("Group",),
        certificate_auth=True,
        subtype_note=(
            "The app kept its bundle ID after the rename to Secure Client. The legacy "
            "plug-in com.cisco.anyconnect.applevpn.plugin stopped working with iOS 12."
        ),
    ),
    ConnectionType(
        id="juniper-pulse",
        title="Juniper SSL / Pulse Secure (Ivanti Secure Access)",
        summary="The Ivanti Secure Access (Pulse Secure) app, with a certificate",
        description=(
            "The Pulse Secure client, now Ivanti Secure Access Client, with a certificate "
            "identity. Realm and Role choose the sign-in realm and role."
        ),
        payload_type=VPN,
        vpn_type="VPN",
        vpn_subtype="net.pulsesecure.PulseSecure.vpnplugin",
        required_fields=_vendor_fields("VPN"),
        vendor_keys=("Realm", "Role"),
        certificate_auth=True,
        subtype_note=(
            "Subtype as MDM vendors write it for Pulse Secure; the old Junos Pulse / "
            "Juniper SSL plug-in is net.juniper.sslvpn. Not confirmed against current "
            "Ivanti documentation."
        ),
    ),
    ConnectionType(
        id="netmotion",
        title="NetMotion Mobility",
        summary="The NetMotion Mobility app, with a certificate identity",
        description=(
            "The NetMotion Mobility client (now Absolute Secure Access) with a "
            "certificate identity."
        ),
        payload_type=VPN,
        vpn_type="VPN",
        vpn_subtype="com.netmotionwireless.Mobility",
        required_fields=_vendor_fields("VPN"),
        certificate_auth=True,
        subtype_note=(
            "Unconfirmed: no public source for the iOS app's bundle ID was found (the "
            "macOS system extension is com.netmotionwireless.MobilityOSX). Check the "
            "vendor's MDM guide."
        ),
    ),
    ConnectionType(
        id="f5-ssl",
        title="F5 Access",
        summary="The F5 Access app, with a certificate identity",
        description=(
            "F5 Access (version 3 and later, a packet-tunnel provider) with a certificate identity."
        ),
        payload_type=VPN,
        vpn_type="VPN",
        vpn_subtype="com.f5.access.ios",
        required_fields=_vendor_fields("VPN"),
        certificate_auth=True,
        subtype_note=(
            "From F5's MDM guidance for F5 Access for iOS 3.x. The legacy F5 Edge Client "
            "plug-in was com.f5.F5-Edge-Client.vpnplugin."
        ),
    ),
    ConnectionType(
        id="sonicwall",
        title="SonicWall Mobile Connect",
        summary="The SonicWall Mobile Connect app, with a certificate identity",
        description=(
            "SonicWall Mobile Connect with a certificate identity; the login group or "
            "domain is passed as a vendor setting."
        ),
        payload_type=VPN,
        vpn_type="VPN",
        vpn_subtype="com.sonicwall.SonicWALL-SSLVPN.vpnplugin",
        required_fields=_vendor_fields("VPN"),
        vendor_keys=("LoginGroupOrDomain",),
        certificate_auth=True,
        subtype_note=(
            "The plug-in ID Apple's VPN payload reference lists; whether current app "
            "versions expect another ID is not confirmed."
        ),
    ),
    ConnectionType(
        id="aruba-via",
        title="Aruba VIA",
        summary="The Aruba VIA app, with a certificate identity",
        description="The Aruba VIA client with a certificate identity.",
        payload_type=VPN,
        vpn_type="VPN",
        vpn_subtype="com.arubanetworks.aruba-via.vpnplugin",
        required_fields=_vendor_fields("VPN"),
        certificate_auth=True,
        subtype_note=(
            "The plug-in ID Apple's VPN payload reference lists; whether current app "
            "versions expect another ID is not confirmed."
        ),
    ),
    ConnectionType(
        id="paloalto-globalprotect",
        title="Palo Alto Networks GlobalProtect",
        summary="The GlobalProtect app, with a certificate identity",
        description=(
            "The GlobalProtect app with a certificate identity; the server is the "
            "GlobalProtect portal."
        ),
        payload_type=VPN,
        vpn_type="VPN",
        vpn_subtype="com.paloaltonetworks.globalprotect.vpn",
        required_fields=_vendor_fields("VPN"),
        certificate_auth=True,
        subtype_note=(
            "Current app; the legacy app was com.paloaltonetworks.GlobalProtect.vpnplugin "
            "and the China build com.paloaltonetworks.globalprotect.vpncn."
        ),
    ),
    ConnectionType(
        id="custom-ssl",
        title="Custom SSL VPN app",
        summary="Any other VPN app, by its bundle ID and the vendor's settings",
        description=(
            "Any other VPN app: enter the app's bundle ID as the identifier and any "
            "settings the vendor documents as vendor key-value pairs."
        ),
        payload_type=VPN,
        vpn_type="VPN",
        vpn_subtype=None,
        required_fields=(("VPNSubType",), *_vendor_fields("VPN")),
        certificate_auth=True,
    ),
    ConnectionType(
        id="wireguard",
        title="WireGuard",
        summary="The WireGuard app, with a wg-quick configuration",
        description=(
            "The official WireGuard app; the tunnel (keys, addresses, peers) goes into "
            "the WgQuickConfig vendor setting in wg-quick format. The server address is "
            "only shown to the user."
        ),
        payload_type=VPN,
        vpn_type="VPN",
        vpn_subtype="com.wireguard.ios",
        required_fields=(("VPN", "RemoteAddress"), ("VendorConfig", "WgQuickConfig")),
        vendor_keys=("WgQuickConfig",),
        subtype_note=(
            "From the WireGuard app's own profile documentation: com.wireguard.ios on "
            "iPhone and iPad, com.wireguard.macos on the Mac."
        ),
    ),
    ConnectionType(
        id="always-on",
        title="Always On (IKEv2, supervised iPhone and iPad)",
        summary="An IKEv2 tunnel that is always up (supervised iPhone and iPad)",
        description=(
            "An IKEv2 tunnel that the device keeps up at all times on Wi-Fi and cellular, "
            "for supervised iPhone and iPad only. Certificate authentication (RSA) with "
            "the same strong algorithms as the IKEv2 type; the user cannot switch it off."
        ),
        payload_type=VPN,
        vpn_type="AlwaysOn",
        vpn_subtype=None,
        required_fields=(
            (*_TUNNEL, "RemoteAddress"),
            (*_TUNNEL, "RemoteIdentifier"),
            (*_TUNNEL, "LocalIdentifier"),
            (*_TUNNEL, "PayloadCertificateUUID"),
        ),
        certificate_auth=True,
        platforms=("iOS",),
    ),
    ConnectionType(
        id="transparent-proxy",
        title="Transparent proxy (macOS)",
        summary="A network-extension app's transparent proxy (macOS 14 or later)",
        description=(
            "A transparent proxy provided by a network-extension app on macOS 14 or "
            "later. Enter the app's bundle ID as the identifier, and the provider "
            "extension's bundle ID and code requirement."
        ),
        payload_type=VPN,
        vpn_type="TransparentProxy",
        vpn_subtype=None,
        required_fields=(
            ("VPNSubType",),
            ("TransparentProxy", "ProviderBundleIdentifier"),
            ("TransparentProxy", "ProviderDesignatedRequirement"),
        ),
        platforms=("macOS",),
    ),
    ConnectionType(
        id="per-app",
        title="Per-app VPN",
        summary="A VPN for the traffic of chosen apps and domains only",
        description=(
            "A VPN that carries the traffic of chosen apps and domains only. It gets its "
            "own VPN UUID, which apps (or a macOS app mapping) refer to. IKEv2 by "
            "default; it can also use Cisco IPSec or a VPN app type."
        ),
        payload_type=APPLAYER,
        vpn_type="IKEv2",
        vpn_subtype=None,
        required_fields=_IKEV2_FIELDS,
        certificate_auth=True,
    ),
)

_BY_ID: dict[str, ConnectionType] = {c.id: c for c in CONNECTION_TYPES}


def connection_type(type_id: str) -> ConnectionType:
    """The connection type with this id; ValueError names the known ids."""
    try:
        return _BY_ID[type_id]
    except KeyError:
        known = ", ".join(_BY_ID)
        raise InvalidValueError(f"unknown connection type {type_id!r}; known: {known}") from None


def fields_to_fill(type_id: str, base_type: str = "ikev2") -> tuple[KeyPath, ...]:
    """Paths the user must fill; for per-app VPN those of its base type."""
    if type_id == "per-app":
        return connection_type(base_type).required_fields
    return connection_type(type_id).required_fields


# --- settings dictionaries ---------------------------------------------------------------


def _strong_sa() -> dict[str, Any]:
    """Security association parameters: AEAD cipher, SHA-256 PRF, NIST P-256."""
    return {
        "EncryptionAlgorithm": "AES-256-GCM",
        "IntegrityAlgorithm": "SHA2-256",
        "DiffieHellmanGroup": 19,
    }


def _ikev2_settings(server: str, certificate_uuid: str) -> dict[str, Any]:
    return {
        "RemoteAddress": server,
        "RemoteIdentifier": server,
        "LocalIdentifier": "",
        "AuthenticationMethod": "Certificate",
        "CertificateType": "RSA",
        "PayloadCertificateUUID": certificate_uuid,
        "ExtendedAuthEnabled": 0,
        "EnablePFS": 1,
        "EnableCertificateRevocationCheck": 1,
        "DeadPeerDetectionRate": "Medium",
        "IKESecurityAssociationParameters": _strong_sa(),
        "ChildSecurityAssociationParameters": _strong_sa(),
    }


def _vpn_app_settings(server: str, certificate_uuid: str, certificate: bool) -> dict[str, Any]:
    if not certificate:
        return {"RemoteAddress": server, "AuthenticationMethod": "Password"}
    return {
        "RemoteAddress": server,
        "AuthenticationMethod": "Certificate",
        "PayloadCertificateUUID": certificate_uuid,
    }


def _settings(preset: ConnectionType, server: str, certificate_uuid: str) -> dict[str, Any]:
    """The type-specific keys of the payload."""
    if preset.vpn_type == "IKEv2":
        return {"IKEv2": _ikev2_settings(server, certificate_uuid)}
    if preset.vpn_type == "IPSec":
        return {
            "IPSec": {
                "RemoteAddress": server,
                "AuthenticationMethod": "Certificate",
                "PayloadCertificateUUID": certificate_uuid,
                "XAuthEnabled": 1,
            },
            "IPv4": {"OverridePrimary": 1},
        }
    if preset.vpn_type == "L2TP":
        return {
            "PPP": {"CommRemoteAddress": server},
            "IPSec": {"AuthenticationMethod": "SharedSecret", "SharedSecret": b""},
            "IPv4": {"OverridePrimary": 1},
        }
    if preset.vpn_type == "AlwaysOn":
        tunnel: dict[str, Any] = {"ProtocolType": "IKEv2", "Interfaces": ["Cellular", "WiFi"]}
        tunnel.update(_ikev2_settings(server, certificate_uuid))
        return {"AlwaysOn": {"UIToggleEnabled": 0, "TunnelConfigurations": [tunnel]}}
    if preset.vpn_type == "TransparentProxy":
        return {
            "TransparentProxy": {
                "ProviderBundleIdentifier": "",
                "ProviderDesignatedRequirement": "",
            }
        }
    settings: dict[str, Any] = {
        "VendorConfig": {key: "" for key in preset.vendor_keys},
        "VPN": _vpn_app_settings(server, certificate_uuid, preset.certificate_auth),
    }
    if preset.id == "f5-ssl":
        settings["VPN"]["ProviderType"] = "packet-tunnel"  # as F5's MDM guidance says
    return settings


def _proxies(proxy: ProxySetup) -> dict[str, Any] | None:
    if proxy.mode == "none":
        return None
    if proxy.mode == "automatic":
        return {"ProxyAutoConfigEnable": 1, "ProxyAutoConfigURLString": proxy.pac_url}
    if proxy.mode != "manual":
        raise InvalidValueError(f"unknown proxy mode {proxy.mode!r}; use none, manual or automatic")
    https_server = proxy.http_server if proxy.https_server is None else proxy.https_server
    https_port = proxy.http_port if proxy.https_port is None else proxy.https_port
    proxies: dict[str, Any] = {
        "HTTPEnable": 1,
        "HTTPProxy": proxy.http_server,
        "HTTPPort": proxy.http_port,
        "HTTPSEnable": 1,
        "HTTPSProxy": https_server,
        "HTTPSPort": https_port,
    }
    if proxy.username:
        proxies["HTTPProxyUsername"] = proxy.username
    if proxy.password:
        proxies["HTTPProxyPassword"] = proxy.password
    return proxies


# --- the builder -------------------------------------------------------------------------


def build_payload(
    type_id: str,
    *,
    name: str,
    identifier_base: str,
    server: str = "",
    vendor_config: Mapping[str, str] | None = None,
    custom_identifier: str = "",
    proxy: ProxySetup | None = None,
    certificate_uuid: str = "",
    base_type: str = "ikev2",
    provider_type: str | None = None,
    cellular_slice_uuid: str = "",
) -> dict[str, Any]:
    """A new payload of the given connection type.

    name: UserDefinedName and PayloadDisplayName (the type's title when empty).
    identifier_base: PayloadIdentifier becomes `<base>.vpn.<type id>.<PayloadUUID>`, so
        two payloads built from the same base never clash.
    server: server address (also the IKEv2 remote identifier); empty leaves it to fill.
    vendor_config: VendorConfig pairs (VPN app types only), added after the preset's keys.
    custom_identifier: VPNSubType for custom-ssl and transparent-proxy; for other app
        types it replaces the preset's subtype (a legacy plug-in ID, com.wireguard.macos).
    certificate_uuid: PayloadUUID of the identity payload for certificate authentication.
    base_type: for per-app VPN, the connection type whose settings it takes (one whose
        VPN type is IKEv2, IPSec or VPN).
    provider_type: packet-tunnel or app-proxy, for VPN app types.
    cellular_slice_uuid: per-app VPN only: the 5G slice (DNN or app category), iOS 18+.
    """
    preset = connection_type(type_id)
    base = identifier_base.strip().rstrip(".")
    if not base:
        raise InvalidValueError("identifier_base must not be empty (for example com.example.vpn)")
    per_app = preset.payload_type == APPLAYER
    settings_preset = preset
    if per_app:
        settings_preset = connection_type(base_type)
        if (
            settings_preset.payload_type != VPN
            or settings_preset.vpn_type not in PER_APP_VPN_TYPES
        ):
            raise InvalidValueError(
                f"per-app VPN cannot use {base_type!r}: it needs a type whose VPN type is "
                "IKEv2, IPSec or VPN"
            )
    elif cellular_slice_uuid:
        raise InvalidValueError("a cellular slice can only be set on a per-app VPN")
    vpn_type = settings_preset.vpn_type
    if vendor_config and vpn_type != "VPN":
        raise InvalidValueError(f"VendorConfig is read only by VPN app types, not by {vpn_type}")
    if provider_type is not None:
        if vpn_type != "VPN":
            raise InvalidValueError(
                f"a provider type applies only to VPN app types, not to {vpn_type}"
            )
        if provider_type not in PROVIDER_TYPES:
            raise InvalidValueError(
                f"provider type must be packet-tunnel or app-proxy, not {provider_type!r}"
            )

    payload_uuid = new_uuid()
    display_name = name.strip() or preset.title
    payload: dict[str, Any] = {
        "PayloadType": preset.payload_type,
        "PayloadIdentifier": f"{base}.vpn.{preset.id}.{payload_uuid}",
        "PayloadUUID": payload_uuid,
        "PayloadVersion": 1,
        "PayloadDisplayName": display_name,
        "UserDefinedName": display_name,
        "VPNType": vpn_type,
    }
    subtype = custom_identifier.strip() or settings_preset.vpn_subtype
    if vpn_type in ("VPN", "TransparentProxy"):
        payload["VPNSubType"] = subtype or ""
    if per_app:
        payload["VPNUUID"] = new_uuid()
        payload["OnDemandMatchAppEnabled"] = True
        if cellular_slice_uuid:
            payload["CellularSliceUUID"] = cellular_slice_uuid
    payload.update(_settings(settings_preset, server.strip(), certificate_uuid))
    if vendor_config:
        payload["VendorConfig"].update(vendor_config)
    if provider_type is not None:
        payload["VPN"]["ProviderType"] = provider_type
    proxies = _proxies(proxy or ProxySetup())
    if proxies is not None:
        payload["Proxies"] = proxies
    return payload
