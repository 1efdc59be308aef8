"""The profile model: the plist tree as read, plus pure edit operations.

Values stay plain Python plist values (dict, list, str, int, float, bool, bytes,
datetime) so nothing the schema does not know is lost and key order is kept. Every
edit is a function that changes the tree and returns what is needed to undo it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from editor.core.plistio import (
    LoadedProfile,
    PlistFormat,
    ProfileReadError,
    parse_plist_bytes,
    read_plist_file,
    serialize_plist,
    write_atomic,
)
from editor.core.plisttypes import PlistDict, PlistValue

if TYPE_CHECKING:
    from editor.core.cms import SignedEnvelope
    from editor.core.plistxml import DuplicateKey

PathPart = str | int
KeyPath = tuple[PathPart, ...]

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


def payload_index(path: KeyPath) -> int | None:
    """The index of the payload a path lies in (PayloadContent/N/…), or None."""
    if len(path) >= 2 and path[0] == "PayloadContent" and isinstance(path[1], int):
        return path[1]
    return None


def is_payload_path(path: KeyPath) -> bool:
    """Whether the path names a payload itself (PayloadContent/N)."""
    return len(path) == 2 and payload_index(path) is not None


def path_text(path: KeyPath) -> str:
    """'PayloadContent/0/IKEv2/RemoteAddress'."""
    return "/".join(str(part) for part in path)


def schema_path(path: KeyPath) -> str:
    """The schema path of a value path inside a payload: 'OnDemandRules/2/Action' ->
    'OnDemandRules[]/Action'."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += "[]"
        else:
            text += f"/{part}" if text else part
    return text


def get_value(root: PlistValue, path: KeyPath) -> PlistValue:
    """The value at path, or MISSING."""
    node = root
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or not 0 <= part < len(node):
                return MISSING
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return MISSING
            node = node[part]
    return node


def _container(root: PlistValue, path: KeyPath) -> Any:
    node = get_value(root, path)
    if node is MISSING:
        raise KeyError(f"no value at {path_text(path)}")
    return node


# --- pure edit operations (each returns what undoes it) -----------------------------


@dataclass(frozen=True)
class KeyRemoval:
    index: int
    value: PlistValue


def set_key(root: PlistValue, path: KeyPath, value: PlistValue) -> PlistValue:
    """Set a dictionary key or an array item; return the previous value or MISSING.

    A new dictionary key goes to the end; an existing one keeps its place.
    """
    parent = _container(root, path[:-1])
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(parent, list):
            raise KeyError(f"{path_text(path[:-1])} is not an array")
        previous = parent[last]
        parent[last] = value
        return previous
    if not isinstance(parent, dict):
        raise KeyError(f"{path_text(path[:-1])} is not a dictionary")
    previous = parent.get(last, MISSING)
    parent[last] = value
    return previous


def remove_key(root: PlistValue, path: KeyPath) -> KeyRemoval:
    parent = _container(root, path[:-1])
    name = path[-1]
    if not isinstance(parent, dict) or not isinstance(name, str) or name not in parent:
        raise KeyError(f"no key at {path_text(path)}")
    index = list(parent).index(name)
    return KeyRemoval(index, parent.pop(name))


def insert_key(root: PlistValue, path: KeyPath, value: PlistValue, index: int) -> None:
    """Put a key back at a position (the inverse of remove_key)."""
    parent = _container(root, path[:-1])
    name = path[-1]
    if not isinstance(parent, dict) or not isinstance(name, str):
        raise KeyError(f"{path_text(path[:-1])} is not a dictionary")
    items = list(parent.items())
    items.insert(index, (name, value))
    parent.clear()
    parent.update(items)


def rename_key(root: PlistValue, path: KeyPath, new_name: str) -> None:
    parent = _container(root, path[:-1])
    old = path[-1]
    if not isinstance(parent, dict) or old not in parent:
        raise KeyError(f"no key at {path_text(path)}")
    if new_name in parent:
        raise KeyError(f"{new_name!r} already exists in {path_text(path[:-1]) or 'the profile'}")
    items = [(new_name if k == old else k, v) for k, v in parent.items()]
    parent.clear()
    parent.update(items)


