"""The one validation engine: the editor, the export gate and the CLI all call it.

Problems fall into two groups so the editor can re-check cheaply while the user types:
- payload problems depend only on one payload (`validate_payload`);
- profile problems depend on the top level or on several payloads
  (`validate_profile_level`: duplicates, references, counts). It reads only a few keys
  per payload, so it stays fast on large profiles.
`validate_profile` returns both.

Speed: what the walk needs of each key spec is worked out once and kept on the spec
(`_Plan`: the allowed values as a set, the child keys that can be missing, the
availability warnings without targets); conditions are compiled to closures once; a
plain string with nothing to check is handled inline. A 1000-payload profile checks in
about a seventh of a second; the results are the same as the plain reading of the schema.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from editor.core.formats import check_format, is_ip
from editor.core.model import KeyPath, Profile
from editor.core.platforms import PlatformSupport, Target
from editor.core.plistio import NO_DECLARATION, TEXT_BEFORE_DECLARATION
from editor.core.plisttypes import PlistDict, PlistValue, plist_type_of
from editor.core.schema import KeySpec, PayloadSchema, Schema
from editor.core.validation.conditions import (
    Frame,
    compiled,
    condition_holds,
    condition_spec,
    same_typed_value,
)
from editor.core.validation.context import (
    ERROR,
    INFO,
    WARNING,
    Options,
    PayloadContext,
    PayloadRule,
    ProfileContext,
    ProfileRule,
)
from editor.core.validation.problems import Problem, Severity
from editor.core.validation.wording import how_to_apply, how_to_fill, in_form_words
from editor.core.variables import variables_of

if TYPE_CHECKING:
    from editor.core.channels import Channel


# Exact types to plist type names (subclasses go through plist_type_of).
_TYPE_NAMES: dict[type, str] = {
    bool: "boolean",
    int: "integer",
    float: "real",
    str: "string",
    bytes: "data",
    datetime.datetime: "date",
    list: "array",
    dict: "dictionary",
}

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "real": "a real number",
    "boolean": "a boolean",
    "date": "a date",
    "data": "data",
    "array": "an array",
    "dictionary": "a dictionary",
    "uid": "a UID",
    "any": "any value",
}


def describe_value(value: PlistValue) -> str:
    kind = plist_type_of(value)
    if kind in ("string", "integer", "real", "boolean"):
        shown = (
            repr(value)
            if kind == "string"
            else str(value).lower()
            if kind == "boolean"
            else str(value)
        )
        return f"{_TYPE_WORDS[kind]} ({shown})"
    return _TYPE_WORDS[kind]


DEFAULT_OPTIONS = Options()  # any platform, lenient types, now, no channel


# --- the payload walk ----------------------------------------------------------------


@dataclass
class Walk:
    """State of one payload's schema walk."""

    payload_schema: PayloadSchema
    options: Options
    problems: list[Problem] = field(default_factory=list)
    ignoring: int = 0  # > 0 inside a container the device ignores
    # Targets the payload itself exists on; keys are checked against these only,
    # so a payload missing on a target gets one warning, not one per key.
    key_targets: tuple[Target, ...] | None = None
    # the deployment channel when it knows its variables (None: any form is noted)
    channel: Channel | None = None
    other_channels: tuple[Channel, ...] = ()

    def __post_init__(self) -> None:
        if self.options.channel not in ("none", "other"):
            from editor.core.channels import channel, vendor_channels

            self.channel = channel(self.options.channel)
            self.other_channels = vendor_channels()

    def add(self, severity: Severity, code: str, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(severity, code, path, message))


def _availability_problems(
    walk: Walk,
    support_by_platform: Any,
    path: KeyPath,
    what: str,
    targets: tuple[Target, ...] | None = None,
) -> None:
    """Warnings for a key, value or payload against the targets (or deprecation)."""
    if targets is None:
        targets = walk.key_targets if walk.key_targets is not None else walk.options.targets
        if walk.options.targets and not targets:
            return  # the payload exists on no target: reported once already
    for severity, code, rest in _availability_entries(support_by_platform, targets):
        walk.add(severity, code, path, what + rest)


