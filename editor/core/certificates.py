"""Certificate and identity payloads from files, and what is inside them.

`certificate_payload_from_file` turns a certificate or PKCS#12 file into a payload:

- .p12 / .pfx (or any file holding PKCS#12 data): `com.apple.security.pkcs12` with the
  file's exact bytes; the password is checked when given and stored only on request.
- DER (.cer, .der) and PEM (.pem, .crt, also .cer holding PEM text) certificates: the
  first certificate, converted to DER (`certificates_from_file` reads every one of a
  chain, for one payload each). A self-signed CA certificate becomes
  `com.apple.security.root`, any other one `com.apple.security.pkcs1`. DER in a pkcs1
  or root payload is the form every Apple OS version and MDM accepts, and it lets the
  editor tell trust anchors from other certificates at a glance; the PEM payload type
  (`com.apple.security.pem`) is not produced, but is described like the others.

A PEM file is read strictly: text between its certificates other than the notes tools
write there, a block cut short or broken base64 is a CertificateError naming the file
and the line, never a chain silently shortened.

`describe_certificate_payload` reports subject, issuer, validity, key and, for PKCS#12,
whether the password opens it; it never raises on bad data but returns an error text.

cryptography is imported inside the functions: validation must not pay for it.
"""

from __future__ import annotations

import datetime
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from editor.core.errors import EditorError, InvalidValueError
from editor.core.model import Profile, new_uuid
from editor.core.payload_types import ACME, PEM, PKCS1, PKCS12, ROOT, SCEP

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import (
        CertificatePublicKeyTypes,
        PrivateKeyTypes,
    )

CERTIFICATE_TYPES = frozenset({ROOT, PKCS1, PEM})  # a certificate without its private key
# What a PayloadCertificateUUID may name: payloads that hold or obtain a private key.
IDENTITY_TYPES = frozenset({PKCS12, SCEP, ACME})
PKCS12_SUFFIXES = frozenset({".p12", ".pfx"})

_PEM_MARKER = b"-----BEGIN"
_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
_IKEV2_CERTIFICATE_TYPES = {
    "RSA": "RSA",
    "EC P-256": "ECDSA256",
    "EC P-384": "ECDSA384",
    "EC P-521": "ECDSA521",
}


class CertificateError(EditorError):
    """A file could not be turned into a payload; the message names the file."""


@dataclass(frozen=True)
class CertificateInfo:
    """What a certificate or identity payload holds. `error` is set instead of raising
    when the data is not readable (the other fields are then empty)."""

    payload_type: str
    subject: str = ""
    issuer: str = ""
    not_before: datetime.datetime | None = None
    not_after: datetime.datetime | None = None
    serial: str = ""  # hexadecimal
    is_ca: bool = False
    self_signed: bool = False
    key_type: str = ""  # "RSA 2048", "EC P-256", "Ed25519"
    sha256_fingerprint: str = ""  # hex pairs separated by colons
    has_private_key: bool = False  # PKCS#12: a key came with the certificate
    extra_certificates: int = 0  # PKCS#12: further certificates (chain) in the file
    password_ok: bool | None = None  # PKCS#12: does the password open it (None: not PKCS#12)
    error: str | None = None
    notes: tuple[str, ...] = ()  # library warnings while reading (odd encodings and such)

    @property
    def ok(self) -> bool:
        return self.error is None

    def expired(self, now: datetime.datetime | None = None) -> bool:
        moment = now or datetime.datetime.now(datetime.UTC)
        return self.not_after is not None and self.not_after < moment

    @property
    def ikev2_certificate_type(self) -> str | None:
        """The IKEv2 CertificateType value matching the key (RSA, ECDSA256, ...), if any."""
        name = "RSA" if self.key_type.startswith("RSA") else self.key_type
        return _IKEV2_CERTIFICATE_TYPES.get(name)


# --- reading -------------------------------------------------------------------------


def _der_item(data: bytes, at: int) -> tuple[int, int, int] | None:
    """(tag, start of content, end) of the DER item at `at`, None when it is not one."""
    if at + 2 > len(data):
        return None
    tag, first = data[at], data[at + 1]
    at += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or at + count > len(data):
            return None
        length = int.from_bytes(data[at : at + count], "big")
        at += count
    end = at + length
    return (tag, at, end) if end <= len(data) else None


