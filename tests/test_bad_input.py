"""Hostile and damaged input: every failure is a clean ProfileReadError, quickly."""

from __future__ import annotations

import io
import os
import plistlib
import struct
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from helpers.cms import sign_profile

from editor.cli.main import main
from editor.core.model import Profile
from editor.core.plistio import MAX_FILE_SIZE, PlistFormat, ProfileReadError, serialize_plist
from editor.core.schema import Schema
from editor.core.validation.context import Options
from editor.core.validation.engine import validate_profile

DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'
TIME_LIMIT = 2.0  # seconds; each case takes milliseconds when handled well


def xml(body: bytes) -> bytes:
    return DECL + b'<plist version="1.0">\n' + body + b"\n</plist>\n"


@contextmanager
def bounded_time(limit: float = TIME_LIMIT) -> Iterator[None]:
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    assert elapsed < limit, f"took {elapsed:.2f} s"


def read_error(tmp_path: Path, data: bytes, name: str = "bad.mobileconfig") -> ProfileReadError:
    """Write data to a file, read it, and return the error (which must come)."""
    path = tmp_path / name
    path.write_bytes(data)
    with bounded_time(), pytest.raises(ProfileReadError) as info:
        Profile.read(path)
    error = info.value
    assert str(path) in str(error), "the message names the file"
    assert error.source == str(path)
    assert error.reason and error.reason in str(error)
    assert "Traceback" not in str(error)
    assert "\n" not in str(error), "one line"
    return error


def binary_nested_arrays(depth: int) -> bytes:
    """A binary plist of `depth` arrays, each holding the next, built by hand."""
    objects = [bytes([0xA1]) + struct.pack(">H", i + 1) for i in range(depth - 1)]
    objects.append(bytes([0xA0]))  # the innermost, empty array
    body = bytearray(b"bplist00")
    offsets = []
    for obj in objects:
        offsets.append(len(body))
        body += obj
    table_offset = len(body)
    for offset in offsets:
        body += struct.pack(">I", offset)
    body += struct.pack(">6xBBQQQ", 4, 2, len(objects), 0, table_offset)
    return bytes(body)


def test_hand_built_binary_plist_is_valid_when_shallow() -> None:
    # The builder itself must be right, or the depth test below proves nothing.
    assert plistlib.loads(binary_nested_arrays(3)) == [[[]]]
    with pytest.raises(ProfileReadError, match="array"):  # valid plist, but not a dictionary
        Profile.parse(binary_nested_arrays(3), "shallow.plist")


GOOD = xml(b"<dict><key>PayloadType</key><string>Configuration</string></dict>")