# (severity, code, message after the subject) per availability and targets. Keyed by
# the availability's identity; the entry keeps it alive so the id is not reused.
AvailabilityEntries = tuple[tuple[Severity, str, str], ...]
_AVAILABILITY: dict[tuple[Target, ...], dict[int, tuple[Any, AvailabilityEntries]]] = {}


def _availability_entries(
    support_by_platform: Any, targets: tuple[Target, ...]
) -> AvailabilityEntries:
    by_id = _AVAILABILITY.get(targets)
    if by_id is None:
        if len(_AVAILABILITY) > 64:
            _AVAILABILITY.clear()
        by_id = _AVAILABILITY[targets] = {}
    entry = by_id.get(id(support_by_platform))
    if entry is not None and entry[0] is support_by_platform:
        return entry[1]
    entries = _compute_availability_entries(support_by_platform, targets)
    if len(by_id) > 100_000:  # many schemas loaded (tests): start again
        by_id.clear()
    by_id[id(support_by_platform)] = (support_by_platform, entries)
    return entries


def _platform_versions(pairs: Iterable[tuple[str, Any]]) -> str:
    """'iOS, macOS and visionOS 26.0' or 'iOS 10.0 and macOS 10.12'."""
    by_version: dict[str, list[str]] = {}
    for platform, version in pairs:
        by_version.setdefault(str(version), []).append(platform)
    parts = [f"{_and(platforms)} {version}" for version, platforms in by_version.items()]
    return _and(parts)


def _and(words: Sequence[str]) -> str:
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _compute_availability_entries(
    support_by_platform: Any, targets: tuple[Target, ...]
) -> AvailabilityEntries:
    if not targets:
        deprecated = [
            f"{platform} {support.deprecated}"
            for platform, support in support_by_platform.items()
            if platform != "iPadOS"
            and support.introduced is not None
            and support.deprecated is not None
        ]
        removed_everywhere = all(
            s.introduced is None or s.removed is not None for s in support_by_platform.values()
        )
        removed = _platform_versions(
            (platform, support.removed)
            for platform, support in support_by_platform.items()
            if platform != "iPadOS" and support.introduced is not None and support.removed
        )
        if removed_everywhere and removed:
            return (
                (
                    WARNING,
                    "removed",
                    f" was removed in {removed}; only earlier versions accept it",
                ),
            )
        if deprecated:
            return ((WARNING, "deprecated", f" is deprecated ({', '.join(deprecated)})"),)
        return ()
    entries: list[tuple[Severity, str, str]] = []
    for target in targets:
        support: PlatformSupport = support_by_platform[target.platform]
        status = support.status_at(target.version)
        if status == "missing":
            entries.append(
                (WARNING, "unsupported-platform", f" does not exist on {target.platform}")
            )
        elif status == "too-new":
            entries.append(
                (
                    WARNING,
                    "too-new-for-target",
                    f" needs {target.platform} {support.introduced} or later; "
                    f"the target is {target}",
                )
            )
        elif status == "removed":
            entries.append(
                (WARNING, "removed", f" was removed in {target.platform} {support.removed}")
            )
        elif status == "deprecated":
            entries.append(
                (
                    WARNING,
                    "deprecated",
                    f" is deprecated since {target.platform} {support.deprecated}",
                )
            )
        elif support.supervised:
            entries.append(
                (INFO, "supervised-only", f" works only on supervised {target.platform} devices")
            )
    return tuple(entries)


