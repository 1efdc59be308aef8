"""Turn a profile into the bytes a device receives: plain, encrypted, signed, or both.

Encryption wraps PayloadContent first; the signature then covers the exact plist bytes,
so what is signed is byte for byte what a plain save would write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from editor.core.plistio import PlistFormat, serialize_plist
from editor.core.plisttypes import PlistDict

if TYPE_CHECKING:
    from cryptography import x509

    from editor.core.signing import Identity


def export_bytes(
    root: PlistDict,
    fmt: PlistFormat = "xml",
    *,
    identity: Identity | None = None,
    recipients: Sequence[x509.Certificate] = (),
    source: str = "the profile",
) -> bytes:
    """Raises ValueError (cannot be written), EncryptionError or SigningError."""
    if recipients:
        from editor.core.encryption import encrypt_profile

        root = encrypt_profile(root, recipients, source)
    data = serialize_plist(root, fmt)
    if identity is not None:
        from editor.core.signing import sign_profile

        data = sign_profile(data, identity)
    return data


__all__ = ["export_bytes"]
