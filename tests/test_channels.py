"""MDM deployment channels: which variables each recognizes (spelled as its vendor
documents them), the preview with sample values, unknown and foreign variables, and the
channel limits, in the core and through `--channel` on validate, fix and show."""

from __future__ import annotations

import copy
import json
import plistlib
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.cms import sign_profile
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, make_profile

from editor.core.channels import (
    CHANNEL_IDS,
    ChannelDataError,
    _load,
    channel,
    channels,
    preview,
)
from editor.core.model import Profile
from editor.core.schema import Schema
from editor.core.validation.context import Options
from editor.core.validation.engine import validate_profile
from editor.core.validation.problems import Problem

IK = ("PayloadContent", 0, "IKEv2")


def standard(**ikev2: Any) -> Profile:
    profile = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD)
    profile.payloads[0]["IKEv2"].update(ikev2)
    return profile


def at(problems: list[Problem], path: tuple[Any, ...]) -> list[tuple[str, str]]:
    return [(p.severity.value, p.code) for p in problems if p.path == path]


def check(profile: Profile, schema: Schema, chosen: str) -> list[Problem]:
    return validate_profile(profile, schema, Options(channel=chosen))


def test_the_channel_data_loads_with_sources() -> None:
    loaded = channels()
    assert tuple(c.id for c in loaded) == CHANNEL_IDS
    assert [c.title for c in loaded] == [
        "None",
        "Jamf Pro",
        "Microsoft Intune",
        "Workspace ONE",
        "Kandji",
        "Other MDM",
    ]
    for chosen in loaded:
        if chosen.fills_variables:
            assert chosen.sources and chosen.variables
    # spelled as each vendor writes them
    assert channel("jamf").sample("$EMAIL") is not None
    assert channel("jamf").sample("$EXTENSIONATTRIBUTE_12") is not None
    assert channel("intune").sample("{{mail}}") is not None
    assert channel("intune").sample("{{OnPremisesSamAccountName}}") is not None
    assert channel("intune").sample("{{Mail}}") is None
    assert channel("workspace-one").sample("{EmailAddress}") is not None
    assert channel("kandji").sample("$SERIAL_NUMBER") is not None
    assert channel("kandji").sample("$SERIALNUMBER") is None  # Jamf's spelling
    assert channel("intune").size_limit == 1_000_000


def test_damaged_channel_data_is_refused() -> None:
    good = json.loads(
        (Path(__file__).resolve().parent.parent / "resources/schema/channels.json").read_text()
    )
    bad = copy.deepcopy(good)
    bad["channels"][2]["variables"]["mail"] = "x"  # not in Intune's {{name}} form
    with pytest.raises(ChannelDataError, match="mail"):
        _load(bad)
    bad = copy.deepcopy(good)
    bad["channels"][1]["sources"] = []
    with pytest.raises(ChannelDataError, match="sources"):
        _load(bad)
    assert _load(good) == channels()


@pytest.mark.parametrize(
    ("chosen", "text", "filled"),
    [
        ("jamf", "$USERNAME", "alex"),
        ("intune", "{{partialupn}}", "alex"),
        ("workspace-one", "{EnrollmentUser}", "alex"),
        ("kandji", "$USERNAME_PREFIX", "alex"),
    ],
)
def test_each_channel_recognizes_and_previews_its_own_variables(
    schema: Schema, chosen: str, text: str, filled: str
) -> None:
    profile = standard(LocalIdentifier=f"{text}.example.com")
    problems = check(profile, schema, chosen)
    assert at(problems, (*IK, "LocalIdentifier")) == [("info", "mdm-variable")]
    note = next(p for p in problems if p.path == (*IK, "LocalIdentifier"))
    assert f"{filled}.example.com" in note.message
    assert preview(profile.root, channel(chosen))["PayloadContent"][0]["IKEv2"][
        "LocalIdentifier"
    ] == f"{filled}.example.com"


def test_the_filled_value_is_checked_as_the_device_sees_it(schema: Schema) -> None:
    """A variable in a field with a format check is no format error in itself; what the
    MDM puts there is checked: an e-mail address is no server host name."""
    fine = standard(RemoteAddress="vpn-{{serialnumberlast4digits}}.example.com")
    assert at(check(fine, schema, "intune"), (*IK, "RemoteAddress")) == [
        ("info", "mdm-variable")
    ]
    wrong = standard(RemoteAddress="{{mail}}")
    found = at(check(wrong, schema, "intune"), (*IK, "RemoteAddress"))
    assert ("warning", "format-invalid") in found or ("error", "format-invalid") in found
    # without a channel the variable is only noted, as before
    assert at(check(wrong, schema, "none"), (*IK, "RemoteAddress")) == [("info", "mdm-variable")]


