"""String formats the schema names."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from urllib.parse import urlsplit

# One label: letters, digits, "_" and "-", 1 to 63 of them, not starting or ending in "-".
# The patterns end in \Z, not $: "$" would also take a line feed at the end, which a
# device does not ignore.
_LABEL = r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)"
_HOSTNAME_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\Z")
# URLs urlsplit certainly reads as http(s) with a host: ASCII, no spaces, controls,
# brackets or user info. Anything else goes through urlsplit itself.
_PLAIN_URL_RE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][!#-~]*)?\Z")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_REVERSE_DNS_RE = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+\Z")
_BUNDLE_ID_RE = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9_-]+)*\Z")
_OID_RE = re.compile(r"[0-2](\.[0-9]+)+\Z")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_UUID_RE = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\Z"
)


def is_hostname(text: str) -> bool:
    name = text[:-1] if text.endswith(".") else text
    if not name or len(name) > 253:
        return False
    # one match for all labels; the last may not be all digits
    return _HOSTNAME_RE.match(name) is not None and not name.rpartition(".")[2].isdigit()


# Dotted-quad IPv4 as ipaddress reads it (no leading zeros): the common case, without
# ipaddress's few microseconds per address.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_IPV4_RE = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}\Z")


def is_ip(text: str) -> bool:
    if _IPV4_RE.match(text):
        return True
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _check_hostname(text: str) -> str | None:
    if is_hostname(text):
        return None
    if is_ip(text):
        return "is an IP address; a host name is expected, which the server's certificate names"
    if "://" in text:
        return "should be a host name, without a scheme such as tls://"
    return "is not a valid host name"


def _check_host(text: str) -> str | None:
    if is_hostname(text) or is_ip(text):  # the cheap test first: most hosts are names
        return None
    if "://" in text:
        return "should be a host name or IP address, without a scheme such as https://"
    return "is not a valid host name or IP address"


def _check_ip(text: str) -> str | None:
    return None if is_ip(text) else "is not an IPv4 or IPv6 address"


def _check_url(text: str) -> str | None:
    if _PLAIN_URL_RE.match(text):
        return None  # what urlsplit would find: an http(s) scheme and a host
    if _CONTROL_RE.search(text):  # urlsplit drops tabs and line ends; a device does not
        return "holds a line break or another control character"
    try:
        parts = urlsplit(text)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "is not a valid http:// or https:// URL"
    return None


def _check_https_url(text: str) -> str | None:
    problem = _check_url(text)
    if problem is not None:
        return problem.replace("http:// or https://", "https://")
    if not text.lower().startswith("https://"):
        return "must start with https://"
    return None


def is_canonical_uuid(text: str) -> bool:
    """The 8-4-4-4-12 hexadecimal form, as Apple's tools write UUIDs."""
    return _UUID_RE.match(text) is not None


def _check_uuid(text: str) -> str | None:
    if is_canonical_uuid(text) or _reads_as_uuid(text):
        return None
    return "is not a UUID (expected the form 8-4-4-4-12 hexadecimal digits)"


def _reads_as_uuid(text: str) -> bool:
    """What uuid.UUID(text) accepts (braces, a urn:uuid: prefix, hyphens anywhere), without
    importing the uuid module: it takes milliseconds, for a few odd spellings."""
    digits = text.replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "")
    if len(digits) != 32:
        return False
    try:
        int(digits, 16)
    except ValueError:
        return False
    return True


def _check_reverse_dns(text: str) -> str | None:
    return (
        None
        if _REVERSE_DNS_RE.match(text)
        else "is not a reverse-DNS identifier such as com.example.vpn"
    )


def _check_domain(text: str) -> str | None:
    if text == "":
        return None  # an empty entry means the default domain in split DNS
    name = text[2:] if text.startswith("*.") else text
    return None if is_hostname(name) or is_ip(name) else "is not a valid domain name"


def _check_bundle_id(text: str) -> str | None:
    return None if _BUNDLE_ID_RE.match(text) else "is not a valid bundle identifier"


def _check_oid(text: str) -> str | None:
    return (
        None
        if _OID_RE.match(text)
        else "is not a dotted object identifier such as 1.3.6.1.5.5.7.3.2"
    )


def _check_email(text: str) -> str | None:
    return None if _EMAIL_RE.match(text) else "is not an e-mail address"


FORMAT_CHECKS: dict[str, Callable[[str], str | None]] = {
    "hostname": _check_hostname,
    "host": _check_host,
    "ip": _check_ip,
    "url": _check_url,
    "https-url": _check_https_url,
    "uuid": _check_uuid,
    "reverse-dns": _check_reverse_dns,
    "domain": _check_domain,
    "bundle-id": _check_bundle_id,
    "oid": _check_oid,
    "email": _check_email,
}


def check_format(fmt: str, text: str) -> str | None:
    """None when text fits the format, otherwise what is wrong (to follow the value)."""
    return FORMAT_CHECKS[fmt](text)
