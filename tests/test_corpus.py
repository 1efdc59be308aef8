"""The real profiles in ../shared/corpus/vpn-profiles: read, round-trip, show, validate."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.profiles import CORPUS, corpus_files

from editor.core.model import Profile
from editor.core.plistio import PlistFormat, ProfileReadError
from editor.core.plisttypes import same_plist_value

SIGNED = "designdeveloperr-ikev2__ios.signed.mobileconfig"
FILES = corpus_files()
FILE_IDS = [path.name for path in FILES]


def manifest() -> dict[str, dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(newline="", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}


def malformed_names() -> set[str]:
    return {name for name, row in manifest().items() if "malformed" in row["notes"]}


def try_read(path: Path) -> Profile | None:
    try:
        return Profile.read(path)
    except ProfileReadError:
        return None


def test_corpus_is_complete(corpus_dir: Path) -> None:
    names = {path.name for path in corpus_dir.glob("*.mobileconfig")}
    assert names == set(manifest()), "MANIFEST.tsv and the folder disagree"
    assert len(names) == 32
    assert SIGNED in names
    assert len(malformed_names()) >= 5


@pytest.mark.parametrize("path", FILES, ids=FILE_IDS)
def test_loads_or_fails_cleanly(corpus_dir: Path, path: Path) -> None:
    try:
        profile = Profile.read(path)
    except ProfileReadError as exc:
        assert path.name in malformed_names(), f"a well-formed file failed: {exc}"
        assert str(exc).startswith(f"{path}: ")
        assert exc.reason
        assert "\n" not in str(exc)
        return
    assert isinstance(profile.root, dict)
    if "fragment" in path.name:  # a bare payload dictionary, read as the top level
        assert isinstance(profile.root.get("PayloadType"), str)
    else:
        assert profile.payloads, "every complete corpus profile has payloads"


def test_known_malformed_files_fail_for_the_documented_reason(corpus_dir: Path) -> None:
    reasons = {
        "euc-samples__iOS14-VPN.fragment.mobileconfig": "interger",
        "ovpnmcgen__README-typical-usage-output.mobileconfig": "base64",
        "onucb__Vpn.mobileconfig": "base64",
    }
    for name, reason in reasons.items():
        with pytest.raises(ProfileReadError, match=reason):
            Profile.read(corpus_dir / name)


def test_lenient_readings_are_noted(corpus_dir: Path) -> None:
    # fodorxyz has no XML declaration; the PerApp fragment has no <plist> wrapper.
    fodor = Profile.read(corpus_dir / "fodorxyz__ikev2.mobileconfig")
    assert any("declaration" in note for note in fodor.read_notes)
    aeron = Profile.read(corpus_dir / "aeron-ikev2-strongswan__profile-psk.mobileconfig")
    assert aeron.read_notes == []


def test_signed_file_is_unwrapped(corpus_dir: Path) -> None:
    signed = Profile.read(corpus_dir / SIGNED)
    assert signed.signature is not None
    assert signed.signature.signer is not None
    assert "Apple Distribution" in signed.signature.signer.subject
    assert "Apple Worldwide Developer Relations" in signed.signature.signer.issuer
    assert signed.payloads[0]["VPNType"] == "IKEv2"


def test_non_ascii_and_large_files(corpus_dir: Path) -> None:
    kyoto = Profile.read(corpus_dir / "kyotounivprofile__file.php.mobileconfig")
    assert any(not s.isascii() for s in json.dumps(kyoto.root, default=str, ensure_ascii=False))
    big = Profile.read(corpus_dir / "suprasensum__my_vpn.mobileconfig")
    assert len(big.payloads) >= 78


def test_unknown_keys_survive(corpus_dir: Path, tmp_path: Path) -> None:
    source = corpus_dir / "streisand__streisand-l2tp.mobileconfig"
    out = tmp_path / "out.mobileconfig"
    assert run_cli("convert", str(source), str(out))[0] == 0
    text = out.read_text(encoding="utf-8")
    assert "ikev2IKESADiffieHellmanGroup" in text
    assert "updated_at_xid" in text


@pytest.mark.parametrize("fmt", ["xml", "binary"])
@pytest.mark.parametrize("path", FILES, ids=FILE_IDS)
def test_convert_round_trip_is_lossless(
    corpus_dir: Path, tmp_path: Path, path: Path, fmt: PlistFormat
) -> None:
    original = try_read(path)
    out = tmp_path / f"out.{fmt}"
    code, stdout, stderr = run_cli("convert", str(path), str(out), "--format", fmt)
    assert "Traceback" not in stderr
    if original is None:
        assert code == 2
        assert not out.exists(), "nothing is written when the input cannot be read"
        assert stderr.count("\n") == 1 and str(path) in stderr
        return
    assert code == 0, stderr
    assert stdout == ""
    converted = Profile.read(out)
    assert converted.source_format == fmt
    assert converted.signature is None
    assert same_plist_value(original.root, converted.root)
    # and back again, into the other format
    back = tmp_path / "back.mobileconfig"
    other = "binary" if fmt == "xml" else "xml"
    assert run_cli("convert", str(out), str(back), "--format", other)[0] == 0
    assert same_plist_value(original.root, Profile.read(back).root)
    # converting a converted file changes nothing
    again = tmp_path / f"again.{fmt}"
    assert run_cli("convert", str(out), str(again), "--format", fmt)[0] == 0
    assert again.read_bytes() == out.read_bytes()


def test_signed_convert_says_the_output_is_unsigned(corpus_dir: Path, tmp_path: Path) -> None:
    code, _, stderr = run_cli("convert", str(corpus_dir / SIGNED), str(tmp_path / "o.mobileconfig"))
    assert code == 0
    assert "not signed" in stderr


@pytest.mark.parametrize("path", FILES, ids=FILE_IDS)
def test_show(corpus_dir: Path, path: Path) -> None:
    profile = try_read(path)
    code, out, err = run_cli("show", str(path))
    assert "Traceback" not in err
    if profile is None:
        assert code == 2
        assert err.count("\n") == 1 and err.startswith(f"{path}: ")
        return
    assert code == 0, err
    assert f"Payloads:    {len(profile.payloads)}" in out
    for payload in profile.payloads:
        if isinstance(payload, dict) and isinstance(payload.get("PayloadType"), str):
            assert payload["PayloadType"] in out
    if profile.signature is None:
        assert "Signed by" not in out


def test_show_signed_names_the_signer(corpus_dir: Path) -> None:
    code, out, _ = run_cli("show", str(corpus_dir / SIGNED))
    assert code == 0
    assert "signed" in out
    signer_line = next(line for line in out.splitlines() if line.startswith("Signed by:"))
    assert "Apple Distribution: Danila Anfertiev" in signer_line
    assert "Apple Worldwide Developer Relations" in out


def _readable(files: list[Path]) -> list[Path]:
    return [path for path in files if try_read(path) is not None]


def test_validate_readable_corpus_in_process(corpus_dir: Path) -> None:
    files = _readable(FILES)
    code, out, err = run_cli("validate", "--format", "json", *map(str, files))
    assert code in (0, 1), err
    assert "Traceback" not in err and "unexpected failure" not in err
    document = json.loads(out)
    assert [entry["file"] for entry in document["files"]] == [str(p) for p in files]
    severities = {p["severity"] for entry in document["files"] for p in entry["problems"]}
    assert severities <= {"error", "warning", "info"}
    assert code == (1 if "error" in severities else 0)


@pytest.mark.parametrize("path", _readable(FILES), ids=[p.name for p in _readable(FILES)])
def test_validate_each_file(corpus_dir: Path, path: Path) -> None:
    code, out, err = run_cli("validate", str(path))
    assert code in (0, 1), err
    assert err == ""
    for line in out.splitlines():
        name, severity, rest = line.split(": ", 2)
        assert name == str(path)
        assert severity in ("error", "warning", "info")
        assert rest
    has_error = any(line.split(": ", 2)[1] == "error" for line in out.splitlines())
    assert code == (1 if has_error else 0)


def test_validate_whole_corpus_subprocess(corpus_dir: Path) -> None:
    """The malformed files make the exit code 2; nothing crashes."""
    proc = subprocess.run(
        [sys.executable, "-m", "editor.cli", "validate", *map(str, FILES)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr
    assert "unexpected failure" not in proc.stderr
    unreadable = [p for p in FILES if try_read(p) is None]
    assert proc.returncode == (2 if unreadable else 1)
    assert len(proc.stderr.splitlines()) == len(unreadable)
    for path in unreadable:
        assert f"{path}: " in proc.stderr


def test_validate_json_reports_unreadable_files(corpus_dir: Path) -> None:
    code, out, _ = run_cli("validate", "--format", "json", *map(str, FILES))
    document: dict[str, Any] = json.loads(out)
    assert code == 2
    by_file = {entry["file"]: entry for entry in document["files"]}
    assert set(by_file) == {str(p) for p in FILES}
    for path in FILES:
        entry = by_file[str(path)]
        assert ("error" in entry) == (try_read(path) is None)
