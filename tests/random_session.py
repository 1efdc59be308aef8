"""A random editing session in a fresh editor process, for test_gui.py.

`python tests/random_session.py FILE SEED STEPS` opens FILE through the editor's own
application object and makes STEPS random user actions: selecting and expanding tree
nodes, typing into visible text fields, changing combo boxes, check boxes and spin
boxes, undo, redo, adding a connection through the New VPN Connection dialog, removing a
payload. Then it undoes everything and prints one line of JSON: how often each action
was drawn (an action with nothing to act on, such as typing in a form without text
fields, is drawn but does nothing), and whether the profile, written again, is byte for
byte what was read. A crash ends the
process without that line.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACTIONS = ["select", "select", "expand", "type", "type", "widget", "undo", "redo", "add", "remove"]


def main() -> None:
    path, seed, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    from PySide6.QtCore import QEvent, QModelIndex, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QSpinBox

    from editor.core import presets
    from editor.core.model import Profile
    from editor.ui.app import EditorApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    editor = EditorApplication(app)
    rng = random.Random(seed)
    (window,) = editor.open_paths([path])
    types = [kind.id for kind in presets.CONNECTION_TYPES]
    keys = [Qt.Key.Key_A, Qt.Key.Key_Period, Qt.Key.Key_Backspace, Qt.Key.Key_Space, Qt.Key.Key_1]

    def settle() -> None:
        app.processEvents()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()

    def tree_indexes() -> list[QModelIndex]:
        model, found = window.model, []

        def visit(parent: QModelIndex, depth: int) -> None:
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                found.append(index)
                if depth < 3 and model.hasChildren(index):
                    visit(index, depth + 1)

        visit(QModelIndex(), 0)
        return found

    def usable(kind: type) -> list:  # type: ignore[type-arg]
        form = window.form
        if form is None:
            return []
        return [w for w in form.findChildren(kind) if w.isVisible() and w.isEnabled()]

    counts: dict[str, int] = {}
    for _ in range(steps):
        action = rng.choice(ACTIONS)
        counts[action] = counts.get(action, 0) + 1
        if action in ("select", "expand"):
            index = rng.choice(tree_indexes())
            window.tree.setCurrentIndex(index)
            if action == "expand":
                window.tree.expand(index)
        elif action == "type":
            edits = [e for e in usable(QLineEdit) if not e.isReadOnly()]
            if edits:
                edit = rng.choice(edits)
                edit.setFocus()
                for _ in range(rng.randrange(1, 8)):
                    QTest.keyClick(edit, rng.choice(keys))
        elif action == "widget":
            widgets = usable(QComboBox) + usable(QCheckBox) + usable(QSpinBox)
            if widgets:
                widget = rng.choice(widgets)
                if isinstance(widget, QComboBox) and widget.count():
                    widget.setCurrentIndex(rng.randrange(widget.count()))
                elif isinstance(widget, QCheckBox):
                    widget.click()
                elif isinstance(widget, QSpinBox):
                    widget.setValue(widget.minimum() + rng.randrange(100))
        elif action == "undo":
            window.document.undo_stack.undo()
        elif action == "redo":
            window.document.undo_stack.redo()
        elif action == "add":
            dialog = window.make_connection_dialog(rng.choice(types))
            dialog.name_edit.setText("Random")
            dialog.server_edit.setText("random.example.com")
            dialog.accept()
            dialog.deleteLater()
        elif action == "remove" and len(window.document.profile.payloads) > 1:
            window.select_path(
                ("PayloadContent", rng.randrange(len(window.document.profile.payloads)))
            )
            settle()
            window.remove_selected_payload()
        settle()
    stack = window.document.undo_stack
    while stack.canUndo():
        stack.undo()
        settle()
    restored = window.document.profile.to_bytes("xml") == Profile.read(path).to_bytes("xml")
    print(json.dumps({"counts": counts, "undo_restores": restored}))


if __name__ == "__main__":
    main()
