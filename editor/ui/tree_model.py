"""The payload tree: a QAbstractItemModel over the document's profile.

Nodes are the containers of the profile: the profile itself, its payloads, and the
dictionaries and arrays of dictionaries inside them. Scalar keys are edited in the
form of their node. Nodes are built lazily and identified by key path.

The error and warning counts of every node are kept per key path and updated from the
document's ProblemsUpdate deltas, so a keystroke touches only the counts and rows of
the edited payload; the model is reset only when containers are added or removed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyle

from editor.core.model import MISSING, KeyPath, payload_index
from editor.core.validation.problems import Severity
from editor.session.document import Document, ProblemsUpdate
from editor.ui.colors import error_color, warning_color
from editor.ui.icons import standard_icon

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 2

ModelIndex = QModelIndex | QPersistentModelIndex
_NODE_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class _Node:
    __slots__ = ("_children", "parent", "path", "row")

    def __init__(self, path: KeyPath, parent: _Node | None, row: int) -> None:
        self.path = path
        self.parent = parent
        self.row = row
        self._children: list[_Node] | None = None


def _is_container(value: Any, spec_item_type: str | None) -> bool:
    if isinstance(value, dict):
        return True
    if isinstance(value, list):
        return spec_item_type == "dictionary" or any(isinstance(v, dict) for v in value)
    return False


def item_label(array_name: str, index: int, item: Any) -> str:
    """'Rule 2 · Connect' style names for dictionaries inside arrays: what they are."""
    if isinstance(item, dict) and array_name == "TunnelConfigurations":
        interfaces = item.get("Interfaces")
        listed = interfaces if isinstance(interfaces, list) else []
        names = [i for i in listed if isinstance(i, str)]
        shown = {"WiFi": "Wi-Fi"}
        return f"Tunnel {index + 1}" + (
            " · " + ", ".join(shown.get(n, n) for n in names) if names else ""
        )
    if isinstance(item, dict) and array_name in ("ServiceExceptions", "ApplicationExceptions"):
        what = item.get("ServiceName") or item.get("BundleIdentifier")
        parts = [str(p) for p in (what, item.get("Action")) if isinstance(p, str) and p]
        return " · ".join(["Exception", *parts]) if parts else f"Exception {index + 1}"
    if isinstance(item, dict):
        for key in (
            "Action",
            "ProtocolType",
            "ServiceName",
            "Identifier",
            "BundleIdentifier",
            "DomainAction",
        ):
            value = item.get(key)
            if isinstance(value, str) and value:
                noun = "Rule" if array_name == "OnDemandRules" else "Item"
                return f"{noun} {index + 1} · {value}"
    return f"Item {index + 1}"


_TEXT_COLORS: dict[tuple[bool, str], QColor] = {}  # made once per colour


def _text_color(errors: bool) -> QColor:
    name = error_color() if errors else warning_color()
    key = (errors, name)
    if key not in _TEXT_COLORS:
        _TEXT_COLORS[key] = QColor(name)
    return _TEXT_COLORS[key]


class PayloadTreeModel(QAbstractItemModel):
    def __init__(self, document: Document, parent: Any = None) -> None:
        super().__init__(parent)
        self.document = document
        self._root = _Node((), None, 0)  # invisible root; its one child is the profile
        self._nodes: dict[KeyPath, _Node] = {}
        self._counts: dict[KeyPath, list[int]] = {}  # path -> [errors, warnings] at or below
        document.structure_changed.connect(self._on_structure_changed)
        document.value_changed.connect(self._on_value_changed)
        document.problems_updated.connect(self._on_problems_updated)
        self._recount()

    # --- tree structure -------------------------------------------------------------
    def _children(self, node: _Node) -> list[_Node]:
        if node._children is None:
            node._children = [
                self._make(path, node, row) for row, path in enumerate(self._child_paths(node))
            ]
        return node._children

    def _make(self, path: KeyPath, parent: _Node, row: int) -> _Node:
        child = _Node(path, parent, row)
        self._nodes[path] = child
        return child

    def _child_paths(self, node: _Node) -> list[KeyPath]:
        if node is self._root:
            return [()]
        value = self.document.value(node.path)
        if node.path == () and not self.document.is_fragment:
            return [("PayloadContent", i) for i in range(len(self.document.profile.payloads))]
        paths: list[KeyPath] = []
        if isinstance(value, dict):
            for name, child in value.items():
                spec = self.document.spec_for((*node.path, name))
                item_type = spec.item.type if spec is not None and spec.item is not None else None
                if _is_container(child, item_type):
                    paths.append((*node.path, name))
        elif isinstance(value, list):
            paths.extend((*node.path, i) for i, item in enumerate(value) if isinstance(item, dict))
        return paths

    def node_for(self, index: ModelIndex) -> _Node:
        if not index.isValid():
            return self._root
        node = index.internalPointer()
        assert isinstance(node, _Node)
        return node

    def index_for_path(self, path: KeyPath) -> QModelIndex:
        """The index of the deepest node containing path, building nodes on the way."""
        node = self._root
        current = QModelIndex()
        while True:
            match = next(
                (c for c in self._children(node) if c.path == path[: len(c.path)]),
                None,
            )
            if match is None:
                return current
            node = match
            current = self.createIndex(match.row, 0, match)
            if match.path == path:
                return current

    def nearest_path(self, path: KeyPath) -> KeyPath:
        """The deepest node path that contains path."""
        return self.node_for(self.index_for_path(path)).path

    # --- QAbstractItemModel ------------------------------------------------------------
    def index(self, row: int, column: int, parent: ModelIndex = QModelIndex()) -> QModelIndex:
        if column < 0 or column > 1 or row < 0:
            return QModelIndex()
        parent_node = self.node_for(parent)
        children = self._children(parent_node)
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: ModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node = self.node_for(index)
        parent = node.parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(self.node_for(parent)))

    def hasChildren(self, parent: ModelIndex = QModelIndex()) -> bool:
        """Answered without building the children: the view asks this of every row it
        lays out (a thousand payloads), and builds children only when a row is expanded."""
        if parent.isValid() and parent.column() != 0:
            return False
        node = self.node_for(parent)
        if node._children is not None or node is self._root:
            return bool(self._children(node))
        if node.path == () and not self.document.is_fragment:
            return bool(self.document.profile.payloads)
        value = self.document.value(node.path)
        if isinstance(value, list):
            return any(isinstance(item, dict) for item in value)
        if not isinstance(value, dict):
            return False
        for name, child in value.items():
            if isinstance(child, dict):
                return True
            if isinstance(child, list):
                spec = self.document.spec_for((*node.path, name))
                item_type = spec.item.type if spec is not None and spec.item is not None else None
                if _is_container(child, item_type):
                    return True
        return False

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Profile", "Problems")[section] if 0 <= section < 2 else None
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _NODE_FLAGS

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self.node_for(index)
        errors, warnings = self._counts.get(node.path, (0, 0))
        if role == PATH_ROLE:
            return node.path
        if role == SEVERITY_ROLE:
            return "error" if errors else "warning" if warnings else ""
        if index.column() == 1:
            if role == Qt.ItemDataRole.DisplayRole:
                parts = []
                if errors:
                    parts.append(f"{errors} ✖")
                if warnings:
                    parts.append(f"{warnings} ⚠")
                return "  ".join(parts)
            if role == Qt.ItemDataRole.ForegroundRole and (errors or warnings):
                # a colour, not a QBrush: views take either, and QBrush's first use costs
                # PySide6 milliseconds (its gradient enums), at every start
                return _text_color(bool(errors))
            if role == Qt.ItemDataRole.ToolTipRole and (errors or warnings):
                return f"{errors} error(s), {warnings} warning(s) in this part"
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return f"{errors} errors, {warnings} warnings"
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.label(node.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(node.path)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(node.path, errors, warnings)
        if role == Qt.ItemDataRole.ForegroundRole and self.document.value(node.path) is MISSING:
            return QApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        return None

    # --- presentation --------------------------------------------------------------------
    def label(self, path: KeyPath) -> str:
        document = self.document
        if path == ():
            name = document.profile.root.get("PayloadDisplayName")
            return name if isinstance(name, str) and name else "Profile"
        value = document.value(path)
        index = payload_index(path)
        if index is not None and len(path) == 2:
            payload_schema = document.payload_schema(index)
            kind = payload_schema.title if payload_schema else "Payload"
            if isinstance(value, dict):
                name = value.get("PayloadDisplayName") or value.get("UserDefinedName")
                vpn_type = value.get("VPNType")
                detail = f" ({vpn_type})" if isinstance(vpn_type, str) else ""
                if isinstance(name, str) and name:
                    return f"{name} — {kind}{detail}"
            return f"{kind}{' ' if kind else ''}{index + 1}"
        last = path[-1]
        if isinstance(last, int):
            parent_name = next((p for p in reversed(path[:-1]) if isinstance(p, str)), "")
            return item_label(parent_name, last, value)
        spec = document.spec_for(path)
        return spec.label if spec is not None and spec.title else str(last)

    def tooltip(self, path: KeyPath) -> str:
        spec = self.document.spec_for(path)
        if spec is not None and spec.description:
            return spec.description
        if len(path) == 2:
            payload_schema = self.document.payload_schema(int(path[1]))
            if payload_schema is not None:
                return payload_schema.description
        return ""

    def _icon(self, path: KeyPath, errors: int, warnings: int) -> QIcon:
        if errors:
            return standard_icon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        if warnings:
            return standard_icon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if path == () or len(path) == 2:
            return standard_icon(QStyle.StandardPixmap.SP_FileIcon)
        return standard_icon(QStyle.StandardPixmap.SP_DirIcon)

    # --- updates ---------------------------------------------------------------------------
    def _recount(self) -> None:
        self._counts = {}
        self._add_counts(self.document.problems(), 1)

    def _add_counts(self, problems: Any, step: int) -> None:
        """Count problems in (step 1) or out (step -1)."""
        counts = self._counts
        for problem in problems:
            if problem.severity is Severity.INFO:
                continue
            slot = 0 if problem.severity is Severity.ERROR else 1
            path = problem.path
            for n in range(len(path) + 1):
                prefix = path[:n]
                entry = counts.get(prefix)
                if entry is None:
                    entry = counts[prefix] = [0, 0]
                entry[slot] += step

    def _on_problems_updated(self, update: ProblemsUpdate) -> None:
        if update.reset:
            self._recount()
            self._refresh_all_rows()
            return
        before = {path: list(self._counts.get(path, (0, 0))) for path in self._paths(update)}
        self._add_counts(update.removed, -1)
        self._add_counts(update.added, 1)
        for path, was in before.items():
            entry = self._counts.get(path)
            if entry is not None and entry == [0, 0]:
                del self._counts[path]
            if (entry or [0, 0]) == was:
                continue  # same counts (a message changed): nothing to repaint
            node = self._nodes.get(path)
            if node is not None:
                top = self.createIndex(node.row, 0, node)
                bottom = self.createIndex(node.row, 1, node)
                self.dataChanged.emit(
                    top, bottom, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole]
                )

    @staticmethod
    def _paths(update: ProblemsUpdate) -> set[KeyPath]:
        """Every path whose counts the update may move (the problems' paths and above)."""
        paths: set[KeyPath] = set()
        for problem in (*update.removed, *update.added):
            if problem.severity is not Severity.INFO:
                path = problem.path
                paths.update(path[:n] for n in range(len(path) + 1))
        return paths

    def _refresh_all_rows(self) -> None:
        """One dataChanged per built list of children (not one per node)."""
        parents = [self._root, *self._nodes.values()]
        for parent in parents:
            children = parent._children
            if not children:
                continue
            first, last = children[0], children[-1]
            self.dataChanged.emit(
                self.createIndex(first.row, 0, first),
                self.createIndex(last.row, 1, last),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole],
            )

    def _on_value_changed(self, path: KeyPath) -> None:
        # A name key may have changed: refresh the labels of the nodes above it.
        for n in range(len(path)):
            node = self._nodes.get(path[:n])
            if node is not None:
                index = self.createIndex(node.row, 0, node)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])

    def _on_structure_changed(self, _path: KeyPath) -> None:
        self.beginResetModel()
        self._root = _Node((), None, 0)
        self._nodes = {}
        self._recount()
        self.endResetModel()
