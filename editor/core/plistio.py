"""Reading and writing profiles: XML, binary and CMS-signed; atomic saves."""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from editor.core.plisttypes import PlistDict, PlistValue
from editor.core.plistxml import MAX_DEPTH, PlistXMLError, parse_xml_plist

if TYPE_CHECKING:
    from editor.core.cms import SignedEnvelope

PlistFormat = Literal["xml", "binary"]
FORMATS: tuple[PlistFormat, ...] = ("xml", "binary")

# Real profiles are kilobytes; a 1000-payload profile is about 4 MB.
MAX_FILE_SIZE = 64 * 1024 * 1024

_BOMS = (b"\xef\xbb\xbf",)


class ProfileReadError(Exception):
    """A file that cannot be read as a profile. str() names the file and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class ProfileWriteError(Exception):
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


def _check_depth(value: PlistValue) -> None:
    """Bound nesting; refuse what a profile cannot hold (null, non-string keys)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"nesting deeper than {MAX_DEPTH} levels")
        if node is None:
            raise ValueError("a null value, which a profile cannot hold")
        if isinstance(node, dict):
            if not all(isinstance(key, str) for key in node):
                raise ValueError("a dictionary key that is not a string")
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


TEXT_BEFORE_DECLARATION = "blank space before the XML declaration was skipped"


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
    for bom in _BOMS:
        if body.startswith(bom):
            body = body[len(bom) :]
            notes.append("a byte-order mark at the start was skipped")
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            body = body.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise ProfileReadError(source, "damaged UTF-16 text") from None
        body = body.replace(b'encoding="UTF-16"', b'encoding="UTF-8"', 1)
        body = body.replace(b"encoding='UTF-16'", b"encoding='UTF-8'", 1)
    if body.startswith(b"bplist00"):
        import plistlib  # here: XML is read by plistxml, so most reads never need it

        try:
            root = plistlib.loads(body, fmt=plistlib.FMT_BINARY)
            _check_depth(root)
        except RecursionError:
            raise ProfileReadError(
                source, "damaged binary plist: nesting is too deep or circular"
            ) from None
        except (
            plistlib.InvalidFileException,
            ValueError,
            TypeError,
            IndexError,
            KeyError,
            OverflowError,
            UnicodeDecodeError,
        ) as exc:
            raise ProfileReadError(source, f"damaged binary plist ({exc})") from None
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
        notes.append("the file has no XML declaration")
    try:
        root = parse_xml_plist(stripped)
    except PlistXMLError as exc:
        raise ProfileReadError(source, f"malformed XML plist: {exc}") from None
    return LoadedProfile(root, "xml", signature, notes, data)


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


def _xml_strings(value: PlistValue) -> Iterator[str]:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            yield from (key for key in node if isinstance(key, str))
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)


def _holds_none(value: PlistValue) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if node is None:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return False


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


def _dumps_xml(root: PlistDict) -> bytes:
    """plistlib turns a carriage return into a line feed; write it as &#13; instead."""
    strings = list(_xml_strings(root))
    for text in strings:
        if _XML_NONCHARACTERS.search(text):
            raise ValueError(f"the text {text[:40]!r} holds U+FFFE or U+FFFF; XML cannot hold them")
    import plistlib  # here, not at the top: reading XML and validating never need it

    if not any("\r" in text for text in strings):
        return plistlib.dumps(root, fmt=plistlib.FMT_XML, sort_keys=False)
    import uuid  # here, not at the top: reading and validating never need it

    marker = "\ue000CR" + uuid.uuid4().hex + "\ue000"
    if any(marker in text for text in strings):  # practically impossible; refuse, never corrupt
        raise ValueError("a text holds the carriage-return placeholder")
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
    """Encode with key order kept; raise ValueError for values a plist cannot hold."""
    try:
        if fmt == "binary":
            import plistlib

            if _holds_none(root):  # plistlib writes a null no plist reader accepts
                raise ValueError("a value cannot be stored in a plist (None)")
            return plistlib.dumps(
                _keep_negative_zero(root), fmt=plistlib.FMT_BINARY, sort_keys=False
            )
        return _dumps_xml(root)
    except OverflowError as exc:
        raise ValueError(f"a number is too large for a plist ({exc})") from None
    except TypeError as exc:
        raise ValueError(f"a value cannot be stored in a plist ({exc})") from None


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
