"""Reading resources/schema strictly into the schema's typed objects (schema.py).

Every field is checked: an unknown field, a wrong type or a condition naming a key that
does not exist stops loading with a SchemaError naming the file and key path, so the data
is proven when it is read, not when a form or a rule first uses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from editor.core.platforms import (
    NOWHERE,
    PLATFORMS,
    SCHEMA_PLATFORMS,
    Availability,
    PlatformSupport,
    Version,
)
from editor.core.plisttypes import PLIST_TYPES, PlistValue, plist_type_of
from editor.core.schema import (
    COMMON,
    CONFIGURATION,
    REFERENCE_KINDS,
    STRING_FORMATS,
    USER_ENROLLMENT_MODES,
    Condition,
    KeySpec,
    PayloadSchema,
    Schema,
    SchemaError,
    ValueNote,
)

APPLE_PAYLOAD_TYPES_FILE = "apple_payload_types.json"

_PAYLOAD_FIELDS = {
    "payload_type",
    "title",
    "description",
    "availability",
    "install",
    "includes",
    "keys",
    "structures",
}
_KEY_FIELDS = {
    "name",
    "type",
    "title",
    "description",
    "presence",
    "required_when",
    "applies_when",
    "default",
    "values",
    "values_open",
    "value_notes",
    "range",
    "repetition",
    "format",
    "secret",
    "references",
    "availability",
    "item",
    "keys",
    "structure",
    "without",
    "open",
}
_SUPPORT_FIELDS = {"introduced", "deprecated", "removed", "supervised"}
_INSTALL_FIELDS = {"multiple", "supervised", "manual_install", "user_enrollment"}


class _Loader:
    def __init__(self, raw_files: Mapping[str, Mapping[str, Any]]) -> None:
        self.raw = raw_files
        self.by_type = {doc.get("payload_type"): doc for doc in raw_files.values()}
        self.structures: dict[str, tuple[str, list[Any]]] = {}
        for file_name, doc in raw_files.items():
            # other files include these keys: check their shape before anything reads them
            keys = doc.get("keys")
            self._expect(
                isinstance(keys, list) and all(isinstance(k, dict) for k in keys),
                file_name,
                "keys must be a list of objects",
            )
            for name, body in (doc.get("structures") or {}).items():
                where = f"{file_name}: structures/{name}"
                if name in self.structures:
                    raise SchemaError(f"{where}: structure defined twice")
                self._expect_fields(body, {"keys"}, where)
                self._expect(isinstance(body.get("keys"), list), where, "keys must be a list")
                self.structures[name] = (file_name, body["keys"])
        self._structure_stack: list[str] = []

    # small checks
    @staticmethod
    def _expect(ok: bool, where: str, message: str) -> None:
        if not ok:
            raise SchemaError(f"{where}: {message}")

    def _expect_fields(self, obj: Any, allowed: set[str], where: str) -> None:
        self._expect(isinstance(obj, dict), where, "expected an object")
        unknown = sorted(set(obj) - allowed)
        self._expect(not unknown, where, f"unknown field(s) {', '.join(unknown)}")

    def _text(self, obj: Mapping[str, Any], name: str, where: str) -> str:
        value = obj.get(name, "")
        self._expect(isinstance(value, str), where, f"{name} must be a string")
        return str(value)

    def _bool(self, obj: Mapping[str, Any], name: str, where: str) -> bool:
        value = obj.get(name, False)
        self._expect(isinstance(value, bool), where, f"{name} must be true or false")
        return bool(value)

    def _version(self, value: Any, where: str) -> Version:
        self._expect(isinstance(value, str), where, f"version {value!r} must be a quoted string")
        try:
            return Version.parse(value)
        except ValueError as exc:
            raise SchemaError(f"{where}: {exc}") from None

    # availability
    def availability(
        self, raw: Any, inherited: Availability | None, where: str
    ) -> dict[str, PlatformSupport]:
        raw = raw or {}
        self._expect(isinstance(raw, dict), where, "availability must be an object")
        unknown = sorted(set(raw) - set(PLATFORMS) - {"source"})
        self._expect(not unknown, where, f"unknown platform(s) {', '.join(unknown)}")
        self._expect(
            isinstance(raw.get("source", ""), str), where, "availability source must be text"
        )
        result: dict[str, PlatformSupport] = {}
        for platform in (*SCHEMA_PLATFORMS, "iPadOS"):
            base = (inherited or {}).get(platform, NOWHERE)
            entry = raw.get(platform)
            if platform == "iPadOS" and entry is None:
                # iPadOS follows iOS unless the data names it.
                result[platform] = result["iOS"]
                continue
            if entry is None:
                self._expect(inherited is not None, where, f"payload must name {platform}")
                result[platform] = base
                continue
            pwhere = f"{where}: availability/{platform}"
            self._expect_fields(entry, _SUPPORT_FIELDS, pwhere)
            introduced = base.introduced
            if "introduced" in entry:
                raw_intro = entry["introduced"]
                introduced = None if raw_intro is None else self._version(raw_intro, pwhere)
            deprecated = base.deprecated
            if "deprecated" in entry:
                deprecated = self._version(entry["deprecated"], pwhere)
            removed = base.removed
            if "removed" in entry:
                removed = self._version(entry["removed"], pwhere)
            supervised = base.supervised
            if "supervised" in entry:
                supervised = self._bool(entry, "supervised", pwhere)
            if inherited is not None and base.introduced is None:
                # a key cannot work where the dictionary or payload holding it does not exist
                introduced = None
            result[platform] = PlatformSupport(introduced, deprecated, removed, supervised)
        return result

    # conditions
    def condition(self, raw: Any, where: str) -> Condition:
        self._expect(isinstance(raw, dict) and len(raw) > 0, where, "condition must be an object")
        if "all" in raw or "any" in raw:
            op = "all" if "all" in raw else "any"
            self._expect_fields(raw, {op}, where)
            items = raw[op]
            self._expect(isinstance(items, list) and len(items) > 0, where, f"{op} needs a list")
            return Condition(op, children=tuple(self.condition(c, where) for c in items))
        if "not" in raw:
            self._expect_fields(raw, {"not"}, where)
            return Condition("not", children=(self.condition(raw["not"], where),))
        self._expect_fields(raw, {"key", "equals", "in", "present"}, where)
        key = raw.get("key")
        self._expect(isinstance(key, str) and key != "", where, "condition needs a key")
        tests = [name for name in ("equals", "in", "present") if name in raw]
        self._expect(len(tests) == 1, where, "condition needs exactly one of equals, in, present")
        if tests[0] == "equals":
            return Condition("equals", key=key, values=(raw["equals"],))
        if tests[0] == "in":
            self._expect(isinstance(raw["in"], list), where, "in needs a list")
            return Condition("in", key=key, values=tuple(raw["in"]))
        self._expect(isinstance(raw["present"], bool), where, "present must be true or false")
        return Condition("present", key=key, present=raw["present"])

    # keys
    def key(
        self,
        raw: Any,
        parent_path: str,
        inherited: Availability,
        where_file: str,
        is_item: bool = False,
    ) -> KeySpec:
        where = f"{where_file}: {parent_path or '<payload>'}"
        self._expect_fields(raw, _KEY_FIELDS, where)
        if is_item:
            self._expect("name" not in raw, where, "an array item has no name")
            name = ""
            path = f"{parent_path}[]"
        else:
            name = raw.get("name")
            self._expect(isinstance(name, str) and name != "", where, "key without a name")
            path = f"{parent_path}/{name}" if parent_path else str(name)
        where = f"{where_file}: {path}"
        plist_type = raw.get("type")
        self._expect(plist_type in PLIST_TYPES, where, f"unknown type {plist_type!r}")
        presence = raw.get("presence", "optional")
        self._expect(presence in ("required", "optional"), where, f"bad presence {presence!r}")
        spec = KeySpec(
            name=name,
            path=path,
            type=plist_type,
            title=self._text(raw, "title", where),
            description=self._text(raw, "description", where),
            required=presence == "required",
            values_open=self._bool(raw, "values_open", where),
            secret=self._bool(raw, "secret", where),
            open=self._bool(raw, "open", where),
        )
        spec.availability = self.availability(raw.get("availability"), inherited, where)
        raw_availability = raw.get("availability")
        if isinstance(raw_availability, dict) and isinstance(raw_availability.get("source"), str):
            spec.availability_source = raw_availability["source"]
        if "required_when" in raw:
            spec.required_when = self.condition(raw["required_when"], f"{where}: required_when")
        if "applies_when" in raw:
            spec.applies_when = self.condition(raw["applies_when"], f"{where}: applies_when")
        self._allowed_values(raw, spec, where)
        self._bounds_and_format(raw, spec, where, is_item)
        self._children(raw, spec, where, where_file)
        self._default(raw, spec, where)
        return spec

    def _allowed_values(self, raw: Mapping[str, Any], spec: KeySpec, where: str) -> None:
        plist_type = spec.type
        if "values" in raw:
            values = raw["values"]
            self._expect(
                isinstance(values, list) and len(values) > 0, where, "values must be a list"
            )
            for value in values:
                self._expect(
                    _json_value_fits(value, plist_type),
                    where,
                    f"allowed value {value!r} is not of type {plist_type}",
                )
            spec.values = tuple(values)
        if "value_notes" in raw:
            notes = raw["value_notes"]
            self._expect(isinstance(notes, dict), where, "value_notes must be an object")
            parsed: dict[PlistValue, ValueNote] = {}
            for text_value, note in notes.items():
                nwhere = f"{where}: value_notes/{text_value}"
                self._expect_fields(note, {"description", "availability"}, nwhere)
                value = _note_key(text_value, plist_type, spec.values)
                self._expect(
                    value is not None, nwhere, "note for a value that is not an allowed value"
                )
                avail = None
                if "availability" in note:
                    avail = self.availability(note["availability"], spec.availability, nwhere)
                parsed[value] = ValueNote(self._text(note, "description", nwhere), avail)
            spec.value_notes = parsed

    def _bounds_and_format(
        self, raw: Mapping[str, Any], spec: KeySpec, where: str, is_item: bool
    ) -> None:
        plist_type = spec.type
        if "range" in raw:
            bounds = raw["range"]
            self._expect_fields(bounds, {"min", "max"}, f"{where}: range")
            self._expect(plist_type in ("integer", "real"), where, "range on a non-number")
            for end in ("min", "max"):
                if end in bounds:
                    ok = isinstance(bounds[end], int | float) and not isinstance(bounds[end], bool)
                    self._expect(ok, where, f"range {end} must be a number")
            spec.minimum = bounds.get("min")
            spec.maximum = bounds.get("max")
        if "repetition" in raw:
            rep = raw["repetition"]
            self._expect_fields(rep, {"min", "max"}, f"{where}: repetition")
            # Apple's convention: repetition sits on the array's item, counting items.
            self._expect(is_item, where, "repetition belongs on an array's item")
            spec.repetition = (rep.get("min"), rep.get("max"))
        if "format" in raw:
            known = raw["format"] in STRING_FORMATS
            self._expect(known, where, f"unknown format {raw['format']!r}")
            self._expect(plist_type == "string", where, "format on a non-string")
            spec.format = raw["format"]
        if "references" in raw:
            self._expect(
                raw["references"] in REFERENCE_KINDS,
                where,
                f"unknown reference {raw['references']}",
            )
            spec.references = raw["references"]

    def _children(
        self, raw: Mapping[str, Any], spec: KeySpec, where: str, where_file: str
    ) -> None:
        plist_type, path = spec.type, spec.path
        own_keys: list[Any] = []
        if "keys" in raw:
            self._expect(plist_type == "dictionary", where, "keys on a non-dictionary")
            self._expect(isinstance(raw["keys"], list), where, "keys must be a list")
            own_keys = list(raw["keys"])
        self._expect("without" not in raw or "structure" in raw, where, "without needs a structure")
        if "structure" in raw:
            self._expect(plist_type == "dictionary", where, "structure on a non-dictionary")
            structure_name = raw["structure"]
            self._expect(
                structure_name in self.structures, where, f"unknown structure {structure_name!r}"
            )
            self._expect(
                structure_name not in self._structure_stack,
                where,
                f"structure {structure_name!r} contains itself",
            )
            structure_keys = list(self.structures[structure_name][1])
            left_out = raw.get("without", [])
            names = {k.get("name") for k in structure_keys if isinstance(k, dict)}
            self._expect(
                isinstance(left_out, list) and all(n in names for n in left_out),
                where,
                "without must list keys of the structure",
            )
            own_names = {k.get("name") for k in own_keys if isinstance(k, dict)}
            # own keys first, then the structure's (those not left out nor given here)
            own_keys += [
                k
                for k in structure_keys
                if k.get("name") not in left_out and k.get("name") not in own_names
            ]
            self._structure_stack.append(structure_name)
            spec.keys = self.key_list(own_keys, spec, where_file)
            self._structure_stack.pop()
        elif own_keys or "keys" in raw:
            spec.keys = self.key_list(own_keys, spec, where_file)
        if "item" in raw:
            self._expect(
                plist_type == "array" or (plist_type == "dictionary" and spec.open),
                where,
                "item on something that is neither an array nor an open dictionary",
            )
            spec.item = self.key(raw["item"], path, spec.availability, where_file, is_item=True)
            if plist_type == "array":
                if spec.item.repetition is not None:
                    spec.min_items, spec.max_items = spec.item.repetition
        if spec.open:
            self._expect(plist_type == "dictionary", where, "open on a non-dictionary")

    def _default(self, raw: Mapping[str, Any], spec: KeySpec, where: str) -> None:
        plist_type = spec.type
        if "default" in raw:
            spec.has_default = True
            spec.default = raw["default"]
            self._expect(
                _json_value_fits(spec.default, plist_type),
                where,
                f"default {spec.default!r} is not of type {plist_type}",
            )
            if spec.values is not None and not spec.values_open:
                self._expect(
                    spec.default in spec.values, where, f"default {spec.default!r} not allowed"
                )
            if spec.minimum is not None:
                self._expect(spec.default >= spec.minimum, where, "default below its range")
            if spec.maximum is not None:
                self._expect(spec.default <= spec.maximum, where, "default above its range")

    def key_list(
        self, raw_keys: Sequence[Any], parent: KeySpec, where_file: str
    ) -> dict[str, KeySpec]:
        keys: dict[str, KeySpec] = {}
        for raw in raw_keys:
            spec = self.key(raw, parent.path, parent.availability, where_file)
            _inherit_source(spec, parent.availability_source)
            if spec.name in keys:
                raise SchemaError(f"{where_file}: {spec.path}: key listed twice")
            keys[spec.name] = spec
        return keys

    def payload(self, file_name: str, common: Sequence[Any]) -> PayloadSchema:
        doc = self.raw[file_name]
        where = file_name
        self._expect_fields(doc, _PAYLOAD_FIELDS, where)
        payload_type = doc.get("payload_type")
        self._expect(isinstance(payload_type, str) and payload_type != "", where, "no payload_type")
        availability = self.availability(doc.get("availability"), None, f"{where}: payload")
        install = doc.get("install", {})
        self._expect(isinstance(install, dict), where, "install must be an object")
        multiple: dict[str, bool] = {}
        supervised: dict[str, bool] = {}
        manual: dict[str, bool] = {}
        enrollment: dict[str, str] = {}
        for platform, entry in install.items():
            iwhere = f"{where}: install/{platform}"
            self._expect(platform in PLATFORMS, iwhere, "unknown platform")
            self._expect_fields(entry, _INSTALL_FIELDS, iwhere)
            if "multiple" in entry:
                multiple[platform] = self._bool(entry, "multiple", iwhere)
            if "supervised" in entry:
                supervised[platform] = self._bool(entry, "supervised", iwhere)
            if "manual_install" in entry:
                manual[platform] = self._bool(entry, "manual_install", iwhere)
            if "user_enrollment" in entry:
                mode = entry["user_enrollment"]
                self._expect(mode in USER_ENROLLMENT_MODES, iwhere, f"bad mode {mode!r}")
                enrollment[platform] = mode
        for flags in (multiple, supervised, manual):
            if "iOS" in flags and "iPadOS" not in flags:
                flags["iPadOS"] = flags["iOS"]
        if "iOS" in enrollment and "iPadOS" not in enrollment:
            enrollment["iPadOS"] = enrollment["iOS"]
        root = KeySpec(name="", path="", type="dictionary", availability=availability)
        raw_availability = doc.get("availability")
        if isinstance(raw_availability, dict) and isinstance(raw_availability.get("source"), str):
            root.availability_source = raw_availability["source"]
        raw_keys: list[Any] = list(common)
        includes = doc.get("includes", [])
        self._expect(isinstance(includes, list), where, "includes must be a list")
        for included in includes:
            self._expect(included in self.by_type, where, f"includes unknown payload {included!r}")
            common_names = {c.get("name") for c in common}
            raw_keys.extend(
                _absent_where_included_is_absent(k, self.by_type[included])
                for k in self.by_type[included]["keys"]
                if k.get("name") not in common_names
            )
        self._expect(isinstance(doc.get("keys"), list), where, "keys must be a list")
        own_names = {k.get("name") for k in doc["keys"]}
        raw_keys = [k for k in raw_keys if k.get("name") not in own_names] + list(doc["keys"])
        root.keys = self.key_list(raw_keys, root, where)
        return PayloadSchema(
            payload_type=str(payload_type),
            title=self._text(doc, "title", where),
            description=self._text(doc, "description", where),
            availability=availability,
            multiple=multiple,
            supervised=supervised,
            manual_install=manual,
            user_enrollment=enrollment,
            root=root,
        )


def _inherit_source(spec: KeySpec, source: str) -> None:
    """A key without its own availability source takes its dictionary's, and so on down
    (a key whose availability is inherited has its facts from the same place)."""
    if not spec.availability_source:
        spec.availability_source = source
    if spec.item is not None:
        _inherit_source(spec.item, spec.availability_source)
    for child in spec.keys.values():
        _inherit_source(child, spec.availability_source)


def _absent_where_included_is_absent(raw_key: Any, included_doc: Any) -> Any:
    """An included key that names its platforms stays unavailable where its payload is.

    Without this, a VPN key such as TransparentProxy, which exists nowhere on watchOS,
    would inherit the per-app payload's watchOS support.
    """
    own = raw_key.get("availability") if isinstance(raw_key, dict) else None
    if not own or not isinstance(own, dict):
        return raw_key  # no platforms named: it follows the including payload
    if not isinstance(included_doc.get("availability"), dict):
        return raw_key
    availability = dict(own)
    for platform, entry in included_doc["availability"].items():
        absent = isinstance(entry, dict) and entry.get("introduced", "") is None
        if absent and platform not in availability:
            availability[platform] = {"introduced": None}
    return {**raw_key, "availability": availability}


def _json_value_fits(value: Any, plist_type: str) -> bool:
    if plist_type in ("any", "array", "dictionary", "date", "data"):
        # JSON has no date or data; such defaults are not used.
        return plist_type == "any" or (
            plist_type_of(value) == plist_type if not isinstance(value, str) else False
        )
    return plist_type_of(value) == plist_type


def _note_key(text: str, plist_type: str, values: tuple[PlistValue, ...] | None) -> PlistValue:
    """value_notes keys are JSON strings; map them back to the allowed value."""
    for value in values or ():
        if str(value) == text and plist_type_of(value) == plist_type:
            return value
    return None


def _check_condition_keys(payload: PayloadSchema, file_name: str) -> None:
    """Every key a condition names must exist in the schema."""

    def resolve(spec_path: str, key: str) -> bool:
        parent = spec_path.rsplit("/", 1)[0] if "/" in spec_path else ""
        if key.startswith("/"):
            return payload.find(key[1:]) is not None
        while key.startswith("../"):
            key = key[3:]
            parent = parent.rsplit("/", 1)[0] if "/" in parent else ""
            while parent.endswith("[]"):
                parent = parent[:-2]
        full = f"{parent}/{key}" if parent else key
        return payload.find(full) is not None

    for spec in payload.walk():
        for cond in (spec.required_when, spec.applies_when):
            if cond is None:
                continue
            for key in cond.key_paths():
                if not resolve(spec.path.removesuffix("[]"), key):
                    raise SchemaError(
                        f"{file_name}: {spec.path}: condition names unknown key {key!r}"
                    )


def load_schema(directory: Path | None = None, cache_dir: Path | None = None) -> Schema:
    """Load and check every payload file; raise SchemaError naming what is wrong.

    With `cache_dir`, the checked schema is also kept there and read back while the
    schema files and the code of its classes stay the same: about three times quicker
    than reading and checking the files again, which every start of the editor and of
    `vpn-profile` would otherwise do.
    """
    if directory is None:
        from editor.resources import resource_path

        directory = resource_path("schema", "payloads")
    if cache_dir is None:
        return _load_files(directory)
    from editor.core import schema_cache

    fingerprint = schema_cache.fingerprint(directory, APPLE_PAYLOAD_TYPES_FILE, __file__)
    cached = schema_cache.read(cache_dir, fingerprint)
    if cached is not None:
        return cached
    schema = _load_files(directory)
    schema_cache.write(cache_dir, fingerprint, schema)
    return schema


def _load_files(directory: Path) -> Schema:
    import json  # here: a start that finds the schema in its cache never needs it

    raw_files: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SchemaError(f"{path.name}: cannot read: {exc}") from None
        if not isinstance(doc, dict):
            raise SchemaError(f"{path.name}: expected an object at the top")
        if doc.get("payload_type") != path.stem:
            raise SchemaError(f"{path.name}: payload_type does not match the file name")
        raw_files[path.name] = doc
    for needed in (f"{CONFIGURATION}.json", f"{COMMON}.json"):
        if needed not in raw_files:
            raise SchemaError(f"{directory}: {needed} is missing")
    loader = _Loader(raw_files)
    common_keys = raw_files[f"{COMMON}.json"]["keys"]
    common = loader.payload(f"{COMMON}.json", [])
    configuration = loader.payload(f"{CONFIGURATION}.json", [])
    payloads: dict[str, PayloadSchema] = {}
    for name in raw_files:
        if name in (f"{COMMON}.json", f"{CONFIGURATION}.json"):
            continue
        payload = loader.payload(name, common_keys)
        payloads[payload.payload_type] = payload
    for name, payload in [(f"{COMMON}.json", common), (f"{CONFIGURATION}.json", configuration)] + [
        (f"{t}.json", p) for t, p in payloads.items()
    ]:
        _check_condition_keys(payload, name)
    return Schema(
        payloads=payloads,
        configuration=configuration,
        common=common,
        apple_payload_types=_apple_payload_types(directory.parent / APPLE_PAYLOAD_TYPES_FILE)
        | frozenset(payloads),
    )


def _apple_payload_types(path: Path) -> frozenset[str]:
    """The names in apple_payload_types.json; none when the file is absent (a schema
    folder of its own, in tests)."""
    import json

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return frozenset()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{path.name}: cannot read: {exc}") from None
    names = doc.get("payload_types") if isinstance(doc, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise SchemaError(f"{path.name}: payload_types must be a list of names")
    if not isinstance(doc.get("source"), str) or not doc["source"]:
        raise SchemaError(f"{path.name}: source must name where the list comes from")
    return frozenset(names)
