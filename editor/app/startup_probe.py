"""A hidden switch for the benchmarks: report when the first window is shown, then quit.

With VPN_EDITOR_EXIT_WHEN_SHOWN=1 in the environment the editor prints, on standard
output, one line when an editor window is first exposed and one when every open document's
problems are known (at the same moment when they were known before the window showed;
both lines give the wall-clock time and the process's memory), and then quits.
benchmarks/run.py spawns the editor this way (see PROBE_VARIABLE in app.py); nothing else
uses it.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QMainWindow


def memory_kib() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in KiB, (0, 0) where /proc is missing."""
    rss = hwm = 0
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def report(what: str) -> None:
    rss, hwm = memory_kib()
    print(f"{what} {time.time():.6f} rss={rss} hwm={hwm}", flush=True)


class Probe(QObject):
    """Watches the windows handed to `watch` (not every event of the application: a
    filter in Python on all events would slow the very start it measures)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.shown = False

    def watch(self, window: QMainWindow) -> None:
        """Call before `window.show()`."""
        window.create()  # the platform window, whose Expose event marks "on screen"
        handle = window.windowHandle()
        if handle is not None:
            handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            not self.shown
            and event.type() == QEvent.Type.Expose
            and isinstance(watched, QWindow)
            and watched.isExposed()
        ):
            self.shown = True
            report("shown")
            if self._pending():
                QTimer.singleShot(0, self._wait_until_ready)
            else:  # every problem was known before the window showed
                report("ready")
                QTimer.singleShot(0, self.app.quit)
        return False

    def _pending(self) -> list[Any]:
        documents = []
        for widget in self.app.topLevelWidgets():
            document = getattr(widget, "document", None)
            if document is not None and getattr(document, "validation_pending", False):
                documents.append(document)
        return documents

    def _wait_until_ready(self) -> None:
        if self._pending():
            QTimer.singleShot(1, self._wait_until_ready)
            return
        report("ready")
        self.app.quit()
