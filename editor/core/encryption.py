"""Encrypted profiles (EncryptedPayloadContent) and PKCS#12 payloads iOS can read.

Encrypting (`encrypt_profile`): the PayloadContent array is written as an XML plist and
wrapped in DER CMS EnvelopedData (AES-256-CBC, RSA PKCS#1 v1.5 key transport) for the
device certificates given; it replaces PayloadContent as EncryptedPayloadContent, and
IsEncrypted becomes true. The outer keys (PayloadIdentifier, PayloadDisplayName, ...)
stay readable. To sign as well, encrypt first, then sign the result; to open, unwrap
the signature first (the profile reader does that), then decrypt.

Decrypting (`decrypt_profile`) needs the recipient's identity (RSA key + certificate);
`encryption_info` tells what an encrypted profile holds without it: the outer keys,
the cipher and which certificates (issuer + serial) can open it.

PKCS#12 (`inspect_pkcs12`, `reencode_pkcs12_legacy`): OpenSSL 3 writes PKCS#12 files
with PBES2/PBKDF2 and AES-256-CBC and an HMAC-SHA-256 MAC by default; iOS refuses them
as "password incorrect". The inspection reads the algorithms with asn1crypto (they are
visible without the password), checks the password when it is given, and reports what
iOS cannot read; re-encoding writes the same key and certificates with SHA-1/3DES
PKCS#12 PBE and a SHA-1 MAC, which iOS accepts.

cryptography is imported inside the functions so that validation does not pay for it.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from editor.core.errors import EditorError
from editor.core.payload_types import PKCS12 as PKCS12_TYPE
from editor.core.plistio import ProfileReadError, parse_plist_bytes, serialize_plist
from editor.core.plisttypes import PlistDict

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

    from editor.core.signing import Identity

ENCRYPTED_KEY = "EncryptedPayloadContent"
CONTENT_KEY = "PayloadContent"
FLAG_KEY = "IsEncrypted"

# PKCS#12 PBE algorithms (asn1crypto names) that iOS reads.
IOS_PKCS12_ALGORITHMS = frozenset(
    {
        "pkcs12_sha1_tripledes_3key",
        "pkcs12_sha1_tripledes_2key",
        "pkcs12_sha1_rc2_40",
        "pkcs12_sha1_rc2_128",
    }
)
IOS_PKCS12_MACS = frozenset({"sha1"})
LEGACY_KDF_ROUNDS = 2048  # what `openssl pkcs12 -export -legacy` uses


class EncryptionError(EditorError):
    """A one-line failure: a profile, certificate or identity that cannot be used."""


# --- encrypted profiles ---------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """A certificate that can open the envelope: issuer + serial, or its key identifier
    (issuer "" and serial 0 then)."""

    issuer: str
    serial: int
    key_identifier: bytes | None = None


@dataclass(frozen=True)
class EncryptionInfo:
    """What an encrypted profile tells without the key."""

    outer_keys: tuple[str, ...]
    recipients: tuple[Recipient, ...]
    cipher: str  # "aes256_cbc", ...
    key_transport: tuple[str, ...]  # "rsaes_pkcs1v15", ...
    error: str | None = None

    @property
    def needed(self) -> str:
        if self.error is not None:
            return self.error
        if not self.recipients:
            return "the envelope names no recipient that can open it"
        names = "; or ".join(
            f"the certificate issued by {r.issuer} (serial {r.serial:X})"
            if r.key_identifier is None
            else f"the certificate with key identifier {r.key_identifier.hex(':').upper()}"
            for r in self.recipients
        )
        return f"to read the payloads, the private key of {names}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _rsa_certificate(cert: x509.Certificate, source: str) -> x509.Certificate:
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        raise EncryptionError(
            f"{source}: encryption needs an RSA device certificate; this one has a "
            f"{type(cert.public_key()).__name__.removeprefix('_')}"
        )
    return cert


def load_recipient(path: str) -> x509.Certificate:
    """The first certificate of a PEM or DER file, which must hold an RSA key."""
    from editor.core.signing import SigningError, _load_certificates, _read

    try:
        cert = _load_certificates(_read(path, "certificate"), path)[0]
    except SigningError as exc:
        raise EncryptionError(str(exc)) from None
    return _rsa_certificate(cert, path)


def _replace_key(root: PlistDict, old: str, new: str, value: Any) -> PlistDict:
    """A copy of root with `old` replaced by `new` in the same place."""
    return {(new if k == old else k): (value if k == old else v) for k, v in root.items()}


def encrypt_profile(
    root: PlistDict, recipients: Sequence[x509.Certificate], source: str = "the profile"
) -> PlistDict:
    """A new root whose PayloadContent is encrypted for the recipients (RSA)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.ciphers import algorithms
    from cryptography.hazmat.primitives.serialization import pkcs7

    if ENCRYPTED_KEY in root:
        raise EncryptionError(f"{source}: the profile is already encrypted")
    content = root.get(CONTENT_KEY)
    if not isinstance(content, list):
        raise EncryptionError(f"{source}: the profile has no PayloadContent array to encrypt")
    if not recipients:
        raise EncryptionError(f"{source}: encryption needs at least one recipient certificate")
    try:
        plaintext = serialize_plist(cast(PlistDict, content), "xml")
    except ValueError as exc:
        raise EncryptionError(f"{source}: the payloads cannot be written: {exc}") from None
    builder = pkcs7.PKCS7EnvelopeBuilder().set_data(plaintext)
    for cert in recipients:
        builder = builder.add_recipient(_rsa_certificate(cert, source))
    envelope = builder.set_content_encryption_algorithm(algorithms.AES256).encrypt(
        serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary]
    )
    result = _replace_key(root, CONTENT_KEY, ENCRYPTED_KEY, envelope)
    result[FLAG_KEY] = True  # an existing key keeps its place
    return result


