"""A strict XML property-list reader.

plistlib silently skips unknown elements and keeps only the last of two equal keys,
unsaid. This reader refuses unknown elements and names the line, never expands entities,
and bounds nesting depth. A key given twice in one dictionary is read as CoreFoundation
reads it (the later value wins) and reported with both lines (`parse_xml_plist_noting`),
so a file that devices take can be opened and repaired.

Two readers give the same result. The careful one is expat with a handler per event;
it reads every well-formed document and words every error. The fast one reads the
plain shape that plist writers produce (UTF-8, the usual header, one element after the
other, no comments, CDATA or entity declarations) with one regular expression per
value, about three times quicker. The moment a document steps outside that shape, or
anything in it is wrong, the fast reader gives up and the careful one reads the
document from the start, so every error message and every unusual document is the
careful reader's.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import re
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from editor.core.errors import EditorError

MAX_DEPTH = 64

# CoreFoundation's XML reader (CFPropertyList.c: parseDateTag, parseIntegerTag) is what
# a device uses. It takes a date only in full, ASCII digits, with no blank space; and an
# integer with blank space around it and after its sign, hexadecimal with a sign too.
_DATE_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z", re.ASCII)
_INTEGER_RE = re.compile(r"([+-]?)[ \t\n\r]*(0[xX][0-9a-fA-F]+|[0-9]+)", re.ASCII)
_BLANKS = " \t\n\r"
_SCALARS = {"string", "integer", "real", "date", "data", "true", "false"}
_CONTAINERS = {"dict", "array"}


class PlistXMLError(EditorError, ValueError):
    """Malformed XML plist; the message says where and what."""


@dataclass(frozen=True)
class DuplicateKey:
    """A key written twice in one dictionary: the later value is the one read."""

    path: tuple[str | int, ...]  # the key's path from the root
    first_line: int
    later_line: int
    earlier: Any = field(default=None, compare=False)  # the value given first (dropped)


class _Parser:
    def __init__(self) -> None:
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.EntityDeclHandler = self.entity_declaration
        self.parser.StartDoctypeDeclHandler = None
        self.stack: list[Any] = []  # open containers
        self.pending_keys: list[str | None] = []  # per open dict: key awaiting its value
        self.key_lines: list[dict[str, int]] = []
        self.path: list[str | int] = []  # of the innermost open container
        self.duplicates: list[DuplicateKey] = []
        self.chunks: list[str] = []
        self.in_scalar: str | None = None
        self.in_key = False
        self.root: Any = None
        self.have_root = False
        self.plist_depth = 0

    def fail(self, message: str) -> PlistXMLError:
        return PlistXMLError(f"line {self.parser.CurrentLineNumber}: {message}")

    def entity_declaration(self, *_args: object) -> None:
        raise self.fail("entity declarations are not allowed in a profile")

    def parse(self, data: bytes) -> Any:
        try:
            self.parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise PlistXMLError(
                f"line {exc.lineno}: not well-formed XML ({expat.errors.messages[exc.code]})"
            ) from None
        except PlistXMLError:
            raise
        except LookupError as exc:  # encoding="..." names an encoding Python does not know
            raise PlistXMLError(f"unsupported text encoding ({exc})") from None
        except ValueError as exc:
            raise PlistXMLError(f"line {self.parser.CurrentLineNumber}: {exc}") from None
        if not self.have_root:
            raise PlistXMLError("no value found in the plist")
        return self.root

    # element handlers
    def start(self, tag: str, _attrs: dict[str, str]) -> None:
        if self.in_scalar is not None or self.in_key:
            raise self.fail(f"<{tag}> inside a text element")
        if tag == "plist":
            if self.stack or self.have_root or self.plist_depth:
                raise self.fail("<plist> must be the outermost element")
            self.plist_depth = 1
            return
        if tag == "key":
            if not self.stack or not isinstance(self.stack[-1], dict):
                raise self.fail("<key> outside a <dict>")
            if self.pending_keys[-1] is not None:
                raise self.fail(f"key {self.pending_keys[-1]!r} has no value")
            self.in_key = True
            self.chunks = []
            return
        if tag in _CONTAINERS:
            if len(self.stack) >= MAX_DEPTH:
                raise self.fail(f"nesting deeper than {MAX_DEPTH} levels")
            container: Any = {} if tag == "dict" else []
            where = self.place()
            self.add_value(container)
            if where is not None:
                self.path.append(where)
            self.stack.append(container)
            self.pending_keys.append(None)
            self.key_lines.append({})
            return
        if tag in _SCALARS:
            self.in_scalar = tag
            self.chunks = []
            return
        raise self.fail(f"unknown element <{tag}>")

    def end(self, tag: str) -> None:
        if tag == "plist":
            return
        if tag == "key":
            self.in_key = False
            key = "".join(self.chunks)
            lines = self.key_lines[-1]
            line = self.parser.CurrentLineNumber
            if key in lines:
                earlier = self.stack[-1].get(key)
                self.duplicates.append(
                    DuplicateKey((*self.path, key), lines[key], line, earlier)
                )
            lines[key] = line
            self.pending_keys[-1] = key
            return
        if tag in _CONTAINERS:
            if self.pending_keys[-1] is not None:
                raise self.fail(f"key {self.pending_keys[-1]!r} has no value")
            self.stack.pop()
            self.pending_keys.pop()
            self.key_lines.pop()
            if self.stack:
                self.path.pop()
            return
        text = "".join(self.chunks)
        self.in_scalar = None
        self.add_value(self.convert(tag, text))

    def text(self, data: str) -> None:
        if self.in_scalar is not None or self.in_key:
            self.chunks.append(data)
        elif data.strip():
            raise self.fail(f"stray text {data.strip()[:40]!r}")

    def place(self) -> str | int | None:
        """The path part the next value takes in the open container (None at the top)."""
        if not self.stack:
            return None
        parent = self.stack[-1]
        return len(parent) if isinstance(parent, list) else self.pending_keys[-1]

    def add_value(self, value: Any) -> None:
        if not self.stack:
            if self.have_root:
                raise self.fail("more than one value at the top of the plist")
            self.root = value
            self.have_root = True
            return
        parent = self.stack[-1]
        if isinstance(parent, list):
            parent.append(value)
            return
        key = self.pending_keys[-1]
        if key is None:
            raise self.fail("a value in a <dict> without its <key>")
        parent[key] = value  # a key given twice: the later value, in the first one's place
        self.pending_keys[-1] = None

    def convert(self, tag: str, text: str) -> Any:
        try:
            return _convert(tag, text)
        except _BadValue as exc:
            raise self.fail(str(exc)) from None


class _BadValue(Exception):  # noqa: N818
    """A scalar whose text does not fit its type (the careful reader adds the line)."""


def _convert(tag: str, text: str) -> Any:
    if tag == "string":
        return text
    if tag == "true":
        return True
    if tag == "false":
        return False
    if tag == "integer":
        stripped = text.strip(_BLANKS)
        match = _INTEGER_RE.fullmatch(stripped)
        if not match:
            raise _BadValue(f"<integer> holds {stripped[:40]!r}, which is not a whole number")
        if len(stripped) > 40:  # also keeps int() clear of its digit limit
            raise _BadValue(f"<integer> holds {stripped[:40]!r}..., too long for a plist")
        sign, digits = match.groups()
        number = int(digits, 16) if digits[1:2] in ("x", "X") else int(digits)
        if sign == "-":
            number = -number
        if not -(1 << 63) <= number < (1 << 64):
            raise _BadValue(f"<integer> {stripped!r} is outside the 64-bit range of a plist")
        return number
    if tag == "real":
        try:
            return float(text.strip())
        except ValueError:
            raise _BadValue(f"<real> holds {text.strip()[:40]!r}, not a number") from None
    if tag == "data":
        try:
            return base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise _BadValue("<data> is not valid base64") from None
    # date
    date = _DATE_RE.fullmatch(text)
    if not date:
        raise _BadValue(f"<date> holds {text[:40]!r}; expected 2024-01-31T12:00:00Z")
    year, month, day, hour, minute, second = (int(part) for part in date.groups())
    try:
        return datetime.datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise _BadValue(f"<date> is not a real date: {exc}") from None


# --- the fast reader ---------------------------------------------------------------------


class _NotPlain(Exception):  # noqa: N818
    """The document is not of the plain shape (or is wrong): read it carefully."""


# Characters XML forbids anywhere (expat refuses them).
_FORBIDDEN = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff"
# Between elements: blanks and comments (whose text may not hold "--" nor end in "-").
_GAP = rf"[ \t\n]*(?:<!--(?:[^-{_FORBIDDEN}]|-[^-{_FORBIDDEN}])*-->[ \t\n]*)*"
# The header: an XML declaration naming UTF-8 (or none), Apple's DOCTYPE (or none) and
# <plist> with its version attribute (or none). Public identifiers hold only the
# characters XML allows there; the system literal printable ASCII but its quote.
_HEADER = (
    r"(?:<\?xml[ \t\n]+version=([\"'])1\.0\1"
    r"(?:[ \t\n]+encoding=([\"'])(?i:utf-8)\2)?"
    r"(?:[ \t\n]+standalone=([\"'])(?:yes|no)\3)?[ \t\n]*\?>)?"
    + _GAP
    + r"(?:<!DOCTYPE[ \t\n]+plist[ \t\n]+PUBLIC[ \t\n]+"
    r"(?:\"[-'()+,./:=?;!*#@$_% \na-zA-Z0-9]*\"|'[-()+,./:=?;!*#@$_% \na-zA-Z0-9]*')"
    r"[ \t\n]+(?:\"[ !#-~]*\"|'[ -&(-~]*')[ \t\n]*>)?"
    + _GAP
    + r"<plist(?:[ \t\n]+version=([\"'])[-.0-9A-Za-z]*\4)?[ \t\n]*>"
)
_END = _GAP + "</plist>" + _GAP + r"\Z"
# One value, with the key before it when there is one. Groups: 1 key, 2 tag and 3 text
# of a scalar, 4 an empty element, 5 an opening container, 6 a closing one.
_CHARS = f"[^<{_FORBIDDEN}]*"
_TOKEN = (
    rf"{_GAP}(?:<key>({_CHARS})</key>{_GAP})?"
    rf"(?:<(string|integer|real|date|data)>({_CHARS})</\2>"
    r"|<(true|false|dict|array|string|integer|real|date|data)[ \t\n]*/>"
    r"|<(dict|array)[ \t\n]*>"
    r"|</(dict|array)[ \t\n]*>)"
)
_REFERENCE_RE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(header, token, end), compiled on first use: the editor's start need not wait."""
    return re.compile(_HEADER), re.compile(_TOKEN), re.compile(_END)


