"""File ▸ Compare With…, Import VPN Configuration… and Render for Users….

Thin windows over editor.core.diff, editor.core.importers and editor.core.render: the
command-line tool runs the same code. `install` adds the three actions to a window's
File menu.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from PySide6 import QtWidgets
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.core.model import KeyPath
from editor.session import settings as app_settings

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from editor.app.main_window import MainWindow
    from editor.core.diff import Difference
    from editor.core.render import Rows

PATH_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
CONFIGURATION_FILTER = "VPN configurations (*.conf *.ovpn);;WireGuard (*.conf);;OpenVPN (*.ovpn)"
MAX_CONFIG_SIZE = 1024 * 1024


def install(window: MainWindow, file_menu: QMenu) -> None:
    """Add Compare With…, Import VPN Configuration… and Render for Users… to File."""
    actions = []
    for attribute, text, tip, slot in (
        ("compare_action", "Compare &With…", "Show what differs from another profile",
         compare_with),
        ("import_config_action", "&Import VPN Configuration…",
         "Add a VPN from a WireGuard (.conf) or OpenVPN (.ovpn) configuration",
         import_configuration),
        ("render_action", "Render for &Users…", "One profile per row of a CSV file",
         render_for_users),
    ):  # fmt: skip
        action = QAction(text, window)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False, run=slot: run(window))
        setattr(window, attribute, action)
        actions.append(action)
    file_menu.addSeparator()
    file_menu.addActions(actions)


def _last_dir(window: MainWindow) -> str:
    return app_settings.LAST_DIRECTORY.read(window.settings)


# --- Compare With… ---------------------------------------------------------------------------


def compare_with(window: MainWindow) -> CompareDock | None:
    from editor.core import file_types
    from editor.core.model import Profile
    from editor.core.plistio import ProfileReadError

    name, _ = QtWidgets.QFileDialog.getOpenFileName(
        window, "Compare with", _last_dir(window), file_types.open_dialog_filter()
    )
    if not name:
        return None
    try:
        other = Profile.read(name)
    except ProfileReadError as exc:
        QtWidgets.QMessageBox.warning(window, "Cannot compare", f"{exc.source}\n\n{exc.reason}")
        return None
    old = window.findChild(CompareDock)
    if old is not None:
        window.removeDockWidget(old)
        old.deleteLater()
    dock = CompareDock(window, Path(name), other.root)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.resizeDocks([dock], [520], Qt.Orientation.Horizontal)
    dock.show()
    return dock


class CompareDock(QDockWidget):
    """The differences from another profile to this document, as a tree by key path.
    Activating a row (double-click, Enter) goes to its field."""

    def __init__(self, window: MainWindow, other_path: Path, other_root: dict[str, Any]) -> None:
        super().__init__(f"Compared with {other_path.name}", window)
        self.setObjectName("compareDock")
        self.window_ = window
        self.other_path = other_path
        self.other_root = other_root
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel(body)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget(body)
        self.tree.setAccessibleName("Differences")
        self.tree.setHeaderLabels(["Key", "Change", f"In {other_path.name}", "Here"])
        self.tree.setColumnWidth(0, 200)
        self.tree.setColumnWidth(1, 90)
        self.tree.itemActivated.connect(self._jump)
        layout.addWidget(self.tree, 1)
        self.setWidget(body)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        window.document.value_changed.connect(self._timer.start)  # after every edit
        window.document.structure_changed.connect(self._timer.start)
        self.differences: list[Difference] = []
        self.refresh()

    def refresh(self) -> None:
        from editor.core.diff import diff_roots, scalar_text

        document = self.window_.document
        self.differences = diff_roots(self.other_root, document.profile.root, document.schema)
        self.tree.clear()
        count = len(self.differences)
        self.summary.setText(
            "No differences" if not count else f"{count} difference{'s' if count > 1 else ''}"
        )
        branches: dict[KeyPath, QTreeWidgetItem] = {}
        for difference in self.differences:
            parent: QTreeWidget | QTreeWidgetItem = self.tree
            for depth in range(1, len(difference.path)):
                prefix = difference.path[:depth]
                if prefix == ("PayloadContent",):
                    continue  # payloads are the top level: "0: com.apple.vpn.managed VPN"
                if prefix not in branches:
                    branch = QTreeWidgetItem([_label(prefix, document.profile.root)])
                    branch.setData(0, PATH_ROLE, prefix)
                    _add_child(parent, branch)
                    branches[prefix] = branch
                parent = branches[prefix]
            last = difference.path[-1] if difference.path else "(profile)"
            before = "" if difference.kind == "added" else _text(difference.before, scalar_text)
            after = "" if difference.kind == "removed" else _text(difference.after, scalar_text)
            if difference.kind == "moved":
                before, after = f"position {difference.before}", f"position {difference.after}"
            item = QTreeWidgetItem([str(last), difference.kind, before, after])
            item.setData(0, PATH_ROLE, difference.path)
            item.setData(0, KIND_ROLE, difference.kind)
            item.setToolTip(0, difference.path_text)
            item.setToolTip(2, before)  # the columns elide long values
            item.setToolTip(3, after)
            _add_child(parent, item)
        self.tree.expandAll()

    def _jump(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        path = item.data(0, PATH_ROLE)
        if path is None:
            return
        if item.data(0, KIND_ROLE) == "removed":
            path = path[:-1]  # only the other profile has it: go to where it was
        self.window_.show_problem(tuple(path))


def _add_child(parent: QTreeWidget | QTreeWidgetItem, item: QTreeWidgetItem) -> None:
    if isinstance(parent, QTreeWidget):
        parent.addTopLevelItem(item)
    else:
        parent.addChild(item)


def _label(path: KeyPath, root: dict[str, Any]) -> str:
    """A branch's name: a payload by its type and name, other parts as they are."""
    if len(path) == 2 and path[0] == "PayloadContent" and isinstance(path[1], int):
        payloads = root.get("PayloadContent")
        if isinstance(payloads, list) and path[1] < len(payloads):
            payload = payloads[path[1]]
            if isinstance(payload, dict):
                name = payload.get("PayloadDisplayName") or payload.get("UserDefinedName") or ""
                return f"{path[1]}: {payload.get('PayloadType', '?')} {name}".strip()
    return str(path[-1])


