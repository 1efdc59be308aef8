"""Reading and writing plists: encodings, formats, CMS envelopes, type fidelity, atomic saves."""

from __future__ import annotations

import datetime
import math
import os
import plistlib
import stat
from pathlib import Path
from typing import Any

import pytest
from helpers.cms import SIGNER_CN, sign_profile

from editor.core.model import Profile
from editor.core.plistio import (
    PlistFormat,
    ProfileReadError,
    ProfileWriteError,
    parse_plist_bytes,
    read_plist_file,
    serialize_plist,
    write_atomic,
)
from editor.core.plisttypes import plist_type_of, same_plist_value

BODY = (
    b'<plist version="1.0">\n<dict>\n'
    b"\t<key>PayloadDisplayName</key>\n\t<string>Caf\xc3\xa9 VPN</string>\n"
    b"\t<key>PayloadVersion</key>\n\t<integer>1</integer>\n"
    b"\t<key>PayloadContent</key>\n\t<array/>\n"
    b"</dict>\n</plist>\n"
)
DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DOCTYPE = (
    b'<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
    b'"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
)
EXPECTED = {"PayloadDisplayName": "Café VPN", "PayloadVersion": 1, "PayloadContent": []}

# One of every plist type, in an order that is not alphabetical.
ALL_TYPES: dict[str, Any] = {
    "zeta": "text",
    "Bool": True,
    "BoolFalse": False,
    "Int": 1,
    "IntZero": 0,
    "Negative": -42,
    "Big": 2**63 - 1,
    "Unsigned": 2**64 - 1,
    "Small": -(2**63),
    "Real": 1.0,
    "RealFraction": 2.5,
    "Data": b"\x00\x01\xffbinary",
    "EmptyData": b"",
    "Date": datetime.datetime(2024, 1, 31, 12, 30, 5),
    "alpha": ["a", 1, True, 1.5, b"x", {"nested": [[], {}]}],
    "Unknown.Vendor.Key": {"b": 2, "a": 1, "Ünïcode ключ": "日本語"},
    "Empty": "",
    "Whitespace": "  leading and trailing\n\tlines  ",
}


def assert_same(left: Any, right: Any) -> None:
    assert same_plist_value(left, right), f"{left!r} != {right!r}"


# --- reading the encodings ---------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(DECL + DOCTYPE + BODY, id="declaration-and-doctype"),
        pytest.param(DECL + BODY, id="declaration"),
        pytest.param(BODY, id="no-declaration"),
        pytest.param(DOCTYPE + BODY, id="doctype-without-declaration"),
        pytest.param(b"\xef\xbb\xbf" + DECL + BODY, id="utf8-bom"),
        pytest.param(b"\n\n   \t" + DECL + BODY, id="leading-whitespace"),
        pytest.param(b"\xef\xbb\xbf\r\n" + DECL + BODY, id="bom-then-whitespace"),
        pytest.param(
            DECL.replace(b"'", b'"').replace(b'"', b"'") + BODY, id="single-quoted-declaration"
        ),
    ],
)
def test_xml_variants_read(data: bytes) -> None:
    loaded = parse_plist_bytes(data, "p.mobileconfig")
    assert loaded.source_format == "xml"
    assert loaded.signature is None
    assert_same(loaded.root, EXPECTED)


def test_leniencies_are_noted() -> None:
    assert parse_plist_bytes(DECL + BODY).notes == []
    assert parse_plist_bytes(BODY).notes  # no declaration
    assert parse_plist_bytes(b"\xef\xbb\xbf" + DECL + BODY).notes  # BOM
    assert parse_plist_bytes(b"\n" + DECL + BODY).notes  # blank space first


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n' + (DOCTYPE + BODY).decode("utf-8")
    data = text.encode(codec)
    if codec != "utf-16":  # add the byte-order mark the plain codecs leave out
        data = ("\ufeff" + text).encode(codec)
    loaded = parse_plist_bytes(data, "u16.mobileconfig")
    assert_same(loaded.root, EXPECTED)


def test_latin1_declared_encoding() -> None:
    data = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        b"<plist><dict><key>Name</key><string>Caf\xe9</string></dict></plist>"
    )
    assert parse_plist_bytes(data).root == {"Name": "Café"}


def test_binary_read() -> None:
    data = plistlib.dumps(ALL_TYPES, fmt=plistlib.FMT_BINARY, sort_keys=False)
    loaded = parse_plist_bytes(data, "b.mobileconfig")
    assert loaded.source_format == "binary"
    assert_same(loaded.root, ALL_TYPES)


def test_plistlib_xml_read_type_for_type() -> None:
    data = plistlib.dumps(ALL_TYPES, fmt=plistlib.FMT_XML, sort_keys=False)
    assert_same(parse_plist_bytes(data).root, ALL_TYPES)


