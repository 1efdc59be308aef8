"""`vpn-profile fix|export-payload`: quick fixes and payload fragments.

    vpn-profile fix FILE... [-o OUT] [--code CODE]... [--dry-run] [--format text|json]
                    [--channel CHANNEL] [--on-demand-action Connect|Disconnect|Ignore]
                    [--passphrase-file F]
    vpn-profile export-payload FILE --payload N|UUID [-o OUT]

fix applies every mechanical, safe fix (editor.core.fixes) to each file, in place
(atomically) or to OUT, and prints one line per change. Exit: 0 no error remains, 1 errors
without a fix remain, 2 a file could not be read (or written).
JSON: {"files": [{"file", "output", "fixed": [{"code", "path", "before", "after",
"description"}], "remaining": [{"severity", "code", "path", "message"}]}]}; "output" is
the file written, null when nothing was written (--dry-run, no change, a signed file kept).

A signed file is never rewritten in place: the fixes would end its signature, so the
original is kept and the fixed profile can be written with -o OUT (unsigned; sign it
again). With no change to make, -o OUT gets the original bytes, signature and all.

export-payload writes one payload as the bare <dict> Workspace ONE's custom settings take
(standard output, or OUT atomically). Exit 0, or 2 when the file or payload is not found.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from editor.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS, CLIError, Command, load_schema

if TYPE_CHECKING:
    from editor.core.fixes import FixRun
    from editor.core.model import Profile
    from editor.core.schema import Schema
    from editor.core.validation.problems import Problem



def add_parsers(commands: Any) -> None:
    """Add these sub-commands to the `vpn-profile` parser."""
    from editor.core.fixes import CATCH_ALL_ACTIONS

    fix = commands.add_parser(
        "fix",
        help="apply the mechanical, safe fixes (exit 0 no error remains, 1 errors remain, "
        "2 unreadable)",
        epilog="""
example:
  vpn-profile fix corp-vpn.mobileconfig -o corp-vpn.fixed.mobileconfig --format json

exit status:
  0  no error remains
  1  errors without a fix remain
  2  a file could not be read
""",
    )
    fix.add_argument("files", nargs="+", metavar="FILE")
    fix.add_argument(
        "-o", "--output", metavar="OUT", help="write the fixed profile here (one FILE only)"
    )
    fix.add_argument(
        "--code",
        action="append",
        default=None,
        metavar="CODE",
        help="fix only problems with this code (repeatable; see validate's codes)",
    )
    fix.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    fix.add_argument("--format", choices=("text", "json"), default="text")
    fix.add_argument(
        "--on-demand-action",
        choices=CATCH_ALL_ACTIONS,
        help="the action of the catch-all rule added at the end of On Demand rules "
        "(without it, that fix is left out)",
    )
    fix.add_argument(
        "--passphrase-file",
        metavar="F",
        help="the PKCS#12 passphrase for re-encoding an identity whose profile stores none "
        "(first line of F)",
    )
    add_channel_option(fix)

    export = commands.add_parser(
        "export-payload",
        help="write one payload as a bare <dict> (Workspace ONE custom settings)",
        epilog="""
example:
  vpn-profile export-payload corp-vpn.mobileconfig --payload 1 -o vpn-payload.xml
