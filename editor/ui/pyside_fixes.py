"""Two workarounds for PySide6 6.12: a reference-count bug in `Signal.emit`, and a slow
check that PySide6 runs on every module imported after it.

The reference count:

PySide6 6.12.0 returns `True` from `SignalInstance.emit()` without taking a reference
for it. On Python 3.11, where `True` is an ordinary object, every `emit()` made from
Python therefore lowers True's reference count by one for good; after a few thousand
emissions (a long editing session, or one keystroke in a large profile when a model
emits per row) the interpreter aborts with "Fatal Python error: bool_dealloc:
deallocating True or False". Python 3.12 made `True` immortal, so there the bug does
no harm.

`apply()` checks whether the installed PySide6 has the bug and, if so, gives `True` a
reference count no session can use up, which is what Python 3.12 does by design.

The import check: to decide whether a module may use its `__feature__` switches,
PySide6 asks whether the module's source mentions "PySide6", and reads that source with
`inspect.getsource` (tokenizing every line) for each module imported after it: about
10 ms over the editor's start. `quicken_import_check()` makes the same test on the
file's bytes. A frozen bundle has no source files, so there the check costs nothing
anyway.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

# Far more emissions than any session makes (one per microsecond for a year is 2**45).
_RESERVE = 1 << 50

_applied = False


class _Probe(QObject):
    ping = Signal()


def emit_loses_true() -> bool:
    """Whether one `emit()` lowers True's reference count."""
    probe = _Probe()
    before = sys.getrefcount(True)
    probe.ping.emit()
    lost = sys.getrefcount(True) < before
    probe.deleteLater()
    return lost


def apply() -> bool:
    """Make the bug harmless where it is present; True when something was done."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False  # immortal True, or a debug build whose object layout differs
    if not emit_loses_true():
        return False
    # ob_refcnt is the first field of every object in a release build of CPython.
    ctypes.c_ssize_t.from_address(id(True)).value += _RESERVE
    _applied = True
    return True


def quicken_import_check() -> bool:
    """Answer PySide6's per-module question from the file's bytes; True when installed.

    The answer is the same ("PySide6" appears in the source); anything that is not a
    plain .py file still goes to PySide6's own check. A PySide6 without the check (or with
    a different one) is left alone.
    """
    feature = sys.modules.get("shibokensupport.feature")
    check = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(check) or getattr(check, "quick", False):
        return False

    def uses_pyside(module: object) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as handle:
                    return b"PySide6" in handle.read()
            except OSError:
                pass
        return bool(check(module))

    uses_pyside.quick = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True