BAD_CASES: list[Any] = [
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b"  \n\t ", "not a profile", id="only-whitespace"),
    pytest.param(os.urandom(0) + bytes(range(1, 256)) * 4, "not a profile", id="garbage"),
    pytest.param(b"\x00\x00\x00\x00PK\x03\x04", "not a profile", id="zip-like"),
    pytest.param(b'{"PayloadType": "Configuration"}', "not a profile", id="json"),
    pytest.param(GOOD[: len(GOOD) // 2], "malformed XML", id="truncated-xml"),
    pytest.param(GOOD[:-12], "malformed XML", id="missing-end-tags"),
    pytest.param(xml(b"<dict><key>A</key><string>x</dict>"), "malformed XML", id="mismatched-tag"),
    pytest.param(
        xml(b"<dict><key>A</key><interger>1</interger></dict>"), "interger", id="interger"
    ),
    pytest.param(xml(b"<dict><key>A</key><foo/></dict>"), "unknown element", id="unknown-element"),
    pytest.param(xml(b"<dict><key>A</key><data>xxxxx</data></dict>"), "base64", id="bad-base64"),
    pytest.param(xml(b"<dict><key>A</key><data>AA=A</data></dict>"), "base64", id="bad-padding"),
    pytest.param(xml(b"<dict><key>A</key><data>AA$$</data></dict>"), "base64", id="base64-chars"),
    pytest.param(xml(b"<dict><key>A</key><integer>1.5</integer></dict>"), "integer", id="int-real"),
    pytest.param(xml(b"<dict><key>A</key><integer></integer></dict>"), "integer", id="int-empty"),
    pytest.param(
        xml(b"<dict><key>A</key><integer>" + b"9" * 5000 + b"</integer></dict>"),
        "integer",
        id="int-5000-digits",
    ),
    pytest.param(
        xml(b"<dict><key>A</key><integer>18446744073709551616</integer></dict>"),
        "64-bit",
        id="int-over-64-bit",
    ),
    pytest.param(xml(b"<dict><key>A</key><real>abc</real></dict>"), "real", id="real-text"),
    pytest.param(xml(b"<dict><key>A</key><date>yesterday</date></dict>"), "date", id="date-text"),
    pytest.param(
        xml(b"<dict><key>A</key><date>2023-02-30T00:00:00Z</date></dict>"), "date", id="date-feb30"
    ),
    pytest.param(xml(b"<dict><key>A</key></dict>"), "no value", id="key-without-value"),
    pytest.param(xml(b"<dict><string>x</string></dict>"), "key", id="value-without-key"),
    pytest.param(xml(b"<array><key>A</key></array>"), "key", id="key-in-array"),
    pytest.param(xml(b"<dict/><dict/>"), "more than one", id="two-roots"),
    pytest.param(xml(b""), "no value", id="empty-plist"),
    pytest.param(xml(b"<dict>stray text</dict>"), "stray", id="stray-text"),
    pytest.param(
        xml(b"<dict><key>A</key><string><dict/></string></dict>"), "inside", id="element-in-string"
    ),
    pytest.param(
        xml(b"<dict><key>A</key><string>\xff\xfe</string></dict>"), "malformed XML", id="bad-utf8"
    ),
    pytest.param(
        b'<?xml version="1.0" encoding="bogus-8"?><plist><dict/></plist>',
        "encoding",
        id="unknown-encoding",
    ),
    pytest.param(b"\xff\xfe<\x00?\x00x", "UTF-16", id="odd-utf16"),
    pytest.param(b"bplist00" + bytes(range(64)), "binary plist", id="garbage-binary"),
    pytest.param(
        plistlib.dumps({"a": [1, 2, 3]}, fmt=plistlib.FMT_BINARY)[:-20],
        "binary plist",
        id="truncated-binary",
    ),
    pytest.param(xml(b"<array><string>a</string></array>"), "array", id="root-array"),
    pytest.param(xml(b"<string>just text</string>"), "string", id="root-string"),
    pytest.param(xml(b"<integer>3</integer>"), "integer", id="root-integer"),
    pytest.param(plistlib.dumps([1], fmt=plistlib.FMT_BINARY), "array", id="root-array-binary"),
    pytest.param(
        plistlib.dumps("text", fmt=plistlib.FMT_BINARY), "string", id="root-string-binary"
    ),
]


@pytest.mark.parametrize(("data", "reason"), BAD_CASES)
def test_bad_input_is_a_clean_read_error(tmp_path: Path, data: bytes, reason: str) -> None:
    error = read_error(tmp_path, data)
    assert reason.lower() in error.reason.lower()


def test_read_errors_name_the_line(tmp_path: Path) -> None:
    data = xml(
        b"<dict>\n<key>A</key>\n<string>x</string>\n<key>B</key>\n<interger>1</interger>\n</dict>"
    )
    assert "line 7" in read_error(tmp_path, data).reason


def test_duplicate_key_opens_and_names_both_lines(tmp_path: Path) -> None:
    """A key given twice is no longer refused: the later value is read, both lines are
    named (tests/test_fragments.py follows it through validation and saving)."""
    path = tmp_path / "twice.mobileconfig"
    path.write_bytes(xml(b"<dict>\n<key>A</key><true/>\n<key>A</key><false/>\n</dict>"))
    profile = Profile.read(path)
    assert profile.root == {"A": False}
    assert [(d.path, d.first_line, d.later_line) for d in profile.duplicate_keys] == [
        (("A",), 4, 5)
    ]


# --- entities ------------------------------------------------------------------------------------


def billion_laughs(levels: int = 10) -> bytes:
    entities = [b'<!ENTITY lol0 "lol">']
    for i in range(1, levels):
        refs = b"".join(b"&lol%d;" % (i - 1) for _ in range(10))
        entities.append(b'<!ENTITY lol%d "%s">' % (i, refs))
    doctype = b"<!DOCTYPE plist [" + b"".join(entities) + b"]>\n"
    body = b"<plist><dict><key>A</key><string>&lol%d;</string></dict></plist>" % (levels - 1)
    return DECL + doctype + body


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(billion_laughs(), id="billion-laughs"),
        pytest.param(
            DECL + b'<!DOCTYPE plist [<!ENTITY x "text">]><plist><dict/></plist>',
            id="unused-entity",
        ),
        pytest.param(
            DECL + b'<!DOCTYPE plist [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<plist><dict><key>A</key><string>&x;</string></dict></plist>",
            id="external-entity",
        ),
        pytest.param(
            DECL + b'<!DOCTYPE plist [<!ENTITY % p "x">]><plist><dict/></plist>',
            id="parameter-entity",
        ),
    ],
)
def test_entity_declarations_are_refused(tmp_path: Path, data: bytes) -> None:
    error = read_error(tmp_path, data)
    assert "entit" in error.reason.lower()


