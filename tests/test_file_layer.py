"""The file layer under attack: one regression test per finding of the fuzzing review.

Each test reads a small file under tests/data/ (tests/data/README.md says how each was
made) or builds its input, and fails on the readers as they were before: a binary plist
whose shared objects expand beyond reason, objects shared after a read, damaged signers,
the XML and binary nesting limits, UTF-16, memory, cycles, dates and integers.
"""

from __future__ import annotations

import datetime
import plistlib
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from helpers.gui import open_window

from editor.core.model import Profile
from editor.core.plistio import ProfileReadError, parse_plist_bytes, serialize_plist
from editor.core.plistlimits import MAX_DEPTH
from editor.core.schema import Schema
from editor.core.signing import DAMAGED_SIGNER, SigningError, verify_profile
from editor.session.document import Document

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent


def read(name: str) -> Any:
    return parse_plist_bytes((DATA / name).read_bytes(), name).root


def refused(name: str) -> str:
    with pytest.raises(ProfileReadError) as caught:
        parse_plist_bytes((DATA / name).read_bytes(), name)
    assert caught.value.source == name
    return caught.value.reason


def run_child(code: str, timeout: float = 60, memory_mib: int | None = None) -> str:
    """Run Python code in a fresh process of this checkout; its standard output.

    A watchdog (the timeout) turns a hang into a failure; a memory limit turns an
    allocation that would be refused by a small machine into a failure too.
    """
    limit = ""
    if memory_mib is not None:
        limit = (
            "import resource\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({memory_mib} << 20, {memory_mib} << 20))\n"
        )
    proc = subprocess.run(
        [sys.executable, "-c", limit + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def run_cli(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "editor.cli", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert "Traceback" not in proc.stderr
    return proc


# --- 1. shared objects that expand beyond reason ------------------------------------------


def test_shared_object_bomb_is_refused_before_expanding() -> None:
    # 283 bytes: eleven levels of arrays, each referring sixteen times to the next one.
    reason = refused("binary-shared-objects-bomb.bplist")
    assert "binary plist" in reason
    assert f"{2 + (16**12 - 1) // 15:,}" in reason  # the root, its key and eleven levels


def test_shared_object_bomb_does_not_hang_the_command_line() -> None:
    proc = run_cli("validate", str(DATA / "binary-shared-objects-bomb.bplist"), timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "values" in proc.stderr


@pytest.mark.parametrize("levels", [12, 40])
def test_deeper_bombs_are_measured_in_linear_time(tmp_path: Path, levels: int) -> None:
    """Each level doubles the expanded tree; the reader visits each object once."""
    objects = [bytes([0xD1, 1, 2]), b"\x51A"]
    for level in range(levels):
        objects.append(bytes([0xA2, 3 + level, 3 + level]))
    objects.append(b"\x51x")
    body = bytearray(b"bplist00")
    offsets = []
    for item in objects:
        offsets.append(len(body))
        body += item
    table = len(body)
    body += bytes(offsets)
    body += struct.pack(">6xBBQQQ", 1, 1, len(objects), 0, table)
    path = tmp_path / "bomb.bplist"
    path.write_bytes(bytes(body))
    out = run_child(
        f"""
        from editor.core.plistio import ProfileReadError, read_plist_file
        try:
            read_plist_file({str(path)!r})
        except ProfileReadError as exc:
            print(exc.reason)
        else:
            print("read")
        """,
        timeout=20,
    )
    if 2 ** (levels + 1) < 10**6:
        assert out.strip() == "read"
    else:
        assert "values" in out


# --- 2. every value read is its own object -------------------------------------------------


def test_a_dictionary_referred_to_twice_becomes_two(tmp_path: Path) -> None:
    data = (DATA / "binary-shared-dict.bplist").read_bytes()
    plain = plistlib.loads(data)
    assert plain["PayloadContent"][0] is plain["PayloadContent"][1]  # how plistlib reads it

    path = tmp_path / "shared.mobileconfig"
    path.write_bytes(data)
    profile = Profile.read(path)
    first, second = profile.root["PayloadContent"]
    assert first is not second and first["IKEv2"] is not second["IKEv2"]
    first["IKEv2"]["RemoteAddress"] = "changed.example.com"
    assert second["IKEv2"]["RemoteAddress"] == "vpn.example.com"
    profile.save(path)
    again = Profile.read(path).root["PayloadContent"]
    assert [payload["IKEv2"]["RemoteAddress"] for payload in again] == [
        "changed.example.com",
        "vpn.example.com",
    ]


def test_unshared_reads_keep_every_value() -> None:
    root = read("binary-shared-dict.bplist")
    assert root == plistlib.loads((DATA / "binary-shared-dict.bplist").read_bytes())


# --- 3. damaged signers --------------------------------------------------------------------

DAMAGED_SIGNED = sorted(path.name for path in DATA.glob("signed-*.der"))


@pytest.mark.parametrize("name", DAMAGED_SIGNED)
def test_damaged_signer_is_invalid_with_its_reason(name: str) -> None:
    result = verify_profile((DATA / name).read_bytes())
    assert result.signed and result.status == "invalid"
    assert any(DAMAGED_SIGNER in message for message in result.messages), result.messages
    result.as_json(name)


@pytest.mark.parametrize("name", DAMAGED_SIGNED)
def test_damaged_signer_exits_invalid_on_the_command_line(name: str) -> None:
    proc = run_cli("verify", str(DATA / name))
    assert proc.returncode == 1, proc.stderr
    assert "unexpected failure" not in proc.stderr
    assert DAMAGED_SIGNER in proc.stdout + proc.stderr


@pytest.mark.parametrize("name", DAMAGED_SIGNED)
def test_damaged_signer_opens_with_a_red_banner(qtbot: Any, schema: Schema, name: str) -> None:
    data = (DATA / name).read_bytes()
    try:
        profile = Profile.parse(data, name)
    except ProfileReadError:
        return  # the content itself is damaged too: the editor refuses it with a message
    window = open_window(qtbot, Document(profile, schema, DATA / name))
    assert not window.banner.isHidden()
    assert window.banner.level == "error"
    assert DAMAGED_SIGNER in window.banner.text.text()


def test_a_damaged_envelope_around_the_content_is_still_a_signing_error() -> None:
    data = (DATA / "signed-unknown-key-algorithm.der").read_bytes()
    with pytest.raises(SigningError):
        verify_profile(data[:40])


# --- 4. one nesting limit, counted one way -------------------------------------------------


def test_the_deepest_xml_the_reader_accepts_survives_binary() -> None:
    value = read("nested-64-arrays.xml")
    binary = serialize_plist(value, "binary")
    assert parse_plist_bytes(binary).root == value
    assert parse_plist_bytes(serialize_plist(value, "xml")).root == value


def test_one_level_deeper_is_refused_everywhere() -> None:
    assert f"nesting deeper than {MAX_DEPTH} levels" in refused("nested-65-arrays.xml")
    value: Any = "deep"
    for _ in range(MAX_DEPTH + 1):
        value = [value]
    binary = plistlib.dumps(value, fmt=plistlib.FMT_BINARY)
    with pytest.raises(ProfileReadError, match=f"nesting deeper than {MAX_DEPTH} levels"):
        parse_plist_bytes(binary)
    for fmt in ("xml", "binary"):
        with pytest.raises(ValueError, match=f"nesting deeper than {MAX_DEPTH} levels"):
            serialize_plist(value, fmt)  # type: ignore[arg-type]


# --- 5. UTF-16 as XML reads it ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["utf16-le-bom-lowercase.xml", "utf16-be-bom-lowercase.xml", "utf16le-declared-no-bom.xml"],
)
def test_utf16_that_xml_allows_is_read(name: str) -> None:
    assert read(name) == {"PayloadDisplayName": "Büro €", "PayloadType": "Configuration"}


def test_cpython_utf16_vector_reads_like_plistlib() -> None:
    data = (DATA / "utf16-le-bom-lowercase.xml").read_bytes()
    assert parse_plist_bytes(data).root == plistlib.loads(data)


def test_utf16_declared_as_utf8_is_refused() -> None:
    reason = refused("utf16-bom-declared-utf8.xml")
    assert "UTF-16" in reason and "UTF-8" in reason


# --- 6. memory and cycles ------------------------------------------------------------------


def test_a_file_of_offset_table_is_refused_before_allocating(tmp_path: Path) -> None:
    """64 MiB, nearly all of it an offset table of one-byte entries."""
    count = 64 * 1024 * 1024 - 200
    body = b"bplist00" + b"\x51x"
    table = len(body)
    path = tmp_path / "table.bplist"
    with path.open("wb") as handle:
        handle.write(body)
        handle.write(b"\x08" * count)
        handle.write(struct.pack(">6xBBQQQ", 1, 1, count, 0, table))
    out = run_child(
        f"""
        from editor.core.plistio import ProfileReadError, read_plist_file
        try:
            read_plist_file({str(path)!r})
        except ProfileReadError as exc:
            print(exc.reason)
        """,
        timeout=60,
        memory_mib=600,
    )
    assert "objects" in out


def test_a_value_that_contains_itself_is_refused_by_the_writers() -> None:
    out = run_child(
        """
        from editor.core.plistio import serialize_plist
        for fmt in ("xml", "binary"):
            loop = {"A": []}
            loop["A"].append(loop)
            try:
                serialize_plist(loop, fmt)
            except ValueError as exc:
                print(exc)
        """,
        timeout=20,
    )
    assert out.count("contains itself") == 2


# --- 7. dates and integers as CoreFoundation reads them -----------------------------------


@pytest.mark.parametrize(
    "name", ["date-partial.xml", "date-non-ascii-digits.xml", "integer-non-ascii-digits.xml"]
)
def test_values_core_foundation_refuses_are_refused(name: str) -> None:
    assert "line 4" in refused(name)


def test_a_signed_hexadecimal_integer_reads_as_core_foundation_reads_it() -> None:
    assert read("integer-negative-hex.xml") == {"PayloadVersion": -16}


def test_a_full_date_still_reads() -> None:
    data = (DATA / "date-partial.xml").read_bytes().replace(b"2004Z", b"2004-02-29T23:59:59Z")
    assert parse_plist_bytes(data).root == {
        "RemovalDate": datetime.datetime(2004, 2, 29, 23, 59, 59)
    }


# --- 8. speed, by construction (the benchmark rows binary-read and binary-write time it) ---


def test_reading_a_binary_profile_does_not_go_through_plistlib() -> None:
    """Our reader reads each object once; plistlib plus a walk over it was 1.8x."""
    out = run_child(
        f"""
        import sys
        from editor.core.plistio import read_plist_file
        read_plist_file({str(DATA / "binary-shared-dict.bplist")!r})
        print("plistlib" in sys.modules)
        """
    )
    assert out.strip() == "False"


def test_writing_binary_copies_the_tree_only_for_negative_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written: list[Any] = []
    real_dumps = plistlib.dumps

    def recording_dumps(value: Any, **options: Any) -> bytes:
        written.append(value)
        return real_dumps(value, **options)

    monkeypatch.setattr(plistlib, "dumps", recording_dumps)
    root = read("binary-shared-dict.bplist")
    serialize_plist(root, "binary")
    assert written[-1] is root
    root["Zero"] = -0.0
    data = serialize_plist(root, "binary")
    assert written[-1] is not root
    assert str(parse_plist_bytes(data).root["Zero"]) == "-0.0"
