"""The checked schema kept between starts (a pickle in the user's cache folder).

Reading it back is about three times quicker than reading and checking the JSON files
again. It is used only while the data files and the code of the schema's classes are
the same as when it was written (the fingerprint); anything else reads the files.
"""

from __future__ import annotations

import os
from pathlib import Path

from editor.core.schema import Schema

SCHEMA_CACHE_FILE = "schema.pickle"


def fingerprint(directory: Path, payload_types_file: str, loader_file: str) -> tuple[object, ...]:
    """What a cached schema depends on: the data files, and the code of its classes and
    loader (a frozen bundle has no source files; its version stands for its code)."""
    import sys

    from editor import __version__
    from editor.core import platforms, plisttypes, schema

    parts: list[object] = [__version__, sys.version]
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".json"))
    except OSError:
        names = []
    for path in [
        *(os.path.join(directory, n) for n in names),
        os.path.join(directory, os.pardir, payload_types_file),
        schema.__file__,
        loader_file,
        platforms.__file__,
        plisttypes.__file__,
    ]:
        try:
            info = os.stat(path)
            parts.append((str(path), info.st_size, info.st_mtime_ns))
        except (OSError, TypeError):
            parts.append((str(path), None))
    return tuple(parts)


def read(cache_dir: Path, fingerprint: tuple[object, ...]) -> Schema | None:
    try:
        data = (cache_dir / SCHEMA_CACHE_FILE).read_bytes()
    except OSError:
        return None
    try:
        from _pickle import loads  # the C module alone: `pickle` takes longer to import
    except ImportError:  # another Python implementation
        from pickle import loads
    try:
        # The cache folder is the user's own, like the settings; nobody else writes it.
        stored = loads(data)
    except Exception:  # damaged, or written by other code: read the files instead
        return None
    if (
        not isinstance(stored, tuple)
        or len(stored) != 2
        or stored[0] != fingerprint
        or not isinstance(stored[1], Schema)
    ):
        return None
    return stored[1]


def write(cache_dir: Path, fingerprint: tuple[object, ...], schema: Schema) -> None:
    """Best effort: a cache that cannot be written only means a slower next start."""
    import pickle

    from editor.core.plistio import ProfileWriteError, write_atomic

    try:
        data = pickle.dumps((fingerprint, schema), protocol=pickle.HIGHEST_PROTOCOL)
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(cache_dir / SCHEMA_CACHE_FILE, data)
    except (OSError, ProfileWriteError, pickle.PicklingError):
        pass