def _certificate_der(content: bytes) -> bytes | str:
    """The DER bytes of the (first) certificate in DER or PEM content, or why there are none."""
    if not content.lstrip().startswith(_PEM_MARKER):
        return content
    import base64
    import binascii

    text = content.decode("ascii", "replace")
    begin = text.find("-----BEGIN CERTIFICATE-----")
    end = text.find("-----END CERTIFICATE-----", begin + 1)
    if begin < 0 or end < 0:
        return "PayloadContent is PEM text without a certificate in it"
    body = "".join(text[begin + 27 : end].split())
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return "PayloadContent is PEM text whose certificate is not valid base64"


def _der_time(data: bytes, item: tuple[int, int, int]) -> datetime.datetime | None:
    """A UTCTime or GeneralizedTime of RFC 5280 (4.1.2.5), in UTC."""
    tag, start, end = item
    text = data[start:end].decode("ascii", "replace")
    utc = datetime.UTC
    try:
        if tag == 0x17 and len(text) == 13 and text.endswith("Z"):
            year = int(text[:2])  # RFC 5280: 50-99 are 19xx, 00-49 are 20xx
            text = f"{(1900 if year >= 50 else 2000) + year}{text[2:]}"
        elif tag != 0x18 or len(text) != 15 or not text.endswith("Z"):
            return None
        return datetime.datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=utc)
    except ValueError:
        return None


def certificate_validity(content: bytes) -> tuple[datetime.datetime, datetime.datetime] | None:
    """(not before, not after) of a DER or PEM certificate, read from its DER without the
    cryptography library (validation stays quick); None when they cannot be read."""
    data = _certificate_der(content)
    if isinstance(data, str):
        return None
    outer = _der_item(data, 0)
    tbs = _der_item(data, outer[1]) if outer is not None and outer[0] == 0x30 else None
    if tbs is None or tbs[0] != 0x30:
        return None
    at = tbs[1]
    fields: list[tuple[int, int, int]] = []
    while at < tbs[2] and len(fields) < 6:
        item = _der_item(data, at)
        if item is None:
            return None
        fields.append(item)
        at = item[2]
    if fields and fields[0][0] == 0xA0:  # the explicit version
        fields = fields[1:]
    if len(fields) < 4 or fields[3][0] != 0x30:  # serial, algorithm, issuer, validity
        return None
    validity = fields[3]
    first = _der_item(data, validity[1])
    second = _der_item(data, first[2]) if first is not None else None
    if first is None or second is None:
        return None
    not_before, not_after = _der_time(data, first), _der_time(data, second)
    if not_before is None or not_after is None:
        return None
    return not_before, not_after


def certificate_shape_error(content: bytes) -> str | None:
    """Why the bytes are not an X.509 certificate in DER or PEM, or None: the outer shape
    only (a SEQUENCE of the signed part, the algorithm and the signature bits), read
    without the cryptography library so that validation stays quick."""
    data = _certificate_der(content)
    if isinstance(data, str):
        return data
    outer = _der_item(data, 0)
    if outer is None or outer[0] != 0x30 or outer[2] != len(data):
        return "PayloadContent is not a certificate (neither DER nor PEM)"
    tags = []
    at = outer[1]
    while at < outer[2]:
        item = _der_item(data, at)
        if item is None:
            return "PayloadContent is not a certificate (neither DER nor PEM)"
        tags.append(item[0])
        at = item[2]
    if tags != [0x30, 0x30, 0x03]:
        return "PayloadContent is not a certificate (neither DER nor PEM)"
    return None


def is_pem(data: bytes) -> bool:
    return _PEM_MARKER in data[:4096] or data.lstrip().startswith(_PEM_MARKER)


def _load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from DER or PEM bytes (the first one of a PEM bundle)."""
    from cryptography import x509

    if is_pem(data):
        certificates = x509.load_pem_x509_certificates(data)
        return certificates[0]
    return x509.load_der_x509_certificate(data)


def looks_like_pkcs12(data: bytes) -> bool:
    """True when the outer structure is a PKCS#12 PFX (whatever its password)."""
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return bool(pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native)
    except Exception:
        return False


