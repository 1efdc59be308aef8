"""The On Demand evaluator: Apple's documented examples, the field's problems, properties."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.core.on_demand import (
    Mode,
    Network,
    address_matches,
    domain_matches,
    evaluate,
    evaluate_connection,
    standard_networks,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ikev2(rules: list[dict[str, Any]] | None, enabled: Any = 1, **more: Any) -> dict[str, Any]:
    settings_dict: dict[str, Any] = {"RemoteAddress": "vpn.example.com", **more}
    if enabled is not None:
        settings_dict["OnDemandEnabled"] = enabled
    if rules is not None:
        settings_dict["OnDemandRules"] = rules
    return {"PayloadType": "com.apple.vpn.managed", "VPNType": "IKEv2", "IKEv2": settings_dict}


WIFI = Network("iOS", "WiFi", ssid="Cafe")


# --- matching as Apple documents it -----------------------------------------------------


def test_domain_matching_by_whole_labels() -> None:
    # NE matchDomains: suffix on whole labels
    assert domain_matches("example.com", "www.example.com")
    assert not domain_matches("example.com", "www.anotherexample.com")
    # DNSS: the * prefix is optional; neither matches a look-alike
    for pattern in ("*.example.com", "example.com"):
        assert domain_matches(pattern, "your.domain.example.com")
        assert not domain_matches(pattern, "mydomain-example.com")
    assert domain_matches("Example.COM", "host.example.com.")


def test_address_wildcard() -> None:
    # VPNY: "17.*" matches any server in 17.0.0.0/8
    assert address_matches("17.*", "17.1.2.3")
    assert not address_matches("17.*", "170.1.2.3")
    assert not address_matches("17.*", "18.1.2.3")
    assert address_matches("10.0.0.53", "10.0.0.53")
    assert not address_matches("10.0.0.53", "10.0.0.54")


# --- stage A ------------------------------------------------------------------------------


def test_trusted_wifi_exception_first() -> None:
    """paulmillr/encrypted-dns #44: trusted Wi-Fi disconnects, everything else connects."""
    payload = ikev2([{"SSIDMatch": ["Home"], "Action": "Disconnect"}, {"Action": "Connect"}])
    home = evaluate(payload, Network("iOS", "WiFi", ssid="Home"))
    assert (home.rule, home.action) == (0, "Disconnect")
    assert home.conditions[0].matched and "Home" in home.conditions[0].why
    cafe = evaluate(payload, WIFI)
    assert (cafe.rule, cafe.action) == (1, "Connect")
    assert [(c.rule, c.key, c.matched) for c in cafe.conditions] == [(0, "SSIDMatch", False)]
    cellular = evaluate(payload, Network("iOS", "Cellular"))
    assert cellular.rule == 1
    assert "not a Wi-Fi network" in cellular.conditions[0].why


def test_trusted_wifi_exception_after_catch_all_never_fires() -> None:
    payload = ikev2([{"Action": "Connect"}, {"SSIDMatch": ["Home"], "Action": "Disconnect"}])
    home = evaluate(payload, Network("iOS", "WiFi", ssid="Home"))
    assert (home.rule, home.action) == (0, "Connect")
    assert "no conditions" in home.why


def test_rule_order_on_wired_ethernet() -> None:
    """trailofbits/algo #138: a Mac on Ethernet connected because only Wi-Fi was excluded."""
    rules = [
        {"InterfaceTypeMatch": "WiFi", "SSIDMatch": ["Office"], "Action": "Disconnect"},
        {"InterfaceTypeMatch": "WiFi", "Action": "Connect"},
        {"Action": "Connect"},
    ]
    ethernet = Network("macOS", "Ethernet")
    result = evaluate(ikev2(rules), ethernet)
    assert (result.rule, result.action) == (2, "Connect")
    fixed = evaluate(
        ikev2([*rules[:2], {"InterfaceTypeMatch": "Ethernet", "Action": "Disconnect"}, rules[2]]),
        ethernet,
    )
    assert (fixed.rule, fixed.action) == (2, "Disconnect")


def test_missing_catch_all_is_undefined_not_guessed() -> None:
    payload = ikev2([{"InterfaceTypeMatch": "Cellular", "Action": "Connect"}])
    result = evaluate(payload, WIFI)
    assert result.rule is None and result.action is None and result.enabled
    assert "undefined" in result.why
    assert [c.matched for c in result.conditions] == [False]