def _text(value: Any, scalar_text: Any) -> str:
    if isinstance(value, dict | list) and value:
        import json

        from editor.core.diff import json_value

        text = json.dumps(json_value(value), ensure_ascii=False)
        return text if len(text) <= 200 else text[:199] + "…"
    return str(scalar_text(value))


# --- Import VPN Configuration… --------------------------------------------------------------


def import_configuration(window: MainWindow) -> int | None:
    """Add the VPN of a WireGuard or OpenVPN configuration to the document (undoable);
    returns the new payload's index."""
    name, _ = QtWidgets.QFileDialog.getOpenFileName(
        window, "Import VPN configuration", _last_dir(window), CONFIGURATION_FILTER
    )
    if not name:
        return None
    identifier = window.document.profile.root.get("PayloadIdentifier")
    base = identifier if isinstance(identifier, str) and identifier else "com.example.vpn"
    payload = imported_payload(window, Path(name), base)
    if payload is None:
        return None
    index = window.document.add_payload(payload, f"Import {Path(name).name}")
    window.select_path(("PayloadContent", index))
    window.statusBar().showMessage(f"Imported {Path(name).name}", 5000)
    return index


def imported_payload(
    parent: QWidget | None, path: Path, identifier_base: str = "com.example.vpn"
) -> dict[str, Any] | None:
    """The VPN payload of a .conf (WireGuard; the platform is asked) or .ovpn (OpenVPN)
    file, or None after saying why not."""
    from editor.core.importers import ConfigImportError, import_openvpn, import_wireguard

    openvpn = path.suffix.lower() == ".ovpn"
    platform: Literal["ios", "macos"] = "ios"
    if not openvpn:
        choices = ["iPhone and iPad (com.wireguard.ios)", "Mac (com.wireguard.macos)"]
        choice, ok = QtWidgets.QInputDialog.getItem(
            parent, "WireGuard app", "The profile is for the WireGuard &app on:", choices, 0, False
        )
        if not ok:
            return None
        platform = "macos" if choice == choices[1] else "ios"
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_SIZE + 1)
        if len(data) > MAX_CONFIG_SIZE:
            raise ConfigImportError(f"{path.name}: the file is over 1 MiB")
        text = data.decode("utf-8")
        importer = import_openvpn if openvpn else import_wireguard
        result = importer(
            text, path.name, name=path.stem, platform=platform, identifier_base=identifier_base
        )
    except (OSError, UnicodeDecodeError, ConfigImportError) as exc:
        reason = str(exc) if isinstance(exc, ConfigImportError) else f"{path.name}: {exc}"
        QtWidgets.QMessageBox.warning(parent, "Cannot import", reason)
        return None
    if result.notes:
        QtWidgets.QMessageBox.information(
            parent, "Imported with notes", "\n".join(f"• {note}" for note in result.notes)
        )
    payload: dict[str, Any] = result.profile.payloads[0]
    return payload


