"""A binary property-list reader that stays linear on hostile files.

A binary plist is a table of objects that refer to each other by number, so one
dictionary may be referred to many times (plistlib writes a value used twice only once).
Expanded naively, sixteen references on each of eleven levels make 16**11 values out of
a few hundred bytes. This reader visits each object once, learns from that visit how
many values, how much text and how many nested levels the expanded tree would hold, and
refuses the file before expanding it when any of them is beyond the bounds in
`editor.core.plistlimits`. Every value it returns is its own object: a dictionary that
the file refers to twice becomes two dictionaries, so editing one never changes the
other.

The format follows CoreFoundation's CFBinaryPList.c as plistlib reads it, with these
choices of ours: the null and fill objects (0x00, 0x0F), sets and non-string dictionary
keys are refused, since a profile cannot hold them.
"""

from __future__ import annotations

import datetime
import struct
from collections.abc import Callable
from struct import unpack_from
from typing import Any

from editor.core.errors import EditorError
from editor.core.plistlimits import MAX_DEPTH, MAX_TEXT, MAX_VALUES, nesting_message

_INT_FORMATS = {1: "B", 2: "H", 4: "L", 8: "Q"}
_EPOCH = datetime.datetime(2001, 1, 1)
_TRAILER = struct.Struct(">6xBBQQQ")


class BinaryPlistError(EditorError, ValueError):
    """A damaged or refused binary plist; the message says why in a user's words."""


