"""Payload fragments: one payload as the bare <dict> that Workspace ONE's custom settings
(and similar MDM fields) take, and finding a payload by number or UUID."""

from __future__ import annotations

from editor.core.errors import EditorError
from editor.core.model import Profile
from editor.core.plistio import serialize_plist
from editor.core.plisttypes import PlistDict

_OPEN = b'<plist version="1.0">\n'
_CLOSE = b"</plist>\n"


class PayloadNotFoundError(EditorError):
    """No payload matches the number or UUID."""


def payload_fragment_xml(payload: PlistDict) -> bytes:
    """The payload as an XML <dict>…</dict>, without XML declaration or <plist> wrapper,
    ending in a line feed. The editor's reader opens such a file again as the payload."""
    document = serialize_plist(payload, "xml")
    start = document.index(_OPEN) + len(_OPEN)
    end = document.rindex(_CLOSE)
    return document[start:end]


def find_payload(profile: Profile, selector: str) -> tuple[int, PlistDict]:
    """The payload named by its number as `vpn-profile show` lists them (from 1) or by its
    PayloadUUID (in any case): (index from 0, payload)."""
    payloads = profile.payloads
    text = selector.strip()
    if text.isdigit():
        number = int(text)
        if not 1 <= number <= len(payloads):
            raise PayloadNotFoundError(
                f"there is no payload {number}: the profile has {len(payloads)} "
                "(numbered from 1, as 'vpn-profile show' lists them)"
            )
        payload = payloads[number - 1]
        if not isinstance(payload, dict):
            raise PayloadNotFoundError(f"payload {number} is not a dictionary")
        return number - 1, payload
    for index, payload in profile.payload_dicts():
        uuid = payload.get("PayloadUUID")
        if isinstance(uuid, str) and uuid.upper() == text.upper():
            return index, payload
    raise PayloadNotFoundError(f"no payload has PayloadUUID {text!r}")
