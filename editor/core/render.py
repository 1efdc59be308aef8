"""One profile per user or device: a template filled from the rows of a CSV file.

Placeholders are `@@column@@` (a letter or underscore, then letters, digits, `_`, `.`
or `-`). No MDM writes its variables that way (Jamf and Kandji use `$NAME`, Intune
`{{name}}`, Workspace ONE `{Name}`, FileWave `%name%`), so a template may hold MDM
variables that pass through untouched for the MDM to fill in later. Placeholders fill
string values only (keys, numbers, booleans and data stay as the template has them).

Each row gets PayloadUUIDs of its own that stay the same on every run: a name-based
UUID (RFC 4122 version 5) of the template's UUID and the row's key. Re-rendering a row
therefore updates the profile a device already has instead of adding a second one.
Every occurrence of a template UUID (references such as PayloadCertificateUUID, and
UUIDs inside identifiers) is replaced by the row's UUID, so references keep pointing at
the right payload.

A row's identity (a PKCS#12 file) replaces the PayloadContent of the template's one
PKCS#12 payload; its passphrase, when given, is checked and stored as that payload's
Password.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from editor.core.errors import EditorError
from editor.core.plisttypes import PlistDict, PlistValue

if TYPE_CHECKING:
    from editor.core.schema import Schema
    from editor.core.signing import Identity

PLACEHOLDER_RE = re.compile(r"@@([A-Za-z_][A-Za-z0-9_.-]*)@@")
# The namespace of the row UUIDs: fixed forever, or re-rendered profiles would change.
ROW_NAMESPACE = uuid.UUID("6b1f3c52-7d0e-5a4b-9c1d-2e3f4a5b6c7d")
_UUID_RE = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)
MAX_DATA_SIZE = 64 * 1024 * 1024


class RenderError(EditorError):
    """A template, data file or row that cannot be rendered; the message names it."""


@dataclass(frozen=True)
class Rows:
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    source: str

    def line(self, index: int) -> int:
        """The file line of a row (after the header)."""
        return index + 2


def _strings(value: PlistValue) -> Iterator[str]:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def placeholders(root: PlistValue) -> set[str]:
    """The column names the template's placeholders ask for."""
    return {match.group(1) for text in _strings(root) for match in PLACEHOLDER_RE.finditer(text)}


def fill(value: PlistValue, values: Mapping[str, str]) -> PlistValue:
    """A copy of value with every placeholder replaced (all must be in values)."""
    if isinstance(value, str):
        if "@@" not in value:
            return value
        return PLACEHOLDER_RE.sub(lambda match: values[match.group(1)], value)
    if isinstance(value, dict):
        return {key: fill(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, values) for item in value]
    return copy.deepcopy(value)


def row_uuid(template_uuid: str, row_key: str) -> str:
    """The row's stable replacement for a template UUID (upper case, as Apple writes)."""
    name = f"{template_uuid.upper()}\n{row_key}"
    return str(uuid.uuid5(ROW_NAMESPACE, name)).upper()


def template_uuids(root: PlistDict) -> list[str]:
    """The profile's and its payloads' PayloadUUIDs that look like UUIDs."""
    found = [root.get("PayloadUUID")]
    content = root.get("PayloadContent")
    if isinstance(content, list):
        found.extend(item.get("PayloadUUID") for item in content if isinstance(item, dict))
    return [text for text in found if isinstance(text, str) and _UUID_RE.fullmatch(text)]


def restamp_uuids(root: PlistDict, row_key: str) -> PlistDict:
    """Every template UUID, wherever it occurs in a string, replaced by the row's own."""
    mapping = {old.upper(): row_uuid(old, row_key) for old in template_uuids(root)}
    if not mapping:
        return root

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        new = mapping.get(text.upper())
        if new is None:
            return text
        return new.lower() if text == text.lower() else new

    def walk(value: PlistValue) -> PlistValue:
        if isinstance(value, str):
            return _UUID_RE.sub(replace, value) if "-" in value else value
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    result = walk(root)
    assert isinstance(result, dict)
    return result


def pkcs12_payloads(root: PlistDict) -> list[PlistDict]:
    content = root.get("PayloadContent")
    if not isinstance(content, list):
        return []
    return [
        item
        for item in content
        if isinstance(item, dict) and item.get("PayloadType") == "com.apple.security.pkcs12"
    ]


def set_identity(root: PlistDict, p12_path: Path, passphrase: str | None, what: str) -> None:
    """Put the PKCS#12 file into the template's one PKCS#12 payload (checked first)."""
    from editor.core.certificates import CertificateError, certificate_payload_from_file

    targets = pkcs12_payloads(root)
    if len(targets) != 1:
        raise RenderError(
            f"{what}: the template needs exactly one PKCS#12 payload (com.apple.security."
            f"pkcs12) to hold each row's identity; it has {len(targets)}"
        )
    try:
        made = certificate_payload_from_file(
            p12_path, passphrase, store_password=passphrase is not None
        )
    except CertificateError as exc:
        raise RenderError(f"{what}: {exc}") from None
    if made.get("PayloadType") != "com.apple.security.pkcs12":
        raise RenderError(f"{what}: {p12_path.name} is a certificate, not a PKCS#12 identity")
    target = targets[0]
    target["PayloadContent"] = made["PayloadContent"]
    target["PayloadCertificateFileName"] = made["PayloadCertificateFileName"]
    if passphrase is not None:
        target["Password"] = passphrase
    else:
        target.pop("Password", None)


def render_row(template: PlistDict, values: Mapping[str, str], row_key: str) -> PlistDict:
    """The template filled from one row, with the row's stable UUIDs."""
    filled = fill(template, values)
    assert isinstance(filled, dict)
    return restamp_uuids(filled, row_key)


