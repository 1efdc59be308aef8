"""Certificate and identity payloads from files, and describing them."""

from __future__ import annotations

import datetime
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from helpers.profiles import PKCS12_PAYLOAD, REPO, ROOT_PAYLOAD, make_profile

from editor.core.certificates import (
    CertificateError,
    CertificateInfo,
    certificate_payload_from_file,
    describe_certificate_payload,
)
from editor.core.model import Profile
from editor.core.schema import Schema
from editor.core.validation.engine import validate_profile
from editor.core.validation.problems import Severity

PASSWORD = "correct horse"
NOT_BEFORE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
NOT_AFTER = datetime.datetime(2034, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Material:
    ca: x509.Certificate
    leaf: x509.Certificate
    files: dict[str, Path]


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Org"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    directory = tmp_path_factory.mktemp("certificates")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Example Root CA"))
        .issuer_name(_name("Example Root CA"))
        .public_key(ca_key.public_key())
        .serial_number(0x1A2B3C)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("client.example.com"))
        .issuer_name(ca.subject)
        .public_key(leaf_key.public_key())
        .serial_number(0x77)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    der = serialization.Encoding.DER
    pem = serialization.Encoding.PEM
    key_pem = leaf_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    contents = {
        "ca.cer": ca.public_bytes(der),
        "ca.pem": ca.public_bytes(pem),
        "leaf.der": leaf.public_bytes(der),
        "leaf.crt": leaf.public_bytes(pem),
        "leaf-pem.cer": leaf.public_bytes(pem),
        "bundle.pem": leaf.public_bytes(pem) + ca.public_bytes(pem),
        "key-only.pem": key_pem,
        "identity.p12": pkcs12.serialize_key_and_certificates(
            b"client",
            leaf_key,
            leaf,
            [ca],
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        ),
        "open.pfx": pkcs12.serialize_key_and_certificates(
            b"client", leaf_key, leaf, None, serialization.NoEncryption()
        ),
        "garbage.cer": b"this is not a certificate at all\x00\x01",
        "garbage.p12": b"FAKE-PKCS12-PLACEHOLDER",
        "empty.der": b"",
    }
    files = {}
    for name, data in contents.items():
        files[name] = directory / name
        files[name].write_bytes(data)
    files["identity-renamed.bin"] = directory / "identity-renamed.bin"
    files["identity-renamed.bin"].write_bytes(contents["identity.p12"])
    return Material(ca, leaf, files)


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


# --- certificates --------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", ["ca.cer", "ca.pem"])
def test_self_signed_ca_becomes_root_with_der(material: Material, file_name: str) -> None:
    payload = certificate_payload_from_file(
        material.files[file_name], identifier_base="com.example.profile"
    )
    assert payload["PayloadType"] == "com.apple.security.root"
    assert payload["PayloadContent"] == _der(material.ca)
    assert payload["PayloadCertificateFileName"] == file_name
    assert payload["PayloadDisplayName"] == "Example Root CA"
    assert payload["PayloadVersion"] == 1
    assert payload["PayloadIdentifier"].startswith("com.example.profile.root.")
    assert payload["PayloadIdentifier"].endswith(payload["PayloadUUID"])


@pytest.mark.parametrize("file_name", ["leaf.der", "leaf.crt", "leaf-pem.cer", "bundle.pem"])
def test_other_certificates_become_pkcs1_with_der(material: Material, file_name: str) -> None:
    payload = certificate_payload_from_file(material.files[file_name])
    assert payload["PayloadType"] == "com.apple.security.pkcs1"
    assert payload["PayloadContent"] == _der(material.leaf)  # a bundle gives its first
    assert payload["PayloadDisplayName"] == "client.example.com"


def test_display_name_argument(material: Material) -> None:
    payload = certificate_payload_from_file(material.files["ca.cer"], display_name="Our CA")
    assert payload["PayloadDisplayName"] == "Our CA"


