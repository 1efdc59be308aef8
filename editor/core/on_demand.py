"""VPN On Demand as a device reads it: which rule fires on a network, and why.

Stage A (`evaluate`): the OnDemandRules of a VPN payload are checked in order against a
network; the first rule whose every condition matches fires. Stage B
(`evaluate_connection`): for an EvaluateConnection rule and the host an app connects to,
the first ActionParameters entry whose Domains match decides whether the VPN starts.

Sources (shortened in the `why` texts):
- [VPNY] Apple's profile schema, com.apple.vpn.managed (OnDemandRules, the legacy lists);
- [APPY] the same for per-app VPN (OnDemandMatchAppEnabled);
- [NE] Network Extension's NEOnDemandRule and NEEvaluateConnectionRule pages;
- [DNSS] Device Management's DNSSettings OnDemandRulesElement page;
- [CPR] the legacy Configuration Profile Reference; [IDR] the iOS Deployment Reference.

Where Apple's texts disagree the evaluator takes a `Mode`: SCHEMA (the default, the
profile schema's reading: DNSDomainMatch against any search domain, DNSServerAddressMatch
when any server matches) or API (NE's reading: the default search domain, every server).
No rule matching is reported as undefined: Apple documents no default and asks for a
final rule without conditions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from editor.core.payload_types import APPLAYER, VPN_TYPES
from editor.core.plisttypes import PlistDict, PlistValue

SETTINGS_DICTIONARIES = ("VPN", "IPSec", "IKEv2", "TransparentProxy")
ACTIONS = ("Connect", "Disconnect", "Ignore", "EvaluateConnection", "Allow")
# The conditions in the order they are shown; the probe is last because the device
# fetches it only once the other conditions match [NE probeURL].
CONDITION_KEYS = (
    "InterfaceTypeMatch",
    "SSIDMatch",
    "DNSDomainMatch",
    "DNSServerAddressMatch",
    "URLStringProbe",
)
LEGACY_KEYS = (
    "OnDemandMatchDomainsAlways",
    "OnDemandMatchDomainsNever",
    "OnDemandMatchDomainsOnRetry",
)
INTERFACES = ("WiFi", "Cellular", "Ethernet")
INTERFACE_WORDS = {"WiFi": "Wi-Fi", "Cellular": "cellular", "Ethernet": "Ethernet", None: "none"}
# Where NE defines each interface type [NE neondemandruleinterfacetype/ethernet, /cellular].
INTERFACE_PLATFORMS: dict[str, frozenset[str]] = {
    "WiFi": frozenset({"iOS", "iPadOS", "macOS", "tvOS", "visionOS", "watchOS"}),
    "Ethernet": frozenset({"macOS", "tvOS"}),
    "Cellular": frozenset({"iOS", "iPadOS", "visionOS"}),
}


# The source keys the `why` texts cite, for a legend.
SOURCES = {
    "VPNY": "Apple's profile schema, com.apple.vpn.managed",
    "APPY": "Apple's profile schema, com.apple.vpn.managed.applayer",
    "NE": "Network Extension (NEOnDemandRule, NEEvaluateConnectionRule)",
    "DNSS": "Device Management, DNSSettings OnDemandRulesElement",
    "CPR": "Configuration Profile Reference",
    "IDR": "iOS Deployment Reference",
}


class Mode(StrEnum):
    SCHEMA = "schema"  # [VPNY]: any search domain; any DNS server
    API = "api"  # [NE]: the default search domain; each DNS server


@dataclass(frozen=True)
class Network:
    """What the device sees when the primary interface changes."""

    platform: str = "iOS"
    interface: str | None = "WiFi"  # one of INTERFACES, or None for no network
    ssid: str | None = None
    search_domains: tuple[str, ...] = ()  # the first is the default one
    dns_servers: tuple[str, ...] = ()
    probes: tuple[tuple[str, bool], ...] = ()  # URL, fetched with HTTP 200 (True) or not

    def probe_ok(self, url: str) -> bool | None:
        for known, ok in self.probes:
            if known == url:
                return ok
        return None

    def as_json(self) -> dict[str, object]:
        return {
            "platform": self.platform,
            "interface": self.interface,
            "ssid": self.ssid,
            "search_domains": list(self.search_domains),
            "dns_servers": list(self.dns_servers),
            "probes": {url: ok for url, ok in self.probes},
        }


@dataclass(frozen=True)
class ConditionResult:
    rule: int
    key: str
    matched: bool
    why: str

    def as_json(self) -> dict[str, object]:
        return {"rule": self.rule, "key": self.key, "matched": self.matched, "why": self.why}


@dataclass(frozen=True)
class ConnectionResult:
    host: str
    entry: int | None
    domain_action: str | None
    vpn_starts: bool | None  # None: depends on something not given, or undefined
    why: str

    def as_json(self) -> dict[str, object]:
        return {
            "host": self.host,
            "entry": self.entry,
            "domain_action": self.domain_action,
            "vpn_starts": self.vpn_starts,
            "why": self.why,
        }


@dataclass(frozen=True)
class Evaluation:
    settings: str | None  # the dictionary the keys were read from (IKEv2, VPN…)
    mode: Mode
    enabled: bool
    rule: int | None
    action: str | None
    conditions: tuple[ConditionResult, ...]
    why: str  # the verdict in words
    notes: tuple[str, ...] = field(default=())

    @property
    def fired(self) -> bool:
        return self.rule is not None

    def conditions_of(self, rule: int) -> tuple[ConditionResult, ...]:
        return tuple(c for c in self.conditions if c.rule == rule)


# --- matching helpers ---------------------------------------------------------------------


def _labels(name: str) -> list[str]:
    return [label for label in name.strip().rstrip(".").lower().split(".") if label]


def domain_pattern(pattern: str) -> str:
    """A domain from a rule, with the optional `*.` or `*` prefix taken off [DNSS]."""
    text = pattern.strip()
    if text.startswith("*."):
        text = text[2:]
    elif text.startswith("*") or text.startswith("."):
        text = text[1:]
    return text


def domain_matches(pattern: str, name: str) -> bool:
    """True when NAME is the domain of PATTERN or below it, compared by whole labels:
    `example.com` matches `www.example.com` but not `www.anotherexample.com` [NE
    matchDomains]; `*.example.com` is the same as `example.com` [DNSS]."""
    wanted = _labels(domain_pattern(pattern))
    labels = _labels(name)
    return bool(wanted) and len(labels) >= len(wanted) and labels[-len(wanted) :] == wanted


def address_matches(pattern: str, address: str) -> bool:
    """DNSServerAddressMatch's test: equal, or with one `*` standing for the rest
    (`17.*` matches 17.0.0.0/8) [VPNY]."""
    pattern, address = pattern.strip().lower(), address.strip().lower()
    if "*" not in pattern:
        return pattern == address
    head, _, tail = pattern.partition("*")
    return (
        address.startswith(head)
        and address.endswith(tail.replace("*", ""))
        and len(address) >= len(head) + len(tail)
    )


def strings_in(value: PlistValue) -> list[str]:
    """The strings of a plist array (anything else in it, or a non-array, is skipped)."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def flag_on(value: PlistValue) -> bool:
    """An integer 0/1 flag as the device reads it (<true/> counts as 1)."""
    return value is True or (type(value) is int and value == 1)