""",
    )
    export.add_argument("file", metavar="FILE")
    export.add_argument(
        "--payload",
        required=True,
        metavar="N|UUID",
        help="the payload's number as 'show' lists it (from 1) or its PayloadUUID",
    )
    export.add_argument("-o", "--output", metavar="OUT", help="default: standard output")


def add_channel_option(parser: argparse.ArgumentParser) -> None:
    """--channel, shared by validate, fix and show."""
    from editor.core.channels import CHANNEL_IDS

    parser.add_argument(
        "--channel",
        choices=CHANNEL_IDS,
        default="none",
        help="the MDM the profile is deployed through: decides which variables ($EMAIL, "
        "{{mail}}, {EmailAddress}) are recognized and previewed, and which limits apply",
    )


def _fail(message: str) -> Exception:
    return CLIError(message)


# --- fix -----------------------------------------------------------------------------------


def _validator(schema: Schema, channel: str) -> Callable[[Profile], list[Problem]]:
    from editor.core.validation.context import Options
    from editor.core.validation.engine import validate_profile

    options = Options(channel=channel)

    def validate(profile: Profile) -> list[Problem]:
        return validate_profile(profile, schema, options)

    return validate


def _parameters(args: argparse.Namespace) -> dict[str, str]:
    parameters: dict[str, str] = {}
    if args.on_demand_action:
        parameters["action"] = args.on_demand_action
    if args.passphrase_file:
        try:
            lines = Path(args.passphrase_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(f"{args.passphrase_file}: cannot be read ({exc})") from None
        if lines and lines[0]:
            parameters["passphrase"] = lines[0]
    return parameters


def _change_json(code: str, description: str, change: Any) -> dict[str, Any]:
    return {
        "code": code,
        "path": change.path_text,
        "before": change.before_text,
        "after": change.after_text,
        "description": description,
    }


def cmd_fix(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from editor.core.channels import channel
    from editor.core.fixes import FIX_KINDS, fix_profile
    from editor.core.model import Profile
    from editor.core.plistio import ProfileReadError
    from editor.core.validation.problems import Severity

    if args.output and len(args.files) > 1:
        raise _fail("-o OUT takes one FILE; without it, each file is fixed in place")
    schema = load_schema()
    validate = _validator(schema, args.channel)
    parameters = _parameters(args)
    codes = set(args.code) if args.code else None
    kinds = None
    if channel(args.channel).fragments and not (codes and "profile-type" in codes):
        # the channel takes bare payloads (custom settings): keep a fragment one
        kinds = set(FIX_KINDS) - {"wrap-in-profile"}
    results: list[dict[str, Any]] = []
    failed = False
    errors_remain = False
    for name in args.files:
        try:
            profile = Profile.read(name)
        except ProfileReadError as exc:
            failed = True
            err.write(f"{exc}\n")
            results.append({"file": name, "output": None, "fixed": [], "remaining": []})
            continue
        original = validate(profile)
        run = fix_profile(
            profile, schema, validate, codes=codes, parameters=parameters, kinds=kinds
        )
        output, remaining = _write_result(args, name, profile, run, original, err)
        if output == "":
            failed = True
            output = None
        for problem, fix, why in run.skipped:
            hint = ""
            if fix.parameter is not None and fix.parameter.name == "action":
                hint = " (give --on-demand-action)"
            elif fix.parameter is not None and fix.parameter.name == "passphrase":
                hint = " (give --passphrase-file F)"
            err.write(f"{name}: {problem.path_text}: not fixed: {why}{hint}\n")
        if any(p.severity is Severity.ERROR for p in remaining):
            errors_remain = True
        results.append(
            {
                "file": name,
                "output": output,
                "fixed": [
                    _change_json(applied.problem.code, applied.fix.description, change)
                    for applied in run.applied
                    for change in applied.changes
                ],
                "remaining": [p.as_json() for p in remaining],
            }
        )
    _report(args, results, out)
    if failed:
        return EXIT_FAILURE
    return EXIT_PROBLEMS if errors_remain else EXIT_OK


def _write_result(
    args: argparse.Namespace,
    name: str,
    profile: Profile,
    run: FixRun,
    original: list[Problem],
    err: TextIO,
) -> tuple[str | None, list[Problem]]:
    """Write what the run changed; return the file written (None: nothing, "": writing
    failed) and the problems the file on disk (or OUT) now has."""
    from editor.core.plistio import ProfileWriteError, write_atomic

    target = args.output or name
    if args.dry_run:
        return None, run.remaining
    signed = profile.signature is not None
    try:
        if not run.changed:
            if not args.output:
                return None, run.remaining
            source = Path(name).read_bytes()  # unchanged: the original bytes, signature kept
            write_atomic(target, source)
            return target, run.remaining
        if signed and not args.output:
            err.write(
                f"{name}: signed: the fixes would end the signature's validity, so the file "
                "is kept as it is; write the fixed profile with -o OUT and sign it again\n"
            )
            return None, original
        binary = profile.source_format == "binary" and not signed
        write_atomic(target, profile.to_bytes("binary" if binary else "xml"))
    except (OSError, ProfileWriteError, ValueError) as exc:
        err.write(f"{target}: cannot be written: {exc}\n")
        return "", original
    if signed:
        err.write(
            f"{target}: not signed: the signature of {name} does not cover the fixed "
            "content; sign it again\n"
        )
    return target, run.remaining


def _report(args: argparse.Namespace, results: list[dict[str, Any]], out: TextIO) -> None:
    if args.format == "json":
        json.dump({"files": results}, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    for result in results:
        name = result["file"]
        for change in result["fixed"]:
            out.write(
                f"{name}: {change['path'] or '(profile)'}: {change['before']} -> "
                f"{change['after']} ({change['description']})\n"
            )
        for problem in result["remaining"]:
            if problem["severity"] != "info":
                out.write(
                    f"{name}: {problem['severity']}: {problem['path']}: {problem['message']}\n"
                )


# --- export-payload ------------------------------------------------------------------------


def cmd_export_payload(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from editor.core.fragments import PayloadNotFoundError, find_payload, payload_fragment_xml
    from editor.core.model import Profile
    from editor.core.plistio import ProfileWriteError, write_atomic

    profile = Profile.read(args.file)
    if profile.is_encrypted and not profile.payloads:
        raise _fail(f"{args.file}: the payloads are encrypted; decrypt the profile first")
    try:
        _index, payload = find_payload(profile, args.payload)
    except PayloadNotFoundError as exc:
        raise _fail(f"{args.file}: {exc}") from None
    data = payload_fragment_xml(payload)
    if args.output:
        try:
            write_atomic(args.output, data)
        except ProfileWriteError as exc:
            raise _fail(str(exc)) from None
    else:
        out.write(data.decode("utf-8"))
    return EXIT_OK


COMMANDS: dict[str, Command] = {
    "fix": cmd_fix,
    "export-payload": cmd_export_payload,
}
