"""Property tests: any plist tree survives serialize -> parse; no input crashes the reader."""

from __future__ import annotations

import copy
import datetime
import functools
import string
from typing import Any

import pytest
from helpers.cms import sign_profile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.core.model import Profile
from editor.core.platforms import Target
from editor.core.plistio import PlistFormat, ProfileReadError, parse_plist_bytes, serialize_plist
from editor.core.plisttypes import same_plist_value
from editor.core.schema import Schema
from editor.core.schema_loader import load_schema
from editor.core.validation.context import Options
from editor.core.validation.engine import validate_profile

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# XML 1.0 cannot hold C0 controls other than tab, line feed and carriage return, nor
# U+FFFE / U+FFFF. Everything else, including CR, non-BMP characters and XML's own
# special characters, must survive.
XML_ILLEGAL = "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)) + "\ufffe\uffff"
characters = st.characters(codec="utf-8", exclude_characters=XML_ILLEGAL)
text = st.one_of(
    st.text(characters, max_size=20),
    st.text(st.sampled_from("<>&'\"]\r\n\t ;#x"), max_size=10),  # markup-like text
    st.sampled_from(["", " ", "\r\n", "]]>", "&amp;", "<!--", "  padded  "]),
)
keys = text
integers = st.integers(min_value=-(2**63), max_value=2**63 - 1)
reals = st.floats(allow_nan=False, allow_infinity=True)
dates = st.datetimes(
    min_value=datetime.datetime(1, 1, 1), max_value=datetime.datetime(9999, 12, 31, 23, 59, 59)
).map(lambda d: d.replace(microsecond=0))
scalars = st.one_of(text, integers, reals, st.booleans(), st.binary(max_size=40), dates)


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(keys, children, max_size=5),
    )


values = st.recursive(scalars, containers, max_leaves=25)
roots = st.dictionaries(keys, values, max_size=8)


def assert_same(left: Any, right: Any) -> None:
    assert same_plist_value(left, right), f"{left!r}\n!=\n{right!r}"


@pytest.mark.parametrize("fmt", ["xml", "binary"])
@SETTINGS
@given(root=roots)
def test_serialize_parse_round_trip(fmt: PlistFormat, root: dict[str, Any]) -> None:
    data = serialize_plist(root, fmt)
    loaded = parse_plist_bytes(data, "generated")
    assert loaded.source_format == fmt
    assert_same(loaded.root, root)
    # Saving again gives the same bytes: nothing drifts from one save to the next.
    assert serialize_plist(loaded.root, fmt) == data


@SETTINGS
@given(root=roots)
def test_xml_to_binary_to_xml(root: dict[str, Any]) -> None:
    xml = serialize_plist(root, "xml")
    binary = serialize_plist(parse_plist_bytes(xml).root, "binary")
    assert serialize_plist(parse_plist_bytes(binary).root, "xml") == xml


@settings(max_examples=25, deadline=None)
@given(root=roots, fmt=st.sampled_from(["xml", "binary"]))
def test_signed_round_trip(root: dict[str, Any], fmt: PlistFormat) -> None:
    loaded = parse_plist_bytes(sign_profile(serialize_plist(root, fmt)), "signed")
    assert loaded.signature is not None
    assert_same(loaded.root, root)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        Profile.parse(data, "random.bin")
    except ProfileReadError as exc:
        assert str(exc).startswith("random.bin: ")
        assert "\n" not in str(exc)


xml_pieces = st.sampled_from(
    [
        "<plist>",
        "</plist>",
        "<dict>",
        "</dict>",
        "<array>",
        "</array>",
        "<key>k</key>",
        "<key>k</key>",
        "<string>s</string>",
        "<integer>1</integer>",
        "<real>1.5</real>",
        "<true/>",
        "<false/>",
        "<data>AA==</data>",
        "<date>2020-01-01T00:00:00Z</date>",
        "<integer>x</integer>",
        "<data>!</data>",
        "<dict/>",
        "<array/>",
        "<!-- c -->",
        "<![CDATA[x]]>",
        "&amp;",
        "&bogus;",
        "<",
        ">",
        "text",
        "<key>",
        "</key>",
        "<string>",
    ]
)


@SETTINGS
@given(pieces=st.lists(xml_pieces, max_size=30))
def test_plist_like_xml_never_crashes(pieces: list[str]) -> None:
    data = ('<?xml version="1.0" encoding="UTF-8"?>' + "".join(pieces)).encode()
    try:
        profile = Profile.parse(data, "pieces.xml")
    except ProfileReadError:
        return
    assert isinstance(profile.root, dict)


# --- validation never crashes, whatever value sits at a known key ------------------------------


def _put(payload: dict[str, Any], path: str, value: Any) -> None:
    """Put value at a schema path such as 'IKEv2/OnDemandRules[]/Action'."""
    node: Any = payload
    parts = path.split("/")
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        name, arrays = part.rstrip("[]"), part.count("[]")
        if last and not arrays:
            node[name] = value
            return
        child = node.get(name)
        for _ in range(arrays):
            if not isinstance(child, list) or not child:
                child = [{}]
                node[name] = child
            node, name, child = child, 0, child[0]  # type: ignore[assignment]
        if last:
            node[name] = value
            return
        if not isinstance(child, dict):
            child = {}
            node[name] = child
        node = child