class _Plan:
    """What the walk needs of a key spec, worked out once per spec."""

    __slots__ = (
        "allowed",
        "applies",
        "direct",
        "plain_scalar",
        "required",
        "required_if",
        "scalar",
        "skippable",
        "untargeted",
    )

    def __init__(self, spec: KeySpec) -> None:
        # the key's conditions, compiled
        self.applies = None if spec.applies_when is None else compiled(spec.applies_when)
        self.required_if = None if spec.required_when is None else compiled(spec.required_when)
        # the closed list of allowed values as (type, value) pairs: a set test that
        # tells True from 1, as _same does
        self.allowed: frozenset[tuple[type, PlistValue]] | None = None
        if spec.values is not None and not spec.values_open:
            try:
                self.allowed = frozenset((type(v), v) for v in spec.values)
            except TypeError:
                self.allowed = None
        # the only child keys the "absent or empty" pass can report
        self.required: tuple[tuple[str, KeySpec], ...] = tuple(
            (name, child)
            for name, child in spec.keys.items()
            if child.required or child.required_when is not None
        )
        # the availability warnings when no target is set (deprecated, removed)
        self.untargeted = _availability_entries(spec.availability, ())
        # a scalar with nothing to check but MDM variables in strings
        self.plain_scalar = (
            (spec.values is None or spec.values_open)
            and not spec.value_notes
            and spec.minimum is None
            and spec.maximum is None
            and spec.format is None
        )
        # a named scalar key the walk can pass over when its value has the right type, is
        # among the allowed ones (if the list is closed) and no target is set: there is
        # no condition, no range, no format, no warning; only MDM variables to notice
        self.skippable = (
            bool(spec.name)
            and spec.type not in ("any", "array", "dictionary")
            and spec.applies_when is None
            and not self.untargeted
            and not spec.value_notes
            and spec.minimum is None
            and spec.maximum is None
            and spec.format is None
            and (spec.values is None or spec.values_open or self.allowed is not None)
        )
        # with no target set, a value of the right type goes straight to its checks: the
        # key has no condition and no availability warning to give
        self.direct = (
            bool(spec.name)
            and spec.type != "any"
            and spec.applies_when is None
            and not self.untargeted
        )
        self.scalar = spec.type not in ("any", "array", "dictionary")


def _plan(spec: KeySpec) -> _Plan:
    """The spec's plan, made on first use and kept on the spec (it lives as long)."""
    plan: _Plan | None = spec.__dict__.get("_validation_plan")
    if plan is None:
        plan = spec.__dict__["_validation_plan"] = _Plan(spec)
    return plan


_SET_TESTABLE = frozenset({str, int, float, bytes, bool})
_check_format = functools.lru_cache(maxsize=16384)(check_format)


def _variables(walk: Walk, value: str, path: KeyPath, label: str) -> str | None:
    """Note the MDM variables of a string; return the text to check further (the
    channel's documented variables filled with sample values), None to check no more."""
    chosen = walk.channel
    if chosen is None:
        found = variables_of(value)
        if not found:
            return value
        shown = ", ".join(dict.fromkeys(found))
        walk.add(
            INFO,
            "mdm-variable",
            path,
            f"{label} holds the MDM variable{'s' if len(set(found)) > 1 else ''} {shown}; "
            "the MDM must fill it in before the profile reaches a device",
        )
        return None
    from editor.core.channels import variable_use

    use = variable_use(chosen, value, walk.other_channels)
    if use is None:
        return value
    if use.known:
        walk.add(
            INFO,
            "mdm-variable",
            path,
            f"{label} holds {chosen.title} variables ({', '.join(use.known)}), which "
            f"{chosen.title} fills in; checked as a device sees it: {use.filled!r}",
        )
    if use.unknown:
        walk.add(
            WARNING,
            "unknown-mdm-variable",
            path,
            f"{label}: " + "; ".join(why for _token, why in use.unknown) + ". It reaches the "
            "device as written",
        )
        return None
    return use.filled


def _may_hold_variable(text: str) -> bool:
    return "$" in text or "%" in text or "{" in text