def test_xml_comments_and_cdata_and_references() -> None:
    data = DECL + (
        b"<plist><dict>\n<!-- a comment -->\n<key>A</key><!-- between --><string>x</string>\n"
        b"<key>B</key><string><![CDATA[<b>&</b>]]></string>\n"
        b"<key>C</key><string>&#34;q&#34; &amp; &lt;&gt; &#x263A;</string>\n"
        b"<key>D</key><true /><key>E</key><dict /><key>F</key><string/>\n"
        b"<key>G</key><integer> 0x1F </integer><key>H</key><integer>-7</integer>"
        b"<key>I</key><real>-1.5e3</real><key>J</key><date>2020-02-29T23:59:59Z</date>"
        b"<key>K</key><data>\n  AAEC\n  /w==\n</data>"
        b"</dict></plist>"
    )
    root = parse_plist_bytes(data).root
    assert_same(
        root,
        {
            "A": "x",
            "B": "<b>&</b>",
            "C": '"q" & <> ☺',
            "D": True,
            "E": {},
            "F": "",
            "G": 31,
            "H": -7,
            "I": -1500.0,
            "J": datetime.datetime(2020, 2, 29, 23, 59, 59),
            "K": b"\x00\x01\x02\xff",
        },
    )


# --- CMS-signed profiles -------------------------------------------------------------


def test_cms_signed_xml_profile(tmp_path: Path) -> None:
    inner = serialize_plist(dict(ALL_TYPES), "xml")
    path = tmp_path / "signed.mobileconfig"
    path.write_bytes(sign_profile(inner))
    loaded = read_plist_file(path)
    assert loaded.source_format == "xml"
    assert_same(loaded.root, ALL_TYPES)
    assert loaded.signature is not None
    assert loaded.signature.signer is not None
    assert SIGNER_CN in loaded.signature.signer.subject
    assert loaded.signature.signer.subject == loaded.signature.signer.issuer  # self-signed
    assert loaded.signature.digest_algorithm == "sha256"
    assert loaded.signature.der == path.read_bytes()
    assert len(loaded.signature.certificates) == 1


def test_cms_signed_binary_profile() -> None:
    inner = serialize_plist(dict(ALL_TYPES), "binary")
    profile = Profile.parse(sign_profile(inner), "signed-binary.mobileconfig")
    assert profile.source_format == "binary"
    assert profile.signature is not None
    assert_same(profile.root, ALL_TYPES)


def test_signed_profile_resaved_unsigned_keeps_content(tmp_path: Path) -> None:
    profile = Profile.parse(sign_profile(serialize_plist(dict(ALL_TYPES))), "s")
    target = tmp_path / "out.mobileconfig"
    profile.save(target)
    again = Profile.read(target)
    assert again.signature is None
    assert_same(again.root, ALL_TYPES)


# --- fidelity -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xml", "binary"])
def test_round_trip_keeps_types_order_and_unknown_keys(fmt: PlistFormat, tmp_path: Path) -> None:
    path = tmp_path / f"p.{fmt}"
    Profile(dict(ALL_TYPES)).save(path, fmt)
    again = Profile.read(path)
    assert again.source_format == fmt
    assert list(again.root) == list(ALL_TYPES)
    assert list(again.root["Unknown.Vendor.Key"]) == ["b", "a", "Ünïcode ключ"]
    for key, value in ALL_TYPES.items():
        assert plist_type_of(again.root[key]) == plist_type_of(value), key
    assert again.root["Bool"] is True
    assert type(again.root["Int"]) is int
    assert type(again.root["Real"]) is float
    assert type(again.root["Data"]) is bytes
    assert_same(again.root, ALL_TYPES)


