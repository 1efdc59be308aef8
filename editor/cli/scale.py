"""`vpn-profile diff|import|render|export-declarations`: working with many profiles.

    vpn-profile diff A B [--format text|json] [--show-secrets] [--identity FILE.p12 ...]
    vpn-profile show --canonical FILE [--show-secrets]     (see editor.cli's show)
    vpn-profile import wireguard|openvpn FILE [-o OUT] [--platform ios|macos]
                       [--name NAME] [--identifier BASE]

diff exit codes: 0 the profiles are the same, 1 they differ, 2 a file could not be read.
import: 0 written (warnings on stderr), 1 written but validation found errors, 2 refused.

    vpn-profile render TEMPLATE --data ROWS.csv --out DIR [--name-column C]
                       [--identity-column C [--passphrase-column C]] [--encrypt-column C]
                       [--sign FILE.p12 [--sign-passphrase-file F] | --sign-key K --sign-cert C]
                       [--keep-going]

render: 0 every row written; 1 with --keep-going, some rows failed and the others were
written; 2 nothing written (a bad template, data file or option, or a failed row).

    vpn-profile export-declarations FILE [--out DIR] [--asset-url URL]

export-declarations: 0 every payload became declarations; 1 some payloads or keys have no
declarative form (listed on stderr, the rest written); 2 nothing could be exported.
JSON: {"a", "b", "differences": [{"kind", "path", "before", "after"}]} (editor.core.diff).

Nothing heavy is imported at module level: `vpn-profile validate` must stay quick.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from editor.cli.common import EXIT_DIFFERENT, EXIT_OK, CLIError, Command, load_schema

if TYPE_CHECKING:
    from editor.core.model import Profile
    from editor.core.render import RenderedRow, Rows
    from editor.core.schema import Schema
    from editor.core.signing import Identity



def add_parsers(commands: Any) -> None:
    """Add these sub-commands to the `vpn-profile` parser."""
    from editor.cli.signing import identity_options

    diff = commands.add_parser(
        "diff",
        help="list what differs between two profiles, by key path "
        "(exit 0 same, 1 different, 2 unreadable)",
        epilog="""
example:
  vpn-profile diff corp-vpn.old.mobileconfig corp-vpn.mobileconfig --format json

exit status:
  0  the profiles hold the same values
  1  they differ
  2  a file could not be read
""",
    )
    diff.add_argument("a", metavar="A")
    diff.add_argument("b", metavar="B")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.add_argument(
        "--show-secrets", action="store_true", help="print passwords and keys instead of masking"
    )
    identity_options(diff, chain=False)  # to decrypt encrypted payloads

    imports = commands.add_parser(
        "import",
        help="make a profile from a WireGuard (.conf) or OpenVPN (.ovpn) configuration",
        epilog="""
example:
  vpn-profile import wireguard office.conf -o office.mobileconfig --platform macos
""",
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
    _render_parser(commands)

    export = commands.add_parser(
        "export-declarations",
        help="turn the VPN payloads into declarative device management declarations (OS 27)",
        epilog="""
example:
  vpn-profile export-declarations corp-vpn.mobileconfig --out declarations/
""",
    )
    export.add_argument("file", metavar="FILE")
    export.add_argument(
        "--out",
        metavar="DIR",
        help="write one JSON file per declaration and the asset data into DIR "
        "(default: the declarations on standard output, no asset data)",
    )
    export.add_argument(
        "--asset-url",
        metavar="URL",
        help="the https address the asset data will be served from "
        "(default https://mdm.example.com/declarations/assets/)",
    )


def _fail(message: str) -> Exception:
    return CLIError(message)


def _schema() -> Schema:
    return load_schema()


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
    from editor.cli.signing import load_identity
    from editor.core.encryption import EncryptionError, decrypt_profile

    args.input = path  # named in the identity's messages
    try:
        root = decrypt_profile(profile.root, load_identity(args, chain=False), path)
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


# --- render ---------------------------------------------------------------------------------


def _render_parser(commands: Any) -> None:
    render = commands.add_parser(
        "render",
        help="one profile per CSV row from a template with @@column@@ placeholders",
        epilog="""
