"""Reading CMS (PKCS#7) envelopes around profiles with asn1crypto.

This module only unwraps: it extracts the signed content and describes the signer.
Checking the signature is the job of the signing module.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from editor.core.errors import EditorError


class CMSError(EditorError, ValueError):
    """The CMS structure is damaged or not what a profile uses."""


@dataclass(frozen=True)
class CertificateSummary:
    subject: str
    issuer: str
    serial: int
    not_before: datetime.datetime
    not_after: datetime.datetime


@dataclass(frozen=True)
class SignedEnvelope:
    """What a signed profile's envelope holds, besides the content."""

    der: bytes
    signer: CertificateSummary | None
    certificates: tuple[CertificateSummary, ...] = field(default_factory=tuple)
    signing_time: datetime.datetime | None = None
    digest_algorithm: str = ""


def one_line(exc: Exception, limit: int | None = None) -> str:
    """asn1crypto's messages span several lines; a read error is one line (cut at `limit`
    characters when given)."""
    return " ".join(str(exc).split())[:limit]


def looks_like_cms(data: bytes) -> bool:
    """DER or BER SEQUENCE whose first element is the signedData or envelopedData OID."""
    return data[:1] == b"\x30" and (
        b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" in data[:32]
        or b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03" in data[:32]
    )


def _summary(cert: object) -> CertificateSummary:
    tbs = cert["tbs_certificate"]  # type: ignore[index]
    validity = tbs["validity"]
    return CertificateSummary(
        subject=tbs["subject"].human_friendly,
        issuer=tbs["issuer"].human_friendly,
        serial=int(tbs["serial_number"].native),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
    )


def load_content_info(data: bytes) -> tuple[Any, str]:
    """The parsed CMS ContentInfo and its content type; CMSError when it is damaged."""
    from asn1crypto import cms  # imported here: only signed files need it

    try:
        info = cms.ContentInfo.load(data, strict=True)
        return info, str(info["content_type"].native)
    except (ValueError, TypeError, KeyError) as exc:
        raise CMSError(f"damaged CMS envelope ({one_line(exc)})") from None


def unwrap_signed(data: bytes) -> tuple[bytes, SignedEnvelope]:
    """Return the signed content and a description of the envelope."""
    info, content_type = load_content_info(data)
    if content_type == "enveloped_data":
        raise CMSError(
            "the whole file is CMS-encrypted; decrypt it with the recipient's identity first"
        )
    if content_type != "signed_data":
        raise CMSError(f"CMS content of type {content_type!r}, expected signed data")
    try:
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].native != "data":
            raise CMSError("the signed content is not plain data")
        content = encap["content"].native
    except CMSError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CMSError(f"damaged CMS envelope ({one_line(exc)})") from None
    if content is None:
        raise CMSError("the signature is detached: the file holds no profile")
    # The content reads; a damaged signer or certificate leaves the signer undescribed,
    # and checking the signature says what is wrong (the file still opens).
    certificates: list[CertificateSummary] = []
    signer = None
    signing_time = None
    digest = ""
    try:
        by_issuer_serial = {}
        for choice in signed["certificates"] or []:
            if choice.name != "certificate":
                continue
            cert = choice.chosen
            summary = _summary(cert)
            certificates.append(summary)
            by_issuer_serial[(cert.issuer.dump(), cert.serial_number)] = summary
            by_issuer_serial[(b"ski", cert.key_identifier)] = summary
        infos = signed["signer_infos"]
        if len(infos):
            first = infos[0]
            digest = first["digest_algorithm"]["algorithm"].native
            sid = first["sid"]
            if sid.name == "issuer_and_serial_number":
                key = (sid.chosen["issuer"].dump(), sid.chosen["serial_number"].native)
            else:
                key = (b"ski", sid.chosen.native)
            signer = by_issuer_serial.get(key)
            for attribute in first["signed_attrs"] or []:
                if attribute["type"].native == "signing_time":
                    signing_time = attribute["values"][0].native
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError):
        signer, signing_time, digest = None, None, ""
    if not isinstance(content, bytes):
        raise CMSError("the signed content is not a byte string")
    return content, SignedEnvelope(
        der=bytes(data),
        signer=signer,
        certificates=tuple(certificates),
        signing_time=signing_time,
        digest_algorithm=str(digest),
    )
