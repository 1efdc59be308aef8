"""Reading and writing profiles: XML, binary and CMS-signed; atomic saves."""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from editor.core.errors import EditorError, InvalidValueError
from editor.core.plistlimits import MAX_FILE_SIZE, TreeLimitError, inspect_tree
from editor.core.plisttypes import PlistDict, PlistValue
from editor.core.plistxml import DuplicateKey, PlistXMLError, parse_xml_plist_noting

if TYPE_CHECKING:
    from editor.core.cms import SignedEnvelope

PlistFormat = Literal["xml", "binary"]

__all__ = ["MAX_FILE_SIZE"]  # re-exported: callers check sizes before reading


class ProfileReadError(EditorError):
    """A file that cannot be read as a profile. str() names the file and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class ProfileWriteError(EditorError):
    def __init__(self, target: str, reason: str) -> None:
        super().__init__(f"{target}: {reason}")
        self.target = target
        self.reason = reason


@dataclass
class LoadedProfile:
    """A parsed file: the plist root plus how it was stored."""

    root: PlistValue
    source_format: PlistFormat
    signature: SignedEnvelope | None = None
    notes: list[str] = field(default_factory=list)  # leniencies applied while reading
    content: bytes = b""  # the bytes the plist was read from (inside a signature, if any)
    duplicate_keys: list[DuplicateKey] = field(default_factory=list)  # XML: later value read


_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding=([\"'])([A-Za-z0-9._-]*)\1")
_UTF16_NAMES = {"utf-16": None, "utf-16le": "utf-16-le", "utf-16be": "utf-16-be"}


def _utf16_as_utf8(body: bytes, source: str) -> bytes:
    """UTF-16 XML, re-encoded as UTF-8 with its declaration saying so (XML 1.0, 4.3.3).

    With a byte-order mark the declaration may name UTF-16 or its endianness, or nothing;
    without one it must name UTF-16LE or UTF-16BE, matching the bytes.
    """
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        actual = "utf-16-le" if body.startswith(b"\xff\xfe") else "utf-16-be"
        raw, has_bom = body[2:], True
    else:
        actual = "utf-16-le" if body.startswith(b"<\x00") else "utf-16-be"
        raw, has_bom = body, False
    if len(raw) % 2:
        raise ProfileReadError(source, "damaged UTF-16 text (an odd number of bytes)")
    try:
        text = raw.decode(actual)
    except UnicodeDecodeError:
        raise ProfileReadError(source, "damaged UTF-16 text") from None
    encoded = text.encode("utf-8")
    declaration = _DECLARATION.match(encoded)
    if declaration is None:
        if has_bom:
            return encoded
        raise ProfileReadError(
            source,
            "malformed XML plist: UTF-16 text without a byte-order mark must name UTF-16LE "
            "or UTF-16BE in its XML declaration",
        )
    named = declaration.group(2).decode("ascii")
    if named.lower() not in _UTF16_NAMES:
        raise ProfileReadError(
            source, f"malformed XML plist: the text is UTF-16 but its XML declaration names {named}"
        )
    byte_order = _UTF16_NAMES[named.lower()]
    if (byte_order is None and not has_bom) or byte_order not in (None, actual):
        spelled = "UTF-16LE" if actual == "utf-16-le" else "UTF-16BE"
        raise ProfileReadError(
            source,
            f"malformed XML plist: the XML declaration names {named} but the text is {spelled}"
            + ("" if has_bom else " without a byte-order mark"),
        )
    start, end = declaration.span(2)
    return encoded[:start] + b"UTF-8" + encoded[end:]


TEXT_BEFORE_DECLARATION = "blank space before the XML declaration was skipped"
NO_DECLARATION = "the file has no XML declaration"


def parse_plist_bytes(data: bytes, source: str = "<data>") -> LoadedProfile:
    """Parse a plist in any supported encoding; raise ProfileReadError on failure."""
    from editor.core.cms import CMSError, looks_like_cms, unwrap_signed  # not needed at start

    notes: list[str] = []
    signature: SignedEnvelope | None = None
    if not data:
        raise ProfileReadError(source, "the file is empty")
    if len(data) > MAX_FILE_SIZE:
        raise ProfileReadError(
            source,
            f"the file is {len(data) // (1024 * 1024)} MiB; profiles over 64 MiB are refused",
        )
    if looks_like_cms(data):
        try:
            data, signature = unwrap_signed(data)
        except CMSError as exc:
            raise ProfileReadError(source, str(exc)) from None
        if not data:
            raise ProfileReadError(source, "the signed content is empty")
    body = data
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
        notes.append("a byte-order mark at the start was skipped")
    elif body.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        body = _utf16_as_utf8(body, source)
        notes.append("the file is UTF-16 text")
    if body.startswith(b"bplist"):
        from editor.core.plistbinary import BinaryPlistError, parse_binary_plist

        try:
            root = parse_binary_plist(body)
        except BinaryPlistError as exc:
            raise ProfileReadError(source, f"damaged or refused binary plist: {exc}") from None
        return LoadedProfile(root, "binary", signature, notes, data)
    stripped = body.lstrip()
    if stripped[:1] != b"<":
        if looks_like_cms(body) or body[:1] == b"\x30":
            raise ProfileReadError(
                source, "damaged CMS envelope: it does not start a signed profile"
            )
        raise ProfileReadError(
            source, "not a profile: expected an XML plist, a binary plist or a signed profile"
        )
    if len(stripped) != len(body):
        notes.append(TEXT_BEFORE_DECLARATION)
    if not stripped.startswith(b"<?xml"):
        notes.append(NO_DECLARATION)
    try:
        root, duplicates = parse_xml_plist_noting(stripped)
    except PlistXMLError as exc:
        raise ProfileReadError(source, f"malformed XML plist: {exc}") from None
    line_shift = body[: len(body) - len(stripped)].count(b"\n")
    if line_shift:  # lines count from the file's start, before the blank space skipped
        duplicates = [
            DuplicateKey(d.path, d.first_line + line_shift, d.later_line + line_shift, d.earlier)
            for d in duplicates
        ]
    return LoadedProfile(root, "xml", signature, notes, data, duplicates)


def unreadable_reason(exc: OSError, what: str = "file") -> str:
    """Why a file could not be read, in a user's words (one wording for every reader)."""
    if isinstance(exc, IsADirectoryError):
        return f"this is a folder, not a {what}"
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or str(exc)


