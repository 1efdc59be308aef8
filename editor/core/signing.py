"""Signing profiles (CMS SignedData) and checking their signatures, fully offline.

Signing: `sign_profile(content, identity)` returns DER CMS SignedData with the content
attached byte for byte (PKCS7Options.Binary: no line-ending change), SHA-256, the signer
certificate and its intermediates (never a self-signed root), and a signing time. RSA
and EC keys. `load_identity` reads the identity from a PKCS#12 file or from PEM key,
certificate and chain files; a passphrase is asked for through a callback only when the
file needs one, and it is never stored.

Verifying: `verify_profile(data, anchors)` checks, with asn1crypto for the structure and
cryptography for the arithmetic (cryptography has no public SignedData verify):

1. the content digest against the signed messageDigest attribute (`digest_ok`);
2. the signature over the signed attributes with the signer's public key
   (`signature_ok`);
3. whether the signer's chain reaches one of the trust anchors the user gave
   (`trusted`; None when no anchors were given), with `cryptography.x509.verification`
   and relaxed policies (enterprise roots often lack keyUsage; signers carry
   emailProtection or codeSigning rather than clientAuth);
4. whether the signer certificate has expired (a device then treats the profile as
   unsigned).

`VerifyResult.status` sums it up: "valid" (all good and trusted), "invalid" (digest or
signature wrong, or the signer certificate missing), "expired", "untrusted" (no anchors
given or the chain does not reach one), "unsigned".

The JSON form (`VerifyResult.as_json(file)`, used by `vpn-profile verify --format json`):

    {"file": str, "signed": bool,
     "signer": {"subject": str, "issuer": str, "serial": str (uppercase hex),
                "not_before": ISO 8601, "not_after": ISO 8601} | null,
     "signing_time": ISO 8601 | null, "digest_algorithm": str | null,
     "digest_ok": bool, "signature_ok": bool, "trusted": bool | null, "expired": bool,
     "chain": [subject, ...]  (signer first; the verified chain when trusted),
     "status": "valid" | "invalid" | "untrusted" | "expired" | "unsigned",
     "messages": [str, ...]}

cryptography is imported inside the functions so that validation does not pay for it.
"""

from __future__ import annotations

import datetime
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from editor.core.cms import (
    CertificateSummary,
    CMSError,
    load_content_info,
    looks_like_cms,
    one_line,
)
from editor.core.errors import EditorError
from editor.core.plistio import unreadable_reason

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.hashes import HashAlgorithm

    SigningKey = RSAPrivateKey | EllipticCurvePrivateKey

Status = Literal["valid", "invalid", "untrusted", "expired", "unsigned"]
# A passphrase: the bytes themselves, a callback asked only when one is needed, or None.
Passphrase = bytes | Callable[[], bytes] | None

CERTIFICATE_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der"})


class SigningError(EditorError):
    """A one-line failure: an identity, trust anchor or envelope that cannot be used.
    The message names the file when there is one."""


# --- identities ------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """A private key with its certificate and the intermediates to send along."""

    key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()
    # self-signed roots that came with it: never sent, but they tell whether the
    # signer's issuer is a root (nothing to include) or a missing intermediate
    roots: tuple[x509.Certificate, ...] = ()

    @property
    def summary(self) -> CertificateSummary:
        return summarize_certificate(self.certificate)


