"""On Demand rule analysis: rules that cannot fire, gaps, and risky probes.

Each finding cites where the behaviour it relies on is documented (see
editor/core/on_demand.py for the source keys). None is an error: a VPN with badly
ordered rules still installs and connects by hand; the rules just do not do what they say.
"""

from __future__ import annotations

from editor.core.model import KeyPath
from editor.core.on_demand import (
    CONDITION_KEYS,
    INTERFACE_PLATFORMS,
    INTERFACE_WORDS,
    LEGACY_KEYS,
    SETTINGS_DICTIONARIES,
    address_matches,
    domain_matches,
    flag_on,
    on_demand_enabled,
    strings_in,
)
from editor.core.payload_types import APPLAYER, VPN
from editor.core.plisttypes import PlistDict, PlistValue
from editor.core.validation.context import INFO, WARNING, PayloadContext, PayloadRule

# The codes this module emits (also listed in problems.CODES).
SHADOWED = "on-demand-shadowed"
UNREACHABLE = "on-demand-unreachable"
NO_CATCH_ALL = "on-demand-no-catch-all"
NO_RULES = "on-demand-no-rules"
INTERFACE_PLATFORM = "on-demand-interface-platform"
HTTP_PROBE = "on-demand-http-probe"
NO_PARAMETERS = "on-demand-no-parameters"
SWALLOWED = "on-demand-swallowed-never"


def _interface_of(rule: PlistDict) -> str | None:
    """The interface every network matching RULE has (SSIDMatch fails off Wi-Fi)."""
    kind = rule.get("InterfaceTypeMatch")
    if isinstance(kind, str):
        return kind
    return "WiFi" if "SSIDMatch" in rule else None


def _address_covered(broad: str, narrow: str) -> bool:
    if "*" not in narrow:
        return address_matches(broad, narrow)
    if "*" not in broad:
        return False
    return narrow.partition("*")[0].startswith(broad.partition("*")[0]) and broad.endswith("*")


def covers(earlier: PlistDict, later: PlistDict) -> bool:
    """True when every network LATER matches is also matched by EARLIER (both readings
    of DNSDomainMatch and DNSServerAddressMatch: whole-label suffixes and wildcards are
    transitive)."""
    wanted = earlier.get("InterfaceTypeMatch")
    if wanted is not None and wanted != _interface_of(later):
        return False
    if "SSIDMatch" in earlier:
        if "SSIDMatch" not in later or not set(strings_in(later["SSIDMatch"])) <= set(
            strings_in(earlier["SSIDMatch"])
        ):
            return False
    if "DNSDomainMatch" in earlier:
        broad = strings_in(earlier["DNSDomainMatch"])
        if "DNSDomainMatch" not in later or not all(
            any(domain_matches(b, n) for b in broad) for n in strings_in(later["DNSDomainMatch"])
        ):
            return False
    if "DNSServerAddressMatch" in earlier:
        broad = strings_in(earlier["DNSServerAddressMatch"])
        if "DNSServerAddressMatch" not in later or not all(
            any(_address_covered(b, n) for b in broad)
            for n in strings_in(later["DNSServerAddressMatch"])
        ):
            return False
    return "URLStringProbe" not in earlier or earlier["URLStringProbe"] == later.get(
        "URLStringProbe"
    )


def _never_matches(rule: PlistDict) -> str | None:
    """Why RULE can match no network at all, if it cannot."""
    kind = rule.get("InterfaceTypeMatch")
    if "SSIDMatch" in rule and isinstance(kind, str) and kind != "WiFi":
        return (
            f"it needs a {INTERFACE_WORDS.get(kind, kind)} network and an SSID, but SSIDMatch "
            "fails on any network that is not Wi-Fi (Apple VPN schema, SSIDMatch)"
        )
    for key in ("SSIDMatch", "DNSDomainMatch", "DNSServerAddressMatch"):
        if key in rule and not strings_in(rule[key]):
            return f"its {key} list is empty, so no network matches it"
    return None


def _describe(rule: PlistDict) -> str:
    keys = [k for k in CONDITION_KEYS if k in rule]
    return "no conditions" if not keys else "conditions " + ", ".join(keys)


def on_demand_rules(ctx: PayloadContext) -> None:
    for name in SETTINGS_DICTIONARIES:
        settings = ctx.payload.get(name)
        if isinstance(settings, dict):
            _check_settings(ctx, name, settings)


