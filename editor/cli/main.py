"""`vpn-profile`: the command-line tool on the same core as the editor.

Exit codes and output shapes are a contract that scripts rely on:
validate: 0 no errors, 1 errors found, 2 a file could not be read.
Any failure prints one line naming the file and what is wrong, exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any, TextIO

from editor import __version__
from editor.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEMS,
    CLIError,
    Parser,
    load_schema,
)
from editor.core.model import Profile
from editor.core.platforms import PLATFORMS, SCHEMA_PLATFORMS, Target
from editor.core.plistio import ProfileReadError, ProfileWriteError, write_atomic
from editor.core.schema import KeySpec, PayloadSchema


def _target(text: str) -> Target:
    try:
        return Target.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def command_modules() -> list[ModuleType]:
    """The modules that add command groups: each has add_parsers(commands) and COMMANDS.
    Imported when the parser is built, so `--version` stays quick."""
    from editor.cli import fix, scale, signing, simulate

    return [signing, scale, simulate, fix]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="vpn-profile",
        description="Check, convert and inspect Apple VPN configuration profiles (.mobileconfig).",
        epilog="""
example:
  vpn-profile validate --target ios:17 --target macos:14 corp-vpn.mobileconfig

exit status:
  0  success
  2  a failure, reported as one line naming the file and the reason

Each command's --help shows its options, its example and its exit status.
""",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    _add_validate(commands)
    _add_convert(commands)
    _add_schema(commands)
    _add_show(commands)
    for module in command_modules():
        module.add_parsers(commands)
    return parser


def _add_validate(commands: Any) -> None:
    validate = commands.add_parser(
        "validate",
        help="check profiles against the schema and the rules",
        epilog="""
example:
  vpn-profile validate --format json --target ios:17 corp-vpn.mobileconfig

exit status:
  0  no errors (warnings allowed)
  1  errors found
  2  a file could not be read
""",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument(
        "--target",
        action="append",
        type=_target,
        default=[],
        metavar="PLATFORM:VERSION",
        help="a platform to deploy to (ios, ipados, macos, tvos, visionos, watchos), "
        "optionally with its oldest version; repeatable",
    )
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument(
        "--strict",
        action="store_true",
        help="treat plist types that devices coerce (<true/> for 1) as errors, as Apple "
        "Business Manager and MDM servers that check types exactly do",
    )
    from editor.cli.fix import add_channel_option

    add_channel_option(validate)


def _add_convert(commands: Any) -> None:
    convert = commands.add_parser(
        "convert",
        help="read any supported profile and write it as XML or binary",
        epilog="""
example:
  vpn-profile convert --format binary corp-vpn.mobileconfig corp-vpn.binary.mobileconfig
""",
    )
    convert.add_argument("input", metavar="IN")
    convert.add_argument("output", metavar="OUT")
    convert.add_argument("--format", choices=("xml", "binary"), default="xml")


def _add_schema(commands: Any) -> None:
    schema = commands.add_parser(
        "schema",
        help="list every key the editor knows",
        epilog="""
example:
  vpn-profile schema --format json
""",
    )
    schema.add_argument("--format", choices=("text", "json"), default="text")


def _add_show(commands: Any) -> None:
    show = commands.add_parser(
        "show",
        help="summarize a profile",
        epilog="""
example:
  vpn-profile show corp-vpn.signed.mobileconfig