def _open_pkcs12(
    data: bytes, password: str | None
) -> tuple[PrivateKeyTypes | None, x509.Certificate | None, list[x509.Certificate]]:
    """Key, certificate and extra certificates; ValueError when it does not open."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    candidates: list[bytes | None] = (
        [password.encode("utf-8")] if password is not None else [None, b""]
    )
    last: Exception | None = None
    for candidate in candidates:
        try:
            key, certificate, extra = pkcs12.load_key_and_certificates(data, candidate)
            return key, certificate, list(extra)
        except (ValueError, TypeError) as exc:
            last = exc
    raise ValueError(str(last))


def _key_type(key: CertificatePublicKeyTypes) -> str:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {_CURVE_NAMES.get(key.curve.name, key.curve.name)}"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448"
    if isinstance(key, dsa.DSAPublicKey):
        return f"DSA {key.key_size}"
    return type(key).__name__


def _self_signed(certificate: x509.Certificate) -> bool:
    if certificate.subject != certificate.issuer:
        return False
    try:
        certificate.verify_directly_issued_by(certificate)
    except Exception:
        return False
    return True


def _is_ca(certificate: x509.Certificate, self_signed: bool) -> bool:
    from cryptography import x509

    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        # A version 1 certificate has no extensions; self-signed ones are old roots.
        return self_signed and certificate.version == x509.Version.v1
    return bool(constraints.value.ca)


def _certificate_fields(certificate: x509.Certificate) -> dict[str, Any]:
    from cryptography.hazmat.primitives import hashes

    self_signed = _self_signed(certificate)
    return {
        "subject": certificate.subject.rfc4514_string(),
        "issuer": certificate.issuer.rfc4514_string(),
        "not_before": certificate.not_valid_before_utc,
        "not_after": certificate.not_valid_after_utc,
        "serial": format(certificate.serial_number, "X"),
        "is_ca": _is_ca(certificate, self_signed),
        "self_signed": self_signed,
        "key_type": _key_type(certificate.public_key()),
        "sha256_fingerprint": certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
    }


def _common_name(certificate: x509.Certificate, of_issuer: bool = False) -> str:
    from cryptography.x509.oid import NameOID

    whose = certificate.issuer if of_issuer else certificate.subject
    names = whose.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = names[0].value if names else ""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


# --- describing a payload ---------------------------------------------------------------


def describe_certificate_payload(
    payload: Mapping[str, Any], password: str | None = None
) -> CertificateInfo:
    """What the payload's PayloadContent holds. For PKCS#12 the password is the given
    one, else the payload's stored Password, else none/empty. Never raises on bad data."""
    payload_type = str(payload.get("PayloadType", ""))
    content = payload.get("PayloadContent")
    if not isinstance(content, bytes) or not content:
        return CertificateInfo(payload_type, error="PayloadContent holds no data")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        info = _describe(payload_type, content, payload, password)
    notes = tuple(dict.fromkeys(str(w.message) for w in caught))
    if notes:
        info = replace(info, notes=notes)
    return info


def _describe(
    payload_type: str, content: bytes, payload: Mapping[str, Any], password: str | None
) -> CertificateInfo:
    if payload_type == PKCS12:
        stored = payload.get("Password")
        used = password if password is not None else stored if isinstance(stored, str) else None
        try:
            key, certificate, extra = _open_pkcs12(content, used)
        except ValueError:
            if not looks_like_pkcs12(content):
                return CertificateInfo(
                    payload_type, error="PayloadContent is not PKCS#12 data", password_ok=None
                )
            reason = "the password does not open it" if used else "it needs a password"
            return CertificateInfo(payload_type, error=f"PKCS#12 data: {reason}", password_ok=False)
        except Exception as exc:  # unusual encodings the library rejects
            return CertificateInfo(payload_type, error=f"PKCS#12 data not readable: {exc}")
        if certificate is None:
            return CertificateInfo(
                payload_type,
                error="the PKCS#12 data holds no certificate",
                has_private_key=key is not None,
                password_ok=True,
            )
        return CertificateInfo(
            payload_type,
            **_certificate_fields(certificate),
            has_private_key=key is not None,
            extra_certificates=len(extra),
            password_ok=True,
        )
    try:
        certificate = _load_certificate(content)
    except Exception:
        return CertificateInfo(
            payload_type, error="PayloadContent is not a certificate (neither DER nor PEM)"
        )
    return CertificateInfo(payload_type, **_certificate_fields(certificate))