def test_ethernet_rule_never_matches_on_ios() -> None:
    payload = ikev2(
        [{"InterfaceTypeMatch": "Ethernet", "Action": "Disconnect"}, {"Action": "Connect"}]
    )
    result = evaluate(payload, Network("iOS", "Ethernet"))
    assert result.rule == 1
    assert "iOS has no Ethernet" in result.conditions[0].why
    assert evaluate(payload, Network("macOS", "Ethernet")).rule == 0


def test_probe_only_after_other_conditions() -> None:
    probe = "https://trusted.example.com/ok"
    payload = ikev2(
        [
            {"InterfaceTypeMatch": "WiFi", "URLStringProbe": probe, "Action": "Disconnect"},
            {"Action": "Connect"},
        ]
    )
    inside = Network("iOS", "WiFi", probes=((probe, True),))
    assert evaluate(payload, inside).rule == 0
    outside = Network("iOS", "WiFi", probes=((probe, False),))
    assert evaluate(payload, outside).rule == 1
    unknown = evaluate(payload, Network("iOS", "WiFi"))
    assert unknown.rule == 1 and "taken as not reachable" in unknown.conditions[1].why
    cellular = evaluate(payload, Network("iOS", "Cellular", probes=((probe, True),)))
    assert cellular.conditions[1].why.startswith("not probed")


def test_modes_where_apple_disagrees() -> None:
    payload = ikev2(
        [
            {"DNSDomainMatch": ["corp.example.com"], "Action": "Disconnect"},
            {"DNSServerAddressMatch": ["10.*"], "Action": "Ignore"},
            {"Action": "Connect"},
        ]
    )
    second_domain = Network("iOS", "WiFi", search_domains=("home.lan", "corp.example.com"))
    assert evaluate(payload, second_domain).rule == 0  # schema: any search domain
    api = evaluate(payload, second_domain, Mode.API)  # NE: the default one only
    assert api.rule == 2 and api.mode is Mode.API
    assert "default search domain" in api.conditions[0].why
    mixed = Network("iOS", "WiFi", dns_servers=("10.0.0.1", "8.8.8.8"))
    assert evaluate(payload, mixed).rule == 1  # schema: any server
    assert evaluate(payload, mixed, Mode.API).rule == 2  # NE: each server
    inside = Network("iOS", "WiFi", dns_servers=("10.0.0.1", "10.0.0.2"))
    assert evaluate(payload, inside, Mode.API).rule == 1


def test_on_demand_off_or_absent() -> None:
    rules = [{"Action": "Connect"}]
    for enabled in (0, None):
        result = evaluate(ikev2(rules, enabled=enabled), WIFI)
        assert not result.enabled and result.rule is None and result.conditions == ()
        assert "off" in result.why
    assert evaluate(ikev2(rules, enabled=1), WIFI).rule == 0


def test_per_app_match_app_enabled_decides() -> None:
    payload = ikev2([{"Action": "Connect"}], enabled=0)
    payload["PayloadType"] = "com.apple.vpn.managed.applayer"
    payload["OnDemandMatchAppEnabled"] = True
    assert evaluate(payload, WIFI).rule == 0
    payload["OnDemandMatchAppEnabled"] = False
    payload["IKEv2"]["OnDemandEnabled"] = 1
    assert not evaluate(payload, WIFI).enabled
    del payload["OnDemandMatchAppEnabled"]
    assert evaluate(payload, WIFI).enabled  # absent: OnDemandEnabled decides


def test_per_app_without_rules_starts_for_its_apps() -> None:
    payload = ikev2(None, enabled=0)
    payload["PayloadType"] = "com.apple.vpn.managed.applayer"
    payload["OnDemandMatchAppEnabled"] = True
    result = evaluate(payload, WIFI)
    assert result.enabled and result.rule is None and "its apps" in result.why
    assert evaluate_connection(payload, result, "a.example.com", WIFI).vpn_starts is True


def test_watchos_only_disconnect() -> None:
    payload = ikev2([{"Action": "Connect", "InterfaceTypeMatch": "WiFi"}, {"Action": "Disconnect"}])
    result = evaluate(payload, Network("watchOS", "WiFi"))
    assert (result.rule, result.action) == (1, "Disconnect")
    assert "watchOS" in result.conditions[0].why
    assert evaluate(payload, Network("iOS", "WiFi")).rule == 0