def _check_scalar(walk: Walk, value: PlistValue, spec: KeySpec, path: KeyPath, label: str) -> None:
    if isinstance(value, str) and _may_hold_variable(value):
        filled = _variables(walk, value, path, label)
        if filled is None:
            return
        if filled != value:
            value, label = filled, f"{label} with sample values"
    plan = spec.__dict__.get("_validation_plan") or _plan(spec)
    if plan.plain_scalar:
        return
    if spec.values is not None and not spec.values_open:
        allowed = plan.allowed
        if (
            (type(value), value) not in allowed
            if allowed is not None and type(value) in _SET_TESTABLE
            else not any(same_typed_value(value, v) for v in spec.values)
        ):
            shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in spec.values)
            walk.add(
                ERROR,
                "value-not-allowed",
                path,
                f"{label} is {value!r}; allowed: {shown}; {how_to_fill(spec)}",
            )
            return
    note = (
        spec.value_notes.get(value)
        if spec.value_notes and isinstance(value, str | int) and not isinstance(value, bool)
        else None
    )
    if note is not None and note.availability is not None:
        _availability_problems(walk, note.availability, path, f"{label} {value!r}")
    if spec.minimum is not None and isinstance(value, int | float) and value < spec.minimum:
        walk.add(
            ERROR,
            "out-of-range",
            path,
            f"{label} is {value}; the smallest allowed is {spec.minimum:g}",
        )
    if spec.maximum is not None and isinstance(value, int | float) and value > spec.maximum:
        walk.add(
            ERROR,
            "out-of-range",
            path,
            f"{label} is {value}; the largest allowed is {spec.maximum:g}",
        )
    if spec.format is not None and isinstance(value, str):
        if value == "" and spec.format != "domain":  # an empty required key is reported below
            return
        problem = _check_format(spec.format, value)
        if problem is not None:
            severity = _format_severity(spec.format, value)
            walk.add(severity, "format-invalid", path, f"{label} {value!r} {problem}")


# Formats naming the server whose certificate the device checks against the name (the
# DNS-over-HTTPS URL, the DNS-over-TLS server name, the ACME directory): a value that can
# be no such name means the connection cannot work as written, an error. Other formats
# are advice: devices often take odd text. (apple-schema: com.apple.vpn.managed.newest.yaml
# DNS.ServerURL and DNS.ServerName; rules.json format-invalid)
_SERVER_NAME_FORMATS = frozenset({"https-url", "hostname"})


def _format_severity(kind: str, value: str) -> Severity:
    if kind not in _SERVER_NAME_FORMATS:
        return WARNING
    # an address where Apple documents a host name may still match a certificate that
    # names the address: a warning, not a false red error
    return WARNING if kind == "hostname" and is_ip(value) else ERROR


def coerced_by_devices(value: PlistValue, expected: str) -> bool:
    """Whether a device reads the value as the expected type: <true/> or <false/> for an
    integer 0/1 (and the reverse), a whole real number for an integer, an integer for a
    real. Profiles written so by widely used generators install."""
    actual = plist_type_of(value)
    if expected == "integer" and actual == "boolean":
        return True
    if expected == "boolean" and actual == "integer":
        return value in (0, 1)
    if expected == "integer" and actual == "real":
        return isinstance(value, float) and value.is_integer()
    return expected == "real" and actual == "integer"


def _type_problem(walk: Walk, value: PlistValue, spec: KeySpec, path: KeyPath, label: str) -> bool:
    """Report a type mismatch; return True when the value has the right type."""
    if spec.type == "any" or _TYPE_NAMES.get(type(value)) == spec.type:
        return True
    actual = plist_type_of(value)
    if actual == spec.type:
        return True
    hint = ""
    if spec.type == "integer" and actual == "boolean":
        hint = f"; write <integer>{int(value)}</integer> instead of <{str(value).lower()}/>"
    elif spec.type == "boolean" and actual == "integer" and value in (0, 1):
        hint = f"; write <{'true' if value else 'false'}/> instead of <integer>{value}</integer>"
    elif spec.type == "integer" and actual == "real" and coerced_by_devices(value, "integer"):
        hint = f"; write <integer>{int(value)}</integer> instead of <real>{value}</real>"
    elif spec.type == "integer" and actual == "string" and value.strip().lstrip("-").isdigit():
        hint = f"; write <integer>{value.strip()}</integer>"
    elif spec.type == "data" and actual == "string":
        hint = "; it must be <data> (base64)"
    what = f"{label} must be {_TYPE_WORDS[spec.type]}, but is {describe_value(value)}{hint}"
    if coerced_by_devices(value, spec.type):
        walk.add(
            ERROR if walk.options.strict else WARNING,
            "type-coercion",
            path,
            f"{what}. Devices read it as {_TYPE_WORDS[spec.type]} and install the profile; "
            "Apple Business Manager and MDM servers that check types exactly reject it",
        )
    else:
        walk.add(
            ERROR,
            "type-mismatch",
            path,
            f"{what}; Apple documents {_TYPE_WORDS[spec.type]} here, and no device is known "
            "to convert this value",
        )
    return False


