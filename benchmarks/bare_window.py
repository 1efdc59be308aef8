"""The floor for the whole-process window rows: a bare PySide6 window.

A main window with a tree view (a few rows) beside a small form, shown; at its first
Expose event the script prints `shown TIME rss=KIB hwm=KIB` (as the editor's
startup probe does) and quits. With `--load FILE` it first reads FILE with
`plistlib.load`, the floor for opening a profile.
"""

from __future__ import annotations

import argparse
import plistlib
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel, QWindow
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QTreeView,
    QWidget,
)


def _memory_kib() -> tuple[int, int]:
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


class _FirstExpose(QObject):
    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            not self.done
            and event.type() == QEvent.Type.Expose
            and isinstance(watched, QWindow)
            and watched.isExposed()
        ):
            self.done = True
            rss, hwm = _memory_kib()
            print(f"shown {time.time():.6f} rss={rss} hwm={hwm}", flush=True)
            QTimer.singleShot(0, self.app.quit)
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--load", metavar="FILE")
    args = parser.parse_args()
    loaded = None
    if args.load:
        with open(args.load, "rb") as handle:
            loaded = plistlib.load(handle)
    app = QApplication([])
    probe = _FirstExpose(app)
    window = QMainWindow()
    window.resize(1200, 800)
    model = QStandardItemModel(window)
    profile = QStandardItem("Profile")
    for n in range(3):
        profile.appendRow(QStandardItem(f"Payload {n + 1}"))
    model.appendRow(profile)
    tree = QTreeView(window)
    tree.setModel(model)
    tree.expandAll()
    form = QWidget(window)
    layout = QFormLayout(form)
    for label in ("Name", "Server", "Identifier"):
        layout.addRow(label, QLineEdit(form))
    choice = QComboBox(form)
    choice.addItems(["IKEv2", "IPSec", "L2TP"])
    layout.addRow("Type", choice)
    splitter = QSplitter(window)
    splitter.addWidget(tree)
    splitter.addWidget(form)
    window.setCentralWidget(splitter)
    # as the editor's probe does: watch this window's platform window, not every event
    window.create()
    handle = window.windowHandle()
    assert handle is not None
    handle.installEventFilter(probe)
    window.show()
    app.exec()
    del loaded


if __name__ == "__main__":
    main()
