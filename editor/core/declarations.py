"""VPN payloads as declarative device management (DDM) declarations (OS 27).

Apple's declarative schema (apple/device-management, `declarative/declarations/`, 27.0
seed) has four VPN configurations: `com.apple.configuration.network.vpn.ikev2`,
`.ipsec` (Cisco IPSec), `.vpn-plugin` (VPN apps: VPNType `VPN`) and `.always-on`
(iOS and visionOS). Credentials are not in the configuration: it names asset
declarations (`com.apple.asset.credential.userpassword`, `.identity`, `.scep`,
`.acme`), each pointing at asset data the device downloads from an https DataURL.
The asset data are JSON credential documents (`{"Type": "com.apple.credential.…",
"Payload": {…}}`; user name and password: UserName, Password; identity: Identity as
base64 PKCS#12, Password; SCEP and ACME: the keys of the profile payload's request).
Certificate payloads become `com.apple.configuration.security.certificate` with a
`com.apple.asset.credential.certificate` asset holding the certificate itself.

What has no declarative form is refused with the reason: L2TP, PPTP, transparent proxy
and per-app VPN (no such declaration exists), Cisco IPSec with hybrid authentication
(the declaration allows shared secret or certificate only), IKEv2 without local or
remote identifier (the declaration requires both). Every key of a payload that is not
carried over is reported by its path, and so is every value outside the declaration's
allowed list (the legacy algorithms and Diffie-Hellman groups the declarations dropped).

Each declaration's Identifier is the payload's PayloadIdentifier; its ServerToken is a
digest of its content, so it changes exactly when the declaration does.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from editor.core.errors import InvalidValueError
from editor.core.model import MISSING
from editor.core.plisttypes import PlistDict, PlistValue

CONFIGURATION = "com.apple.configuration.network.vpn."
IKEV2 = CONFIGURATION + "ikev2"
IPSEC = CONFIGURATION + "ipsec"
VPN_PLUGIN = CONFIGURATION + "vpn-plugin"
ALWAYS_ON = CONFIGURATION + "always-on"
CERTIFICATE_CONFIGURATION = "com.apple.configuration.security.certificate"
USER_PASSWORD_ASSET = "com.apple.asset.credential.userpassword"
IDENTITY_ASSET = "com.apple.asset.credential.identity"
SCEP_ASSET = "com.apple.asset.credential.scep"
ACME_ASSET = "com.apple.asset.credential.acme"
CERTIFICATE_ASSET = "com.apple.asset.credential.certificate"

DEFAULT_ASSET_URL = "https://mdm.example.com/declarations/assets/"

# Keys every payload has; they become the declaration's Identifier or nothing.
_PAYLOAD_KEYS = frozenset(
    {"PayloadType", "PayloadUUID", "PayloadIdentifier", "PayloadVersion", "PayloadDisplayName",
     "PayloadDescription", "PayloadOrganization", "UserDefinedName", "VPNType"}
)  # fmt: skip

# Values the declarations allow where the profile allowed more (the 27.0 schema).
_ALLOWED = {
    "EncryptionAlgorithm": frozenset(
        {"AES-128", "AES-256", "AES-128-GCM", "AES-256-GCM", "ChaCha20Poly1305"}
    ),
    "IntegrityAlgorithm": frozenset({"SHA2-256", "SHA2-384", "SHA2-512"}),
    "DiffieHellmanGroup": frozenset({14, 15, 16, 17, 18, 19, 20, 21, 31, 32}),
}
_RULE_KEYS = frozenset(
    {"Action", "ActionParameters", "DNSDomainMatch", "DNSServerAddressMatch",
     "InterfaceTypeMatch", "SSIDMatch", "URLStringProbe"}
)  # fmt: skip
_ACTION_PARAMETER_KEYS = frozenset(
    {"Domains", "DomainAction", "RequiredDNSServers", "RequiredURLStringProbe"}
)
_ROUTING_KEYS = (
    "EnforceRoutes", "IncludeAllNetworks", "ExcludeLocalNetworks", "ExcludeCellularServices",
    "ExcludeAPNs", "ExcludeDeviceCommunication",
)  # fmt: skip
_PLUGIN_VENDOR_KEYS = ("Realm", "Role", "Group", "LoginGroupOrDomain")
_ACME_KEYS = (
    "DirectoryURL", "ClientIdentifier", "KeySize", "KeyType", "HardwareBound", "Subject",
    "SubjectAltName", "UsageFlags", "ExtendedKeyUsage", "Attest",
)  # fmt: skip
_CERTIFICATE_PAYLOADS = {
    "com.apple.security.root": "application/pkcs1",
    "com.apple.security.pkcs1": "application/pkcs1",
    "com.apple.security.pem": "application/pem",
}
_REFUSED_TYPES = {
    "L2TP": "L2TP has no declarative VPN configuration",
    "PPTP": "PPTP has no declarative VPN configuration (and no current OS supports it)",
    "TransparentProxy": "a transparent proxy has no declarative VPN configuration",
}


@dataclass
class Declaration:
    type: str
    identifier: str
    payload: dict[str, Any]

    @property
    def server_token(self) -> str:
        text = json.dumps([self.type, self.payload], sort_keys=True, ensure_ascii=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def as_json(self) -> dict[str, Any]:
        return {
            "Type": self.type,
            "Identifier": self.identifier,
            "ServerToken": self.server_token,
            "Payload": self.payload,
        }

    @property
    def is_asset(self) -> bool:
        return self.type.startswith("com.apple.asset.")


@dataclass
class AssetData:
    """What an asset's DataURL must serve (keep it secret: it holds the credential)."""

    file_name: str
    content: bytes
    content_type: str