def read_plist_file(path: Path | str) -> LoadedProfile:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_SIZE:
            raise ProfileReadError(
                str(path),
                f"the file is {size // (1024 * 1024)} MiB; profiles over 64 MiB are refused",
            )
        # bounded: a device or a growing file may lie about its size
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_SIZE + 1)
    except OSError as exc:
        raise ProfileReadError(str(path), unreadable_reason(exc)) from None
    return parse_plist_bytes(data, str(path))


# Characters XML 1.0 cannot hold at all (plistlib checks only the C0 controls).
_XML_NONCHARACTERS = re.compile("[\ufffe\uffff]")


def _replace_cr(value: PlistValue, marker: str) -> PlistValue:
    if isinstance(value, str):
        return value.replace("\r", marker)
    if isinstance(value, dict):
        return {
            (k.replace("\r", marker) if isinstance(k, str) else k): _replace_cr(v, marker)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_replace_cr(v, marker) for v in value]
    return value


def _dumps_xml(root: PlistDict, strings: list[str]) -> bytes:
    """plistlib turns a carriage return into a line feed; write it as &#13; instead."""
    for text in strings:
        if _XML_NONCHARACTERS.search(text):
            raise InvalidValueError(
                f"the text {text[:40]!r} holds U+FFFE or U+FFFF; XML cannot hold them"
            )
    import plistlib  # here, not at the top: reading XML and validating never need it

    if not any("\r" in text for text in strings):
        return plistlib.dumps(root, fmt=plistlib.FMT_XML, sort_keys=False)
    import uuid  # here, not at the top: reading and validating never need it

    marker = "\ue000CR" + uuid.uuid4().hex + "\ue000"
    if any(marker in text for text in strings):  # practically impossible; refuse, never corrupt
        raise InvalidValueError("a text holds the carriage-return placeholder")
    data = plistlib.dumps(_replace_cr(root, marker), fmt=plistlib.FMT_XML, sort_keys=False)
    return data.replace(marker.encode("utf-8"), b"&#13;")


class _NegativeZero(float):
    """-0.0 with its own identity: plistlib's binary writer would merge it with 0.0."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _NegativeZero)

    def __hash__(self) -> int:
        return hash("-0.0")


def _keep_negative_zero(value: PlistValue) -> PlistValue:
    if isinstance(value, float) and value == 0.0 and math.copysign(1.0, value) < 0:
        return _NegativeZero(value)
    if isinstance(value, dict):
        return {key: _keep_negative_zero(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_keep_negative_zero(item) for item in value]
    return value


def serialize_plist(root: PlistDict, fmt: PlistFormat = "xml") -> bytes:
    """Encode with key order kept; raise InvalidValueError for values a plist cannot hold.

    What is written can be read back: a value that contains itself, or is nested or
    sized beyond what the readers accept (editor.core.plistlimits), is refused.
    """
    try:
        facts = inspect_tree(root, collect_strings=fmt == "xml")
    except TreeLimitError as exc:
        raise InvalidValueError(f"the profile cannot be written: {exc}") from None
    try:
        if fmt == "binary":
            import plistlib

            if facts.holds_none:  # plistlib writes a null no plist reader accepts
                raise InvalidValueError("a value cannot be stored in a plist (None)")
            if facts.holds_negative_zero:
                root = _keep_negative_zero(root)
            data = plistlib.dumps(root, fmt=plistlib.FMT_BINARY, sort_keys=False)
        else:
            data = _dumps_xml(root, facts.strings or [])
    except OverflowError as exc:
        raise InvalidValueError(f"a number is too large for a plist ({exc})") from None
    except TypeError as exc:
        raise InvalidValueError(f"a value cannot be stored in a plist ({exc})") from None
    if len(data) > MAX_FILE_SIZE:
        raise InvalidValueError(
            f"the profile would be {len(data) // (1024 * 1024)} MiB; files over 64 MiB are "
            "refused when read, so it is not written"
        )
    return data


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write to a temporary file beside the target, then replace it in one step.

    A failure leaves the old file untouched. An existing file keeps its permissions.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise ProfileWriteError(str(path), exc.strerror or str(exc)) from None
    import tempfile  # here, not at the top: reading and validating never need it

    temp_name = None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp_name, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp_name, 0o666 & ~umask)
        os.replace(temp_name, path)
        temp_name = None
    except OSError as exc:
        raise ProfileWriteError(str(path), exc.strerror or str(exc)) from None
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