def test_describe_root(material: Material) -> None:
    payload = certificate_payload_from_file(material.files["ca.pem"])
    info = describe_certificate_payload(payload)
    assert info.ok and info.error is None
    assert info.payload_type == "com.apple.security.root"
    assert info.subject == "CN=Example Root CA,O=Example Org"
    assert info.issuer == info.subject
    assert (info.not_before, info.not_after) == (NOT_BEFORE, NOT_AFTER)
    assert info.serial == "1A2B3C"
    assert info.is_ca and info.self_signed
    assert info.key_type == "EC P-256"
    assert info.ikev2_certificate_type == "ECDSA256"
    assert info.password_ok is None and not info.has_private_key
    fingerprint = material.ca.fingerprint(hashes.SHA256()).hex(":").upper()
    assert info.sha256_fingerprint == fingerprint
    assert not info.expired(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    assert info.expired(datetime.datetime(2035, 1, 1, tzinfo=datetime.UTC))


def test_describe_leaf(material: Material) -> None:
    info = describe_certificate_payload(certificate_payload_from_file(material.files["leaf.der"]))
    assert info.subject == "CN=client.example.com,O=Example Org"
    assert info.issuer == "CN=Example Root CA,O=Example Org"
    assert not info.is_ca and not info.self_signed
    assert info.key_type == "RSA 2048"
    assert info.ikev2_certificate_type == "RSA"
    assert info.serial == "77"


def test_describe_accepts_pem_content(material: Material) -> None:
    # Some profiles in the wild carry PEM text in a root payload.
    payload = {
        **ROOT_PAYLOAD,
        "PayloadContent": material.ca.public_bytes(serialization.Encoding.PEM),
    }
    info = describe_certificate_payload(payload)
    assert info.ok and info.subject == "CN=Example Root CA,O=Example Org"


# --- PKCS#12 ---------------------------------------------------------------------------------


def test_pkcs12_keeps_the_file_bytes(material: Material) -> None:
    path = material.files["identity.p12"]
    payload = certificate_payload_from_file(path, PASSWORD, "com.example.profile")
    assert payload["PayloadType"] == "com.apple.security.pkcs12"
    assert payload["PayloadContent"] == path.read_bytes()
    assert payload["PayloadCertificateFileName"] == "identity.p12"
    assert payload["PayloadDisplayName"] == "client.example.com"
    assert "Password" not in payload


def test_pkcs12_stores_the_password_only_on_request(material: Material) -> None:
    payload = certificate_payload_from_file(
        material.files["identity.p12"], PASSWORD, store_password=True
    )
    assert payload["Password"] == PASSWORD
    with pytest.raises(ValueError, match="store_password"):
        certificate_payload_from_file(material.files["identity.p12"], store_password=True)


def test_pkcs12_without_password_is_accepted_unchecked(material: Material) -> None:
    payload = certificate_payload_from_file(material.files["identity.p12"])
    assert payload["PayloadType"] == "com.apple.security.pkcs12"
    assert payload["PayloadDisplayName"] == "identity.p12"  # locked: name from the file


def test_pkcs12_recognised_by_content(material: Material) -> None:
    payload = certificate_payload_from_file(material.files["identity-renamed.bin"], PASSWORD)
    assert payload["PayloadType"] == "com.apple.security.pkcs12"


def test_describe_pkcs12(material: Material) -> None:
    payload = certificate_payload_from_file(material.files["identity.p12"], PASSWORD)
    info = describe_certificate_payload(payload, PASSWORD)
    assert info.ok
    assert info.password_ok is True
    assert info.has_private_key
    assert info.extra_certificates == 1
    assert info.subject == "CN=client.example.com,O=Example Org"
    assert info.not_after == NOT_AFTER
    assert info.key_type == "RSA 2048"


def test_describe_pkcs12_uses_the_stored_password(material: Material) -> None:
    payload = certificate_payload_from_file(
        material.files["identity.p12"], PASSWORD, store_password=True
    )
    assert describe_certificate_payload(payload).password_ok is True


def test_describe_pkcs12_wrong_or_missing_password(material: Material) -> None:
    payload = certificate_payload_from_file(material.files["identity.p12"])
    wrong = describe_certificate_payload(payload, "wrong")
    assert wrong.password_ok is False
    assert wrong.error is not None and "password does not open" in wrong.error
    missing = describe_certificate_payload(payload)
    assert missing.password_ok is False
    assert missing.error is not None and "needs a password" in missing.error


def test_describe_unencrypted_pkcs12(material: Material) -> None:
    payload = certificate_payload_from_file(material.files["open.pfx"])
    info = describe_certificate_payload(payload)
    assert info.ok and info.password_ok is True and info.has_private_key


# --- errors --------------------------------------------------------------------------------


def test_wrong_password_names_the_file(material: Material) -> None:
    with pytest.raises(CertificateError, match=r"identity\.p12: the password does not open"):
        certificate_payload_from_file(material.files["identity.p12"], "wrong")


def test_garbage_certificate_file(material: Material) -> None:
    with pytest.raises(CertificateError, match=r"garbage\.cer: .*neither a certificate"):
        certificate_payload_from_file(material.files["garbage.cer"])


def test_garbage_pkcs12_file(material: Material) -> None:
    with pytest.raises(CertificateError, match=r"garbage\.p12: .*not PKCS#12"):
        certificate_payload_from_file(material.files["garbage.p12"], "anything")


def test_pem_without_certificate(material: Material) -> None:
    with pytest.raises(CertificateError, match=r"key-only\.pem: .*no readable certificate"):
        certificate_payload_from_file(material.files["key-only.pem"])


def test_empty_and_missing_files(material: Material, tmp_path: Path) -> None:
    with pytest.raises(CertificateError, match=r"empty\.der: the file is empty"):
        certificate_payload_from_file(material.files["empty.der"])
    with pytest.raises(CertificateError, match=r"absent\.cer: cannot read the file"):
        certificate_payload_from_file(tmp_path / "absent.cer")
    with pytest.raises(CertificateError, match="cannot read"):
        certificate_payload_from_file(tmp_path)  # a directory


# --- dummy data from profiles ---------------------------------------------------------------


@pytest.mark.parametrize("payload", [PKCS12_PAYLOAD, ROOT_PAYLOAD])
def test_describe_dummy_bytes_gives_an_error(payload: dict[str, object]) -> None:
    info = describe_certificate_payload({**payload, "PayloadContent": b"dummy bytes"})
    assert isinstance(info, CertificateInfo)
    assert not info.ok and info.error
    assert info.subject == ""


def test_describe_missing_content() -> None:
    info = describe_certificate_payload({"PayloadType": "com.apple.security.root"})
    assert info.error == "PayloadContent holds no data"


def test_describe_corpus_certificates(corpus_dir: Path) -> None:
    seen_dummy = 0
    for path in sorted(corpus_dir.glob("*.mobileconfig")):
        try:
            profile = Profile.read(path)
        except Exception:
            continue  # malformed corpus files are tested elsewhere
        for _, payload in profile.payload_dicts():
            if not str(payload.get("PayloadType", "")).startswith("com.apple.security."):
                continue
            if payload.get("PayloadType") == "com.apple.security.scep":
                continue
            info = describe_certificate_payload(payload)  # must not raise
            content = payload.get("PayloadContent")
            if isinstance(content, bytes) and content.startswith(b"FAKE-"):
                seen_dummy += 1
                assert info.error, path.name
    assert seen_dummy > 0


# --- the payloads fit the schema -------------------------------------------------------------


def test_payloads_validate(material: Material, schema: Schema) -> None:
    payloads = [
        certificate_payload_from_file(material.files["ca.cer"], identifier_base="com.example.p"),
        certificate_payload_from_file(material.files["leaf.crt"], identifier_base="com.example.p"),
        certificate_payload_from_file(
            material.files["identity.p12"], PASSWORD, "com.example.p", store_password=True
        ),
    ]
    problems = validate_profile(make_profile(*payloads), schema)
    # identity.p12 has the modern encoding (PBES2/AES, SHA-256 MAC) iOS cannot open: that
    # is the one warning validation gives; the payloads themselves fit the schema.
    loud = [(p.code, p.path) for p in problems if p.severity is not Severity.INFO]
    assert loud == [("pkcs12", ("PayloadContent", 2, "PayloadContent"))], problems


def test_modules_do_not_import_cryptography_eagerly() -> None:
    code = (
        "import sys\n"
        "import editor.core.certificates, editor.core.presets\n"
        "import editor.core.validation.engine\n"
        "assert 'cryptography' not in sys.modules, 'cryptography imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
