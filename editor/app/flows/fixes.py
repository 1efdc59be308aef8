"""Quick fixes, payload fragments and the deployment channel in the editor.

Kept apart from the form and the problems panel (a few lines in main_window wire it in):
- a Fix button under a field's inline problem, and Fix / Fix All of This Kind / Fix All
  under the problems panel and in its context menu; each is one named undo step
  (Document.apply_fix / apply_fixes over editor.core.fixes), and the field it changed
  has the focus afterwards;
- Edit ▸ Copy Payload as XML and File ▸ Export Payload as XML Fragment… (the bare <dict>
  that Workspace ONE's custom settings take);
- View ▸ Deployment Channel: the MDM the document goes through (its variables, limits).
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

from editor.app.flows.base import WindowFlow
from editor.core.errors import EditorError
from editor.core.fixes import FIX_KINDS, Fix, FixError, fix_for
from editor.core.model import MISSING, KeyPath
from editor.core.validation.problems import Problem
from editor.session import settings as app_settings

if TYPE_CHECKING:
    from editor.app.main_window import MainWindow
    from editor.core.fixes import Change
    from editor.ui.form import NodeForm



def install(
    window: MainWindow, file_menu: QMenu, edit_menu: QMenu, view_menu: QMenu
) -> QuickFixes:
    """Add the menu entries and the problems panel's fix buttons to a window."""
    fixes = QuickFixes(window)
    export = QAction("Export Payload as XML &Fragment…", window)
    export.setStatusTip("Write the selected payload as a bare <dict> (Workspace ONE)")
    export.triggered.connect(fixes.export_fragment)
    file_menu.addAction(export)
    copy_xml = QAction("Copy Payload as &XML", window)
    copy_xml.setStatusTip("Put the selected payload on the clipboard as a bare <dict>")
    copy_xml.triggered.connect(fixes.copy_payload_xml)
    edit_menu.addSeparator()
    edit_menu.addAction(copy_xml)
    edit_menu.addAction(fixes.fix_all_action)
    window.export_fragment_action = export  # type: ignore[attr-defined]
    window.copy_payload_xml_action = copy_xml  # type: ignore[attr-defined]
    view_menu.addSeparator()
    view_menu.addMenu(fixes.channel_menu())
    fixes.add_panel_buttons()
    _guard_signed_export(window)
    return fixes


