"""Every setting the editor keeps between runs, declared once: key, type and default.

QSettings gives values back in the shape its storage keeps them: on Linux's INI files a
boolean comes back as the text "true", a one-item list as a plain string, bytes as a
QByteArray. Each setting reads its own type back here, so no caller coerces. Nothing
secret is ever stored: paths, choices and window layout only, never a passphrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings


@dataclass(frozen=True)
class TextSetting:
    key: str
    default: str = ""

    def read(self, settings: QSettings) -> str:
        value = settings.value(self.key, self.default)
        return value if isinstance(value, str) else self.default

    def write(self, settings: QSettings, value: str) -> None:
        settings.setValue(self.key, value)


@dataclass(frozen=True)
class FlagSetting:
    key: str
    default: bool = False

    def read(self, settings: QSettings) -> bool:
        value = settings.value(self.key, self.default)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def write(self, settings: QSettings, value: bool) -> None:
        settings.setValue(self.key, value)


@dataclass(frozen=True)
class ListSetting:
    key: str

    def read(self, settings: QSettings) -> list[str]:
        value = settings.value(self.key, [])
        if isinstance(value, str):  # a one-item list comes back as its item
            return [value] if value else []
        if isinstance(value, list | tuple):
            return [str(item) for item in value]
        return []

    def write(self, settings: QSettings, value: list[str]) -> None:
        settings.setValue(self.key, list(value))


@dataclass(frozen=True)
class BytesSetting:
    key: str

    def read(self, settings: QSettings) -> QByteArray | None:
        value = settings.value(self.key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def write(self, settings: QSettings, value: QByteArray) -> None:
        settings.setValue(self.key, value)


@dataclass(frozen=True)
class PerFile:
    """A setting kept for each file, under a key derived from the file's full path."""

    prefix: str
    hashed: bool = False  # long paths and their characters kept out of the key

    def key(self, path: Path) -> str:
        name = str(path.resolve()) if self.hashed else str(path)
        if self.hashed:
            import hashlib  # here: only a saved file's settings need it, never the start

            name = hashlib.sha256(name.encode("utf-8")).hexdigest()[:24]
        return self.prefix + name

    def text(self, path: Path) -> TextSetting:
        return TextSetting(self.key(path))

    def texts(self, path: Path) -> ListSetting:
        return ListSetting(self.key(path))


# The window
WINDOW_STATE = BytesSetting("windowState")
WINDOW_GEOMETRY = BytesSetting("windowGeometry")
STRICT_TYPES = FlagSetting("strictTypes")  # validate as strict MDMs do
RECENT_FILES = ListSetting("recentFiles")
MAX_RECENT = 10

# Where file choosers start
LAST_DIRECTORY = TextSetting("lastDirectory", str(Path.home()))
LAST_CERTIFICATE_DIRECTORY = TextSetting("lastCertificateDirectory")  # else LAST_DIRECTORY
LAST_CONNECTION_TYPE = TextSetting("lastConnectionType", "ikev2")

# Per file: the target platforms chosen for it, the deployment channel it goes through
TARGETS_BY_FILE = PerFile("targetsByFile/", hashed=True)
CHANNEL_BY_FILE = PerFile("deploymentChannel/")

# Signing and encryption: paths only
TRUST_ANCHORS = ListSetting("signing/trustAnchors")
IDENTITY_KIND = TextSetting("signing/identityKind", "pkcs12")  # "pkcs12" or "pem"
IDENTITY_PKCS12 = TextSetting("signing/pkcs12")
IDENTITY_KEY = TextSetting("signing/key")
IDENTITY_CERTIFICATE = TextSetting("signing/certificate")
IDENTITY_CHAIN = ListSetting("signing/chain")
RECIPIENT = TextSetting("encryption/recipient")


def recent_files(settings: QSettings) -> list[str]:
    return RECENT_FILES.read(settings)


def add_recent_file(settings: QSettings, name: str) -> None:
    names = [n for n in RECENT_FILES.read(settings) if n != name]
    RECENT_FILES.write(settings, [name, *names][:MAX_RECENT])