@dataclass
class PayloadOutcome:
    index: int
    payload_type: str
    name: str
    declaration: str | None = None  # the configuration's Identifier when exported
    declaration_type: str | None = None
    refused: str | None = None  # why there is no declaration
    left_out: list[str] = field(default_factory=list)  # "path: why" of keys not carried


@dataclass
class DeclarativeExport:
    declarations: list[Declaration] = field(default_factory=list)
    asset_data: list[AssetData] = field(default_factory=list)
    outcomes: list[PayloadOutcome] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(o.refused is None and not o.left_out for o in self.outcomes)


# --- reading a payload and remembering what was read ----------------------------------------


class _Source:
    def __init__(self, payload: PlistDict) -> None:
        self.payload = payload
        self.used: set[str] = set()
        self.left_out: list[str] = []

    def get(self, path: str) -> PlistValue:
        node: PlistValue = self.payload
        for part in path.split("/"):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return MISSING
        self.used.add(path)
        return node

    def leave_out(self, path: str, why: str) -> None:
        self.used.add(path)
        self.left_out.append(f"{path}: {why}")

    def peek(self, path: str) -> PlistValue:
        """The value at path without counting it as carried over."""
        used = set(self.used)
        value = self.get(path)
        self.used = used
        return value

    def unread(self) -> Iterator[str]:
        """Paths of values no mapping read (an array read whole counts as one value)."""

        def visit(path: str, value: PlistValue) -> Iterator[str]:
            if path in self.used:
                return
            inside = any(used.startswith(path + "/") for used in self.used)
            if isinstance(value, dict) and value:  # name each key left behind
                for key, item in value.items():
                    yield from visit(f"{path}/{key}", item)
            elif inside and isinstance(value, list):
                for index, item in enumerate(value):
                    yield from visit(f"{path}/{index}", item)
            else:
                yield path

        for key, value in self.payload.items():
            if key not in _PAYLOAD_KEYS:
                yield from visit(key, value)


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split("/")
    node = target
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _boolean(value: PlistValue) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return MISSING


def _integer(value: PlistValue) -> Any:
    return value if isinstance(value, int) and not isinstance(value, bool) else MISSING


def _string(value: PlistValue) -> Any:
    return value if isinstance(value, str) else MISSING


def _strings(value: PlistValue) -> Any:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return MISSING


def _data(value: PlistValue) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return MISSING


Convert = Callable[[PlistValue], Any]


