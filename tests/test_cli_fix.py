"""`vpn-profile fix` and `vpn-profile export-payload`: every fix through the command line,
the JSON contract, exit codes, signed files and fragments."""

from __future__ import annotations

import copy
import json
import plistlib
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.cms import sign_profile
from helpers.fix_cases import CASES, openssl3_identity, set_at, standard
from helpers.profiles import (
    IKEV2_PAYLOAD,
    ROOT_PAYLOAD,
)

from editor.core.model import Profile


def _problems(path: Path) -> set[tuple[str, str]]:
    code, out, _err = run_cli("validate", str(path), "--format", "json")
    assert code in (0, 1)
    return {(p["code"], p["path"]) for p in json.loads(out)["files"][0]["problems"]}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_fix_through_the_command_line(tmp_path: Path, case: Any) -> None:
    _id, changes, code, path, extra, check = case
    root = standard()
    for where, value in changes:
        set_at(root, where, copy.deepcopy(value))
    target = tmp_path / "p.mobileconfig"
    target.write_bytes(plistlib.dumps(root))
    assert (code, path) in _problems(target)
    status, out, _err = run_cli("fix", str(target), "--format", "json", *extra)
    document = json.loads(out)
    entry = document["files"][0]
    assert entry["file"] == str(target) and entry["output"] == str(target)
    assert [f for f in entry["fixed"] if f["code"] == code and f["path"].startswith(path)]
    for fixed in entry["fixed"]:
        assert set(fixed) == {"code", "path", "before", "after", "description"}
    for remaining in entry["remaining"]:
        assert set(remaining) == {"severity", "code", "path", "message"}
    assert status == (1 if any(r["severity"] == "error" for r in entry["remaining"]) else 0)
    assert check(plistlib.loads(target.read_bytes()))
    assert (code, path) not in _problems(target)


