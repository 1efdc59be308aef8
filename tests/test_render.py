"""`vpn-profile render`: one profile per CSV row, each validated, signed with real CMS."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from helpers.cli import run_cli
from helpers.pki import Pki, build_pki, certificate, needs_openssl, openssl
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile

from editor.core.model import Profile
from editor.core.render import PLACEHOLDER_RE, fill, output_name, placeholders, row_uuid

MDM_VARIABLES = "$USERNAME {{userprincipalname}} {EmailAddress} %custom_field.asset_tag%"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return build_pki(tmp_path_factory.mktemp("pki-render"))


def template(tmp_path: Path, **ikev2: Any) -> Path:
    vpn = copy.deepcopy(IKEV2_PAYLOAD)
    vpn["UserDefinedName"] = f"VPN for @@name@@ ({MDM_VARIABLES})"
    vpn["IKEv2"]["LocalIdentifier"] = "@@user@@@example.com"
    vpn["IKEv2"].update(ikev2)
    path = tmp_path / "template.mobileconfig"
    make_profile(vpn, PKCS12_PAYLOAD, PayloadDisplayName="VPN (@@user@@)").save(path)
    return path


def identity_file(folder: Path, user: str, passphrase: str) -> Path:
    """A row's own identity, in the PKCS#12 encoding iOS accepts (3DES, SHA-1 MAC)."""
    key = rsa.generate_private_key(65537, 2048)
    cert = certificate(f"{user}@example.com", key, None, key, ca=False)
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2048)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())
        .build(passphrase.encode())
    )
    path = folder / f"{user}.p12"
    data = pkcs12.serialize_key_and_certificates(user.encode(), key, cert, None, encryption)
    path.write_bytes(data)
    return path


def csv_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def rendered(out: Path) -> dict[str, Profile]:
    return {path.name: Profile.read(path) for path in sorted(out.glob("*.mobileconfig"))}


# --- placeholders ----------------------------------------------------------------------------


def test_placeholders_leave_mdm_variables_alone() -> None:
    text = f"@@user@@ {MDM_VARIABLES} @@dept.name@@"
    assert placeholders({"a": [text]}) == {"user", "dept.name"}
    filled = fill({"a": [text], "n": 1}, {"user": "alice", "dept.name": "IT"})
    assert filled == {"a": [f"alice {MDM_VARIABLES} IT"], "n": 1}
    for variable in MDM_VARIABLES.split():
        assert PLACEHOLDER_RE.search(variable) is None


def test_output_names_and_uuids() -> None:
    assert output_name("alice@example.com") == "alice@example.com.mobileconfig"
    assert output_name("../../etc/passwd") == "etc_passwd.mobileconfig"
    assert output_name("Zoë Smith") == "Zo_Smith.mobileconfig"
    first = row_uuid("9D3C2B1A-0F9E-4D8C-B7A6-958473625140", "alice")
    assert first == row_uuid("9d3c2b1a-0f9e-4d8c-b7a6-958473625140", "alice")
    assert first != row_uuid("9D3C2B1A-0F9E-4D8C-B7A6-958473625140", "bob")
    assert first == first.upper() and first[14] == "5"  # a name-based (version 5) UUID


# --- rows -----------------------------------------------------------------------------------------