def _shown(items: Iterable[str]) -> str:
    return ", ".join(f'"{item}"' for item in items) or "none"


# --- which dictionary --------------------------------------------------------------------


def settings_name(payload: PlistDict) -> str | None:
    """The dictionary holding the On Demand keys: the first one with any of them, else
    the first present [VPNY: the keys sit in VPN, IPSec, IKEv2 or TransparentProxy]."""
    present = [n for n in SETTINGS_DICTIONARIES if isinstance(payload.get(n), dict)]
    for name in present:
        settings = payload[name]
        assert isinstance(settings, dict)
        if any(key.startswith("OnDemand") for key in settings):
            return name
    return present[0] if present else None


def on_demand_enabled(payload: PlistDict, settings: PlistDict) -> tuple[bool, str]:
    """Whether On Demand is on, and what decided it."""
    if payload.get("PayloadType") == APPLAYER and "OnDemandMatchAppEnabled" in payload:
        on = flag_on(payload["OnDemandMatchAppEnabled"])
        return on, f"OnDemandMatchAppEnabled is {'true' if on else 'false'} [APPY]"
    if "OnDemandEnabled" not in settings:
        return False, "OnDemandEnabled is absent (default 0) [VPNY]"
    on = flag_on(settings["OnDemandEnabled"])
    return on, f"OnDemandEnabled is {1 if on else 0} [VPNY]"


