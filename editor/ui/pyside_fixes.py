"""A guard against a reference-count bug in PySide6's `Signal.emit`.

PySide6 6.12.0 returns `True` from `SignalInstance.emit()` without taking a reference
for it. On Python 3.11, where `True` is an ordinary object, every `emit()` made from
Python therefore lowers True's reference count by one for good; after a few thousand
emissions (a long editing session, or one keystroke in a large profile when a model
emits per row) the interpreter aborts with "Fatal Python error: bool_dealloc:
deallocating True or False". Python 3.12 made `True` immortal, so there the bug does
no harm.

`apply()` checks whether the installed PySide6 has the bug and, if so, gives `True` a
reference count no session can use up, which is what Python 3.12 does by design.
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
