"""`vpn-profile diff|import|render|export-declarations`: working with many profiles.

    vpn-profile diff A B [--format text|json] [--show-secrets] [--identity FILE.p12 ...]
    vpn-profile show --canonical FILE [--show-secrets]     (see editor.cli's show)

diff exit codes: 0 the profiles are the same, 1 they differ, 2 a file could not be read.
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


COMMANDS: dict[str, Command] = {
    "diff": cmd_diff,
}