def test_text_output_is_one_line_per_change(tmp_path: Path) -> None:
    root = standard()
    root["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] = True
    del root["PayloadContent"][1]["PayloadVersion"]
    target = tmp_path / "p.mobileconfig"
    target.write_bytes(plistlib.dumps(root))
    status, out, _err = run_cli("fix", str(target))
    assert status == 0
    lines = sorted(out.splitlines())
    assert lines == [
        f"{target}: PayloadContent/0/IKEv2/DisableMOBIKE: true -> 1 (Write 1 as an integer)",
        f"{target}: PayloadContent/1/PayloadVersion: (none) -> 1 (Add PayloadVersion 1)",
    ]


def test_dry_run_writes_nothing_and_output_writes_elsewhere(tmp_path: Path) -> None:
    root = standard()
    root["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] = True
    source = tmp_path / "p.mobileconfig"
    source.write_bytes(plistlib.dumps(root))
    before = source.read_bytes()
    status, out, _err = run_cli("fix", str(source), "--dry-run", "--format", "json")
    assert status == 0 and source.read_bytes() == before
    entry = json.loads(out)["files"][0]
    assert entry["output"] is None and len(entry["fixed"]) == 1
    target = tmp_path / "fixed.mobileconfig"
    status, out, _err = run_cli("fix", str(source), "-o", str(target), "--format", "json")
    assert status == 0 and source.read_bytes() == before
    assert json.loads(out)["files"][0]["output"] == str(target)
    assert plistlib.loads(target.read_bytes())["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] == 1


def test_code_option_limits_the_fixes(tmp_path: Path) -> None:
    root = standard()
    root["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] = True
    del root["PayloadContent"][1]["PayloadVersion"]
    target = tmp_path / "p.mobileconfig"
    target.write_bytes(plistlib.dumps(root))
    status, out, _err = run_cli("fix", str(target), "--code", "type-coercion", "--format", "json")
    entry = json.loads(out)["files"][0]
    assert [f["code"] for f in entry["fixed"]] == ["type-coercion"]
    assert status == 1  # PayloadVersion is still missing: an error without a fix applied
    assert "PayloadVersion" not in plistlib.loads(target.read_bytes())["PayloadContent"][1]


def test_errors_without_a_fix_give_exit_1(tmp_path: Path) -> None:
    root = standard()
    del root["PayloadContent"][0]["IKEv2"]["RemoteAddress"]
    target = tmp_path / "p.mobileconfig"
    target.write_bytes(plistlib.dumps(root))
    before = target.read_bytes()
    status, out, _err = run_cli("fix", str(target))
    assert status == 1
    assert "error: PayloadContent/0/IKEv2/RemoteAddress" in out
    assert target.read_bytes() == before  # nothing to fix: not rewritten


def test_unreadable_file_gives_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mobileconfig"
    bad.write_text("<plist><dict><key>a</key></plist>")
    status, out, err = run_cli("fix", str(bad), "--format", "json")
    assert status == 2
    assert str(bad) in err
    assert json.loads(out)["files"][0] == {
        "file": str(bad),
        "output": None,
        "fixed": [],
        "remaining": [],
    }
    assert run_cli("fix", str(tmp_path / "missing.mobileconfig"))[0] == 2


def test_a_fix_that_needs_a_choice_is_left_out_and_said(tmp_path: Path) -> None:
    root = standard()
    root["PayloadContent"][0]["IKEv2"].update(
        OnDemandEnabled=1, OnDemandRules=[{"Action": "Connect", "InterfaceTypeMatch": "WiFi"}]
    )
    target = tmp_path / "p.mobileconfig"
    target.write_bytes(plistlib.dumps(root))
    before = target.read_bytes()
    status, out, err = run_cli("fix", str(target))
    assert status == 0 and target.read_bytes() == before  # nothing was changed
    assert "->" not in out
    assert "OnDemandRules: not fixed: needs the action" in err
    assert "--on-demand-action" in err


def test_pkcs12_passphrase_from_a_file(tmp_path: Path) -> None:
    root = standard()
    root["PayloadContent"][1]["PayloadContent"] = openssl3_identity()
    target = tmp_path / "p.mobileconfig"
    target.write_bytes(plistlib.dumps(root))
    status, _out, err = run_cli("fix", str(target))
    assert "--passphrase-file" in err
    assert plistlib.loads(target.read_bytes())["PayloadContent"][1]["PayloadContent"] == (
        root["PayloadContent"][1]["PayloadContent"]
    )
    secret = tmp_path / "pass.txt"
    secret.write_text("pw1234\n")
    status, out, err = run_cli("fix", str(target), "--passphrase-file", str(secret))
    assert status == 0, err
    assert "PayloadContent/1/PayloadContent" in out
    assert ("pkcs12", "PayloadContent/1/PayloadContent") not in _problems(target)


def test_signed_file_is_kept_and_the_fixed_copy_is_said_to_be_unsigned(tmp_path: Path) -> None:
    root = standard()
    root["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] = True
    signed = tmp_path / "signed.mobileconfig"
    signed.write_bytes(sign_profile(plistlib.dumps(root)))
    before = signed.read_bytes()
    status, out, err = run_cli("fix", str(signed), "--format", "json")
    assert signed.read_bytes() == before
    assert "signed" in err and "-o OUT" in err
    entry = json.loads(out)["files"][0]
    assert entry["output"] is None and entry["fixed"]
    assert any(r["code"] == "type-coercion" for r in entry["remaining"])  # still in the file
    target = tmp_path / "fixed.mobileconfig"
    status, out, err = run_cli("fix", str(signed), "-o", str(target))
    assert status == 0
    assert "not signed" in err and "sign it again" in err
    fixed = Profile.read(target)
    assert fixed.signature is None
    assert fixed.payloads[0]["IKEv2"]["DisableMOBIKE"] == 1


def test_signed_file_without_changes_is_copied_as_it_is(tmp_path: Path) -> None:
    signed = tmp_path / "signed.mobileconfig"
    signed.write_bytes(sign_profile(plistlib.dumps(standard())))
    target = tmp_path / "copy.mobileconfig"
    assert run_cli("fix", str(signed), "-o", str(target))[0] == 0
    assert target.read_bytes() == signed.read_bytes()


def test_binary_stays_binary(tmp_path: Path) -> None:
    root = standard()
    root["PayloadContent"][0]["IKEv2"]["DisableMOBIKE"] = True
    target = tmp_path / "p.mobileconfig"
    target.write_bytes(plistlib.dumps(root, fmt=plistlib.FMT_BINARY))
    assert run_cli("fix", str(target))[0] == 0
    assert target.read_bytes().startswith(b"bplist00")


def test_output_with_several_files_is_refused(tmp_path: Path) -> None:
    status, _out, err = run_cli("fix", "a", "b", "-o", str(tmp_path / "c"))
    assert status == 2 and "one FILE" in err


def test_bare_payload_is_wrapped(tmp_path: Path) -> None:
    target = tmp_path / "fragment.xml"
    target.write_bytes(plistlib.dumps(copy.deepcopy(IKEV2_PAYLOAD)))
    status, out, _err = run_cli("fix", str(target), "--format", "json")
    # the identity it names is not in the file: an error no fix can mend
    remaining = json.loads(out)["files"][0]["remaining"]
    assert status == 1
    assert {r["code"] for r in remaining if r["severity"] == "error"} == {"dangling-reference"}
    root = plistlib.loads(target.read_bytes())
    assert root["PayloadType"] == "Configuration"
    assert root["PayloadContent"][0]["IKEv2"] == IKEV2_PAYLOAD["IKEv2"]
    assert any(f["description"].startswith("Wrap") for f in json.loads(out)["files"][0]["fixed"])


# --- export-payload -----------------------------------------------------------------------


def test_export_payload_by_number_and_uuid(tmp_path: Path) -> None:
    source = tmp_path / "p.mobileconfig"
    source.write_bytes(plistlib.dumps(standard()))
    status, out, _err = run_cli("export-payload", str(source), "--payload", "1")
    assert status == 0
    assert out.startswith("<dict>\n") and out.endswith("</dict>\n")
    assert "<?xml" not in out and "<plist" not in out
    wrapped = (
        '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0">' + out + "</plist>"
    ).encode()
    assert plistlib.loads(wrapped) == IKEV2_PAYLOAD
    target = tmp_path / "ca.xml"
    uuid = ROOT_PAYLOAD["PayloadUUID"].lower()
    assert run_cli("export-payload", str(source), "--payload", uuid, "-o", str(target))[0] == 0
    assert Profile.read(target).root == ROOT_PAYLOAD


def test_key_written_twice_is_written_once(tmp_path: Path) -> None:
    text = plistlib.dumps(standard()).decode()
    marker = "<key>PayloadDisplayName</key>\n\t<string>Example</string>"
    target = tmp_path / "twice.mobileconfig"
    target.write_text(
        text.replace(marker, marker + "\n\t<key>PayloadDisplayName</key>\n\t<string>Later</string>")
    )
    status, out, _err = run_cli("fix", str(target), "--format", "json")
    assert status == 0
    entry = json.loads(out)["files"][0]
    assert [(f["code"], f["path"], f["before"], f["after"]) for f in entry["fixed"]] == [
        ("duplicate-key", "PayloadDisplayName", '"Example"', '"Later"')
    ]
    assert "duplicate-key" not in {r["code"] for r in entry["remaining"]}
    assert target.read_text().count("<key>PayloadDisplayName</key>") == 1
    assert plistlib.loads(target.read_bytes())["PayloadDisplayName"] == "Later"


def test_show_names_a_fragment(tmp_path: Path) -> None:
    source = tmp_path / "p.mobileconfig"
    source.write_bytes(plistlib.dumps(standard()))
    target = tmp_path / "vpn.xml"
    assert run_cli("export-payload", str(source), "--payload", "1", "-o", str(target))[0] == 0
    status, out, _err = run_cli("show", str(target))
    assert status == 0
    assert "Fragment:    a bare VPN payload (com.apple.vpn.managed), not a profile" in out
    assert "Fragment:" not in run_cli("show", str(source))[1]


def test_export_payload_not_found(tmp_path: Path) -> None:
    source = tmp_path / "p.mobileconfig"
    source.write_bytes(plistlib.dumps(standard()))
    status, _out, err = run_cli("export-payload", str(source), "--payload", "4")
    assert status == 2 and "no payload 4" in err and str(source) in err
    status, _out, err = run_cli("export-payload", str(source), "--payload", "NOPE")
    assert status == 2 and "NOPE" in err
