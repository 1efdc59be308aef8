"""Quick fixes: the mechanical, safe repair a problem can carry.

A fix is offered only when nothing needs judgement: the right value follows from the
value already there, from the schema, or from one choice the user makes (the action of
an On Demand catch-all rule, the passphrase of a PKCS#12 identity). Server names and
secrets are never guessed.

`fix_for` finds the fix of one problem; `Fix.apply` changes the profile's tree in place
and returns every change (path, before, after). A fix checks, when applied, that the
value it was made for is still there, so a stale fix fails instead of editing something
else. `fix_profile` applies fixes until none is left (for the CLI and "Fix all").
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from editor.core.errors import EditorError
from editor.core.model import (
    MISSING,
    KeyPath,
    Profile,
    get_value,
    new_uuid,
    path_text,
    payload_index,
    schema_path,
)
from editor.core.payload_types import APPLAYER, PKCS12, VPN
from editor.core.plisttypes import PlistDict, PlistValue, plist_type_of
from editor.core.schema import KeySpec, PayloadSchema, Schema
from editor.core.validation.problems import Problem

CONFIGURATION = "Configuration"
CATCH_ALL_ACTIONS = ("Connect", "Disconnect", "Ignore")
# Keys Apple's schema ties to other VPN types that field reports say still matter
# (tools/corpus_verdicts.json: IPv4 OverridePrimary on IKEv2, "debatable"): removing them
# is a judgement, so no fix is offered.
KEPT_DESPITE_VPN_TYPE = frozenset({"IPv4"})
_NUMERIC_RE = re.compile(r"-?[0-9]{1,18}\Z")

# What each fix kind does, for "Fix all of this kind" and the documentation.
FIX_KINDS: dict[str, str] = {
    "coerce-type": "write a value in the plist type Apple documents",
    "new-uuid": "give a payload or the profile a new random UUID; references follow",
    "move-key": "move a key into the dictionary where the device reads it",
    "remove-ignored-key": "remove a key the chosen VPN type ignores",
    "add-payload-version": "add PayloadVersion 1",
    "add-payload-identifier": "add a PayloadIdentifier made from the profile's",
    "add-catch-all-rule": "end the On Demand rules with a rule without conditions",
    "pem-to-der": "convert a PEM certificate to DER",
    "reencode-pkcs12": "re-encode a PKCS#12 identity with 3DES and SHA-1 for iOS",
    "wrap-in-profile": "put a bare payload into a new Configuration profile",
    "write-key-once": "keep the later of a key written twice and write it once",
}


class FixError(EditorError):
    """A fix that cannot be applied (the profile changed, or the parameter is wrong)."""


@dataclass(frozen=True)
class Change:
    """One value changed by a fix. MISSING before: added; MISSING after: removed."""

    path: KeyPath
    before: PlistValue
    after: PlistValue

    @property
    def path_text(self) -> str:
        return path_text(self.path)

    @property
    def before_text(self) -> str:
        return value_text(self.before)

    @property
    def after_text(self) -> str:
        return value_text(self.after)


def value_text(value: PlistValue) -> str:
    """A value on one line with its type visible ("text", 1, true, <data …>); (none)."""
    from editor.core.diff import scalar_text

    return scalar_text(value)


@dataclass(frozen=True)
class FixParameter:
    """The one choice a fix needs. Without `choices` it is free text (a passphrase)."""

    name: str  # "action", "passphrase"
    label: str
    choices: tuple[str, ...] = ()
    secret: bool = False
    default: str | None = None  # used when no value is given; None: a value is needed


Applier = Callable[[PlistDict, "str | None"], list[Change]]


@dataclass(frozen=True)
class Fix:
    kind: str  # one of FIX_KINDS
    code: str  # the problem's code
    path: KeyPath  # the problem's path
    description: str  # in words: "Write 1 as an integer"
    parameter: FixParameter | None = None
    # True when the fix moves everything (wrapping): other fixes must be found again
    restructures: bool = False
    applier: Applier = field(default=lambda root, value: [], compare=False, repr=False)

    def apply(self, root: PlistDict, value: str | None = None) -> list[Change]:
        """Change the tree in place; FixError when the fix no longer fits."""
        if self.parameter is not None:
            value = value if value is not None else self.parameter.default
            if value is None or value == "":
                raise FixError(f"{self.description}: give the {self.parameter.label.lower()}")
            if self.parameter.choices and value not in self.parameter.choices:
                raise FixError(
                    f"{value!r} is not one of " + ", ".join(self.parameter.choices)
                )
        return self.applier(root, value)


# --- where a path is ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """The payload (or profile, or fragment) holding a path, and the path inside it."""

    payload_schema: PayloadSchema
    payload: PlistDict
    prefix: KeyPath  # the payload's own path from the root
    rel: KeyPath  # the path inside the payload


def is_fragment(root: PlistDict, schema: Schema) -> bool:
    """A bare payload: its PayloadType is a payload the schema knows, not Configuration."""
    kind = root.get("PayloadType")
    return isinstance(kind, str) and kind != CONFIGURATION and schema.payload(kind) is not None


def _place(root: PlistDict, path: KeyPath, schema: Schema) -> _Place | None:
    if is_fragment(root, schema):
        payload_schema = schema.payload(str(root["PayloadType"]))
        assert payload_schema is not None
        return _Place(payload_schema, root, (), path)
    if payload_index(path) is not None:
        payload = get_value(root, path[:2])
        if not isinstance(payload, dict):
            return None
        kind = payload.get("PayloadType")
        payload_schema = schema.payload(kind) if isinstance(kind, str) else None
        if payload_schema is None:
            return None
        return _Place(payload_schema, payload, path[:2], path[2:])
    return _Place(schema.configuration, root, (), path)


def _spec(place: _Place) -> KeySpec | None:
    if not place.rel:
        return None
    return place.payload_schema.find(schema_path(place.rel))


def _expect(root: PlistDict, path: KeyPath, before: PlistValue) -> None:
    """The value the fix was made for must still be there, with the same type."""
    now = get_value(root, path)
    if now is MISSING and before is MISSING:
        return
    if type(now) is not type(before) or now != before:
        raise FixError(f"{path_text(path)} changed since the fix was offered")


def _set(root: PlistDict, path: KeyPath, value: PlistValue) -> None:
    parent = get_value(root, path[:-1])
    last = path[-1]
    fits = (isinstance(parent, dict) and isinstance(last, str)) or (
        isinstance(parent, list) and isinstance(last, int)
    )
    if not fits:
        raise FixError(f"{path_text(path[:-1]) or 'the profile'} is not a container")
    parent[last] = value


# --- type coercions -------------------------------------------------------------------------

_TYPE_WORDS = {"integer": "an integer", "boolean": "a boolean", "real": "a real number"}


def coerced(value: PlistValue, expected: str) -> PlistValue:
    """The value written in the expected type when that is mechanical, else MISSING."""
    actual = plist_type_of(value)
    if expected == "integer" and actual == "boolean":
        return int(value)
    if expected == "boolean" and actual == "integer" and value in (0, 1):
        return bool(value)
    if expected == "integer" and actual == "real" and float(value).is_integer():
        return int(value)
    if expected == "real" and actual == "integer":
        return float(value)
    if expected == "integer" and actual == "string" and _NUMERIC_RE.match(value.strip()):
        return int(value.strip())
    return MISSING


def _coercion_fix(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    place = _place(root, problem.path, schema)
    spec = _spec(place) if place is not None else None
    if spec is None:
        return None
    before = get_value(root, problem.path)
    after = coerced(before, spec.type)
    if after is MISSING:
        return None
    path = problem.path

    def apply(tree: PlistDict, _value: str | None) -> list[Change]:
        _expect(tree, path, before)
        _set(tree, path, after)
        return [Change(path, before, after)]

    return Fix(
        "coerce-type",
        problem.code,
        path,
        f"Write {value_text(after)} as {_TYPE_WORDS[spec.type]}",
        applier=apply,
    )


# --- UUIDs ------------------------------------------------------------------------------------


def _follow_references(
    root: PlistDict, schema: Schema, old: str, new: str, changes: list[Change]
) -> None:
    """Every key that names a payload by its PayloadUUID (PayloadCertificateUUID and the
    like, as the schema marks them) and names old (in any case) now names new. Other
    strings that happen to be equal are left alone: a template may use one placeholder
    for a host name and a UUID alike."""
    from editor.core.validation.rules.common import TUNNELS, values_at

    content = root.get("PayloadContent")
    payloads: list[tuple[KeyPath, Any]] = (
        [((), root)]
        if is_fragment(root, schema)
        else [(("PayloadContent", i), p) for i, p in enumerate(content)]
        if isinstance(content, list)
        else []
    )
    for prefix, payload in payloads:
        kind = payload.get("PayloadType") if isinstance(payload, dict) else None
        payload_schema = schema.payload(kind) if isinstance(kind, str) else None
        if payload_schema is None:
            continue
        paths = [p for p, reference in payload_schema.reference_paths if reference == "certificate"]
        if kind == VPN:
            paths.append(f"{TUNNELS}/PayloadCertificateUUID")  # left open by the schema
        for where in paths:
            for rel, value in values_at(payload, where):
                if isinstance(value, str) and value.upper() == old.upper():
                    _set(root, (*prefix, *rel), new)
                    changes.append(Change((*prefix, *rel), value, new))


def _uuid_fix(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    path = problem.path
    if not path or path[-1] != "PayloadUUID":
        return None
    before = get_value(root, path)
    if before is not MISSING and not isinstance(before, str):
        return None
    from editor.core.variables import holds_variable

    if isinstance(before, str) and holds_variable(before):
        return None  # the MDM fills it in
    # References to a duplicate stay with the first payload that has it; references to
    # a placeholder (unique in the profile) follow it.
    follow = (
        problem.code != "duplicate-uuid"
        and isinstance(before, str)
        and before != ""
        and len(path) > 1
    )

    def apply(tree: PlistDict, _value: str | None) -> list[Change]:
        _expect(tree, path, before)
        uuid = new_uuid()
        parent = get_value(tree, path[:-1])
        if not isinstance(parent, dict):
            raise FixError(f"{path_text(path[:-1])} is not a dictionary")
        parent["PayloadUUID"] = uuid
        changes = [Change(path, before, uuid)]
        if follow:
            assert isinstance(before, str)
            _follow_references(tree, schema, before, uuid, changes)
        return changes

    what = "the profile" if len(path) == 1 and not is_fragment(root, schema) else "this payload"
    follows = "; references to it follow" if follow else ""
    return Fix(
        "new-uuid", problem.code, path, f"Give {what} a new UUID{follows}", applier=apply
    )


# --- misplaced and ignored keys ------------------------------------------------------------


def misplaced_home(payload_schema: PayloadSchema, payload: PlistDict, name: str) -> str | None:
    """The schema path where a key belongs in this payload type (the one whose top
    dictionary applies to this payload first), or None."""
    from editor.core.validation.conditions import Frame, condition_holds

    homes = payload_schema.paths_by_name.get(name, ())
    root = [Frame(payload, payload_schema.root)]
    for home in homes:
        top = payload_schema.keys.get(home.split("/", 1)[0].removesuffix("[]"))
        if top is not None and (
            top.applies_when is None or condition_holds(top.applies_when, root)
        ):
            return home
    return homes[0] if homes else None


def _move_fix(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    place = _place(root, problem.path, schema)
    if place is None or not place.rel or not isinstance(place.rel[-1], str):
        return None
    name = place.rel[-1]
    home = misplaced_home(place.payload_schema, place.payload, name)
    if home is None or "[]" in home:
        return None  # an array item: which one is a judgement
    target = (*place.prefix, *home.split("/"))
    source = problem.path
    if target == source or get_value(root, target) is not MISSING:
        return None  # already there: which value wins is a judgement
    for depth in range(len(place.prefix) + 1, len(target)):
        between = get_value(root, target[:depth])
        if between is not MISSING and not isinstance(between, dict):
            return None
    before = get_value(root, source)

    def apply(tree: PlistDict, _value: str | None) -> list[Change]:
        _expect(tree, source, before)
        if get_value(tree, target) is not MISSING:
            raise FixError(f"{path_text(target)} is already set")
        changes = []
        for depth in range(len(place.prefix) + 1, len(target)):
            if get_value(tree, target[:depth]) is MISSING:
                _set(tree, target[:depth], {})
                changes.append(Change(target[:depth], MISSING, {}))
        parent = get_value(tree, source[:-1])
        assert isinstance(parent, dict)
        value = parent.pop(name)
        _set(tree, target, value)
        return [Change(source, before, MISSING), *changes, Change(target, MISSING, value)]

    where = home.rsplit("/", 1)[0] if "/" in home else "the payload itself"
    return Fix("move-key", problem.code, source, f"Move {name} into {where}", applier=apply)


def _remove_ignored_fix(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    place = _place(root, problem.path, schema)
    spec = _spec(place) if place is not None else None
    if place is None or spec is None or spec.applies_when is None:
        return None
    keys = list(spec.applies_when.key_paths())
    if not keys or not all(k.rsplit("/", 1)[-1] == "VPNType" for k in keys):
        return None  # ignored for another reason: whether to keep it is a judgement
    path = problem.path
    if path[-1] in KEPT_DESPITE_VPN_TYPE:
        return None
    if not isinstance(path[-1], str):
        return None
    before = get_value(root, path)
    vpn_type = place.payload.get("VPNType")

    def apply(tree: PlistDict, _value: str | None) -> list[Change]:
        _expect(tree, path, before)
        parent = get_value(tree, path[:-1])
        assert isinstance(parent, dict)
        del parent[path[-1]]
        return [Change(path, before, MISSING)]

    return Fix(
        "remove-ignored-key",
        problem.code,
        path,
        f"Remove {path[-1]}: VPNType {vpn_type} does not read it",
        applier=apply,
    )


# --- PayloadVersion and PayloadIdentifier ---------------------------------------------------


def _add_fix(
    kind: str, problem: Problem, root: PlistDict, value: PlistValue, description: str
) -> Fix:
    path = problem.path
    before = get_value(root, path)

    def apply(tree: PlistDict, _value: str | None) -> list[Change]:
        _expect(tree, path, before)
        parent = get_value(tree, path[:-1])
        if not isinstance(parent, dict):
            raise FixError(f"{path_text(path[:-1]) or 'the profile'} is not a dictionary")
        parent[str(path[-1])] = value
        return [Change(path, before, value)]

    return Fix(kind, problem.code, path, description, applier=apply)


_TYPE_SUFFIXES = {
    VPN: "vpn",
    APPLAYER: "per-app-vpn",
    "com.apple.vpn.managed.appmapping": "app-mapping",
    PKCS12: "identity",
    "com.apple.security.root": "ca",
    "com.apple.security.pkcs1": "certificate",
    "com.apple.security.pem": "certificate",
    "com.apple.security.scep": "scep",
    "com.apple.security.acme": "acme",
}


def _identifiers(root: PlistDict) -> set[str]:
    found = {root.get("PayloadIdentifier")}
    content = root.get("PayloadContent")
    if isinstance(content, list):
        found.update(p.get("PayloadIdentifier") for p in content if isinstance(p, dict))
    return {text for text in found if isinstance(text, str)}


def _identifier_fix(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    path = problem.path
    taken = _identifiers(root)
    if path == ("PayloadIdentifier",):
        if is_fragment(root, schema):
            return None
        children = sorted(
            t for t in taken if t != root.get("PayloadIdentifier") and "." in t
        )
        if not children:
            return None  # nothing to derive it from: naming it is a judgement
        identifier = children[0].rsplit(".", 1)[0]
        if identifier in taken or identifier.count(".") < 1:
            return None
        return _add_fix(
            "add-payload-identifier",
            problem,
            root,
            identifier,
            f"Set PayloadIdentifier to {identifier}, the payloads' common prefix",
        )
    if len(path) != 3 or path[0] != "PayloadContent":
        return None
    base = root.get("PayloadIdentifier")
    payload = get_value(root, path[:2])
    if not isinstance(base, str) or not base or not isinstance(payload, dict):
        return None
    kind = payload.get("PayloadType")
    suffix = _TYPE_SUFFIXES.get(str(kind), str(kind).rsplit(".", 1)[-1].lower() or "payload")
    identifier, number = f"{base}.{suffix}", 2
    while identifier in taken:
        identifier, number = f"{base}.{suffix}{number}", number + 1
    return _add_fix(
        "add-payload-identifier",
        problem,
        root,
        identifier,
        f"Set PayloadIdentifier to {identifier}",
    )


# --- On Demand ---------------------------------------------------------------------------


def _catch_all_fix(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    from editor.core.on_demand import CONDITION_KEYS as RULE_MATCH_KEYS

    path = problem.path
    if not path or path[-1] != "OnDemandRules":
        return None
    rules = get_value(root, path)
    if not isinstance(rules, list) or not rules:
        return None
    if any(isinstance(r, dict) and not any(k in r for k in RULE_MATCH_KEYS) for r in rules):
        return None  # a catch-all is there already
    count = len(rules)

    def apply(tree: PlistDict, action: str | None) -> list[Change]:
        now = get_value(tree, path)
        if not isinstance(now, list) or len(now) != count:
            raise FixError(f"{path_text(path)} changed since the fix was offered")
        rule: PlistDict = {"Action": str(action)}
        now.append(rule)
        return [Change((*path, count), MISSING, rule)]

    return Fix(
        "add-catch-all-rule",
        problem.code,
        path,
        "Add a last On Demand rule without conditions, with the action you choose",
        parameter=FixParameter("action", "Action", CATCH_ALL_ACTIONS),
        applier=apply,
    )


# --- certificates ------------------------------------------------------------------------


def _pem_fix(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    path = problem.path
    before = get_value(root, path)
    if not isinstance(before, bytes) or not before.lstrip().startswith(b"-----BEGIN"):
        return None
    payload = get_value(root, path[:-1])
    if not isinstance(payload, dict) or payload.get("PayloadType") == "com.apple.security.pem":
        return None
    after = _pem_to_der(before)
    if after is None:
        return None

    def apply(tree: PlistDict, _value: str | None) -> list[Change]:
        _expect(tree, path, before)
        _set(tree, path, after)
        return [Change(path, before, after)]

    return Fix(
        "pem-to-der", problem.code, path, "Convert the PEM certificate to DER", applier=apply
    )


@functools.lru_cache(maxsize=16)
def _pem_to_der(data: bytes) -> bytes | None:
    """The DER bytes of the one certificate in PEM text; None for none or several (which
    one to keep is a judgement)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        return None
    if len(certificates) != 1:
        return None
    return certificates[0].public_bytes(Encoding.DER)