def test_allow_uses_legacy_lists() -> None:
    payload = ikev2(
        [{"Action": "Allow"}],
        OnDemandMatchDomainsOnRetry=["corp.example.com"],
        OnDemandMatchDomainsNever=["public.corp.example.com"],
    )
    result = evaluate(payload, WIFI)
    assert result.action == "Allow" and "deprecated" in result.notes[0]
    starts = evaluate_connection(payload, result, "git.corp.example.com", WIFI, dns_ok=False)
    assert starts.vpn_starts is True
    excluded = evaluate_connection(payload, result, "www.public.corp.example.com", WIFI, False)
    assert excluded.vpn_starts is False and "Never" in excluded.why


def test_legacy_lists_without_rules() -> None:
    payload = ikev2(None, OnDemandMatchDomainsAlways=["example.com"])
    result = evaluate(payload, WIFI)
    assert result.enabled and result.rule is None and "legacy" in result.why
    # Always is treated as OnRetry: the VPN starts only when resolution fails
    assert evaluate_connection(payload, result, "a.example.com", WIFI, True).vpn_starts is False
    assert evaluate_connection(payload, result, "a.example.com", WIFI, False).vpn_starts is True
    assert evaluate_connection(payload, result, "a.example.org", WIFI, False).vpn_starts is False


# --- stage B ------------------------------------------------------------------------------

EVALUATE = {
    "Action": "EvaluateConnection",
    "ActionParameters": [
        # Apple's order: the more specific NeverConnect before the broader ConnectIfNeeded
        {"Domains": ["www.example.com"], "DomainAction": "NeverConnect"},
        {
            "Domains": ["*.example.com"],
            "DomainAction": "ConnectIfNeeded",
            "RequiredDNSServers": ["10.0.0.53"],
        },
        {
            "Domains": ["probe.example.net"],
            "DomainAction": "ConnectIfNeeded",
            "RequiredURLStringProbe": "https://intranet.example.net/health",
        },
    ],
}


def test_evaluate_connection_entries() -> None:
    payload = ikev2([EVALUATE])
    stage_a = evaluate(payload, WIFI)
    assert stage_a.action == "EvaluateConnection"
    never = evaluate_connection(payload, stage_a, "www.example.com", WIFI, dns_ok=False)
    assert (never.entry, never.domain_action, never.vpn_starts) == (0, "NeverConnect", False)
    failing = evaluate_connection(payload, stage_a, "intranet.example.com", WIFI, dns_ok=False)
    assert (failing.entry, failing.domain_action) == (1, "ConnectIfNeeded")
    assert failing.vpn_starts is True
    assert "10.0.0.53" in failing.why
    resolving = evaluate_connection(payload, stage_a, "intranet.example.com", WIFI, dns_ok=True)
    assert resolving.vpn_starts is False
    unknown = evaluate_connection(payload, stage_a, "intranet.example.com", WIFI)
    assert unknown.vpn_starts is None and "no outcome" in unknown.why
    other = evaluate_connection(payload, stage_a, "www.example.org", WIFI, dns_ok=False)
    assert other.entry is None and other.vpn_starts is None and "undefined" in other.why
    look_alike = evaluate_connection(payload, stage_a, "wwwexample.com", WIFI, dns_ok=False)
    assert look_alike.entry is None


def test_required_url_probe() -> None:
    payload = ikev2([EVALUATE])
    probe = "https://intranet.example.net/health"
    up = Network("iOS", "WiFi", probes=((probe, True),))
    down = Network("iOS", "WiFi", probes=((probe, False),))
    for network, starts in ((up, False), (down, True)):
        stage_a = evaluate(payload, network)
        result = evaluate_connection(payload, stage_a, "probe.example.net", network, dns_ok=True)
        assert (result.entry, result.vpn_starts) == (2, starts)


def test_other_actions_and_connection() -> None:
    for action, starts in (("Connect", True), ("Disconnect", False), ("Ignore", False)):
        payload = ikev2([{"Action": action}])
        stage_a = evaluate(payload, WIFI)
        assert evaluate_connection(payload, stage_a, "a.example.com", WIFI).vpn_starts is starts


def test_standard_networks_from_the_rules() -> None:
    payload = ikev2(
        [
            {"SSIDMatch": ["Office", "Lab"], "Action": "Disconnect"},
            {"DNSDomainMatch": ["*.corp.example.com"], "Action": "Disconnect"},
            {"DNSServerAddressMatch": ["10.*"], "Action": "Disconnect"},
            {"Action": "Connect"},
        ]
    )
    ios = {n.name: evaluate(payload, n.network).action for n in standard_networks(payload, "iOS")}
    assert ios == {
        "Cellular": "Connect",
        'Wi-Fi "Office"': "Disconnect",
        'Wi-Fi "Lab"': "Disconnect",
        "Wi-Fi, search domain corp.example.com": "Disconnect",
        "Wi-Fi, DNS server 10.0.0.1": "Disconnect",
        "Untrusted Wi-Fi": "Connect",
    }
    mac = [n.name for n in standard_networks(payload, "macOS")]
    assert mac[0] == "Ethernet" and "Cellular" not in mac