def _misplaced_home(walk: Walk, name: str, frames: Sequence[Frame]) -> str | None:
    """Where a key that is unknown here belongs in this payload type, if anywhere.

    Among several homes (RemoteAddress is in IKEv2, IPSec and VPN), the one whose
    dictionary applies to this payload wins.
    """
    homes = walk.payload_schema.paths_by_name.get(name, ())
    root = frames[:1]
    for home in homes:
        top = walk.payload_schema.keys.get(home.split("/", 1)[0].removesuffix("[]"))
        if (
            top is not None
            and root
            and (top.applies_when is None or condition_holds(top.applies_when, root))
        ):
            return home
    return homes[0] if homes else None


def walk_dictionary(
    walk: Walk, value: PlistDict, spec: KeySpec, path: KeyPath, frames: list[Frame]
) -> None:
    frames.append(Frame(value, spec))
    skipping = not walk.options.targets
    keys = spec.keys
    try:
        for name, child in value.items():
            child_spec = keys.get(name)
            if skipping and child_spec is not None:
                plan = child_spec.__dict__.get("_validation_plan") or _plan(child_spec)
                if plan.direct and _TYPE_NAMES.get(type(child)) == child_spec.type:
                    # the commonest cases, handled here (walk_value would do the same)
                    if plan.skippable and (
                        plan.allowed is None or (type(child), child) in plan.allowed
                    ):
                        # a plain value: only an MDM variable is worth a word
                        if type(child) is str and _may_hold_variable(child):
                            _variables(walk, child, (*path, name), name)
                    elif plan.scalar:
                        _check_scalar(walk, child, child_spec, (*path, name), name)
                    else:
                        _walk_inside(walk, child, child_spec, (*path, name), frames, name)
                    continue
            child_path = (*path, name)
            if child_spec is None:
                if spec.open:
                    if spec.item is not None:
                        walk_value(walk, child, spec.item, child_path, frames, f"{name}")
                    continue
                home = _misplaced_home(walk, name, frames)
                if home is not None and ("/" in home or len(frames) > 1):
                    where = home.rsplit("/", 1)[0] if "/" in home else "the payload itself"
                    walk.add(
                        WARNING,
                        "misplaced-key",
                        child_path,
                        f"{name} is not read here; it belongs in {where}",
                    )
                else:
                    walk.add(
                        INFO,
                        "unknown-key",
                        child_path,
                        f"{name} is not in the schema; it is kept as is",
                    )
                continue
            walk_value(walk, child, child_spec, child_path, frames, name)
        for name, child_spec in () if walk.ignoring else _plan(spec).required:
            present = name in value
            if present and not (value[name] == "" and child_spec.type == "string"):
                continue
            child_plan = _plan(child_spec)
            if child_plan.applies is not None and not child_plan.applies(frames):
                continue
            if present:
                # an empty string satisfies the plist but not the device
                needed = child_spec.required or (
                    child_plan.required_if is not None and child_plan.required_if(frames)
                )
                if needed:
                    walk.add(
                        ERROR,
                        "empty-value",
                        (*path, name),
                        f"{name} is empty; {how_to_fill(child_spec)}",
                    )
                continue
            if child_spec.required:
                walk.add(
                    ERROR,
                    "required-missing",
                    (*path, name),
                    f"{name} is required; {how_to_fill(child_spec)}",
                )
            elif child_plan.required_if is not None and child_plan.required_if(frames):
                assert child_spec.required_when is not None
                walk.add(
                    ERROR,
                    "required-when-missing",
                    (*path, name),
                    f"{name} is required when {child_spec.required_when.describe()}; "
                    f"{how_to_fill(child_spec)}",
                )
    finally:
        frames.pop()