# --- payloads from files -------------------------------------------------------------------


def _payload(
    payload_type: str, identifier_base: str, display_name: str, file_name: str, content: bytes
) -> dict[str, Any]:
    base = identifier_base.strip().rstrip(".")
    if not base:
        raise InvalidValueError("identifier_base must not be empty (for example com.example.vpn)")
    payload_uuid = new_uuid()
    kind = payload_type.rsplit(".", 1)[-1]
    return {
        "PayloadType": payload_type,
        "PayloadIdentifier": f"{base}.{kind}.{payload_uuid}",
        "PayloadUUID": payload_uuid,
        "PayloadVersion": 1,
        "PayloadDisplayName": display_name,
        "PayloadCertificateFileName": file_name,
        "PayloadContent": content,
    }


def certificate_payload_from_file(
    path: Path,
    password: str | None = None,
    identifier_base: str = "com.example.certificate",
    *,
    store_password: bool = False,
    display_name: str = "",
) -> dict[str, Any]:
    """A root, pkcs1 or pkcs12 payload for the file (see the module text).

    password: for PKCS#12: checked against the file (a wrong one is an error); stored in
        the payload only with store_password. Without it an encrypted file is accepted
        unchecked and the device asks for the password when installing.
    Raises CertificateError naming the file for unreadable files, wrong passwords and
    data that is neither a certificate nor PKCS#12.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateError(
            f"{path.name}: cannot read the file ({exc.strerror or exc})"
        ) from exc
    if not data:
        raise CertificateError(f"{path.name}: the file is empty")
    if store_password and password is None:
        raise InvalidValueError("store_password needs a password")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # odd encodings: describe() reports them
        if path.suffix.lower() in PKCS12_SUFFIXES or (
            not is_pem(data) and looks_like_pkcs12(data)
        ):
            return _pkcs12_payload(
                path, data, password, identifier_base, store_password, display_name
            )
        return _certificate_payload(path, data, identifier_base, display_name)


def _pkcs12_payload(
    path: Path,
    data: bytes,
    password: str | None,
    identifier_base: str,
    store_password: bool,
    display_name: str,
) -> dict[str, Any]:
    name = display_name
    try:
        _key, certificate, _extra = _open_pkcs12(data, password)
    except ValueError as exc:
        if not looks_like_pkcs12(data):
            raise CertificateError(f"{path.name}: the file is not PKCS#12 data") from exc
        if password is not None:
            raise CertificateError(
                f"{path.name}: the password does not open this PKCS#12 file"
            ) from exc
        certificate = None  # locked: accepted unchecked, the device asks for the password
    except Exception as exc:
        raise CertificateError(f"{path.name}: the PKCS#12 data is not readable ({exc})") from exc
    if not name:
        name = (_common_name(certificate) if certificate is not None else "") or path.name
    payload = _payload(PKCS12, identifier_base, name, path.name, data)
    if store_password and password is not None:
        payload["Password"] = password
    return payload


def _certificate_payload(
    path: Path, data: bytes, identifier_base: str, display_name: str
) -> dict[str, Any]:
    first = read_certificates(data, path.name).certificates[0]
    return certificate_payload(first, identifier_base, path.name, display_name)


# --- every certificate of a file (a chain) ----------------------------------------------------


@dataclass(frozen=True)
class FileCertificate:
    """One certificate of a file, described as the payload it would become."""

    position: int  # 1 for the file's first certificate
    line: int  # where its PEM block begins (0 in a DER file)
    der: bytes
    info: CertificateInfo  # payload_type: ROOT for a self-signed CA, else PKCS1
    name: str  # its common name, else its whole subject
    issuer_name: str  # the issuer's common name, else its whole name

    @property
    def payload_type(self) -> str:
        return self.info.payload_type

    @property
    def role(self) -> str:
        """What it is in a chain, in a few words ("root CA, self-signed")."""
        if self.info.self_signed:
            return "root CA, self-signed" if self.info.is_ca else "self-signed certificate"
        return "intermediate CA" if self.info.is_ca else "certificate"


@dataclass(frozen=True)
class CertificateFile:
    """The certificates of one file, in its order, each once."""

    file_name: str
    certificates: tuple[FileCertificate, ...]
    notes: tuple[str, ...] = ()  # what was left out (a private key, a repeated certificate)


_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 #._-]+)-----")
_PEM_END = re.compile(r"-----END ([A-Z0-9 #._-]+)-----")
_CERTIFICATE_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
# Lines tools write between a bundle's certificates: OpenSSL's "subject=...", "Bag
# Attributes" and "    friendlyName: ...", s_client's " 0 s:CN = ...", comments.
_NOTE_LINE = re.compile(
    r"\s*(?:#|(?:\d+\s+)?[A-Za-z][\w .()/-]*?\s*[:=]|(?:Bag|Key) Attributes\b)"
)
_UNDERLINE = re.compile(r"\s*=+\s*")  # a title underlined with "=" (curl's CA bundle)
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")


@dataclass
class _PemBlock:
    label: str
    line: int
    body: list[str]


def _outside_line_fault(line: str) -> str | None:
    """Why a line outside the PEM blocks cannot be there, wherever it is."""
    if any(ord(char) < 0x20 and char != "\t" for char in line) or "\ufffd" in line:
        return "binary data in PEM text"
    if _BASE64_LINE.fullmatch(line.strip()):
        return "certificate data outside BEGIN and END lines"
    return None


def _between_fault(lines: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The first line between two PEM blocks that no tool writes there, if any."""
    for at, (number, line) in enumerate(lines):
        underlined = at + 1 < len(lines) and _UNDERLINE.fullmatch(lines[at + 1][1]) is not None
        if _NOTE_LINE.match(line) or _UNDERLINE.fullmatch(line) or underlined:
            continue
        return number, line
    return None


