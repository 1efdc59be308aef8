"""Platforms, versions and where a key or payload exists."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from editor.core.errors import InvalidValueError

# Apple's platform names, in the order the UI shows them.
PLATFORMS: tuple[str, ...] = ("iOS", "iPadOS", "macOS", "tvOS", "visionOS", "watchOS")
# Platforms the schema data spells out; iPadOS follows iOS unless named.
SCHEMA_PLATFORMS: tuple[str, ...] = ("iOS", "macOS", "tvOS", "visionOS", "watchOS")
PLATFORM_BY_LOWER: dict[str, str] = {name.lower(): name for name in PLATFORMS}

_VERSION_RE = re.compile(r"^\d+(\.\d+){0,2}$")


@dataclass(frozen=True, order=True)
class Version:
    parts: tuple[int, ...]

    @classmethod
    def parse(cls, text: str) -> Version:
        if not isinstance(text, str) or not _VERSION_RE.match(text):
            raise InvalidValueError(f"not a version number: {text!r}")
        parts = tuple(int(p) for p in text.split("."))
        while len(parts) > 1 and parts[-1] == 0:
            parts = parts[:-1]
        return cls(parts)

    def __str__(self) -> str:
        shown = self.parts if len(self.parts) > 1 else (*self.parts, 0)
        return ".".join(str(p) for p in shown)


@dataclass(frozen=True)
class PlatformSupport:
    """Support on one platform. `introduced` None means the platform lacks it."""

    introduced: Version | None
    deprecated: Version | None = None
    removed: Version | None = None
    supervised: bool = False

    def status_at(self, version: Version | None) -> str:
        """'missing', 'too-new', 'removed', 'deprecated' or 'ok' for a platform version.

        Without a version, the newest release is meant.
        """
        if self.introduced is None:
            return "missing"
        if version is not None and version < self.introduced:
            return "too-new"
        if self.removed is not None and (version is None or version >= self.removed):
            return "removed"
        if self.deprecated is not None and (version is None or version >= self.deprecated):
            return "deprecated"
        return "ok"


Availability = Mapping[str, PlatformSupport]

NOWHERE = PlatformSupport(introduced=None)


@dataclass(frozen=True)
class Target:
    """A platform the user deploys to, optionally with its oldest version in use."""

    platform: str
    version: Version | None = None

    @classmethod
    def parse(cls, text: str) -> Target:
        """Parse 'ios', 'ios:17', 'macos:14.4' (platform names in any case)."""
        name, _, version = text.partition(":")
        platform = PLATFORM_BY_LOWER.get(name.strip().lower())
        if platform is None:
            raise InvalidValueError(
                f"unknown platform {name!r}: use one of " + ", ".join(p.lower() for p in PLATFORMS)
            )
        if not version.strip():
            return cls(platform)
        try:
            return cls(platform, Version.parse(version.strip()))
        except ValueError as exc:
            raise InvalidValueError(f"bad version in target {text!r}: {exc}") from None

    def __str__(self) -> str:
        return self.platform if self.version is None else f"{self.platform} {self.version}"


def badge_text(availability: Availability) -> str:
    """'iOS 14 · macOS 11' style summary of where something works."""
    parts = []
    for platform in PLATFORMS:
        support = availability.get(platform, NOWHERE)
        if platform == "iPadOS" and support == availability.get("iOS"):
            continue
        if support.introduced is None:
            continue
        text = f"{platform} {support.introduced}"
        if support.removed is not None:
            text += " (removed)"
        elif support.deprecated is not None:
            text += " (deprecated)"
        parts.append(text)
    return " · ".join(parts) if parts else "not available"
