"""The bounds every plist reader and writer of the editor applies, counted one way.

Nesting counts containers: the top dictionary is at nesting 1, a dictionary inside it
at 2, and a string inside 64 nested arrays is fine. The XML reader, the binary reader
and the writers all count so, which keeps the editor from writing a file it would then
refuse to read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from editor.core.errors import EditorError

# Real profiles are kilobytes; a 1000-payload profile is about 4 MB and 140 000 values.
MAX_FILE_SIZE = 64 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 1_000_000
MAX_TEXT = 64 * 1024 * 1024  # characters of text and bytes of data, all values together


def nesting_message() -> str:
    return f"nesting deeper than {MAX_DEPTH} levels"


class TreeLimitError(EditorError, ValueError):
    """A value the editor will not write: cyclic, too deep or too large."""


@dataclass
class TreeFacts:
    """What a writer needs to know about a tree, gathered in one walk."""

    values: int = 0
    holds_none: bool = False
    holds_negative_zero: bool = False
    strings: list[str] | None = None  # every string and key, when asked for


def inspect_tree(root: Any, collect_strings: bool = False) -> TreeFacts:
    """Walk a tree once; TreeLimitError when it contains itself or is beyond the bounds."""
    facts = TreeFacts(strings=[] if collect_strings else None)
    strings = facts.strings
    count = 0

    def walk(value: Any, depth: int) -> None:
        nonlocal count
        count += 1
        kind = type(value)
        if kind is str:
            if strings is not None:
                strings.append(value)
            return
        if isinstance(value, dict | list | tuple):
            if depth > MAX_DEPTH:
                if _contains_itself(root):
                    raise TreeLimitError("a value contains itself")
                raise TreeLimitError(nesting_message())
            if count > MAX_VALUES:
                raise TreeLimitError(f"more than {MAX_VALUES:,} values")
            if isinstance(value, dict):
                for key, item in value.items():
                    count += 1
                    if strings is not None and isinstance(key, str):
                        strings.append(key)
                    walk(item, depth + 1)
            else:
                for item in value:
                    walk(item, depth + 1)
            return
        if value is None:
            facts.holds_none = True
        elif kind is float and value == 0.0 and math.copysign(1.0, value) < 0:
            facts.holds_negative_zero = True
        elif isinstance(value, str) and strings is not None:  # a str subclass
            strings.append(value)

    walk(root, 1)
    facts.values = count
    return facts


def _contains_itself(root: Any) -> bool:
    on_path: set[int] = set()

    def search(value: Any, depth: int) -> bool:
        if not isinstance(value, dict | list | tuple) or depth > MAX_DEPTH + 1:
            return False  # a cycle longer than that is reported as deep nesting
        if id(value) in on_path:
            return True
        on_path.add(id(value))
        items = value.values() if isinstance(value, dict) else value
        found = any(search(item, depth + 1) for item in items)
        on_path.discard(id(value))
        return found

    return search(root, 1)