def test_same_plist_value_tells_types_apart() -> None:
    # The comparison the fidelity tests rely on must itself be strict.
    assert not same_plist_value({"a": True}, {"a": 1})
    assert not same_plist_value({"a": 1}, {"a": 1.0})
    assert not same_plist_value({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not same_plist_value({"a": b"x"}, {"a": "x"})


@pytest.mark.parametrize("fmt", ["xml", "binary"])
def test_carriage_returns_survive(fmt: PlistFormat) -> None:
    root = {"Config\r": "line one\r\nline two\rend", "List": ["\r"]}
    assert_same(parse_plist_bytes(serialize_plist(root, fmt)).root, root)


def test_xml_noncharacters_are_refused_on_write() -> None:
    root = {"Name": "bad \uffff text"}
    with pytest.raises(ValueError, match="XML"):
        serialize_plist(root, "xml")
    assert_same(parse_plist_bytes(serialize_plist(root, "binary")).root, root)


@pytest.mark.parametrize("fmt", ["xml", "binary"])
@pytest.mark.parametrize(
    "root",
    [
        pytest.param({"a": 2**64}, id="int-too-big"),
        pytest.param({"a": -(2**63) - 1}, id="int-too-small"),
        pytest.param({"a": None}, id="none"),
        pytest.param({"a": [{"b": None}]}, id="nested-none"),
        pytest.param({1: "x"}, id="int-key"),
        pytest.param({"a": object()}, id="object"),
    ],
)
def test_unserializable_values_raise_value_error(fmt: PlistFormat, root: dict[Any, Any]) -> None:
    with pytest.raises(ValueError):
        serialize_plist(root, fmt)


def test_binary_null_is_refused_on_read() -> None:
    data = plistlib.dumps({"a": None}, fmt=plistlib.FMT_BINARY)
    with pytest.raises(ProfileReadError, match="null"):
        parse_plist_bytes(data, "null.plist")


def test_serialize_does_not_change_the_tree() -> None:
    root = {"a": "x\ry", "b": ["\r"]}
    serialize_plist(root, "xml")
    assert root == {"a": "x\ry", "b": ["\r"]}


# --- atomic saves ------------------------------------------------------------------------


def _dir_listing(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir())


def test_save_creates_file_with_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "new.mobileconfig"
    Profile.new().save(target)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert _dir_listing(tmp_path) == ["new.mobileconfig"]


def test_save_keeps_existing_permissions(tmp_path: Path) -> None:
    target = tmp_path / "p.mobileconfig"
    target.write_bytes(b"old")
    target.chmod(0o640)
    Profile.new().save(target, "binary")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert Profile.read(target).source_format == "binary"
    assert _dir_listing(tmp_path) == ["p.mobileconfig"]


def test_failed_replace_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "p.mobileconfig"
    Profile(dict(ALL_TYPES)).save(target)
    before = target.read_bytes()

    def failing_replace(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    profile = Profile.new()
    with pytest.raises(ProfileWriteError) as info:
        profile.save(target)
    assert str(target) in str(info.value)
    assert "No space left" in str(info.value)
    assert target.read_bytes() == before
    assert _dir_listing(tmp_path) == ["p.mobileconfig"]


def test_failed_write_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "p.mobileconfig"
    target.write_bytes(b"original bytes")

    def failing_fsync(_fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(ProfileWriteError):
        write_atomic(target, b"new bytes")
    assert target.read_bytes() == b"original bytes"
    assert _dir_listing(tmp_path) == ["p.mobileconfig"]


@pytest.mark.parametrize("fmt", ["xml", "binary"])
def test_unserializable_profile_leaves_old_file(tmp_path: Path, fmt: PlistFormat) -> None:
    target = tmp_path / "p.mobileconfig"
    target.write_bytes(b"original bytes")
    target.chmod(0o600)
    profile = Profile.new()
    profile.root["Huge"] = 2**64 + 5
    with pytest.raises(ValueError):
        profile.save(target, fmt)
    assert target.read_bytes() == b"original bytes"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _dir_listing(tmp_path) == ["p.mobileconfig"]


def test_save_into_missing_folder_is_a_write_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileWriteError) as info:
        Profile.new().save(tmp_path / "missing" / "p.mobileconfig")
    assert "missing" in str(info.value)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores modes")
def test_read_only_folder_is_a_write_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "p.mobileconfig"
    target.write_bytes(b"original")
    folder.chmod(0o500)
    try:
        with pytest.raises(ProfileWriteError):
            Profile.new().save(target)
        assert target.read_bytes() == b"original"
        assert _dir_listing(folder) == ["p.mobileconfig"]
    finally:
        folder.chmod(0o700)


def test_save_relative_path_in_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Profile.new().save("here.mobileconfig")
    assert Profile.read("here.mobileconfig").root["PayloadType"] == "Configuration"


# --- file access errors ----------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.mobileconfig"
    with pytest.raises(ProfileReadError) as info:
        read_plist_file(path)
    assert str(path) in str(info.value)
    assert "no such file" in str(info.value)


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileReadError, match="folder"):
        read_plist_file(tmp_path)


def test_negative_zero_survives_binary() -> None:
    # plistlib's binary writer shares equal objects, and -0.0 == 0.0
    root = {"a": 0.0, "b": -0.0}
    again = plistlib.loads(serialize_plist(root, "binary"))
    assert math.copysign(1.0, again["a"]) == 1.0
    assert math.copysign(1.0, again["b"]) == -1.0


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (IsADirectoryError(21, "Is a directory"), "this is a folder, not a file"),
        (FileNotFoundError(2, "No such file or directory"), "no such file"),
        (PermissionError(13, "Permission denied"), "permission denied"),
        (OSError(5, "Input/output error"), "Input/output error"),
    ],
)
def test_every_reader_words_an_unreadable_file_alike(error: OSError, reason: str) -> None:
    from editor.core.plistio import unreadable_reason

    assert unreadable_reason(error) == reason
    if isinstance(error, IsADirectoryError):
        assert unreadable_reason(error, "key file") == "this is a folder, not a key file"
