"""`vpn-profile sign|verify|encrypt|decrypt`: signing and encryption commands.

    vpn-profile sign IN OUT (--identity FILE.p12 [--passphrase-file F]
                             | --key KEY.pem --cert CERT.pem [--chain CHAIN.pem]...)
    vpn-profile verify FILE [--trust CA.pem|FOLDER]... [--format text|json]
    vpn-profile encrypt IN OUT --recipient CERT.pem [--recipient CERT.pem]...
    vpn-profile decrypt IN OUT (--identity FILE.p12 [--passphrase-file F]
                                | --key KEY.pem --cert CERT.pem)

Exit codes: 0 success (verify: the signature is valid and trusted); verify 1: the
signature or the content is invalid; verify 3: valid but not trusted, or the signer has
expired; verify 4: the file is not signed; 2: any failure, as one line naming the file.
Passphrases are never taken from the command line: --passphrase-file gives the first line
of a file, otherwise the terminal is asked (and without a terminal the command fails).
OUT is written atomically, and never when the command fails. The verify JSON shape is
described in editor.core.signing.

Nothing heavy is imported at module level: `vpn-profile validate` must stay quick.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from editor.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNSIGNED,
    EXIT_UNTRUSTED,
    CLIError,
    Command,
)
from editor.core.plistio import unreadable_reason

if TYPE_CHECKING:
    from editor.core.signing import Identity, Passphrase, VerifyResult


STATUS_EXIT = {
    "valid": EXIT_OK,
    "invalid": EXIT_INVALID,
    "untrusted": EXIT_UNTRUSTED,
    "expired": EXIT_UNTRUSTED,
    "unsigned": EXIT_UNSIGNED,
}


def identity_options(parser: argparse.ArgumentParser, chain: bool) -> None:
    group = parser.add_argument_group("identity (a PKCS#12 file, or a key and a certificate)")
    group.add_argument("--identity", metavar="FILE.p12", help="a .p12/.pfx identity")
    group.add_argument(
        "--passphrase-file",
        metavar="F",
        help="read the passphrase from the first line of F (otherwise it is asked)",
    )
    group.add_argument("--key", metavar="KEY.pem", help="the private key (PEM or DER)")
    group.add_argument("--cert", metavar="CERT.pem", help="the key's certificate (PEM or DER)")
    if chain:
        group.add_argument(
            "--chain",
            action="append",
            default=[],
            metavar="CHAIN.pem",
            help="intermediate certificates to include; repeatable",
        )


def add_parsers(commands: Any) -> None:
    """Add the signing sub-commands to the `vpn-profile` parser."""
    sign = commands.add_parser(
        "sign",
        help="sign a profile (CMS, SHA-256, content attached, chain included)",
        epilog="""
example:
  vpn-profile sign corp-vpn.mobileconfig corp-vpn.signed.mobileconfig --identity signer.p12
""",
    )
    sign.add_argument("input", metavar="IN")
    sign.add_argument("output", metavar="OUT")
    identity_options(sign, chain=True)

    verify = commands.add_parser(
        "verify",
        help="check a signed profile's signature and chain "
        "(exit 0 valid, 1 invalid, 3 untrusted/expired, 4 unsigned)",
        epilog="""
example:
  vpn-profile verify corp-vpn.signed.mobileconfig --trust corp-root-ca.pem

exit status:
  0  the signature is valid and the chain reaches a trust anchor
  1  the signature or the content is invalid (altered)
  2  a failure, such as a file that cannot be read
  3  valid but not trusted, or the signer has expired
  4  the file is not signed
""",
    )
    verify.add_argument("file", metavar="FILE")
    verify.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="CA.pem",
        help="a trust anchor: PEM/DER certificate file or a folder of them; repeatable",
    )
    verify.add_argument("--format", choices=("text", "json"), default="text")

    encrypt = commands.add_parser(
        "encrypt",
        help="encrypt the payloads for a device certificate (EncryptedPayloadContent)",
        epilog="""
example:
  vpn-profile encrypt corp-vpn.mobileconfig corp-vpn.encrypted.mobileconfig --recipient device.pem
""",
    )
    encrypt.add_argument("input", metavar="IN")
    encrypt.add_argument("output", metavar="OUT")
    encrypt.add_argument(
        "--recipient",
        action="append",
        required=True,
        metavar="CERT.pem",
        help="the device's RSA certificate; repeatable",
    )

    decrypt = commands.add_parser(
        "decrypt",
        help="decrypt an encrypted profile's payloads",
        epilog="""
