"""Plist value types and their names, shared by the model, schema and validation."""

from __future__ import annotations

import datetime
import sys
from typing import Any, TypeAlias

PlistValue: TypeAlias = Any  # str | int | float | bool | bytes | datetime | list | dict | UID
PlistDict: TypeAlias = dict[str, Any]

PLIST_TYPES: tuple[str, ...] = (
    "string",
    "integer",
    "real",
    "boolean",
    "date",
    "data",
    "array",
    "dictionary",
    "any",
)


def plist_type_of(value: object) -> str:
    """The plist type name of a Python value; bool is checked before int on purpose."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "real"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes | bytearray):
        return "data"
    if isinstance(value, datetime.datetime):
        return "date"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "dictionary"
    # A UID only comes from plistlib's binary reader: no plistlib loaded, no UID to meet.
    plistlib = sys.modules.get("plistlib")
    if plistlib is not None and isinstance(value, plistlib.UID):
        return "uid"
    raise TypeError(f"not a plist value: {type(value).__name__}")


def same_plist_value(left: object, right: object) -> bool:
    """Equality that tells boolean from integer and real from integer."""
    if plist_type_of(left) != plist_type_of(right):
        return False
    if isinstance(left, dict) and isinstance(right, dict):
        return list(left) == list(right) and all(same_plist_value(left[k], right[k]) for k in left)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(
            same_plist_value(a, b) for a, b in zip(left, right, strict=True)
        )
    return left == right


def same_value(left: object, right: object) -> bool:
    """same_plist_value, False (not an error) when either is no plist value (None)."""
    try:
        return same_plist_value(left, right)
    except TypeError:
        return False
