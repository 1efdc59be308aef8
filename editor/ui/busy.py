"""Slow work (reading, writing, signing large profiles) off the UI thread.

`run_busy(label, work)` runs `work()` in a worker thread and waits for it in a local
event loop, so the window keeps painting; the user's input is held back until the work
is done (nothing can change the profile under it). When the work takes longer than
BUSY_AFTER_MS, a busy cursor and a progress dialog naming the work appear. The result,
or the exception, comes back to the caller as if the call had been made directly.

Python's GIL lets only one thread run Python at a time, so this does not make the work
faster; it keeps the window responsive (it repaints, the busy indicator moves) while
the work runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

T = TypeVar("T")

BUSY_AFTER_MS = 500

# Tests and benchmarks can see which thread ran the last piece of work.
last_worker: threading.Thread | None = None


class _Finished(QObject):
    done = Signal()


def run_busy(label: str, work: Callable[[], T], parent: QWidget | None = None) -> T:
    """Run work() in a worker thread while the UI keeps painting; return its result."""
    global last_worker
    app = QApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return work()  # no UI to keep alive, or already off the UI thread
    results: list[T] = []
    errors: list[BaseException] = []
    finished = _Finished()
    loop = QEventLoop()
    finished.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def run() -> None:
        try:
            results.append(work())
        except BaseException as exc:  # handed to the caller below
            errors.append(exc)
        finally:
            finished.done.emit()

    worker = threading.Thread(target=run, name=f"busy: {label}", daemon=True)
    last_worker = worker
    indicator: list[QProgressDialog] = []

    def show_busy() -> None:
        if not worker.is_alive():
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        dialog = QProgressDialog(f"{label}…", "", 0, 0, parent)
        dialog.setCancelButton(None)
        dialog.setWindowTitle(label)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(0)
        dialog.show()
        indicator.append(dialog)

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(show_busy)
    timer.start(BUSY_AFTER_MS)
    worker.start()
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    worker.join()
    timer.stop()
    if indicator:
        indicator[0].close()
        indicator[0].deleteLater()
        QApplication.restoreOverrideCursor()
    if errors:
        raise errors[0]
    return results[0]