# --- properties ------------------------------------------------------------------------------

SSIDS = ["Home", "Office", "Cafe", "Lab"]
DOMAINS = ["example.com", "corp.example.com", "*.lab.example.org", "other.net"]
SERVERS = ["10.0.0.1", "10.*", "8.8.8.8", "192.168.1.*"]
PROBES = ["https://a.example.com/", "https://b.example.com/"]
condition_sets = st.fixed_dictionaries(
    {},
    optional={
        "InterfaceTypeMatch": st.sampled_from(["WiFi", "Cellular", "Ethernet"]),
        "SSIDMatch": st.lists(st.sampled_from(SSIDS), min_size=1, max_size=3, unique=True),
        "DNSDomainMatch": st.lists(st.sampled_from(DOMAINS), min_size=1, max_size=2, unique=True),
        "DNSServerAddressMatch": st.lists(
            st.sampled_from(SERVERS), min_size=1, max_size=2, unique=True
        ),
        "URLStringProbe": st.sampled_from(PROBES),
    },
)
actions = st.sampled_from(["Connect", "Disconnect", "Ignore", "EvaluateConnection"])
rules_strategy = st.lists(
    st.builds(lambda c, a: {**c, "Action": a}, condition_sets, actions), max_size=6
)
networks = st.builds(
    Network,
    platform=st.sampled_from(["iOS", "macOS", "tvOS", "visionOS"]),
    interface=st.sampled_from(["WiFi", "Cellular", "Ethernet", None]),
    ssid=st.one_of(st.none(), st.sampled_from(SSIDS)),
    search_domains=st.lists(
        st.sampled_from(["corp.example.com", "x.lab.example.org", "home.lan"]), max_size=2
    ).map(tuple),
    dns_servers=st.lists(st.sampled_from(["10.0.0.1", "10.2.3.4", "8.8.8.8"]), max_size=2).map(
        tuple
    ),
    probes=st.lists(st.tuples(st.sampled_from(PROBES), st.booleans()), max_size=2).map(tuple),
)
modes = st.sampled_from(list(Mode))


@SETTINGS
@given(rules_strategy, actions, networks, modes)
def test_a_final_catch_all_always_fires(
    rules: list[dict[str, Any]], last: str, network: Network, mode: Mode
) -> None:
    result = evaluate(ikev2([*rules, {"Action": last}]), network, mode)
    assert result.rule is not None and result.action is not None
    # every rule before the one that fired has a failing condition
    for index in range(result.rule):
        assert any(not c.matched for c in result.conditions_of(index))