def test_put_builds_nested_paths() -> None:
    payload: dict[str, Any] = {}
    _put(payload, "IKEv2/OnDemandRules[]/Action", "Connect")
    _put(payload, "IKEv2/RemoteAddress", "vpn.example.com")
    _put(payload, "IKEv2/OnDemandRules[]/SSIDMatch", ["Home"])
    assert payload == {
        "IKEv2": {
            "OnDemandRules": [{"Action": "Connect", "SSIDMatch": ["Home"]}],
            "RemoteAddress": "vpn.example.com",
        }
    }


@functools.cache
def _schema() -> Schema:
    return load_schema()


VPN_TYPES = st.sampled_from(
    ["IKEv2", "IPSec", "L2TP", "PPTP", "VPN", "AlwaysOn", "TransparentProxy", "Bogus"]
)
PAYLOAD_TYPES = [
    "com.apple.vpn.managed",
    "com.apple.vpn.managed.applayer",
    "com.apple.vpn.managed.appmapping",
    "com.apple.security.pkcs12",
    "com.apple.security.root",
]
# values that match typical schema types, plus ones that do not
key_values = st.one_of(
    values,
    st.sampled_from(
        [
            "Certificate",
            "SharedSecret",
            "None",
            "Connect",
            "Disconnect",
            "EvaluateConnection",
            "IKEv2",
            "ECDSA256",
            "RSA",
            "SHA2-256",
            "AES-256-GCM",
            "WiFi",
            "$EMAIL",
            "",
            "0",
        ]
    ),
    st.integers(-5, 40),
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,  # the schema data changes between runs; saved examples would not replay
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(PAYLOAD_TYPES),
    vpn_type=VPN_TYPES,
    # Indexes, not sampled_from(paths): what is drawn must not depend on the schema's size.
    settings_=st.lists(st.tuples(st.integers(0, 10_000), key_values), max_size=10),
    other_payload=values,
    target=st.sampled_from(["", "ios:12", "macos:14", "watchos:10", "tvos:17"]),
)
def test_validation_never_crashes(
    kind: str,
    vpn_type: str,
    settings_: list[tuple[int, Any]],
    other_payload: Any,
    target: str,
) -> None:
    schema = _schema()  # not the fixture: hypothesis would print its huge repr on failure
    paths = [spec.path for spec in schema.payload(kind).walk() if spec.name]  # type: ignore[union-attr]
    payload: dict[str, Any] = {
        "PayloadType": kind,
        "PayloadIdentifier": "com.example.p",
        "PayloadUUID": "6F1E7C0A-2B7D-4E59-9C1B-3F7B2C1D4E5F",
        "PayloadVersion": 1,
        "VPNType": vpn_type,
    }
    for index, value in copy.deepcopy(settings_):  # never mutate what hypothesis drew
        _put(payload, paths[index % len(paths)], value)
    root = {
        "PayloadContent": [payload, copy.deepcopy(other_payload)],
        "PayloadIdentifier": "com.example",
        "PayloadType": "Configuration",
        "PayloadUUID": "9D3C2B1A-0F9E-4D8C-B7A6-958473625140",
        "PayloadVersion": 1,
    }
    options = Options(targets=(Target.parse(target),) if target else ())
    problems = validate_profile(Profile(root), schema, options)
    for problem in problems:
        assert problem.message
        problem.as_json()


def test_alphabet_excludes_only_what_xml_cannot_hold() -> None:
    # Guard against over-restricting the generated text.
    assert "\r" not in XML_ILLEGAL and "\t" not in XML_ILLEGAL and "\n" not in XML_ILLEGAL
    assert not set(string.printable) - set(string.whitespace) & set(XML_ILLEGAL)


# --- the quick IPv4 test agrees with ipaddress -----------------------------------------


def _ip_by_ipaddress(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


@given(
    st.one_of(
        st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=6).map(
            lambda parts: ".".join(map(str, parts))
        ),
        st.lists(
            st.sampled_from(["0", "00", "01", "1", "9", "10", "099", "255", "256", "249"]),
            min_size=4,
            max_size=4,
        ).map(".".join),
        st.text(alphabet="0123456789.:%abcdef \n", max_size=20),
    )
)
def test_is_ip_agrees_with_ipaddress(text: str) -> None:
    from editor.core.formats import is_ip

    assert is_ip(text) == _ip_by_ipaddress(text), text


@given(
    st.one_of(
        st.uuids().map(str),
        st.uuids().map(lambda u: "{" + str(u) + "}"),
        st.uuids().map(lambda u: "urn:uuid:" + u.hex),
        st.text(alphabet="0123456789abcdefABCDEF-{}:urnid_ +", max_size=45),
    )
)
def test_uuid_spellings_are_read_as_the_uuid_module_reads_them(text: str) -> None:
    import uuid

    from editor.core.formats import check_format

    try:
        uuid.UUID(text)
        expected = True
    except ValueError:
        expected = False
    assert (check_format("uuid", text) is None) == expected, text
