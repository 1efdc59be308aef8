"""Two workarounds for PySide6 6.12: reference-count bugs on `True` and `None`, and a
slow check that PySide6 runs on every module imported after it.

The reference counts:

PySide6 6.12.0 returns `True` from `SignalInstance.emit()`, and `None` from every Qt
method that returns nothing (`setText`, `setVisible`, `setEnabled`, ...), without taking
a reference for it. On Python 3.11, where both are ordinary objects, each such call made
from Python lowers their reference count by one for good. Once it reaches zero the
interpreter aborts ("Fatal Python error: bool_dealloc: deallocating True or False", or
"none_dealloc: deallocating None"): for `True` after a few thousand emissions, for
`None` after some tens of thousands of calls, which a long editing session makes (a
keystroke in a form calls such methods dozens of times). Python 3.12 made both
immortal, so there the bugs do no harm.

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

_applied: set[str] = set()  # which of "True" and "None" were given their reserve


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


# How many calls the None probe makes: enough to tell a steady loss from chance.
_PROBE_CALLS = 32


def void_call_loses_none() -> bool:
    """Whether a Qt method that returns nothing lowers None's reference count."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
    lost = before - sys.getrefcount(None) >= _PROBE_CALLS // 2
    probe.deleteLater()
    return lost


def _reserve(name: str, singleton: object) -> None:
    # ob_refcnt is the first field of every object in a release build of CPython.
    ctypes.c_ssize_t.from_address(id(singleton)).value += _RESERVE
    _applied.add(name)


def apply() -> bool:
    """Make the bugs harmless where they are present; True when something was done."""
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False  # immortal True and None, or a debug build whose layout differs
    done = False
    if "True" not in _applied and emit_loses_true():
        _reserve("True", True)
        done = True
    if "None" not in _applied and void_call_loses_none():
        _reserve("None", None)
        done = True
    return done


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
