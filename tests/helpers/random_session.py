"""A random editing session in a fresh editor process, for test_gui.py.

`python tests/helpers/random_session.py FILE SEED STEPS` opens FILE through the editor's own
application object and makes STEPS random user actions: selecting and expanding tree
nodes, typing into visible text fields, changing combo boxes, check boxes and spin
boxes, undo, redo, adding a connection through the New VPN Connection dialog, removing a
payload, and as a person does it: clicking a text or list field and typing into
whatever has the focus after each key (then checking that the profile, written out,
holds exactly what was typed), pressing Tab and Shift+Tab, and turning the mouse wheel
over the form (which changes nothing unless the widget under the pointer has focus).
Then it undoes everything and prints one line of JSON: how often each action was drawn
(an action with nothing to act on, such as typing in a form without text fields, is
drawn but does nothing), the typing checks made and those that failed, and whether the
profile, written again, is byte for byte what was read. A crash ends the process
without that line.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

ACTIONS = [
    "select", "select", "expand", "type", "type", "widget", "undo", "redo", "add", "remove",
    "type_focus", "type_focus", "tab", "wheel",
]  # fmt: skip


def main() -> None:
    path, seed, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    import plistlib

    from PySide6.QtCore import QEvent, QModelIndex, QPoint, QPointF, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import (
        QApplication,
        QCheckBox,
        QComboBox,
        QLineEdit,
        QSpinBox,
        QWidget,
    )

    from editor.app.application import EditorApplication
    from editor.core import presets
    from editor.core.model import Profile, get_value
    from editor.ui.fields import ListField, TextField

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

    letters = "abcxyz.-019 "
    typing_checks = 0
    typing_failures: list[str] = []

    def focused() -> QWidget | None:
        widget = QApplication.focusWidget()
        if widget is None:
            window.activateWindow()  # what a window manager does after a dialog closes
            settle()
            widget = QApplication.focusWidget()
        return widget

    def saved_value(path: tuple) -> object:  # type: ignore[type-arg]
        return get_value(plistlib.loads(window.document.profile.to_bytes("xml")), path)

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
        elif action == "type_focus" and window.form is not None:
            rows = [
                row
                for row in window.form.rows.values()
                if isinstance(row.field, TextField | ListField)
                and row.field.focus_widget().isVisible()
                and row.field.focus_widget().isEnabled()
                and not getattr(row.field.focus_widget(), "isReadOnly", lambda: False)()
            ]
            if rows:
                row = rng.choice(rows)
                widget = row.field.focus_widget()
                window.form.ensureWidgetVisible(widget)
                settle()
                QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
                settle()
                target = focused()
                if target is not None:
                    QTest.keyClick(target, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
                text = "".join(rng.choice(letters) for _ in range(rng.randrange(1, 9)))
                if isinstance(row.field, ListField) and rng.random() < 0.5:
                    text += "\n" + "".join(rng.choice(letters) for _ in range(3))
                for char in text:
                    target = focused()
                    if target is None:
                        break
                    if char == "\n":
                        QTest.keyClick(target, Qt.Key.Key_Return)
                    else:
                        QTest.keyClicks(target, char)
                    settle()
                if isinstance(row.field, ListField):
                    lines = text.split("\n")
                    while lines and lines[-1] == "":
                        lines.pop()
                    integers = row.field.item_type == "integer"  # "100" is saved as 100
                    expected: object = [
                        int(line) if integers and line.strip().lstrip("-").isdigit() else line
                        for line in lines
                    ]
                else:
                    expected = text
                typing_checks += 1
                got = saved_value(row.path)
                if got != expected:
                    typing_failures.append(f"{row.path}: typed {expected!r}, saved {got!r}")
        elif action == "tab":
            for _ in range(rng.randrange(1, 6)):
                target = focused()
                if target is None:
                    break
                if rng.random() < 0.7:
                    QTest.keyClick(target, Qt.Key.Key_Tab)
                else:
                    QTest.keyClick(target, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
                settle()
        elif action == "wheel" and window.form is not None:
            widgets = [w for w in window.form.findChildren(QWidget) if w.isVisible()]
            if widgets:
                over = rng.choice(widgets)
                centre = over.mapTo(window, over.rect().center())
                under = window.childAt(centre) or over
                focus = QApplication.focusWidget()
                engaged = focus is not None and (
                    focus is under or focus.isAncestorOf(under) or under.isAncestorOf(focus)
                )
                before = window.document.profile.to_bytes("xml")
                notches = rng.choice([-3, -1, 1, 2])
                handle = window.windowHandle()
                QTest.wheelEvent(handle, QPointF(centre), QPoint(0, 120 * notches))
                settle()
                if not engaged and window.document.profile.to_bytes("xml") != before:
                    typing_failures.append(f"the wheel over an unfocused {type(under).__name__}")
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
    print(
        json.dumps(
            {
                "counts": counts,
                "undo_restores": restored,
                "typing_checks": typing_checks,
                "typing_failures": typing_failures,
            }
        )
    )


if __name__ == "__main__":
    main()