class _Builder:
    """One declaration's payload, from one source payload."""

    def __init__(self, source: _Source, exporter: _Exporter) -> None:
        self.source = source
        self.exporter = exporter
        self.out: dict[str, Any] = {}

    def copy(
        self, src: str, dst: str, convert: Convert, target: dict[str, Any] | None = None
    ) -> None:
        value = self.source.get(src)
        if value is MISSING:
            return
        converted = convert(value)
        if converted is MISSING:
            self.source.leave_out(src, "its value or type has no declarative equivalent")
            return
        name = src.rsplit("/", 1)[-1]
        allowed = _ALLOWED.get(name)
        if allowed is not None and converted not in allowed:
            self.source.leave_out(src, f"{converted!r} is not allowed in a declaration")
            return
        _put(self.out if target is None else target, dst, converted)

    def rules(self, src: str, dst: str) -> None:
        value = self.source.get(src)
        if value is MISSING:
            return
        if not isinstance(value, list):
            self.source.leave_out(src, "not an array")
            return
        rules = []
        for index, rule in enumerate(value):
            if not isinstance(rule, dict):
                self.source.leave_out(f"{src}/{index}", "not a dictionary")
                continue
            kept: dict[str, Any] = {}
            for key, item in rule.items():
                if key not in _RULE_KEYS:
                    self.source.leave_out(f"{src}/{index}/{key}", "not a declaration rule key")
                elif key == "ActionParameters" and isinstance(item, list):
                    kept[key] = [
                        {k: v for k, v in p.items() if k in _ACTION_PARAMETER_KEYS}
                        for p in item
                        if isinstance(p, dict)
                    ]
                else:
                    kept[key] = item
            rules.append(kept)
        _put(self.out, dst, rules)

    def credentials(
        self, user_src: str | None, password_src: str, dst: str, owner: str, *, secret: bool = False
    ) -> None:
        """A user name and password as a userpassword asset; with secret, a shared secret
        (the asset then needs the password, and names the local identifier as its user)."""
        password = self.source.peek(password_src)
        if password is MISSING and (secret or user_src is None):
            return
        password = self.source.get(password_src)
        user = self.source.get(user_src) if user_src else MISSING
        if password is MISSING and user is MISSING:
            return
        if isinstance(password, bytes | bytearray):
            try:
                password = bytes(password).decode("utf-8")
            except UnicodeDecodeError:
                self.source.leave_out(password_src, "binary data cannot be an asset password")
                return
        document: dict[str, Any] = {"UserName": user if isinstance(user, str) else ""}
        if isinstance(password, str):
            document["Password"] = password
        identifier = f"{owner}.{dst.replace('/', '.').lower()}"
        _put(
            self.out,
            dst,
            self.exporter.asset(
                USER_PASSWORD_ASSET,
                identifier,
                "com.apple.credential.usernameandpassword",
                document,
            ),
        )

    def identity(self, src: str, dst: str) -> None:
        uuid = self.source.get(src)
        if uuid is MISSING or uuid == "":
            return
        reference = self.exporter.identity_asset(uuid) if isinstance(uuid, str) else None
        if reference is None:
            self.source.leave_out(src, "names no PKCS#12, SCEP or ACME payload of the profile")
            return
        _put(self.out, dst, reference)

    def provider(self, prefix: str) -> None:
        self.copy(f"{prefix}/ProviderType", "Provider/Type", _string)
        bundle = self.source.get(f"{prefix}/ProviderBundleIdentifier")
        requirement = self.source.get(f"{prefix}/ProviderDesignatedRequirement")
        if isinstance(bundle, str) and bundle:
            if isinstance(requirement, str) and requirement:
                bundle = f"{bundle} {{{requirement}}}"  # the macOS form: ID {requirement}
            _put(self.out, "Provider/ComposedIdentifier", bundle)

    def routing(self, prefix: str) -> None:
        for key in _ROUTING_KEYS:
            self.copy(f"{prefix}/{key}", f"NetworkRouting/{key}", _boolean)

    def idle_and_on_demand(self, prefix: str, user_override: bool = True) -> None:
        self.copy(f"{prefix}/DisconnectOnIdle", "Idle/Disconnect", _boolean)
        self.copy(f"{prefix}/DisconnectOnIdleTimer", "Idle/Timer", _integer)
        self.copy(f"{prefix}/OnDemandEnabled", "OnDemand/Enabled", _boolean)
        if user_override:
            self.copy(
                f"{prefix}/OnDemandUserOverrideDisabled", "OnDemand/DisableUserOverride", _boolean
            )
        self.rules(f"{prefix}/OnDemandRules", "OnDemand/Rules")

    def dns_and_proxies(self, owner: str) -> None:
        dns = self.source.peek("DNS")
        if isinstance(dns, dict) and dns:
            self.copy("DNS/DNSProtocol", "DNS/Protocol", _string)
            for key in ("ServerURL", "ServerName", "DomainName"):
                self.copy(f"DNS/{key}", f"DNS/{key}", _string)
            for key in ("ServerAddresses", "SearchDomains", "SupplementalMatchDomains"):
                self.copy(f"DNS/{key}", f"DNS/{key}", _strings)
            self.copy(
                "DNS/SupplementalMatchDomainsNoSearch", "DNS/SupplementalMatchDomainsNoSearch",
                _boolean,
            )  # fmt: skip
            self.identity("DNS/PayloadCertificateUUID", "DNS/IdentityAssetReference")
            declared = self.out.get("DNS", {})
            if declared and "ServerAddresses" not in declared:
                del self.out["DNS"]
                self.source.leave_out("DNS", "a declaration's DNS needs ServerAddresses")
            elif declared:
                declared.setdefault("Protocol", "Cleartext")  # a profile's VPN DNS is plain DNS
        proxies = self.source.peek("Proxies")
        if isinstance(proxies, dict) and proxies:
            self.copy("Proxies/ProxyAutoConfigEnable", "Proxies/AutoConfigEnable", _boolean)
            self.copy("Proxies/ProxyAutoDiscoveryEnable", "Proxies/AutoDiscoveryEnable", _boolean)
            self.copy("Proxies/ProxyAutoConfigURLString", "Proxies/AutoConfigURLString", _string)
            self.copy(
                "Proxies/SupplementalMatchDomains", "Proxies/SupplementalMatchDomains", _strings
            )
            for scheme in ("HTTP", "HTTPS"):
                self.copy(f"Proxies/{scheme}Enable", f"Proxies/Protocol/{scheme}/Enable", _boolean)
                self.copy(f"Proxies/{scheme}Proxy", f"Proxies/Protocol/{scheme}/HostName", _string)
                self.copy(f"Proxies/{scheme}Port", f"Proxies/Protocol/{scheme}/Port", _integer)
            self.credentials(
                "Proxies/HTTPProxyUsername", "Proxies/HTTPProxyPassword",
                "Proxies/Protocol/CredentialsAssetReference", owner,
            )  # fmt: skip

    def ikev2(self, prefix: str, owner: str, *, tunnel: bool = False) -> str | None:
        """The IKEv2 keys (a payload's IKEv2 dictionary or an Always On tunnel); the reason
        when the declaration cannot hold them."""
        for key in ("RemoteAddress", "LocalIdentifier", "RemoteIdentifier"):
            if not isinstance(self.source.get(f"{prefix}/{key}"), str):
                return f"the IKEv2 declaration requires {key}, which the payload does not set"
        self.copy(f"{prefix}/RemoteAddress", "HostName", _string)
        self.copy(f"{prefix}/LocalIdentifier", "LocalIdentifier", _string)
        self.copy(f"{prefix}/RemoteIdentifier", "RemoteIdentifier", _string)
        method = self.source.get(f"{prefix}/AuthenticationMethod")
        _put(self.out, "Authentication/Method", method if isinstance(method, str) else "None")
        self.credentials(
            f"{prefix}/LocalIdentifier", f"{prefix}/SharedSecret",
            "Authentication/CredentialsAssetReference", owner, secret=True,
        )  # fmt: skip
        self.copy(f"{prefix}/CertificateType", "Authentication/IdentityCertificateType", _string)
        self.identity(f"{prefix}/PayloadCertificateUUID", "Authentication/IdentityAssetReference")
        extended = "Authentication/ExtendedAuth"
        self.copy(f"{prefix}/ExtendedAuthEnabled", f"{extended}/Enabled", _boolean)
        self.credentials(
            f"{prefix}/AuthName", f"{prefix}/AuthPassword",
            f"{extended}/CredentialsAssetReference", owner,
        )  # fmt: skip
        for key in ("ServerCertificateIssuerCommonName", "ServerCertificateCommonName",
                    "TLSMinimumVersion", "TLSMaximumVersion"):  # fmt: skip
            self.copy(f"{prefix}/{key}", f"{extended}/{key}", _string)
        self.provider(prefix)
        if not tunnel:
            self.routing(prefix)
        self.copy(f"{prefix}/DeadPeerDetectionRate", "Idle/DeadPeerDetectionRate", _string)
        self.idle_and_on_demand(prefix)
        for key in ("UseConfigurationAttributeInternalIPSubnet", "DisableMOBIKE",
                    "DisableRedirect", "EnableNATKeepAliveOffload", "EnablePFS",
                    "EnableCertificateRevocationCheck", "EnableFallback",
                    "EnforceStrictAlgorithmSelection"):  # fmt: skip
            self.copy(f"{prefix}/{key}", key, _boolean)
        for key in ("NATKeepAliveInterval", "MTU"):
            self.copy(f"{prefix}/{key}", key, _integer)
        quantum = "PostQuantumKeyExchange"
        self.copy(f"{prefix}/PPK", f"{quantum}/PPK", _data)
        self.copy(f"{prefix}/PPKIdentifier", f"{quantum}/PPKIdentifier", _string)
        self.copy(f"{prefix}/PPKMandatory", f"{quantum}/PPKMandatory", _boolean)
        self.copy(
            f"{prefix}/AllowPostQuantumKeyExchangeFallback", f"{quantum}/AllowFallback", _boolean
        )
        for group in ("IKESecurityAssociationParameters", "ChildSecurityAssociationParameters"):
            for key, convert in (("EncryptionAlgorithm", _string), ("IntegrityAlgorithm", _string),
                                 ("DiffieHellmanGroup", _integer),
                                 ("LifeTimeInMinutes", _integer)):  # fmt: skip
                self.copy(f"{prefix}/{group}/{key}", f"{group}/{key}", convert)
            self.copy(
                f"{prefix}/{group}/PostQuantumKeyExchangeMethods",
                f"{group}/PostQuantumKeyExchangeMethods",
                lambda v: list(v) if isinstance(v, list) else MISSING,
            )
        return None