_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _is_xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _expand(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name is not None:
        return _ENTITIES[name]
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if not _is_xml_char(code):
        raise _NotPlain
    return chr(code)


def _text(raw: str) -> str:
    """Element text with its character and predefined entity references expanded."""
    if "&" not in raw:
        return raw
    expanded = _REFERENCE_RE.sub(_expand, raw)
    if "&" in _REFERENCE_RE.sub("", raw):
        raise _NotPlain  # a reference to an entity XML does not predefine
    return expanded


_EMPTY_SCALARS = {"true": True, "false": False, "string": ""}


def _parse_plain(data: bytes) -> Any:
    """The fast reader; raises _NotPlain for anything it does not read itself."""
    if b"]]>" in data:  # the end of a CDATA section, which text may not hold
        raise _NotPlain
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _NotPlain from None
    if "\r" in text:  # XML reads CR LF and a lone CR as LF, before anything else
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    header_re, token_re, end_re = _patterns()
    header = header_re.match(text)
    if header is None:
        raise _NotPlain
    position = header.end()
    token = token_re.match
    stack: list[Any] = []
    container: Any = None  # the innermost open container
    root: Any = None
    have_root = False
    try:
        while True:
            match = token(text, position)
            if match is None:
                break
            position = match.end()
            key, tag, raw, empty, opening, closing = match.groups()
            if closing is not None:
                if key is not None or not stack or (closing == "dict") != (type(container) is dict):
                    raise _NotPlain
                stack.pop()
                container = stack[-1] if stack else None
                continue
            if tag is not None:
                if "&" in raw:
                    raw = _text(raw)
                value: Any = raw if tag == "string" else _convert(tag, raw)
            elif empty is not None:
                if empty in ("dict", "array"):
                    if len(stack) >= MAX_DEPTH:  # as deep as an opened one may be
                        raise _NotPlain
                    value = {} if empty == "dict" else []
                elif empty in _EMPTY_SCALARS:
                    value = _EMPTY_SCALARS[empty]
                else:
                    value = _convert(empty, "")
            else:
                value = {} if opening == "dict" else []
            if container is None:
                if have_root or key is not None or stack:
                    raise _NotPlain
                root, have_root = value, True
            elif type(container) is list:
                if key is not None:
                    raise _NotPlain
                container.append(value)
            else:
                if key is None:
                    raise _NotPlain
                if "&" in key:
                    key = _text(key)
                if key in container:
                    raise _NotPlain
                container[key] = value
            if opening is not None:
                if len(stack) >= MAX_DEPTH:
                    raise _NotPlain
                stack.append(value)
                container = value
    except _BadValue:
        raise _NotPlain from None
    if stack or not have_root or end_re.match(text, position) is None:
        raise _NotPlain
    return root


def parse_xml_plist(data: bytes) -> Any:
    """Parse an XML plist (the <plist> wrapper may be absent, as in bare fragments)."""
    return parse_xml_plist_noting(data)[0]


def parse_xml_plist_noting(data: bytes) -> tuple[Any, list[DuplicateKey]]:
    """The root and the keys given twice in one dictionary (the fast reader leaves a
    document with one to the careful reader, so it stays as fast)."""
    try:
        return _parse_plain(data), []
    except _NotPlain:
        parser = _Parser()
        root = parser.parse(data)
        return root, parser.duplicates


def parse_xml_plist_carefully(data: bytes) -> Any:
    """The same reading with the careful reader only (tests compare the two)."""
    return _Parser().parse(data)