def walk_value(
    walk: Walk,
    value: PlistValue,
    spec: KeySpec,
    path: KeyPath,
    frames: list[Frame],
    label: str,
) -> None:
    expected = spec.type
    kind = type(value)
    if (
        expected != "any"
        and _TYPE_NAMES.get(kind) != expected
        and not _type_problem(walk, value, spec, path, label)
    ):
        return
    plan = spec.__dict__.get("_validation_plan") or _plan(spec)
    if spec.name:
        if plan.applies is not None and frames and not walk.ignoring and not plan.applies(frames):
            condition = spec.applies_when
            assert condition is not None  # plan.applies is its compiled form
            remedy = how_to_apply(condition, condition_spec(condition, frames))
            walk.add(
                WARNING,
                "not-applicable",
                path,
                f"{label} is ignored unless {condition.describe()}; remove it"
                + (f", or {remedy}" if remedy else ""),
            )
            # The device does not read it: types inside still count (strict MDMs
            # reject them), but nothing inside is required.
            walk.ignoring += 1
            try:
                _walk_inside(walk, value, spec, path, frames, label)
            finally:
                walk.ignoring -= 1
            return
        if walk.options.targets or plan.untargeted:
            _availability_problems(walk, spec.availability, path, label)
    if kind is str and plan.plain_scalar and expected != "any":  # the commonest: here
        if _may_hold_variable(value):
            _variables(walk, value, path, label)
        return
    _walk_inside(walk, value, spec, path, frames, label)


def _walk_inside(
    walk: Walk,
    value: PlistValue,
    spec: KeySpec,
    path: KeyPath,
    frames: list[Frame],
    label: str,
) -> None:
    if spec.type == "any":
        return  # free-form data (vendor keys): kept as is, not checked
    if isinstance(value, dict):
        walk_dictionary(walk, value, spec, path, frames)
    elif isinstance(value, list):
        count = len(value)
        if spec.min_items is not None and count < spec.min_items:
            walk.add(
                ERROR,
                "array-length",
                path,
                f"{label} needs at least {spec.min_items} item(s); it has {count}",
            )
        if spec.max_items is not None and count > spec.max_items:
            walk.add(
                ERROR,
                "array-length",
                path,
                f"{label} allows at most {spec.max_items} item(s); it has {count}",
            )
        if spec.item is not None and spec.item.type == "string":
            for index, item in enumerate(value):
                if item == "":
                    walk.add(
                        WARNING,
                        "empty-item",
                        (*path, index),
                        f'{label} item {index + 1} (index {index}) is "": an empty entry names '
                        "nothing; fill it in or remove it",
                    )
        if spec.item is not None:
            for index, item in enumerate(value):
                walk_value(
                    walk,
                    item,
                    spec.item,
                    (*path, index),
                    frames,
                    f"{label} item {index + 1} (index {index})",
                )
    else:
        _check_scalar(walk, value, spec, path, label)


# --- the rules beyond the schema ------------------------------------------------------


def _payload_rules() -> dict[str, list[PayloadRule]]:
    from editor.core.validation.rules import on_demand, vpn

    extra = on_demand.PAYLOAD_RULES
    return {k: [*v, *extra.get(k, [])] for k, v in vpn.PAYLOAD_RULES.items()}


def _profile_rules() -> list[ProfileRule]:
    from editor.core.validation.rules import profile

    return profile.PROFILE_RULES


# --- entry points -----------------------------------------------------------------------


def validate_payload(
    profile: Profile, index: int, schema: Schema, options: Options = DEFAULT_OPTIONS
) -> list[Problem]:
    """Problems inside one payload; no other payload is read."""
    path: KeyPath = ("PayloadContent", index)
    payload = profile.payloads[index]
    if not isinstance(payload, dict):
        return [
            Problem(
                ERROR,
                "not-a-dictionary",
                path,
                f"PayloadContent/{index} (payload {index + 1}) is {describe_value(payload)}, "
                "but a payload must be a dictionary",
            )
        ]
    payload_type = payload.get("PayloadType")
    payload_schema = schema.payload(payload_type) if isinstance(payload_type, str) else None
    if payload_schema is None:
        walk = Walk(schema.common, options)
        walk_dictionary(walk, payload, _open_copy(schema.common.root), path, [])
        if isinstance(payload_type, str) and (
            payload_type in schema.apple_payload_types or not schema.apple_payload_types
        ):
            walk.add(
                INFO,
                "unknown-payload-type",
                (*path, "PayloadType"),
                f"payload type {payload_type!r} is an Apple payload this editor does not "
                "edit; it is kept as is",
            )
        elif isinstance(payload_type, str):
            walk.add(
                WARNING,
                "not-apple-payload-type",
                (*path, "PayloadType"),
                f"payload type {payload_type!r} is none of Apple's payload types: iPhone and "
                "iPad refuse to install the profile (macOS may take it as managed preferences "
                "for that domain). Check the spelling, or use Apple's type for this setting",
            )
        return in_form_words(walk.problems, 0, path, schema.common)
    return _payload_problems(payload, path, payload_schema, schema, options)