def test_billion_laughs_is_refused_quickly() -> None:
    data = billion_laughs(12)  # 10**12 expansions if anything expanded it
    with bounded_time(0.5), pytest.raises(ProfileReadError, match="entit"):
        Profile.parse(data, "laughs.mobileconfig")


def test_undefined_entity_is_refused(tmp_path: Path) -> None:
    read_error(tmp_path, xml(b"<dict><key>A</key><string>&undefined;</string></dict>"))


def test_external_dtd_is_not_fetched() -> None:
    # A SYSTEM DTD is a plain reference (Apple's own files have one); it is never loaded.
    data = (
        DECL + b'<!DOCTYPE plist SYSTEM "file:///nonexistent/evil.dtd">'
        b"<plist><dict><key>A</key><string>x</string></dict></plist>"
    )
    assert Profile.parse(data).root == {"A": "x"}


# --- depth ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100, 1000, 100_000])
def test_deep_xml_nesting(tmp_path: Path, depth: int) -> None:
    data = xml(b"<dict><key>A</key>" + b"<array>" * depth + b"</array>" * depth + b"</dict>")
    assert "nesting" in read_error(tmp_path, data).reason


def test_deep_xml_nesting_unclosed(tmp_path: Path) -> None:
    data = DECL + b"<plist>" + b"<dict><key>k</key>" * 50_000
    read_error(tmp_path, data)


@pytest.mark.parametrize("depth", [100, 1000, 20_000])
def test_deep_binary_nesting(tmp_path: Path, depth: int) -> None:
    error = read_error(tmp_path, binary_nested_arrays(depth))
    assert "binary plist" in error.reason
    assert "nesting" in error.reason or "deep" in error.reason


def test_circular_binary_plist(tmp_path: Path) -> None:
    # Object 0 is an array whose only item is object 0.
    body = b"bplist00" + bytes([0xA1, 0x00])
    data = body + bytes([8]) + struct.pack(">6xBBQQQ", 1, 1, 1, 0, len(body))
    assert "binary plist" in read_error(tmp_path, data).reason


def test_binary_with_integer_key_is_refused(tmp_path: Path) -> None:
    body = b"bplist00" + bytes([0xD1, 1, 2, 0x10, 5, 0x10, 7])
    data = body + bytes([8, 11, 13]) + struct.pack(">6xBBQQQ", 1, 1, 3, 0, len(body))
    assert plistlib.loads(data) == {5: 7}  # plistlib itself accepts it
    assert "key" in read_error(tmp_path, data).reason


def test_binary_with_huge_object_count(tmp_path: Path) -> None:
    good = plistlib.dumps({"a": [1, 2]}, fmt=plistlib.FMT_BINARY)
    offset_size, ref_size, _count, top, table = struct.unpack(">6xBBQQQ", good[-32:])
    data = good[:-32] + struct.pack(">6xBBQQQ", offset_size, ref_size, 2**60, top, table)
    read_error(tmp_path, data)


# --- CMS -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed() -> bytes:
    return sign_profile(serialize_plist({"PayloadType": "Configuration", "PayloadContent": []}))


def test_signed_fixture_reads(signed: bytes) -> None:
    assert Profile.parse(signed).signature is not None


