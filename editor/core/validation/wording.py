"""Messages in the form's words.

A key is named as the form labels it, from the one place the form takes its labels (the
schema's title, `KeySpec.label`), with the key in brackets for those who know the
plist: "Connection type (VPNType)". The engine and the rules write key names; this
module puts the label before the first mention of each key in a message and uses the
label alone for later mentions ("… is 1: remove it, or clear Route all traffic"), so
every message of every rule speaks alike without a second table of names. The advice on
fixing a key (`how_to_fill`, `how_to_apply`) uses the same labels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from editor.core.model import KeyPath
from editor.core.plisttypes import PlistValue
from editor.core.schema import Condition, KeySpec, PayloadSchema
from editor.core.validation.problems import Problem

# Where the profile's certificates and identities come from in the editor.
ADD_IDENTITY = "Edit ▸ Add Certificate…"

# A key name that cannot be an ordinary word of a sentence: an inner capital or digit
# with lower case around (VPNType, PayloadCertificateUUID, OnDemandEnabled). Plain words
# and acronyms (Password, Name, DNS, PPP) are left as written: they read as prose.
_KEY_LIKE = re.compile(r"[A-Z][A-Za-z0-9]*(?:[a-z][A-Z0-9]|[A-Z0-9][a-z])[A-Za-z0-9]*\Z")


def is_key_like(name: str) -> bool:
    return _KEY_LIKE.match(name) is not None


def _show(value: PlistValue) -> str:
    return repr(value) if isinstance(value, str) and value == "" else str(value)


def how_to_fill(spec: KeySpec) -> str:
    """How to give a key its value in the form."""
    label = spec.label
    if spec.references == "certificate":
        return (
            f"choose the identity in {label}, or add one with {ADD_IDENTITY} when the "
            "profile holds none"
        )
    if spec.references == "vpn-uuid":
        return f"choose a per-app VPN in {label}, or make one with New… beside it"
    if spec.is_flag or spec.type == "boolean":
        return f"tick or clear {label}"
    if spec.values is not None and not spec.values_open:
        return f"choose one in {label}"
    if spec.type in ("dictionary", "array"):
        return f"add {label} in the form"
    return f"fill in {label}"


def how_to_apply(condition: Condition, spec: KeySpec | None) -> str:
    """How to make a simple condition hold in the form ('' when there is no one step)."""
    if spec is None or condition.op not in ("equals", "in") or not condition.values:
        return ""
    label = spec.label
    values = condition.values
    if spec.is_flag and len(values) == 1:
        return f"tick {label}" if values[0] == 1 else f"clear {label}"
    if spec.values is not None:
        shown = " or ".join(_show(v) for v in values)
        return f"choose {shown} in {label}"
    return ""


class FormWords:
    """The labels of one payload type's keys, ready to go into messages."""

    def __init__(self, payload_schema: PayloadSchema) -> None:
        self.payload_schema = payload_schema
        values: set[str] = set()
        titled: set[str] = set()
        for spec in payload_schema.walk():
            for value in spec.values or ():
                if isinstance(value, str):
                    values.add(value)
            if spec.name and spec.title and spec.title != spec.name:
                titled.add(spec.name)
        # names that are also values (IKEv2, IPSec, Certificate) are left alone: in
        # "Connection type (VPNType) is IKEv2" the value must not turn into a label
        names = sorted((n for n in titled if is_key_like(n) and n not in values), key=len)
        self.pattern = (
            re.compile(
                r"(?<![\w/.'\"$%{-])(?:"
                + "|".join(re.escape(n) for n in reversed(names))
                + r")(?![\w)'\"/-])"
            )
            if names
            else None
        )

    def title_for(self, name: str, rel_path: KeyPath) -> str | None:
        """The label of a key named in a message about rel_path: the nearest dictionary
        on the path that has the key, else the key's first home in the payload."""
        chain: list[KeySpec] = []
        spec: KeySpec | None = self.payload_schema.root
        for part in rel_path:
            if spec is None:
                break
            chain.append(spec)
            spec = spec.item if isinstance(part, int) else spec.keys.get(part)
        if spec is not None:
            chain.append(spec)
        for holder in reversed(chain):
            if holder.name == name and holder.title:
                return holder.title
            found = holder.keys.get(name)
            if found is not None and found.title:
                return found.title
        for home in self.payload_schema.paths_by_name.get(name, ()):
            found = self.payload_schema.find(home)
            if found is not None and found.title:
                return found.title
        return None

    def rewrite(self, message: str, rel_path: KeyPath) -> str:
        seen: set[str] = set()
        head, rest = "", message
        subject = rel_path[-1] if rel_path and isinstance(rel_path[-1], str) else None
        if subject is not None and message.startswith(f"{subject} "):
            # the key the problem is at, named first: labelled even when its name is
            # also a value elsewhere (SharedSecret) or a plain word (Identifier)
            title = self.title_for(subject, rel_path)
            if title is not None and title != subject:
                head, rest = f"{title} ({subject})", message[len(subject) :]
                seen.add(subject)
        if self.pattern is None or not self.pattern.search(rest):
            return head + rest

        def labelled(match: re.Match[str]) -> str:
            name = match.group(0)
            end = match.end()
            if rest[end : end + 1] == ")":
                return name  # the bracketed key of a label, or a source "(Apple…, Key)"
            title = self.title_for(name, rel_path)
            if title is None or title == name:
                return name
            if name in seen or f"({name})" in rest:
                return title  # named in full once; later the form's label alone
            seen.add(name)
            return f"{title} ({name})"

        return head + self.pattern.sub(labelled, rest)


def form_words(payload_schema: PayloadSchema) -> FormWords:
    """The payload type's labels, worked out once and kept on its schema."""
    words: FormWords | None = payload_schema.__dict__.get("_form_words")
    if words is None:
        words = payload_schema.__dict__["_form_words"] = FormWords(payload_schema)
    return words


def in_form_words(
    problems: Sequence[Problem],
    start: int,
    base: KeyPath,
    payload_schema: PayloadSchema,
) -> list[Problem]:
    """The problems from `start` on with their key names labelled (paths below base)."""
    words = form_words(payload_schema)
    out = list(problems[:start])
    depth = len(base)
    for problem in problems[start:]:
        message = words.rewrite(problem.message, problem.path[depth:])
        out.append(
            problem
            if message == problem.message
            else Problem(problem.severity, problem.code, problem.path, message)
        )
    return out