def _payload_problems(
    payload: PlistDict,
    path: KeyPath,
    payload_schema: PayloadSchema,
    schema: Schema,
    options: Options,
) -> list[Problem]:
    """The schema walk and the rules of one payload dictionary found at path."""
    walk = Walk(payload_schema, options)
    _availability_problems(
        walk,
        payload_schema.availability,
        path,
        f"a {payload_schema.title} payload",
        options.targets,
    )
    walk.key_targets = tuple(
        t
        for t in options.targets
        if payload_schema.availability[t.platform].status_at(t.version) != "missing"
    )
    walk_dictionary(walk, payload, payload_schema.root, path, [])
    walk_problems = walk.problems
    # Rules see only the targets the payload exists on.
    rule_options = replace(options, targets=walk.key_targets or ())
    context = PayloadContext(schema, payload_schema, payload, path, rule_options, walk_problems)
    walk_count = len(walk_problems)
    for rule in _payload_rules().get(payload_schema.payload_type, []):
        rule(context)
    ruled = {p.path for p in walk_problems[walk_count:] if p.severity is not INFO}
    if ruled:
        # A rule's specific message replaces the generic "ignored" one at that key.
        walk_problems[:walk_count] = [
            p
            for p in walk_problems[:walk_count]
            if not (p.code == "not-applicable" and p.path in ruled)
        ]
    return in_form_words(walk_problems, 0, path, payload_schema)


def _open_copy(spec: KeySpec) -> KeySpec:
    """The common keys, accepting anything else (for payload types we do not know)."""
    from dataclasses import replace

    return replace(spec, open=True)


def fragment_schema(profile: Profile, schema: Schema) -> PayloadSchema | None:
    """The payload type of a file that is one bare payload dictionary (Workspace ONE's
    custom settings take such a fragment), None for a profile."""
    kind = profile.root.get("PayloadType")
    if not isinstance(kind, str) or kind == "Configuration":
        return None
    return schema.payload(kind)


def validate_profile_level(
    profile: Profile, schema: Schema, options: Options = DEFAULT_OPTIONS
) -> list[Problem]:
    """Problems of the top level and between payloads. A bare payload (a fragment) is
    checked here as that payload, its paths from its own root."""
    fragment = fragment_schema(profile, schema)
    if fragment is not None:
        return _fragment_problems(profile, fragment, schema, options)
    walk = Walk(schema.configuration, options)
    top_spec = schema.configuration.root
    walk_dictionary(walk, _top_level_view(profile.root), top_spec, (), [])
    context = ProfileContext(schema, profile, options, walk.problems)
    _read_problems(context, profile)
    for rule in _profile_rules():
        rule(context)
    _channel_limits(context)
    return _profile_in_form_words(walk.problems, profile, schema)


def _profile_in_form_words(
    problems: list[Problem], profile: Profile, schema: Schema
) -> list[Problem]:
    """Profile-level problems with their keys labelled as the form labels them: those
    inside a payload by its type's labels, the rest by the profile's."""
    labelled = []
    for problem in problems:
        path = problem.path
        payload_schema: PayloadSchema | None = schema.configuration
        base: KeyPath = ()
        if len(path) >= 2 and path[0] == "PayloadContent" and isinstance(path[1], int):
            base = path[:2]
            payloads = profile.payloads
            payload = payloads[path[1]] if path[1] < len(payloads) else None
            kind = payload.get("PayloadType") if isinstance(payload, dict) else None
            payload_schema = schema.payload(kind) if isinstance(kind, str) else None
        if payload_schema is None:
            labelled.append(problem)
        else:
            labelled.extend(in_form_words((problem,), 0, base, payload_schema))
    return labelled


