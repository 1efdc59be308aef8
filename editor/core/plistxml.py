"""A strict XML property-list reader.

plistlib silently skips unknown elements and keeps only the last of two equal keys;
both lose data. This reader refuses them, names the line, never expands entities,
and bounds nesting depth.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from typing import Any
from xml.parsers import expat

MAX_DEPTH = 64

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d)(?::(\d\d)(?::(\d\d))?)?)?)?)?Z$")
_INTEGER_RE = re.compile(r"^[+-]?(0x[0-9a-fA-F]+|\d+)$")
_SCALARS = {"string", "integer", "real", "date", "data", "true", "false"}
_CONTAINERS = {"dict", "array"}


class PlistXMLError(ValueError):
    """Malformed XML plist; the message says where and what."""


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
            self.add_value(container)
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
            if key in lines:
                raise self.fail(
                    f"key {key!r} appears twice in one dictionary (first on line {lines[key]})"
                )
            lines[key] = self.parser.CurrentLineNumber
            self.pending_keys[-1] = key
            return
        if tag in _CONTAINERS:
            if self.pending_keys[-1] is not None:
                raise self.fail(f"key {self.pending_keys[-1]!r} has no value")
            self.stack.pop()
            self.pending_keys.pop()
            self.key_lines.pop()
            return
        text = "".join(self.chunks)
        self.in_scalar = None
        self.add_value(self.convert(tag, text))

    def text(self, data: str) -> None:
        if self.in_scalar is not None or self.in_key:
            self.chunks.append(data)
        elif data.strip():
            raise self.fail(f"stray text {data.strip()[:40]!r}")

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
        parent[key] = value
        self.pending_keys[-1] = None

    def convert(self, tag: str, text: str) -> Any:
        if tag == "string":
            return text
        if tag == "true":
            return True
        if tag == "false":
            return False
        if tag == "integer":
            stripped = text.strip()
            if not _INTEGER_RE.match(stripped):
                raise self.fail(f"<integer> holds {stripped[:40]!r}, which is not a whole number")
            if len(stripped) > 40:  # also keeps int() clear of its digit limit
                raise self.fail(f"<integer> holds {stripped[:40]!r}..., too long for a plist")
            number = int(stripped, 16) if "x" in stripped.lower() else int(stripped)
            if not -(1 << 63) <= number < (1 << 64):
                raise self.fail(f"<integer> {stripped!r} is outside the 64-bit range of a plist")
            return number
        if tag == "real":
            try:
                return float(text.strip())
            except ValueError:
                raise self.fail(f"<real> holds {text.strip()[:40]!r}, not a number") from None
        if tag == "data":
            try:
                return base64.b64decode("".join(text.split()), validate=True)
            except (binascii.Error, ValueError):
                raise self.fail("<data> is not valid base64") from None
        # date
        match = _DATE_RE.match(text.strip())
        if not match:
            raise self.fail(f"<date> holds {text.strip()[:40]!r}; expected 2024-01-31T12:00:00Z")
        year, month, day, hour, minute, second = (
            int(p) if p else default
            for p, default in zip(match.groups(), (0, 1, 1, 0, 0, 0), strict=True)
        )
        try:
            return datetime.datetime(year, month, day, hour, minute, second)
        except ValueError as exc:
            raise self.fail(f"<date> is not a real date: {exc}") from None


def parse_xml_plist(data: bytes) -> Any:
    """Parse an XML plist (the <plist> wrapper may be absent, as in bare fragments)."""
    return _Parser().parse(data)