def _disjoint(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """No network can match both rules."""
    one, two = first.get("InterfaceTypeMatch"), second.get("InterfaceTypeMatch")
    if one and two and one != two:
        return True
    a, b = first.get("SSIDMatch"), second.get("SSIDMatch")
    if a and b and not set(a) & set(b):
        return True
    for rule, other in ((first, second), (second, first)):
        if rule.get("SSIDMatch") and other.get("InterfaceTypeMatch") not in (None, "WiFi"):
            return True
    return False


@SETTINGS
@given(rules_strategy, st.data(), networks, modes)
def test_swapping_disjoint_neighbours_changes_nothing(
    rules: list[dict[str, Any]], data: st.DataObject, network: Network, mode: Mode
) -> None:
    rules = [*rules, {"Action": "Disconnect"}]
    pairs = [i for i in range(len(rules) - 1) if _disjoint(rules[i], rules[i + 1])]
    if not pairs:
        return
    at = data.draw(st.sampled_from(pairs))
    swapped = [*rules[:at], rules[at + 1], rules[at], *rules[at + 2 :]]
    before = evaluate(ikev2(rules), network, mode)
    after = evaluate(ikev2(swapped), network, mode)
    assert before.rule is not None and after.rule is not None
    assert rules[before.rule] is swapped[after.rule]
    assert before.action == after.action


# --- the analysis on real rule sets ----------------------------------------------------------


def _on_demand_problems(
    rules: list[dict[str, Any]],
    schema: Any,
    *targets: str,
    enabled: int = 1,
    codes: str = "on-demand-",
) -> list[Any]:
    from editor.core.model import Profile
    from editor.core.platforms import Target
    from editor.core.validation.context import Options
    from editor.core.validation.engine import validate_profile

    profile = Profile(
        {
            "PayloadType": "Configuration",
            "PayloadVersion": 1,
            "PayloadIdentifier": "com.example.profile",
            "PayloadUUID": "6E1D1D4A-1B3C-4C55-9E0B-2B1F6C7D8E9F",
            "PayloadContent": [
                {
                    **ikev2(rules, enabled=enabled),
                    "PayloadIdentifier": "com.example.vpn",
                    "PayloadUUID": "0C9F3C8E-6A55-4C2D-9E3B-7D1A2B3C4D5E",
                    "PayloadVersion": 1,
                }
            ],
        }
    )
    options = Options(targets=tuple(Target.parse(t) for t in targets))
    return [
        (p.severity.value, p.code, p.path[2:])
        for p in validate_profile(profile, schema, options)
        if p.code.startswith(codes)
    ]


def test_algo_captive_probe_is_advice_only(schema: Any) -> None:
    """algo's template connects when captive.apple.com answers over HTTP: a forged answer
    can only start the VPN, so this is advice; a Disconnect behind HTTP is a warning."""
    probe = "http://captive.apple.com/hotspot-detect.html"
    connect = [
        {"InterfaceTypeMatch": "WiFi", "URLStringProbe": probe, "Action": "Connect"},
        {"Action": "Disconnect"},
    ]
    assert _on_demand_problems(connect, schema) == [
        ("info", "on-demand-http-probe", ("IKEv2", "OnDemandRules", 0, "URLStringProbe"))
    ]
    disconnect = [{"URLStringProbe": probe, "Action": "Disconnect"}, {"Action": "Connect"}]
    assert _on_demand_problems(disconnect, schema) == [
        ("warning", "on-demand-http-probe", ("IKEv2", "OnDemandRules", 0, "URLStringProbe"))
    ]


def test_analysis_is_quiet_on_good_rules(schema: Any) -> None:
    rules = [
        {"InterfaceTypeMatch": "WiFi", "SSIDMatch": ["Office"], "Action": "Disconnect"},
        {"InterfaceTypeMatch": "Cellular", "Action": "Connect"},
        {**EVALUATE, "InterfaceTypeMatch": "WiFi"},
        {"Action": "Connect"},
    ]
    assert _on_demand_problems(rules, schema, "ios:17") == []
    # the same rules on a Mac: Cellular does not exist there
    assert _on_demand_problems(rules, schema, "macos:14") == [
        (
            "warning",
            "on-demand-interface-platform",
            ("IKEv2", "OnDemandRules", 1, "InterfaceTypeMatch"),
        )
    ]


@SETTINGS
@given(rules_strategy, networks, modes)
def test_a_rule_the_analysis_calls_shadowed_never_fires(
    rules: list[dict[str, Any]], network: Network, mode: Mode
) -> None:
    """The analysis and the evaluator agree: whatever the network and the reading, a rule
    covered by an earlier one (on-demand-shadowed) is never the one that fires."""
    from editor.core.validation.rules.on_demand import covers

    shadowed = {
        index
        for index, rule in enumerate(rules)
        if any(covers(earlier, rule) for earlier in rules[:index])
    }
    result = evaluate(ikev2(rules), network, mode)
    assert result.rule not in shadowed


def test_no_rule_analysis_while_on_demand_is_off(schema: Any) -> None:
    """With OnDemandEnabled 0 the device does not evaluate the rules: the schema says the
    rules are ignored, and the analysis adds nothing to it."""
    rules = [{"SSIDMatch": ["Home"], "Action": "Disconnect"}]
    assert _on_demand_problems(rules, schema, enabled=1) == [
        ("warning", "on-demand-no-catch-all", ("IKEv2", "OnDemandRules"))
    ]
    assert _on_demand_problems(rules, schema, enabled=0) == []
    assert _on_demand_problems(rules, schema, enabled=0, codes="not-applicable") == [
        ("warning", "not-applicable", ("IKEv2", "OnDemandRules"))
    ]


def test_an_early_catch_all_is_a_catch_all(schema: Any) -> None:
    """A rule without conditions covers every network wherever it stands: the rules after
    it are shadowed, but no network is left without a rule."""
    rules = [{"Action": "Connect"}, {"InterfaceTypeMatch": "WiFi", "Action": "Disconnect"}]
    assert _on_demand_problems(rules, schema, enabled=1) == [
        ("warning", "on-demand-shadowed", ("IKEv2", "OnDemandRules", 1))
    ]