class _Cycle(Exception):  # noqa: N818
    """An object that contains itself."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        if not data.startswith(b"bplist00"):
            raise BinaryPlistError("only version 00 of the binary format is known")
        if len(data) < 8 + 1 + 32:
            raise BinaryPlistError("the file is too short for a binary plist")
        offset_size, ref_size, count, top, table = _TRAILER.unpack_from(data, len(data) - 32)
        if not (1 <= offset_size <= 8 and 1 <= ref_size <= 8):
            raise BinaryPlistError("its trailer is damaged")
        if count == 0 or top >= count:
            raise BinaryPlistError("its trailer names no valid top object")
        if count > MAX_VALUES:
            # each object is a value; refused before the offset table is read into memory
            raise BinaryPlistError(
                f"it declares {count:,} objects; more than {MAX_VALUES:,} values are refused"
            )
        objects_end = len(data) - 32
        if table < 8 or table + count * offset_size > objects_end:
            raise BinaryPlistError("its offset table lies outside the file")
        self.data = data
        self.ref_size = ref_size
        self.objects_end = table
        self.offsets = _read_ints(data, table, count, offset_size)
        self.top = top
        self.values: list[Any] = [None] * count
        # per object: 0 unread, 1 being read (so met inside itself), 2 a scalar, 3 a container
        self.state = bytearray(count)
        self.lengths = [0] * count  # characters of a string, bytes of a data object
        self.children: dict[int, tuple[int, ...]] = {}  # per container, in file order
        self.references: list[int] = []  # every reference read, as many times as read
        self.shared = False  # a container is referred to more than once
        self.measured: dict[int, tuple[int, int, int]] = {}
        self.decoded = 0  # characters and bytes decoded so far, each object once

    def read(self) -> Any:
        top = self.top
        try:
            root = self._reader()(top, 1)
        except _Cycle:
            raise BinaryPlistError("an object contains itself") from None
        except IndexError:  # checked here rather than at each of the many references
            raise BinaryPlistError("an object refers to an object that does not exist") from None
        if self.shared:
            values, text, _nesting = self.measure(top)
        else:  # each reference read is one value of the tree, and nothing else is
            values = 1 + len(self.references)
            text = self.lengths[top] + sum(map(self.lengths.__getitem__, self.references))
        if values > MAX_VALUES:
            raise BinaryPlistError(
                f"expanded, it would hold {values:,} values; more than {MAX_VALUES:,} are "
                "refused"
            )
        if text > MAX_TEXT:
            raise BinaryPlistError(
                f"expanded, it would hold {text // (1024 * 1024):,} MiB of text and data; "
                f"more than {MAX_TEXT // (1024 * 1024)} MiB are refused"
            )
        if self.shared:
            return _unshare(root)
        return root

    def measure(self, ref: int) -> tuple[int, int, int]:
        """(values, text, nesting) of the expanded tree of `ref`, once per object.

        Called only for objects read completely, whose nesting is bounded already.
        """
        known = self.measured.get(ref)
        if known is not None:
            return known
        children = self.children.get(ref)
        if children is None:
            return 1, self.lengths[ref], 0
        values, text, nesting = 1, 0, 0
        for child in children:
            child_values, child_text, child_nesting = self.measure(child)
            values += child_values
            text += child_text
            nesting = max(nesting, child_nesting)
        result = (values, text, nesting + 1)
        self.measured[ref] = result
        return result

    def _reader(self) -> Callable[[int, int], Any]:
        """The function that reads one object; its state sits in local names, for speed."""
        data = self.data
        offsets = self.offsets
        objects_end = self.objects_end
        state_of = self.state
        values = self.values
        lengths = self.lengths
        children_of = self.children
        add_references = self.references.extend
        ref_size = self.ref_size
        ref_code = _INT_FORMATS.get(ref_size)
        scalar = self.scalar
        length_of = self.length

        def value(ref: int, depth: int) -> Any:
            """Object `ref`, met at nesting `depth` (1 for the top object)."""
            state = state_of[ref]
            if state >= 2:
                if state == 3:  # a container met again: it must be copied when expanded
                    self.shared = True
                    if depth - 1 + self.measure(ref)[2] > MAX_DEPTH:
                        raise BinaryPlistError(nesting_message())
                return values[ref]
            if state == 1:
                raise _Cycle
            offset = offsets[ref]
            if not 8 <= offset < objects_end:
                raise BinaryPlistError(f"object {ref} lies outside the file")
            token = data[offset]
            high = token & 0xF0
            if high != 0xA0 and high != 0xD0:
                if high == 0x50 and token != 0x5F:  # a short ASCII string, the commonest
                    end = offset + 1 + (token & 0x0F)
                    if end > objects_end:
                        raise BinaryPlistError("an object is cut short")
                    try:
                        result: Any = data[offset + 1 : end].decode("ascii")
                    except UnicodeDecodeError:
                        raise BinaryPlistError(f"object {ref} is text that is not ASCII") from None
                    lengths[ref] = end - offset - 1
                else:
                    result = scalar(token, offset, ref)
                    kind = type(result)
                    if kind is str or kind is bytes:
                        lengths[ref] = len(result)
                values[ref] = result
                state_of[ref] = 2
                return result
            if depth > MAX_DEPTH:
                raise BinaryPlistError(nesting_message())
            state_of[ref] = 1
            length = token & 0x0F
            if length == 0x0F:
                length, start = length_of(token, offset)
            else:
                start = offset + 1
            wanted = length if high == 0xA0 else 2 * length
            if start + wanted * ref_size > objects_end:
                raise BinaryPlistError("an object is cut short")
            if ref_code is not None:
                children = unpack_from(f">{wanted}{ref_code}", data, start)
            else:
                children = _read_ints(data, start, wanted, ref_size)
            children_of[ref] = children
            add_references(children)
            # A scalar read before is taken from the table here rather than through a
            # call: most references in a file are to strings and numbers met before.
            deeper = depth + 1
            read = [
                values[child] if state_of[child] == 2 else value(child, deeper)
                for child in children
            ]
            if high == 0xA0:
                result = read
            else:
                keys = read[:length]
                for key in keys:
                    if type(key) is not str:
                        raise BinaryPlistError("a dictionary key is not a string")
                result = dict(zip(keys, read[length:]))  # noqa: B905 - equal by construction
            values[ref] = result
            state_of[ref] = 3
            return result

        return value

    def length(self, token: int, offset: int) -> tuple[int, int]:
        """(count, offset of what follows) for an object whose count is in its token."""
        low = token & 0x0F
        if low != 0x0F:
            return low, offset + 1
        if offset + 2 > self.objects_end:
            raise BinaryPlistError("an object is cut short")
        marker = self.data[offset + 1]
        if marker & 0xF0 != 0x10:
            raise BinaryPlistError("an object's length is not an integer")
        width = 1 << (marker & 0x03)
        start = offset + 2
        if start + width > self.objects_end:
            raise BinaryPlistError("an object is cut short")
        return int.from_bytes(self.data[start : start + width], "big"), start + width

    def bytes_at(self, start: int, length: int) -> bytes:
        end = start + length
        if end > self.objects_end:
            raise BinaryPlistError("an object is cut short")
        return self.data[start:end]

    def scalar(self, token: int, offset: int, ref: int) -> Any:
        high = token & 0xF0
        if token == 0x08:
            return False
        if token == 0x09:
            return True
        if high == 0x10:
            width = 1 << (token & 0x0F)
            if width > 16:
                raise BinaryPlistError(f"object {ref} is an integer of unknown width")
            raw = self.bytes_at(offset + 1, width)
            return int.from_bytes(raw, "big", signed=width >= 8)
        if token == 0x22:
            return float(struct.unpack(">f", self.bytes_at(offset + 1, 4))[0])
        if token == 0x23:
            return float(struct.unpack(">d", self.bytes_at(offset + 1, 8))[0])
        if token == 0x33:
            seconds = struct.unpack(">d", self.bytes_at(offset + 1, 8))[0]
            try:
                return _EPOCH + datetime.timedelta(seconds=seconds)
            except (OverflowError, ValueError):
                raise BinaryPlistError(f"object {ref} is a date out of range") from None
        if high in (0x40, 0x50, 0x60):
            length, start = self.length(token, offset)
            # objects may share their bytes: bound what decoding them all would take
            self.decoded += length
            if self.decoded > MAX_TEXT:
                raise BinaryPlistError(
                    f"its text and data would take more than {MAX_TEXT // (1024 * 1024)} MiB"
                )
            if high == 0x60:
                raw = self.bytes_at(start, length * 2)
                try:
                    return raw.decode("utf-16-be")
                except UnicodeDecodeError:
                    raise BinaryPlistError(f"object {ref} is damaged UTF-16 text") from None
            raw = self.bytes_at(start, length)
            if high == 0x40:
                return raw
            try:
                return raw.decode("ascii")
            except UnicodeDecodeError:
                raise BinaryPlistError(f"object {ref} is text that is not ASCII") from None
        if high == 0x80:  # a keyed archiver's UID: kept, so the file is written back as read
            import plistlib

            width = (token & 0x0F) + 1
            if width > 8:
                raise BinaryPlistError(f"object {ref} is a UID wider than 64 bits")
            return plistlib.UID(int.from_bytes(self.bytes_at(offset + 1, width), "big"))
        if token == 0x00:
            raise BinaryPlistError("a null value, which a profile cannot hold")
        raise BinaryPlistError(f"object {ref} has an unknown type (marker 0x{token:02X})")


def _read_ints(data: bytes, start: int, count: int, size: int) -> tuple[int, ...]:
    code = _INT_FORMATS.get(size)
    if code is not None:
        return struct.unpack_from(f">{count}{code}", data, start)
    end = start + count * size
    return tuple(int.from_bytes(data[at : at + size], "big") for at in range(start, end, size))


def _unshare(value: Any) -> Any:
    """A copy in which no container appears twice (the depth is bounded already)."""
    if type(value) is dict:
        return {key: _unshare(item) for key, item in value.items()}
    if type(value) is list:
        return [_unshare(item) for item in value]
    return value


def parse_binary_plist(data: bytes) -> Any:
    """The root value of a binary plist; BinaryPlistError says why a file is refused."""
    return _Reader(data).read()
