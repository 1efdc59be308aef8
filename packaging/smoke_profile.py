"""Write a small, valid VPN profile for smoke tests of a build (the release workflow's).

    python packaging/smoke_profile.py OUT.mobileconfig

`vpn-profile validate` finds no error in it (exit 0), so a build that fails on it is broken.
"""

from __future__ import annotations

import plistlib
import sys
from pathlib import Path

PROFILE = {
    "PayloadContent": [
        {
            "PayloadDisplayName": "VPN (IKEv2)",
            "PayloadIdentifier": "org.example.smoke.vpn",
            "PayloadType": "com.apple.vpn.managed",
            "PayloadUUID": "2B0E8C57-41D6-4C1E-9E43-0A8E6F2C7D15",
            "PayloadVersion": 1,
            "UserDefinedName": "Smoke test VPN",
            "VPNType": "IKEv2",
            "IKEv2": {
                "RemoteAddress": "vpn.example.org",
                "RemoteIdentifier": "vpn.example.org",
                "LocalIdentifier": "smoke@example.org",
                "AuthenticationMethod": "None",
                "ExtendedAuthEnabled": 1,
                "AuthName": "smoke",
            },
        }
    ],
    "PayloadDisplayName": "Smoke test",
    "PayloadIdentifier": "org.example.smoke",
    "PayloadType": "Configuration",
    "PayloadUUID": "6A3F1D2C-8B47-4E9A-A1C5-3D7E9F0B2A64",
    "PayloadVersion": 1,
}


def main() -> int:
    if len(sys.argv) != 2:
        sys.stderr.write("usage: python packaging/smoke_profile.py OUT.mobileconfig\n")
        return 2
    Path(sys.argv[1]).write_bytes(plistlib.dumps(PROFILE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
