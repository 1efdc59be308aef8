"""What several rule modules use: reading values at a schema path, opening a PKCS#12."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from editor.core.model import KeyPath
from editor.core.payload_types import PKCS12
from editor.core.plisttypes import PlistValue

if TYPE_CHECKING:
    from editor.core.certificates import CertificateInfo

TUNNELS = "AlwaysOn/TunnelConfigurations[]"
NIL_UUID = "00000000-0000-0000-0000-000000000000"


@functools.lru_cache(maxsize=1024)
def _path_steps(schema_path: str) -> tuple[tuple[str, int], ...]:
    """'IKEv2/OnDemandRules[]/Action' -> (('IKEv2', 0), ('OnDemandRules', 1), ('Action', 0))."""
    steps = []
    for head in schema_path.split("/"):
        name = head.rstrip("[]")
        steps.append((name, (len(head) - len(name)) // 2))
    return tuple(steps)


def values_at(
    node: PlistValue, schema_path: str, prefix: KeyPath = ()
) -> list[tuple[KeyPath, PlistValue]]:
    """Every value at a schema path such as 'IKEv2/OnDemandRules[]/Action' in a payload,
    in the order of the payload (rules ask for many paths that are absent: keep it quick)."""
    nodes: list[tuple[KeyPath, PlistValue]] = [(prefix, node)]
    if not schema_path:
        return nodes
    for name, depth in _path_steps(schema_path):
        found: list[tuple[KeyPath, PlistValue]] = []
        for path, value in nodes:
            if isinstance(value, dict) and name in value:
                level = [((*path, name), value[name])]
                for _ in range(depth):
                    level = [
                        ((*p, i), item)
                        for p, items in level
                        if isinstance(items, list)
                        for i, item in enumerate(items)
                    ]
                found.extend(level)
        if not found:
            return found
        nodes = found
    return nodes


@functools.lru_cache(maxsize=64)
def pkcs12_info(content: bytes, password: str | None) -> CertificateInfo:
    """The PKCS#12 identity opened with the password (None: no password, or an empty one),
    remembered: opening one with an RSA key takes about 35 ms, and the identity and
    IKEv2 rules both need it on every check."""
    from editor.core.certificates import describe_certificate_payload

    return describe_certificate_payload(
        {"PayloadType": PKCS12, "PayloadContent": content, "Password": password}
    )