def _check_settings(ctx: PayloadContext, name: str, settings: PlistDict) -> None:
    rules = settings.get("OnDemandRules")
    enabled = flag_on(settings.get("OnDemandEnabled", 0))
    legacy = any(strings_in(settings.get(key)) for key in LEGACY_KEYS)
    per_app = ctx.payload.get("PayloadType") == APPLAYER
    if enabled and not (isinstance(rules, list) and rules) and not legacy and not per_app:
        ctx.add(
            WARNING,
            NO_RULES,
            (name, "OnDemandEnabled"),
            "On Demand is on but OnDemandRules holds no rule: nothing starts the VPN by "
            "itself; add a rule there, or clear OnDemandEnabled (Apple VPN schema, "
            "OnDemandRules)",
        )
    if not isinstance(rules, list):
        return
    path: KeyPath = (name, "OnDemandRules")
    if not on_demand_enabled(ctx.payload, settings)[0]:
        # the device does not evaluate the rules (the schema's not-applicable warning says
        # so); only the deprecated action is worth a word
        for index, rule in enumerate(rules):
            if isinstance(rule, dict) and rule.get("Action") == "Allow":
                _deprecated_allow(ctx, (*path, index))
        return
    seen: list[tuple[int, PlistDict]] = []
    catch_all = False
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        _rule_details(ctx, (*path, index), rule)
        impossible = _never_matches(rule)
        if impossible is not None:
            ctx.add(WARNING, UNREACHABLE, (*path, index), f"this rule never fires: {impossible}")
            continue  # it matches nothing, so it shadows nothing and is no catch-all
        cover = next((i for i, earlier in seen if covers(earlier, rule)), None)
        if cover is not None:
            ctx.add(
                WARNING,
                SHADOWED,
                (*path, index),
                f"this rule never fires: the earlier rule OnDemandRules/{cover} "
                f"({_describe(rules[cover])}) matches every network it matches, and the "
                "first matching rule wins (Apple VPN schema; NEVPNManager.onDemandRules)",
            )
        seen.append((index, rule))
        # any rule without conditions covers every network, wherever it stands (the
        # rules after it are reported as shadowed above)
        catch_all = catch_all or not any(key in rule for key in CONDITION_KEYS)
    if rules and not catch_all:
        ctx.add(
            WARNING,
            NO_CATCH_ALL,
            path,
            "the last rule has conditions: on a network no rule matches, Apple documents no "
            "behaviour; end the list with a rule without conditions (Configuration Profile "
            "Reference; iOS Deployment Reference)",
        )


def _rule_details(ctx: PayloadContext, path: KeyPath, rule: PlistDict) -> None:
    kind = rule.get("InterfaceTypeMatch")
    if isinstance(kind, str) and kind in INTERFACE_PLATFORMS:
        missing = sorted(
            {t.platform for t in ctx.options.targets} - INTERFACE_PLATFORMS[kind],
            key=str.lower,
        )
        if missing:
            ctx.add(
                WARNING,
                INTERFACE_PLATFORM,
                (*path, "InterfaceTypeMatch"),
                f"{', '.join(missing)} has no {INTERFACE_WORDS[kind]} interface type for On "
                "Demand, so this rule never matches there (Network Extension, "
                "NEOnDemandRuleInterfaceType)",
            )
    probe = rule.get("URLStringProbe")
    if isinstance(probe, str) and probe.lower().startswith("http://"):
        if rule.get("Action") in ("Disconnect", "Ignore"):
            # a forged answer passes for the trusted network and keeps the VPN down
            ctx.add(
                WARNING,
                HTTP_PROBE,
                (*path, "URLStringProbe"),
                "the probe uses plain HTTP: anyone on the network can answer it, pass for "
                "your trusted network and keep the VPN down; use an HTTPS URL on a server "
                "you trust (iOS Deployment Reference)",
            )
        else:
            ctx.add(
                INFO,
                HTTP_PROBE,
                (*path, "URLStringProbe"),
                "the probe uses plain HTTP; Apple advises an HTTPS URL on a server you trust "
                "(iOS Deployment Reference)",
            )
    if rule.get("Action") == "Allow":
        _deprecated_allow(ctx, path)
    if rule.get("Action") != "EvaluateConnection":
        return
    if not _nonempty_list(rule.get("ActionParameters")):
        ctx.add(
            WARNING,
            NO_PARAMETERS,
            (*path, "Action"),
            "EvaluateConnection without ActionParameters: no domain is evaluated and Apple "
            "documents no behaviour; add ActionParameters (Apple VPN schema, ActionParameters)",
        )
        return
    entries = rule["ActionParameters"]
    assert isinstance(entries, list)
    broad: list[tuple[int, str]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        entry_path = (*path, "ActionParameters", index)
        probe = entry.get("RequiredURLStringProbe")
        if isinstance(probe, str) and probe.lower().startswith("http://"):
            ctx.add(
                WARNING,
                HTTP_PROBE,
                (*entry_path, "RequiredURLStringProbe"),
                "the probe uses plain HTTP: anyone on the network can answer it and keep the "
                "VPN down; Apple prefers HTTPS (Apple VPN schema, RequiredURLStringProbe)",
            )
        domains = strings_in(entry.get("Domains"))
        action = entry.get("DomainAction")
        if action == "NeverConnect" and domains:
            swallowed = [(d, at, b) for d in domains for at, b in broad if domain_matches(b, d)]
            if swallowed:
                shown = "; ".join(f'"{d}" by "{b}" in entry {at}' for d, at, b in swallowed)
                whole = len({d for d, _, _ in swallowed}) == len(set(domains))
                ctx.add(
                    WARNING,
                    SWALLOWED,
                    (*entry_path, "Domains"),
                    (
                        "this NeverConnect entry is never used"
                        if whole
                        else "part of this NeverConnect entry is never used"
                    )
                    + f": an earlier ConnectIfNeeded entry matches first ({shown}); put the "
                    "more specific NeverConnect entry first, as Apple's example does "
                    "(Apple VPN schema; NEEvaluateConnectionRule)",
                )
        if action == "ConnectIfNeeded":
            broad.extend((index, d) for d in domains)


def _deprecated_allow(ctx: PayloadContext, rule_path: KeyPath) -> None:
    ctx.add(
        WARNING,
        "deprecated",
        (*rule_path, "Action"),
        "the Allow action is deprecated since iOS 7 (it hands over to the legacy "
        "OnDemandMatchDomains lists); choose Connect or EvaluateConnection in Action (Apple "
        "VPN schema)",
    )


def _nonempty_list(value: PlistValue) -> bool:
    return isinstance(value, list) and bool(value)


PAYLOAD_RULES: dict[str, list[PayloadRule]] = {
    VPN: [on_demand_rules],
    APPLAYER: [on_demand_rules],
}