def read_rows(path: Path | str) -> Rows:
    """The CSV file's header and rows (UTF-8, a byte-order mark allowed)."""
    path = Path(path)
    from editor.core.plistio import unreadable_reason

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DATA_SIZE + 1)
    except OSError as exc:
        raise RenderError(f"{path}: {unreadable_reason(exc)}") from None
    if len(data) > MAX_DATA_SIZE:
        raise RenderError(f"{path}: the file is over 64 MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RenderError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise RenderError(f"{path}: not a readable CSV file ({exc})") from None
    records = [record for record in records if any(cell.strip() for cell in record)]
    if not records:
        raise RenderError(f"{path}: the file is empty; it needs a header line and rows")
    header = tuple(cell.strip() for cell in records[0])
    if any(not name for name in header):
        raise RenderError(f"{path}: line 1: a column has no name")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise RenderError(f"{path}: line 1: the column {duplicates[0]!r} appears twice")
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if len(record) != len(header):
            raise RenderError(
                f"{path}: line {number}: {len(record)} values for {len(header)} columns"
            )
        rows.append(dict(zip(header, record, strict=True)))
    if not rows:
        raise RenderError(f"{path}: there are no rows below the header")
    return Rows(header, tuple(rows), str(path))


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._@+-]+")


def output_name(row_key: str) -> str:
    """A file name for the row's profile: its key with unsafe characters replaced."""
    stem = _UNSAFE_NAME.sub("_", row_key.strip()).strip("._") or "profile"
    return f"{stem[:120]}.mobileconfig"


def check_template(template: PlistDict, columns: tuple[str, ...], source: str) -> None:
    missing = sorted(placeholders(template) - set(columns))
    if missing:
        raise RenderError(
            f"{source}: the template asks for @@{missing[0]}@@, but the data has no column "
            f"{missing[0]!r} (columns: {', '.join(columns)})"
        )


@dataclass(frozen=True)
class RenderOptions:
    key_column: str | None = None  # None: the first column
    identity_column: str | None = None
    passphrase_column: str | None = None
    encrypt_column: str | None = None
    signer: Identity | None = None


@dataclass
class RenderedRow:
    name: str  # the file name
    data: bytes  # what to write: plain, encrypted and/or signed
    root: PlistDict  # the profile before encryption and signing
    warnings: int


def render_profile_row(
    template: PlistDict, rows: Rows, index: int, options: RenderOptions, schema: Schema
) -> RenderedRow:
    """One row's finished profile: filled, its identity put in, validated, encrypted
    and signed as asked. Raises RenderError naming the row's line and key."""
    from editor.core.encryption import EncryptionError, load_recipient
    from editor.core.export import export_bytes
    from editor.core.model import Profile
    from editor.core.signing import SigningError
    from editor.core.validation.engine import validate_profile
    from editor.core.validation.problems import Severity

    row = rows.rows[index]
    key_column = options.key_column or rows.columns[0]
    key = row[key_column].strip()
    where = f"{rows.source}: line {rows.line(index)}"
    if not key:
        raise RenderError(f"{where}: the {key_column!r} column (the row's key) is empty")
    where = f"{where} ({key})"
    root = render_row(template, row, key)
    base = Path(rows.source).parent
    if options.identity_column is not None:
        p12 = row[options.identity_column].strip()
        if not p12:
            column = options.identity_column
            raise RenderError(f"{where}: no identity file in the {column!r} column")
        passphrase_column = options.passphrase_column
        passphrase = row[passphrase_column] if passphrase_column is not None else None
        set_identity(root, base / p12, passphrase, where)
    problems = validate_profile(Profile(root), schema)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        first = errors[0]
        raise RenderError(f"{where}: invalid: {first.path_text}: {first.message}{more}")
    recipients = []
    try:
        if options.encrypt_column is not None:
            certificate = row[options.encrypt_column].strip()
            if not certificate:
                raise RenderError(
                    f"{where}: no device certificate in the {options.encrypt_column!r} column"
                )
            recipients.append(load_recipient(str(base / certificate)))
        data = export_bytes(
            root, "xml", identity=options.signer, recipients=recipients, source=where
        )
    except (EncryptionError, SigningError) as exc:
        raise RenderError(f"{where}: {exc}") from None
    except ValueError as exc:
        raise RenderError(f"{where}: cannot be written: {exc}") from None
    warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
    return RenderedRow(output_name(key), data, root, warnings)


def write_rendered(directory: Path | str, rendered: list[RenderedRow]) -> None:
    """Every file atomically; when one fails, the files this run created are removed."""
    import contextlib

    from editor.core.plistio import ProfileWriteError, write_atomic

    folder = Path(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise RenderError(f"{directory}: cannot create the folder ({reason})") from None
    created: list[Path] = []
    try:
        for item in rendered:
            target = folder / item.name
            existed = target.exists()
            write_atomic(target, item.data)
            if not existed:
                created.append(target)
    except ProfileWriteError as exc:
        for path in created:
            with contextlib.suppress(OSError):
                path.unlink()
        removed = f"the {len(created)} new files of this run were removed"
        raise RenderError(f"{exc} ({removed})") from None


__all__ = [
    "PLACEHOLDER_RE",
    "RenderError",
    "RenderOptions",
    "RenderedRow",
    "Rows",
    "check_template",
    "fill",
    "output_name",
    "placeholders",
    "read_rows",
    "render_profile_row",
    "render_row",
    "restamp_uuids",
    "row_uuid",
    "set_identity",
    "template_uuids",
    "write_rendered",
]