# --- the export ---------------------------------------------------------------------------------


class _Exporter:
    def __init__(self, root: PlistDict, asset_url: str) -> None:
        self.root = root
        self.asset_url = asset_url if asset_url.endswith("/") else asset_url + "/"
        self.result = DeclarativeExport()
        self._assets: dict[str, str] = {}  # identifier -> type, made once
        content = root.get("PayloadContent")
        self.payloads = content if isinstance(content, list) else []
        self.by_uuid = {
            p["PayloadUUID"]: p
            for p in self.payloads
            if isinstance(p, dict) and isinstance(p.get("PayloadUUID"), str)
        }
        self._identity_owner: dict[str, str] = {}  # identity asset -> its payload's UUID

    def asset(self, asset_type: str, identifier: str, credential: str, document: Any) -> str:
        """An asset declaration and its JSON data; returns its Identifier."""
        if identifier in self._assets:
            return identifier
        data = json.dumps({"Type": credential, "Payload": document}, indent=2).encode("utf-8")
        self._add_asset(asset_type, identifier, data, "application/json")
        return identifier

    def _add_asset(self, asset_type: str, identifier: str, data: bytes, content_type: str) -> None:
        file_name = f"{identifier}.{'json' if content_type == 'application/json' else 'cer'}"
        reference = {
            "DataURL": self.asset_url + file_name,
            "ContentType": content_type,
            "Size": len(data),
            "Hash-SHA-256": hashlib.sha256(data).hexdigest(),
        }
        self._assets[identifier] = asset_type
        declaration = Declaration(asset_type, identifier, {"Reference": reference})
        self.result.declarations.append(declaration)
        self.result.asset_data.append(AssetData(file_name, data, content_type))

    def identity_asset(self, uuid: str) -> str | None:
        payload = self.by_uuid.get(uuid)
        if payload is None:
            return None
        kind = payload.get("PayloadType")
        identifier = f"{payload.get('PayloadIdentifier') or uuid}.credential"
        if kind == "com.apple.security.pkcs12":
            content = payload.get("PayloadContent")
            if not isinstance(content, bytes | bytearray):
                return None
            document = {"Identity": base64.b64encode(bytes(content)).decode("ascii")}
            password = payload.get("Password")
            document["Password"] = password if isinstance(password, str) else ""
            result = self.asset(
                IDENTITY_ASSET, identifier, "com.apple.credential.identity", document
            )
        elif kind == "com.apple.security.scep":
            request = payload.get("PayloadContent")
            if not isinstance(request, dict):
                return None
            result = self.asset(
                SCEP_ASSET, identifier, "com.apple.credential.scep", _jsonable(request)
            )
        elif kind == "com.apple.security.acme":
            document = {key: _jsonable(payload[key]) for key in _ACME_KEYS if key in payload}
            result = self.asset(ACME_ASSET, identifier, "com.apple.credential.acme", document)
        else:
            return None
        self._identity_owner[result] = uuid
        return result

    def configuration(self, kind: str, payload: PlistDict, built: dict[str, Any]) -> str:
        identifier = str(payload.get("PayloadIdentifier") or payload.get("PayloadUUID") or kind)
        self.result.declarations.append(Declaration(kind, identifier, built))
        return identifier

    def vpn(self, index: int, payload: PlistDict) -> PayloadOutcome:
        source = _Source(payload)
        name = str(payload.get("UserDefinedName") or payload.get("PayloadDisplayName") or "VPN")
        outcome = PayloadOutcome(index, str(payload.get("PayloadType")), name)
        owner = str(payload.get("PayloadIdentifier") or payload.get("PayloadUUID") or index)
        builder = _Builder(source, self)
        builder.out["VisibleName"] = name
        vpn_type = payload.get("VPNType")
        reason: str | None = None
        kind = ""
        if vpn_type in _REFUSED_TYPES:
            reason = _REFUSED_TYPES[str(vpn_type)]
        elif vpn_type == "IKEv2":
            kind = IKEV2
            reason = builder.ikev2("IKEv2", owner)
            source.get("VPNSubType")  # reserved for IKEv2, nothing to carry
        elif vpn_type == "IPSec":
            kind = IPSEC
            reason = self._ipsec(builder, owner)
        elif vpn_type == "VPN":
            kind = VPN_PLUGIN
            reason = self._plugin(builder, owner)
        elif vpn_type == "AlwaysOn":
            kind = ALWAYS_ON
            reason = self._always_on(builder, owner)
        else:
            reason = f"VPNType {vpn_type!r} has no declarative VPN configuration"
        if reason is not None:
            # nothing of it is written; assets made on the way stay out of the result too
            outcome.refused = reason
            return outcome
        builder.dns_and_proxies(owner)
        outcome.declaration = self.configuration(kind, payload, builder.out)
        outcome.declaration_type = kind
        unread = [f"{path}: no declarative equivalent" for path in source.unread()]
        outcome.left_out = [*source.left_out, *unread]
        return outcome

    def _ipsec(self, builder: _Builder, owner: str) -> str | None:
        source = builder.source
        method = source.get("IPSec/AuthenticationMethod")
        method = "SharedSecret" if method is MISSING else method
        if method not in ("SharedSecret", "Certificate"):
            return (
                f"Cisco IPSec with {method} authentication: the declaration allows only "
                "SharedSecret or Certificate"
            )
        if not isinstance(source.get("IPSec/RemoteAddress"), str):
            return "the IPSec declaration requires the server (IPSec RemoteAddress)"
        builder.copy("IPSec/RemoteAddress", "HostName", _string)
        builder.copy("IPv4/OverridePrimary", "OverridePrimary", _boolean)
        _put(builder.out, "Authentication/Method", method)
        builder.credentials(
            "IPSec/LocalIdentifier", "IPSec/SharedSecret",
            "Authentication/CredentialsAssetReference", owner, secret=True,
        )  # fmt: skip
        builder.identity("IPSec/PayloadCertificateUUID", "Authentication/IdentityAssetReference")
        builder.copy("IPSec/LocalIdentifier", "Authentication/LocalIdentifier", _string)
        builder.copy("IPSec/LocalIdentifierType", "Authentication/LocalIdentifierType", _string)
        builder.copy("IPSec/PromptForVPNPIN", "Authentication/PromptForVPNPIN", _boolean)
        xauth = builder.source.get("IPSec/XAuthEnabled")
        if xauth is not MISSING or source.get("IPSec/XAuthName") is not MISSING:
            _put(builder.out, "Authentication/XAuth/Enabled", _boolean(xauth) is True)
            builder.credentials(
                "IPSec/XAuthName", "IPSec/XAuthPassword",
                "Authentication/XAuth/CredentialsAssetReference", owner,
            )  # fmt: skip
            builder.copy(
                "IPSec/XAuthPasswordEncryption", "Authentication/XAuth/PasswordEncryption", _string
            )
        builder.idle_and_on_demand("IPSec", user_override=False)
        return None

    def _plugin(self, builder: _Builder, owner: str) -> str | None:
        source = builder.source
        if not isinstance(source.get("VPNSubType"), str) or not source.payload["VPNSubType"]:
            return "the VPN app declaration requires the app (VPNSubType)"
        if not isinstance(source.get("VPN/RemoteAddress"), str):
            return "the VPN app declaration requires the server (VPN RemoteAddress)"
        builder.copy("VPN/RemoteAddress", "HostName", _string)
        builder.copy("VPNSubType", "SubType", _string)
        for key in _PLUGIN_VENDOR_KEYS:
            builder.copy(f"VendorConfig/{key}", f"VendorConfig/{key}", _string)
        method = source.get("VPN/AuthenticationMethod")
        method = method if isinstance(method, str) else "Password"
        _put(builder.out, "Authentication/Method", method)
        builder.credentials(
            "VPN/AuthName", "VPN/AuthPassword", "Authentication/CredentialsAssetReference", owner
        )
        builder.identity("VPN/PayloadCertificateUUID", "Authentication/IdentityAssetReference")
        builder.provider("VPN")
        builder.routing("VPN")
        builder.idle_and_on_demand("VPN")
        return None

    def _always_on(self, builder: _Builder, owner: str) -> str | None:
        source = builder.source
        tunnels = source.peek("AlwaysOn/TunnelConfigurations")
        if not isinstance(tunnels, list) or not tunnels:
            return "the Always On declaration requires TunnelConfigurations"
        builder.copy("AlwaysOn/UIToggleEnabled", "UIToggleEnabled", _boolean)
        made = []
        for index, tunnel in enumerate(tunnels):
            prefix = f"AlwaysOn/TunnelConfigurations/{index}"
            if not isinstance(tunnel, dict):
                return f"{prefix} is not a dictionary"
            inner = _Builder(source, self)
            reason = inner.ikev2(prefix, f"{owner}.tunnel{index}", tunnel=True)
            if reason is not None:
                return f"tunnel {index}: {reason}"
            entry: dict[str, Any] = {}
            builder.copy(f"{prefix}/ProtocolType", "ProtocolType", _string, entry)
            builder.copy(f"{prefix}/Interfaces", "Interfaces", _strings, entry)
            entry["IKEV2"] = inner.out
            entry.setdefault("ProtocolType", "IKEv2")
            made.append(entry)
        builder.out["TunnelConfigurations"] = made
        for key in ("ServiceExceptions", "ApplicationExceptions", "AllowedCaptiveNetworkPlugins"):
            value = source.get(f"AlwaysOn/{key}")
            if isinstance(value, list):
                builder.out[key] = _jsonable(value)
        for key in ("AllowCaptiveWebSheet", "AllowAllCaptiveNetworkPlugins"):
            builder.copy(f"AlwaysOn/{key}", key, _boolean)
        return None

    def certificate(self, index: int, payload: PlistDict) -> PayloadOutcome:
        kind = str(payload.get("PayloadType"))
        name = str(payload.get("PayloadDisplayName") or kind)
        outcome = PayloadOutcome(index, kind, name)
        content = payload.get("PayloadContent")
        if not isinstance(content, bytes | bytearray) or not content:
            outcome.refused = "the certificate payload holds no certificate data"
            return outcome
        owner = str(payload.get("PayloadIdentifier") or payload.get("PayloadUUID") or index)
        asset_id = f"{owner}.certificate"
        self._add_asset(CERTIFICATE_ASSET, asset_id, bytes(content), _CERTIFICATE_PAYLOADS[kind])
        outcome.declaration = self.configuration(
            CERTIFICATE_CONFIGURATION, payload, {"CredentialAssetReference": asset_id}
        )
        outcome.declaration_type = CERTIFICATE_CONFIGURATION
        return outcome

    def run(self) -> DeclarativeExport:
        later: list[tuple[int, PlistDict]] = []
        for index, payload in enumerate(self.payloads):
            if not isinstance(payload, dict):
                continue
            kind = payload.get("PayloadType")
            if kind == "com.apple.vpn.managed":
                self._commit(self.vpn(index, payload))
            elif kind == "com.apple.vpn.managed.applayer":
                outcome = PayloadOutcome(index, str(kind), str(payload.get("UserDefinedName")))
                outcome.refused = "per-app VPN has no declarative VPN configuration"
                self.result.outcomes.append(outcome)
            elif kind in _CERTIFICATE_PAYLOADS:
                self.result.outcomes.append(self.certificate(index, payload))
            else:
                later.append((index, payload))
        used = {
            uuid
            for asset, uuid in self._identity_owner.items()
            if any(d.identifier == asset for d in self.result.declarations)
        }
        for index, payload in later:  # identities: used by a VPN, or not carried
            if payload.get("PayloadUUID") in used:
                continue
            kind = str(payload.get("PayloadType"))
            outcome = PayloadOutcome(index, kind, str(payload.get("PayloadDisplayName") or kind))
            outcome.refused = "not a VPN payload, and no exported VPN uses it"
            self.result.outcomes.append(outcome)
        self.result.outcomes.sort(key=lambda o: o.index)
        return self.result

    def _commit(self, outcome: PayloadOutcome) -> None:
        if outcome.refused is not None:
            self._forget_unreferenced()
        self.result.outcomes.append(outcome)

    def _forget_unreferenced(self) -> None:
        """Assets made for a refused payload: drop those no kept declaration names."""
        text = json.dumps([d.payload for d in self.result.declarations if not d.is_asset])
        kept = [
            d for d in self.result.declarations if not d.is_asset or f'"{d.identifier}"' in text
        ]
        dropped = {d.identifier for d in self.result.declarations} - {d.identifier for d in kept}
        self.result.declarations = kept
        self.result.asset_data = [
            a for a in self.result.asset_data if a.file_name.rsplit(".", 1)[0] not in dropped
        ]
        for identifier in dropped:
            self._assets.pop(identifier, None)


def _jsonable(value: PlistValue) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def export_declarations(root: PlistDict, asset_url: str = DEFAULT_ASSET_URL) -> DeclarativeExport:
    """Every payload of the profile as declarations, or the reason it cannot be one."""
    if not asset_url.startswith("https://"):
        raise InvalidValueError(
            "the asset URL must start with https:// (the device refuses others)"
        )
    return _Exporter(root, asset_url).run()


__all__ = [
    "ALWAYS_ON",
    "DEFAULT_ASSET_URL",
    "IKEV2",
    "IPSEC",
    "VPN_PLUGIN",
    "AssetData",
    "Declaration",
    "DeclarativeExport",
    "PayloadOutcome",
    "export_declarations",
]
