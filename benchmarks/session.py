"""Memory over a working session: does the editor give back what a user is done with?

`python benchmarks/session.py FILE --payload N --rounds R` runs the editor's own
application object (offscreen unless QT_QPA_PLATFORM says otherwise) through rounds of
what a user does all day: open FILE, click through the tree, type into the RemoteAddress
field of payload N, undo it all, close the window. It prints one line of JSON with the
resident set size after a few warm-up rounds and after R more, so that growth per round
shows memory that is never given back.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

WARM_UP_ROUNDS = 5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--payload", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--clicks", type=int, default=20, help="tree selections per round")
    parser.add_argument("--keys", type=int, default=20, help="keystrokes per round")
    args = parser.parse_args()

    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from editor.app.application import EditorApplication
    from editor.app.startup_probe import memory_kib

    app = QApplication.instance() or QApplication([sys.argv[0]])
    editor = EditorApplication(app)
    vpn = ("PayloadContent", args.payload)
    places = [vpn, (*vpn, "IKEv2"), (), ("PayloadContent", 0)]

    def settle() -> None:
        # What the event loop does between two user actions, deferred deletions included.
        app.processEvents()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()

    def one_round() -> None:
        (window,) = editor.open_paths([args.file])
        for click in range(args.clicks):
            window.select_path(places[click % len(places)])  # type: ignore[attr-defined]
            settle()
        window.select_path((*vpn, "IKEv2"))  # type: ignore[attr-defined]
        settle()
        field = window.form.rows["RemoteAddress"].field.focus_widget()  # type: ignore[attr-defined]
        field.setFocus()
        for key in range(args.keys):
            QTest.keyClick(field, Qt.Key.Key_Backspace if key % 3 == 2 else Qt.Key.Key_A)
            settle()
        stack = window.document.undo_stack  # type: ignore[attr-defined]
        while stack.canUndo():
            stack.undo()
        settle()
        window.close()  # type: ignore[attr-defined]
        settle()
        QTest.qWait(20)  # the collection the editor runs once a window is gone

    for _ in range(WARM_UP_ROUNDS):
        one_round()
    warm = memory_kib()[0]
    for _ in range(args.rounds):
        one_round()
    end = memory_kib()[0]
    print(json.dumps({"rounds": args.rounds, "rss_warm_kib": warm, "rss_end_kib": end}))


if __name__ == "__main__":
    main()