example:
  vpn-profile decrypt corp-vpn.encrypted.mobileconfig corp-vpn.mobileconfig --identity device.p12
""",
    )
    decrypt.add_argument("input", metavar="IN")
    decrypt.add_argument("output", metavar="OUT")
    identity_options(decrypt, chain=False)


# --- helpers ---------------------------------------------------------------------------------


def _fail(message: str) -> Exception:
    return CLIError(message)


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _fail(f"{path}: {unreadable_reason(exc)}") from None


def _passphrase(args: argparse.Namespace, source: str) -> Passphrase:
    """The passphrase from --passphrase-file, or a callback asking on the terminal."""
    if args.passphrase_file:
        data = _read_bytes(args.passphrase_file)
        return data.splitlines()[0] if data.splitlines() else b""

    def ask() -> bytes:
        import getpass

        if not sys.stdin.isatty():
            raise _fail(
                f"{source}: a passphrase is needed and there is no terminal to ask on; "
                "give it with --passphrase-file F"
            )
        try:
            return getpass.getpass(f"Passphrase for {source}: ").encode("utf-8")
        except EOFError:
            raise _fail(f"{source}: no passphrase was entered") from None

    return ask


def load_identity(args: argparse.Namespace, chain: bool) -> Identity:
    from editor.core.signing import SigningError, load_pem_identity, load_pkcs12_identity

    try:
        if args.identity:
            if args.key or args.cert or getattr(args, "chain", None):
                raise _fail(f"{args.identity}: give either --identity or --key/--cert, not both")
            return load_pkcs12_identity(args.identity, _passphrase(args, args.identity))
        if not args.key or not args.cert:
            raise _fail(
                f"{args.input}: an identity is needed: --identity FILE.p12, "
                "or --key KEY.pem with --cert CERT.pem"
            )
        return load_pem_identity(
            args.key,
            args.cert,
            args.chain if chain else (),
            _passphrase(args, args.key),
        )
    except SigningError as exc:
        raise _fail(str(exc)) from None


def _write(path: str, data: bytes) -> None:
    from editor.core.plistio import ProfileWriteError, write_atomic

    try:
        write_atomic(path, data)
    except ProfileWriteError as exc:
        raise _fail(str(exc)) from None


def _day(moment: Any) -> str:
    return f"{moment:%Y-%m-%d}"


# --- sign ---------------------------------------------------------------------------------


def cmd_sign(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import datetime

    from editor.core.plistio import parse_plist_bytes
    from editor.core.signing import (
        missing_issuer,
        openssl_purpose_refusals,
        purpose_warning,
        sign_profile,
    )

    loaded = parse_plist_bytes(_read_bytes(args.input), args.input)  # only a profile is signed
    content = loaded.content  # a signed input's content, not its envelope
    if loaded.signature is not None:
        err.write(f"{args.input}: note: the input was signed; its signature is replaced\n")
    identity = load_identity(args, chain=True)
    refusals = openssl_purpose_refusals(identity.certificate, identity.chain)
    if refusals:  # before signing, and named by the certificate that needs replacing
        err.write(f"{args.identity or args.cert}: warning: {purpose_warning(refusals)}\n")
    signed = sign_profile(content, identity)
    cert = identity.certificate
    now = datetime.datetime.now(datetime.UTC)
    if cert.not_valid_after_utc < now:
        err.write(
            f"{args.output}: warning: the signing certificate expired on "
            f"{_day(cert.not_valid_after_utc)}; a device will treat the profile as unsigned\n"
        )
    elif cert.not_valid_before_utc > now:
        err.write(
            f"{args.output}: warning: the signing certificate is not valid before "
            f"{_day(cert.not_valid_before_utc)}\n"
        )
    issuer = missing_issuer(identity)  # a root issuer leaves nothing to include
    if issuer is not None:
        included = "" if identity.chain else "no intermediate certificates were included: "
        err.write(
            f"{args.output}: warning: {included}the signer's issuer ({issuer}) is not "
            "among the certificates given; if it is an intermediate CA, a device that lacks "
            "it shows the profile as Not Verified (use --chain; a root given there is left "
            "out)\n"
        )
    _write(args.output, signed)
    return EXIT_OK


# --- verify -------------------------------------------------------------------------------

_HEADLINES = {
    "valid": "valid: the signature holds and the signer is trusted",
    "invalid": "INVALID: the signature or the signed content does not hold",
    "untrusted": "untrusted: the signature holds, but the signer is not trusted",
    "expired": "expired: the signature holds, but the signer certificate has expired",
    "unsigned": "not signed",
}


def _print_text(name: str, result: VerifyResult, out: TextIO) -> None:
    out.write(f"{name}: {_HEADLINES[result.status]}\n")
    signer = result.signer
    if signer is not None:
        out.write(f"  signer:     {signer.subject}\n")
        out.write(f"  issuer:     {signer.issuer}\n")
        out.write(f"  serial:     {signer.serial:X}\n")
        state = " (expired)" if result.expired else ""
        out.write(f"  valid:      {_day(signer.not_before)} to {_day(signer.not_after)}{state}\n")
    if result.signing_time is not None:
        out.write(f"  signed at:  {result.signing_time:%Y-%m-%d %H:%M:%S %Z}\n")
    if result.signed:
        digest = "matches" if result.digest_ok else "DOES NOT MATCH"
        out.write(f"  digest:     {result.digest_algorithm or '?'}, {digest}\n")
        out.write(f"  signature:  {'holds' if result.signature_ok else 'DOES NOT HOLD'}\n")
        if result.trusted is None:
            out.write("  trust:      not checked (no --trust given)\n")
        elif result.trusted:
            path = " -> ".join(c.subject for c in result.chain)
            out.write(f"  trust:      reaches a trust anchor: {path}\n")
        else:
            out.write("  trust:      NOT reaching a given trust anchor\n")
    for message in result.messages:
        out.write(f"{name}: note: {message}\n")


def cmd_verify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from editor.core.cms import looks_like_cms
    from editor.core.plistio import ProfileReadError, parse_plist_bytes
    from editor.core.signing import SigningError, load_trust_anchors, verify_profile

    data = _read_bytes(args.file)
    try:
        anchors = load_trust_anchors(args.trust)
    except SigningError as exc:
        raise _fail(str(exc)) from None
    if not looks_like_cms(data):
        parse_plist_bytes(data, args.file)  # unreadable: exit 2, not "unsigned"
    try:
        result = verify_profile(data, anchors)
    except SigningError as exc:
        raise _fail(f"{args.file}: {exc}") from None
    if result.signed and result.content is not None:
        try:
            parse_plist_bytes(result.content, args.file)
        except ProfileReadError as exc:
            from dataclasses import replace

            result = replace(
                result,
                messages=(*result.messages, f"the signed content is not a profile: {exc.reason}"),
            )
    if args.format == "json":
        json.dump(result.as_json(args.file), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        _print_text(args.file, result, out)
    return STATUS_EXIT[result.status]


# --- encrypt / decrypt ----------------------------------------------------------------------


def cmd_encrypt(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from editor.core.encryption import EncryptionError, load_recipient
    from editor.core.export import export_bytes
    from editor.core.model import Profile

    profile = Profile.read(args.input)
    try:
        recipients = [load_recipient(path) for path in args.recipient]
        data = export_bytes(
            profile.root, profile.source_format, recipients=recipients, source=args.input
        )
    except EncryptionError as exc:
        raise _fail(str(exc)) from None
    except ValueError as exc:
        raise _fail(f"{args.input}: cannot be written: {exc}") from None
    _write(args.output, data)
    if profile.signature is not None:
        err.write(
            f"{args.input}: note: the input was signed; the output is not: sign it after "
            "encrypting\n"
        )
    return EXIT_OK


def cmd_decrypt(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from editor.core.encryption import EncryptionError, decrypt_profile, encryption_info
    from editor.core.model import Profile
    from editor.core.plistio import serialize_plist

    profile = Profile.read(args.input)
    if "EncryptedPayloadContent" not in profile.root:
        raise _fail(f"{args.input}: the profile is not encrypted (no EncryptedPayloadContent)")
    info = encryption_info(profile.root, args.input)
    if info.error is not None:
        raise _fail(info.error)
    identity = load_identity(args, chain=False)
    try:
        root = decrypt_profile(profile.root, identity, args.input)
        data = serialize_plist(root, profile.source_format)
    except EncryptionError as exc:
        raise _fail(str(exc)) from None
    except ValueError as exc:
        raise _fail(f"{args.input}: cannot be written: {exc}") from None
    _write(args.output, data)
    if profile.signature is not None:
        err.write(f"{args.input}: note: the input was signed; the decrypted output is not signed\n")
    return EXIT_OK


COMMANDS: dict[str, Command] = {
    "sign": cmd_sign,
    "verify": cmd_verify,
    "encrypt": cmd_encrypt,
    "decrypt": cmd_decrypt,
}