def insert_item(root: PlistValue, array_path: KeyPath, index: int, value: PlistValue) -> None:
    array = _container(root, array_path)
    if not isinstance(array, list):
        raise KeyError(f"{path_text(array_path)} is not an array")
    array.insert(index, value)


def remove_item(root: PlistValue, array_path: KeyPath, index: int) -> PlistValue:
    array = _container(root, array_path)
    if not isinstance(array, list):
        raise KeyError(f"{path_text(array_path)} is not an array")
    return array.pop(index)


def move_item(root: PlistValue, array_path: KeyPath, source: int, target: int) -> None:
    array = _container(root, array_path)
    if not isinstance(array, list):
        raise KeyError(f"{path_text(array_path)} is not an array")
    array.insert(target, array.pop(source))


# --- the profile --------------------------------------------------------------------


def new_uuid() -> str:
    """A random (version 4) UUID in upper case, as Apple's tools write them.

    Made from os.urandom here: the uuid module takes milliseconds to import, and every
    new profile, at every start of the editor, needs one.
    """
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    text = raw.hex().upper()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@dataclass
class Profile:
    """A configuration profile document."""

    root: PlistDict
    source_format: PlistFormat = "xml"
    signature: SignedEnvelope | None = None
    read_notes: list[str] = field(default_factory=list)
    # keys written twice in one XML dictionary (the later value was read; saving writes one)
    duplicate_keys: list[DuplicateKey] = field(default_factory=list)

    @classmethod
    def from_loaded(cls, loaded: LoadedProfile, source: str) -> Profile:
        if not isinstance(loaded.root, dict):
            kind = type(loaded.root).__name__
            names = {
                "list": "an array",
                "str": "a string",
                "int": "an integer",
                "float": "a real number",
                "bool": "a boolean",
                "bytes": "data",
            }
            raise ProfileReadError(
                source,
                f"the plist's top value is {names.get(kind, kind)}, "
                "but a profile must be a dictionary",
            )
        return cls(
            loaded.root,
            loaded.source_format,
            loaded.signature,
            list(loaded.notes),
            list(loaded.duplicate_keys),
        )

    @classmethod
    def read(cls, path: Path | str) -> Profile:
        return cls.from_loaded(read_plist_file(path), str(path))

    @classmethod
    def parse(cls, data: bytes, source: str = "<data>") -> Profile:
        return cls.from_loaded(parse_plist_bytes(data, source), source)

    @classmethod
    def new(cls, identifier: str = "com.example.vpn", display_name: str = "VPN") -> Profile:
        return cls(
            {
                "PayloadContent": [],
                "PayloadDisplayName": display_name,
                "PayloadIdentifier": identifier,
                "PayloadType": "Configuration",
                "PayloadUUID": new_uuid(),
                "PayloadVersion": 1,
            }
        )

    def to_bytes(self, fmt: PlistFormat = "xml") -> bytes:
        return serialize_plist(self.root, fmt)

    def save(self, path: Path | str, fmt: PlistFormat = "xml") -> None:
        """Atomic save: the old file stays whole if anything fails."""
        write_atomic(path, self.to_bytes(fmt))

    # payload access
    @property
    def payloads(self) -> list[Any]:
        """The PayloadContent array (items may be of any type in a damaged file)."""
        content = self.root.get("PayloadContent")
        return content if isinstance(content, list) else []

    def payload_dicts(self) -> Iterator[tuple[int, PlistDict]]:
        for index, payload in enumerate(self.payloads):
            if isinstance(payload, dict):
                yield index, payload

    @property
    def is_encrypted(self) -> bool:
        return self.root.get("IsEncrypted") is True or "EncryptedPayloadContent" in self.root
