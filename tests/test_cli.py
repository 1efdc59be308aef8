"""The `vpn-profile` command-line contract: exit codes and output shapes scripts rely on."""

from __future__ import annotations

import copy
import io
import json
import os
import plistlib
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.cms import SIGNER_CN, sign_profile
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD

from editor.cli.main import main
from editor.core.model import Profile
from editor.core.plistio import PlistFormat
from editor.core.plisttypes import same_plist_value

VENV_SCRIPT = Path(sys.executable).with_name("vpn-profile")

Run = Callable[..., tuple[int, str, str]]


def run_process(*argv: str) -> subprocess.CompletedProcess[str]:
    command = [str(VENV_SCRIPT)] if VENV_SCRIPT.exists() else [sys.executable, "-m", "editor.cli"]
    proc = subprocess.run(
        [*command, *argv], capture_output=True, text=True, timeout=60, check=False
    )
    assert "Traceback" not in proc.stderr
    return proc


@pytest.fixture
def good(tmp_path: Path, build: Callable[..., Profile]) -> Path:
    """A profile without errors: IKEv2 with certificate auth, its identity and CA."""
    path = tmp_path / "good.mobileconfig"
    build(IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD).save(path)
    return path


@pytest.fixture
def broken(tmp_path: Path, build: Callable[..., Profile]) -> Path:
    """A profile with a known error: IKEv2 without RemoteAddress."""
    payload = copy.deepcopy(IKEV2_PAYLOAD)
    del payload["IKEv2"]["RemoteAddress"]
    path = tmp_path / "broken.mobileconfig"
    build(payload, PKCS12_PAYLOAD, ROOT_PAYLOAD).save(path)
    return path


@pytest.fixture
def unreadable(tmp_path: Path) -> Path:
    path = tmp_path / "unreadable.mobileconfig"
    path.write_bytes(b"<?xml version='1.0'?><plist><dict><key>A</key><interger>1</interger>")
    return path


# --- validate ------------------------------------------------------------------------------------


def test_validate_clean_profile_exits_0(good: Path) -> None:
    code, out, err = run_cli("validate", str(good))
    assert code == 0, out + err
    assert " error: " not in out
    assert err == ""


def test_validate_strict_raises_coercions_to_errors(
    tmp_path: Path, build: Callable[..., Profile]
) -> None:
    """<true/> where Apple documents integer 0/1 installs: a warning (exit 0); --strict, for
    channels that check types exactly, makes it an error (exit 1). Same shapes otherwise."""
    payload = copy.deepcopy(IKEV2_PAYLOAD)
    payload["IKEv2"]["DisableMOBIKE"] = True
    path = tmp_path / "coerced.mobileconfig"
    build(payload, PKCS12_PAYLOAD, ROOT_PAYLOAD).save(path)
    code, out, _ = run_cli("validate", str(path))
    assert code == 0
    assert f"{path}: warning: PayloadContent/0/IKEv2/DisableMOBIKE: " in out
    code, out, _ = run_cli("validate", "--strict", str(path), "--format", "json")
    assert code == 1
    [problem] = [
        p for p in json.loads(out)["files"][0]["problems"] if p["code"] == "type-coercion"
    ]
    assert problem["severity"] == "error"
    assert set(problem) == {"severity", "code", "path", "message"}


def test_validate_reports_error_exits_1(broken: Path) -> None:
    code, out, err = run_cli("validate", str(broken))
    assert code == 1
    assert err == ""
    line = next(line for line in out.splitlines() if "RemoteAddress" in line)
    assert line.startswith(f"{broken}: error: PayloadContent/0/IKEv2/RemoteAddress: ")
    assert line.split(": ", 3)[3]  # a message


def test_validate_text_lines_have_four_fields(broken: Path) -> None:
    _, out, _ = run_cli("validate", str(broken))
    assert out.endswith("\n")
    for line in out.splitlines():
        file, severity, _path, message = line.split(": ", 3)
        assert file == str(broken)
        assert severity in ("error", "warning", "info")
        assert message and "\n" not in message


def test_validate_json_shape(broken: Path) -> None:
    code, out, err = run_cli("validate", "--format", "json", str(broken))
    assert code == 1
    assert err == ""
    document = json.loads(out)
    assert list(document) == ["files"]
    [entry] = document["files"]
    assert entry["file"] == str(broken)
    assert "error" not in entry
    for problem in entry["problems"]:
        assert set(problem) == {"severity", "code", "path", "message"}
        assert problem["severity"] in ("error", "warning", "info")
        assert all(isinstance(v, str) and v for k, v in problem.items() if k != "path")
    remote = [p for p in entry["problems"] if p["path"] == "PayloadContent/0/IKEv2/RemoteAddress"]
    assert remote and remote[0]["severity"] == "error"
    assert remote[0]["code"] == "required-missing"