@pytest.mark.parametrize("cut", [1, 2, 11, 40, 100, 0.5, 0.9, -1])
def test_truncated_cms(tmp_path: Path, signed: bytes, cut: float) -> None:
    end = int(len(signed) * cut) if isinstance(cut, float) else cut
    error = read_error(tmp_path, signed[:end])
    assert "CMS" in error.reason or "not a profile" in error.reason


def test_cms_with_damaged_bytes(tmp_path: Path, signed: bytes) -> None:
    data = bytearray(signed)
    for i in range(40, len(data), 7):
        data[i] ^= 0x5A
    read_error(tmp_path, bytes(data))


def test_cms_around_garbage(tmp_path: Path) -> None:
    assert "not a profile" in read_error(tmp_path, sign_profile(b"\x01\x02 garbage")).reason


def test_cms_around_empty_content(tmp_path: Path) -> None:
    read_error(tmp_path, sign_profile(b""))


def test_cms_around_a_non_dictionary(tmp_path: Path) -> None:
    assert "array" in read_error(tmp_path, sign_profile(plistlib.dumps([1]))).reason


# --- size ----------------------------------------------------------------------------------------


def test_70_megabyte_file_is_refused_by_size(tmp_path: Path) -> None:
    path = tmp_path / "huge.mobileconfig"
    with path.open("wb") as handle:
        handle.truncate(70 * 1024 * 1024)  # sparse: no 70 MB actually written
    with bounded_time(), pytest.raises(ProfileReadError) as info:
        Profile.read(path)
    assert str(path) in str(info.value)
    assert "64 MiB" in info.value.reason


def test_oversized_bytes_are_refused() -> None:
    with pytest.raises(ProfileReadError, match="64 MiB"):
        Profile.parse(b"<" + b" " * MAX_FILE_SIZE, "big")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_device_is_refused() -> None:
    with bounded_time(10), pytest.raises(ProfileReadError) as info:
        Profile.read("/dev/zero")
    assert "/dev/zero" in str(info.value)


# --- wrong types where a dictionary is expected: validation must not crash -----------------------


WRONG_SHAPES: list[dict[str, Any]] = [
    {"PayloadContent": "a string"},
    {"PayloadContent": 5},
    {"PayloadContent": {"not": "an array"}},
    {"PayloadContent": [5, "text", [1, 2], True, b"data", 1.5]},
    {"PayloadContent": [{"PayloadType": 3}, {"PayloadType": 2.5}, {"PayloadType": True}]},
    {"PayloadContent": [{"PayloadType": ["com.apple.vpn.managed"]}]},
    {"PayloadContent": [{"PayloadType": {"a": 1}, "VPNType": {"b": 2}}]},
    {
        "PayloadContent": [
            {"PayloadType": "com.apple.vpn.managed", "VPNType": "IKEv2", "IKEv2": "str"},
            {"PayloadType": "com.apple.vpn.managed", "VPNType": ["IKEv2"], "IPSec": []},
            {"PayloadType": "com.apple.vpn.managed", "VPNType": "VPN", "VPN": 1, "VendorConfig": 2},
            {"PayloadType": "com.apple.vpn.managed", "VPNType": "AlwaysOn", "AlwaysOn": "x"},
            {
                "PayloadType": "com.apple.vpn.managed",
                "VPNType": "AlwaysOn",
                "AlwaysOn": {"TunnelConfigurations": [1, "x", {"ProtocolType": 5}]},
            },
            {
                "PayloadType": "com.apple.vpn.managed",
                "VPNType": "IKEv2",
                "IKEv2": {
                    "OnDemandEnabled": "yes",
                    "OnDemandRules": [
                        1,
                        "x",
                        {"Action": 5, "ActionParameters": "x"},
                        {"Action": "EvaluateConnection", "ActionParameters": [1, {"Domains": "x"}]},
                    ],
                    "IKESecurityAssociationParameters": [1],
                    "ChildSecurityAssociationParameters": "x",
                    "RemoteAddress": 7,
                    "AuthenticationMethod": True,
                },
                "DNS": "x",
                "Proxies": [],
            },
            {"PayloadType": "com.apple.vpn.managed.applayer", "VPNUUID": 5, "SafariDomains": "x"},
            {"PayloadType": "com.apple.vpn.managed.appmapping", "AppLayerVPNMapping": "x"},
            {"PayloadType": "com.apple.vpn.managed.appmapping", "AppLayerVPNMapping": [1, {}]},
            {"PayloadType": "com.apple.security.pkcs12", "PayloadContent": "not data"},
        ]
    },
    {
        "PayloadContent": [],
        "PayloadUUID": 5,
        "PayloadIdentifier": [1],
        "PayloadType": 7,
        "PayloadVersion": "one",
        "PayloadDisplayName": {"a": 1},
        "IsEncrypted": "yes",
        "EncryptedPayloadContent": "not data",
        "ConsentText": "not a dict",
        "PayloadRemovalDisallowed": 1,
    },
    {
        "PayloadContent": [
            {
                "PayloadType": "com.apple.vpn.managed",
                "VPNType": "IKEv2",
                "IKEv2": {
                    "RemoteAddress": "vpn.example.com",
                    "IKESecurityAssociationParameters": {
                        "EncryptionAlgorithm": ["AES-256"],
                        "IntegrityAlgorithm": {"SHA2-256": True},
                    },
                    "ChildSecurityAssociationParameters": {"IntegrityAlgorithm": ["SHA1-96"]},
                },
            }
        ]
    },
]


