"""The plist and CMS readers against plistlib and against damaged files.

Sized for CI (a few seconds). For a longer run set VPN_FUZZ_EXAMPLES (differential
examples per test, default 150) and VPN_FUZZ_CASES (byte mutations, default 3000):

    VPN_FUZZ_EXAMPLES=5000 VPN_FUZZ_CASES=200000 .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import datetime
import json
import os
import plistlib
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.cms import sign_profile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.core.plistio import PlistFormat, parse_plist_bytes, serialize_plist

EXAMPLES = int(os.environ.get("VPN_FUZZ_EXAMPLES", "150"))
CASES = int(os.environ.get("VPN_FUZZ_CASES", "3000"))
ROOT = Path(__file__).resolve().parent.parent
MUTATOR = ROOT / "tests" / "helpers" / "fuzz_mutation.py"
FORMATS: list[PlistFormat] = ["xml", "binary"]

# Text both formats can hold: XML has no place for most control characters, nor for
# U+FFFE and U+FFFF, and surrogates are not characters.
TEXT = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(
            chr(code) for code in [*range(0x20), 0xFFFE, 0xFFFF] if chr(code) not in "\t\n\r"
        ),
    ),
    max_size=12,
)
SCALARS = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
    | st.binary(max_size=24)
    | st.datetimes(
        min_value=datetime.datetime(1000, 1, 1), max_value=datetime.datetime(9999, 12, 31)
    ).map(lambda moment: moment.replace(microsecond=0))
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(TEXT, children, max_size=5),
    max_leaves=25,
)
ROOTS = st.dictionaries(TEXT, VALUES, max_size=6)


def typed(value: Any) -> Any:
    """A form that compares types exactly (True is not 1, 1.0 is not 1) and key order."""
    if isinstance(value, dict):
        return ("dict", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("array", [typed(item) for item in value])
    if isinstance(value, float):
        return ("real", repr(value))
    return (type(value).__name__, value)


FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@FUZZ
@given(ROOTS)
def test_we_read_what_plistlib_writes_as_plistlib_reads_it(root: dict[str, Any]) -> None:
    for fmt in FORMATS:
        data = plistlib.dumps(
            root,
            fmt=plistlib.FMT_XML if fmt == "xml" else plistlib.FMT_BINARY,
            sort_keys=False,
        )
        ours = parse_plist_bytes(data)
        assert ours.source_format == fmt
        assert typed(ours.root) == typed(plistlib.loads(data))


@FUZZ
@given(ROOTS)
def test_plistlib_reads_what_we_write_as_we_meant_it(root: dict[str, Any]) -> None:
    for fmt in FORMATS:
        data = serialize_plist(root, fmt)
        assert typed(plistlib.loads(data)) == typed(root)
        assert typed(parse_plist_bytes(data).root) == typed(root)


@FUZZ
@given(st.lists(VALUES, min_size=1, max_size=3), st.data())
def test_values_shared_in_a_binary_file_are_read_apart(
    values: list[Any], data: st.DataObject
) -> None:
    """plistlib writes an object used twice once; each use must be read as its own."""
    shared = {"shared": values}
    picks = data.draw(st.lists(st.sampled_from([shared, *values]), min_size=2, max_size=6))
    root = {"PayloadContent": picks}
    binary = plistlib.dumps(root, fmt=plistlib.FMT_BINARY, sort_keys=False)
    read = parse_plist_bytes(binary).root
    # compared with plistlib's reading of the same bytes: its writer also shares equal
    # numbers, so -0.0 beside 0.0 is written as 0.0 and the file no longer holds root
    assert typed(read) == typed(plistlib.loads(binary))
    containers: list[int] = []

    def collect(value: Any) -> None:
        if isinstance(value, dict | list):
            containers.append(id(value))
            for item in value.values() if isinstance(value, dict) else value:
                collect(item)

    collect(read)
    assert len(containers) == len(set(containers))


# --- byte mutations, in a child process with a memory limit and a watchdog -----------------


def _limit_memory() -> None:
    one_gib = 1 << 30
    resource.setrlimit(resource.RLIMIT_AS, (one_gib, one_gib))


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("fuzz-seeds")
    root = {
        "PayloadContent": [
            {
                "PayloadType": "com.apple.vpn.managed",
                "PayloadUUID": "8D3E3B9A-1F7B-4C38-9B8D-1B2F3C4D5E6F",
                "PayloadIdentifier": "com.example.fuzz.vpn",
                "PayloadVersion": 1,
                "VPNType": "IKEv2",
                "IKEv2": {
                    "RemoteAddress": "vpn.example.com",
                    "DeadPeerDetectionRate": "Medium",
                    "EnablePFS": True,
                    "NATKeepAliveInterval": 20,
                    "ServerCertificateIssuerCommonName": "Example CA €",
                },
                "OnDemandRules": [{"Action": "Connect", "InterfaceTypeMatch": "Cellular"}],
            }
        ],
        "PayloadType": "Configuration",
        "PayloadUUID": "0D3E3B9A-1F7B-4C38-9B8D-1B2F3C4D5E6F",
        "PayloadIdentifier": "com.example.fuzz",
        "PayloadVersion": 1,
        "RemovalDate": datetime.datetime(2030, 1, 1),
        "Blob": b"\x00\x01\x02",
    }
    xml = plistlib.dumps(root, sort_keys=False)
    made = {
        "seed.xml": xml,
        "seed.bplist": plistlib.dumps(root, fmt=plistlib.FMT_BINARY, sort_keys=False),
        "seed-ec.signed": sign_profile(xml),
    }
    for name, content in made.items():
        (folder / name).write_bytes(content)
    paths = [folder / name for name in made]
    openssl = shutil.which("openssl")
    if openssl is not None:
        key, cert = folder / "key.pem", folder / "cert.pem"
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
             "-out", str(cert), "-subj", "/CN=Fuzz Signer/O=Tests", "-days", "30"],
            check=True, capture_output=True,
        )  # fmt: skip
        signed = folder / "seed-rsa.signed"
        subprocess.run(
            [openssl, "cms", "-sign", "-in", str(folder / "seed.xml"), "-signer", str(cert),
             "-inkey", str(key), "-outform", "DER", "-nodetach", "-binary", "-out", str(signed)],
            check=True, capture_output=True,
        )  # fmt: skip
        paths.append(signed)
    corpus = ROOT.parent / "shared" / "corpus" / "vpn-profiles"  # used when present
    paths += [
        corpus / "designdeveloperr-ikev2__ios.signed.mobileconfig",
        corpus / "profiledocs__com.apple.vpn.managed.mobileconfig",
    ]
    return [path for path in paths if path.is_file()]


def test_byte_mutations_fail_only_as_documented(seeds: list[Path], tmp_path: Path) -> None:
    keep = tmp_path / "failures"
    proc = subprocess.run(
        [sys.executable, str(MUTATOR), "--cases", str(CASES),
         "--seed", "20261204", "--keep", str(keep), *map(str, seeds)],
        cwd=ROOT, capture_output=True, text=True, timeout=120 + CASES / 50,
        preexec_fn=_limit_memory, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout)
    assert summary["cases"] == CASES
    assert summary["failures"] == [], f"failing inputs kept in {keep}"
    assert summary["slowest"] < 2.0


def test_the_mutation_check_catches_an_undocumented_error(
    seeds: list[Path], tmp_path: Path
) -> None:
    """The child process reports an escaping exception: break the reader and see."""
    script = tmp_path / "broken.py"
    script.write_text(
        "import sys, runpy\n"
        "import editor.core.plistio as plistio\n"
        "def broken(data, source='<data>'):\n"
        "    raise KeyError('broken on purpose')\n"
        "plistio.parse_plist_bytes = broken\n"
        f"sys.argv = [{str(MUTATOR)!r}, *sys.argv[1:]]\n"
        f"runpy.run_path({str(MUTATOR)!r}, run_name='__main__')\n"
    )
    proc = subprocess.run(
        [sys.executable, str(script), "--cases", "20", "--seed", "1", str(seeds[0])],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout)
    assert len(summary["failures"]) == 20
    assert "KeyError" in summary["failures"][0]["problem"]