def document_from_configuration(path: Path, schema: Any) -> Any:
    """Opening a .conf or .ovpn file: offer to import it as a new, unsaved profile."""
    from editor.core.model import Profile
    from editor.session.document import Document

    kind = "an OpenVPN" if path.suffix.lower() == ".ovpn" else "a WireGuard"
    answer = QtWidgets.QMessageBox.question(
        None,
        "Import VPN configuration?",
        f"{path.name} is {kind} configuration, not a profile.\n\n"
        "Import it as a new profile?",
        QtWidgets.QMessageBox.StandardButton.Yes | QtWidgets.QMessageBox.StandardButton.No,
        QtWidgets.QMessageBox.StandardButton.Yes,
    )
    if answer != QtWidgets.QMessageBox.StandardButton.Yes:
        return None
    payload = imported_payload(None, path)
    if payload is None:
        return None
    document = Document(Profile.new(f"com.example.vpn.{path.stem}", path.stem), schema)
    document.add_payload(payload, f"Import {path.name}")  # unsaved: closing asks
    return document


# --- Render for Users… ---------------------------------------------------------------------


def render_for_users(window: MainWindow) -> RenderDialog:
    dialog = RenderDialog(window)
    dialog.open()
    return dialog


NONE = "(none)"


class RenderDialog(QDialog):
    """The document as a template: one profile per CSV row, with a preview of the first."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Render for Users")
        self.window_ = window
        self.rows: Rows | None = None
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        hint = QLabel(
            "Each row of a CSV file fills this profile's @@column@@ placeholders and gets "
            "its own PayloadUUIDs, the same on every run for the same key.",
            self,
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        form = QFormLayout()
        self.data_edit = QLineEdit(self)
        self.data_edit.setAccessibleName("CSV file")
        self.data_button = QPushButton("Choose…", self)
        self.data_button.clicked.connect(self.choose_data)
        form.addRow("CSV file:", _row(self.data_edit, self.data_button))
        self.out_edit = QLineEdit(self)
        self.out_edit.setAccessibleName("Output folder")
        self.out_button = QPushButton("Choose…", self)
        self.out_button.clicked.connect(self.choose_out)
        form.addRow("Output folder:", _row(self.out_edit, self.out_button))
        self.key_combo = QComboBox(self)
        self.identity_combo = QComboBox(self)
        self.passphrase_combo = QComboBox(self)
        self.encrypt_combo = QComboBox(self)
        form.addRow("Key column:", self.key_combo)
        form.addRow("Identity (.p12) column:", self.identity_combo)
        form.addRow("Passphrase column:", self.passphrase_combo)
        form.addRow("Device certificate column:", self.encrypt_combo)
        self.keep_going = QCheckBox("Skip invalid rows instead of stopping", self)
        form.addRow("", self.keep_going)
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview of the first row:", self))
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Preview")
        layout.addWidget(self.preview, 1)
        self.buttons = QDialogButtonBox(self)
        self.render_button = self.buttons.addButton(
            "Render", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.render_files)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.data_edit.editingFinished.connect(self.load_rows)
        for combo in (self.key_combo, self.identity_combo, self.passphrase_combo):
            combo.currentIndexChanged.connect(self.update_preview)
        self.out_edit.textChanged.connect(self._update_buttons)
        self._update_buttons()
        from editor.ui.mnemonics import mnemonics_when_shown

        mnemonics_when_shown(self)

    def choose_data(self) -> None:
        name, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "CSV file", _last_dir(self.window_), "CSV files (*.csv);;All files (*)"
        )
        if name:
            self.data_edit.setText(name)
            self.load_rows()

    def choose_out(self) -> None:
        name = QtWidgets.QFileDialog.getExistingDirectory(
            self, "Output folder", _last_dir(self.window_)
        )
        if name:
            self.out_edit.setText(name)

    def load_rows(self) -> None:
        from editor.core.render import RenderError, read_rows

        self.rows = None
        text = self.data_edit.text().strip()
        if text:
            try:
                self.rows = read_rows(text)
            except RenderError as exc:
                self.preview.setPlainText(str(exc))
        columns = list(self.rows.columns) if self.rows else []
        optional_combos = (self.identity_combo, self.passphrase_combo, self.encrypt_combo)
        for combo in (self.key_combo, *optional_combos):
            optional = combo is not self.key_combo
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(([NONE] if optional else []) + columns)
            combo.blockSignals(False)
        self.update_preview()

    def options(self) -> Any:
        from editor.core.render import RenderOptions

        def column(combo: QComboBox) -> str | None:
            text = combo.currentText()
            return None if not text or text == NONE else text

        return RenderOptions(
            key_column=column(self.key_combo),
            identity_column=column(self.identity_combo),
            passphrase_column=column(self.passphrase_combo),
            encrypt_column=column(self.encrypt_combo),
        )

    def update_preview(self) -> None:
        from editor.core.diff import canonical_lines
        from editor.core.render import RenderError, check_template, render_profile_row

        self._update_buttons()
        if self.rows is None:
            return
        document = self.window_.document
        try:
            check_template(document.profile.root, self.rows.columns, document.display_name)
            first = render_profile_row(
                document.profile.root, self.rows, 0, self.options(), document.schema
            )
        except RenderError as exc:
            self.preview.setPlainText(str(exc))
            return
        lines = canonical_lines(first.root, document.schema)
        self.preview.setPlainText(f"{first.name}\n\n" + "\n".join(lines))

    def _update_buttons(self) -> None:
        ready = self.rows is not None and bool(self.out_edit.text().strip())
        self.render_button.setEnabled(ready)

    def render_files(self) -> bool:
        """Render every row; nothing is written unless every row (or, with the box
        ticked, every valid row) is ready."""
        from editor.core.render import (
            RenderedRow,
            RenderError,
            check_template,
            render_profile_row,
            write_rendered,
        )

        if self.rows is None:
            return False
        document = self.window_.document
        rendered: list[RenderedRow] = []
        failed: list[str] = []
        progress = QtWidgets.QProgressDialog("Rendering…", "Stop", 0, len(self.rows.rows), self)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)
        try:
            check_template(document.profile.root, self.rows.columns, document.display_name)
            for index in range(len(self.rows.rows)):
                progress.setValue(index)
                if progress.wasCanceled():
                    raise RenderError("stopped; nothing was written")
                try:
                    row = render_profile_row(
                        document.profile.root, self.rows, index, self.options(), document.schema
                    )
                    rendered.append(row)
                except RenderError as exc:
                    if not self.keep_going.isChecked():
                        raise RenderError(f"{exc}\n\nNothing was written.") from None
                    failed.append(str(exc))
            if rendered:
                write_rendered(self.out_edit.text().strip(), rendered)
        except RenderError as exc:
            progress.close()
            QtWidgets.QMessageBox.warning(self, "Cannot render", str(exc))
            return False
        progress.close()
        skipped = "\n\nSkipped:\n" + "\n".join(failed) if failed else ""
        QtWidgets.QMessageBox.information(
            self,
            "Rendered",
            f"{len(rendered)} of {len(self.rows.rows)} profiles written to "
            f"{self.out_edit.text().strip()}{skipped}",
        )
        self.accept()
        return True


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


__all__ = [
    "CompareDock",
    "RenderDialog",
    "compare_with",
    "document_from_configuration",
    "import_configuration",
    "install",
    "render_for_users",
]
