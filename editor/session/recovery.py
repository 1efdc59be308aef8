"""Crash recovery: unsaved documents are copied to a private folder when editing pauses.

The copies hold secrets, so the folder is 0700 and each file 0600. A clean save or a
normal close removes the copy; whatever is left at the next start is offered back.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer

from editor.core.model import Profile
from editor.core.plistio import ProfileReadError
from editor.core.schema import Schema
from editor.session.document import Document

# The copy is written once edits have paused this long: writing means serializing the
# whole profile on the UI thread (about 120 ms for 1000 payloads), which must not land
# between two keystrokes.
AUTOSAVE_IDLE_MS = 1500
# ...or, while edits never pause, once the oldest unsaved edit is this old.
AUTOSAVE_LONGEST_WAIT_S = 30.0


def recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "recovery"


def _write_private(path: Path, data: bytes) -> None:
    """Atomic write of a file only the user can read."""
    fd, temp = tempfile.mkstemp(prefix=".recovery.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@dataclass(frozen=True)
class RecoveredFile:
    data_path: Path
    meta_path: Path
    original: str | None
    saved_at: float


class Autosaver(QObject):
    """Keeps one document's recovery copy up to date."""

    def __init__(self, document: Document, directory: Path | None = None) -> None:
        # Not a child of the document: a child would be called while the document is torn down.
        super().__init__()
        self.document = document
        self.directory = directory or recovery_dir()
        self.key = os.urandom(16).hex()  # random file name; the uuid module costs start time
        # Edits counted, not undo steps: typing in one field is a single undo step.
        self._edits = 0
        self._written_edits = -1
        self._waiting_since: float | None = None  # the first edit the copy lacks
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_IDLE_MS)
        self.timer.timeout.connect(self.write_if_needed)
        document.value_changed.connect(self._edited)
        document.undo_stack.cleanChanged.connect(self._clean_changed)
        if document.is_modified:  # restored from a copy, which is forgotten once shown
            self._edited(())

    def _edited(self, _path: object) -> None:
        self._edits += 1
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        if not self.timer.isActive() or now - self._waiting_since < AUTOSAVE_LONGEST_WAIT_S:
            self.timer.start()  # (re)start: wait for a pause

    @property
    def data_path(self) -> Path:
        return self.directory / f"{self.key}.mobileconfig"

    @property
    def meta_path(self) -> Path:
        return self.directory / f"{self.key}.json"

    def write_if_needed(self) -> bool:
        stack = self.document.undo_stack
        self._waiting_since = None
        if stack.isClean() or self._edits == self._written_edits:
            return False
        try:
            data = self.document.profile.to_bytes("xml")
            self.directory.mkdir(parents=True, exist_ok=True)
            os.chmod(self.directory, 0o700)
            _write_private(self.data_path, data)
            meta = {
                "original": str(self.document.path) if self.document.path else None,
                "saved_at": time.time(),
            }
            _write_private(self.meta_path, json.dumps(meta).encode())
        except (OSError, ValueError):
            return False  # recovery is best effort; the document itself is unaffected
        self._written_edits = self._edits
        return True

    def _clean_changed(self, clean: bool) -> None:
        if clean:
            self.discard()

    def discard(self) -> None:
        for path in (self.data_path, self.meta_path):
            with contextlib.suppress(OSError):
                path.unlink()
        self._written_edits = -1


def leftover_files(directory: Path | None = None) -> list[RecoveredFile]:
    directory = directory or recovery_dir()
    found = []
    for meta_path in sorted(directory.glob("*.json")):
        data_path = meta_path.with_suffix(".mobileconfig")
        if not data_path.exists():
            continue
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            meta = {}
        original = meta.get("original") if isinstance(meta, dict) else None
        saved_at = meta.get("saved_at", 0.0) if isinstance(meta, dict) else 0.0
        found.append(
            RecoveredFile(
                data_path,
                meta_path,
                original if isinstance(original, str) else None,
                float(saved_at),
            )
        )
    return found


def restore(entry: RecoveredFile, schema: Schema) -> Document:
    """Open a recovery copy as a modified document for its original file."""
    profile = Profile.read(entry.data_path)
    document = Document(profile, schema, Path(entry.original) if entry.original else None)
    document.undo_stack.resetClean()  # unsaved until the user saves
    return document


def forget(entry: RecoveredFile) -> None:
    for path in (entry.data_path, entry.meta_path):
        with contextlib.suppress(OSError):
            path.unlink()


__all__ = ["Autosaver", "ProfileReadError", "forget", "leftover_files", "restore"]