def test_validate_json_and_text_agree(broken: Path) -> None:
    _, text, _ = run_cli("validate", str(broken))
    _, out, _ = run_cli("validate", "--format", "json", str(broken))
    problems = json.loads(out)["files"][0]["problems"]
    assert text.splitlines() == [
        f"{broken}: {p['severity']}: {p['path']}: {p['message']}" for p in problems
    ]


def test_validate_warnings_do_not_fail(tmp_path: Path, build: Callable[..., Profile]) -> None:
    payload = copy.deepcopy(IKEV2_PAYLOAD)
    payload["IKEv2"]["NewVendorKey"] = "x"  # unknown key: not an error
    path = tmp_path / "w.mobileconfig"
    build(payload, PKCS12_PAYLOAD, ROOT_PAYLOAD).save(path)
    code, out, _ = run_cli("validate", str(path))
    assert "NewVendorKey" in out
    assert code == 0


def test_validate_many_files(good: Path, broken: Path) -> None:
    code, out, _ = run_cli("validate", "--format", "json", str(good), str(broken))
    assert code == 1
    files = json.loads(out)["files"]
    assert [f["file"] for f in files] == [str(good), str(broken)]
    assert not [p for p in files[0]["problems"] if p["severity"] == "error"]


def test_validate_unreadable_file_exits_2(good: Path, broken: Path, unreadable: Path) -> None:
    code, out, err = run_cli("validate", str(good), str(unreadable), str(broken))
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"{unreadable}: ") and "interger" in err
    assert f"{broken}: error: " in out  # the other files are still checked


def test_validate_unreadable_json(unreadable: Path, good: Path) -> None:
    code, out, _ = run_cli("validate", "--format", "json", str(unreadable), str(good))
    assert code == 2
    files = json.loads(out)["files"]
    assert files[0]["file"] == str(unreadable)
    assert "interger" in files[0]["error"]
    assert files[0]["problems"] == []
    assert "error" not in files[1]


@pytest.mark.parametrize("name", ["missing.mobileconfig", ""])
def test_validate_missing_file(tmp_path: Path, name: str) -> None:
    target = tmp_path / name if name else tmp_path  # "" -> a folder
    code, out, err = run_cli("validate", str(target))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"{target}: ")


def test_validate_targets(tmp_path: Path, build: Callable[..., Profile]) -> None:
    payload = copy.deepcopy(IKEV2_PAYLOAD)
    payload["IKEv2"]["PPK"] = b"0123456789abcdef0123456789abcdef"
    payload["IKEv2"]["PPKIdentifier"] = "ppk-id"
    path = tmp_path / "ppk.mobileconfig"
    build(payload, PKCS12_PAYLOAD, ROOT_PAYLOAD).save(path)

    def ppk_problems(*targets: str) -> list[dict[str, str]]:
        args = [a for t in targets for a in ("--target", t)]
        _, out, _ = run_cli("validate", "--format", "json", *args, str(path))
        return [
            p
            for p in json.loads(out)["files"][0]["problems"]
            if p["path"] == "PayloadContent/0/IKEv2/PPK"
        ]

    assert not [p for p in ppk_problems("ios:18") if p["code"] == "too-new-for-target"]
    old = ppk_problems("ios:17")
    assert any(p["code"] == "too-new-for-target" and "18" in p["message"] for p in old)
    assert ppk_problems("ios:17", "macos:15")  # repeatable; iOS still complains
    assert not [p for p in ppk_problems("iOS") if p["code"] == "too-new-for-target"]


@pytest.mark.parametrize("target", ["bogus:1", "ios:abc", "ios:1.2.3.4", ":17"])
def test_validate_bad_target_exits_2(good: Path, target: str) -> None:
    code, out, err = run_cli("validate", "--target", target, str(good))
    assert code == 2
    assert out == ""
    assert "--target" in err


def test_validate_needs_a_file() -> None:
    code, _, err = run_cli("validate")
    assert code == 2
    assert "FILE" in err


# --- convert -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xml", "binary"])
def test_convert(good: Path, tmp_path: Path, fmt: PlistFormat) -> None:
    out_path = tmp_path / f"out.{fmt}"
    code, out, err = run_cli("convert", str(good), str(out_path), "--format", fmt)
    assert (code, out, err) == (0, "", "")
    converted = Profile.read(out_path)
    assert converted.source_format == fmt
    assert same_plist_value(converted.root, Profile.read(good).root)
    magic = out_path.read_bytes()[:8]
    assert (magic == b"bplist00") == (fmt == "binary")


