"""The problems panel: every problem of the document; activating one shows its field.

The list is a model kept in step with the document's ProblemsUpdate deltas: when one
payload is re-checked, only that payload's rows are taken out and put back, so typing
in a profile with thousands of problems costs what the edited payload's rows cost.
Rows are ordered by severity, then profile-level problems, then payload by payload,
each in the order validation found them.
"""

from __future__ import annotations

import bisect
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from editor.core.model import KeyPath, payload_index
from editor.core.validation.problems import Problem, Severity
from editor.session.document import PROFILE_LEVEL, Document, ProblemsUpdate
from editor.ui.icons import standard_icon

_ICONS = {
    Severity.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
    Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_HEADERS = ("Severity", "Where", "Problem", "Code")
# Keys whose value names a payload in the "Where" column.
_NAME_KEYS = frozenset({"PayloadDisplayName", "UserDefinedName"})

ModelIndex = QModelIndex | QPersistentModelIndex
RowKey = tuple[int, int, int]  # severity rank, source (PROFILE_LEVEL or payload), order


class ProblemsModel(QAbstractTableModel):
    """The rows of the panel, sorted by RowKey; updated source by source."""

    def __init__(self, document: Document, parent: Any = None) -> None:
        super().__init__(parent)
        self.document = document
        self.show_info = False
        self._keys: list[RowKey] = []
        self._rows: list[Problem] = []

    # --- contents ---------------------------------------------------------------------
    def _entries(self, source: int, problems: Any) -> list[tuple[RowKey, Problem]]:
        return [
            ((_RANK[p.severity], source, order), p)
            for order, p in enumerate(problems)
            if self.show_info or p.severity is not Severity.INFO
        ]

    def rebuild(self) -> None:
        document = self.document
        entries = self._entries(PROFILE_LEVEL, document._profile_problems)
        for index in sorted(document._payload_problems):
            entries.extend(self._entries(index, document._payload_problems[index]))
        entries.sort(key=lambda entry: entry[0])
        self.beginResetModel()
        self._keys = [key for key, _ in entries]
        self._rows = [problem for _, problem in entries]
        self.endResetModel()

    def apply(self, update: ProblemsUpdate) -> None:
        if update.reset:
            self.rebuild()
            return
        source = update.source
        added = self._entries(source, update.added)
        for rank in (0, 1, 2):
            low = bisect.bisect_left(self._keys, (rank, source, -1))
            high = bisect.bisect_left(self._keys, (rank, source + 1, -1), low)
            new = [entry for entry in added if entry[0][0] == rank]
            if new and len(new) == high - low:
                # as many rows as before (a message changed while typing): replace them in
                # place, so the view repaints those rows and lays nothing out again
                self._keys[low:high] = [key for key, _ in new]
                self._rows[low:high] = [problem for _, problem in new]
                self.dataChanged.emit(self.index(low, 0), self.index(high - 1, len(_HEADERS) - 1))
                continue
            if high > low:
                self.beginRemoveRows(QModelIndex(), low, high - 1)
                del self._keys[low:high]
                del self._rows[low:high]
                self.endRemoveRows()
            if new:
                self.beginInsertRows(QModelIndex(), low, low + len(new) - 1)
                self._keys[low:low] = [key for key, _ in new]
                self._rows[low:low] = [problem for _, problem in new]
                self.endInsertRows()

    def problem(self, row: int) -> Problem:
        return self._rows[row]

    def names_changed(self) -> None:
        """A payload's name changed: the "Where" column reads it again."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 1), self.index(len(self._rows) - 1, 1), [Qt.ItemDataRole.DisplayRole]
            )

    # --- QAbstractTableModel ----------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section] if 0 <= section < len(_HEADERS) else None
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        problem = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(problem, column)
        if role == Qt.ItemDataRole.UserRole:
            return problem.path
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return problem.message
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return self._where(problem)  # the column is often too narrow for the labels
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return standard_icon(_ICONS[problem.severity])
        return None

    def text(self, problem: Problem, column: int) -> str:
        if column == 0:
            return problem.severity.value
        if column == 1:
            return self._where(problem)
        if column == 2:
            return problem.message
        return problem.code

    def _where(self, problem: Problem) -> str:
        path = problem.path
        index = payload_index(path)
        if index is not None:
            payload = self.document.value(path[:2])
            name = ""
            if isinstance(payload, dict):
                name = str(
                    payload.get("PayloadDisplayName") or payload.get("UserDefinedName") or ""
                )
            rest = self._field_names(path, 2)
            head = f"Payload {index + 1}" + (f" ({name})" if name else "")
            return f"{head}: {rest}" if rest else head
        return "Profile" + (": " + self._field_names(path, 0) if path else "")

    def _field_names(self, path: KeyPath, start: int) -> str:
        """The keys as the form labels them: "IKEv2 settings › Local identity
        (LocalIdentifier)"; the last one also by its key, which messages name."""
        names = []
        for n in range(start, len(path)):
            part = path[n]
            if isinstance(part, int):
                noun = "rule" if n and path[n - 1] == "OnDemandRules" else "item"
                names.append(f"{noun} {part + 1}")
                continue
            spec = self.document.spec_for(path[: n + 1])
            # a key of an open dictionary (VendorConfig) by its own name, not its values' title
            label = spec.label if spec is not None and spec.name else part
            last = n == len(path) - 1
            names.append(f"{label} ({part})" if last and label != part else label)
        return " › ".join(names)


class ProblemsPanel(QWidget):
    problem_activated = Signal(object)  # key path
    explanation_requested = Signal(str)  # a problem code: "What does this mean?"

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        header = QHBoxLayout()
        self.summary = QLabel(self)
        header.addWidget(self.summary, 1)
        self.show_info = QCheckBox("Show notes", self)
        self.show_info.setToolTip(
            "Also list informational notes (kept unknown keys, MDM variables…)"
        )
        self.show_info.toggled.connect(self.refresh)
        header.addWidget(self.show_info)
        layout.addLayout(header)
        self.model = ProblemsModel(document, self)
        self.list = QTreeView(self)
        self.list.setAccessibleName("Problems")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setModel(self.model)
        self.list.setColumnWidth(0, 90)
        self.list.setColumnWidth(1, 280)
        self.list.setColumnWidth(2, 520)
        self.list.activated.connect(self._activated)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        layout.addWidget(self.list)
        document.problems_updated.connect(self.model.apply)
        document.problems_changed.connect(self._update_summary)
        document.value_changed.connect(self._on_value_changed)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild every row (when notes are shown or hidden)."""
        self.model.show_info = self.show_info.isChecked()
        self.model.rebuild()
        self._update_summary()

    def _update_summary(self) -> None:
        counts = self.document.problem_counts()
        self.summary.setText(
            f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
            f"{counts[Severity.INFO]} note(s)"
        )

    def _on_value_changed(self, path: KeyPath) -> None:
        if path and path[-1] in _NAME_KEYS:
            self.model.names_changed()

    # --- reading the rows (tests, benchmarks, accessibility checks) --------------------
    def selected_code(self) -> str | None:
        """The code of the problem selected in the list, if one is."""
        index = self.list.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.problem(index.row()).code

    def _context_menu(self, position: Any) -> None:
        from PySide6.QtWidgets import QMenu

        index = self.list.indexAt(position)
        if not index.isValid():
            return
        self.list.setCurrentIndex(index)
        menu = QMenu(self)
        self.add_row_actions(menu)
        menu.exec(self.list.viewport().mapToGlobal(position))

    def add_row_actions(self, menu: Any) -> None:
        """Go to Field and What Does This Mean? for the selected row, to a context menu
        (the window's own, when it adds more: one menu, not two after each other)."""
        index = self.list.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return
        code = self.model.problem(index.row()).code
        go = menu.addAction("&Go to Field")
        go.triggered.connect(lambda: self._activated(index))
        explain = menu.addAction("&What Does This Mean?")
        explain.setShortcut(QKeySequence(Qt.Key.Key_F1))
        explain.triggered.connect(lambda: self.explanation_requested.emit(code))

    def take_context_menu(self) -> None:
        """The window makes the list's context menu from now on (add_row_actions in it)."""
        self.list.customContextMenuRequested.disconnect(self._context_menu)

    def row_count(self) -> int:
        return self.model.rowCount()

    def row_path(self, row: int) -> KeyPath:
        return self.model.problem(row).path

    def row_text(self, row: int, column: int) -> str:
        return self.model.text(self.model.problem(row), column)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.problem_activated.emit(self.model.problem(index.row()).path)