def _pem_blocks(text: str, file_name: str) -> list[_PemBlock]:
    """The BEGIN/END blocks of PEM text; CertificateError for anything out of shape."""
    blocks: list[_PemBlock] = []
    current: _PemBlock | None = None
    between: list[tuple[int, str]] = []  # free text since the last block ended
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        begin, end = _PEM_BEGIN.fullmatch(line), _PEM_END.fullmatch(line)
        if begin is None and end is None and ("-----BEGIN" in line or "-----END" in line):
            raise CertificateError(
                f"{file_name}: line {number}: a damaged BEGIN or END line: {line[:60]!r}"
            )
        if current is not None:
            if end is not None and end.group(1) == current.label:
                blocks.append(current)
                current = None
            elif begin is not None or end is not None:
                raise CertificateError(
                    f"{file_name}: line {current.line}: the {current.label} block has no END "
                    f"line before line {number} (the block is cut short)"
                )
            else:
                current.body.append(line)
            continue
        if begin is not None:
            fault = _between_fault(between) if blocks else None
            if fault is not None:
                raise CertificateError(
                    f"{file_name}: line {fault[0]}: unexpected text between certificates: "
                    f"{fault[1].strip()[:60]!r}"
                )
            between = []
            current = _PemBlock(begin.group(1), number, [])
        elif end is not None:
            raise CertificateError(f"{file_name}: line {number}: an END line without its BEGIN")
        elif line:
            fault_text = _outside_line_fault(raw)
            if fault_text is not None:
                raise CertificateError(f"{file_name}: line {number}: {fault_text}")
            between.append((number, raw))
    if current is not None:
        raise CertificateError(
            f"{file_name}: line {current.line}: the {current.label} block has no END line "
            "(the file is cut short)"
        )
    return blocks