def test_convert_default_is_xml(good: Path, tmp_path: Path) -> None:
    binary = tmp_path / "b.plist"
    run_cli("convert", str(good), str(binary), "--format", "binary")
    xml = tmp_path / "x.plist"
    assert run_cli("convert", str(binary), str(xml))[0] == 0
    assert xml.read_bytes().startswith(b"<?xml")


def test_convert_signed_input(tmp_path: Path, good: Path) -> None:
    signed = tmp_path / "signed.mobileconfig"
    signed.write_bytes(sign_profile(good.read_bytes()))
    out_path = tmp_path / "out.mobileconfig"
    code, _, err = run_cli("convert", str(signed), str(out_path))
    assert code == 0
    assert "not signed" in err
    assert same_plist_value(Profile.read(out_path).root, Profile.read(good).root)


def test_convert_in_place_keeps_mode(good: Path) -> None:
    good.chmod(0o604)
    assert run_cli("convert", str(good), str(good), "--format", "binary")[0] == 0
    assert good.read_bytes().startswith(b"bplist00")
    assert stat.S_IMODE(good.stat().st_mode) == 0o604


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_convert_unreadable_input_writes_nothing(unreadable: Path, tmp_path: Path) -> None:
    out_path = tmp_path / "out.mobileconfig"
    before = _listing(tmp_path)
    code, out, err = run_cli("convert", str(unreadable), str(out_path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"{unreadable}: ")
    assert not out_path.exists()
    assert _listing(tmp_path) == before


def test_convert_failure_leaves_existing_output_identical(unreadable: Path, tmp_path: Path) -> None:
    out_path = tmp_path / "out.mobileconfig"
    out_path.write_bytes(b"precious")
    code, _, _ = run_cli("convert", str(unreadable), str(out_path), "--format", "binary")
    assert code == 2
    assert out_path.read_bytes() == b"precious"


UNWRITABLE_AS_XML = [
    pytest.param({"A": plistlib.UID(1)}, id="uid"),  # keyed-archive UIDs exist only in binary
    pytest.param({"A": "bad \uffff text"}, id="xml-noncharacter"),
]


@pytest.mark.parametrize("root", UNWRITABLE_AS_XML)
def test_convert_unwritable_value_writes_nothing(tmp_path: Path, root: dict[str, Any]) -> None:
    source = tmp_path / "source.plist"
    source.write_bytes(plistlib.dumps(root, fmt=plistlib.FMT_BINARY))
    assert Profile.read(source).root == root
    out_path = tmp_path / "out.mobileconfig"
    out_path.write_bytes(b"precious")
    before = _listing(tmp_path)
    code, _, err = run_cli("convert", str(source), str(out_path), "--format", "xml")
    assert code == 2
    assert err.count("\n") == 1 and str(source) in err and "xml" in err
    assert out_path.read_bytes() == b"precious"
    assert _listing(tmp_path) == before
    code, _, err = run_cli("convert", str(source), str(tmp_path / "new.mobileconfig"))
    assert code == 2
    assert _listing(tmp_path) == before


def test_convert_binary_encoder_failure_writes_nothing(
    good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_dumps = plistlib.dumps

    def dumps(value: Any, **kwargs: Any) -> bytes:
        if kwargs.get("fmt") is plistlib.FMT_BINARY:
            raise OverflowError("int too big")
        return real_dumps(value, **kwargs)

    monkeypatch.setattr(plistlib, "dumps", dumps)
    out_path = tmp_path / "out.plist"
    code, _, err = run_cli("convert", str(good), str(out_path), "--format", "binary")
    assert code == 2
    assert err.count("\n") == 1 and str(good) in err
    assert not out_path.exists()


def test_convert_to_missing_folder(good: Path, tmp_path: Path) -> None:
    out_path = tmp_path / "nope" / "out.mobileconfig"
    code, _, err = run_cli("convert", str(good), str(out_path))
    assert code == 2
    assert err.count("\n") == 1 and str(out_path) in err
    assert not out_path.parent.exists()


def test_convert_onto_a_folder(good: Path, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    code, _, err = run_cli("convert", str(good), str(folder))
    assert code == 2
    assert err.count("\n") == 1 and str(folder) in err
    assert folder.is_dir() and _listing(folder) == []
    assert _listing(tmp_path) == sorted(["folder", good.name])


def test_convert_failing_replace_writes_nothing(
    good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_path = tmp_path / "out.mobileconfig"
    out_path.write_bytes(b"precious")

    def failing_replace(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    code, _, err = run_cli("convert", str(good), str(out_path))
    assert code == 2
    assert "No space left" in err and str(out_path) in err
    assert out_path.read_bytes() == b"precious"
    assert _listing(tmp_path) == sorted([good.name, "out.mobileconfig"])


def test_convert_bad_format_exits_2(good: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("convert", str(good), str(tmp_path / "o"), "--format", "yaml")
    assert code == 2
    assert "yaml" in err
    assert not (tmp_path / "o").exists()


# --- schema --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema_json() -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    assert main(["schema", "--format", "json"], out=out, err=err) == 0
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def _key(document: dict[str, Any], payload_type: str, path: str) -> dict[str, Any]:
    [payload] = [p for p in document["payloads"] if p["type"] == payload_type]
    matches = [k for k in payload["keys"] if k["path"] == path]
    assert len(matches) == 1, f"{payload_type} {path}: {len(matches)} entries"
    return matches[0]  # type: ignore[no-any-return]


def test_schema_json_shape(schema_json: dict[str, Any]) -> None:
    platforms = ["iOS", "iPadOS", "macOS", "tvOS", "visionOS", "watchOS"]
    types = {p["type"] for p in schema_json["payloads"]}
    assert {
        "Configuration",
        "com.apple.vpn.managed",
        "com.apple.vpn.managed.applayer",
        "com.apple.vpn.managed.appmapping",
        "com.apple.security.pkcs12",
        "com.apple.security.root",
    } <= types
    for payload in schema_json["payloads"]:
        assert payload["keys"]
        for key in payload["keys"]:
            assert isinstance(key["path"], str) and key["path"]
            assert not key["path"].startswith("/") and "//" not in key["path"]
            assert key["type"] in (
                "string",
                "integer",
                "real",
                "boolean",
                "date",
                "data",
                "array",
                "dictionary",
                "any",
            )
            assert list(key["availability"]) == platforms
            for version in key["availability"].values():
                assert version is None or (isinstance(version, str) and version[0].isdigit())


def test_schema_real_facts(schema_json: dict[str, Any]) -> None:
    vpn = "com.apple.vpn.managed"
    dh = _key(schema_json, vpn, "IKEv2/IKESecurityAssociationParameters/DiffieHellmanGroup")
    assert dh["type"] == "integer"
    action = _key(schema_json, vpn, "IKEv2/OnDemandRules[]/Action")
    assert action["type"] == "string"
    assert action["availability"]["iOS"] is not None
    rules = _key(schema_json, vpn, "IKEv2/OnDemandRules")
    assert rules["type"] == "array"
    ppk = _key(schema_json, vpn, "IKEv2/PPK")
    assert ppk["availability"]["iOS"] == "18.0"
    assert _key(schema_json, vpn, "VPNType")["type"] == "string"
    assert _key(schema_json, vpn, "IKEv2/RemoteAddress")["type"] == "string"


def test_schema_transparent_proxy_is_macos_only(schema_json: dict[str, Any]) -> None:
    [vpn] = [p for p in schema_json["payloads"] if p["type"] == "com.apple.vpn.managed"]
    proxy_keys = [k for k in vpn["keys"] if k["path"].split("/")[0] == "TransparentProxy"]
    assert len(proxy_keys) > 5
    for key in proxy_keys:
        assert key["availability"]["iOS"] is None, key["path"]
        assert key["availability"]["macOS"] == "14.0", key["path"]


def test_schema_configuration_keys(schema_json: dict[str, Any]) -> None:
    [config] = [p for p in schema_json["payloads"] if p["type"] == "Configuration"]
    paths = {k["path"] for k in config["keys"]}
    assert {"PayloadContent", "PayloadIdentifier", "PayloadUUID", "PayloadType"} <= paths
    assert _key(schema_json, "Configuration", "PayloadContent")["type"] == "array"


def test_schema_array_items_use_brackets(schema_json: dict[str, Any]) -> None:
    all_paths = [k["path"] for p in schema_json["payloads"] for k in p["keys"]]
    assert any("[]/" in path for path in all_paths)
    for path in all_paths:
        assert "/[]" not in path and not path.endswith("[]/")
        # every item path has its array listed too
        if "[]" in path:
            assert path.rsplit("[]", 1)[0] in all_paths


def test_schema_text(good: Path) -> None:
    code, out, err = run_cli("schema")
    assert code == 0 and err == ""
    assert "com.apple.vpn.managed" in out
    assert "IKEv2/OnDemandRules[]/Action" in out


# --- show ----------------------------------------------------------------------------------------


def test_show(good: Path) -> None:
    code, out, err = run_cli("show", str(good))
    assert code == 0 and err == ""
    assert "Payloads:    3" in out
    assert "com.apple.vpn.managed" in out
    assert "Example VPN" in out  # the VPN's UserDefinedName
    assert "IKEv2" in out
    assert "com.apple.security.pkcs12" in out
    assert "com.apple.security.root" in out
    assert "Signed by" not in out
    assert "Example" in out  # the profile's display name


def test_show_signed(good: Path, tmp_path: Path) -> None:
    signed = tmp_path / "signed.mobileconfig"
    signed.write_bytes(sign_profile(good.read_bytes()))
    code, out, _ = run_cli("show", str(signed))
    assert code == 0
    signer_line = next(line for line in out.splitlines() if line.startswith("Signed by:"))
    assert SIGNER_CN in signer_line
    assert "signed" in out.splitlines()[1]


def test_show_odd_payloads(tmp_path: Path) -> None:
    path = tmp_path / "odd.mobileconfig"
    Profile({"PayloadContent": [1, {"PayloadType": 3}, {}], "PayloadDisplayName": 5}).save(path)
    code, out, _ = run_cli("show", str(path))
    assert code == 0
    assert "Payloads:    3" in out
    assert "not a dictionary" in out


def test_show_missing(tmp_path: Path) -> None:
    code, out, err = run_cli("show", str(tmp_path / "nope.mobileconfig"))
    assert code == 2 and out == ""
    assert err == f"{tmp_path / 'nope.mobileconfig'}: no such file\n"


# --- failures in general -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bogus"],
        ["show"],
        ["convert", "only-one"],
        ["--bogus"],
        ["validate", "--format", "xml", "f"],
    ],
)
def test_usage_errors_exit_2_on_the_given_stream(argv: list[str]) -> None:
    code, out, err = run_cli(*argv)
    assert code == 2
    assert out == ""
    assert "error:" in err


def test_version_and_help_go_to_the_given_stream() -> None:
    code, out, _ = run_cli("--version")
    assert code == 0 and out.startswith("vpn-profile ")
    code, out, _ = run_cli("validate", "--help")
    assert code == 0 and "--target" in out


def test_unexpected_exception_is_one_line(good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from editor.core import model

    def explode(self: Profile, fmt: PlistFormat = "xml") -> bytes:
        raise RuntimeError("boom")

    monkeypatch.setattr(model.Profile, "to_bytes", explode)
    code, _, err = run_cli("convert", str(good), str(good.with_suffix(".out")))
    assert code == 2
    assert err.count("\n") == 1 and str(good) in err and "boom" in err


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", b"bplist00xx"],
)
@pytest.mark.parametrize("command", ["show", "validate", "convert"])
def test_unreadable_inputs_everywhere(tmp_path: Path, data: bytes, command: str) -> None:
    path = tmp_path / "bad.mobileconfig"
    path.write_bytes(data)
    argv = [command, str(path)]
    if command == "convert":
        argv.append(str(tmp_path / "out.mobileconfig"))
    code, out, err = run_cli(*argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"{path}: ")
    assert not (tmp_path / "out.mobileconfig").exists()


# --- as a real process ---------------------------------------------------------------------------


def test_process_validate(good: Path, broken: Path) -> None:
    assert run_process("validate", str(good)).returncode == 0
    proc = run_process("validate", "--format", "json", str(broken))
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["files"][0]["file"] == str(broken)


def test_process_unreadable(unreadable: Path) -> None:
    proc = run_process("show", str(unreadable))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"{unreadable}: ")


def test_process_convert(good: Path, tmp_path: Path) -> None:
    out_path = tmp_path / "out.bin"
    proc = run_process("convert", str(good), str(out_path), "--format", "binary")
    assert proc.returncode == 0, proc.stderr
    assert same_plist_value(Profile.read(out_path).root, Profile.read(good).root)


def test_process_module_entry_point(good: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "editor.cli", "show", str(good)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert "Payloads:    3" in proc.stdout


def test_process_schema_json() -> None:
    proc = run_process("schema", "--format", "json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["payloads"]


def test_process_broken_pipe(good: Path) -> None:
    # `vpn-profile schema | head -1` must not print a traceback.
    command = [str(VENV_SCRIPT)] if VENV_SCRIPT.exists() else [sys.executable, "-m", "editor.cli"]
    if shutil.which("head") is None:
        pytest.skip("needs head")
    proc = subprocess.run(
        f"{' '.join(command)} schema | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in proc.stderr
