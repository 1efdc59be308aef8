"""The main window: payload tree, the form of the selected node, the problems panel."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6 import QtWidgets  # message boxes and file dialogs: set up on first use
from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QStyle,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from editor import APP_NAME
from editor.core import payload_types
from editor.core.errors import EditorError, InvalidValueError
from editor.core.model import KeyPath
from editor.core.plistio import ProfileReadError
from editor.core.schema import Schema
from editor.core.validation.problems import Severity
from editor.session import settings as app_settings
from editor.session.document import Document
from editor.ui.banner import SignatureBanner
from editor.ui.form import NodeForm
from editor.ui.icons import standard_icon
from editor.ui.mnemonics import install_standard_button_mnemonics
from editor.ui.problems_panel import ProblemsPanel
from editor.ui.status_bar import StatusBar
from editor.ui.tree_model import PATH_ROLE, PayloadTreeModel

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent

    from editor.app.flows.fixes import QuickFixes
    from editor.app.flows.signing import SavePlan
    from editor.session.recovery import Autosaver

    # Dialogs load when first used: the window shows sooner.
    from editor.ui.dialogs.certificate import CertificateDialog
    from editor.ui.dialogs.connection import ConnectionDialog
    from editor.ui.start_panel import StartPanel

# Files that a drop sends to Add Certificate rather than open as a profile.
CERTIFICATE_FILE_SUFFIXES = {".cer", ".crt", ".der", ".pem", ".p12", ".pfx"}


class MainWindow(QMainWindow):
    open_files_requested = Signal(list)  # paths to open in new windows

    def __init__(self, document: Document, settings: QSettings | None = None) -> None:
        super().__init__()
        install_standard_button_mnemonics()  # OK, Cancel, Save… of every dialog: Alt+letter
        self.document = document
        self.settings = settings or QSettings()
        # the recovery copy of the document, given by the application (tests run without)
        self.autosaver: Autosaver | None = None
        self.quick_fixes: QuickFixes
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
        central = QWidget(self)
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(6, 6, 6, 0)
        self.banner = SignatureBanner(central)  # its state: the signing flow's
        central_layout.addWidget(self.banner)
        central_layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.start_panel: StartPanel | None = None
        self.problems = ProblemsPanel(document, self)
        self.problems_dock = QDockWidget("Problems", self)
        self.problems_dock.setObjectName("problemsDock")
        self.problems_dock.setWidget(self.problems)
        self.problems.explanation_requested.connect(self.explain_code)
        self._help: Any = None  # the help window, made on first use
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.resizeDocks([self.problems_dock], [170], Qt.Orientation.Vertical)
        self.setStatusBar(StatusBar(self))  # messages stop short of the counts
        self.status = QLabel(self)
        self.statusBar().addPermanentWidget(self.status)
        self._selected_path: KeyPath = ()
        self._expanded: set[KeyPath] = set()
        self._tree_scroll = 0
        self._payloads_moved = False  # forms show choices among the payloads: build anew
        self._make_actions()
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.modelAboutToBeReset.connect(self._remember_tree_state)
        self.model.modelReset.connect(self._restore_tree_state)
        document.structure_changed.connect(self._on_structure_changed)
        self.problems.problem_activated.connect(self.show_problem)
        document.undo_stack.cleanChanged.connect(self._update_title)
        document.path_changed.connect(self._update_title)
        self.signing.decryption_changed.connect(self._update_title)
        document.problems_changed.connect(self._update_status)
        self._restore_targets()
        self._update_title()
        self._update_status()
        self.select_path(self.first_vpn_path() or ())
        # On Demand "Try it" dock (editor/app/flows/try_it.py): it follows the selection itself
        from editor.app.flows.try_it import attach_try_it

        self.try_it_dock = attach_try_it(self)

    # --- actions and menus ---------------------------------------------------------------
    def _action(
        self, text: str, slot: Any, shortcut: Any = None, icon: Any = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(standard_icon(icon))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        self._create_actions()
        self._build_menus()
        self._build_toolbar()

    def _create_actions(self) -> None:
        """The window's own actions (the flows add theirs when installed)."""
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
        self.undo_action.setIcon(standard_icon(sp.SP_ArrowBack))
        self.redo_action = self.document.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_action.setIcon(standard_icon(sp.SP_ArrowForward))
        self.remove_payload_action = self._action(
            "Re&move Payload",
            self.remove_selected_payload,
            "Ctrl+Delete",
            sp.SP_TrashIcon,
            "Remove the selected payload (Delete in the tree)",
        )
        # Delete in the tree removes the selected payload or rule; in a field it edits text
        self.delete_node_action = self._action("Delete", self.delete_selected_node, "Delete")
        self.delete_node_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.tree.addAction(self.delete_node_action)
        self.add_certificate_action = self._action(
            "Add &Certificate…",
            self.add_certificate,
            None,
            sp.SP_FileDialogDetailedView,
            "Add a certificate or identity file (.cer, .pem, .der, .p12)",
        )
        self.about_action = self._action("&About VPN Profile Editor", self.about)
        self.help_action = self._action(
            "&Contents",
            self.show_help,
            QKeySequence.StandardKey.HelpContents,
            None,
            "The user guide and the validation rules (F1 on a problem explains it)",
        )
        self.about_qt_action = self._action("About &Qt", QtWidgets.QApplication.aboutQt)

        self.targets_action = self._action(
            "&Target Platforms…",
            self.edit_targets,
            None,
            None,
            "Choose the platforms this profile is for",
        )
        self.strict_action = self._action(
            "&Strict Type Checking",
            self.set_strict_types,
            None,
            None,
            "Count plist types that devices coerce (<true/> for 1) as errors",
        )
        self.strict_action.setToolTip(
            "Count plist types that devices coerce (<true/> for 1) as errors, as Apple "
            "Business Manager and strict MDM servers do"
        )
        self.strict_action.setCheckable(True)
        if app_settings.STRICT_TYPES.read(self.settings):
            self.strict_action.setChecked(True)
            self.document.set_strict(True)
        self.next_problem_action = self._action(
            "&Next Problem", lambda: self.step_problem(1), "F8", None, "Go to the next problem"
        )
        self.previous_problem_action = self._action(
            "Pre&vious Problem",
            lambda: self.step_problem(-1),
            "Shift+F8",
            None,
            "Go to the previous problem",
        )
        self.focus_tree_action = self._action("Go to Tr&ee", self.focus_tree, "Ctrl+1")
        self.focus_form_action = self._action("Go to &Form", self.focus_form, "Ctrl+2")
        self.focus_problems_action = self._action("Go to Pro&blems", self.focus_problems, "Ctrl+3")

    def _build_menus(self) -> None:
        """File, Edit, View, Security and Help, with what each flow adds to them."""
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action])
        security_menu = QMenu("&Security", self)  # in the menu bar after View
        from editor.app.flows import signing as signing_flow

        # signatures, encryption, PKCS#12: Export… here, the rest in Security
        self.signing = signing_flow.install(self, file_menu, security_menu)
        from editor.app.flows import scale as scale_ui

        scale_ui.install(self, file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        self.add_menu = edit_menu.addMenu("&Add Payload")
        self.add_menu.aboutToShow.connect(self._fill_add_menu)  # filled when first opened
        edit_menu.addAction(self.add_certificate_action)
        edit_menu.addAction(self.remove_payload_action)
        view_menu = self.menuBar().addMenu("&View")
        self.problems_dock.toggleViewAction().setText("&Problems")
        view_menu.addAction(self.problems_dock.toggleViewAction())
        view_menu.addAction(self.targets_action)
        view_menu.addAction(self.strict_action)
        view_menu.addSeparator()
        view_menu.addActions(
            [
                self.next_problem_action,
                self.previous_problem_action,
                self.focus_tree_action,
                self.focus_form_action,
                self.focus_problems_action,
            ]
        )
        self.menuBar().addMenu(security_menu)
        help_menu = self.menuBar().addMenu("&Help")
        whats_this = QtWidgets.QWhatsThis.createAction(self)
        whats_this.setText("&What's This?")
        help_menu.addActions([self.help_action, whats_this])
        help_menu.addSeparator()
        help_menu.addActions([self.about_action, self.about_qt_action])
        from editor.app.flows import fixes as fix_ui

        self.quick_fixes = fix_ui.install(self, file_menu, edit_menu, view_menu)  # fixes, channel

    def _build_toolbar(self) -> None:
        sp = QStyle.StandardPixmap
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        # words beside the icons: the standard icons alone do not say "add a VPN"
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.new_action, self.open_action, self.save_action])
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action])
        for action in (self.undo_action, self.redo_action):
            # the icon alone: "Undo Set RemoteAddress" would push others into the overflow
            button = toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        toolbar.addSeparator()
        self.add_vpn_button_action = toolbar.addAction(
            standard_icon(sp.SP_FileDialogNewFolder), "Add VPN"
        )
        self.add_vpn_button_action.setMenu(self.add_menu)
        self.add_vpn_button_action.setToolTip(
            "Add a VPN connection (the arrow offers every type of payload)"
        )
        self.add_vpn_button_action.triggered.connect(
            lambda: self.add_connection(app_settings.LAST_CONNECTION_TYPE.read(self.settings))
        )
        toolbar.addAction(self.add_certificate_action)
        toolbar.addAction(self.remove_payload_action)
        toolbar.addSeparator()
        toolbar.addAction(self.targets_action)

    def _fill_add_menu(self) -> None:
        """Every payload type, put in the menu the first time it opens: the connection
        types (through the New VPN Connection dialog), then the other payloads."""
        if self.add_menu.actions():
            return
        from editor.core import presets
        from editor.ui.mnemonics import with_mnemonic

        taken: set[str] = set()  # each item its own letter, for Alt+E, A, letter
        for kind in presets.CONNECTION_TYPES:
            action = self.add_menu.addAction(with_mnemonic(kind.title, taken))
            action.setStatusTip(kind.summary)  # short: the status bar shows the counts too
            action.triggered.connect(lambda _checked=False, k=kind.id: self.add_connection(k))
        self.add_menu.addSection("Other payloads")
        from_file = self.add_menu.addAction(
            with_mnemonic("Certificate or Identity from a File…", taken)
        )
        from_file.setStatusTip(self.add_certificate_action.statusTip())
        from_file.triggered.connect(self.add_certificate)
        made_by_dialog = {"Configuration", payload_types.VPN, payload_types.APPLAYER}
        others = [
            (payload_schema.title, payload_type)
            for payload_type, payload_schema in self.document.schema.payloads.items()
            if payload_type not in made_by_dialog
        ]
        for title, payload_type in sorted(others):
            action = self.add_menu.addAction(with_mnemonic(title, taken))
            action.setStatusTip(f"Add an empty {title} payload to fill in")
            action.triggered.connect(
                lambda _checked=False, t=payload_type: self.add_blank_payload(t)
            )

    def add_blank_payload(self, payload_type: str) -> int:
        """Add a payload of any type the schema knows, select it and go to its form."""
        from editor.core.blank_payloads import blank_payload
        from editor.ui.dialogs.connection import profile_identifier_base

        payload = blank_payload(
            self.document.schema,
            payload_type,
            profile_identifier_base(self.document),
            tuple(uuid for _label, uuid in self.per_app_vpns()),
        )
        title = self.document.schema.payloads[payload_type].title
        index = self.document.add_payload(payload, f"Add {title}")
        self.select_path(("PayloadContent", index))
        self.focus_form()
        return index

    def per_app_vpns(self) -> list[tuple[str, str]]:
        """(name, VPNUUID) of the profile's per-app VPN payloads."""
        from editor.core.payload_types import APPLAYER

        found = []
        for _index, payload in self.document.profile.payload_dicts():
            uuid = payload.get("VPNUUID")
            if payload.get("PayloadType") == APPLAYER and isinstance(uuid, str) and uuid:
                name = payload.get("UserDefinedName") or payload.get("PayloadDisplayName")
                found.append((str(name or "per-app VPN"), uuid))
        return found

    def new_per_app_vpn_for(self, path: KeyPath) -> bool:
        """The New button of a VPNUUID: add a per-app VPN and point the key at it."""
        dialog = self.make_connection_dialog("per-app")
        if not dialog.exec() or dialog.added_index is None:
            return False
        payload = self.document.value(("PayloadContent", dialog.added_index))
        uuid = payload.get("VPNUUID") if isinstance(payload, dict) else None
        if not isinstance(uuid, str):
            return False
        self.document.set_value(path, uuid)
        self.select_path(self.model.nearest_path(path))
        if self.form is not None and isinstance(path[-1], str):
            self.form.focus_key(path[-1])
        return True

    def add_connection(self, type_id: str) -> None:
        """The New VPN Connection dialog on this type; OK adds the payload (one undo step)."""
        dialog = self.make_connection_dialog(type_id)
        if dialog.exec() and dialog.added_index is not None:
            app_settings.LAST_CONNECTION_TYPE.write(self.settings, dialog.type_id())
            self.select_path(("PayloadContent", dialog.added_index))

    def make_connection_dialog(self, type_id: str) -> ConnectionDialog:
        """A factory, so tests can drive the dialog without a modal loop."""
        from editor.ui.dialogs.connection import ConnectionDialog

        return ConnectionDialog(self.document, type_id, self)

    def add_certificate(self, path: Path | None = None) -> None:
        """Pick a certificate or identity file (or take the one dropped); OK adds its
        payload (one undo step)."""
        dialog = self.make_certificate_dialog()
        if isinstance(path, Path):
            dialog.load_file(path)
        if dialog.exec() and dialog.added_index is not None:
            if dialog.path is not None:
                folder = str(dialog.path.parent)
                app_settings.LAST_CERTIFICATE_DIRECTORY.write(self.settings, folder)
            password, uuid = dialog.password(), dialog.added_uuid
            if password is not None and uuid is not None:
                self.signing.remember_passphrase(uuid, password)
            self.select_path(("PayloadContent", dialog.added_index))

    def make_certificate_dialog(self) -> CertificateDialog:
        start = app_settings.LAST_CERTIFICATE_DIRECTORY.read(self.settings) or self._last_dir()
        from editor.ui.dialogs.certificate import CertificateDialog

        return CertificateDialog(self.document, self, start)

    def remove_selected_payload(self) -> None:
        path = self._selected_path
        if len(path) >= 2 and path[0] == "PayloadContent" and isinstance(path[1], int):
            index = path[1]
            self.document.remove_item(("PayloadContent",), index, "Remove payload")
            left = len(self.document.profile.payloads)
            # the payload that took its place, or the one before: the tree stays put
            self.select_path(("PayloadContent", min(index, left - 1)) if left else ())

    def delete_selected_node(self) -> None:
        """The tree's Delete: a payload, or an item of an array (an On Demand rule)."""
        path = self._selected_path
        if len(path) == 2:
            self.remove_selected_payload()
        elif len(path) > 2 and isinstance(path[-1], int):
            array, index = path[:-1], path[-1]
            self.document.remove_item(array, index, "Remove item")
            left = self.document.value(array)
            count = len(left) if isinstance(left, list) else 0
            self.select_path((*array, min(index, count - 1)) if count else array)

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
        form_before = self.form
        self.tree.setCurrentIndex(index)
        self.tree.selectionModel().select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.tree.scrollTo(index)
        path = self.model.node_for(index).path if index.isValid() else ()
        if self.form is form_before and not self._form_shows(path):
            self._show_form(path)  # not built just now by _on_current_changed

    def _form_shows(self, path: KeyPath) -> bool:
        """Whether the form on screen is that node's, up to date: edits update a form in
        place, and building it again would lose the user's focus and scrolling."""
        form = self.form
        return (
            form is not None
            and not self._payloads_moved
            and form.path == path
            and self.document.value(path) is form.node
        )

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        path = current.data(PATH_ROLE) if current.isValid() else ()
        if path != self._selected_path or self.form is None:
            self._show_form(path if path is not None else ())

    def _show_form(self, path: KeyPath) -> None:
        self._selected_path = path
        self._payloads_moved = False
        # the same node built again (after an undo, say): the user stays where they were
        view = self.form.view_state() if self.form is not None and self.form.path == path else None
        _discard(self.form)
        self.form = NodeForm(self.document, path, self.form_host)
        self.form.open_requested.connect(self._open_node)
        self.form.new_vpn_requested.connect(self.new_per_app_vpn_for)
        self.form.rows_changed.connect(self.update_tab_order)
        self.quick_fixes.attach_form(self.form)  # Fix buttons under fields (fix_ui)
        _discard(self.signing.pkcs12_notice)
        notice = self.signing.make_pkcs12_notice(path, self.form_host)  # above the form
        if notice is not None:
            self.form_layout.addWidget(notice)
            notice.show()
        self._show_start_panel(path)
        self.form_layout.addWidget(self.form)
        self.form.show()  # a layout would only show it on the next event loop turn
        self.remove_payload_action.setEnabled(len(path) >= 2)
        self.update_tab_order()
        if view is not None:
            self.form.restore_view(view)

    def show_form_again(self) -> None:
        """Build the selected node's form anew (after an edit it cannot show in place)."""
        self._show_form(self._selected_path)

    def _open_node(self, path: KeyPath) -> None:
        """A form's Open or Add: show that node, the focus on its first field."""
        self.select_path(path)
        self.focus_form()

    def update_tab_order(self) -> None:
        """Tab walks tree → what is above the form → the form's fields as seen → problems."""
        chain: list[QWidget] = [self.tree]
        for panel in (self.signing.pkcs12_notice, self.start_panel):
            if panel is not None:
                chain.extend(
                    w
                    for w in panel.findChildren(QWidget)
                    if w.focusPolicy() & Qt.FocusPolicy.TabFocus
                )
        if self.form is not None:
            chain.extend(self.form.tab_stops())
        chain.extend([self.problems.show_info, self.problems.list])
        chain.extend(  # the panel's buttons below the list (Fix, Fix All…)
            w
            for w in self.problems.findChildren(QtWidgets.QPushButton)
            if w.focusPolicy() & Qt.FocusPolicy.TabFocus
        )
        dock = getattr(self, "try_it_dock", None)  # the On Demand panel, when it is shown
        if dock is not None and dock.isVisible():
            chain.extend(
                w
                for w in dock.findChildren(QWidget)
                if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(dock)
            )
        chain.append(self.tree)  # and round again
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def step_problem(self, step: int) -> bool:
        """Select the next (or previous) problem of the panel and go to its field."""
        rows = self.problems.row_count()
        if rows == 0:
            self.statusBar().showMessage("No problems", 3000)
            return False
        view = self.problems.list
        current = view.currentIndex().row() if view.currentIndex().isValid() else -1
        row = (current + step) % rows if current >= 0 else (0 if step > 0 else rows - 1)
        view.setCurrentIndex(self.problems.model.index(row, 0))
        self.show_problem(self.problems.row_path(row))
        return True

    def focus_tree(self) -> None:
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_form(self) -> None:
        """The first field of the form a person can see, wherever the focus was."""
        if self.form is None:
            return
        first = self.form.first_field()
        if first is not None:
            self.form.ensureWidgetVisible(first)
            first.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_problems(self) -> None:
        self.problems_dock.show()
        view = self.problems.list
        if not view.currentIndex().isValid() and self.problems.row_count():
            view.setCurrentIndex(self.problems.model.index(0, 0))  # a visible focus ring
        view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_problem(self, path: KeyPath) -> None:
        """Select the node holding the problem's key and focus its field."""
        node_path = self.model.nearest_path(path)
        if node_path == path and path:
            node_path = self.model.nearest_path(path[:-1])
        self.select_path(node_path)
        rest = path[len(node_path) :]
        if rest and isinstance(rest[0], str) and self.form is not None:
            self.form.focus_key(rest[0])

    def _on_structure_changed(self, path: KeyPath) -> None:
        if len(path) <= 1:
            self._payloads_moved = True

    def _remember_tree_state(self) -> None:
        self._tree_scroll = self.tree.verticalScrollBar().value()
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
        self.tree.verticalScrollBar().setValue(self._tree_scroll)
        # what is selected when the timer fires: an action may select its result meanwhile
        QTimer.singleShot(
            0, lambda: self.select_path(self.model.nearest_path(self._selected_path))
        )

    # --- title and status ------------------------------------------------------------------
    def _update_title(self) -> None:
        if not shiboken6.isValid(self.document.undo_stack):
            return  # the document is being torn down
        decrypted = " (decrypted)" if self.signing.is_decrypted() else ""
        self.setWindowTitle(f"{self.document.display_name}{decrypted}[*] — {APP_NAME}")
        self.setWindowModified(self.document.is_modified)

    def _update_status(self) -> None:
        counts = self.document.problem_counts()  # kept up to date: no pass over all problems
        errors, warnings = counts[Severity.ERROR], counts[Severity.WARNING]
        targets = ", ".join(str(t) for t in self.document.targets) or "all platforms"
        signed = " · signed" if self.document.profile.signature else ""
        strict = " · strict types" if self.document.strict else ""
        self.status.setText(
            f"{errors} error(s) · {warnings} warning(s) · targets: {targets}{strict}{signed}"
        )

    # --- files --------------------------------------------------------------------------------
    def new_window(self) -> None:
        self.open_files_requested.emit([])

    def open_dialog(self) -> None:
        from editor.core import file_types  # the dialogs' filters, made when first used

        names, _ = QtWidgets.QFileDialog.getOpenFileNames(
            self, "Open profiles", self._last_dir(), file_types.open_dialog_filter()
        )
        if names:
            self.open_files_requested.emit(names)

    def _run_busy(self, label: str, work: Callable[[], Any]) -> Any:
        """The session's runner: slow work off the UI thread, a busy indicator over us."""
        from editor.ui.busy import run_busy

        return run_busy(label, work, self)

    def _last_dir(self) -> str:
        return app_settings.LAST_DIRECTORY.read(self.settings)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for number, name in enumerate(app_settings.recent_files(self.settings), start=1):
            shown = name.replace("&", "&&")  # a path's own ampersands are not mnemonics
            action = self.recent_menu.addAction(f"&{number} {shown}" if number < 10 else shown)
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
        return self._save_as(None)

    def _save_as(self, plan: SavePlan | None) -> bool:
        """Save under a name the user picks; `plan`: what was already chosen about
        signing and encryption (the Save dialog of a decrypted profile)."""
        from editor.core import file_types

        start = str(self.document.path or Path(self._last_dir()) / "profile.mobileconfig")
        xml_filter, binary_filter = file_types.save_dialog_filters()
        name, chosen = QtWidgets.QFileDialog.getSaveFileName(
            self, "Save profile", start, f"{xml_filter};;{binary_filter}"
        )
        if not name:
            return False
        fmt = "binary" if chosen == binary_filter else "xml"
        return self._save_to(Path(name), fmt, plan)

    def _save_to(self, path: Path, fmt: str, plan: SavePlan | None = None) -> bool:
        plan = self.signing.plan_save(path, plan)  # sign again? encrypt again? (signing flow)
        if plan is None:
            return False
        if plan.save_as:
            return self._save_as(replace(plan, save_as=False))
        wrap = self.signing.wrapper(plan, fmt)
        try:
            self.document.save(
                path, "binary" if fmt == "binary" else "xml", wrap, runner=self._run_busy
            )
        except EditorError as exc:
            QtWidgets.QMessageBox.critical(
                self,
                "Could not save",
                f"The profile was not saved.\n\n{exc}\n\nThe file on disk is unchanged.",
            )
            return False
        app_settings.add_recent_file(self.settings, str(path))
        app_settings.LAST_DIRECTORY.write(self.settings, str(path.parent))
        self._remember_targets()  # the file may have a new name now
        self.statusBar().showMessage(self.signing.saved(path, plan), 4000)
        self._update_status()
        return True

    def maybe_keep_changes(self) -> bool:
        """Ask about unsaved changes; False means the user cancelled."""
        if not self.document.is_modified:
            return True
        answer = QtWidgets.QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self.document.display_name} before closing?",
            QtWidgets.QMessageBox.StandardButton.Save
            | QtWidgets.QMessageBox.StandardButton.Discard
            | QtWidgets.QMessageBox.StandardButton.Cancel,
            QtWidgets.QMessageBox.StandardButton.Save,
        )
        if answer == QtWidgets.QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QtWidgets.QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.maybe_keep_changes():
            app_settings.WINDOW_STATE.write(self.settings, self.saveState())
            app_settings.WINDOW_GEOMETRY.write(self.settings, self.saveGeometry())
            if self.autosaver is not None:
                self.autosaver.timer.stop()
                self.autosaver.discard()
            event.accept()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Files dropped anywhere on the window (fields refuse them): a certificate or
        identity goes to Add Certificate, anything else is opened (profiles, and VPN
        configurations, which are offered for import)."""
        names = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if not names:
            return
        event.acceptProposedAction()
        certificates = [n for n in names if Path(n).suffix.lower() in CERTIFICATE_FILE_SUFFIXES]
        others = [n for n in names if n not in certificates]
        if others:
            self.open_files_requested.emit(others)
        for name in certificates:
            self.add_certificate(Path(name))

    # --- dialogs ---------------------------------------------------------------------------------
    def set_strict_types(self, strict: bool) -> None:
        app_settings.STRICT_TYPES.write(self.settings, strict)
        self.document.set_strict(strict)
        self._update_status()

    def edit_targets(self) -> None:
        from editor.ui.dialogs.targets import TargetsDialog

        dialog = TargetsDialog(self.document.targets, self)
        if dialog.exec():
            self.document.set_targets(dialog.targets())
            self._remember_targets()
            self._update_status()
            if self.form is not None:
                self._show_form(self._selected_path)

    # Target platforms are kept per file in the settings (never in the profile itself).
    def _targets_setting(self) -> app_settings.ListSetting | None:
        if self.document.path is None:
            return None
        return app_settings.TARGETS_BY_FILE.texts(self.document.path)

    def _remember_targets(self) -> None:
        setting = self._targets_setting()
        if setting is None:
            return
        if self.document.targets:
            # written as Target.parse reads them back ("iOS:17.0")
            written = [
                t.platform + (f":{t.version}" if t.version else "") for t in self.document.targets
            ]
            setting.write(self.settings, written)
        else:
            self.settings.remove(setting.key)

    def _restore_targets(self) -> None:
        """The targets last chosen for this file, if any."""
        from editor.core.platforms import Target

        setting = self._targets_setting()
        saved = setting.read(self.settings) if setting is not None else []
        if not saved:
            return
        try:
            targets = tuple(Target.parse(text) for text in saved)
        except InvalidValueError:
            return  # written by another version: ignore, not fail
        if targets != self.document.targets:
            self.document.set_targets(targets)

    def _show_start_panel(self, path: KeyPath) -> None:
        """An empty profile's root shows the ways to begin."""
        _discard(self.start_panel)
        self.start_panel = None
        profile = self.document.profile
        if path or profile.payloads or profile.is_encrypted:  # encrypted payloads are payloads
            return
        if self.document.is_fragment:  # a bare payload (fix_ui): nothing to begin
            return
        from editor.ui.start_panel import StartPanel

        panel = StartPanel(app_settings.recent_files(self.settings), self.form_host)
        panel.add_connection_requested.connect(
            lambda: self.add_connection(app_settings.LAST_CONNECTION_TYPE.read(self.settings))
        )
        panel.add_certificate_requested.connect(self.add_certificate)
        panel.open_requested.connect(self.open_dialog)
        panel.open_recent_requested.connect(lambda name: self.open_files_requested.emit([name]))
        self.form_layout.addWidget(panel)
        panel.show()
        self.start_panel = panel

    def about(self) -> None:
        from editor.ui import help as help_pages

        help_pages.about(self)

    def help_window(self) -> Any:
        """The help window of this editor window, made when first asked for."""
        from editor.ui.help import HelpWindow

        if self._help is None:
            self._help = HelpWindow(self)
        return self._help

    def show_help(self) -> None:
        """F1: the explanation of the selected problem when the problems list has the
        focus, else the contents."""
        code = self.problems.selected_code() if self.problems.list.hasFocus() else None
        if code:
            self.explain_code(code)
        else:
            _bring_to_front(self.help_window())

    def explain_code(self, code: str) -> None:
        window = self.help_window()
        window.show_code(code)
        _bring_to_front(window)


    def restore_layout(self) -> None:
        """Size, place and docks as the last window closed had them."""
        state = app_settings.WINDOW_STATE.read(self.settings)
        if state is not None:
            self.restoreState(state)
        geometry = app_settings.WINDOW_GEOMETRY.read(self.settings)  # after the docks
        if geometry is not None:
            self.restoreGeometry(geometry)


def _bring_to_front(window: QWidget) -> None:
    from editor.app.single_instance import bring_to_front

    bring_to_front(window)


def _discard(widget: QWidget | None) -> None:
    """Take a widget above the form out of the window."""
    if widget is not None:
        # Never on screen again: a form let go of during a structural edit may still be
        # asked to show before it is deleted, and would come up as a window of its own.
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        widget.setParent(None)
        widget.deleteLater()


def open_document(path: Path, schema: Schema) -> Document:
    """Read a profile into a document; raises ProfileReadError with a clear reason."""
    from editor.ui.busy import run_busy

    return Document.read(path, schema, run_busy)  # parsed and checked off the UI thread


__all__ = ["MainWindow", "ProfileReadError", "open_document"]