# --- stage A --------------------------------------------------------------------------------


def _condition(
    index: int, key: str, value: PlistValue, network: Network, mode: Mode
) -> ConditionResult:
    def result(matched: bool, why: str) -> ConditionResult:
        return ConditionResult(index, key, matched, why)

    if key == "InterfaceTypeMatch":
        if not isinstance(value, str) or value not in INTERFACES:
            return result(False, f"{value!r} is not an interface type the device knows")
        if network.platform not in INTERFACE_PLATFORMS[value]:
            return result(
                False,
                f"{network.platform} has no {INTERFACE_WORDS[value]} interface type for "
                "On Demand, so this never matches there [NE neondemandruleinterfacetype]",
            )
        if network.interface == value:
            return result(True, f"the primary interface is {INTERFACE_WORDS[value]}")
        return result(
            False,
            f"the primary interface is {INTERFACE_WORDS[network.interface]}, "
            f"not {INTERFACE_WORDS[value]}",
        )
    if key == "SSIDMatch":
        ssids = strings_in(value)
        if network.interface != "WiFi":
            return result(False, "not a Wi-Fi network, so SSIDMatch fails [VPNY]")
        if network.ssid is not None and network.ssid in ssids:
            return result(True, f'SSID "{network.ssid}" is in the list')
        if network.ssid is None:
            return result(False, f"no SSID given, so it is not in {_shown(ssids)}")
        return result(False, f'SSID "{network.ssid}" is not in {_shown(ssids)}')
    if key == "DNSDomainMatch":
        domains = strings_in(value)
        if mode is Mode.API:
            if not network.search_domains:
                return result(False, "the network has no default search domain [NE]")
            default = network.search_domains[0]
            hit = next((d for d in domains if domain_matches(d, default)), None)
            if hit is not None:
                return result(True, f'default search domain "{default}" matches "{hit}" [NE]')
            return result(
                False, f'default search domain "{default}" matches none of {_shown(domains)} [NE]'
            )
        for search in network.search_domains:
            for domain in domains:
                if domain_matches(domain, search):
                    return result(True, f'search domain "{search}" matches "{domain}" [VPNY]')
        if not network.search_domains:
            return result(False, "the network has no search domains")
        return result(
            False,
            f"no search domain ({_shown(network.search_domains)}) matches {_shown(domains)} [VPNY]",
        )
    if key == "DNSServerAddressMatch":
        patterns = strings_in(value)
        servers = network.dns_servers
        if not servers:
            return result(False, "the network has no DNS servers")
        if mode is Mode.API:
            misses = [s for s in servers if not any(address_matches(p, s) for p in patterns)]
            if misses:
                return result(
                    False,
                    f"DNS server {_shown(misses)} is not in {_shown(patterns)}; every "
                    "server must match [NE]",
                )
            return result(True, f"every DNS server ({_shown(servers)}) matches [NE]")
        for server in servers:
            for pattern in patterns:
                if address_matches(pattern, server):
                    return result(True, f'DNS server "{server}" matches "{pattern}" [VPNY]')
        return result(False, f"no DNS server ({_shown(servers)}) matches {_shown(patterns)}")
    # URLStringProbe
    url = value if isinstance(value, str) else ""
    if network.platform == "watchOS":
        return result(False, "URLStringProbe is not available on watchOS [VPNY]")
    ok = network.probe_ok(url)
    if ok is None:
        return result(False, f"no outcome given for {url}: taken as not reachable")
    if ok:
        return result(True, f"{url} answers HTTP 200 without redirection [VPNY]")
    return result(False, f"{url} does not answer HTTP 200 without redirection [VPNY]")


def _rule_conditions(
    index: int, rule: PlistDict, network: Network, mode: Mode
) -> list[ConditionResult]:
    results: list[ConditionResult] = []
    for key in CONDITION_KEYS:
        if key not in rule:
            continue
        if key == "URLStringProbe" and not all(r.matched for r in results):
            results.append(
                ConditionResult(
                    index, key, False, "not probed: an earlier condition failed [NE probeURL]"
                )
            )
            continue
        results.append(_condition(index, key, rule[key], network, mode))
    return results


