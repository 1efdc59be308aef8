"""In-process keystroke timing: type into a field of the editor window, one key at a time.

`python benchmarks/keystroke.py FILE --payload N --keys K` opens FILE in a real
MainWindow (offscreen unless QT_QPA_PLATFORM says otherwise), selects the IKEv2
dictionary of payload N, focuses its RemoteAddress field and types K keys with QTest.
Each key is timed from the key press until the document's problems, the field's inline
problem and the problems panel all show the new state (events are processed until they
do). The keys make the value invalid and valid again in turn, so the inline problem and
the panel's row appear and go away. Afterwards it times the deferred profile-level
re-check that runs once typing pauses. Prints one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

# A space makes the host name invalid; backspace removes it again.
KEYS = [" ", "x", "\b", "\b", "a", "\b"]


def _panel_paths(window: Any) -> set[tuple[Any, ...]]:
    panel = window.problems
    if not hasattr(panel, "row_count"):  # the QTreeWidget panel before this work
        from PySide6.QtCore import Qt

        items = [panel.list.topLevelItem(i) for i in range(panel.list.topLevelItemCount())]
        return {tuple(i.data(0, Qt.ItemDataRole.UserRole)) for i in items}
    return {tuple(panel.row_path(row)) for row in range(panel.row_count())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--payload", type=int, required=True)
    parser.add_argument("--keys", type=int, default=24)
    parser.add_argument("--profile", metavar="FILE", help="write cProfile stats of the typing")
    args = parser.parse_args()

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QLineEdit

    from editor.app.main_window import MainWindow, open_document
    from editor.core.schema_loader import load_schema

    app = QApplication.instance() or QApplication([sys.argv[0]])
    schema = load_schema()
    document = open_document(Path(args.file), schema)
    window = MainWindow(document)
    window.show()
    QTest.qWaitForWindowExposed(window)
    node = ("PayloadContent", args.payload, "IKEv2")
    window.select_path(node)
    assert window.form is not None and window.form.path == node, "the IKEv2 form is not shown"
    row = window.form.rows["RemoteAddress"]
    edit = row.field.focus_widget()
    assert isinstance(edit, QLineEdit)
    edit.setFocus()
    edit.end(False)
    app.processEvents()
    field_path = (*node, "RemoteAddress")

    def settled() -> bool:
        value = document.value(field_path)
        invalid = " " in value
        has_problem = any(
            p.code == "format-invalid" and p.path == field_path
            for p in document.problems_under(field_path)
        )
        if has_problem != invalid:
            return False
        if row.problem_label.isVisibleTo(window) != invalid:
            return False
        return (field_path in _panel_paths(window)) == invalid

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    times: list[float] = []
    handling: list[float] = []  # until the key's signals are handled, before any painting
    for n in range(args.keys):
        key = KEYS[n % len(KEYS)]
        start = time.perf_counter()
        if key == "\b":
            QTest.keyClick(edit, Qt.Key.Key_Backspace)
        else:
            QTest.keyClicks(edit, key)
        handled = time.perf_counter()
        app.processEvents()
        deadline = start + 5.0
        while not settled():
            if time.perf_counter() > deadline:
                raise SystemExit(f"key {n}: the window did not show the new state")
            app.processEvents()
        # what the first pass scheduled (layouts, then the paint they ask for)
        app.processEvents()
        app.processEvents()
        times.append(time.perf_counter() - start)
        handling.append(handled - start)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    # the deferred profile-level re-check, once typing pauses
    recheck = getattr(document, "_recheck_profile_level", None)
    deferred = []
    if recheck is not None:
        for _ in range(5):
            start = time.perf_counter()
            recheck()
            app.processEvents()
            deferred.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "median": statistics.median(times),
                "max": max(times),
                "handling_median": statistics.median(handling),
                "times": times,
                "deferred_median": statistics.median(deferred) if deferred else None,
            }
        ),
        flush=True,
    )
    os._exit(0)  # no teardown: closing would ask about the unsaved edits


if __name__ == "__main__":
    main()
