"""`vpn-profile simulate`: what the VPN's On Demand rules do on a given network.

    vpn-profile simulate FILE [--payload N|UUID] [--platform ios|macos|…]
        [--interface wifi|cellular|ethernet] [--ssid S] [--search-domain D]...
        [--dns-server IP]... [--probe URL=ok|fail]... [--host NAME [--dns ok|fail]]
        [--mode schema|api] [--format text|json] [--matrix]

Exit codes: 0 a rule fired (with --matrix: on every network), 1 no rule fired, 2 a file
that cannot be read or any other failure (one line naming the file). The JSON shapes are
a contract (README, "simulate"): rule and entry indexes count from 0, like key paths.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from editor.cli.common import EXIT_NO_RULE, EXIT_OK, CLIError, Command
from editor.core.model import Profile
from editor.core.on_demand import (
    INTERFACE_WORDS,
    ConnectionResult,
    Evaluation,
    Mode,
    Network,
    evaluate,
    evaluate_connection,
    standard_networks,
    vpn_payload_indexes,
)
from editor.core.platforms import PLATFORM_BY_LOWER, PLATFORMS
from editor.core.plisttypes import PlistDict

INTERFACE_BY_OPTION = {"wifi": "WiFi", "cellular": "Cellular", "ethernet": "Ethernet"}


def _probe(text: str) -> tuple[str, bool]:
    url, sep, outcome = text.rpartition("=")
    if not sep or not url or outcome not in ("ok", "fail"):
        raise argparse.ArgumentTypeError(f"{text!r} is not URL=ok or URL=fail")
    return url, outcome == "ok"


def add_parsers(commands: Any) -> None:
    simulate = commands.add_parser(
        "simulate",
        help="show which On Demand rule fires on a network, and why",
        epilog="""
example:
  vpn-profile simulate corp-vpn.mobileconfig --interface wifi --ssid Office --format json

exit status:
  0  a rule fired
  1  no rule fired (the behaviour is undefined)
  2  the file could not be read