SHAPE_IDS = [
    "payload-content-string",
    "payload-content-integer",
    "payload-content-dict",
    "payloads-not-dicts",
    "payload-type-scalars",
    "payload-type-array",
    "payload-type-dict",
    "vpn-wrong-shapes",
    "top-level-wrong-types",
    "sa-algorithms-not-strings",
]
assert len(SHAPE_IDS) == len(WRONG_SHAPES)


@pytest.mark.parametrize("root", WRONG_SHAPES, ids=SHAPE_IDS)
def test_validation_survives_wrong_shapes(schema: Schema, root: dict[str, Any]) -> None:
    profile = Profile(root)
    with bounded_time():
        problems = validate_profile(profile, schema, Options())
    assert any(p.severity.value == "error" for p in problems)


@pytest.mark.parametrize("fmt", ["xml", "binary"])
@pytest.mark.parametrize("root", WRONG_SHAPES, ids=SHAPE_IDS)
def test_cli_survives_wrong_shapes(tmp_path: Path, root: dict[str, Any], fmt: PlistFormat) -> None:
    path = tmp_path / "shape.mobileconfig"
    path.write_bytes(serialize_plist(root, fmt))
    for argv, expected in (
        (["validate", str(path)], 1),
        (["validate", "--format", "json", "--target", "ios:17", str(path)], 1),
        (["show", str(path)], 0),
        (["convert", str(path), str(tmp_path / "out.plist")], 0),
    ):
        out, err = io.StringIO(), io.StringIO()
        code = main(argv, out=out, err=err)
        assert code == expected, (argv, out.getvalue(), err.getvalue())
        assert "unexpected failure" not in err.getvalue()
        assert "Traceback" not in err.getvalue()


# --- fuzzing: small random damage never escapes as anything but ProfileReadError -----------------


SEEDS: dict[str, Callable[[], bytes]] = {
    "xml": lambda: serialize_plist(
        {"a": [1, 2.5, True, b"x"], "b": {"c": "d"}, "t": "text"}, "xml"
    ),
    "binary": lambda: serialize_plist(
        {"a": [1, 2.5, True, b"x"], "b": {"c": "d"}, "t": "text"}, "binary"
    ),
    "signed": lambda: sign_profile(serialize_plist({"PayloadContent": [{"PayloadType": "x"}]})),
}


@pytest.mark.parametrize("seed_name", list(SEEDS))
def test_random_damage(seed_name: str, schema: Schema) -> None:
    import random

    seed = SEEDS[seed_name]()
    rnd = random.Random(seed_name)
    with bounded_time(20):
        for _ in range(400):
            data = bytearray(seed)
            for _ in range(rnd.randint(1, 4)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
            try:
                profile = Profile.parse(bytes(data), "fuzz")
            except ProfileReadError as exc:
                assert str(exc).startswith("fuzz: ")
                continue
            validate_profile(profile, schema, Options())