@needs_openssl
def test_each_row_validates_signs_and_holds_its_identity(pki: Pki, tmp_path: Path) -> None:
    ids = tmp_path / "ids"
    ids.mkdir()
    identity_file(ids, "alice", "alice pass")
    identity_file(ids, "bob", "bob, pass")
    data = csv_file(tmp_path, [
        "user,name,p12,passphrase",
        "alice,Alice Archer,ids/alice.p12,alice pass",
        'bob,"Bob, Jr.",ids/bob.p12,"bob, pass"',
    ])  # fmt: skip
    out = tmp_path / "out"
    code, _, err = run_cli(
        "render", str(template(tmp_path)), "--data", str(data), "--out", str(out),
        "--identity-column", "p12", "--passphrase-column", "passphrase",
        "--sign-key", str(pki.path("leaf.key")), "--sign-cert", str(pki.path("leaf.pem")),
        "--sign-chain", str(pki.path("intermediate.pem")),
    )  # fmt: skip
    assert code == 0, err
    assert err.endswith("2 of 2 profiles written (signed)\n")
    profiles = rendered(out)
    assert sorted(profiles) == ["alice.mobileconfig", "bob.mobileconfig"]
    uuids: set[str] = set()
    for user, name, passphrase in (("alice", "Alice Archer", "alice pass"),
                                   ("bob", "Bob, Jr.", "bob, pass")):  # fmt: skip
        path = out / f"{user}.mobileconfig"
        # real OpenSSL checks the signature up to the root
        content = tmp_path / f"{user}.xml"
        proc = openssl(
            "cms", "-verify", "-inform", "DER", "-in", str(path), "-CAfile",
            str(pki.path("root.pem")), "-purpose", "any", "-out", str(content),
        )  # fmt: skip
        assert b"Verification successful" in proc.stderr
        assert run_cli("verify", str(path), "--trust", str(pki.path("root.pem")))[0] == 0
        code, report, _ = run_cli("validate", str(path), "--format", "json")
        assert code == 0, report
        problems = json.loads(report)["files"][0]["problems"]
        assert not [p for p in problems if p["severity"] == "error"]
        profile = Profile.parse(content.read_bytes())
        vpn, identity = profile.payloads
        assert vpn["UserDefinedName"] == f"VPN for {name} ({MDM_VARIABLES})"
        assert vpn["IKEv2"]["LocalIdentifier"] == f"{user}@example.com"
        assert profile.root["PayloadDisplayName"] == f"VPN ({user})"
        assert identity["PayloadContent"] == (ids / f"{user}.p12").read_bytes()
        assert identity["Password"] == passphrase
        assert vpn["IKEv2"]["PayloadCertificateUUID"] == identity["PayloadUUID"]
        uuids.update([profile.root["PayloadUUID"], vpn["PayloadUUID"], identity["PayloadUUID"]])
    assert len(uuids) == 6
    assert PKCS12_PAYLOAD["PayloadUUID"] not in uuids


def test_uuids_are_stable_across_runs_and_row_order(tmp_path: Path) -> None:
    source = template(tmp_path)
    first = csv_file(tmp_path, ["user,name", "alice,Alice", "bob,Bob"])
    assert (
        run_cli("render", str(source), "--data", str(first), "--out", str(tmp_path / "one"))[0] == 0
    )
    second = csv_file(tmp_path, ["name,user", "Carol,carol", "Alice,alice"])
    code, _, err = run_cli(
        "render", str(source), "--data", str(second), "--out", str(tmp_path / "two"),
        "--name-column", "user",
    )  # fmt: skip
    assert code == 0, err
    again = (tmp_path / "two" / "alice.mobileconfig").read_bytes()
    assert again == (tmp_path / "one" / "alice.mobileconfig").read_bytes()
    alice = Profile.read(tmp_path / "one" / "alice.mobileconfig").root
    bob = Profile.read(tmp_path / "one" / "bob.mobileconfig").root
    assert alice["PayloadUUID"] != bob["PayloadUUID"]
    assert alice["PayloadUUID"] == row_uuid("9D3C2B1A-0F9E-4D8C-B7A6-958473625140", "alice")