""",
    )
    simulate.add_argument("file", metavar="FILE")
    simulate.add_argument(
        "--payload", metavar="N|UUID", help="the VPN payload: index in PayloadContent or UUID"
    )
    simulate.add_argument("--platform", choices=[p.lower() for p in PLATFORMS], default="ios")
    simulate.add_argument("--interface", choices=tuple(INTERFACE_BY_OPTION), default="wifi")
    simulate.add_argument("--ssid", metavar="S", help="the Wi-Fi network's name")
    simulate.add_argument(
        "--search-domain",
        action="append",
        default=[],
        metavar="D",
        help="a DNS search domain, the default one first; repeatable",
    )
    simulate.add_argument(
        "--dns-server",
        action="append",
        default=[],
        metavar="IP",
        help="a DNS server of the network; repeatable",
    )
    simulate.add_argument(
        "--probe",
        action="append",
        default=[],
        type=_probe,
        metavar="URL=ok|fail",
        help="whether a probe URL answers HTTP 200 (ok) or not (fail); unlisted probes fail",
    )
    simulate.add_argument("--host", metavar="NAME", help="a host an app connects to")
    simulate.add_argument(
        "--dns", choices=("ok", "fail"), help="whether resolving --host succeeds (with --host)"
    )
    simulate.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.SCHEMA.value)
    simulate.add_argument("--format", choices=("text", "json"), default="text")
    simulate.add_argument(
        "--matrix",
        action="store_true",
        help="the action on standard networks (cellular, Ethernet, the rules' Wi-Fi networks)",
    )


def _fail(message: str) -> Exception:
    return CLIError(message)


def _pick_payload(profile: Profile, name: str, wanted: str | None) -> tuple[int, PlistDict]:
    payloads = profile.payloads
    vpn = vpn_payload_indexes(payloads)
    if wanted is None:
        if not vpn:
            encrypted = profile.is_encrypted
            hint = " (the payloads are encrypted: decrypt them first)" if encrypted else ""
            raise _fail(f"{name}: no VPN payload{hint}")
        index = vpn[0]
    elif wanted.isdigit():
        index = int(wanted)
        if index >= len(payloads):
            raise _fail(f"{name}: there is no payload {index} (PayloadContent has {len(payloads)})")
        if index not in vpn:
            raise _fail(f"{name}: payload {index} is not a VPN payload")
    else:
        found = [
            i for i in vpn if str(payloads[i].get("PayloadUUID", "")).lower() == wanted.lower()
        ]
        if not found:
            raise _fail(f"{name}: no VPN payload has PayloadUUID {wanted}")
        index = found[0]
    payload = payloads[index]
    assert isinstance(payload, dict)
    return index, payload


def _network(args: argparse.Namespace) -> Network:
    return Network(
        platform=PLATFORM_BY_LOWER[args.platform],
        interface=INTERFACE_BY_OPTION[args.interface],
        ssid=args.ssid,
        search_domains=tuple(args.search_domain),
        dns_servers=tuple(args.dns_server),
        probes=tuple(args.probe),
    )


def describe_network(network: Network) -> str:
    parts = [network.platform, INTERFACE_WORDS[network.interface]]
    if network.interface == "WiFi":
        parts[-1] += f' "{network.ssid}"' if network.ssid is not None else " (no SSID given)"
    if network.search_domains:
        parts.append("search domains " + ", ".join(network.search_domains))
    if network.dns_servers:
        parts.append("DNS servers " + ", ".join(network.dns_servers))
    for url, ok in network.probes:
        parts.append(f"{url} {'answers' if ok else 'fails'}")
    return ", ".join(parts)


def cmd_simulate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.dns is not None and args.host is None:
        raise _fail("simulate: --dns needs --host")
    profile = Profile.read(args.file)
    index, payload = _pick_payload(profile, args.file, args.payload)
    mode = Mode(args.mode)
    if args.matrix:
        return _matrix(args, index, payload, mode, out)
    network = _network(args)
    result = evaluate(payload, network, mode)
    connection = None
    if args.host is not None:
        dns_ok = None if args.dns is None else args.dns == "ok"
        connection = evaluate_connection(payload, result, args.host, network, dns_ok)
    if args.format == "json":
        document = {
            "file": args.file,
            "payload": index,
            "mode": mode.value,
            "rule": result.rule,
            "action": result.action,
            "conditions": [c.as_json() for c in result.conditions],
            "connection": None if connection is None else connection.as_json(),
        }
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        _print_text(args.file, index, network, result, connection, out)
    return EXIT_OK if result.fired else EXIT_NO_RULE


def _print_text(
    name: str,
    index: int,
    network: Network,
    result: Evaluation,
    connection: ConnectionResult | None,
    out: TextIO,
) -> None:
    where = f", {result.settings} dictionary" if result.settings else ""
    out.write(f"{name}: payload {index}{where}, mode {result.mode.value}\n")
    out.write(f"network: {describe_network(network)}\n")
    shown = {c.rule for c in result.conditions}
    last = result.rule if result.rule is not None else max(shown, default=-1)
    for rule in range(last + 1):
        conditions = result.conditions_of(rule)
        if not conditions:
            out.write(f"  rule {rule}: no conditions\n")
        for condition in conditions:
            verdict = "yes" if condition.matched else "no"
            out.write(f"  rule {rule} {condition.key}: {verdict}: {condition.why}\n")
    if result.fired:
        out.write(f"fires: rule {result.rule}, action {result.action}: {result.why}\n")
    else:
        out.write(f"no rule fires: {result.why}\n")
    for note in result.notes:
        out.write(f"note: {note}\n")
    if connection is not None:
        starts = {True: "yes", False: "no", None: "undecided"}[connection.vpn_starts]
        entry = "" if connection.entry is None else f" (entry {connection.entry}, "
        entry += "" if connection.entry is None else f"{connection.domain_action})"
        out.write(f"host {connection.host}{entry}: VPN starts: {starts}: {connection.why}\n")


def _matrix(
    args: argparse.Namespace, index: int, payload: PlistDict, mode: Mode, out: TextIO
) -> int:
    platform = PLATFORM_BY_LOWER[args.platform]
    rows = []
    for named in standard_networks(payload, platform):
        result = evaluate(payload, named.network, mode)
        rows.append((named.name, named.network, result))
    if args.format == "json":
        document = {
            "file": args.file,
            "payload": index,
            "networks": [
                {
                    "name": name,
                    "context": network.as_json(),
                    "rule": result.rule,
                    "action": result.action,
                }
                for name, network, result in rows
            ],
        }
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(f"{args.file}: payload {index}, {platform}, mode {mode.value}\n")
        width = max((len(name) for name, _, _ in rows), default=0)
        for name, _, result in rows:
            if result.fired:
                verdict = f"rule {result.rule}: {result.action}"
            elif not result.enabled:
                verdict = "On Demand is off"
            else:
                verdict = "no rule fires (undefined)"
            out.write(f"  {name.ljust(width)}  {verdict}\n")
    return EXIT_OK if all(result.fired for _, _, result in rows) else EXIT_NO_RULE


COMMANDS: dict[str, Command] = {"simulate": cmd_simulate}