def evaluate(
    payload: PlistDict, network: Network, mode: Mode = Mode.SCHEMA, settings: str | None = None
) -> Evaluation:
    """Which On Demand rule of PAYLOAD fires on NETWORK, with each condition's verdict.
    SETTINGS names the dictionary to read (IKEv2, VPN…); by default `settings_name`."""
    name = settings or settings_name(payload)
    found = payload.get(name) if name is not None else None
    if not isinstance(found, dict):
        return Evaluation(None, mode, False, None, None, (), "the payload has no VPN settings")
    enabled, decided = on_demand_enabled(payload, found)
    if not enabled:
        return Evaluation(
            name,
            mode,
            False,
            None,
            None,
            (),
            f"On Demand is off ({decided}): no rule is evaluated and the VPN starts only "
            "when someone starts it",
        )
    rules = found.get("OnDemandRules")
    if not isinstance(rules, list) or not rules:
        legacy = [k for k in LEGACY_KEYS if strings_in(found.get(k))]
        if legacy:
            why = (
                "there are no OnDemandRules: the legacy lists "
                f"({', '.join(legacy)}) decide for each connection [VPNY]"
            )
        elif payload.get("PayloadType") == APPLAYER:
            why = "there are no OnDemandRules: the VPN starts when its apps connect [APPY]"
        else:
            why = "On Demand is on but there are no OnDemandRules: nothing starts the VPN"
        return Evaluation(name, mode, True, None, None, (), why)
    conditions: list[ConditionResult] = []
    notes: list[str] = []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            conditions.append(
                ConditionResult(index, "Action", False, "not a dictionary: the rule is skipped")
            )
            continue
        action = rule.get("Action")
        if action not in ACTIONS:
            conditions.append(
                ConditionResult(
                    index, "Action", False, f"Action {action!r} is not one the device knows"
                )
            )
            continue
        if network.platform == "watchOS" and action != "Disconnect":
            conditions.append(
                ConditionResult(
                    index,
                    "Action",
                    False,
                    f"watchOS 10 and later offer only Disconnect [VPNY]; a {action} rule "
                    "is taken as not applying there",
                )
            )
            continue
        results = _rule_conditions(index, rule, network, mode)
        conditions.extend(results)
        if all(r.matched for r in results):
            assert isinstance(action, str)
            if not results:
                why = "it has no conditions, so it matches every network"
            else:
                why = "it is the first rule whose every condition matches"
            if action == "Allow":
                notes.append(
                    "Allow is deprecated: the legacy OnDemandMatchDomains lists decide [CPR]"
                )
            return Evaluation(name, mode, True, index, action, tuple(conditions), why, tuple(notes))
    return Evaluation(
        name,
        mode,
        True,
        None,
        None,
        tuple(conditions),
        "no rule matches this network: Apple does not document what the VPN does then "
        "(undefined); end the list with a rule without conditions [CPR][IDR]",
    )


# --- stage B --------------------------------------------------------------------------------


def _resolution_starts(
    dns_ok: bool | None, probe: str | None, network: Network, servers: list[str]
) -> tuple[bool | None, str]:
    """ConnectIfNeeded: the VPN starts when resolution (with RequiredDNSServers when
    given) fails, or when RequiredURLStringProbe fails [VPNY]."""
    resolver = f"with {_shown(servers)}" if servers else "with the network's DNS"
    if probe:
        ok = network.probe_ok(probe)
        if not ok:
            reason = "fails" if ok is False else "has no outcome given (taken as failing)"
            return True, f"RequiredURLStringProbe {probe} {reason}, so the VPN starts [VPNY]"
    if dns_ok is None:
        return None, f"the VPN starts if resolving the host {resolver} fails; no outcome given"
    if not dns_ok:
        return True, f"resolving the host {resolver} fails, so the VPN starts [VPNY]"
    if probe:
        return False, f"the host resolves {resolver} and {probe} answers: no VPN needed"
    return False, f"the host resolves {resolver}: no VPN needed [VPNY]"