def test_an_invalid_row_stops_and_nothing_is_written(tmp_path: Path) -> None:
    source = template(tmp_path, RemoteAddress="@@server@@")
    data = csv_file(tmp_path, [
        "user,name,server", "alice,Alice,vpn.example.com", "bob,Bob,", "carol,C,vpn.example.org",
    ])  # fmt: skip
    out = tmp_path / "out"
    code, stdout, err = run_cli("render", str(source), "--data", str(data), "--out", str(out))
    assert code == 2 and stdout == ""
    assert f"{data}: line 3 (bob): invalid: PayloadContent/0/IKEv2/RemoteAddress" in err
    assert "nothing was written" in err
    assert rendered(out) == {}
    code, _, err = run_cli(
        "render", str(source), "--data", str(data), "--out", str(out), "--keep-going"
    )
    assert code == 1
    assert "line 3 (bob): invalid" in err and "skipped" in err
    assert "2 of 3 profiles written; 1 rows skipped" in err
    assert sorted(rendered(out)) == ["alice.mobileconfig", "carol.mobileconfig"]


@pytest.mark.parametrize(
    ("lines", "extra", "message"),
    [
        (["user,name", "alice,A", "alice,B"], (), "lines 2 and 3 both make alice.mobileconfig"),
        (["user", "alice"], (), "asks for @@name@@, but the data has no column 'name'"),
        (["user,name", "alice,A"], ("--identity-column", "p12"), "'p12' is not a column"),
        (["user,name,x", "alice,A"], (), "line 2: 2 values for 3 columns"),
        (["user,name"], (), "there are no rows below the header"),
        (["user,name", "alice,A"], ("--passphrase-column", "name"), "needs --identity-column"),
    ],
)
def test_bad_data_is_refused_before_anything_is_written(
    tmp_path: Path, lines: list[str], extra: tuple[str, ...], message: str
) -> None:
    data = csv_file(tmp_path, lines)
    out = tmp_path / "out"
    source = template(tmp_path)
    code, _, err = run_cli("render", str(source), "--data", str(data), "--out", str(out), *extra)
    assert code == 2
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_wrong_identity_passphrase_names_the_row(tmp_path: Path) -> None:
    identity_file(tmp_path, "alice", "right")
    data = csv_file(tmp_path, ["user,name,p12,pw", "alice,A,alice.p12,wrong"])
    code, _, err = run_cli(
        "render", str(template(tmp_path)), "--data", str(data), "--out", str(tmp_path / "o"),
        "--identity-column", "p12", "--passphrase-column", "pw",
    )  # fmt: skip
    assert code == 2
    assert "line 2 (alice)" in err and "password does not open" in err


@needs_openssl
def test_each_row_encrypted_for_its_device_and_signed(pki: Pki, tmp_path: Path) -> None:
    data = csv_file(tmp_path, ["user,name,device", f"alice,A,{pki.path('leaf.pem')}"])
    plain_out, out = tmp_path / "plain", tmp_path / "out"
    source = template(tmp_path)
    assert run_cli("render", str(source), "--data", str(data), "--out", str(plain_out))[0] == 0
    code, _, err = run_cli(
        "render", str(source), "--data", str(data), "--out", str(out),
        "--encrypt-column", "device",
        "--sign-key", str(pki.path("ec.key")), "--sign-cert", str(pki.path("ec.pem")),
        "--sign-chain", str(pki.path("intermediate.pem")),
    )  # fmt: skip
    assert code == 0, err
    assert "(signed, encrypted)" in err
    target = out / "alice.mobileconfig"
    content = tmp_path / "content.xml"
    openssl(
        "cms", "-verify", "-inform", "DER", "-in", str(target), "-CAfile",
        str(pki.path("root.pem")), "-purpose", "any", "-out", str(content),
    )  # fmt: skip
    assert "EncryptedPayloadContent" in Profile.parse(content.read_bytes()).root
    decrypted = tmp_path / "decrypted.mobileconfig"
    code, _, err = run_cli(
        "decrypt", str(target), str(decrypted),
        "--key", str(pki.path("leaf.key")), "--cert", str(pki.path("leaf.pem")),
    )  # fmt: skip
    assert code == 0, err
    code, differences, _ = run_cli("diff", str(plain_out / "alice.mobileconfig"), str(decrypted))
    assert (code, differences) == (0, "")