def summarize_certificate(cert: x509.Certificate) -> CertificateSummary:
    return CertificateSummary(
        subject=_name_text(cert.subject),
        issuer=_name_text(cert.issuer),
        serial=cert.serial_number,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def _name_text(name: x509.Name) -> str:
    """'Common Name: X, Organization: Y', as asn1crypto's human_friendly writes it (the
    summaries read from envelopes use that form too)."""
    from asn1crypto import x509 as asn1_x509

    try:
        return str(asn1_x509.Name.load(name.public_bytes()).human_friendly)
    except Exception:  # pragma: no cover - asn1crypto reads every name cryptography wrote
        return name.rfc4514_string()


def _read(path: Path | str, what: str) -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: {unreadable_reason(exc, f'{what} file')}") from None


def _ask(passphrase: Passphrase) -> bytes | None:
    if callable(passphrase):
        return passphrase()
    return passphrase


def _load_certificates(data: bytes, source: str) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, or the one DER certificate."""
    from cryptography import x509

    try:
        if b"-----BEGIN" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except (ValueError, x509.InvalidVersion) as exc:
        reason = " ".join(str(exc).split()) or "unreadable"
        raise SigningError(f"{source}: not a PEM or DER certificate ({reason})") from None


def _check_key(key: object, cert: x509.Certificate, source: str) -> SigningKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningError(
            f"{source}: a {type(key).__name__.removeprefix('_')} key cannot sign profiles; "
            "use an RSA or EC key"
        )
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, spki) != cert.public_key().public_bytes(der, spki):
        raise SigningError(f"{source}: the private key does not belong to the certificate")
    if not _signs_verifiably(key, cert):
        raise SigningError(
            f"{source}: the private key is damaged: what it signs does not verify with the "
            "certificate"
        )
    return key


def _signs_verifiably(key: SigningKey, cert: x509.Certificate) -> bool:
    """A trial signature that the certificate's public key must verify. It stands in for
    OpenSSL's check of an RSA key's factors (about 35 ms for 2048 bits, skipped on load):
    what matters for signing is that devices can verify the signatures."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    trial = b"vpn-profile-editor trial signature"
    public = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPrivateKey) and isinstance(public, rsa.RSAPublicKey):
            signature = key.sign(trial, padding.PKCS1v15(), hashes.SHA256())
            public.verify(signature, trial, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(
            public, ec.EllipticCurvePublicKey
        ):
            signature = key.sign(trial, ec.ECDSA(hashes.SHA256()))
            public.verify(signature, trial, ec.ECDSA(hashes.SHA256()))
        else:  # pragma: no cover - _check_key compared the public keys first
            return False
    except InvalidSignature:
        return False
    return True


def _intermediates(
    leaf: x509.Certificate, extra: Iterable[x509.Certificate]
) -> tuple[x509.Certificate, ...]:
    """The extra certificates minus the leaf itself and self-signed roots."""
    kept: list[x509.Certificate] = []
    for cert in extra:
        if cert == leaf or cert in kept or cert.subject == cert.issuer:
            continue
        kept.append(cert)
    return tuple(kept)


def _roots(
    leaf: x509.Certificate, extra: Iterable[x509.Certificate]
) -> tuple[x509.Certificate, ...]:
    """The self-signed certificates among the extra ones (what _intermediates leaves out)."""
    return tuple(c for c in extra if c != leaf and c.subject == c.issuer)


def load_pkcs12_identity(path: Path | str, passphrase: Passphrase = None) -> Identity:
    """An identity from a .p12/.pfx file. Without a passphrase an unprotected file is
    tried first; the callback is asked only when the file needs a passphrase."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    data = _read(path, "PKCS#12")
    source = str(path)
    # a given passphrase is used as is; otherwise try an unprotected file first
    candidates: list[Passphrase] = (
        [passphrase] if isinstance(passphrase, bytes) else [None, b"", passphrase]
    )
    if passphrase is None:
        candidates = [None, b""]
    loaded = None
    last_error = ""
    for candidate in candidates:
        try:
            loaded = pkcs12.load_pkcs12(data, _ask(candidate))
            break
        except ValueError as exc:
            last_error = " ".join(str(exc).split())
        except TypeError as exc:  # pragma: no cover - bad passphrase type from a callback
            last_error = str(exc)
    if loaded is None:
        if "password" in last_error.lower() or "mac" in last_error.lower():
            raise SigningError(f"{source}: wrong passphrase, or not a PKCS#12 file")
        raise SigningError(f"{source}: not a readable PKCS#12 file ({last_error})")
    if loaded.key is None or loaded.cert is None:
        raise SigningError(f"{source}: the PKCS#12 file holds no private key with its certificate")
    certificate = loaded.cert.certificate
    key = _check_key(loaded.key, certificate, source)
    extra = [c.certificate for c in loaded.additional_certs]
    return Identity(
        key, certificate, _intermediates(certificate, extra), _roots(certificate, extra)
    )


def load_pem_identity(
    key_path: Path | str,
    cert_path: Path | str,
    chain_paths: Sequence[Path | str] = (),
    passphrase: Passphrase = None,
) -> Identity:
    """An identity from a PEM (or DER) private key, certificate and optional chain files.
    An encrypted key asks for its passphrase."""
    from cryptography.hazmat.primitives import serialization

    key_data = _read(key_path, "key")
    certificates = _load_certificates(_read(cert_path, "certificate"), str(cert_path))
    certificate = certificates[0]
    loader = (
        serialization.load_pem_private_key
        if b"-----BEGIN" in key_data
        else serialization.load_der_private_key
    )
    # _check_key's trial signature replaces the slow check of an RSA key's factors.
    encrypted = False
    try:
        try:
            key = loader(key_data, None, unsafe_skip_rsa_key_validation=True)
        except TypeError:  # encrypted: now the passphrase is needed
            encrypted = True
            secret = _ask(passphrase)
            if secret is None:
                raise SigningError(
                    f"{key_path}: the key is encrypted and no passphrase was given"
                ) from None
            key = loader(key_data, secret, unsafe_skip_rsa_key_validation=True)
    except ValueError as exc:
        reason = " ".join(str(exc).split())
        # A wrong passphrase may also decrypt into bytes that do not parse as a key.
        if encrypted or "password" in reason.lower() or "decrypt" in reason.lower():
            raise SigningError(f"{key_path}: wrong passphrase for the key") from None
        raise SigningError(f"{key_path}: not a readable private key ({reason})") from None
    extra = list(certificates[1:])
    for chain_path in chain_paths:
        extra.extend(_load_certificates(_read(chain_path, "certificate"), str(chain_path)))
    checked = _check_key(key, certificate, str(key_path))
    return Identity(
        checked, certificate, _intermediates(certificate, extra), _roots(certificate, extra)
    )


def load_identity(
    pkcs12: Path | str | None = None,
    *,
    key: Path | str | None = None,
    cert: Path | str | None = None,
    chain: Sequence[Path | str] = (),
    passphrase: Passphrase = None,
) -> Identity:
    """An identity from a PKCS#12 file, or from key + certificate (+ chain) files."""
    if pkcs12 is not None:
        return load_pkcs12_identity(pkcs12, passphrase)
    if key is None or cert is None:
        raise SigningError("an identity needs a PKCS#12 file, or both a key and a certificate")
    return load_pem_identity(key, cert, chain, passphrase)


# --- signing ---------------------------------------------------------------------------


def sign_profile(content: bytes, identity: Identity) -> bytes:
    """DER CMS SignedData around the exact bytes given (attached, SHA-256)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(identity.certificate, identity.key, hashes.SHA256())
    )
    # add_certificate LAST: set_data/add_signer build a new builder without the
    # certificates added so far.
    for cert in identity.chain:
        builder = builder.add_certificate(cert)
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])


# --- what OpenSSL's default verification refuses ------------------------------------------

# `openssl cms -verify` checks the signer's chain for the S/MIME signing purpose unless
# told otherwise (crypto/cms/cms_smime.c, cms_signerinfo_verify_cert:
# X509_STORE_CTX_set_default(ctx, "smime_sign")). The test is check_purpose_smime_sign
# and purpose_smime in crypto/x509/v3_purp.c (OpenSSL 3.0): an extendedKeyUsage, when
# present, must list emailProtection (codeSigning, clientAuth or anyExtendedKeyUsage alone
# do not do); a Netscape certificate type, when present, must allow S/MIME (or SSL client,
# a workaround OpenSSL keeps); a keyUsage, when present, must allow digitalSignature or
# nonRepudiation. Intermediates are held to the same extendedKeyUsage rule. Measured with
# OpenSSL 3.0.19 (tests/test_signing.py): each refusal is "unsuitable certificate purpose".
EMAIL_PROTECTION_OID = "1.3.6.1.5.5.7.3.4"
NETSCAPE_CERT_TYPE_OID = "2.16.840.1.113730.1.1"
_NS_SSL_CLIENT, _NS_SMIME = 0x80, 0x20  # bits of the type's first byte, as OpenSSL reads it
_EKU_NAMES = {
    "1.3.6.1.5.5.7.3.1": "TLS server authentication (serverAuth)",
    "1.3.6.1.5.5.7.3.2": "TLS client authentication (clientAuth)",
    "1.3.6.1.5.5.7.3.3": "code signing (codeSigning)",
    EMAIL_PROTECTION_OID: "e-mail protection (emailProtection)",
    "1.3.6.1.5.5.7.3.8": "time stamping (timeStamping)",
    "1.3.6.1.5.5.7.3.9": "OCSP signing (OCSPSigning)",
    "2.5.29.37.0": "any purpose (anyExtendedKeyUsage)",
    "1.3.6.1.5.5.7.3.17": "IPsec IKE (ipsecIKE)",
}
_KEY_USAGE_NAMES = {
    "digital_signature": "digitalSignature",
    "content_commitment": "nonRepudiation",
    "key_encipherment": "keyEncipherment",
    "data_encipherment": "dataEncipherment",
    "key_agreement": "keyAgreement",
    "key_cert_sign": "keyCertSign",
    "crl_sign": "cRLSign",
}
# What to do about any refusal, said once after the reasons.
PURPOSE_FIX = (
    "sign with a certificate whose extended key usage, if present, includes e-mail "
    "protection (emailProtection), as its intermediates' must too, and whose key usage, "
    "if present, includes digitalSignature"
)


def _extension(cert: x509.Certificate, oid: str) -> Any:
    """An extension's value, or None when absent (or unreadable: OpenSSL then refuses
    the certificate for other reasons)."""
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(oid)).value
    except x509.ExtensionNotFound:
        return None
    except ValueError:
        return None


def _eku_refusal(cert: x509.Certificate) -> str | None:
    usages = _extension(cert, "2.5.29.37")  # extendedKeyUsage
    if usages is None:
        return None
    dotted = [u.dotted_string for u in usages]
    if EMAIL_PROTECTION_OID in dotted:
        return None
    named = ", ".join(_EKU_NAMES.get(d, d) for d in dotted) or "nothing"
    return f"its extended key usage lists {named} but not e-mail protection"


def _key_usage_refusal(cert: x509.Certificate) -> str | None:
    usage = _extension(cert, "2.5.29.15")  # keyUsage
    if usage is None or usage.digital_signature or usage.content_commitment:
        return None
    allowed = [name for attr, name in _KEY_USAGE_NAMES.items() if getattr(usage, attr)]
    listed = ", ".join(allowed) or "nothing"
    return f"its key usage lists {listed} but neither digitalSignature nor nonRepudiation"


def _netscape_type_refusal(cert: x509.Certificate) -> str | None:
    value = _extension(cert, NETSCAPE_CERT_TYPE_OID)
    if value is None:
        return None
    der = bytes(getattr(value, "value", b""))
    # a DER BIT STRING: tag, length, unused bits, then the bits; OpenSSL reads the first byte
    bits = der[3] if len(der) > 3 else 0
    if bits & (_NS_SMIME | _NS_SSL_CLIENT):
        return None
    return "its Netscape certificate type allows neither S/MIME nor SSL client"


def openssl_purpose_refusals(
    certificate: x509.Certificate, chain: Sequence[x509.Certificate] = ()
) -> tuple[str, ...]:
    """Why OpenSSL's default check (the S/MIME signing purpose) would refuse this signer
    and the intermediates sent with it, one reason per fault naming the certificate;
    empty when it passes. Only the extensions are judged: not dates, not trust."""
    reasons: list[str] = []
    name = _short(certificate)
    for check in (_eku_refusal, _netscape_type_refusal, _key_usage_refusal):
        reason = check(certificate)
        if reason is not None:
            reasons.append(f"the signer {name}: {reason}")
    for intermediate in chain:
        reason = _eku_refusal(intermediate)
        if reason is not None:
            reasons.append(f"the intermediate {_short(intermediate)}: {reason}")
    return tuple(reasons)


def purpose_warning(refusals: Sequence[str]) -> str:
    """One sentence for the refusals of openssl_purpose_refusals (which must not be empty)."""
    return (
        "OpenSSL's default verification (openssl cms -verify) refuses this signature as "
        f'"unsuitable certificate purpose": {"; ".join(refusals)}. To fix it, {PURPOSE_FIX}.'
    )


def _short(cert: x509.Certificate) -> str:
    """The common name, else the whole subject: what people recognise a certificate by."""
    from cryptography.x509.oid import NameOID

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else _name_text(cert.subject)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    from cryptography.exceptions import InvalidSignature

    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def missing_issuer(identity: Identity) -> str | None:
    """The name of the CA that issued the signer when it is neither sent along (among the
    intermediates) nor known to be a root (a self-signed certificate that came with the
    identity: devices hold roots themselves); None when nothing is missing. An issuer
    that was not supplied at all may be either, so it counts as missing."""
    cert = identity.certificate
    if cert.subject == cert.issuer:
        return None  # self-signed: there is no issuer to send
    if any(_issued_by(cert, other) for other in (*identity.chain, *identity.roots)):
        return None
    from cryptography.x509.oid import NameOID

    names = cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else _name_text(cert.issuer)


# --- trust anchors -----------------------------------------------------------------------


def load_trust_anchors(paths: Iterable[Path | str]) -> list[x509.Certificate]:
    """Certificates from PEM/DER files and from folders (their .pem, .crt, .cer and .der
    files). A named file that is not a certificate is an error; so is a folder with none."""
    anchors: list[x509.Certificate] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            found = 0
            for child in sorted(path.iterdir()):
                if child.suffix.lower() in CERTIFICATE_SUFFIXES and child.is_file():
                    try:
                        certs = _load_certificates(_read(child, "certificate"), str(child))
                    except SigningError:
                        continue  # a folder may hold keys or CSRs with the same suffixes
                    anchors.extend(certs)
                    found += len(certs)
            if not found:
                raise SigningError(f"{path}: the folder holds no certificate files")
        else:
            anchors.extend(_load_certificates(_read(path, "certificate"), str(path)))
    return anchors


# --- verifying ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    signed: bool
    signer: CertificateSummary | None = None
    digest_ok: bool = False
    signature_ok: bool = False
    trusted: bool | None = None  # None: no trust anchors were given
    expired: bool = False
    chain: tuple[CertificateSummary, ...] = ()
    messages: tuple[str, ...] = ()
    signing_time: datetime.datetime | None = None
    digest_algorithm: str | None = None
    content: bytes | None = field(default=None, repr=False)

    @property
    def status(self) -> Status:
        if not self.signed:
            return "unsigned"
        if not (self.digest_ok and self.signature_ok):
            return "invalid"
        if self.expired:
            return "expired"
        if self.trusted is not True:
            return "untrusted"
        return "valid"

    def as_json(self, file: str) -> dict[str, Any]:
        signer = None
        if self.signer is not None:
            signer = {
                "subject": self.signer.subject,
                "issuer": self.signer.issuer,
                "serial": f"{self.signer.serial:X}",
                "not_before": self.signer.not_before.isoformat(),
                "not_after": self.signer.not_after.isoformat(),
            }
        return {
            "file": file,
            "signed": self.signed,
            "signer": signer,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "digest_algorithm": self.digest_algorithm,
            "digest_ok": self.digest_ok,
            "signature_ok": self.signature_ok,
            "trusted": self.trusted,
            "expired": self.expired,
            "chain": [c.subject for c in self.chain],
            "status": self.status,
            "messages": list(self.messages),
        }


_HASHES = {
    "sha1": "SHA1",
    "sha224": "SHA224",
    "sha256": "SHA256",
    "sha384": "SHA384",
    "sha512": "SHA512",
}


def _hash(name: str) -> HashAlgorithm:
    from cryptography.hazmat.primitives import hashes

    if name not in _HASHES:
        raise SigningError(f"the digest algorithm {name!r} is not supported")
    algorithm: HashAlgorithm = getattr(hashes, _HASHES[name])()
    return algorithm


def _digest(name: str, data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes

    hasher = hashes.Hash(_hash(name))
    hasher.update(data)
    return hasher.finalize()


def _check_signature(
    cert: x509.Certificate, signer_info: Any, signed_bytes: bytes, digest_name: str
) -> str | None:
    """None when the signature holds, else the reason."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    algorithm = signer_info["signature_algorithm"]
    signature = signer_info["signature"].native
    public_key = cert.public_key()
    try:
        algo = algorithm.signature_algo
    except ValueError:
        return f"the signature algorithm {algorithm['algorithm'].dotted} is not supported"
    try:
        if isinstance(public_key, rsa.RSAPublicKey) and algo == "rsassa_pkcs1v15":
            public_key.verify(signature, signed_bytes, padding.PKCS1v15(), _hash(digest_name))
        elif isinstance(public_key, rsa.RSAPublicKey) and algo == "rsassa_pss":
            params = algorithm["parameters"]
            pss_hash = _hash(params["hash_algorithm"]["algorithm"].native)
            mgf_hash = _hash(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
            pss = padding.PSS(padding.MGF1(mgf_hash), int(params["salt_length"].native))
            public_key.verify(signature, signed_bytes, pss, pss_hash)
        elif isinstance(public_key, ec.EllipticCurvePublicKey) and algo == "ecdsa":
            public_key.verify(signature, signed_bytes, ec.ECDSA(_hash(digest_name)))
        else:
            return f"a {algo} signature with this signer's key is not supported"
    except InvalidSignature:
        return "bad signature"
    except SigningError as exc:
        return str(exc)
    except (ValueError, TypeError, KeyError) as exc:
        return f"the signature cannot be checked ({' '.join(str(exc).split())})"
    return None


def _verify_chain(
    leaf: x509.Certificate,
    others: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    at: datetime.datetime,
) -> tuple[bool, tuple[x509.Certificate, ...], str]:
    """(trusted, chain signer-first, reason when not trusted)."""
    from cryptography import x509
    from cryptography.x509.verification import (
        Criticality,
        ExtensionPolicy,
        PolicyBuilder,
        Store,
        VerificationError,
    )

    if leaf in anchors:
        return True, (leaf,), ""
    ca_policy = ExtensionPolicy.permit_all().require_present(
        x509.BasicConstraints, Criticality.AGNOSTIC, None
    )
    try:
        verifier = (
            PolicyBuilder()
            .store(Store(list(anchors)))
            .time(at)
            .extension_policies(ca_policy=ca_policy, ee_policy=ExtensionPolicy.permit_all())
            .build_client_verifier()
        )
        verified = verifier.verify(leaf, list(others))
    except VerificationError as exc:
        return False, (), " ".join(str(exc).split())
    except ValueError as exc:
        return False, (), " ".join(str(exc).split())
    return True, tuple(verified.chain), ""  # leaf first, anchor last


# The message of a result whose signer cannot be checked because the envelope is damaged.
DAMAGED_SIGNER = "the signer's part of the envelope is damaged"


def verify_profile(
    data: bytes,
    anchors: Sequence[x509.Certificate] = (),
    now: datetime.datetime | None = None,
) -> VerifyResult:
    """Check a signed profile's bytes. Unsigned data gives status "unsigned"; an envelope
    whose content cannot be read raises SigningError. When the content reads but the
    signer's part of the envelope is damaged, the result is "invalid" and says why:
    asn1crypto parses lazily, so any field the check touches may turn out unreadable."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.x509 import InvalidVersion

    now = now or datetime.datetime.now(datetime.UTC)
    if not looks_like_cms(data):
        return VerifyResult(signed=False, messages=("the file is not signed",))
    try:
        info, kind = load_content_info(data)
    except CMSError as exc:
        raise SigningError(str(exc)) from None
    if kind == "enveloped_data":
        return VerifyResult(
            signed=False,
            messages=("the whole file is CMS-encrypted, not signed; decrypt it first",),
        )
    if kind != "signed_data":
        raise SigningError(f"CMS content of type {kind!r}, expected signed data")
    try:
        signed = info["content"]
        content = signed["encap_content_info"]["content"].native
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SigningError(f"damaged CMS envelope ({one_line(exc, 300)})") from None
    if content is None:
        raise SigningError("the signature is detached: the file holds no profile")
    if not isinstance(content, bytes):
        raise SigningError("the signed content is not a byte string")
    try:
        return _verify_signed(signed, content, anchors, now)
    except (
        SigningError,
        UnsupportedAlgorithm,
        InvalidVersion,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        IndexError,
        OverflowError,
    ) as exc:
        return VerifyResult(
            signed=True,
            messages=(f"{DAMAGED_SIGNER} ({one_line(exc, 300)})",),
            content=content,
        )


@dataclass(frozen=True)
class _Envelope:
    """What verification reads out of a SignedData before checking anything."""

    certificates: list[x509.Certificate]
    signer_info: Any
    digest_name: str
    signer_cert: x509.Certificate | None
    signed_attrs: Any
    attributes: dict[str, Any]
    signing_time: datetime.datetime | None
    content_type: str


def _read_envelope(
    signed: Any, anchors: Sequence[x509.Certificate], messages: list[str]
) -> _Envelope | None:
    """The envelope's parts, None when it has no signer; SigningError when damaged."""
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certs_asn1 = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
        certificates = [x509.load_der_x509_certificate(c.dump()) for c in certs_asn1]
        infos = signed["signer_infos"]
        if not len(infos):
            return None
        if len(infos) > 1:
            messages.append(f"the envelope has {len(infos)} signers; only the first is checked")
        signer_info = infos[0]
        sid = signer_info["sid"]
        signer_cert: x509.Certificate | None = None
        # the signer may also be among the anchors (an envelope made without certificates)
        anchor_pairs = [
            (asn1_x509.Certificate.load(a.public_bytes(serialization.Encoding.DER)), a)
            for a in anchors
        ]
        candidates = [*zip(certs_asn1, certificates, strict=True), *anchor_pairs]
        for asn1_cert, cert in candidates:
            if sid.name == "issuer_and_serial_number":
                if (
                    asn1_cert.issuer.dump() == sid.chosen["issuer"].dump()
                    and asn1_cert.serial_number == sid.chosen["serial_number"].native
                ):
                    signer_cert = cert
                    break
            elif asn1_cert.key_identifier == sid.chosen.native:
                signer_cert = cert
                break
        signed_attrs = signer_info["signed_attrs"]
        attributes = {a["type"].native: a["values"] for a in signed_attrs} if signed_attrs else {}
        times = attributes.get("signing_time")
        return _Envelope(
            certificates=certificates,
            signer_info=signer_info,
            digest_name=str(signer_info["digest_algorithm"]["algorithm"].native),
            signer_cert=signer_cert,
            signed_attrs=signed_attrs,
            attributes=attributes,
            signing_time=times[0].native if times is not None else None,
            content_type=signed["encap_content_info"]["content_type"].native,
        )
    except SigningError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SigningError(f"damaged CMS envelope ({one_line(exc, 300)})") from None


def _check_content(
    envelope: _Envelope, signer_cert: x509.Certificate, content: bytes, messages: list[str]
) -> tuple[bool, bool]:
    """Whether the content digest and the signature hold (digest_ok, signature_ok)."""
    digest_name, signed_attrs, attributes = (
        envelope.digest_name,
        envelope.signed_attrs,
        envelope.attributes,
    )
    try:
        actual = _digest(digest_name, content)
    except SigningError as exc:
        messages.append(str(exc))
        actual = None
    digest_ok = False
    if signed_attrs:
        expected = attributes.get("message_digest")
        content_type = attributes.get("content_type")
        if expected is None:
            messages.append("the signed attributes hold no message digest")
        else:
            digest_ok = actual is not None and hmac.compare_digest(actual, expected[0].native)
            if actual is not None and not digest_ok:
                messages.append(
                    "the content was altered after signing: its digest does not match the "
                    "signed digest"
                )
        if content_type is not None and content_type[0].native != envelope.content_type:
            digest_ok = False
            messages.append("the signed content type does not match the content")
        # RFC 5652 5.4: the signature covers the attributes as a SET OF (tag 0x31)
        signed_bytes = b"\x31" + signed_attrs.dump()[1:]
    else:
        signed_bytes = content
    reason = _check_signature(signer_cert, envelope.signer_info, signed_bytes, digest_name)
    signature_ok = reason is None
    if not signed_attrs:
        digest_ok = signature_ok
        if reason == "bad signature":
            messages.append("the content or the signature was altered after signing")
            reason = None
    if reason is not None:
        if reason == "bad signature":
            messages.append(
                "the signature does not match: the file was altered after signing "
                "or the included certificate is not the signer's"
            )
        else:
            messages.append(reason)
    return digest_ok, signature_ok


def _check_validity(
    signer: CertificateSummary, now: datetime.datetime, messages: list[str]
) -> bool:
    """Note a signer outside its validity period; True when it has expired."""
    if signer.not_after < now:
        messages.append(
            f"the signer certificate expired on {signer.not_after:%Y-%m-%d}; a device will "
            "treat the profile as unsigned"
        )
        return True
    if signer.not_before > now:
        messages.append(
            f"the signer certificate is not valid before {signer.not_before:%Y-%m-%d}; a "
            "device will treat the profile as unsigned"
        )
    return False


def _check_chain(
    envelope: _Envelope,
    signer_cert: x509.Certificate,
    signer: CertificateSummary,
    anchors: Sequence[x509.Certificate],
    now: datetime.datetime,
    messages: list[str],
) -> tuple[bool | None, tuple[CertificateSummary, ...]]:
    """Whether the signer's chain reaches an anchor (None without anchors), and the chain."""
    others = [c for c in envelope.certificates if c != signer_cert]
    if not anchors:
        messages.append("no trust anchors were given; the chain was not checked")
        return None, (signer, *(summarize_certificate(c) for c in others))
    at = now
    if signer.not_after < now or signer.not_before > now:
        # judge the chain when the signer was valid: the signing time if it fits
        signing_time = envelope.signing_time
        if signing_time is not None and signer.not_before <= signing_time <= signer.not_after:
            at = signing_time
        else:
            at = signer.not_after
    trusted, verified, why = _verify_chain(signer_cert, others, anchors, at)
    if not trusted:
        messages.append(f"the signer's chain does not reach a given trust anchor ({why})")
        return trusted, (signer,)
    if at != now:
        messages.append(f"the chain reaches a trust anchor as of {at:%Y-%m-%d}")
    return trusted, tuple(summarize_certificate(c) for c in verified)


def _verify_signed(
    signed: Any,
    content: bytes,
    anchors: Sequence[x509.Certificate],
    now: datetime.datetime,
) -> VerifyResult:
    """The checks of verify_profile once the content is read; may raise on damage."""
    messages: list[str] = []
    envelope = _read_envelope(signed, anchors, messages)
    if envelope is None:
        return VerifyResult(signed=True, messages=("the envelope has no signer",), content=content)
    if envelope.digest_name == "sha1":
        messages.append("the signature uses SHA-1, which is weak; sign again with SHA-256")
    signer_cert = envelope.signer_cert
    if signer_cert is None:
        messages.append("the signer certificate is not in the envelope; it cannot be checked")
        return VerifyResult(
            signed=True,
            messages=tuple(messages),
            signing_time=envelope.signing_time,
            digest_algorithm=envelope.digest_name,
            content=content,
        )
    signer = summarize_certificate(signer_cert)
    digest_ok, signature_ok = _check_content(envelope, signer_cert, content, messages)
    expired = _check_validity(signer, now, messages)
    trusted, chain = _check_chain(envelope, signer_cert, signer, anchors, now, messages)
    return VerifyResult(
        signed=True,
        signer=signer,
        digest_ok=digest_ok,
        signature_ok=signature_ok,
        trusted=trusted,
        expired=expired,
        chain=chain,
        messages=tuple(messages),
        signing_time=envelope.signing_time,
        digest_algorithm=envelope.digest_name,
        content=content,
    )


__all__ = [
    "PURPOSE_FIX",
    "Identity",
    "SigningError",
    "VerifyResult",
    "load_identity",
    "load_pem_identity",
    "load_pkcs12_identity",
    "load_trust_anchors",
    "missing_issuer",
    "openssl_purpose_refusals",
    "purpose_warning",
    "sign_profile",
    "summarize_certificate",
    "verify_profile",
]