example:
  vpn-profile render template.mobileconfig --data users.csv --out profiles/ --name-column user
""",
    )
    render.add_argument("template", metavar="TEMPLATE")
    render.add_argument("--data", required=True, metavar="ROWS.csv", help="UTF-8 CSV, header first")
    render.add_argument("--out", required=True, metavar="DIR", help="the folder to write to")
    render.add_argument(
        "--name-column",
        metavar="C",
        help="the row's key: file name and seed of its UUIDs (default: the first column)",
    )
    render.add_argument(
        "--identity-column", metavar="C", help="a PKCS#12 file per row (relative to the CSV)"
    )
    render.add_argument(
        "--passphrase-column", metavar="C", help="the identity's passphrase, stored as Password"
    )
    render.add_argument(
        "--encrypt-column", metavar="C", help="the device certificate to encrypt each row for"
    )
    signing = render.add_argument_group("signing (optional)")
    signing.add_argument("--sign", metavar="FILE.p12", help="sign every profile with this identity")
    signing.add_argument("--sign-passphrase-file", metavar="F")
    signing.add_argument("--sign-key", metavar="KEY.pem")
    signing.add_argument("--sign-cert", metavar="CERT.pem")
    signing.add_argument("--sign-chain", action="append", default=[], metavar="CHAIN.pem")
    render.add_argument(
        "--keep-going", action="store_true", help="skip invalid rows instead of stopping"
    )


def _signer(args: argparse.Namespace) -> Identity | None:
    from editor.cli.signing import load_identity

    if not (args.sign or args.sign_key or args.sign_cert):
        return None
    if args.sign and (args.sign_key or args.sign_cert):
        raise _fail(f"{args.sign}: give either --sign or --sign-key/--sign-cert, not both")
    identity_args = argparse.Namespace(
        identity=args.sign,
        passphrase_file=args.sign_passphrase_file,
        key=args.sign_key,
        cert=args.sign_cert,
        chain=args.sign_chain,
        input=args.template,
    )
    return load_identity(identity_args, chain=True)


def _column(rows: Rows, name: str | None, option: str) -> str | None:
    if name is not None and name not in rows.columns:
        raise _fail(
            f"{rows.source}: {option} {name!r} is not a column (columns: {', '.join(rows.columns)})"
        )
    return name


def _write_all(directory: str, rendered: list[RenderedRow]) -> None:
    from editor.core.render import RenderError, write_rendered

    try:
        write_rendered(directory, rendered)
    except RenderError as exc:
        raise _fail(str(exc)) from None


def cmd_render(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from editor.core.model import Profile
    from editor.core.render import (
        RenderError,
        RenderOptions,
        check_template,
        read_rows,
        render_profile_row,
    )

    template = Profile.read(args.template)
    if "EncryptedPayloadContent" in template.root:
        raise _fail(f"{args.template}: the template is encrypted; decrypt it first")
    try:
        rows = read_rows(args.data)
        columns = {
            "name": _column(rows, args.name_column, "--name-column"),
            "identity": _column(rows, args.identity_column, "--identity-column"),
            "passphrase": _column(rows, args.passphrase_column, "--passphrase-column"),
            "encrypt": _column(rows, args.encrypt_column, "--encrypt-column"),
        }
        if columns["passphrase"] is not None and columns["identity"] is None:
            raise _fail(f"{args.data}: --passphrase-column needs --identity-column")
        check_template(template.root, rows.columns, args.template)
        names: dict[str, int] = {}
        key_column = columns["name"] or rows.columns[0]
        from editor.core.render import output_name

        for index, row in enumerate(rows.rows):
            name = output_name(row[key_column])
            if row[key_column].strip() and name in names:
                raise RenderError(
                    f"{args.data}: lines {rows.line(names[name])} and {rows.line(index)} "
                    f"both make {name}; the {key_column!r} column must be unique"
                )
            names[name] = index
    except RenderError as exc:
        raise _fail(str(exc)) from None
    signer = _signer(args)
    options = RenderOptions(
        key_column=columns["name"],
        identity_column=columns["identity"],
        passphrase_column=columns["passphrase"],
        encrypt_column=columns["encrypt"],
        signer=signer,
    )
    schema = _schema()
    rendered: list[RenderedRow] = []
    failed: list[str] = []
    total = len(rows.rows)
    progress = err.isatty() and total > 1
    for index in range(total):
        if progress:
            err.write(f"\rrendering {index + 1}/{total}")
            err.flush()
        try:
            rendered.append(render_profile_row(template.root, rows, index, options, schema))
        except RenderError as exc:
            if not args.keep_going:
                if progress:
                    err.write("\n")
                raise _fail(f"{exc}; nothing was written (--keep-going skips bad rows)") from None
            failed.append(str(exc))
    if progress:
        err.write("\n")
    for message in failed:
        err.write(f"{message}; skipped\n")
    if rendered:
        _write_all(args.out, rendered)
    warnings = sum(item.warnings for item in rendered)
    how = [word for word, used in (("signed", signer), ("encrypted", args.encrypt_column)) if used]
    err.write(
        f"{args.out}: {len(rendered)} of {total} profiles written"
        + (f" ({', '.join(how)})" if how else "")
        + (f"; {len(failed)} rows skipped" if failed else "")
        + (f"; {warnings} warnings (vpn-profile validate shows them)" if warnings else "")
        + "\n"
    )
    return EXIT_DIFFERENT if failed else EXIT_OK


# --- export-declarations -------------------------------------------------------------------


def _safe_file_name(identifier: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._@+-]+", "_", identifier).strip("._")[:150] or "declaration"


def _write_declarations(folder_name: str, export: Any) -> None:
    import contextlib
    import os
    from pathlib import Path

    from editor.core.plistio import ProfileWriteError, write_atomic

    folder = Path(folder_name)
    data_folder = folder / "asset-data"
    try:
        data_folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(f"{folder_name}: cannot create the folder ({exc.strerror or exc})") from None
    try:
        for declaration in export.declarations:
            text = json.dumps(declaration.as_json(), indent=2, ensure_ascii=False) + "\n"
            name = _safe_file_name(declaration.identifier) + ".json"
            write_atomic(folder / name, text.encode("utf-8"))
        for item in export.asset_data:
            target = data_folder / item.file_name
            write_atomic(target, item.content)
            with contextlib.suppress(OSError):
                os.chmod(target, 0o600)  # it holds passwords and private keys
    except ProfileWriteError as exc:
        raise _fail(str(exc)) from None


def cmd_export_declarations(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from editor.core.declarations import DEFAULT_ASSET_URL, export_declarations
    from editor.core.model import Profile

    profile = Profile.read(args.file)
    if "EncryptedPayloadContent" in profile.root:
        raise _fail(f"{args.file}: the payloads are encrypted; decrypt the profile first")
    try:
        export = export_declarations(profile.root, args.asset_url or DEFAULT_ASSET_URL)
    except ValueError as exc:
        raise _fail(f"--asset-url: {exc}") from None
    exported = 0
    for outcome in export.outcomes:
        where = f"{args.file}: PayloadContent/{outcome.index}"
        if outcome.refused is not None:
            err.write(f"{where} ({outcome.payload_type}): not exported: {outcome.refused}\n")
            continue
        exported += 1
        err.write(f"{where}: exported as {outcome.declaration_type} ({outcome.declaration})\n")
        for item in outcome.left_out:
            err.write(f"{where}/{item}\n")
    if not exported:
        raise _fail(f"{args.file}: no payload can be expressed as a declaration; nothing written")
    if args.out:
        _write_declarations(args.out, export)
        err.write(
            f"{args.out}: {len(export.declarations)} declarations; serve asset-data/ at "
            f"{args.asset_url or DEFAULT_ASSET_URL} (it holds the credentials: keep it private)\n"
        )
    else:
        document = {"declarations": [d.as_json() for d in export.declarations]}
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
        if export.asset_data:
            err.write(f"{args.file}: note: the asset data is written only with --out DIR\n")
    return EXIT_OK if export.complete else EXIT_DIFFERENT


COMMANDS: dict[str, Command] = {
    "export-declarations": cmd_export_declarations,
    "render": cmd_render,
    "diff": cmd_diff,
    "import": cmd_import,
}