def evaluate_connection(
    payload: PlistDict,
    evaluation: Evaluation,
    host: str,
    network: Network,
    dns_ok: bool | None = None,
) -> ConnectionResult:
    """What happens when an app connects to HOST after stage A gave EVALUATION."""
    settings = payload.get(evaluation.settings or "")
    settings = settings if isinstance(settings, dict) else {}
    action = evaluation.action
    if not evaluation.enabled:
        return ConnectionResult(host, None, None, False, "On Demand is off")
    if action is None and evaluation.conditions:
        return ConnectionResult(host, None, None, None, "no rule fired: undefined")
    if action is None and payload.get("PayloadType") == APPLAYER:
        if not any(strings_in(settings.get(key)) for key in LEGACY_KEYS):
            return ConnectionResult(
                host,
                None,
                None,
                True,
                "per-app VPN without rules: a connection by one of its apps starts it [APPY]",
            )
    if action is None or action == "Allow":
        return _legacy(host, settings, dns_ok, evaluation.rule is None)
    if action == "Connect":
        return ConnectionResult(host, None, None, True, "Connect starts the VPN [VPNY]")
    if action in ("Disconnect", "Ignore"):
        return ConnectionResult(
            host, None, None, False, f"{action} does not start the VPN on demand [VPNY]"
        )
    rules = settings.get("OnDemandRules")
    assert isinstance(rules, list) and evaluation.rule is not None
    rule = rules[evaluation.rule]
    assert isinstance(rule, dict)
    entries = rule.get("ActionParameters")
    if not isinstance(entries, list) or not entries:
        return ConnectionResult(
            host,
            None,
            None,
            None,
            "EvaluateConnection without ActionParameters: Apple does not say what happens",
        )
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        domains = strings_in(entry.get("Domains"))
        hit = next((d for d in domains if domain_matches(d, host)), None)
        if hit is None:
            continue
        domain_action = entry.get("DomainAction")
        head = f'"{host}" matches "{hit}"'
        if domain_action == "NeverConnect":
            return ConnectionResult(
                host, index, "NeverConnect", False, f"{head}: NeverConnect never starts the VPN"
            )
        if domain_action == "ConnectIfNeeded":
            probe = entry.get("RequiredURLStringProbe")
            starts, why = _resolution_starts(
                dns_ok,
                probe if isinstance(probe, str) else None,
                network,
                strings_in(entry.get("RequiredDNSServers")),
            )
            return ConnectionResult(host, index, "ConnectIfNeeded", starts, f"{head}: {why}")
        return ConnectionResult(
            host, index, None, None, f"{head}, but DomainAction {domain_action!r} is unknown"
        )
    return ConnectionResult(
        host,
        None,
        None,
        None,
        "no ActionParameters entry matches this host: Apple says only that the rule's action "
        "applies; what the VPN does is undefined [NE]",
    )


def _legacy(
    host: str, settings: Mapping[str, PlistValue], dns_ok: bool | None, no_rules: bool
) -> ConnectionResult:
    """The deprecated lists: Never excludes, Always counts as OnRetry, OnRetry starts the
    VPN when resolution fails [VPNY]; they serve the Allow action [CPR]."""
    never = strings_in(settings.get("OnDemandMatchDomainsNever"))
    retry = strings_in(settings.get("OnDemandMatchDomainsOnRetry")) + strings_in(
        settings.get("OnDemandMatchDomainsAlways")
    )
    via = "no OnDemandRules" if no_rules else "the Allow action"
    hit = next((d for d in never if domain_matches(d, host)), None)
    if hit is not None:
        return ConnectionResult(
            host, None, None, False, f'{via}: "{hit}" in OnDemandMatchDomainsNever excludes it'
        )
    hit = next((d for d in retry if domain_matches(d, host)), None)
    if hit is None:
        return ConnectionResult(
            host, None, None, False, f"{via}: no legacy OnDemandMatchDomains list names the host"
        )
    if dns_ok is None:
        return ConnectionResult(
            host,
            None,
            None,
            None,
            f'{via}: "{hit}" starts the VPN if resolution fails; no outcome given',
        )
    if dns_ok:
        return ConnectionResult(
            host, None, None, False, f'{via}: "{hit}" is on retry and the host resolves'
        )
    return ConnectionResult(
        host, None, None, True, f'{via}: "{hit}" is on retry and resolution fails [VPNY]'
    )


