"""The main window: payload tree, the form of the selected node, the problems panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from editor import __version__
from editor.core.model import KeyPath, Profile
from editor.core.plistio import ProfileReadError, ProfileWriteError
from editor.core.schema import Schema
from editor.core.validation.problems import Severity
from editor.ui.document import Document
from editor.ui.form import NodeForm
from editor.ui.problems_panel import ProblemsPanel
from editor.ui.tree_model import PATH_ROLE, PayloadTreeModel

APP_NAME = "VPN Profile Editor"
FILE_FILTER = "Configuration profiles (*.mobileconfig *.plist *.xml);;All files (*)"
MAX_RECENT = 10


class MainWindow(QMainWindow):
    open_files_requested = Signal(list)  # paths to open in new windows

    def __init__(self, document: Document, settings: QSettings | None = None) -> None:
        super().__init__()
        self.document = document
        self.settings = settings or QSettings()
        self.setAcceptDrops(True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1200, 800)
        self.model = PayloadTreeModel(document, self)
        self.tree = QTreeView(self)
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Payload tree")
        self.tree.setHeaderHidden(False)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().resizeSection(0, 300)
        self.tree.header().resizeSection(1, 70)
        self.tree.expand(self.model.index(0, 0))
        self.form_host = QWidget(self)
        self.form_layout = QVBoxLayout(self.form_host)
        self.form_layout.setContentsMargins(0, 0, 0, 0)
        self.form: NodeForm | None = None
        splitter = QSplitter(self)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.form_host)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 820])
        self.setCentralWidget(splitter)
        self.problems = ProblemsPanel(document, self)
        self.problems_dock = QDockWidget("Problems", self)
        self.problems_dock.setObjectName("problemsDock")
        self.problems_dock.setWidget(self.problems)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.status = QLabel(self)
        self.statusBar().addPermanentWidget(self.status)
        self._selected_path: KeyPath = ()
        self._expanded: set[KeyPath] = set()
        self._make_actions()
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.modelAboutToBeReset.connect(self._remember_tree_state)
        self.model.modelReset.connect(self._restore_tree_state)
        self.problems.problem_activated.connect(self.show_problem)
        document.undo_stack.cleanChanged.connect(self._update_title)
        document.path_changed.connect(self._update_title)
        document.problems_changed.connect(self._update_status)
        self._update_title()
        self._update_status()
        self.select_path(self.first_vpn_path() or ())

    # --- actions and menus ---------------------------------------------------------------
    def _action(
        self, text: str, slot: Any, shortcut: Any = None, icon: Any = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.new_action = self._action(
            "&New",
            self.new_window,
            QKeySequence.StandardKey.New,
            sp.SP_FileIcon,
            "Start a new profile",
        )
        self.open_action = self._action(
            "&Open…",
            self.open_dialog,
            QKeySequence.StandardKey.Open,
            sp.SP_DialogOpenButton,
            "Open a profile",
        )
        self.save_action = self._action(
            "&Save",
            self.save,
            QKeySequence.StandardKey.Save,
            sp.SP_DialogSaveButton,
            "Save the profile",
        )
        self.save_as_action = self._action(
            "Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs
        )
        self.close_action = self._action("&Close", self.close, QKeySequence.StandardKey.Close)
        self.undo_action = self.document.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setIcon(self.style().standardIcon(sp.SP_ArrowBack))
        self.redo_action = self.document.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_action.setIcon(self.style().standardIcon(sp.SP_ArrowForward))
        self.remove_payload_action = self._action(
            "&Remove Payload",
            self.remove_selected_payload,
            None,
            sp.SP_TrashIcon,
            "Remove the selected payload",
        )
        self.about_action = self._action("&About", self.about)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        self.add_menu = edit_menu.addMenu("&Add Payload")
        self._fill_add_menu()
        edit_menu.addAction(self.remove_payload_action)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.problems_dock.toggleViewAction())
        self.targets_action = self._action(
            "&Target Platforms…",
            self.edit_targets,
            None,
            None,
            "Choose the platforms this profile is for",
        )
        view_menu.addAction(self.targets_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.about_action)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.addActions([self.new_action, self.open_action, self.save_action])
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action])
        toolbar.addSeparator()
        self.add_vpn_button_action = toolbar.addAction(
            self.style().standardIcon(sp.SP_FileDialogNewFolder), "Add VPN"
        )
        self.add_vpn_button_action.setMenu(self.add_menu)
        self.add_vpn_button_action.triggered.connect(
            lambda: self.add_menu.exec(self.cursor().pos())
        )
        toolbar.addAction(self.remove_payload_action)
        toolbar.addSeparator()
        toolbar.addAction(self.targets_action)

    def _fill_add_menu(self) -> None:
        """Connection types, when the presets module is there."""
        try:
            from editor.core import presets
        except ImportError:
            return
        for kind in presets.CONNECTION_TYPES:
            action = self.add_menu.addAction(kind.title)
            action.setStatusTip(kind.description)
            action.triggered.connect(lambda _checked=False, k=kind.id: self.add_connection(k))

    def add_connection(self, type_id: str) -> None:
        from editor.core import presets

        base = self.document.profile.root.get("PayloadIdentifier")
        payload = presets.build_payload(
            type_id,
            name=next(k.title for k in presets.CONNECTION_TYPES if k.id == type_id),
            identifier_base=base if isinstance(base, str) and base else "com.example.profile",
        )
        index = self.document.add_payload(payload, f"Add {type_id} payload")
        self.select_path(("PayloadContent", index))

    def remove_selected_payload(self) -> None:
        path = self._selected_path
        if len(path) >= 2 and path[0] == "PayloadContent" and isinstance(path[1], int):
            self.document.remove_item(("PayloadContent",), path[1], "Remove payload")
            self.select_path(())

    # --- tree and forms ------------------------------------------------------------------
    def first_vpn_path(self) -> KeyPath | None:
        for index, payload in self.document.profile.payload_dicts():
            kind = payload.get("PayloadType")
            if isinstance(kind, str) and kind.startswith("com.apple.vpn.managed"):
                return ("PayloadContent", index)
        return None

    def select_path(self, path: KeyPath) -> None:
        index = self.model.index_for_path(path)
        if not index.isValid():
            index = self.model.index(0, 0)
        self.tree.setCurrentIndex(index)
        self.tree.selectionModel().select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.tree.scrollTo(index)
        self._show_form(self.model.node_for(index).path if index.isValid() else ())

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        path = current.data(PATH_ROLE) if current.isValid() else ()
        if path != self._selected_path or self.form is None:
            self._show_form(path if path is not None else ())

    def _show_form(self, path: KeyPath) -> None:
        self._selected_path = path
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
        self.form = NodeForm(self.document, path, self.form_host)
        self.form.open_requested.connect(self.select_path)
        self.form_layout.addWidget(self.form)
        self.form.show()  # a layout would only show it on the next event loop turn
        self.remove_payload_action.setEnabled(len(path) >= 2)

    def show_problem(self, path: KeyPath) -> None:
        """Select the node holding the problem's key and focus its field."""
        node_path = self.model.nearest_path(path)
        if node_path == path and path:
            node_path = self.model.nearest_path(path[:-1])
        self.select_path(node_path)
        rest = path[len(node_path) :]
        if rest and isinstance(rest[0], str) and self.form is not None:
            self.form.focus_key(rest[0])

    def _remember_tree_state(self) -> None:
        self._expanded = set()
        for path, node in list(self.model._nodes.items()):
            index = self.model.createIndex(node.row, 0, node)
            if self.tree.isExpanded(index):
                self._expanded.add(path)

    def _restore_tree_state(self) -> None:
        for path in sorted(self._expanded, key=len):
            index = self.model.index_for_path(path)
            if index.isValid() and self.model.node_for(index).path == path:
                self.tree.expand(index)
        self.tree.expand(self.model.index(0, 0))
        wanted = self._selected_path
        while wanted and self.document.value(wanted) is None:
            wanted = wanted[:-1]
        QTimer.singleShot(0, lambda: self.select_path(self.model.nearest_path(wanted)))

    # --- title and status ------------------------------------------------------------------
    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name}[*] — {APP_NAME}")
        self.setWindowModified(self.document.is_modified)

    def _update_status(self) -> None:
        problems = self.document.problems()
        errors = sum(p.severity is Severity.ERROR for p in problems)
        warnings = sum(p.severity is Severity.WARNING for p in problems)
        targets = ", ".join(str(t) for t in self.document.targets) or "all platforms"
        signed = (
            " · signed (the signature no longer applies once edited)"
            if self.document.profile.signature
            else ""
        )
        self.status.setText(
            f"{errors} error(s) · {warnings} warning(s) · targets: {targets}{signed}"
        )

    # --- files --------------------------------------------------------------------------------
    def new_window(self) -> None:
        self.open_files_requested.emit([])

    def open_dialog(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Open profiles", self._last_dir(), FILE_FILTER
        )
        if names:
            self.open_files_requested.emit(names)

    def _last_dir(self) -> str:
        return str(self.settings.value("lastDirectory", str(Path.home())))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for name in recent_files(self.settings):
            action = self.recent_menu.addAction(name)
            action.triggered.connect(
                lambda _checked=False, n=name: self.open_files_requested.emit([n])
            )
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none)").setEnabled(False)

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path, self.document.save_format)

    def save_as(self) -> bool:
        start = str(self.document.path or Path(self._last_dir()) / "profile.mobileconfig")
        name, chosen = QFileDialog.getSaveFileName(
            self,
            "Save profile",
            start,
            "XML profile (*.mobileconfig);;Binary profile (*.mobileconfig)",
        )
        if not name:
            return False
        fmt = "binary" if chosen.startswith("Binary") else "xml"
        return self._save_to(Path(name), fmt)

    def _save_to(self, path: Path, fmt: str) -> bool:
        try:
            self.document.save(path, "binary" if fmt == "binary" else "xml")
        except (ProfileWriteError, ValueError) as exc:
            QMessageBox.critical(
                self,
                "Could not save",
                f"The profile was not saved.\n\n{exc}\n\nThe file on disk is unchanged.",
            )
            return False
        add_recent_file(self.settings, str(path))
        self.settings.setValue("lastDirectory", str(path.parent))
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def maybe_keep_changes(self) -> bool:
        """Ask about unsaved changes; False means the user cancelled."""
        if not self.document.is_modified:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self.document.display_name} before closing?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.maybe_keep_changes():
            self.settings.setValue("windowState", self.saveState())
            autosaver = getattr(self, "autosaver", None)
            if autosaver is not None:
                autosaver.timer.stop()
                autosaver.discard()
            event.accept()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        names = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if names:
            self.open_files_requested.emit(names)
            event.acceptProposedAction()

    # --- dialogs ---------------------------------------------------------------------------------
    def edit_targets(self) -> None:
        from editor.ui.targets_dialog import TargetsDialog

        dialog = TargetsDialog(self.document.targets, self)
        if dialog.exec():
            self.document.set_targets(dialog.targets())
            self._update_status()
            if self.form is not None:
                self._show_form(self._selected_path)

    def about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>Create, check, sign and export Apple VPN "
            "configuration profiles. Works offline.",
        )

    def restore_layout(self) -> None:
        state = self.settings.value("windowState")
        if isinstance(state, QByteArray):
            self.restoreState(state)


def recent_files(settings: QSettings) -> list[str]:
    value = settings.value("recentFiles", [])
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value or []]


def add_recent_file(settings: QSettings, name: str) -> None:
    names = [n for n in recent_files(settings) if n != name]
    settings.setValue("recentFiles", [name, *names][:MAX_RECENT])


def open_document(path: Path, schema: Schema) -> Document:
    """Read a profile into a document; raises ProfileReadError with a clear reason."""
    return Document(Profile.read(path), schema, path)


__all__ = ["MainWindow", "ProfileReadError", "open_document"]
