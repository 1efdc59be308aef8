"""The one validation engine: the editor, the export gate and the CLI all call it.

Problems fall into two groups so the editor can re-check cheaply while the user types:
- payload problems depend only on one payload (`validate_payload`);
- profile problems depend on the top level or on several payloads
  (`validate_profile_level`: duplicates, references, counts). It reads only a few keys
  per payload, so it stays fast on large profiles.
`validate_profile` returns both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from editor.core.formats import check_format, has_mdm_variable
from editor.core.model import MISSING, KeyPath, Profile
from editor.core.platforms import PlatformSupport, Target
from editor.core.plisttypes import PlistDict, PlistValue, plist_type_of
from editor.core.schema import Condition, KeySpec, PayloadSchema, Schema
from editor.core.validation.problems import Problem, Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

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


@dataclass(frozen=True)
class Options:
    """What the user checks for: target platforms (empty means any platform)."""

    targets: tuple[Target, ...] = ()


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


# --- conditions ------------------------------------------------------------------


@dataclass
class Frame:
    """One dictionary on the way from the payload root to the current key."""

    value: PlistDict
    spec: KeySpec


def _resolve(frames: Sequence[Frame], key: str) -> tuple[PlistValue, KeySpec | None]:
    """Value (or MISSING) and spec of a condition PATH seen from the innermost frame."""
    if key.startswith("/"):
        frame_index = 0
        parts = key[1:].split("/")
    else:
        frame_index = len(frames) - 1
        parts = key.split("/")
        while parts and parts[0] == "..":
            parts = parts[1:]
            frame_index = max(0, frame_index - 1)
    node: PlistValue = frames[frame_index].value
    spec: KeySpec | None = frames[frame_index].spec
    for part in parts:
        spec = spec.keys.get(part) if spec is not None else None
        node = node.get(part, MISSING) if isinstance(node, dict) else MISSING
    return node, spec


def _value_or_default(value: PlistValue, spec: KeySpec | None) -> PlistValue:
    if value is MISSING and spec is not None and spec.has_default:
        return spec.default
    return value


def _same(left: PlistValue, right: PlistValue) -> bool:
    return left is not MISSING and type(left) is type(right) and left == right


def _same_as_device(left: PlistValue, right: PlistValue) -> bool:
    """Condition test as a device reads it: <true/> counts as 1 (the type error is
    reported on its own, so it need not cascade into 'ignored' warnings)."""
    if isinstance(left, bool) and isinstance(right, int) and not isinstance(right, bool):
        return int(left) == right
    return _same(left, right)


def condition_holds(condition: Condition, frames: Sequence[Frame]) -> bool:
    if condition.op == "all":
        return all(condition_holds(c, frames) for c in condition.children)
    if condition.op == "any":
        return any(condition_holds(c, frames) for c in condition.children)
    if condition.op == "not":
        return not condition_holds(condition.children[0], frames)
    value, spec = _resolve(frames, condition.key)
    if condition.op == "present":
        return (value is not MISSING) == condition.present
    value = _value_or_default(value, spec)
    return any(_same_as_device(value, wanted) for wanted in condition.values)


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
        if removed_everywhere and any(s.removed for s in support_by_platform.values()):
            walk.add(WARNING, "removed", path, f"{what} is no longer supported on any platform")
        elif deprecated:
            walk.add(WARNING, "deprecated", path, f"{what} is deprecated ({', '.join(deprecated)})")
        return
    for target in targets:
        support: PlatformSupport = support_by_platform[target.platform]
        status = support.status_at(target.version)
        if status == "missing":
            walk.add(
                WARNING, "unsupported-platform", path, f"{what} does not exist on {target.platform}"
            )
        elif status == "too-new":
            walk.add(
                WARNING,
                "too-new-for-target",
                path,
                f"{what} needs {target.platform} {support.introduced} or later; "
                f"the target is {target}",
            )
        elif status == "removed":
            walk.add(
                WARNING,
                "removed",
                path,
                f"{what} was removed in {target.platform} {support.removed}",
            )
        elif status == "deprecated":
            walk.add(
                WARNING,
                "deprecated",
                path,
                f"{what} is deprecated since {target.platform} {support.deprecated}",
            )
        elif support.supervised:
            walk.add(
                INFO,
                "supervised-only",
                path,
                f"{what} works only on supervised {target.platform} devices",
            )


def _check_scalar(walk: Walk, value: PlistValue, spec: KeySpec, path: KeyPath, label: str) -> None:
    if isinstance(value, str) and has_mdm_variable(value):
        walk.add(
            INFO,
            "mdm-variable",
            path,
            f"{label} holds an MDM variable ({value!r}); the MDM must fill it in before the "
            "profile reaches a device",
        )
        return
    if spec.values is not None and not spec.values_open:
        if not any(_same(value, allowed) for allowed in spec.values):
            shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in spec.values)
            walk.add(ERROR, "value-not-allowed", path, f"{label} is {value!r}; allowed: {shown}")
            return
    note = (
        spec.value_notes.get(value)
        if isinstance(value, str | int) and not isinstance(value, bool)
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
        problem = check_format(spec.format, value)
        if problem is not None:
            severity = ERROR if spec.format == "https-url" else WARNING
            walk.add(severity, "format-invalid", path, f"{label} {value!r} {problem}")


def _type_problem(walk: Walk, value: PlistValue, spec: KeySpec, path: KeyPath, label: str) -> bool:
    """Report a type mismatch; return True when the value has the right type."""
    if spec.type == "any":
        return True
    actual = plist_type_of(value)
    if actual == spec.type:
        return True
    hint = ""
    if spec.type == "integer" and actual == "boolean":
        hint = f"; write <integer>{int(value)}</integer> instead of <{str(value).lower()}/>"
    elif spec.type == "boolean" and actual == "integer" and value in (0, 1):
        hint = f"; write <{'true' if value else 'false'}/> instead of <integer>{value}</integer>"
    elif spec.type == "integer" and actual == "string" and value.strip().lstrip("-").isdigit():
        hint = f"; write <integer>{value.strip()}</integer>"
    elif spec.type == "data" and actual == "string":
        hint = "; it must be <data> (base64)"
    walk.add(
        ERROR,
        "type-mismatch",
        path,
        f"{label} must be {_TYPE_WORDS[spec.type]}, but is {describe_value(value)}{hint}. "
        "Some devices coerce it; Apple Business Manager and many MDMs reject it",
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
    try:
        for name, child in value.items():
            child_path = (*path, name)
            child_spec = spec.keys.get(name)
            if child_spec is None:
                if spec.open:
                    if spec.item is not None:
                        walk_value(walk, child, spec.item, child_path, frames, f"{name}")
                    continue
                home = _misplaced_home(walk, name, frames)
                if home is not None and "/" in home:
                    walk.add(
                        WARNING,
                        "misplaced-key",
                        child_path,
                        f"{name} is not read here; it belongs in {home.rsplit('/', 1)[0]}",
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
        for name, child_spec in spec.keys.items():
            if walk.ignoring:
                continue
            present = name in value
            if present and not (value[name] == "" and child_spec.type == "string"):
                continue
            if child_spec.applies_when is not None and not condition_holds(
                child_spec.applies_when, frames
            ):
                continue
            if present:
                # an empty string satisfies the plist but not the device
                needed = child_spec.required or (
                    child_spec.required_when is not None
                    and condition_holds(child_spec.required_when, frames)
                )
                if needed:
                    walk.add(ERROR, "empty-value", (*path, name), f"{name} is empty; fill it in")
                continue
            if child_spec.required:
                walk.add(ERROR, "required-missing", (*path, name), f"{name} is required")
            elif child_spec.required_when is not None and condition_holds(
                child_spec.required_when, frames
            ):
                walk.add(
                    ERROR,
                    "required-when-missing",
                    (*path, name),
                    f"{name} is required when {child_spec.required_when.describe()}",
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
    if not _type_problem(walk, value, spec, path, label):
        return
    if spec.name:
        if (
            spec.applies_when is not None
            and frames
            and not walk.ignoring
            and not condition_holds(spec.applies_when, frames)
        ):
            walk.add(
                WARNING,
                "not-applicable",
                path,
                f"{label} is ignored unless {spec.applies_when.describe()}",
            )
            # The device does not read it: types inside still count (strict MDMs
            # reject them), but nothing inside is required.
            walk.ignoring += 1
            try:
                _walk_inside(walk, value, spec, path, frames, label)
            finally:
                walk.ignoring -= 1
            return
        _availability_problems(walk, spec.availability, path, label)
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
        if spec.item is not None:
            for index, item in enumerate(value):
                walk_value(
                    walk, item, spec.item, (*path, index), frames, f"{label} item {index + 1}"
                )
    else:
        _check_scalar(walk, value, spec, path, label)


# --- rules beyond the schema ----------------------------------------------------------


@dataclass
class PayloadContext:
    """What a payload rule sees."""

    schema: Schema
    payload_schema: PayloadSchema
    payload: PlistDict
    path: KeyPath
    options: Options
    problems: list[Problem]

    def add(self, severity: Severity, code: str, rel_path: KeyPath, message: str) -> None:
        self.problems.append(Problem(severity, code, (*self.path, *rel_path), message))

    def targets_platform(self, platform: str) -> bool:
        """True when the user targets this platform (or set no targets)."""
        return not self.options.targets or any(t.platform == platform for t in self.options.targets)

    def targets_only(self, platforms: Iterable[str]) -> bool:
        wanted = set(platforms)
        return bool(self.options.targets) and all(
            t.platform in wanted for t in self.options.targets
        )


PayloadRule = Callable[[PayloadContext], None]


@dataclass
class ProfileContext:
    schema: Schema
    profile: Profile
    options: Options
    problems: list[Problem]

    def add(self, severity: Severity, code: str, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(severity, code, path, message))


ProfileRule = Callable[[ProfileContext], None]


def _payload_rules() -> dict[str, list[PayloadRule]]:
    from editor.core.validation import rules_vpn

    return rules_vpn.PAYLOAD_RULES


def _profile_rules() -> list[ProfileRule]:
    from editor.core.validation import rules_profile

    return rules_profile.PROFILE_RULES


# --- entry points -----------------------------------------------------------------------


def validate_payload(
    profile: Profile, index: int, schema: Schema, options: Options = Options()
) -> list[Problem]:
    """Problems inside one payload; no other payload is read."""
    walk_problems: list[Problem] = []
    path: KeyPath = ("PayloadContent", index)
    payload = profile.payloads[index]
    if not isinstance(payload, dict):
        return [
            Problem(
                ERROR,
                "not-a-dictionary",
                path,
                f"payload {index + 1} is {describe_value(payload)}, "
                "but a payload must be a dictionary",
            )
        ]
    payload_type = payload.get("PayloadType")
    payload_schema = schema.payload(payload_type) if isinstance(payload_type, str) else None
    if payload_schema is None:
        walk = Walk(schema.common, options)
        walk_dictionary(walk, payload, _open_copy(schema.common.root), path, [])
        if isinstance(payload_type, str):
            walk.add(
                INFO,
                "unknown-payload-type",
                (*path, "PayloadType"),
                f"payload type {payload_type!r} is not in the schema; it is kept as is",
            )
        return walk.problems
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
    rule_options = Options(targets=walk.key_targets or ())
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
    return walk_problems


def _open_copy(spec: KeySpec) -> KeySpec:
    """The common keys, accepting anything else (for payload types we do not know)."""
    from dataclasses import replace

    return replace(spec, open=True)


def validate_profile_level(
    profile: Profile, schema: Schema, options: Options = Options()
) -> list[Problem]:
    """Problems of the top level and between payloads."""
    walk = Walk(schema.configuration, options)
    top_spec = schema.configuration.root
    walk_dictionary(walk, _top_level_view(profile.root), top_spec, (), [])
    context = ProfileContext(schema, profile, options, walk.problems)
    for note in profile.read_notes:
        context.add(INFO, "read-leniency", (), f"{note}; an Apple device may refuse such a file")
    for rule in _profile_rules():
        rule(context)
    return walk.problems


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
    profile: Profile, schema: Schema, options: Options = Options()
) -> list[Problem]:
    problems = validate_profile_level(profile, schema, options)
    for index in range(len(profile.payloads)):
        problems.extend(validate_payload(profile, index, schema, options))
    return problems


def iter_errors(problems: Iterable[Problem]) -> Iterator[Problem]:
    return (p for p in problems if p.severity is ERROR)
