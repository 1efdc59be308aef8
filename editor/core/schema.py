"""The payload schema's typed objects: conditions, keys, payload types, the whole schema.

One declaration feeds the forms, the validation, the CLI and the availability badges.
The objects are made from the JSON data in resources/schema by schema_loader.py, which
checks the data strictly (resources/schema/FORMAT.md); schema_cache.py keeps them
between starts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from editor.core.errors import EditorError
from editor.core.payload_types import CERTIFICATE_PREFIX
from editor.core.platforms import (
    Availability,
)
from editor.core.plisttypes import PlistValue

CONFIGURATION = "Configuration"
COMMON = "common"

STRING_FORMATS = frozenset(
    {
        "hostname",
        "host",
        "ip",
        "url",
        "https-url",
        "uuid",
        "reverse-dns",
        "domain",
        "bundle-id",
        "oid",
        "email",
    }
)
REFERENCE_KINDS = frozenset({"certificate", "vpn-uuid"})
USER_ENROLLMENT_MODES = frozenset({"allowed", "forbidden", "required", "ignored"})


class SchemaError(EditorError):
    """The schema data is malformed; the message names the file and key path."""


# --- conditions -------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A test on other keys' values: see COND in FORMAT.md."""

    op: str  # equals, in, present, all, any, not
    key: str = ""
    values: tuple[PlistValue, ...] = ()
    present: bool = True
    children: tuple[Condition, ...] = ()

    def key_paths(self) -> Iterator[str]:
        if self.key:
            yield self.key
        for child in self.children:
            yield from child.key_paths()

    def describe(self) -> str:
        """Readable text: 'AuthenticationMethod is Certificate'."""
        name = self.key.lstrip("/").replace("../", "")
        if self.op == "equals":
            return f"{name} is {_show(self.values[0])}"
        if self.op == "in":
            return f"{name} is one of " + ", ".join(_show(v) for v in self.values)
        if self.op == "present":
            return f"{name} is set" if self.present else f"{name} is not set"
        if self.op == "not":
            return f"not ({self.children[0].describe()})"
        joiner = " and " if self.op == "all" else " or "
        return joiner.join(child.describe() for child in self.children)


def _show(value: PlistValue) -> str:
    return repr(value) if isinstance(value, str) and value == "" else str(value)


# --- keys and payloads --------------------------------------------------------------


@dataclass(frozen=True)
class ValueNote:
    description: str
    availability: Availability | None


@dataclass
class KeySpec:
    """One key of a payload (or an array's element when `name` is empty)."""

    name: str
    path: str  # schema path from the payload root: IKEv2/OnDemandRules[]/Action
    type: str
    title: str = ""
    description: str = ""
    required: bool = False
    required_when: Condition | None = None
    applies_when: Condition | None = None
    has_default: bool = False
    default: PlistValue = None
    values: tuple[PlistValue, ...] | None = None
    values_open: bool = False
    value_notes: Mapping[PlistValue, ValueNote] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    min_items: int | None = None  # on arrays: how many items they may hold
    max_items: int | None = None
    # on array items: the repetition as written in the data (moved to the array)
    repetition: tuple[int | None, int | None] | None = None
    format: str | None = None
    secret: bool = False
    references: str | None = None
    availability: Availability = field(default_factory=dict)
    # where the availability facts come from (the data's availability/source)
    availability_source: str = ""
    item: KeySpec | None = None
    keys: dict[str, KeySpec] = field(default_factory=dict)
    open: bool = False

    @property
    def is_flag(self) -> bool:
        """An integer that Apple uses as a 0/1 switch."""
        return self.type == "integer" and self.values is not None and set(self.values) == {0, 1}

    @property
    def label(self) -> str:
        return self.title or self.name

    def child(self, name: str) -> KeySpec | None:
        return self.keys.get(name)


@dataclass
class PayloadSchema:
    payload_type: str
    title: str
    description: str
    availability: Availability
    multiple: Mapping[str, bool]
    supervised: Mapping[str, bool]
    manual_install: Mapping[str, bool]
    user_enrollment: Mapping[str, str]
    root: KeySpec  # a dictionary spec holding the payload's keys

    @property
    def keys(self) -> dict[str, KeySpec]:
        return self.root.keys

    def walk(self) -> Iterator[KeySpec]:
        """Every key spec, depth first, array items included."""
        stack = list(reversed(self.root.keys.values()))
        while stack:
            spec = stack.pop()
            yield spec
            children = list(spec.keys.values())
            if spec.item is not None:
                children.append(spec.item)
            stack.extend(reversed(children))

    @functools.cached_property
    def paths_by_name(self) -> dict[str, tuple[str, ...]]:
        """Key name -> schema paths where it occurs (to say where a key belongs)."""
        found: dict[str, list[str]] = {}
        for spec in self.walk():
            if spec.name:
                found.setdefault(spec.name, []).append(spec.path)
        return {name: tuple(paths) for name, paths in found.items()}

    @functools.cached_property
    def secret_paths(self) -> tuple[str, ...]:
        return tuple(spec.path for spec in self.walk() if spec.secret and spec.name)

    @functools.cached_property
    def reference_paths(self) -> tuple[tuple[str, str], ...]:
        """(schema path, reference kind) of every key that names another payload."""
        return tuple((spec.path, spec.references) for spec in self.walk() if spec.references)

    def find(self, schema_path: str) -> KeySpec | None:
        """Look up 'IKEv2/OnDemandRules[]/Action'."""
        spec: KeySpec | None = self.root
        for part in schema_path.split("/"):
            if spec is None:
                return None
            name, brackets = part, 0
            while name.endswith("[]"):
                name, brackets = name[:-2], brackets + 1
            spec = spec.keys.get(name)
            for _ in range(brackets):
                spec = spec.item if spec is not None else None
        return spec


@dataclass
class Schema:
    payloads: dict[str, PayloadSchema]
    configuration: PayloadSchema
    common: PayloadSchema
    # Every payload type Apple publishes (../apple_payload_types.json), the editor's own
    # included: a type outside it is no Apple payload at all.
    apple_payload_types: frozenset[str] = frozenset()

    def payload(self, payload_type: str) -> PayloadSchema | None:
        return self.payloads.get(payload_type)

    def certificate_types(self) -> frozenset[str]:
        return frozenset(t for t in self.payloads if t.startswith(CERTIFICATE_PREFIX))


# --- the loader ---------------------------------------------------------------------
