"""The problems panel: every problem of the document; activating one shows its field."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.core.model import KeyPath
from editor.core.validation.problems import Problem, Severity
from editor.ui.document import Document

_ICONS = {
    Severity.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
    Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
}


class ProblemsPanel(QWidget):
    problem_activated = Signal(object)  # key path

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
        self.list = QTreeWidget(self)
        self.list.setAccessibleName("Problems")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels(["Severity", "Where", "Problem", "Code"])
        self.list.setColumnWidth(0, 90)
        self.list.setColumnWidth(1, 280)
        self.list.setColumnWidth(2, 520)
        self.list.itemActivated.connect(self._activated)
        layout.addWidget(self.list)
        document.problems_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        problems = self.document.problems()
        counts = {s: 0 for s in Severity}
        for problem in problems:
            counts[problem.severity] += 1
        self.summary.setText(
            f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
            f"{counts[Severity.INFO]} note(s)"
        )
        shown = [
            p for p in problems if self.show_info.isChecked() or p.severity is not Severity.INFO
        ]
        shown.sort(key=lambda p: p.severity.rank)
        self.list.setUpdatesEnabled(False)
        self.list.clear()
        style = QApplication.style()
        items = []
        for problem in shown[:5000]:
            item = QTreeWidgetItem(
                [problem.severity.value, self._where(problem), problem.message, problem.code]
            )
            item.setIcon(0, style.standardIcon(_ICONS[problem.severity]))
            item.setData(0, Qt.ItemDataRole.UserRole, problem.path)
            item.setToolTip(2, problem.message)
            items.append(item)
        self.list.addTopLevelItems(items)
        self.list.setUpdatesEnabled(True)

    def _where(self, problem: Problem) -> str:
        path = problem.path
        if len(path) >= 2 and path[0] == "PayloadContent" and isinstance(path[1], int):
            payload = self.document.value(path[:2])
            name = ""
            if isinstance(payload, dict):
                name = str(
                    payload.get("PayloadDisplayName") or payload.get("UserDefinedName") or ""
                )
            rest = "/".join(str(p) for p in path[2:])
            head = f"Payload {path[1] + 1}" + (f" ({name})" if name else "")
            return f"{head}: {rest}" if rest else head
        return "Profile" + (": " + "/".join(str(p) for p in path) if path else "")

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        path: KeyPath = item.data(0, Qt.ItemDataRole.UserRole)
        self.problem_activated.emit(path)