def _guard_signed_export(window: MainWindow) -> None:
    """Exporting signed while the channel drops signatures (Intune) asks first."""
    owner = weakref.ref(window)
    flow = window.signing
    plain_export = type(flow).export

    def export(request: Any) -> bool:
        current = owner()
        if current is None:
            return False
        from editor.core.channels import channel

        chosen = channel(current.document.channel)
        if request.identity is not None and chosen.signature_note is not None:
            answer = QMessageBox.question(
                current,
                f"Export Signed for {chosen.title}?",
                f"The deployment channel is {chosen.title}: {chosen.signature_note}. "
                "Export it signed anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        result: bool = plain_export(current.signing, request)
        return result

    flow.export = export  # type: ignore[method-assign]


class QuickFixes(WindowFlow):
    """What a window does with fixes, fragments and channels."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.fix_all_action = QAction("F&ix All", window)
        self.fix_all_action.setStatusTip("Apply every fix that needs no choice, as one step")
        self.fix_all_action.triggered.connect(self.fix_all)
        self.channel_actions: dict[str, QAction] = {}
        # per source of problems (a payload, the profile-level rules): how many of its
        # problems have a fix that needs no choice; Fix All is enabled while any has one
        self._ready_fixes: dict[int, int] = {}
        window.document.problems_updated.connect(self._count_ready_fixes)
        self._count_ready_fixes(None)

    # --- fixing ----------------------------------------------------------------------------
    def fix_of(self, problem: Problem) -> Fix | None:
        return fix_for(problem, self.document.profile.root, self.document.schema)

    def fixes_without_choice(self, problems: list[Problem]) -> int:
        """How many of these problems have a fix Fix All applies (one needing no choice)."""
        count = 0
        for problem in problems:
            if problem.code == "duplicate-key":
                count += bool(self.document.profile.duplicate_keys)  # written once on save
                continue
            fix = self.fix_of(problem)
            if fix is not None and (fix.parameter is None or fix.parameter.default is not None):
                count += 1
        return count

    def _count_ready_fixes(self, update: Any) -> None:
        """After every check (an edit, an undo, other targets): count again the fixes of
        the sources that changed, all of them when everything may have."""
        document = self.document
        if update is None or update.reset:
            self._ready_fixes = {
                source: self.fixes_without_choice(document.problems_of_source(source))
                for source in document.problem_sources
            }
        else:
            self._ready_fixes[update.source] = self.fixes_without_choice(list(update.added))
        ready = any(self._ready_fixes.values())
        self.fix_all_action.setEnabled(ready)
        button = getattr(self, "fix_all_button", None)
        if button is not None:
            button.setEnabled(ready)

    def ask(self, fix: Fix) -> tuple[bool, str | None]:
        """The value of the fix's parameter: (False, None) when the user cancels."""
        parameter = fix.parameter
        if parameter is None or parameter.default is not None:
            return True, None
        if parameter.choices:
            value, chosen = QInputDialog.getItem(
                self.window, "Fix", f"{_escaped(fix.description)}.\n&{parameter.label}:",
                list(parameter.choices), 0, False,
            )  # fmt: skip
        else:
            value, chosen = QInputDialog.getText(
                self.window, "Fix", f"{_escaped(fix.description)}.\n&{parameter.label}:",
                QLineEdit.EchoMode.Password if parameter.secret else QLineEdit.EchoMode.Normal,
            )  # fmt: skip
        return (True, str(value)) if chosen and value else (False, None)

    def fix_problem(self, problem: Problem) -> bool:
        fix = self.fix_of(problem)
        if fix is None:
            return False
        go_on, value = self.ask(fix)
        if not go_on:
            return False
        try:
            changes = self.document.apply_fix(fix, value)
        except FixError as exc:
            QMessageBox.warning(self.window, "Cannot fix", str(exc))
            return False
        self.window.statusBar().showMessage(f"Fixed: {fix.description}", 5000)
        self._focus(problem, changes)
        return True

    def fix_kind(self, problem: Problem) -> bool:
        """Every problem with a fix of the same kind as this one's, as one step."""
        fix = self.fix_of(problem)
        if fix is None:
            return False
        go_on, value = self.ask(fix)
        if not go_on:
            return False
        parameters = {fix.parameter.name: value} if fix.parameter and value else None
        run = self.document.apply_fixes(
            f"Fix all: {FIX_KINDS[fix.kind]}", kinds={fix.kind}, parameters=parameters
        )
        self._report(run)
        if run.applied:
            self._focus(problem, list(run.applied[0].changes))
        return bool(run.applied)

    def fix_all(self) -> bool:
        run = self.document.apply_fixes("Fix all")
        self._report(run)
        if run.applied:
            first = run.applied[0]
            self._focus(first.problem, list(first.changes))
        return bool(run.applied)

    def _report(self, run: Any) -> None:
        done = sum(len(applied.changes) for applied in run.applied)
        waiting = len(run.skipped)
        text = f"{done} change(s) made" if done else "Nothing to fix"
        if waiting:
            text += f"; {waiting} fix(es) need a choice: use Fix on them"
        self.window.statusBar().showMessage(text, 6000)

    def _focus(self, problem: Problem, changes: list[Change]) -> None:
        """Show the field the fix changed (where a moved key went; the first payload of a
        wrapped fragment) and give it the focus."""
        target: KeyPath = problem.path
        for change in reversed(changes):
            if change.path and change.after is not MISSING:
                target = change.path
                break
        if not target or (target == ("PayloadType",) and self.document.profile.payloads):
            target = ("PayloadContent", 0) if self.document.profile.payloads else ()
        if target and not isinstance(target[-1], str):
            target = target[:-1] if isinstance(target[-1], int) else target
        # after the window's own queued re-selection that follows a structural edit
        QTimer.singleShot(0, lambda: self.window.show_problem(target))

    # --- the problems panel ------------------------------------------------------------------
    def add_panel_buttons(self) -> None:
        panel = self.window.problems
        row = QHBoxLayout()
        self.fix_button = QPushButton("&Fix", panel)
        self.fix_button.setObjectName("problemFix")
        self.fix_kind_button = QPushButton("Fix All of This &Kind", panel)
        self.fix_all_button = QPushButton("Fix A&ll", panel)
        self.fix_all_button.setEnabled(self.fix_all_action.isEnabled())
        self.fix_all_button.setToolTip(self.fix_all_action.statusTip())
        for button in (self.fix_button, self.fix_kind_button, self.fix_all_button):
            row.addWidget(button)
        row.addStretch(1)
        layout = panel.layout()
        assert layout is not None
        layout.addLayout(row)  # type: ignore[attr-defined]
        self.fix_button.clicked.connect(lambda: self._on_selected(self.fix_problem))
        self.fix_kind_button.clicked.connect(lambda: self._on_selected(self.fix_kind))
        self.fix_all_button.clicked.connect(self.fix_all)
        panel.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        panel.take_context_menu()  # one menu with the panel's items and the fixes
        panel.list.customContextMenuRequested.connect(self._context_menu)
        panel.list.selectionModel().currentChanged.connect(lambda *_a: self.update_buttons())
        panel.model.modelReset.connect(self.update_buttons)
        self.document.problems_changed.connect(self.update_buttons)
        self.update_buttons()

    def selected_problem(self) -> Problem | None:
        panel = self.window.problems
        index = panel.list.currentIndex()
        if not index.isValid() or index.row() >= panel.row_count():
            return None
        problem: Problem = panel.model.problem(index.row())
        return problem

    def _on_selected(self, action: Any) -> None:
        problem = self.selected_problem()
        if problem is not None:
            action(problem)

    def update_buttons(self) -> None:
        problem = self.selected_problem()
        fix = self.fix_of(problem) if problem is not None else None
        self.fix_button.setEnabled(fix is not None)
        self.fix_kind_button.setEnabled(fix is not None)
        self.fix_button.setToolTip(fix.description if fix is not None else "No fix for this")
        self.fix_kind_button.setToolTip(FIX_KINDS[fix.kind] if fix is not None else "")

    def _context_menu(self, point: QPoint) -> None:
        panel = self.window.problems
        index = panel.list.indexAt(point)
        if index.isValid():
            panel.list.setCurrentIndex(index)
        menu = self.context_menu()
        menu.exec(panel.list.viewport().mapToGlobal(point))

    def context_menu(self) -> QMenu:
        """The problems list's context menu for the selected row."""
        menu = QMenu(self.window.problems)
        problem = self.selected_problem()
        fix = self.fix_of(problem) if problem is not None else None
        if problem is not None and fix is not None:
            menu.addAction(
                f"&Fix: {_escaped(fix.description)}", lambda: self.fix_problem(problem)
            )
            menu.addAction(
                f"Fix All of This &Kind ({_escaped(FIX_KINDS[fix.kind])})",
                lambda: self.fix_kind(problem),
            )
        else:
            menu.addAction("No fix for this problem").setEnabled(False)
        menu.addAction(self.fix_all_action)
        if problem is not None:
            menu.addSeparator()
            self.window.problems.add_row_actions(menu)
        return menu

    # --- inline buttons under a form's fields -------------------------------------------------
    def attach_form(self, form: NodeForm) -> None:
        InlineFixes(self, form)

    # --- fragments ---------------------------------------------------------------------------
    def selected_payload(self) -> tuple[KeyPath, dict[str, Any]] | None:
        path: KeyPath = self.window.model.node_for(self.window.tree.currentIndex()).path
        if len(path) >= 2 and path[0] == "PayloadContent" and isinstance(path[1], int):
            payload = self.document.value(path[:2])
            return (path[:2], payload) if isinstance(payload, dict) else None
        if self.document.is_fragment:
            return (), self.document.profile.root
        payloads = [p for p in self.document.profile.payloads if isinstance(p, dict)]
        if len(payloads) == 1:
            return ("PayloadContent", self.document.profile.payloads.index(payloads[0])), (
                payloads[0]
            )
        return None

    def _payload_or_say(self) -> dict[str, Any] | None:
        selected = self.selected_payload()
        if selected is None:
            self.window.statusBar().showMessage("Select a payload in the tree first", 5000)
            return None
        return selected[1]

    def copy_payload_xml(self) -> bool:
        from editor.core.fragments import payload_fragment_xml

        payload = self._payload_or_say()
        if payload is None:
            return False
        QApplication.clipboard().setText(payload_fragment_xml(payload).decode("utf-8"))
        self.window.statusBar().showMessage("The payload is on the clipboard as XML", 4000)
        return True

    def export_fragment(self) -> bool:
        from editor.core.fragments import payload_fragment_xml
        from editor.core.plistio import write_atomic

        payload = self._payload_or_say()
        if payload is None:
            return False
        start = Path(app_settings.LAST_DIRECTORY.read(self.window.settings))
        name = str(payload.get("PayloadDisplayName") or payload.get("UserDefinedName") or "payload")
        chosen, _filter = QFileDialog.getSaveFileName(
            self.window,
            "Export Payload as XML Fragment",
            str(start / f"{name}.xml"),
            "XML fragment (*.xml);;All files (*)",
        )
        if not chosen:
            return False
        try:
            write_atomic(chosen, payload_fragment_xml(payload))
        except (EditorError, OSError) as exc:
            QMessageBox.critical(self.window, "Cannot export", str(exc))
            return False
        self.window.statusBar().showMessage(f"Exported to {chosen}", 5000)
        return True

    # --- the deployment channel ----------------------------------------------------------------
    def channel_menu(self) -> QMenu:
        from editor.core.channels import channels

        menu = QMenu("Deployment &Channel", self.window)
        menu.setToolTipsVisible(True)
        from editor.ui.mnemonics import with_mnemonic

        group = QActionGroup(menu)
        taken: set[str] = set()
        for chosen in channels():
            action = QAction(with_mnemonic(chosen.title, taken), menu)
            action.setCheckable(True)
            action.setToolTip(_channel_tip(chosen))
            action.triggered.connect(lambda _c=False, cid=chosen.id: self.set_channel(cid))
            group.addAction(action)
            menu.addAction(action)
            self.channel_actions[chosen.id] = action
        remembered = self._remembered_channel()
        if remembered is not None:
            self.document.set_channel(remembered)
        self.channel_actions[self.document.channel].setChecked(True)
        return menu

    def _remembered_channel(self) -> str | None:
        from editor.core.channels import CHANNEL_IDS

        if self.document.path is None:
            return None
        value = app_settings.CHANNEL_BY_FILE.text(self.document.path).read(self.window.settings)
        return value if value in CHANNEL_IDS else None

    def set_channel(self, channel_id: str) -> None:
        self.document.set_channel(channel_id)
        self.channel_actions[channel_id].setChecked(True)
        if self.document.path is not None:
            remembered = app_settings.CHANNEL_BY_FILE.text(self.document.path)
            remembered.write(self.window.settings, channel_id)
        from editor.core.channels import channel

        self.window.statusBar().showMessage(
            f"Deployment channel: {channel(channel_id).title}", 4000
        )


def _escaped(text: str) -> str:
    """A text shown in a label with a mnemonic: its own ampersands are not one."""
    return text.replace("&", "&&")


def _channel_tip(chosen: Any) -> str:
    if not chosen.fills_variables:
        return "Any common variable form is noted; none is filled in for the checks"
    examples = ", ".join(list(chosen.variables)[:3])
    return f"Recognizes {examples}…; checks fields with sample values filled in"


class InlineFixes(QObject):
    """A Fix button under each field of a form whose problem has a fix."""

    def __init__(self, fixes: QuickFixes, form: NodeForm) -> None:
        super().__init__(form)
        self.fixes = fixes
        self.form = form
        self.buttons: dict[str, QPushButton] = {}
        self.problems: dict[str, Problem] = {}  # the problem each shown button fixes
        fixes.document.problems_changed.connect(self.update)
        self.update()

    def update(self) -> None:
        form = self.form
        depth = len(form.path)
        by_key: dict[str, list[Problem]] = {}
        for problem in form.document.problems_under(form.path):
            if len(problem.path) > depth and isinstance(problem.path[depth], str):
                by_key.setdefault(str(problem.path[depth]), []).append(problem)
        for name, row in form.rows.items():
            found = next(
                (
                    (problem, fix)
                    for problem in by_key.get(name, ())
                    if (fix := self.fixes.fix_of(problem)) is not None
                ),
                None,
            )
            button = self.buttons.get(name)
            if found is None:
                if button is not None:
                    button.hide()
                continue
            if button is None:
                button = self.buttons[name] = _inline_button(row)
                button.clicked.connect(lambda _c=False, key=name: self._clicked(key))
            problem, fix = found
            self.problems[name] = problem
            button.setText(f"Fix: {fix.description}")
            button.setAccessibleName(f"Fix {name}")
            button.show()

    def _clicked(self, name: str) -> None:
        problem = self.problems.get(name)
        if problem is not None:
            self.fixes.fix_problem(problem)


def _inline_button(row: QWidget) -> QPushButton:
    button = QPushButton(row)
    button.setObjectName("inlineFix")
    button.setSizePolicy(button.sizePolicy().Policy.Maximum, button.sizePolicy().Policy.Fixed)
    layout = row.layout()
    if layout is not None:
        layout.addWidget(button)
    return button