# --- payloads and standard networks -------------------------------------------------------------


def vpn_payload_indexes(payloads: list[PlistValue]) -> list[int]:
    return [
        index
        for index, payload in enumerate(payloads)
        if isinstance(payload, dict) and payload.get("PayloadType") in VPN_TYPES
    ]


def rules_of(payload: PlistDict, settings: str | None = None) -> list[PlistDict]:
    name = settings or settings_name(payload)
    found = payload.get(name) if name is not None else None
    rules = found.get("OnDemandRules") if isinstance(found, dict) else None
    return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []


def offered_values(payload: PlistDict, settings: str | None = None) -> dict[str, list[str]]:
    """The SSIDs, search domains, DNS servers and probe URLs the rules name, in order."""
    found: dict[str, list[str]] = {"ssids": [], "domains": [], "servers": [], "probes": []}
    where = {
        "SSIDMatch": "ssids",
        "DNSDomainMatch": "domains",
        "DNSServerAddressMatch": "servers",
    }
    for rule in rules_of(payload, settings):
        for key, bucket in where.items():
            for item in strings_in(rule.get(key)):
                item = item.strip()
                if item and item not in found[bucket]:
                    found[bucket].append(item)
        probe = rule.get("URLStringProbe")
        if isinstance(probe, str) and probe.strip() and probe not in found["probes"]:
            found["probes"].append(probe)
    return found


def sample_domain(pattern: str) -> str:
    """A search domain that a DNSDomainMatch entry matches."""
    return domain_pattern(pattern) or "example.com"


def sample_address(pattern: str) -> str:
    """An address that a DNSServerAddressMatch entry matches (`17.*` gives 17.0.0.1)."""
    if "*" not in pattern:
        return pattern
    head, _, tail = pattern.partition("*")
    if ":" in head:
        return head + "1" + tail.replace("*", "")
    filled = head.rstrip(".").split(".") if head.rstrip(".") else []
    while len(filled) < 3:
        filled.append("0")
    if len(filled) < 4:
        filled.append("1")
    return ".".join(filled[:4])


@dataclass(frozen=True)
class NamedNetwork:
    name: str
    network: Network


def standard_networks(
    payload: PlistDict, platform: str = "iOS", settings: str | None = None
) -> list[NamedNetwork]:
    """Cellular or Ethernet (where the platform has them), each SSID, search domain and DNS
    server the rules name on Wi-Fi (trusted networks), an unknown Wi-Fi (untrusted), and
    the same with every probe answering."""
    offered = offered_values(payload, settings)
    other = "Unknown"
    while other in offered["ssids"]:
        other += "-2"
    networks: list[NamedNetwork] = []
    if platform in INTERFACE_PLATFORMS["Cellular"]:
        networks.append(NamedNetwork("Cellular", Network(platform, "Cellular")))
    if platform in INTERFACE_PLATFORMS["Ethernet"]:
        networks.append(NamedNetwork("Ethernet", Network(platform, "Ethernet")))
    for ssid in offered["ssids"]:
        networks.append(NamedNetwork(f'Wi-Fi "{ssid}"', Network(platform, "WiFi", ssid=ssid)))
    answering = tuple((url, True) for url in offered["probes"])

    def wifi(name: str, **context: Any) -> None:
        """A Wi-Fi network, and the same with every probe answering when there are probes
        (inside a trusted network the probes usually answer)."""
        networks.append(NamedNetwork(name, Network(platform, "WiFi", ssid=other, **context)))
        if answering:
            networks.append(
                NamedNetwork(
                    f"{name}, probes answer",
                    Network(platform, "WiFi", ssid=other, probes=answering, **context),
                )
            )

    for domain in offered["domains"]:
        wifi(
            f"Wi-Fi, search domain {sample_domain(domain)}", search_domains=(sample_domain(domain),)
        )
    for server in offered["servers"]:
        wifi(f"Wi-Fi, DNS server {sample_address(server)}", dns_servers=(sample_address(server),))
    wifi("Untrusted Wi-Fi")
    return networks
