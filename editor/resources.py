"""One lookup for the files the application reads, from source and from a frozen bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

CACHE_FOLDER_NAME = "vpn-profile-editor"


def resource_root() -> Path:
    """The folder holding `schema/`, `icons/` and the other data files."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def docs_path() -> Path:
    """The folder holding README.md and docs/: the help the application shows."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "help"
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)


def user_cache_dir() -> Path | None:
    """This user's cache folder for the editor and `vpn-profile` (the checked schema), or
    None when the system names no home for it."""
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or (os.path.join(home, "AppData", "Local"))
        return Path(base) / CACHE_FOLDER_NAME / "Cache"
    if sys.platform == "darwin":
        base = os.path.join(home, "Library", "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):  # unset, or relative, which the XDG rules ignore
            base = os.path.join(home, ".cache")
    if not os.path.isabs(base):  # no usable home: keep no cache
        return None
    return Path(base) / CACHE_FOLDER_NAME
