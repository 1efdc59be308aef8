"""One recognizer of MDM variables for every vendor's syntax (editor/core/variables.py),
used by the engine's checks, the channels and the dialogs alike."""

from __future__ import annotations

import copy

import pytest
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile

from editor.core import channels
from editor.core.schema import Schema
from editor.core.validation.context import Options
from editor.core.validation.engine import validate_profile
from editor.core.validation.problems import Severity
from editor.core.variables import holds_variable, variables_of


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("$EMAIL", ["$EMAIL"]),  # Jamf Pro, Kandji
        ("$USERNAME", ["$USERNAME"]),
        ("$EXTENSIONATTRIBUTE_3", ["$EXTENSIONATTRIBUTE_3"]),
        ("$USERNAME@example.com", ["$USERNAME"]),
        ("vpn-$SERIAL_NUMBER.example.com", ["$SERIAL_NUMBER"]),
        ("$EMAIL$", ["$EMAIL$"]),  # Apple Configurator style: one token
        ("{{mail}}", ["{{mail}}"]),  # Intune
        ("{{ userprincipalname }}", ["{{ userprincipalname }}"]),
        ("{EmailAddress}", ["{EmailAddress}"]),  # Workspace ONE
        ("%Email%", ["%Email%"]),
        ("%custom_field.asset_tag%", ["%custom_field.asset_tag%"]),  # FileWave
        ("${uuid_0}", ["${uuid_0}"]),  # shell templates
        ("{{mail}} and $EMAIL", ["{{mail}}", "$EMAIL"]),
    ],
)
def test_every_vendor_syntax_is_recognized(text: str, tokens: list[str]) -> None:
    assert variables_of(text) == tokens
    assert holds_variable(text)


@pytest.mark.parametrize(
    "text",
    [
        "$",
        "$$",
        "100%",
        "50% of 100%",
        "$5",
        "US$100",
        "pa$$WORD",
        "abc$DEF",
        "$lower",
        "{}",
        "{{}}",
        "a {b c}",
        "vpn.example.com",
        "",
    ],
)
def test_what_is_not_a_variable(text: str) -> None:
    assert variables_of(text) == []
    assert not holds_variable(text)


def test_the_channels_use_the_same_patterns() -> None:
    from editor.core.variables import FORMS

    for syntax, pattern in channels.SYNTAXES.items():
        assert pattern is FORMS[syntax][0]
    jamf = channels.channel("jamf")
    assert jamf.tokens("$EMAIL@example.com") == ["$EMAIL"]
    assert jamf.tokens("pa$$WORD") == []


def _vpn(server: str) -> dict[str, object]:
    payload = copy.deepcopy(IKEV2_PAYLOAD)
    payload["IKEv2"]["RemoteAddress"] = server
    payload["IKEv2"]["RemoteIdentifier"] = server
    payload["DNS"] = {"DNSProtocol": "TLS", "ServerName": server}
    return payload


@pytest.mark.parametrize("server", ["$EMAIL", "{{mail}}", "%Email%", "{EmailAddress}"])
def test_the_engine_gives_no_error_for_a_variable_server(schema: Schema, server: str) -> None:
    profile = make_profile(_vpn(server), PKCS12_PAYLOAD)
    problems = validate_profile(profile, schema, Options())
    at_server = [p for p in problems if p.path[-1] in ("RemoteAddress", "ServerName")]
    assert [p for p in at_server if p.severity is not Severity.INFO] == []
    assert {p.code for p in at_server} == {"mdm-variable"}


def test_a_channel_fills_its_own_variables_and_warns_of_others(schema: Schema) -> None:
    profile = make_profile(_vpn("$USERNAME.vpn.example.com"), PKCS12_PAYLOAD)
    jamf = validate_profile(profile, schema, Options(channel="jamf"))
    remote = [p for p in jamf if p.path[-1] == "RemoteAddress"]
    # filled with its sample, then checked as the host it becomes: no error
    assert [p.severity for p in remote] == [Severity.INFO]
    # an e-mail address is no host name: checked as the device will see it
    profile = make_profile(_vpn("$EMAIL"), PKCS12_PAYLOAD)
    jamf = validate_profile(profile, schema, Options(channel="jamf"))
    [filled] = [p for p in jamf if p.path[-1] == "RemoteAddress" and p.code == "format-invalid"]
    assert filled.message.startswith(
        "Server address (RemoteAddress) with sample values 'alex@example.com' "
    )
    intune = validate_profile(profile, schema, Options(channel="intune"))
    remote = [p for p in intune if p.path[-1] == "RemoteAddress"]
    assert [(p.severity, p.code) for p in remote] == [(Severity.WARNING, "unknown-mdm-variable")]
    assert "Jamf Pro variable" in remote[0].message


def test_a_plain_bad_server_is_still_reported(schema: Schema) -> None:
    profile = make_profile(_vpn("100% wrong"), PKCS12_PAYLOAD)
    problems = validate_profile(profile, schema, Options())
    assert any(
        p.code == "format-invalid" and p.path[-1] == "RemoteAddress" for p in problems
    )