def _envelope(root: PlistDict, source: str) -> tuple[bytes, Any]:
    from asn1crypto import cms

    data = root.get(ENCRYPTED_KEY)
    if data is None:
        raise EncryptionError(f"{source}: the profile is not encrypted")
    if not isinstance(data, bytes):
        raise EncryptionError(f"{source}: EncryptedPayloadContent is not data")
    try:
        info = cms.ContentInfo.load(data, strict=True)
        kind = info["content_type"].native
        if kind != "enveloped_data":
            raise EncryptionError(
                f"{source}: EncryptedPayloadContent holds CMS {kind}, not enveloped data"
            )
        envelope = info["content"]
        envelope["recipient_infos"].native  # noqa: B018 - parse everything now
        envelope["encrypted_content_info"]["content_encryption_algorithm"].native  # noqa: B018
    except EncryptionError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise EncryptionError(
            f"{source}: EncryptedPayloadContent is not a readable CMS envelope ({_one_line(exc)})"
        ) from None
    return data, envelope


def encryption_info(root: PlistDict, source: str = "the profile") -> EncryptionInfo:
    """The outer keys and what is needed to decrypt; never raises."""
    outer = tuple(k for k in root if k != ENCRYPTED_KEY)
    try:
        _, envelope = _envelope(root, source)
    except EncryptionError as exc:
        return EncryptionInfo(outer, (), "", (), error=str(exc))
    recipients = []
    transports = []
    for choice in envelope["recipient_infos"]:
        if choice.name != "ktri":
            transports.append(choice.name)
            continue
        ktri = choice.chosen
        transports.append(str(ktri["key_encryption_algorithm"]["algorithm"].native))
        rid = ktri["rid"]
        if rid.name == "issuer_and_serial_number":
            recipients.append(
                Recipient(
                    rid.chosen["issuer"].human_friendly, int(rid.chosen["serial_number"].native)
                )
            )
        else:
            recipients.append(Recipient("", 0, bytes(rid.chosen.native)))
    cipher = envelope["encrypted_content_info"]["content_encryption_algorithm"]["algorithm"]
    return EncryptionInfo(outer, tuple(recipients), str(cipher.native), tuple(transports))


def _key_identifier(cert: x509.Certificate) -> bytes | None:
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return None


