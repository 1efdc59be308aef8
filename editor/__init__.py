"""VPN Profile Editor: edit, check, sign and export Apple VPN configuration profiles."""

__version__ = "0.1.0"
