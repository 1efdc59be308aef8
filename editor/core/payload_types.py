"""The payload types the editor knows by name, written once (PayloadType values)."""

VPN = "com.apple.vpn.managed"
APPLAYER = "com.apple.vpn.managed.applayer"
APPMAPPING = "com.apple.vpn.managed.appmapping"
VPN_TYPES = (VPN, APPLAYER)

ROOT = "com.apple.security.root"
PKCS1 = "com.apple.security.pkcs1"
PEM = "com.apple.security.pem"
PKCS12 = "com.apple.security.pkcs12"
SCEP = "com.apple.security.scep"
ACME = "com.apple.security.acme"
CERTIFICATE_PREFIX = "com.apple.security."
