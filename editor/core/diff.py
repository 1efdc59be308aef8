"""Semantic differences between two profiles, and a canonical text form for `git diff`.

The comparison is on the plist values, never on the bytes: XML and binary of the same
profile are the same, dictionary key order does not count, and a change of plist type
(`<true/>` against `<integer>1</integer>`) is its own kind of difference.

Payloads are paired by PayloadUUID, then by PayloadIdentifier, then by PayloadType and
position among the payloads of that type. Items of other arrays are paired when equal
(wherever they are), then dictionaries by the most shared keys, then the rest in order;
a pair whose relative order differs is reported as moved (On Demand rules are tried in
order, so their order matters).

Paths are those `validate` prints: slash-separated from the root, array items by index,
in the second profile's numbering, except for removals, which name the first profile's.

Secret values (the schema's secret keys, and key names that plainly hold one) are
replaced by SECRET_MASK unless asked otherwise; a changed secret still shows as changed.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from editor.core.model import MISSING, KeyPath, is_payload_path, path_text, schema_path
from editor.core.plisttypes import PlistDict, PlistValue, plist_type_of
from editor.core.schema import Schema

Kind = Literal["added", "removed", "changed", "type-changed", "moved"]
KINDS: tuple[Kind, ...] = ("added", "removed", "changed", "type-changed", "moved")

SECRET_MASK = "<secret>"

# Key names that hold a secret wherever they appear: keys the schema does not describe
# (VendorConfig, unknown payloads) included. Lower case; compared case-insensitively.
_SECRET_WORDS = ("password", "secret", "passphrase", "privatekey")
# Whole VendorConfig entries that hold key material: the WireGuard configuration text
# (its PrivateKey) and OpenVPN's inline private key and static keys.
_SECRET_NAMES = frozenset(
    {"wgquickconfig", "key", "tls-auth", "tls-crypt", "tls-crypt-v2", "secret", "pkcs12", "ppk"}
)


@dataclass(frozen=True)
class Difference:
    kind: Kind
    path: KeyPath  # the second profile's path; the first's for removals
    before: PlistValue  # MISSING for additions; the old index for moves
    after: PlistValue  # MISSING for removals; the new index for moves
    types: tuple[str, str] = ("", "")  # the plist types before and after (secrets masked)

    @property
    def path_text(self) -> str:
        return path_text(self.path)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path_text,
            "before": json_value(self.before),
            "after": json_value(self.after),
        }


# --- secrets ------------------------------------------------------------------------------


class SecretPolicy:
    """Tells which values are secret: by the schema's secret keys, then by key name."""

    def __init__(self, schema: Schema | None) -> None:
        self._schema = schema
        self._secret_paths: dict[str, frozenset[str]] = {}

    def _paths_for(self, payload_type: str) -> frozenset[str]:
        if payload_type not in self._secret_paths:
            payload = self._schema.payload(payload_type) if self._schema is not None else None
            found = frozenset(payload.secret_paths) if payload is not None else frozenset()
            self._secret_paths[payload_type] = found
        return self._secret_paths[payload_type]

    def is_secret(self, payload_type: str | None, rel_path: KeyPath) -> bool:
        """rel_path is inside the payload (or from the root when payload_type is None)."""
        if not rel_path:
            return False
        name = rel_path[-1]
        if isinstance(name, str):
            lowered = name.lower()
            if lowered in _SECRET_NAMES and "VendorConfig" in rel_path:
                return True
            if any(word in lowered for word in _SECRET_WORDS) and not lowered.endswith(
                "encryption"  # XAuthPasswordEncryption says how, it holds no secret
            ):
                return True
        if payload_type is None:
            return False
        return schema_path(rel_path) in self._paths_for(payload_type)

    def mask(self, value: PlistValue, payload_type: str | None, rel_path: KeyPath) -> PlistValue:
        """value with every secret inside it (or itself) replaced by SECRET_MASK."""
        if self.is_secret(payload_type, rel_path):
            return SECRET_MASK
        if isinstance(value, dict):
            if payload_type is None and is_payload_path(rel_path):
                kind = value.get("PayloadType")  # a whole payload added or removed
                payload_type, rel_path = (kind if isinstance(kind, str) else ""), ()
            return {k: self.mask(v, payload_type, (*rel_path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mask(v, payload_type, (*rel_path, i)) for i, v in enumerate(value)]
        return value


class _Reveal(SecretPolicy):
    def is_secret(self, payload_type: str | None, rel_path: KeyPath) -> bool:
        return False


# --- comparing ----------------------------------------------------------------------------


def _same_scalar(left: PlistValue, right: PlistValue) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) and math.isnan(right):
            return True
    return bool(left == right)


def fingerprint(value: PlistValue) -> str:
    """A text equal for two values exactly when they are the same plist value, key order
    aside (for pairing array items)."""
    return json.dumps(_tagged(value), sort_keys=True, ensure_ascii=True)


def _tagged(value: PlistValue) -> Any:
    kind = plist_type_of(value)
    if kind == "dictionary":
        return {key: _tagged(item) for key, item in value.items()}
    if kind == "array":
        return [_tagged(item) for item in value]
    if kind == "data":
        return ["data", base64.b64encode(bytes(value)).decode("ascii")]
    if kind == "date":
        return ["date", value.isoformat()]
    if kind == "real":
        return ["real", repr(value)]
    return [kind, value if kind != "uid" else int(value.data)]


def _similarity(left: PlistValue, right: PlistValue) -> int:
    if not isinstance(left, dict) or not isinstance(right, dict):
        return 0
    return sum(
        1 for key in left if key in right and fingerprint(left[key]) == fingerprint(right[key])
    )


def _kept_in_order(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The largest set of pairs (sorted by first index) whose second indexes also rise;
    the others have moved."""
    ordered = sorted(pairs)
    if not ordered:
        return set()
    # longest increasing subsequence on the second index, O(n log n)
    import bisect

    tails: list[int] = []  # last second-index of the best run of each length
    tail_at: list[int] = []  # index into ordered of that last element
    previous: list[int] = [-1] * len(ordered)
    for position, (_i, j) in enumerate(ordered):
        length = bisect.bisect_left(tails, j)
        if length == len(tails):
            tails.append(j)
            tail_at.append(position)
        else:
            tails[length] = j
            tail_at[length] = position
        previous[position] = tail_at[length - 1] if length > 0 else -1
    kept: set[tuple[int, int]] = set()
    position = tail_at[-1]
    while position >= 0:
        kept.add(ordered[position])
        position = previous[position]
    return kept


Pairs = list[tuple[int, int]]


def _pair_items(left: list[Any], right: list[Any]) -> tuple[Pairs, Pairs]:
    """(equal pairs, pairs of differing items) of two arrays' indexes."""
    by_print: dict[str, list[int]] = {}
    for j, item in enumerate(right):
        by_print.setdefault(fingerprint(item), []).append(j)
    equal: list[tuple[int, int]] = []
    free_left: list[int] = []
    for i, item in enumerate(left):
        candidates = by_print.get(fingerprint(item))
        if candidates:
            equal.append((i, candidates.pop(0)))
        else:
            free_left.append(i)
    used = {j for _i, j in equal}
    free_right = [j for j in range(len(right)) if j not in used]
    changed: list[tuple[int, int]] = []
    # dictionaries (On Demand rules, payloads) by the most shared key/value pairs
    for i in list(free_left):
        if not isinstance(left[i], dict):
            continue
        scored = [(_similarity(left[i], right[j]), -abs(j - i), j) for j in free_right]
        scored = [entry for entry in scored if entry[0] > 0 and isinstance(right[entry[2]], dict)]
        if scored:
            j = max(scored)[2]
            changed.append((i, j))
            free_left.remove(i)
            free_right.remove(j)
    # the rest in order (a string changed in place, a rule rewritten entirely)
    for i, j in zip(list(free_left), list(free_right), strict=False):
        changed.append((i, j))
        free_left.remove(i)
        free_right.remove(j)
    return equal, changed


def _pair_payloads(left: list[Any], right: list[Any]) -> list[tuple[int, int]]:
    """Payload pairs: by PayloadUUID, then PayloadIdentifier, then type and position."""
    pairs: list[tuple[int, int]] = []
    free_left = list(range(len(left)))
    free_right = list(range(len(right)))

    def field(items: list[Any], index: int, name: str) -> str | None:
        item = items[index]
        value = item.get(name) if isinstance(item, dict) else None
        return value if isinstance(value, str) and value else None

    for name in ("PayloadUUID", "PayloadIdentifier", "PayloadType"):
        waiting: dict[str, list[int]] = {}
        for j in free_right:
            key = field(right, j, name)
            if key is not None:
                waiting.setdefault(key, []).append(j)
        for i in list(free_left):
            key = field(left, i, name)
            if key is not None and waiting.get(key):
                j = waiting[key].pop(0)
                pairs.append((i, j))
                free_left.remove(i)
                free_right.remove(j)
    # items that are not dictionaries at all: by position
    for i, j in zip(list(free_left), list(free_right), strict=False):
        if not isinstance(left[i], dict) and not isinstance(right[j], dict):
            pairs.append((i, j))
    return pairs


class _Differ:
    def __init__(self, secrets: SecretPolicy) -> None:
        self.secrets = secrets
        self.found: list[Difference] = []

    def _add(
        self,
        kind: Kind,
        path: KeyPath,
        before: PlistValue,
        after: PlistValue,
        payload_type: str | None,
        rel: KeyPath,
    ) -> None:
        types = ("", "")
        if kind == "type-changed":
            types = (plist_type_of(before), plist_type_of(after))
        if kind != "moved":
            if before is not MISSING:
                before = self.secrets.mask(before, payload_type, rel)
            if after is not MISSING:
                after = self.secrets.mask(after, payload_type, rel)
        self.found.append(Difference(kind, path, before, after, types))

    def value(
        self,
        left: PlistValue,
        right: PlistValue,
        path_a: KeyPath,
        path_b: KeyPath,
        payload_type: str | None,
        rel: KeyPath,
    ) -> None:
        kind_a, kind_b = plist_type_of(left), plist_type_of(right)
        if kind_a != kind_b:
            self._add("type-changed", path_b, left, right, payload_type, rel)
        elif kind_a == "dictionary":
            self.dictionary(left, right, path_a, path_b, payload_type, rel)
        elif kind_a == "array":
            if path_b == ("PayloadContent",) and payload_type is None:
                self.payloads(left, right)
            else:
                self.array(left, right, path_a, path_b, payload_type, rel)
        elif not _same_scalar(left, right):
            self._add("changed", path_b, left, right, payload_type, rel)

    def dictionary(
        self,
        left: PlistDict,
        right: PlistDict,
        path_a: KeyPath,
        path_b: KeyPath,
        payload_type: str | None,
        rel: KeyPath,
    ) -> None:
        for key, item in left.items():
            if key not in right:
                self._add("removed", (*path_a, key), item, MISSING, payload_type, (*rel, key))
        for key, item in right.items():
            if key not in left:
                self._add("added", (*path_b, key), MISSING, item, payload_type, (*rel, key))
            else:
                self.value(
                    left[key], item, (*path_a, key), (*path_b, key), payload_type, (*rel, key)
                )

    def _moves_and_rest(
        self,
        left: list[Any],
        right: list[Any],
        pairs: list[tuple[int, int]],
        path_a: KeyPath,
        path_b: KeyPath,
        recurse: Callable[[int, int], None],
        payload_type: str | None,
        rel: KeyPath,
    ) -> None:
        kept = _kept_in_order(pairs)
        paired_left = {i for i, _j in pairs}
        for i, item in enumerate(left):
            if i not in paired_left:
                self._add("removed", (*path_a, i), item, MISSING, payload_type, (*rel, i))
        partner = {j: i for i, j in pairs}
        for j, item in enumerate(right):  # in the second profile's order
            if j not in partner:
                self._add("added", (*path_b, j), MISSING, item, payload_type, (*rel, j))
                continue
            i = partner[j]
            if (i, j) not in kept:
                self.found.append(Difference("moved", (*path_b, j), i, j))
            recurse(i, j)

    def array(
        self,
        left: list[Any],
        right: list[Any],
        path_a: KeyPath,
        path_b: KeyPath,
        payload_type: str | None,
        rel: KeyPath,
    ) -> None:
        equal, changed = _pair_items(left, right)
        differing = set(changed)

        def recurse(i: int, j: int) -> None:
            if (i, j) in differing:
                self.value(
                    left[i], right[j], (*path_a, i), (*path_b, j), payload_type, (*rel, j)
                )

        self._moves_and_rest(
            left, right, equal + changed, path_a, path_b, recurse, payload_type, rel
        )

    def payloads(self, left: list[Any], right: list[Any]) -> None:
        pairs = _pair_payloads(left, right)
        base = ("PayloadContent",)

        def recurse(i: int, j: int) -> None:
            item = right[j] if isinstance(right[j], dict) else left[i]
            kind = item.get("PayloadType") if isinstance(item, dict) else None
            self.value(
                left[i],
                right[j],
                (*base, i),
                (*base, j),
                kind if isinstance(kind, str) else "",
                (),
            )

        self._moves_and_rest(left, right, pairs, base, base, recurse, None, base)


def diff_roots(
    left: PlistDict, right: PlistDict, schema: Schema | None = None, *, show_secrets: bool = False
) -> list[Difference]:
    """Every difference from left (the first profile) to right (the second)."""
    secrets = _Reveal(schema) if show_secrets else SecretPolicy(schema)
    differ = _Differ(secrets)
    differ.value(left, right, (), (), None, ())
    return differ.found


# --- values as text and JSON -----------------------------------------------------------------


def _date_text(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_value(value: PlistValue) -> Any:
    """A plist value in JSON: data as base64 text, dates as ISO 8601 UTC text, a missing
    value as null; moves give their index."""
    if value is MISSING:
        return None
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime.datetime):
        return _date_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if plist_type_of(value) == "uid":
        return int(value.data)
    return value


def scalar_text(value: PlistValue) -> str:
    """One value on one line, its plist type plain to see: "text", 1, 1.0, true,
    <date …>, <data N bytes sha256:…>."""
    if value is MISSING:
        return "(none)"
    if value == SECRET_MASK and isinstance(value, str):
        return SECRET_MASK
    kind = plist_type_of(value)
    if kind == "string":
        return json.dumps(value, ensure_ascii=False)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "real":
        return repr(float(value))
    if kind == "date":
        return f"<date {_date_text(value)}>"
    if kind == "data":
        digest = hashlib.sha256(bytes(value)).hexdigest()[:16]
        return f"<data {len(value)} bytes sha256:{digest}>"
    if kind == "dictionary":
        return "{}" if not value else f"{{dictionary of {len(value)}}}"
    if kind == "array":
        return "[]" if not value else f"[array of {len(value)}]"
    if kind == "uid":
        return f"<uid {int(value.data)}>"
    return str(value)


def _summary(value: PlistValue, limit: int = 160) -> str:
    """A one-line picture of a value for the text diff: containers shallowly."""
    if isinstance(value, dict) and value:
        parts = [f"{key}: {scalar_text(item)}" for key, item in value.items()]
        text = "{" + ", ".join(parts) + "}"
    elif isinstance(value, list) and value:
        text = "[" + ", ".join(scalar_text(item) for item in value) + "]"
    else:
        text = scalar_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def difference_text(difference: Difference) -> str:
    where = difference.path_text or "(profile)"
    before, after = difference.before, difference.after
    if difference.kind == "added":
        return f"added: {where}: {_summary(after)}"
    if difference.kind == "removed":
        return f"removed: {where}: {_summary(before)}"
    if difference.kind == "moved":
        return f"moved: {where}: from position {before} to {after}"
    if difference.kind == "type-changed":
        return (
            f"type-changed: {where}: {_summary(before)} ({difference.types[0]}) -> "
            f"{_summary(after)} ({difference.types[1]})"
        )
    return f"changed: {where}: {_summary(before)} -> {_summary(after)}"


# --- the canonical text form ------------------------------------------------------------------


def canonical_lines(
    root: PlistDict, schema: Schema | None = None, *, show_secrets: bool = False
) -> Iterator[str]:
    """`path = value`, one line per value, dictionary keys sorted: the same for XML and
    binary, whatever the key order; secrets masked unless show_secrets."""
    secrets: SecretPolicy = _Reveal(schema) if show_secrets else SecretPolicy(schema)
    stack: list[tuple[KeyPath, PlistValue, str | None, KeyPath]] = [((), root, None, ())]
    while stack:
        path, value, payload_type, rel = stack.pop()
        if path and secrets.is_secret(payload_type, rel):
            yield f"{path_text(path)} = {SECRET_MASK}"
            continue
        children: list[tuple[KeyPath, PlistValue, str | None, KeyPath]] = []
        if isinstance(value, dict) and value:
            if payload_type is None and is_payload_path(path):
                kind = value.get("PayloadType")
                payload_type, rel = (kind if isinstance(kind, str) else ""), ()
            for key in sorted(value):
                children.append(((*path, key), value[key], payload_type, (*rel, key)))
        elif isinstance(value, list) and value:
            for index, item in enumerate(value):
                children.append(((*path, index), item, payload_type, (*rel, index)))
        elif path:
            yield f"{path_text(path)} = {scalar_text(value)}"
            continue
        stack.extend(reversed(children))


__all__ = [
    "KINDS",
    "SECRET_MASK",
    "Difference",
    "SecretPolicy",
    "canonical_lines",
    "diff_roots",
    "difference_text",
    "fingerprint",
    "json_value",
    "scalar_text",
]