""",
    )
    show.add_argument("file", metavar="FILE")
    show.add_argument("--canonical", action="store_true", help="every value as a sorted line")
    show.add_argument("--show-secrets", action="store_true", help="with --canonical: unmasked")
    from editor.cli.fix import add_channel_option

    add_channel_option(show)


# --- validate ------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from editor.core.validation.context import Options
    from editor.core.validation.engine import validate_profile
    from editor.core.validation.problems import Severity
    from editor.core.validation.rules.profile import cross_profile_problems

    schema = load_schema()
    options = Options(targets=tuple(args.target), strict=args.strict, channel=args.channel)
    results: list[dict[str, Any]] = []
    loaded: list[tuple[str, Profile]] = []
    unreadable = False
    any_error = False
    # Reading and checking make a great many small objects and no reference cycles: the
    # cycle collector would only walk them again and again (about 3% of a large file).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for name in args.files:
            try:
                profile = Profile.read(name)
            except ProfileReadError as exc:
                unreadable = True
                results.append({"file": name, "error": exc.reason, "problems": []})
                continue
            loaded.append((name, profile))
            results.append({"file": name, "problems": validate_profile(profile, schema, options)})
    finally:
        if collecting:
            gc.enable()
    cross = cross_profile_problems(loaded)
    for result in results:
        result["problems"].extend(cross.get(result["file"], []))
        if any(p.severity is Severity.ERROR for p in result["problems"]):
            any_error = True
    if args.format == "json":
        document = {
            "files": [
                {
                    "file": r["file"],
                    **({"error": r["error"]} if "error" in r else {}),
                    "problems": [p.as_json() for p in r["problems"]],
                }
                for r in results
            ]
        }
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for result in results:
            if "error" in result:
                err.write(f"{result['file']}: {result['error']}\n")
            for problem in result["problems"]:
                out.write(
                    f"{result['file']}: {problem.severity.value}: "
                    f"{problem.path_text}: {problem.message}\n"
                )
    if unreadable:
        return EXIT_FAILURE
    return EXIT_PROBLEMS if any_error else EXIT_OK


# --- convert ---------------------------------------------------------------------------


def cmd_convert(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    profile = Profile.read(args.input)
    try:
        data = profile.to_bytes(args.format)
    except ValueError as exc:
        raise CLIError(f"{args.input}: cannot be written as {args.format}: {exc}") from None
    try:
        write_atomic(args.output, data)
    except ProfileWriteError as exc:
        raise CLIError(str(exc)) from None
    if profile.signature is not None:
        err.write(f"{args.input}: note: the output is not signed; sign it again if needed\n")
    for note in profile.read_notes:
        err.write(f"{args.input}: note: {note}\n")
    return EXIT_OK


# --- schema ------------------------------------------------------------------------------


def _availability_json(spec_availability: Any) -> dict[str, str | None]:
    result: dict[str, str | None] = {}
    for platform in PLATFORMS:
        support = spec_availability[platform]
        result[platform] = None if support.introduced is None else str(support.introduced)
    return result


def _key_entries(payload: PayloadSchema) -> list[dict[str, Any]]:
    entries = []
    for spec in payload.walk():
        if not spec.name:
            continue  # array items are part of their array's path
        entry: dict[str, Any] = {
            "path": spec.path,
            "type": spec.type,
            "availability": _availability_json(spec.availability),
        }
        entry.update(_key_details(spec))
        entries.append(entry)
    return entries


def _key_details(spec: KeySpec) -> dict[str, Any]:
    details: dict[str, Any] = {"required": spec.required}
    if spec.title:
        details["title"] = spec.title
    if spec.description:
        details["description"] = spec.description
    if spec.has_default:
        details["default"] = spec.default
    if spec.values is not None:
        details["values"] = list(spec.values)
    if spec.minimum is not None or spec.maximum is not None:
        details["range"] = {"min": spec.minimum, "max": spec.maximum}
    if spec.format:
        details["format"] = spec.format
    if spec.secret:
        details["secret"] = True
    if spec.item is not None and spec.type == "array":
        details["item_type"] = spec.item.type
    deprecated = {p: str(s.deprecated) for p, s in spec.availability.items() if s.deprecated}
    if deprecated:
        details["deprecated"] = deprecated
    removed = {p: str(s.removed) for p, s in spec.availability.items() if s.removed}
    if removed:
        details["removed"] = removed
    return details


def cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    schema = load_schema()
    payloads = [
        schema.configuration,
        *sorted(schema.payloads.values(), key=lambda p: p.payload_type),
    ]
    if args.format == "json":
        document = {
            "payloads": [
                {
                    "type": p.payload_type,
                    "title": p.title,
                    "availability": _availability_json(p.availability),
                    "keys": _key_entries(p),
                }
                for p in payloads
            ]
        }
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return EXIT_OK
    for payload in payloads:
        out.write(f"{payload.payload_type}  ({payload.title})\n")
        for spec in payload.walk():
            if not spec.name:
                continue
            where = ", ".join(
                f"{platform} {spec.availability[platform].introduced}"
                for platform in SCHEMA_PLATFORMS
                if spec.availability[platform].introduced is not None
            )
            required = " required" if spec.required else ""
            out.write(f"  {spec.path}: {spec.type}{required}  [{where or 'nowhere'}]\n")
    return EXIT_OK


# --- show ----------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.canonical:
        from editor.cli.scale import show_canonical

        return show_canonical(args, out, err)
    profile = Profile.read(args.file)
    schema = load_schema()
    root = profile.root
    out.write(f"File:        {args.file}\n")
    out.write(f"Format:      {profile.source_format}{', signed' if profile.signature else ''}\n")
    out.write(f"Name:        {root.get('PayloadDisplayName', '(none)')}\n")
    out.write(f"Identifier:  {root.get('PayloadIdentifier', '(none)')}\n")
    out.write(f"UUID:        {root.get('PayloadUUID', '(none)')}\n")
    if "PayloadOrganization" in root:
        out.write(f"Organization: {root['PayloadOrganization']}\n")
    if profile.signature is not None:
        signer = profile.signature.signer
        if signer is not None:
            out.write(f"Signed by:   {signer.subject}\n")
            out.write(f"  issuer:    {signer.issuer}\n")
            out.write(f"  valid:     {signer.not_before:%Y-%m-%d} to {signer.not_after:%Y-%m-%d}\n")
        else:
            out.write("Signed by:   (signer certificate not included)\n")
        if profile.signature.signing_time is not None:
            out.write(f"  signed at: {profile.signature.signing_time:%Y-%m-%d %H:%M:%S %Z}\n")
        out.write("  (the signature itself is not checked here)\n")
    if profile.is_encrypted:
        out.write("Encrypted:   yes (the payloads are in EncryptedPayloadContent)\n")
    from editor.core.validation.engine import fragment_schema

    fragment = fragment_schema(profile, schema)
    if fragment is not None:
        out.write(
            f"Fragment:    a bare {fragment.title} payload ({fragment.payload_type}), "
            "not a profile\n"
        )
    payloads = profile.payloads
    out.write(f"Payloads:    {len(payloads)}\n")
    for index, payload in enumerate(payloads, start=1):
        if not isinstance(payload, dict):
            out.write(f"  {index}. (not a dictionary)\n")
            continue
        kind = payload.get("PayloadType", "(no PayloadType)")
        payload_schema = schema.payload(kind) if isinstance(kind, str) else None
        title = payload_schema.title if payload_schema else "unknown type"
        name = payload.get("PayloadDisplayName") or payload.get("UserDefinedName") or ""
        line = f"  {index}. {kind} ({title})"
        if name:
            line += f": {name}"
        vpn_type = payload.get("VPNType")
        if isinstance(vpn_type, str):
            line += f" [VPNType {vpn_type}"
            subtype = payload.get("VPNSubType")
            line += f", {subtype}]" if isinstance(subtype, str) and subtype else "]"
        out.write(line + "\n")
    if args.channel != "none":
        _show_variables(profile, args.channel, out)
    return EXIT_OK


def _show_variables(profile: Profile, channel_id: str, out: TextIO) -> None:
    """The channel's variables in the profile and what the preview fills in."""
    from editor.core.channels import channel, variables_in
    from editor.core.model import path_text

    chosen = channel(channel_id)
    out.write(f"Channel:     {chosen.title}\n")
    if not chosen.fills_variables:
        return
    found = variables_in(profile.root, chosen)
    out.write(f"Variables:   {len(found)}\n")
    for path, token, sample in found:
        shown = f"-> {sample!r} (sample)" if sample is not None else "(not filled in)"
        out.write(f"  {path_text(path)}: {token} {shown}\n")


COMMANDS = {
    "validate": cmd_validate,
    "convert": cmd_convert,
    "schema": cmd_schema,
    "show": cmd_show,
}


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        # usage errors, --help and --version go to the given streams too
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_FAILURE
    handlers = dict(COMMANDS)
    for module in command_modules():
        handlers.update(module.COMMANDS)
    try:
        return handlers[args.command](args, out, err)
    except ProfileReadError as exc:
        err.write(f"{exc}\n")
        return EXIT_FAILURE
    except CLIError as exc:
        err.write(f"{exc}\n")
        return EXIT_FAILURE
    except BrokenPipeError:
        return EXIT_FAILURE
    except KeyboardInterrupt:
        err.write("vpn-profile: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # last resort: one line, never a traceback
        name = (
            getattr(args, "file", None)
            or getattr(args, "input", None)
            or ", ".join(getattr(args, "files", []))
        )
        err.write(f"{name or 'vpn-profile'}: unexpected failure: {type(exc).__name__}: {exc}\n")
        return EXIT_FAILURE