def _decrypt_envelope(
    envelope: Any, cert: x509.Certificate, key_id: bytes | None, key: RSAPrivateKey
) -> bytes:
    """Decrypt EnvelopedData read by asn1crypto: RSA PKCS#1 v1.5 or OAEP key transport,
    AES-CBC (any key size) or 3DES-CBC content. ValueError when it cannot."""
    from cryptography.hazmat.primitives import padding as block_padding
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, CipherAlgorithm, algorithms, modes

    from editor.core.signing import _hash

    issuer = cert.issuer.public_bytes()
    for choice in envelope["recipient_infos"]:
        if choice.name != "ktri":
            continue
        ktri = choice.chosen
        rid = ktri["rid"]
        if rid.name == "issuer_and_serial_number":
            if (
                rid.chosen["serial_number"].native != cert.serial_number
                or rid.chosen["issuer"].dump() != issuer
            ):
                continue
        elif key_id is None or rid.chosen.native != key_id:
            continue
        transport = ktri["key_encryption_algorithm"]
        scheme: padding.AsymmetricPadding
        if transport["algorithm"].native == "rsaes_pkcs1v15":
            scheme = padding.PKCS1v15()
        elif transport["algorithm"].native == "rsaes_oaep":
            params = transport["parameters"]
            label = params["p_source_algorithm"]["parameters"].native or None
            scheme = padding.OAEP(
                padding.MGF1(_hash(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)),
                _hash(params["hash_algorithm"]["algorithm"].native),
                label,
            )
        else:
            raise ValueError(f"key transport {transport['algorithm'].native} is not supported")
        content_key = key.decrypt(ktri["encrypted_key"].native, scheme)
        content = envelope["encrypted_content_info"]
        algorithm = content["content_encryption_algorithm"]
        name = algorithm["algorithm"].native
        cipher: CipherAlgorithm
        if name in ("aes128_cbc", "aes192_cbc", "aes256_cbc"):
            cipher = algorithms.AES(content_key)
        elif name == "tripledes_3key":
            from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES

            cipher = TripleDES(content_key)
        else:
            raise ValueError(f"content encryption {name} is not supported")
        ciphertext = content["encrypted_content"].native
        if not isinstance(ciphertext, bytes):
            raise ValueError("the envelope holds no encrypted content")
        decryptor = Cipher(cipher, modes.CBC(algorithm.encryption_iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = block_padding.PKCS7(cipher.block_size).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    raise ValueError("the envelope has no recipient entry for this certificate")


def decrypt_profile(root: PlistDict, identity: Identity, source: str = "the profile") -> PlistDict:
    """A new root with EncryptedPayloadContent decrypted back into PayloadContent."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs7

    from editor.core.signing import summarize_certificate

    data, envelope = _envelope(root, source)
    info = encryption_info(root, source)
    cert = identity.certificate
    issuer = summarize_certificate(cert).issuer
    key_id = _key_identifier(cert)
    if info.recipients and not any(
        (r.serial == cert.serial_number and r.issuer == issuer)
        or (r.key_identifier is not None and r.key_identifier == key_id)
        for r in info.recipients
    ):
        raise EncryptionError(
            f"{source}: the profile was not encrypted for this certificate; it needs "
            + info.needed.removeprefix("to read the payloads, ")
        )
    if not isinstance(identity.key, rsa.RSAPrivateKey):
        raise EncryptionError(f"{source}: decrypting needs an RSA identity")
    try:
        plaintext = pkcs7.pkcs7_decrypt_der(data, cert, identity.key, [])
    except (ValueError, UnsupportedAlgorithm) as exc:
        # 3DES, AES-192, RSA-OAEP or key-identifier recipients: cryptography's CMS
        # decryption refuses them; the envelope is read with asn1crypto instead.
        try:
            plaintext = _decrypt_envelope(envelope, cert, key_id, identity.key)
        except (ValueError, TypeError, KeyError, UnsupportedAlgorithm) as fallback:
            reason = _one_line(fallback) or _one_line(exc)
            raise EncryptionError(
                f"{source}: cannot decrypt the {info.cipher} envelope ({reason})"
            ) from None
    try:
        loaded = parse_plist_bytes(plaintext, f"{source} (decrypted payloads)")
    except ProfileReadError as exc:
        raise EncryptionError(str(exc)) from None
    if not isinstance(loaded.root, list):
        raise EncryptionError(f"{source}: the decrypted content is not an array of payloads")
    result = _replace_key(root, ENCRYPTED_KEY, CONTENT_KEY, loaded.root)
    result.pop(FLAG_KEY, None)
    return result


# --- PKCS#12 payloads --------------------------------------------------------------------


@dataclass(frozen=True)
class Pkcs12Inspection:
    """How a PKCS#12 file is protected, and whether iOS can open it."""

    key_algorithms: tuple[str, ...] = ()
    certificate_algorithms: tuple[str, ...] = ()  # "none" for an unencrypted bag
    mac_algorithm: str | None = None
    mac_iterations: int | None = None
    password_ok: bool | None = None  # None: no password given
    ios_compatible: bool = False
    problems: tuple[str, ...] = ()
    error: str | None = None  # the structure is unreadable

    @property
    def needs_reencoding(self) -> bool:
        return self.error is None and not self.ios_compatible


def _describe_algorithm(algorithm: Any) -> tuple[str, bool]:
    """(readable text, iOS reads it)."""
    name = str(algorithm["algorithm"].native)
    if name != "pbes2":
        return name, name in IOS_PKCS12_ALGORITHMS
    params = algorithm["parameters"]
    scheme = params["encryption_scheme"]["algorithm"].native
    kdf = params["key_derivation_func"]
    text = f"PBES2 ({kdf['algorithm'].native}"
    if kdf["algorithm"].native == "pbkdf2":
        prf = kdf["parameters"]["prf"]["algorithm"].native
        text += f" {prf}"
    return f"{text}, {scheme})", False


def _password_bytes(password: str | bytes | None) -> bytes | None:
    if isinstance(password, str):
        return password.encode("utf-8")
    return password


def inspect_pkcs12(data: bytes, password: str | bytes | None = None) -> Pkcs12Inspection:
    """Read a PKCS#12 file's algorithms (and check the password when given). Never raises."""
    from asn1crypto import pkcs12 as asn1_pkcs12

    key_algorithms: list[str] = []
    cert_algorithms: list[str] = []
    problems: list[str] = []
    compatible = True
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        if pfx["auth_safe"]["content_type"].native != "data":
            return Pkcs12Inspection(
                error="the PKCS#12 file uses public-key integrity mode, which iOS cannot read"
            )
        for info in pfx.authenticated_safe:
            kind = info["content_type"].native
            if kind == "encrypted_data":
                algorithm = info["content"]["encrypted_content_info"][
                    "content_encryption_algorithm"
                ]
                text, ok = _describe_algorithm(algorithm)
                cert_algorithms.append(text)
                if not ok:
                    compatible = False
                    problems.append(
                        f"the certificates are encrypted with {text}, which iOS cannot read"
                    )
                continue
            if kind != "data":
                problems.append(f"a {kind} part that iOS may not read")
                continue
            bags = asn1_pkcs12.SafeContents.load(info["content"].native)
            for bag in bags:
                bag_id = bag["bag_id"].native
                if bag_id == "pkcs8_shrouded_key_bag":
                    text, ok = _describe_algorithm(bag["bag_value"]["encryption_algorithm"])
                    key_algorithms.append(text)
                    if not ok:
                        compatible = False
                        problems.append(
                            f"the private key is encrypted with {text}, which iOS cannot read"
                        )
                elif bag_id == "key_bag":
                    key_algorithms.append("none")
                    problems.append("the private key is not encrypted")
                elif bag_id == "cert_bag":
                    cert_algorithms.append("none")
        mac_algorithm = None
        mac_iterations = None
        if pfx["mac_data"]:
            mac = pfx["mac_data"]
            mac_algorithm = str(mac["mac"]["digest_algorithm"]["algorithm"].native)
            mac_iterations = int(mac["iterations"].native)
            if mac_algorithm not in IOS_PKCS12_MACS:
                compatible = False
                problems.append(
                    f"the integrity check uses {mac_algorithm.upper()}; iOS expects SHA-1"
                )
        else:
            problems.append("the file has no password integrity check (MAC)")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return Pkcs12Inspection(error=f"not a readable PKCS#12 file ({_one_line(exc)})")
    except Exception as exc:  # asn1crypto raises odd types on damaged input
        return Pkcs12Inspection(error=f"not a readable PKCS#12 file ({_one_line(exc)})")
    if not key_algorithms:
        compatible = False
        problems.append("the file holds no private key")
    password_ok = None
    if password is not None:
        password_ok = _opens(data, _password_bytes(password))
        if not password_ok:
            problems.append("the password does not open the file")
        elif not password:
            problems.append("the password is empty; iOS cannot install such a file")
    return Pkcs12Inspection(
        key_algorithms=tuple(key_algorithms),
        certificate_algorithms=tuple(cert_algorithms),
        mac_algorithm=mac_algorithm,
        mac_iterations=mac_iterations,
        password_ok=password_ok,
        ios_compatible=compatible,
        problems=tuple(problems),
    )


def _opens(data: bytes, password: bytes | None) -> bool:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # legacy algorithms are what we inspect
            pkcs12.load_pkcs12(data, password or None)
    except (ValueError, TypeError):
        if password:
            return False
        try:
            pkcs12.load_pkcs12(data, b"")
        except (ValueError, TypeError):
            return False
    return True


def reencode_pkcs12_legacy(
    data: bytes, password: str | bytes, kdf_rounds: int = LEGACY_KDF_ROUNDS
) -> bytes:
    """The same key and certificates, protected with SHA-1/3DES PBE and a SHA-1 MAC under
    the same password, which iOS reads. Friendly names are kept."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    secret = _password_bytes(password)
    if not secret:
        raise EncryptionError("re-encoding needs a non-empty password (iOS refuses empty ones)")
    try:
        loaded = pkcs12.load_pkcs12(data, secret)
    except (ValueError, TypeError) as exc:
        raise EncryptionError(
            f"the PKCS#12 file does not open with this password ({_one_line(exc)})"
        ) from None
    if loaded.key is None or loaded.cert is None:
        raise EncryptionError("the PKCS#12 file holds no private key with its certificate")
    key = loaded.key
    if not isinstance(
        key,
        rsa.RSAPrivateKey
        | dsa.DSAPrivateKey
        | ec.EllipticCurvePrivateKey
        | ed25519.Ed25519PrivateKey
        | ed448.Ed448PrivateKey,
    ):
        raise EncryptionError(f"a {type(key).__name__} cannot be stored in a legacy PKCS#12 file")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 3DES and SHA-1 are deliberate: iOS needs them
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(kdf_rounds)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
            .build(secret)
        )
        return pkcs12.serialize_key_and_certificates(
            loaded.cert.friendly_name,
            key,
            loaded.cert.certificate,
            list(loaded.additional_certs) or None,
            encryption,
        )


def _payload_password(payload: PlistDict) -> str | None:
    password = payload.get("Password")
    return password if isinstance(password, str) else None


def inspect_pkcs12_payload(payload: PlistDict) -> Pkcs12Inspection | None:
    """The inspection of a com.apple.security.pkcs12 payload (None for other payloads)."""
    if payload.get("PayloadType") != PKCS12_TYPE:
        return None
    content = payload.get(CONTENT_KEY)
    if not isinstance(content, bytes):
        return Pkcs12Inspection(error="PayloadContent is not data")
    return inspect_pkcs12(content, _payload_password(payload))


def reencode_pkcs12_payload(payload: PlistDict, password: str | None = None) -> PlistDict:
    """A copy of the payload with its PKCS#12 data re-encoded for iOS. The password is
    the payload's own unless given."""
    content = payload.get(CONTENT_KEY)
    if not isinstance(content, bytes):
        raise EncryptionError("PayloadContent is not data")
    secret = password if password is not None else _payload_password(payload)
    if secret is None:
        raise EncryptionError("the payload has no password; give the PKCS#12 password")
    result = copy.copy(payload)
    result[CONTENT_KEY] = reencode_pkcs12_legacy(content, secret)
    return result