def _channel_limits(context: ProfileContext) -> None:
    """What the chosen channel refuses or drops: a size limit, the signature."""
    if context.options.channel in ("none", "other"):
        return
    from editor.core.channels import channel

    chosen = channel(context.options.channel)
    profile = context.profile
    if chosen.size_limit is not None:
        from editor.core.plistio import serialize_plist

        try:
            size = len(serialize_plist(profile.root, "xml"))
        except ValueError:
            size = 0  # a value no plist can hold: reported by the walk
        if size > chosen.size_limit:
            context.add(
                ERROR,
                "channel-size",
                (),
                f"the profile is {size:,} bytes as XML; {chosen.title} takes custom profiles "
                f"of at most {chosen.size_limit:,} bytes, so it cannot be deployed through it. "
                "Move payloads into a second profile",
            )
    if chosen.signature_note is not None and profile.signature is not None:
        context.add(
            WARNING,
            "channel-signature",
            (),
            f"the profile is signed, but {chosen.signature_note}; deploy it unsigned through "
            f"{chosen.title}, or sign it for another channel",
        )


def _read_problems(context: ProfileContext, profile: Profile, fragment: bool = False) -> None:
    """What reading the file noticed: lenient readings, keys given twice."""
    for duplicate in profile.duplicate_keys:
        context.add(
            WARNING,
            "duplicate-key",
            duplicate.path,
            f"{duplicate.path[-1]} is written twice in this dictionary (lines "
            f"{duplicate.first_line} and {duplicate.later_line}): the later value is the one "
            "read and shown here, as plistlib reads it (which one a device takes is not "
            "documented); check it, and saving writes the key once",
        )
    for note in profile.read_notes:
        if fragment and note == NO_DECLARATION:
            continue  # a fragment has none by nature
        if note == TEXT_BEFORE_DECLARATION:
            context.add(
                WARNING,
                "text-before-declaration",
                (),
                f"{note}: XML allows nothing before its declaration, and plistlib and other "
                "tools refuse such a file; delete what comes before <?xml",
            )
        else:
            context.add(
                INFO, "read-leniency", (), f"{note}; an Apple device may refuse such a file"
            )


def _fragment_problems(
    profile: Profile, payload_schema: PayloadSchema, schema: Schema, options: Options
) -> list[Problem]:
    takes_fragments = False
    if options.channel not in ("none", "other"):
        from editor.core.channels import channel

        takes_fragments = channel(options.channel).fragments
    if takes_fragments:
        problem = Problem(
            INFO,
            "profile-type",
            ("PayloadType",),
            f"this file is a bare {payload_schema.title} payload, as the chosen MDM's custom "
            "settings take it; its keys are checked as that payload. To install it any "
            "other way, wrap it in a profile",
        )
    else:
        problem = Problem(
            ERROR,
            "profile-type",
            ("PayloadType",),
            f"this file is a bare {payload_schema.title} payload, not a profile: a device "
            "installs only a Configuration profile that holds it. Its keys are checked as "
            "that payload; wrap it in a profile to install it (MDM fields for custom "
            "settings, such as Workspace ONE's, take it as it is)",
        )
    problems = [problem]
    context = ProfileContext(schema, profile, options, problems)
    _read_problems(context, profile, fragment=True)
    problems.extend(_payload_problems(profile.root, (), payload_schema, schema, options))
    from editor.core.validation.rules.profile import check_fragment_identity

    check_fragment_identity(context)
    return problems


class _TopLevelView(dict):  # type: ignore[type-arg]
    """The top-level dictionary with PayloadContent's items hidden from the walk
    (each payload is validated on its own)."""


def _top_level_view(root: PlistDict) -> PlistDict:
    view = _TopLevelView(root)
    content = root.get("PayloadContent")
    if isinstance(content, list):
        view["PayloadContent"] = [{} for _ in content]  # shape only
    return view


def validate_profile(
    profile: Profile, schema: Schema, options: Options = DEFAULT_OPTIONS
) -> list[Problem]:
    problems = validate_profile_level(profile, schema, options)
    if fragment_schema(profile, schema) is not None:
        return problems
    for index in range(len(profile.payloads)):
        problems.extend(validate_payload(profile, index, schema, options))
    return problems