def test_unknown_foreign_and_miscased_variables_are_warnings(schema: Schema) -> None:
    profile = standard(
        LocalIdentifier="{{Mail}}",  # Intune's tokens are case-sensitive
        RemoteIdentifier="$EMAIL",  # Jamf's form under Intune
        RemoteAddress="{{unknownthing}}.example.com",
    )
    problems = check(profile, schema, "intune")
    for key in ("LocalIdentifier", "RemoteIdentifier", "RemoteAddress"):
        assert at(problems, (*IK, key)) == [("warning", "unknown-mdm-variable")], key
    messages = {p.path[-1]: p.message for p in problems if p.code == "unknown-mdm-variable"}
    assert "write {{mail}}" in messages["LocalIdentifier"]
    assert "Jamf Pro variable" in messages["RemoteIdentifier"]
    assert "none of the variables Microsoft Intune documents" in messages["RemoteAddress"]
    jamf = check(standard(LocalIdentifier="$EMAIL_ADDRESS"), schema, "jamf")
    assert at(jamf, (*IK, "LocalIdentifier")) == [("warning", "unknown-mdm-variable")]
    # a template's ${name} is no Workspace ONE {Name}: named whole, not by its inner part
    one = check(standard(LocalIdentifier="${uuid_0}"), schema, "workspace-one")
    [warning] = [p for p in one if p.path == (*IK, "LocalIdentifier")]
    assert "{uuid_0} is none" not in warning.message and "{Name}" in warning.message


def test_workspace_one_takes_fragments(schema: Schema) -> None:
    fragment = Profile(copy.deepcopy(ROOT_PAYLOAD))
    assert at(check(fragment, schema, "none"), ("PayloadType",)) == [("error", "profile-type")]
    assert at(check(fragment, schema, "workspace-one"), ("PayloadType",)) == [
        ("info", "profile-type")
    ]


def test_intune_size_limit(schema: Schema) -> None:
    profile = standard()
    assert at(check(profile, schema, "intune"), ()) == []
    profile.root["PayloadDescription"] = "x" * 1_000_000
    assert at(check(profile, schema, "intune"), ()) == [("error", "channel-size")]
    assert at(check(profile, schema, "jamf"), ()) == []


def test_signed_profile_for_intune_is_warned(tmp_path: Path, schema: Schema) -> None:
    path = tmp_path / "signed.mobileconfig"
    path.write_bytes(sign_profile(standard().to_bytes()))
    signed = Profile.read(path)
    assert at(check(signed, schema, "intune"), ()) == [("warning", "channel-signature")]
    assert at(check(signed, schema, "none"), ()) == []


# --- the command line ------------------------------------------------------------------------


def _file(tmp_path: Path, profile: Profile) -> Path:
    path = tmp_path / "p.mobileconfig"
    path.write_bytes(profile.to_bytes())
    return path


def test_validate_channel_option(tmp_path: Path) -> None:
    path = _file(tmp_path, standard(LocalIdentifier="{{Mail}}"))
    _code, out, _err = run_cli("validate", str(path), "--format", "json", "--channel", "intune")
    codes = {p["code"] for p in json.loads(out)["files"][0]["problems"]}
    assert "unknown-mdm-variable" in codes
    _code, out, _err = run_cli("validate", str(path), "--format", "json")
    codes = {p["code"] for p in json.loads(out)["files"][0]["problems"]}
    assert "unknown-mdm-variable" not in codes and "mdm-variable" in codes
    status, _out, err = run_cli("validate", str(path), "--channel", "airwatch")
    assert status == 2 and "--channel" in err


def test_show_channel_lists_variables_with_their_preview(tmp_path: Path) -> None:
    path = _file(tmp_path, standard(LocalIdentifier="{{mail}}", RemoteIdentifier="{{Mail}}"))
    status, out, _err = run_cli("show", str(path), "--channel", "intune")
    assert status == 0
    assert "Channel:     Microsoft Intune" in out
    assert "PayloadContent/0/IKEv2/LocalIdentifier: {{mail}} -> 'alex@example.com' (sample)" in out
    assert "PayloadContent/0/IKEv2/RemoteIdentifier: {{Mail}} (not filled in)" in out


def test_fix_channel_option(tmp_path: Path) -> None:
    """With Workspace ONE a fragment is what is wanted: fix leaves it unwrapped and exits 0;
    without a channel, the wrap is applied."""
    path = tmp_path / "fragment.xml"
    path.write_bytes(plistlib.dumps(copy.deepcopy(ROOT_PAYLOAD)))
    status, out, _err = run_cli("fix", str(path), "--channel", "workspace-one")
    assert status == 0 and out == ""
    assert plistlib.loads(path.read_bytes())["PayloadType"] == ROOT_PAYLOAD["PayloadType"]
    status, out, _err = run_cli("fix", str(path), "--format", "json")
    assert status == 0
    assert plistlib.loads(path.read_bytes())["PayloadType"] == "Configuration"
