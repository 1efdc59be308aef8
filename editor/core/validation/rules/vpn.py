"""Rules Apple states only in prose, and field lessons, for VPN payloads.

Each rule reads one payload. Rules that the schema's required_when / applies_when
already express are not repeated here.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from editor.core.model import KeyPath
from editor.core.payload_types import APPLAYER, VPN
from editor.core.plisttypes import PlistDict, PlistValue
from editor.core.validation.context import ERROR, INFO, WARNING, PayloadContext, PayloadRule
from editor.core.validation.rules.common import pkcs12_info, values_at
from editor.core.validation.wording import ADD_IDENTITY
from editor.core.variables import holds_variable

if TYPE_CHECKING:
    from editor.core.encryption import Pkcs12Inspection


ON_DEMAND_DICTIONARIES = ("VPN", "IPSec", "IKEv2", "TransparentProxy")
WEAK_ENCRYPTION = frozenset({"DES", "3DES"})
WEAK_INTEGRITY = frozenset({"SHA1-96", "SHA1-160"})
WEAK_DH_GROUPS = frozenset({1, 2, 5})
# com.apple.vpn.managed.newest.yaml (27.0 seed): these values exist only in iOS, macOS and
# visionOS before 26 (never on tvOS or watchOS).
WEAK_AVAILABILITY = (
    "iOS, macOS and visionOS accept it only before version 26; use AES-256-GCM, SHA2-256 "
    "or better and group 14, 19, 20 or 31"
)
# Strength order for EnforceStrictAlgorithmSelection's "IKE SA at least as strong" rule.
ENCRYPTION_STRENGTH = {
    "DES": 0,
    "3DES": 1,
    "AES-128": 2,
    "AES-128-GCM": 3,
    "AES-256": 4,
    "AES-256-GCM": 5,
    "ChaCha20Poly1305": 5,
}
VENDOR_KEYS = {
    "Realm": ("Juniper SSL or Pulse Secure", ("net.juniper.", "net.pulsesecure.")),
    "Role": ("Juniper SSL or Pulse Secure", ("net.juniper.", "net.pulsesecure.")),
    "Group": ("Cisco AnyConnect", ("com.cisco.",)),
    "LoginGroupOrDomain": ("SonicWALL Mobile Connect", ("com.sonicwall.",)),
}
# An X.500 name such as "CN=vpn.example.com, O=Example" or "/CN=client" (one attribute is
# enough: no FQDN, address or e-mail identity starts with "CN=").
_DN_RE = re.compile(r"^\s*/?(CN|O|OU|C|DC|L|ST|E|UID|EMAILADDRESS|SERIALNUMBER)\s*=\s*\S", re.I)
# Keys an Always On tunnel configuration must carry, as in the IKEv2 dictionary.


def _dict(value: PlistValue) -> PlistDict | None:
    return value if isinstance(value, dict) else None


def _flag(settings: PlistDict, key: str) -> bool:
    value = settings.get(key)
    return value == 1 and not isinstance(value, float)


# --- protocol and type ---------------------------------------------------------------


def legacy_protocols(ctx: PayloadContext) -> None:
    vpn_type = ctx.payload.get("VPNType")
    if vpn_type == "PPTP":
        ctx.add(
            ERROR,
            "legacy-protocol",
            ("VPNType",),
            "PPTP no longer exists on current systems (removed in iOS 10 and macOS 10.12); "
            "use IKEv2",
        )
    elif vpn_type == "L2TP":
        ctx.add(
            WARNING,
            "legacy-protocol",
            ("VPNType",),
            "L2TP is a legacy protocol and not among the protocols Apple recommends; prefer IKEv2",
        )


def vpn_subtype(ctx: PayloadContext) -> None:
    vpn_type = ctx.payload.get("VPNType")
    subtype = ctx.payload.get("VPNSubType")
    if vpn_type == "IKEv2" and isinstance(subtype, str) and subtype != "":
        ctx.add(
            ERROR,
            "vpn-subtype",
            ("VPNSubType",),
            "for IKEv2, VPNSubType is reserved: leave it out or make it an empty string",
        )


def settings_present(ctx: PayloadContext) -> None:
    vpn_type = ctx.payload.get("VPNType")
    needed = {"IPSec": ("IPSec",), "L2TP": ("PPP", "IPSec")}.get(str(vpn_type), ())
    for name in needed:
        if _dict(ctx.payload.get(name)) is None:
            ctx.add(
                ERROR,
                "vpn-settings-missing",
                (name,),
                f"VPNType {vpn_type} needs the {name} dictionary with the server and "
                f"credentials; add {name} to this payload and fill it in",
            )
    if vpn_type == "L2TP":
        ppp = _dict(ctx.payload.get("PPP"))
        if ppp is not None and not ppp.get("CommRemoteAddress"):
            ctx.add(
                ERROR,
                "vpn-settings-missing",
                ("PPP", "CommRemoteAddress"),
                "L2TP needs the server address: fill in CommRemoteAddress",
            )
    if vpn_type == "IPSec":
        ipsec = _dict(ctx.payload.get("IPSec"))
        if ipsec is not None and not ipsec.get("RemoteAddress"):
            ctx.add(
                ERROR,
                "vpn-settings-missing",
                ("IPSec", "RemoteAddress"),
                "Cisco IPSec needs the server address: fill in RemoteAddress",
            )


def vendor_config(ctx: PayloadContext) -> None:
    config = _dict(ctx.payload.get("VendorConfig"))
    subtype = ctx.payload.get("VPNSubType")
    if config is None or not isinstance(subtype, str):
        return
    known_vendor = any(
        subtype.startswith(p) for _, prefixes in VENDOR_KEYS.values() for p in prefixes
    )
    if not known_vendor:
        return
    for key, (vendor, prefixes) in VENDOR_KEYS.items():
        if key in config and not subtype.startswith(prefixes):
            ctx.add(
                WARNING,
                "vendor-config",
                ("VendorConfig", key),
                f"{key} is read only by {vendor}; the VPN app {subtype} ignores it: "
                "remove it, or check the provider",
            )


# --- authentication --------------------------------------------------------------------


def _has_value(settings: PlistDict, key: str) -> bool:
    value = settings.get(key)
    return isinstance(value, str | bytes) and len(value) > 0


def authentication(ctx: PayloadContext) -> None:
    ikev2 = _dict(ctx.payload.get("IKEv2"))
    if ikev2 is not None and ctx.payload.get("VPNType") in ("IKEv2", None):
        method = ikev2.get("AuthenticationMethod")
        extended = _flag(ikev2, "ExtendedAuthEnabled")
        # An absent SharedSecret is the schema's required-when-missing; only an empty one here.
        secret_empty = "SharedSecret" in ikev2 and not _has_value(ikev2, "SharedSecret")
        if method == "SharedSecret" and secret_empty:
            ctx.add(
                ERROR,
                "auth-credential",
                ("IKEv2", "SharedSecret"),
                "SharedSecret is empty while AuthenticationMethod is SharedSecret; fill it in",
            )
        if method == "None" and not extended:
            ctx.add(
                WARNING,
                "auth-fallback",
                ("IKEv2", "AuthenticationMethod"),
                "AuthenticationMethod None without ExtendedAuthEnabled ticked falls back to "
                "SharedSecret; tick ExtendedAuthEnabled for EAP-only authentication",
            )
        if (
            extended
            and method != "Certificate"
            and not ikev2.get("AuthName")
            and ikev2.get("PayloadCertificateUUID") is None
        ):
            ctx.add(
                INFO,
                "auth-credential",
                ("IKEv2", "AuthName"),
                "EAP is on but no AuthName is given: the user is asked when connecting",
            )
        if extended and not _has_value(ikev2, "LocalIdentifier"):
            _eap_local_identifier(ctx)
        _identity_format(ctx, ikev2, ("IKEv2",))
        if (
            method == "Certificate"
            and not extended
            and "CertificateType" in ikev2
            and not _has_value(ikev2, "ServerCertificateIssuerCommonName")
        ):
            # With ExtendedAuthEnabled = 1 the schema makes this an error; Apple's text for
            # CertificateType asks for the issuer name whenever the type is given.
            ctx.add(
                INFO,
                "required-when-missing",
                ("IKEv2", "ServerCertificateIssuerCommonName"),
                "CertificateType is set, and Apple's description of it asks for "
                "ServerCertificateIssuerCommonName as well: give the common name of the CA "
                "that issued the server's certificate",
            )
    ipsec = _dict(ctx.payload.get("IPSec"))
    if ipsec is not None and ctx.payload.get("VPNType") in ("IPSec", "L2TP"):
        method = ipsec.get("AuthenticationMethod", "SharedSecret")
        if method == "Certificate":
            for key in ("LocalIdentifier", "LocalIdentifierType"):
                if key in ipsec:
                    ctx.add(
                        WARNING,
                        "ipsec-identifier",
                        ("IPSec", key),
                        f"{key} is used only with shared-secret authentication; it is ignored "
                        "here: remove it",
                    )
        elif ctx.payload.get("VPNType") == "IPSec" and not ipsec.get("LocalIdentifier"):
            # Advice only: strongSwan and Libreswan XAuth servers use no group name, and
            # their setup guides (hwdsl2/setup-ipsec-vpn) leave LocalIdentifier blank.
            ctx.add(
                INFO,
                "ipsec-identifier",
                ("IPSec", "LocalIdentifier"),
                "no group name in LocalIdentifier: a Cisco server that expects one refuses "
                "the connection (strongSwan and Libreswan XAuth servers need none); end it in "
                "'hybrid' for hybrid authentication",
            )
        if method == "SharedSecret" and not _has_value(ipsec, "SharedSecret"):
            ctx.add(
                INFO,
                "auth-credential",
                ("IPSec", "SharedSecret"),
                "no shared secret is given: the user is asked for it when connecting",
            )


def _eap_local_identifier(ctx: PayloadContext, where: KeyPath = ("IKEv2",)) -> None:
    """Apple's schema marks IKEv2 LocalIdentifier required, yet EAP profiles without it
    (as jawj/IKEv2-setup writes them) install and connect: with EAP the user's identity
    is the EAP name. So a missing or empty one is a warning there, not an error. `where`
    is the IKEv2 dictionary or an Always On tunnel, relative to the payload."""
    path = (*ctx.path, *where, "LocalIdentifier")
    state = {"required-missing": "absent", "empty-value": "empty"}
    for index, problem in enumerate(ctx.problems):
        if problem.path == path and problem.code in ("required-missing", "empty-value"):
            ctx.problems[index] = replace(
                problem,
                severity=WARNING,
                message=f"LocalIdentifier is {state[problem.code]}: Apple's schema requires "
                "it, but when ExtendedAuthEnabled is ticked (EAP), devices install and "
                "connect without it; fill in the identity the server expects, if it expects "
                "one",
            )


def _identity_format(ctx: PayloadContext, settings: PlistDict, where: KeyPath) -> None:
    for key in ("LocalIdentifier", "RemoteIdentifier"):
        value = settings.get(key)
        if isinstance(value, str) and _DN_RE.match(value):
            ctx.add(
                WARNING,
                "identity-format",
                (*where, key),
                f"{key} is written as a distinguished name; Apple devices send it as a plain "
                "name (FQDN), so it will not match a server that expects a DN: use the host "
                "name, e-mail address or IP address the server is set up for",
            )


# --- IKEv2 details ------------------------------------------------------------------------


def _sa_dicts(ikev2: PlistDict) -> Iterator[tuple[str, PlistDict]]:
    for name in ("IKESecurityAssociationParameters", "ChildSecurityAssociationParameters"):
        sa = _dict(ikev2.get(name))
        if sa is not None:
            yield name, sa


def ikev2_details(ctx: PayloadContext) -> None:
    ikev2 = _dict(ctx.payload.get("IKEv2"))
    if ikev2 is None:
        return
    _tls_versions(ctx, ikev2, ("IKEv2",))
    if "PPKMandatory" in ikev2 and not ("PPK" in ikev2 and "PPKIdentifier" in ikev2):
        ctx.add(
            WARNING,
            "ppk-pair",
            ("IKEv2", "PPKMandatory"),
            "PPKMandatory has no effect without both PPK and PPKIdentifier: fill in both, "
            "or remove PPKMandatory",
        )
    if _flag(ikev2, "IncludeAllNetworks") and "EnforceRoutes" in ikev2:
        ctx.add(
            WARNING,
            "ineffective-setting",
            ("IKEv2", "EnforceRoutes"),
            "EnforceRoutes is ignored when IncludeAllNetworks is 1: remove it, or clear "
            "IncludeAllNetworks",
        )
    strict = _flag(ikev2, "EnforceStrictAlgorithmSelection")
    strength: dict[str, int] = {}
    for name, sa in _sa_dicts(ikev2):
        encryption = sa.get("EncryptionAlgorithm", "AES-256")
        integrity = sa.get("IntegrityAlgorithm")
        group = sa.get("DiffieHellmanGroup", 14)
        if isinstance(encryption, str):
            strength[name] = ENCRYPTION_STRENGTH.get(encryption, 4)
        weak: list[tuple[str, str]] = []  # (key, what)
        if isinstance(encryption, str) and encryption in WEAK_ENCRYPTION:
            weak.append(("EncryptionAlgorithm", f"encryption {encryption}"))
        if isinstance(integrity, str) and integrity in WEAK_INTEGRITY:
            weak.append(("IntegrityAlgorithm", f"integrity {integrity}"))
        if isinstance(group, int) and group in WEAK_DH_GROUPS:
            weak.append(("DiffieHellmanGroup", f"Diffie-Hellman group {group}"))
        for key, what in weak:
            # the key itself when written; the dictionary when a default is the weak one
            where = ("IKEv2", name, key) if key in sa else ("IKEv2", name)
            if strict:
                ctx.add(
                    ERROR,
                    "strict-algorithms",
                    where,
                    f"EnforceStrictAlgorithmSelection makes the device reject {what}; use "
                    "AES-256-GCM, SHA2-256 or better and group 14, 19, 20 or 31",
                )
            else:
                ctx.add(WARNING, "weak-crypto", where, f"weak: {what}; {WEAK_AVAILABILITY}")
        if strict and isinstance(group, int) and group < 14 and group not in WEAK_DH_GROUPS:
            ctx.add(
                ERROR,
                "strict-algorithms",
                ("IKEv2", name, "DiffieHellmanGroup"),
                "EnforceStrictAlgorithmSelection rejects Diffie-Hellman groups below 14",
            )
    if (
        strict
        and "ChildSecurityAssociationParameters" in strength
        and "IKESecurityAssociationParameters" in strength
    ):
        if (
            strength["IKESecurityAssociationParameters"]
            < strength["ChildSecurityAssociationParameters"]
        ):
            ctx.add(
                ERROR,
                "strict-algorithms",
                ("IKEv2", "IKESecurityAssociationParameters", "EncryptionAlgorithm"),
                "with EnforceStrictAlgorithmSelection the IKE SA's encryption must be at least as "
                "strong as the child SA's",
            )


def _tls_versions(ctx: PayloadContext, settings: PlistDict, where: KeyPath) -> None:
    low, high = settings.get("TLSMinimumVersion"), settings.get("TLSMaximumVersion")
    if isinstance(low, str) and isinstance(high, str):
        try:
            if tuple(map(int, low.split("."))) > tuple(map(int, high.split("."))):
                ctx.add(
                    ERROR,
                    "tls-versions",
                    (*where, "TLSMinimumVersion"),
                    f"TLSMinimumVersion {low} is above TLSMaximumVersion {high}: choose a "
                    "lower TLSMinimumVersion or a higher TLSMaximumVersion",
                )
        except ValueError:
            pass  # the values check reports non-numbers


# --- On Demand -------------------------------------------------------------------------------


def on_demand(ctx: PayloadContext) -> None:
    for name in ON_DEMAND_DICTIONARIES:
        settings = _dict(ctx.payload.get(name))
        if settings is None:
            continue
        # the rules themselves are analysed in rules/on_demand.py
        rules = settings.get("OnDemandRules")
        enabled = _flag(settings, "OnDemandEnabled")
        if not isinstance(rules, list):
            continue
        if enabled:
            _non_interactive(ctx, name, settings)
        if any(t.platform == "watchOS" for t in ctx.options.targets):
            for index, rule in enumerate(rules):
                if isinstance(rule, dict) and rule.get("Action") not in ("Disconnect", None):
                    ctx.add(
                        WARNING,
                        "watchos-limit",
                        (name, "OnDemandRules", index, "Action"),
                        "watchOS honours only the Disconnect action: choose Disconnect in "
                        "Action, or leave watchOS out of the target platforms",
                    )


def _non_interactive(ctx: PayloadContext, name: str, settings: PlistDict) -> None:
    method = settings.get("AuthenticationMethod")
    if name == "IKEv2" and _flag(settings, "ExtendedAuthEnabled") and method != "Certificate":
        if (
            not _has_value(settings, "AuthPassword")
            and settings.get("PayloadCertificateUUID") is None
        ):
            ctx.add(
                WARNING,
                "on-demand",
                (name, "OnDemandEnabled"),
                "On Demand needs authentication that works without the user: choose an "
                f"identity in PayloadCertificateUUID (add one with {ADD_IDENTITY} if the "
                "profile holds none), or fill in AuthPassword",
            )
    # VPN and TransparentProxy: the provider app authenticates its own way (WireGuard
    # keys in VendorConfig, a token in the app), so nothing is required of the profile.
    elif name == "IPSec" and ctx.payload.get("VPNType") == "IPSec":
        asks = _cisco_prompts(settings)
        if asks:
            ctx.add(
                WARNING,
                "on-demand",
                (name, "OnDemandEnabled"),
                f"On Demand cannot connect by itself while the device must ask for {asks}; "
                "use certificate authentication or store the credentials in the profile",
            )


def _cisco_prompts(ipsec: PlistDict) -> str:
    """What a Cisco IPSec connection asks the user for, in words ("" for nothing)."""
    asks = []
    if ipsec.get("AuthenticationMethod", "SharedSecret") == "SharedSecret":
        if not _has_value(ipsec, "SharedSecret") and not str(
            ipsec.get("LocalIdentifier", "")
        ).endswith("hybrid"):
            asks.append("the shared secret")
    if _flag(ipsec, "XAuthEnabled") and (
        not _has_value(ipsec, "XAuthPassword") or ipsec.get("XAuthPasswordEncryption") == "Prompt"
    ):
        asks.append("the XAuth password")
    if ipsec.get("PromptForVPNPIN") is True:
        asks.append("a PIN")
    return " and ".join(asks)


# --- Always On, per-app, providers -----------------------------------------------------------


def always_on(ctx: PayloadContext) -> None:
    if ctx.payload.get("VPNType") != "AlwaysOn":
        return
    if not ctx.options.targets:
        # With iOS targets the schema's value note reports this; without targets, here.
        ctx.add(
            INFO,
            "supervised-only",
            ("VPNType",),
            "Always On VPN works only on supervised iPhone and iPad; "
            "pairing an Apple Watch is not supported",
        )
    settings = _dict(ctx.payload.get("AlwaysOn"))
    if settings is None:
        return
    tunnels = settings.get("TunnelConfigurations")
    for parameters in ("IKESecurityAssociationParameters", "ChildSecurityAssociationParameters"):
        for path, group in values_at(
            ctx.payload, f"AlwaysOn/TunnelConfigurations[]/{parameters}/DiffieHellmanGroup"
        ):
            if isinstance(group, int) and group < 14:
                ctx.add(
                    WARNING,
                    "always-on",
                    path,
                    "Always On needs Diffie-Hellman group 14 or higher from iOS 14.2",
                )
    for path, kind in values_at(ctx.payload, "AlwaysOn/TunnelConfigurations[]/CertificateType"):
        if kind != "RSA":
            ctx.add(WARNING, "always-on", path, "Always On IKEv2 supports RSA certificates only")
    for path, tunnel in tunnel_configurations(ctx.payload):
        _tunnel_keys(ctx, tunnel, path)
    if isinstance(tunnels, list):
        interfaces: list[str] = []
        every_tunnel_names_its_interfaces = True
        for tunnel in tunnels:
            if isinstance(tunnel, dict) and isinstance(tunnel.get("Interfaces"), list):
                interfaces.extend(i for i in tunnel["Interfaces"] if isinstance(i, str))
            else:
                every_tunnel_names_its_interfaces = False
        twice = {i for i in interfaces if interfaces.count(i) > 1}
        for name in twice:
            ctx.add(
                ERROR,
                "always-on",
                ("AlwaysOn", "TunnelConfigurations"),
                f"the {name} interface is named in more than one tunnel configuration",
            )
        # (an interface named twice is the error to mend first; it often hides this one)
        if tunnels and every_tunnel_names_its_interfaces and not twice:
            for interface, word in (("Cellular", "cellular"), ("WiFi", "Wi-Fi")):
                if interface not in interfaces:
                    ctx.add(
                        WARNING,
                        "always-on",
                        ("AlwaysOn", "TunnelConfigurations"),
                        f"no tunnel configuration names {interface} in its Interfaces, so "
                        f"Always On sets up no tunnel over {word}; add {interface} to a "
                        "tunnel's Interfaces, or a tunnel for it",
                    )
    exceptions = settings.get("ServiceExceptions")
    if isinstance(exceptions, list):
        seen: dict[str, int] = {}
        for index, exception in enumerate(exceptions):
            service = exception.get("ServiceName") if isinstance(exception, dict) else None
            if not isinstance(service, str):
                continue
            if service in seen:
                ctx.add(
                    WARNING,
                    "always-on",
                    ("AlwaysOn", "ServiceExceptions", index, "ServiceName"),
                    f"the {service} service already has an exception (ServiceExceptions/"
                    f"{seen[service]}); keep one, with the action you mean",
                )
            else:
                seen[service] = index


def tunnel_configurations(payload: PlistDict) -> Iterator[tuple[KeyPath, PlistDict]]:
    """Each Always On tunnel configuration dictionary with its path in the payload."""
    for path, tunnel in values_at(payload, "AlwaysOn/TunnelConfigurations[]"):
        if isinstance(tunnel, dict):
            yield path, tunnel


def _tunnel_keys(ctx: PayloadContext, tunnel: PlistDict, path: KeyPath) -> None:
    """A tunnel configuration holds the IKEv2 connection keys (the schema gives it the
    same structure, so the walk checks presence, types and references); what is left is
    what the IKEv2 rules add."""
    if _flag(tunnel, "ExtendedAuthEnabled"):
        _eap_local_identifier(ctx, path)
    _identity_format(ctx, tunnel, path)


def per_app(ctx: PayloadContext) -> None:
    vpn_type = ctx.payload.get("VPNType")
    if isinstance(vpn_type, str) and vpn_type not in ("VPN", "IPSec", "IKEv2"):
        ctx.add(
            ERROR,
            "per-app-vpn",
            ("VPNType",),
            f"per-app VPN works with VPNType VPN, IPSec or IKEv2, not {vpn_type}: choose "
            "one of them in VPNType",
        )
    if any(t.platform == "watchOS" for t in ctx.options.targets) and vpn_type not in (
        "IKEv2",
        None,
    ):
        ctx.add(WARNING, "per-app-vpn", ("VPNType",), "on watchOS, per-app VPN supports only IKEv2")


def provider(ctx: PayloadContext) -> None:
    if ctx.payload.get("VPNType") not in ("VPN", "TransparentProxy"):
        return
    if not ctx.targets_platform("macOS"):
        return
    for name in ("VPN", "TransparentProxy"):
        settings = _dict(ctx.payload.get(name))
        if name == "TransparentProxy" and settings is not None:
            # a transparent proxy on macOS is always a system extension, which needs both
            for key in ("ProviderBundleIdentifier", "ProviderDesignatedRequirement"):
                if not settings.get(key):
                    ctx.add(
                        WARNING,
                        "system-extension",
                        (name, key),
                        f"{key} is {'empty' if key in settings else 'missing'}: on macOS a "
                        "transparent proxy is a system extension, which needs both its "
                        "bundle identifier and its code-signing requirement",
                    )
            continue
        if (
            settings
            and settings.get("ProviderBundleIdentifier")
            and not settings.get("ProviderDesignatedRequirement")
        ):
            ctx.add(
                WARNING,
                "system-extension",
                (name, "ProviderDesignatedRequirement"),
                "on macOS a provider built as a system extension also needs "
                "ProviderDesignatedRequirement, its code-signing requirement: fill it in",
            )


def provider_authentication(ctx: PayloadContext) -> None:
    """A provider app (VPNType VPN or TransparentProxy) authenticates its own way: a
    missing certificate reference is a warning there, not an error."""
    vpn_type = ctx.payload.get("VPNType")
    if vpn_type not in ("VPN", "TransparentProxy"):
        return
    path = (*ctx.path, str(vpn_type), "PayloadCertificateUUID")
    for index, problem in enumerate(ctx.problems):
        if problem.path == path and problem.code in ("required-when-missing", "empty-value"):
            ctx.problems[index] = replace(
                problem,
                severity=WARNING,
                message="AuthenticationMethod is Certificate but no identity is chosen: a "
                "built-in client would fail, while a provider app (WireGuard, an SSL VPN) "
                "may use its own credentials and ignore it. Choose the identity in "
                f"PayloadCertificateUUID (add one with {ADD_IDENTITY} if the profile holds "
                "none), or choose the method the app really uses",
            )


def watchos_limits(ctx: PayloadContext) -> None:
    if not any(t.platform == "watchOS" for t in ctx.options.targets):
        return
    for name in ("IKEv2", "VPN", "IPSec", "PPP"):
        settings = _dict(ctx.payload.get(name))
        timer = settings.get("DisconnectOnIdleTimer") if settings else None
        if isinstance(timer, int) and not isinstance(timer, bool) and timer > 15:
            ctx.add(
                WARNING,
                "watchos-limit",
                (name, "DisconnectOnIdleTimer"),
                f"watchOS allows at most 15 seconds; {timer} is too long: lower "
                "DisconnectOnIdleTimer",
            )


# Secrets that protect themselves: a PKCS#12 blob is encrypted with its password.
_SELF_PROTECTED = frozenset({("com.apple.security.pkcs12", "PayloadContent")})


def secrets_in_clear(ctx: PayloadContext) -> None:
    payload_type = ctx.payload_schema.payload_type
    for secret_path in ctx.payload_schema.secret_paths:
        if (payload_type, secret_path) in _SELF_PROTECTED:
            continue
        name = secret_path.rsplit("/", 1)[-1].removesuffix("[]")
        for path, value in values_at(ctx.payload, secret_path):
            _secret_value(ctx, path, name, value)


def _secret_value(ctx: PayloadContext, path: KeyPath, name: str, value: PlistValue) -> None:
    if isinstance(value, str) and (not value or holds_variable(value)):
        return
    if isinstance(value, str | bytes) and value:
        ctx.add(
            INFO,
            "secret-in-clear",
            path,
            f"{name} is stored in the profile in clear text; sign and encrypt the "
            "profile, or let the device ask for it",
        )


# --- PKCS#12 identities ---------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def inspect_pkcs12_cached(content: bytes) -> Pkcs12Inspection:
    """The PKCS#12 file's algorithms, remembered: the editor re-checks a payload on every
    edit. The password is tried by pkcs12_info, which the IKEv2 rule shares."""
    from editor.core.encryption import inspect_pkcs12

    return inspect_pkcs12(content)


def pkcs12_identity(ctx: PayloadContext) -> None:
    """What iOS needs to import the identity: legacy algorithms, a working password."""
    content = ctx.payload.get("PayloadContent")
    if not isinstance(content, bytes) or not content:
        return  # the schema reports the type or the absence
    stored = ctx.payload.get("Password")
    variable = isinstance(stored, str) and holds_variable(stored)
    password = stored if isinstance(stored, str) and stored and not variable else None
    inspection = inspect_pkcs12_cached(content)
    if inspection.error is not None and not looks_like_pkcs12_cached(content):
        ctx.add(
            ERROR,
            "pkcs12",
            ("PayloadContent",),
            "PayloadContent is not PKCS#12 data, so the device cannot install the identity; "
            "export the certificate with its private key as a .p12 file and use that",
        )
        return
    if inspection.error is not None:
        ctx.add(
            INFO,
            "pkcs12",
            ("PayloadContent",),
            f"the identity could not be inspected here ({inspection.error}); "
            "a device refuses it if it is not valid PKCS#12 data",
        )
        return
    from editor.core.encryption import IOS_PKCS12_ALGORITHMS, IOS_PKCS12_MACS

    unreadable = [
        a
        for a in (*inspection.key_algorithms, *inspection.certificate_algorithms)
        if a != "none" and a not in IOS_PKCS12_ALGORITHMS
    ]
    mac = inspection.mac_algorithm
    if mac is not None and mac not in IOS_PKCS12_MACS:
        unreadable.append(f"a {mac.upper()} integrity check")
    # Without a stored password, try none and the empty one: such a file cannot be installed.
    password_ok = None if variable else pkcs12_info(content, password).password_ok
    empty = password is None and not variable and password_ok is True
    # Only a file read whole can be judged keyless: an encrypted part might hold the key.
    keyless = not inspection.key_algorithms and all(
        a == "none" for a in inspection.certificate_algorithms
    )
    issues = []
    if keyless:
        issues.append("holds no private key, so it cannot serve as an identity")
    if empty:
        issues.append("has no password (or an empty one), which iOS refuses to install")
    if unreadable:
        issues.append(
            "cannot be opened by iPhone and iPad, which report a wrong password, because it "
            "uses " + ", ".join(dict.fromkeys(unreadable))
        )
    if issues:
        ctx.add(
            INFO if not (empty or keyless) and ctx.targets_only(("macOS",)) else WARNING,
            "pkcs12",
            ("PayloadContent",),
            "the PKCS#12 file "
            + "; it also ".join(issues)
            + ". Export the certificate with its private key again, protected by a non-empty "
            "password with 3DES and SHA-1 (as 'openssl pkcs12 -export -legacy' does)",
        )
    if password is not None and password_ok is False:
        ctx.add(
            ERROR,
            "pkcs12",
            ("Password",),
            "the stored Password does not open the PKCS#12 data, so installing the profile "
            "fails; correct the password or remove it so the device asks for it",
        )
    if password_ok is True:  # the identity opened: its certificate's dates are known
        info = pkcs12_info(content, password)
        validity_problems(ctx, info.not_before, info.not_after, "the identity's certificate")


@functools.lru_cache(maxsize=64)
def looks_like_pkcs12_cached(content: bytes) -> bool:
    from editor.core.certificates import looks_like_pkcs12

    return looks_like_pkcs12(content)


@functools.lru_cache(maxsize=64)
def _certificate_error(content: bytes) -> str | None:
    from editor.core.certificates import certificate_shape_error

    return certificate_shape_error(content)


def certificate_content(ctx: PayloadContext) -> None:
    """A root, pkcs1 or pem payload must hold a certificate; root and pkcs1 in DER."""
    content = ctx.payload.get("PayloadContent")
    if not isinstance(content, bytes) or not content:
        return  # the schema reports the type or the absence
    payload_type = ctx.payload_schema.payload_type
    error = _certificate_error(content)
    if error is not None:
        ctx.add(
            ERROR,
            "certificate-content",
            ("PayloadContent",),
            f"{error}: the device refuses to install the profile. Put the certificate's "
            "DER bytes here (a .cer or .der file)",
        )
    elif payload_type != "com.apple.security.pem" and content.lstrip().startswith(b"-----BEGIN"):
        ctx.add(
            WARNING,
            "certificate-content",
            ("PayloadContent",),
            "the certificate is PEM text, but Apple documents DER for this payload type; "
            "devices read it, stricter tools may not. Convert it with 'openssl x509 -in "
            "cert.pem -outform der', or make this a com.apple.security.pem payload",
        )


EXPIRY_WARNING_DAYS = 30


def validity_problems(
    ctx: PayloadContext,
    not_before: datetime.datetime | None,
    not_after: datetime.datetime | None,
    what: str,
) -> None:
    """A certificate outside its validity period fails path validation (RFC 5280,
    6.1.3): expired, an error; not yet valid or expiring within 30 days, a warning."""
    moment = ctx.options.moment()
    if not_after is not None and not_after < moment:
        ctx.add(
            ERROR,
            "certificate-validity",
            ("PayloadContent",),
            f"{what} expired on {not_after:%Y-%m-%d}: connections that rely on it fail; "
            "replace it with a current one",
        )
    elif not_before is not None and not_before > moment:
        ctx.add(
            WARNING,
            "certificate-validity",
            ("PayloadContent",),
            f"{what} is not valid before {not_before:%Y-%m-%d}: until then connections that "
            "rely on it fail",
        )
    elif not_after is not None and not_after - moment < datetime.timedelta(
        days=EXPIRY_WARNING_DAYS
    ):
        days = (not_after - moment).days
        ctx.add(
            WARNING,
            "certificate-validity",
            ("PayloadContent",),
            f"{what} expires on {not_after:%Y-%m-%d}, in {days} day(s); renew it before then",
        )


@functools.lru_cache(maxsize=64)
def _validity(content: bytes) -> tuple[datetime.datetime, datetime.datetime] | None:
    from editor.core.certificates import certificate_validity

    return certificate_validity(content)


def certificate_dates(ctx: PayloadContext) -> None:
    content = ctx.payload.get("PayloadContent")
    if not isinstance(content, bytes) or not content:
        return
    dates = _validity(content)
    if dates is not None:
        validity_problems(ctx, dates[0], dates[1], "the certificate")


_VPN_RULES: list[PayloadRule] = [
    legacy_protocols,
    vpn_subtype,
    settings_present,
    vendor_config,
    authentication,
    ikev2_details,
    on_demand,
    always_on,
    provider,
    provider_authentication,
    watchos_limits,
    secrets_in_clear,
]

PAYLOAD_RULES: dict[str, list[PayloadRule]] = {
    VPN: _VPN_RULES,
    APPLAYER: [*_VPN_RULES, per_app],
    "com.apple.security.pkcs12": [secrets_in_clear, pkcs12_identity],
    "com.apple.security.scep": [secrets_in_clear],
    "com.apple.security.acme": [],
    "com.apple.security.root": [certificate_content, certificate_dates],
    "com.apple.security.pkcs1": [certificate_content, certificate_dates],
    "com.apple.security.pem": [certificate_content, certificate_dates],
}
