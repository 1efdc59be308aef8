"""The one list of document types the editor claims.

Everything that tells an operating system which files belong to the editor is derived from
`FILE_TYPES`: the macOS `Info.plist` document and imported type declarations (built by the
PyInstaller spec), the Linux `.desktop` file's `MimeType=` line and the shared-mime-info
XML, and the Windows installer's registry entries (all three written and checked by
`packaging/file_associations.py`; a test fails when a shipped file disagrees with this list).
Adding a type here and re-running that script is the whole change.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    """A kind of document the editor opens and registers itself for."""

    key: str  # short stable name, used in identifiers such as the Windows ProgID
    description: str  # what a file manager shows as the file's kind
    extensions: tuple[str, ...]  # without the dot, lower case; the first is the main one
    mime_type: str  # freedesktop type name
    uti: str  # Apple's Uniform Type Identifier
    conforms_to: tuple[str, ...]  # parent UTIs, for macOS's imported type declaration
    role: str = "Editor"  # CFBundleTypeRole: the editor reads and writes these files

    @property
    def globs(self) -> tuple[str, ...]:
        return tuple(f"*.{extension}" for extension in self.extensions)

    @property
    def windows_prog_id(self) -> str:
        return f"VPNProfileEditor.{self.key}"


CONFIGURATION_PROFILE = FileType(
    key="mobileconfig",
    description="Apple configuration profile",
    extensions=("mobileconfig",),
    mime_type="application/x-apple-aspen-config",
    uti="com.apple.mobileconfig",
    # Signed profiles are DER-encoded CMS, unsigned ones XML or binary plists: plain data.
    conforms_to=("public.data",),
)

FILE_TYPES: tuple[FileType, ...] = (CONFIGURATION_PROFILE,)


def extensions() -> list[str]:
    return [extension for file_type in FILE_TYPES for extension in file_type.extensions]


def open_dialog_filter() -> str:
    """The Open dialog's filter: our types, plus plain plists a profile may be saved as."""
    globs = " ".join(glob for file_type in FILE_TYPES for glob in file_type.globs)
    return f"Configuration profiles ({globs} *.plist *.xml);;All files (*)"


def save_dialog_filters() -> tuple[str, str]:
    """(XML, binary) filters of the Save dialog, on the main extension."""
    glob = FILE_TYPES[0].globs[0]
    return f"XML profile ({glob})", f"Binary profile ({glob})"
