"""Conditions of the schema (COND in FORMAT.md) tested against a payload being walked.

Public because the form shows or hides fields by the same conditions as the engine checks
them. Each condition is compiled once to a closure and kept on the condition itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from editor.core.model import MISSING
from editor.core.plisttypes import PlistDict, PlistValue
from editor.core.schema import Condition, KeySpec


@dataclass(slots=True)
class Frame:
    """One dictionary on the way from the payload root to the current key."""

    value: PlistDict
    spec: KeySpec


def _value_or_default(value: PlistValue, spec: KeySpec | None) -> PlistValue:
    if value is MISSING and spec is not None and spec.has_default:
        return spec.default
    return value


def same_typed_value(left: PlistValue, right: PlistValue) -> bool:
    return left is not MISSING and type(left) is type(right) and left == right


def _same_as_device(left: PlistValue, right: PlistValue) -> bool:
    """Condition test as a device reads it: <true/> counts as 1 (the type error is
    reported on its own, so it need not cascade into 'ignored' warnings)."""
    if isinstance(left, bool) and isinstance(right, int) and not isinstance(right, bool):
        return int(left) == right
    return same_typed_value(left, right)


def condition_spec(condition: Condition, frames: Sequence[Frame]) -> KeySpec | None:
    """The spec of the key a simple condition tests (None for all/any/not), found from
    the frames as the condition itself resolves it."""
    key = condition.key
    if not key or not frames:
        return None
    if key.startswith("/"):
        frame, parts = frames[0], key[1:].split("/")
    else:
        parts = key.split("/")
        ups = 0
        while parts and parts[0] == "..":
            parts, ups = parts[1:], ups + 1
        frame = frames[max(0, len(frames) - 1 - ups)]
    spec: KeySpec | None = frame.spec
    for part in parts:
        spec = spec.keys.get(part) if spec is not None else None
    return spec


def condition_holds(condition: Condition, frames: Sequence[Frame]) -> bool:
    return compiled(condition)(frames)


ConditionTest = Callable[[Sequence[Frame]], bool]

_HASHABLE_SCALARS = frozenset({str, int, float, bytes})


def compiled(condition: Condition) -> ConditionTest:
    """The condition's test, made on first use and kept on the condition (it lives as long
    as the schema, so no cache outside it is needed)."""
    test: ConditionTest | None = condition.__dict__.get("_compiled_test")
    if test is None:
        test = condition.__dict__["_compiled_test"] = _compile(condition)
    return test


def _compile(condition: Condition) -> ConditionTest:
    """The same test as the plain reading of COND in FORMAT.md, with the path pre-split
    and the wanted values in a set."""
    op = condition.op
    if op in ("all", "any", "not"):
        children = tuple(compiled(c) for c in condition.children)
        if op == "all":
            return lambda frames: all(test(frames) for test in children)
        if op == "any":
            return lambda frames: any(test(frames) for test in children)
        only = children[0]
        return lambda frames: not only(frames)
    key = condition.key
    if key.startswith("/"):
        absolute, ups, parts = True, 0, tuple(key[1:].split("/"))
    else:
        absolute, split = False, key.split("/")
        ups = 0
        while split and split[0] == "..":
            split = split[1:]
            ups += 1
        parts = tuple(split)

    def resolve(frames: Sequence[Frame]) -> tuple[PlistValue, KeySpec | None]:
        frame = frames[0] if absolute else frames[max(0, len(frames) - 1 - ups)]
        node: PlistValue = frame.value
        spec: KeySpec | None = frame.spec
        for part in parts:
            spec = spec.keys.get(part) if spec is not None else None
            node = node.get(part, MISSING) if isinstance(node, dict) else MISSING
        return node, spec

    if op == "present":
        present = condition.present
        return lambda frames: (resolve(frames)[0] is not MISSING) == present
    values = condition.values
    try:
        pairs = frozenset((type(v), v) for v in values)
    except TypeError:  # an unhashable wanted value: compare one by one
        pairs = None
    ints = frozenset(v for v in values if type(v) is int)

    def holds(frames: Sequence[Frame]) -> bool:
        value, spec = resolve(frames)
        value = _value_or_default(value, spec)
        if pairs is None:
            return any(_same_as_device(value, wanted) for wanted in values)
        kind = type(value)
        if kind is bool:
            return (bool, value) in pairs or int(value) in ints
        if kind in _HASHABLE_SCALARS:
            return (kind, value) in pairs
        return any(_same_as_device(value, wanted) for wanted in values)

    return holds
