"""`vpn-profile diff|import|render|export-declarations`: working with many profiles.

    vpn-profile diff A B [--format text|json] [--show-secrets] [--identity FILE.p12 ...]
    vpn-profile show --canonical FILE [--show-secrets]     (see editor.cli's show)
    vpn-profile import wireguard|openvpn FILE [-o OUT] [--platform ios|macos]
                       [--name NAME] [--identifier BASE]

diff exit codes: 0 the profiles are the same, 1 they differ, 2 a file could not be read.
import: 0 written (warnings on stderr), 1 written but validation found errors, 2 refused.
JSON: {"a", "b", "differences": [{"kind", "path", "before", "after"}]} (editor.core.diff).

Nothing heavy is imported at module level: `vpn-profile validate` must stay quick.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from editor.core.model import Profile
    from editor.core.schema import Schema

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]

EXIT_OK = 0
EXIT_DIFFERENT = 1
EXIT_FAILURE = 2


def add_parsers(commands: Any) -> None:
    """Add these sub-commands to the `vpn-profile` parser."""
    from editor.cli_signing import _identity_options

    diff = commands.add_parser(
        "diff",
        help="list what differs between two profiles, by key path "
        "(exit 0 same, 1 different, 2 unreadable)",
    )
    diff.add_argument("a", metavar="A")
    diff.add_argument("b", metavar="B")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.add_argument(
        "--show-secrets", action="store_true", help="print passwords and keys instead of masking"
    )
    _identity_options(diff, chain=False)  # to decrypt encrypted payloads

    imports = commands.add_parser(
        "import", help="make a profile from a WireGuard (.conf) or OpenVPN (.ovpn) configuration"
    )
    imports.add_argument("kind", choices=("wireguard", "openvpn"))
    imports.add_argument("file", metavar="FILE")
    imports.add_argument(
        "-o", "--output", metavar="OUT", help="the profile to write (default: standard output)"
    )
    imports.add_argument("--platform", choices=("ios", "macos"), default="ios")
    imports.add_argument("--name", help="the connection's name (default: the file's name)")
    imports.add_argument(
        "--identifier",
        default="com.example.vpn",
        metavar="BASE",
        help="reverse-DNS base of the PayloadIdentifiers (default com.example.vpn)",
    )


def _fail(message: str) -> Exception:
    from editor.cli import CLIError

    return CLIError(message)


def _schema() -> Schema:
    from editor.cli import _load_schema

    return _load_schema()


def _has_identity(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "identity", None) or getattr(args, "key", None))


def _readable_profile(path: str, args: argparse.Namespace, err: TextIO) -> Profile:
    """The profile at path, its payloads decrypted when an identity is given."""
    from editor.core.model import Profile

    profile = Profile.read(path)
    if "EncryptedPayloadContent" not in profile.root:
        return profile
    if not _has_identity(args):
        err.write(
            f"{path}: note: the payloads are encrypted and compared as encrypted data; "
            "give --identity (or --key/--cert) to decrypt them\n"
        )
        return profile
    from editor.cli_signing import _identity
    from editor.core.encryption import EncryptionError, decrypt_profile

    args.input = path  # named in the identity's messages
    try:
        root = decrypt_profile(profile.root, _identity(args, chain=False), path)
    except EncryptionError as exc:
        raise _fail(str(exc)) from None
    return Profile(root, profile.source_format, profile.signature, profile.read_notes)


# --- diff -------------------------------------------------------------------------------------


def cmd_diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from editor.core.diff import diff_roots, difference_text

    first = _readable_profile(args.a, args, err)
    second = _readable_profile(args.b, args, err)
    differences = diff_roots(first.root, second.root, _schema(), show_secrets=args.show_secrets)
    if (first.signature is None) != (second.signature is None):
        signed = args.a if first.signature is not None else args.b
        err.write(f"{signed}: note: only this file is signed; signatures are not compared\n")
    if args.format == "json":
        document = {
            "a": args.a,
            "b": args.b,
            "differences": [difference.as_json() for difference in differences],
        }
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for difference in differences:
            out.write(difference_text(difference) + "\n")
    return EXIT_DIFFERENT if differences else EXIT_OK


# --- show --canonical ------------------------------------------------------------------------


def show_canonical(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The profile as sorted `path = value` lines (for `git diff` through textconv)."""
    from editor.core.diff import canonical_lines
    from editor.core.model import Profile

    profile = Profile.read(args.file)
    if profile.signature is not None:
        signer = profile.signature.signer
        who = signer.subject if signer is not None else "a signer whose certificate is absent"
        out.write(f"# signed by {who} (the signature is not checked here)\n")
    for line in canonical_lines(profile.root, _schema(), show_secrets=args.show_secrets):
        out.write(line + "\n")
    return EXIT_OK


# --- import ---------------------------------------------------------------------------------

MAX_CONFIG_SIZE = 1024 * 1024


def _read_text(path: str) -> str:
    from pathlib import Path

    from editor.core.plistio import unreadable_reason

    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_CONFIG_SIZE + 1)
    except OSError as exc:
        raise _fail(f"{path}: {unreadable_reason(exc)}") from None
    if len(data) > MAX_CONFIG_SIZE:
        raise _fail(f"{path}: the file is over 1 MiB; this is not a VPN configuration")
    if not data.strip():
        raise _fail(f"{path}: the file is empty")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _report_problems(name: str, profile: Profile, err: TextIO) -> bool:
    """Validate; print the problems on stderr; True when there are errors."""
    from editor.core.validation.engine import validate_profile
    from editor.core.validation.problems import Severity

    errors = False
    for problem in validate_profile(profile, _schema()):
        if problem.severity is Severity.INFO:
            continue
        errors = errors or problem.severity is Severity.ERROR
        err.write(f"{name}: {problem.severity.value}: {problem.path_text}: {problem.message}\n")
    return errors


def _write_profile(args: argparse.Namespace, profile: Profile, out: TextIO) -> str:
    """Write to args.output (atomically) or standard output; the name to report."""
    data = profile.to_bytes("xml")
    if not args.output:
        out.write(data.decode("utf-8"))
        return "<stdout>"
    from editor.core.plistio import ProfileWriteError, write_atomic

    try:
        write_atomic(args.output, data)
    except ProfileWriteError as exc:
        raise _fail(str(exc)) from None
    return str(args.output)


def cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pathlib import Path

    from editor.core.importers import ConfigImportError, import_openvpn, import_wireguard

    text = _read_text(args.file)
    importer = import_wireguard if args.kind == "wireguard" else import_openvpn
    try:
        result = importer(
            text,
            args.file,
            name=args.name or Path(args.file).stem,
            platform=args.platform,
            identifier_base=args.identifier,
        )
    except ConfigImportError as exc:
        raise _fail(str(exc)) from None
    for note in result.notes:
        err.write(f"{args.file}: note: {note}\n")
    written = _write_profile(args, result.profile, out)
    return EXIT_DIFFERENT if _report_problems(written, result.profile, err) else EXIT_OK


COMMANDS: dict[str, Command] = {
    "diff": cmd_diff,
    "import": cmd_import,
}