def _block_der(block: _PemBlock, where: str) -> bytes:
    import base64
    import binascii

    try:
        der = base64.b64decode("".join(block.body), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CertificateError(f"{where}: its base64 text is broken") from exc
    if block.label == "TRUSTED CERTIFICATE":  # OpenSSL's: the certificate, then trust settings
        item = _der_item(der, 0)
        der = der[: item[2]] if item is not None else der
    return der


def _file_certificate(position: int, line: int, der: bytes, file_name: str) -> FileCertificate:
    """The certificate of DER bytes; ValueError when they hold none."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        certificate = x509.load_der_x509_certificate(der)
        fields = _certificate_fields(certificate)
    root = fields["self_signed"] and fields["is_ca"]
    notes = tuple(dict.fromkeys(str(w.message) for w in caught))
    info = CertificateInfo(ROOT if root else PKCS1, **fields, notes=notes)
    name = _common_name(certificate) or info.subject or file_name
    issuer_name = _common_name(certificate, of_issuer=True) or info.issuer
    der = certificate.public_bytes(Encoding.DER)
    return FileCertificate(position, line, der, info, name, issuer_name)


def read_certificates(data: bytes, file_name: str) -> CertificateFile:
    """Every certificate of DER or PEM data, in order, a repeated one once; CertificateError
    naming the file and the fault when the data is not a clean certificate file."""
    if not data:
        raise CertificateError(f"{file_name}: the file is empty")
    if not is_pem(data):
        try:
            only = _file_certificate(1, 0, data, file_name)
        except Exception as exc:
            raise CertificateError(
                f"{file_name}: the file is neither a certificate (DER or PEM) nor PKCS#12 data"
            ) from exc
        return CertificateFile(file_name, (only,))
    found: list[FileCertificate] = []
    notes: list[str] = []
    position = 0
    for block in _pem_blocks(data.decode("utf-8", "replace"), file_name):
        if block.label not in _CERTIFICATE_LABELS:
            key = "KEY" in block.label
            why = " (a private key belongs in a PKCS#12 identity)" if key else ""
            notes.append(f"The {block.label} of line {block.line} is not added{why}.")
            continue
        position += 1
        where = f"{file_name}: certificate {position} (line {block.line})"
        try:
            made = _file_certificate(position, block.line, _block_der(block, where), file_name)
        except CertificateError:
            raise
        except Exception as exc:
            raise CertificateError(f"{where}: its data is not a readable certificate") from exc
        earlier = next((c for c in found if c.der == made.der), None)
        if earlier is not None:
            notes.append(
                f"The certificate of line {block.line} repeats the one of line {earlier.line}."
            )
            continue
        found.append(made)
    if not found:
        raise CertificateError(f"{file_name}: the PEM file holds no readable certificate")
    return CertificateFile(file_name, tuple(found), tuple(notes))


def certificates_from_file(path: Path) -> CertificateFile:
    """`read_certificates` of a file; CertificateError naming it when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateError(
            f"{path.name}: cannot read the file ({exc.strerror or exc})"
        ) from exc
    return read_certificates(data, path.name)


def certificate_payload(
    certificate: FileCertificate, identifier_base: str, file_name: str, display_name: str = ""
) -> dict[str, Any]:
    """The root or pkcs1 payload holding one certificate of a file, in DER."""
    name = display_name or certificate.name
    return _payload(certificate.payload_type, identifier_base, name, file_name, certificate.der)


def certificates_in_profile(profile: Profile) -> dict[bytes, int]:
    """The DER of each certificate the profile's certificate payloads hold, with the index
    of the first payload holding it: what adding the same certificate again would repeat."""
    held: dict[bytes, int] = {}
    for index, payload in profile.payload_dicts():
        content = payload.get("PayloadContent")
        if payload.get("PayloadType") in CERTIFICATE_TYPES and isinstance(content, bytes):
            der = _certificate_der(content)
            if isinstance(der, bytes) and der:
                held.setdefault(der, index)
    return held


def certificates_for_payload(
    found: Sequence[FileCertificate], payload_type: str, current: bytes | None = None
) -> list[FileCertificate]:
    """Those of a file's certificates that fit a payload of that type: a root payload
    takes self-signed CAs, a pkcs1 payload the others. When several fit and the payload
    holds a certificate now, one with the same subject (its renewal) is the fit."""
    if len(found) == 1:
        return list(found)
    fitting = [c for c in found if c.payload_type == payload_type]
    if len(fitting) > 1 and current:
        try:
            subject = _load_certificate(current).subject.rfc4514_string()
        except Exception:
            return fitting
        renewed = [c for c in fitting if c.info.subject == subject]
        if len(renewed) == 1:
            return renewed
    return fitting


def identity_payloads(profile: Profile) -> list[tuple[str, str, dict[str, Any]]]:
    """(PayloadUUID, PayloadType, payload) of each identity payload a reference may name."""
    found = []
    for _index, payload in profile.payload_dicts():
        kind, uuid = payload.get("PayloadType"), payload.get("PayloadUUID")
        if isinstance(kind, str) and kind in IDENTITY_TYPES and isinstance(uuid, str) and uuid:
            found.append((uuid, kind, payload))
    return found