def _pkcs12_fix(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    path = problem.path
    if not path or path[-1] != "PayloadContent":
        return None
    payload = get_value(root, path[:-1])
    if not isinstance(payload, dict) or payload.get("PayloadType") != PKCS12:
        return None
    before = payload.get("PayloadContent")
    if not isinstance(before, bytes) or not _needs_legacy_encoding(before):
        return None
    stored = payload.get("Password")
    from editor.core.variables import holds_variable

    default = (
        stored if isinstance(stored, str) and stored and not holds_variable(stored) else None
    )

    def apply(tree: PlistDict, passphrase: str | None) -> list[Change]:
        from editor.core.encryption import EncryptionError, reencode_pkcs12_legacy

        _expect(tree, path, before)
        try:
            after = reencode_pkcs12_legacy(before, str(passphrase))
        except EncryptionError as exc:
            raise FixError(str(exc)) from None
        _set(tree, path, after)
        return [Change(path, before, after)]

    return Fix(
        "reencode-pkcs12",
        problem.code,
        path,
        "Re-encode the identity with 3DES and SHA-1 so that iPhone and iPad can open it",
        parameter=FixParameter("passphrase", "Passphrase", secret=True, default=default),
        applier=apply,
    )


def _needs_legacy_encoding(content: bytes) -> bool:
    """An identity with a key that iOS cannot open because of its algorithms."""
    from editor.core.encryption import IOS_PKCS12_ALGORITHMS, IOS_PKCS12_MACS
    from editor.core.validation.rules.vpn import inspect_pkcs12_cached

    inspection = inspect_pkcs12_cached(content)
    if inspection.error is not None:
        return False
    algorithms = (*inspection.key_algorithms, *inspection.certificate_algorithms)
    if not inspection.key_algorithms and all(a == "none" for a in algorithms):
        return False  # no key: re-encoding does not help
    unreadable = [a for a in algorithms if a != "none" and a not in IOS_PKCS12_ALGORITHMS]
    mac = inspection.mac_algorithm
    return bool(unreadable) or (mac is not None and mac not in IOS_PKCS12_MACS)


# --- a bare payload ---------------------------------------------------------------------------


def wrapped_in_profile(payload: PlistDict) -> PlistDict:
    """A new Configuration profile holding the payload."""
    identifier = payload.get("PayloadIdentifier")
    name = payload.get("PayloadDisplayName") or payload.get("UserDefinedName")
    profile: PlistDict = {
        "PayloadContent": [payload],
        "PayloadDisplayName": name if isinstance(name, str) and name else "VPN",
    }
    if isinstance(identifier, str) and identifier:
        profile["PayloadIdentifier"] = f"{identifier}.profile"
    profile.update(
        {"PayloadType": CONFIGURATION, "PayloadUUID": new_uuid(), "PayloadVersion": 1}
    )
    return profile


def _title(schema: Schema, payload_type: Any) -> str:
    payload_schema = schema.payload(payload_type) if isinstance(payload_type, str) else None
    return payload_schema.title if payload_schema is not None else str(payload_type)


def _wrap_fix(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    if not is_fragment(root, schema):
        return None
    before_type = root.get("PayloadType")

    def apply(tree: PlistDict, _value: str | None) -> list[Change]:
        if tree.get("PayloadType") != before_type:
            raise FixError("the file changed since the fix was offered")
        payload = dict(tree)
        profile = wrapped_in_profile(payload)
        tree.clear()
        tree.update(profile)
        return [Change((), payload, copy.copy(profile))]

    return Fix(
        "wrap-in-profile",
        problem.code,
        problem.path,
        f"Wrap this {_title(schema, before_type)} payload in a new profile",
        restructures=True,
        applier=apply,
    )


# --- finding fixes ---------------------------------------------------------------------------

Finder = Callable[[Problem, PlistDict, Schema], "Fix | None"]


def _by_path_end(*names_and_finders: tuple[str, Finder]) -> Finder:
    table = dict(names_and_finders)

    def find(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
        last = problem.path[-1] if problem.path else None
        finder = table.get(last) if isinstance(last, str) else None
        return finder(problem, root, schema) if finder is not None else None

    return find


def _version_fix(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    return _add_fix("add-payload-version", problem, root, 1, "Add PayloadVersion 1")


_MISSING_KEY = _by_path_end(
    ("PayloadUUID", _uuid_fix),
    ("PayloadVersion", _version_fix),
    ("PayloadIdentifier", _identifier_fix),
)

FINDERS: dict[str, Finder] = {
    "type-coercion": _coercion_fix,
    "type-mismatch": _coercion_fix,
    "placeholder-uuid": _uuid_fix,
    "duplicate-uuid": _uuid_fix,
    "required-missing": _MISSING_KEY,
    "empty-value": _by_path_end(("PayloadUUID", _uuid_fix), ("PayloadIdentifier", _identifier_fix)),
    "misplaced-key": _move_fix,
    "not-applicable": _remove_ignored_fix,
    "on-demand-no-catch-all": _catch_all_fix,
    "certificate-content": _pem_fix,
    "pkcs12": _pkcs12_fix,
    "profile-type": _wrap_fix,
}


def fix_for(problem: Problem, root: PlistDict, schema: Schema) -> Fix | None:
    """The fix of one problem, or None when it has no mechanical, safe fix."""
    finder = FINDERS.get(problem.code)
    if finder is None:
        return None
    try:
        return finder(problem, root, schema)
    except (KeyError, TypeError, ValueError):
        return None  # a damaged shape the fix did not expect: offer nothing


def fixes_for(
    problems: Iterable[Problem], root: PlistDict, schema: Schema
) -> list[tuple[Problem, Fix]]:
    found = []
    for problem in problems:
        fix = fix_for(problem, root, schema)
        if fix is not None:
            found.append((problem, fix))
    return found


# --- applying every fix ----------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedFix:
    problem: Problem
    fix: Fix
    changes: tuple[Change, ...]


@dataclass
class FixRun:
    applied: list[AppliedFix] = field(default_factory=list)
    # fixes left out: (problem, fix, why) — a choice was needed, or applying failed
    skipped: list[tuple[Problem, Fix, str]] = field(default_factory=list)
    remaining: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def fix_profile(
    profile: Profile,
    schema: Schema,
    validate: Callable[[Profile], list[Problem]],
    codes: Collection[str] | None = None,
    parameters: Mapping[str, str] | None = None,
    kinds: Collection[str] | None = None,
    max_rounds: int = 8,
) -> FixRun:
    """Apply every fix (of the given problem codes or fix kinds) until none is left.

    `validate` returns the profile's problems (the caller's options: targets, strict,
    channel). Parameters come by name ("action", "passphrase"); a fix needing one that is
    not given is skipped. Each fix is tried once."""
    run = FixRun()
    tried: set[tuple[str, KeyPath, str]] = set()
    parameters = parameters or {}
    problems = validate(profile)
    if (
        profile.duplicate_keys
        and (codes is None or "duplicate-key" in codes)
        and (kinds is None or "write-key-once" in kinds)
    ):
        _write_keys_once(profile, problems, run)
        problems = validate(profile)
    for _round in range(max_rounds):
        progressed = False
        for problem, fix in fixes_for(problems, profile.root, schema):
            if codes is not None and problem.code not in codes:
                continue
            if kinds is not None and fix.kind not in kinds:
                continue
            key = (fix.kind, fix.path, problem.code)
            if key in tried:
                continue
            tried.add(key)
            value = parameters.get(fix.parameter.name) if fix.parameter is not None else None
            if fix.parameter is not None and value is None and fix.parameter.default is None:
                run.skipped.append((problem, fix, f"needs the {fix.parameter.label.lower()}"))
                continue
            try:
                changes = fix.apply(profile.root, value)
            except FixError as exc:
                run.skipped.append((problem, fix, str(exc)))
                continue
            run.applied.append(AppliedFix(problem, fix, tuple(changes)))
            progressed = True
            if fix.restructures:
                break
        if not progressed:
            break
        problems = validate(profile)
    run.remaining = problems
    run.skipped = [s for s in run.skipped if s[0] in problems]
    return run


def _write_keys_once(profile: Profile, problems: list[Problem], run: FixRun) -> None:
    """Keys written twice: the tree holds the later value already; writing the profile
    writes each key once, so the reading's record of them is let go of."""
    by_path = {p.path: p for p in problems if p.code == "duplicate-key"}
    for duplicate in profile.duplicate_keys:
        problem = by_path.get(duplicate.path)
        if problem is None:
            continue
        name = duplicate.path[-1]
        fix = Fix(
            "write-key-once",
            problem.code,
            duplicate.path,
            f"Keep the later {name} (line {duplicate.later_line}) and write the key once",
        )
        later = get_value(profile.root, duplicate.path)
        run.applied.append(
            AppliedFix(problem, fix, (Change(duplicate.path, duplicate.earlier, later),))
        )
    profile.duplicate_keys = []
