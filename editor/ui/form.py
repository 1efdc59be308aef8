"""The form of one tree node, generated from the schema.

A dictionary node gets one row per key that applies (the VPN type picks which
dictionaries show, the authentication method which credentials, and so on); an array
node gets an ordered list of its items. Keys the schema does not know appear under
"Other keys". Each row shows the key's availability badges and its problems inline.
"""

from __future__ import annotations

import copy
import html
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from editor.core import payload_types
from editor.core.certificates import identity_payloads
from editor.core.errors import InvalidValueError
from editor.core.model import MISSING, KeyPath, new_uuid
from editor.core.platforms import badge_text
from editor.core.presets import PER_APP_VPN_TYPES
from editor.core.schema import KeySpec
from editor.core.validation.conditions import Frame, condition_holds
from editor.core.validation.problems import Problem, Severity
from editor.session.document import Document
from editor.ui.colors import severity_color
from editor.ui.fields import ChoiceField, DataField, Field, make_field, undo_in_document
from editor.ui.tree_model import item_label


def _style_as_note(label: QLabel) -> None:
    """Small grey text (a palette and a font, not a style sheet: rows are many)."""
    palette = label.palette()
    palette.setColor(
        QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText)
    )
    label.setPalette(palette)
    font = label.font()
    font.setPixelSize(11)
    label.setFont(font)


# A new item's value for a required key whose first allowed value is a poor start
# (Allow, the first On Demand action, is deprecated).
_NEW_ITEM_VALUES: dict[tuple[str, str], Any] = {("OnDemandRules", "Action"): "Connect"}


# Keys whose schema lists more values than this payload type allows (the per-app VPN
# payload shares VPNType's list with the VPN payload; Apple allows only these three).
_OFFERED_VALUES: dict[tuple[Any, str], frozenset[Any]] = {
    ("com.apple.vpn.managed.applayer", "VPNType"): PER_APP_VPN_TYPES,
}

# Certificate payloads whose PayloadContent Apple documents as DER.
_DER_CERTIFICATE_TYPES = frozenset({"com.apple.security.root", "com.apple.security.pkcs1"})


def _new_item(spec: KeySpec | None, array_name: str = "") -> Any:
    """A new array item: a dictionary with its required keys filled where possible."""
    if spec is None or spec.type != "dictionary":
        return ""
    item: dict[str, Any] = {}
    for name, child in spec.keys.items():
        if not child.required:
            continue
        if (array_name, name) in _NEW_ITEM_VALUES:
            item[name] = _NEW_ITEM_VALUES[array_name, name]
        elif child.has_default:
            item[name] = child.default
        elif child.values:
            item[name] = child.values[0]
        elif child.type == "array":
            item[name] = []
        elif child.type == "string":
            item[name] = ""
    return item


def _next_tunnel(spec: KeySpec | None, tunnels: list[Any]) -> Any:
    """A new Always On tunnel: the last one's settings (server, identity, algorithms),
    for the interfaces no tunnel names yet (a second tunnel is most often the same
    server over the other interface)."""
    last = tunnels[-1] if tunnels else None
    interfaces = spec.child("Interfaces") if spec is not None else None
    if not isinstance(last, dict) or interfaces is None or interfaces.item is None:
        return _new_item(spec, "TunnelConfigurations")
    named = {
        name
        for tunnel in tunnels
        if isinstance(tunnel, dict) and isinstance(tunnel.get("Interfaces"), list)
        for name in tunnel["Interfaces"]
    }
    tunnel = copy.deepcopy(last)
    tunnel["Interfaces"] = [i for i in interfaces.item.values or () if i not in named]
    return tunnel


class KeyRow(QWidget):
    """Label, badges, field, add/remove button and the inline problems of one key."""

    def __init__(
        self,
        form: NodeForm,
        name: str,
        spec: KeySpec | None,
        value: Any,
        renamable: bool = False,
    ) -> None:
        super().__init__(form)
        self.form = form
        self.name = name
        self.spec = spec
        self.path: KeyPath = (*form.path, name)
        self.value: Any = value  # as last shown
        choices = form.reference_choices(spec) if spec is not None and spec.references else None
        self.field: Field = make_field(spec, value, choices)
        if spec is not None and spec.description:
            self.field.focus_widget().setAccessibleDescription(spec.description)
        self.field.edited.connect(self._edited)
        payload_type = form.document.value((*form.path[:2], "PayloadType"))
        offered = _OFFERED_VALUES.get((payload_type, name))
        if offered is not None and isinstance(self.field, ChoiceField):
            self.field.restrict(offered)
            self.field.show_value(value)
        if name == "PayloadContent" and isinstance(self.field, DataField):
            kind = form.document.value((*form.path, "PayloadType")) if len(form.path) == 2 else None
            if kind in _DER_CERTIFICATE_TYPES:  # Load… stores DER, as Add Certificate does
                from editor.ui.dialogs.certificate import loaded_certificate

                self.field.convert_loaded = lambda data, file: loaded_certificate(
                    self, data, file, str(kind), form.document.value(self.path)
                )
        self.field.open_requested.connect(lambda: form.open_requested.emit(self.path))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        line = QHBoxLayout()
        line.addWidget(self.field, 1)
        self.new_uuid: QToolButton | None = None
        if (
            spec is not None
            and spec.format == "uuid"
            and spec.type == "string"
            and not spec.references  # a reference names another payload's UUID
        ):
            self.new_uuid = QToolButton(self)
            self.new_uuid.setText("New")
            self.new_uuid.setToolTip(f"Give {name} a fresh random UUID")
            self.new_uuid.setAccessibleName(f"New UUID for {name}")
            self.new_uuid.clicked.connect(lambda: form.document.set_value(self.path, new_uuid()))
            line.addWidget(self.new_uuid)
        if spec is not None and spec.references == "vpn-uuid":
            self.new_uuid = QToolButton(self)
            self.new_uuid.setText("New…")
            self.new_uuid.setToolTip("Add a per-app VPN payload and use its VPNUUID here")
            self.new_uuid.setAccessibleName("New per-app VPN")
            self.new_uuid.clicked.connect(lambda: form.new_vpn_requested.emit(self.path))
            line.addWidget(self.new_uuid)
        self.unset = QToolButton(self)
        self.unset.setText("✕")
        self.unset.clicked.connect(self._remove_key)
        line.addWidget(self.unset)
        layout.addLayout(line)
        if name == "PayloadType" and len(form.path) in (0, 2) and value is not MISSING:
            self._make_read_only(
                "The payload type decides what the payload is; to change it, add a new "
                "payload of the other type"
            )
        # The availability line and the inline problems are made when first needed: most
        # rows have neither, and a form has dozens of rows.
        self._layout = layout
        self._badges: QLabel | None = None
        self._problem_label: QLabel | None = None
        self._name_problem: QLabel | None = None
        # the label column: the key's title, or (keys a person or vendor names) its name
        # in a field of its own, where it can be renamed
        self.name_edit: QLineEdit | None = None
        self.label: QWidget
        if renamable:
            self.name_edit = QLineEdit(name)
            self.name_edit.setObjectName("keyName")
            self.name_edit.setAccessibleName("Key name")
            undo_in_document(self.name_edit)
            self.name_edit.editingFinished.connect(self._rename)
            self.name_edit.textEdited.connect(lambda _text: self._show_name_problem(""))
            self.label = self.name_edit
        else:
            label = QLabel(self._label_text(value))
            label.setBuddy(self.field.focus_widget())
            label.setWordWrap(True)
            self.label = label
        self._show_name()
        self.refresh(value)

    def _spoken_name(self) -> str:
        """What the row is called on screen and aloud: the key's title, or its own name
        for a key of an open dictionary (not the title its values share)."""
        if self.spec is None or not self.spec.name:
            return self.name
        return self.spec.label

    def _show_name(self) -> None:
        """Everything that says the key's name (again after a rename)."""
        self.field.set_spoken_name(self._spoken_name())
        self.unset.setToolTip(
            f"Remove {self.name} from the profile (the device then uses its default)"
        )
        self.unset.setAccessibleName(f"Remove {self.name}")
        tooltip = self._tooltip()
        self.label.setToolTip(tooltip)
        self.field.setToolTip(tooltip)
        self.field.focus_widget().setWhatsThis(self._whats_this(tooltip))  # Shift+F1
        if self.name_edit is not None:
            self.name_edit.setAccessibleDescription(f"The name of the key {self.name}")
            if self.name_edit.text() != self.name:
                self.name_edit.setText(self.name)
            width = self.name_edit.fontMetrics().horizontalAdvance(self.name) + 20
            self.name_edit.setMinimumWidth(min(max(width, 120), 320))  # the whole name
        elif isinstance(self.label, QLabel):
            self.label.setText(self._label_text(self.value))

    def rename(self, name: str) -> None:
        """The key was renamed (here, or by undo and redo): the row follows it."""
        self.name = name
        self.path = (*self.form.path, name)
        self._show_name()

    def _rename(self) -> None:
        """The name field was left: rename the key (one undo step), or say why not."""
        assert self.name_edit is not None
        wanted = self.name_edit.text().strip()
        if wanted == self.name:
            self.name_edit.setText(self.name)  # spaces around it are not part of a name
            return
        try:
            self.form.document.rename_key(self.path, wanted)
        except InvalidValueError as exc:
            self.name_edit.setText(self.name)
            self._show_name_problem(str(exc))

    def _show_name_problem(self, text: str) -> None:
        """Why a rename was refused, under the row until the name is typed again."""
        if not text and self._name_problem is None:
            return
        if self._name_problem is None:
            self._name_problem = QLabel(self)
            self._name_problem.setObjectName("nameProblem")
            self._name_problem.setWordWrap(True)
            palette = self._name_problem.palette()
            palette.setColor(
                QPalette.ColorRole.WindowText, QColor(severity_color(Severity.ERROR, palette))
            )
            self._name_problem.setPalette(palette)
            self._layout.addWidget(self._name_problem)
        self._name_problem.setText(text)
        self._name_problem.setVisible(bool(text))

    def _remove_key(self) -> None:
        self.form.document.remove_key(self.path)
        if self.isVisible():  # the button hides itself: the user stays on this row
            self.field.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)

    def tab_stops(self) -> list[QWidget]:
        """The row's widgets that take focus, left to right."""
        stops: list[QWidget] = [self.name_edit] if self.name_edit is not None else []
        stops += self.field.tab_stops()
        if self.new_uuid is not None:
            stops.append(self.new_uuid)
        stops.append(self.unset)
        return stops

    def _make_read_only(self, why: str) -> None:
        widget = self.field.focus_widget()
        if isinstance(widget, QLineEdit):
            widget.setReadOnly(True)
            palette = widget.palette()  # the window's colour: it looks fixed
            palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
            widget.setPalette(palette)
        else:
            widget.setEnabled(False)
        widget.setToolTip(why)
        self.unset.hide()

    def _label_text(self, value: Any) -> str:
        # a key of an open dictionary (VendorConfig) is called by its own name, not by
        # the title its values share ("Vendor value")
        shared = self.spec is not None and not self.spec.name
        title = self.spec.label if self.spec is not None and not shared else self.name
        if self.spec is not None and self.spec.required:
            title += " *"
        return title

    def _tooltip(self) -> str:
        if self.spec is None:
            return f"{self.name}: not in the schema; kept as is"
        parts = [f"<b>{self.spec.name or self.name}</b> ({self.spec.type})"]
        if self.spec.description:
            parts.append(self.spec.description)
        parts.append(f"Works on: {badge_text(self.spec.availability)}")
        if self.spec.has_default:
            parts.append(f"Default: {self.spec.default}")
        return "<br>".join(parts)

    def _whats_this(self, tooltip: str) -> str:
        """The tooltip, plus where its facts come from."""
        source = self.spec.availability_source if self.spec is not None else ""
        return tooltip + (f"<br><i>Source: {source}</i>" if source else "")

    def _badge_text(self) -> str:
        """Where the key works, shown when it says more than the payload's own badge."""
        if self.spec is None:
            return "not in the schema · kept as is"
        parent_spec = self.form.spec
        same_as_parent = parent_spec is not None and dict(parent_spec.availability) == dict(
            self.spec.availability
        )
        text = "" if same_as_parent else badge_text(self.spec.availability)
        if any(s.supervised for s in self.spec.availability.values()) and "supervised" not in text:
            text += " · supervised only"
        if (
            any(s.deprecated or s.removed for s in self.spec.availability.values())
            and same_as_parent
        ):
            text = badge_text(self.spec.availability)
        unsupported = [
            str(t)
            for t in self.form.document.targets
            if self.spec.availability[t.platform].status_at(t.version) not in ("ok", "deprecated")
        ]
        if unsupported:
            text += " · not on " + ", ".join(unsupported)
        return text.strip(" ·")

    def _edited(self, value: Any, typing: bool) -> None:
        self.form.document.set_value(self.path, value, typing=typing)

    def refresh(self, value: Any) -> None:
        self.value = value
        self.field.show_value(value)
        present = value is not MISSING
        if self.name_edit is not None:
            self.name_edit.setReadOnly(not present)  # a removed key has nothing to rename
        self.unset.setEnabled(present)
        self.unset.setVisible(present and (self.spec is None or not self.spec.required))
        font = self.label.font()
        font.setItalic(not present)
        self.label.setFont(font)
        badges = self._badge_text()
        if badges or self._badges is not None:
            self.badges.setText(badges)
            self.badges.setVisible(bool(badges))

    @property
    def badges(self) -> QLabel:
        """The line saying where the key works (under the field)."""
        if self._badges is None:
            self._badges = QLabel(self)
            self._badges.setObjectName("badges")
            _style_as_note(self._badges)
            self._layout.insertWidget(1, self._badges)  # right under the field's line
        return self._badges

    @property
    def problem_label(self) -> QLabel:
        """The key's problems, under everything else (hidden while it has none)."""
        if self._problem_label is None:
            self._problem_label = QLabel(self)
            self._problem_label.setWordWrap(True)
            self._problem_label.setObjectName("inlineProblem")
            self._problem_label.setTextFormat(Qt.TextFormat.RichText)
            self._problem_label.hide()
            self._layout.addWidget(self._problem_label)
        return self._problem_label

    def show_problems(self, problems: list[Problem]) -> None:
        if not problems:
            if self._problem_label is not None:
                self._problem_label.hide()
            if self.field.styleSheet():  # a style sheet costs even when empty: set it rarely
                self.field.setStyleSheet("")
            return
        worst = min(problems, key=lambda p: p.severity.rank)
        palette = self.palette()
        color = severity_color(worst.severity, palette)
        # each line in its own severity's colour: a note beside an error stays grey
        self.problem_label.setText(
            "<br>".join(
                f'<span style="color: {severity_color(p.severity, palette)};">'
                f"{p.severity.value}: {html.escape(p.message)}</span>"
                for p in problems
            )
        )
        self.problem_label.show()
        if worst.severity is not Severity.INFO:
            self.field.setStyleSheet(
                f"QLineEdit, QComboBox, QSpinBox, QPlainTextEdit {{ border: 1px solid {color}; }}"
            )


# How the items of an array are called aloud (screen readers); others are "item".
_ITEM_NOUNS = {
    "OnDemandRules": "On Demand rule",
    "ActionParameters": "per-connection rule",
    "TunnelConfigurations": "tunnel",
    "ServiceExceptions": "service exception",
    "ApplicationExceptions": "app exception",
}


class NodeForm(QScrollArea):
    open_requested = Signal(object)  # key path to select in the tree
    new_vpn_requested = Signal(object)  # path of a VPNUUID: make a per-app VPN for it
    rows_changed = Signal()  # rows came or went (a key added or renamed): new tab stops

    def __init__(self, document: Document, path: KeyPath, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.path = path
        self.rows: dict[str, KeyRow] = {}
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields are the stops, not itself
        self.node = document.value(path)  # the object shown: a different one needs a new form
        self.title: QLabel | None = None
        self.body = QWidget(self)
        self.setWidget(self.body)
        self.outer = QVBoxLayout(self.body)
        self.spec = document.spec_for(path) if path else document.root_spec()
        self._build()
        document.value_changed.connect(self._on_value_changed)
        document.problems_changed.connect(self._on_problems_changed)
        self._on_problems_changed()

    # --- building ----------------------------------------------------------------------
    def _header(self) -> None:
        title = QLabel(self)
        title.setObjectName("formTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        description = ""
        if len(self.path) == 2 and isinstance(self.path[1], int):
            payload_schema = self.document.payload_schema(self.path[1])
            kind = payload_schema.title if payload_schema else "Payload"
            title.setText(f"{kind} payload")
            description = (
                payload_schema.description
                if payload_schema
                else ("This payload type is not in the schema; its keys are kept as they are.")
            )
        elif not self.path and self.document.is_fragment:  # a bare payload (fix_ui)
            kind = str(self.document.profile.root.get("PayloadType"))
            payload_schema = self.document.schema.payload(kind)
            title.setText(f"{payload_schema.title if payload_schema else kind} payload (fragment)")
            description = payload_schema.description if payload_schema else ""
        elif not self.path:
            title.setText("Profile")
            description = self.document.schema.configuration.description
        else:
            last = self.path[-1]
            if isinstance(last, int):
                title.setText(self._item_title())
            else:
                title.setText(self.spec.label if self.spec is not None else str(last))
            description = self.spec.description if self.spec is not None else ""
        self.title = title
        self.outer.addWidget(title)
        if description:
            text = QLabel(description, self)
            text.setWordWrap(True)
            self.outer.addWidget(text)

    def _item_title(self) -> str:
        index = self.path[-1]
        assert isinstance(index, int)
        parent_name = next((p for p in reversed(self.path[:-1]) if isinstance(p, str)), "")
        return item_label(parent_name, index, self.document.value(self.path))

    def _build(self) -> None:
        self._header()
        value = self.document.value(self.path)
        # certificate payloads: subject, issuer, validity and key above the keys
        self.certificate_summary = None
        if len(self.path) == 2 and _is_certificate_payload(value):
            from editor.ui.dialogs.certificate import summary_for_payload

            self.certificate_summary = summary_for_payload(value, self)
        if self.certificate_summary is not None:
            self.outer.addWidget(self.certificate_summary)
        if isinstance(value, list):
            self._build_array(value)
        elif isinstance(value, dict):
            self._build_dictionary(value)
        self.outer.addStretch(1)

    def _frames(self) -> list[Frame]:
        """The dictionaries from the payload root down to this node, for conditions."""
        frames: list[Frame] = []
        start = 2 if len(self.path) >= 2 and self.path[0] == "PayloadContent" else 0
        for end in range(start, len(self.path) + 1):
            sub = self.path[:end]
            value = self.document.value(sub)
            spec = self.document.spec_for(sub) if sub else self.document.root_spec()
            if isinstance(value, dict) and spec is not None:
                frames.append(Frame(value, spec))
        return frames

    def _applies(self, spec: KeySpec, frames: list[Frame]) -> bool:
        return spec.applies_when is None or condition_holds(spec.applies_when, frames)

    def _build_dictionary(self, value: dict[str, Any]) -> None:
        spec = self.spec
        known = QGroupBox("Settings", self)
        self.known_layout = QFormLayout(known)
        self.known_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, child_spec in spec.keys.items() if spec is not None else []:
            if not self.path and name == "PayloadContent":
                continue  # payloads are the tree's children
            row = KeyRow(self, name, child_spec, value.get(name, MISSING))
            self.rows[name] = row
            self.known_layout.addRow(row.label, row)
        self.outer.addWidget(known)
        self.other_box = QGroupBox(self._other_title(), self)
        box_layout = QVBoxLayout(self.other_box)
        self.other_layout = QFormLayout()
        self.other_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        box_layout.addLayout(self.other_layout)
        self.add_key_button: QPushButton | None = None
        if spec is not None and spec.open:
            self.add_key_button = self._make_add_key_button()
            line = QHBoxLayout()
            line.addWidget(self.add_key_button)
            line.addStretch(1)
            box_layout.addLayout(line)
        for name in value:
            if self._is_other_key(name):
                self._add_other_row(name, value[name])
        self._show_other_box()
        self.outer.addWidget(self.other_box)
        self._update_visibility()

    def _other_title(self) -> str:
        spec = self.spec
        if spec is None or not spec.open:
            return "Other keys (not in the schema, kept as they are)"
        if self.path and self.path[-1] == "VendorConfig":
            return "Vendor keys"
        return "Other keys (kept as they are)"

    def _is_other_key(self, name: Any) -> bool:
        """A key shown under "Other keys" or "Vendor keys": one the schema does not list."""
        if not self.path and name == "PayloadContent":
            return False  # payloads are the tree's children
        return isinstance(name, str) and (self.spec is None or name not in self.spec.keys)

    def _add_other_row(self, name: str, value: Any) -> KeyRow:
        spec = self.spec
        item_spec = spec.item if spec is not None and spec.open else None
        row = KeyRow(self, name, item_spec, value, renamable=True)
        self.rows[name] = row
        self.other_layout.addRow(row.label, row)
        return row

    def _show_other_box(self) -> None:
        self.other_box.setVisible(
            self.other_layout.rowCount() > 0 or self.add_key_button is not None
        )

    def _make_add_key_button(self) -> QPushButton:
        """Add Key ▾: a key of the chosen type, named by the person next."""
        from PySide6.QtWidgets import QMenu

        vendor = bool(self.path) and self.path[-1] == "VendorConfig"
        button = QPushButton("Add Vendor Key" if vendor else "Add Key", self.other_box)
        button.setObjectName("addKey")
        button.setAccessibleName("Add a vendor key" if vendor else "Add a key")
        menu = QMenu(button)
        for text, empty in (("&Text", ""), ("&Number", 0), ("&Yes or No", False)):
            menu.addAction(text).triggered.connect(
                lambda _checked=False, value=empty: self.add_key(value)
            )
        button.setMenu(menu)
        return button

    def add_key(self, value: Any) -> str:
        """Add a key holding `value` under a free name; its name field takes the focus,
        the name selected, so what the person types next names it."""
        node = self.document.value(self.path)
        taken = set(node) if isinstance(node, dict) else set()
        name = next(
            candidate
            for number in range(1, len(taken) + 2)
            if (candidate := "NewKey" if number == 1 else f"NewKey{number}") not in taken
        )
        self.document.set_value((*self.path, name), value)
        row = self.rows.get(name)
        if row is not None and row.name_edit is not None:
            self.ensureWidgetVisible(row)
            row.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            row.name_edit.selectAll()
        return name

    def _follow_other_keys(self, value: dict[str, Any]) -> bool:
        """Keys that came under a name without a row (added, renamed, a rename undone):
        a row that lost its key while it still held a value was renamed, and follows the
        new name; others are made. True when rows changed."""
        new = [name for name in value if name not in self.rows and self._is_other_key(name)]
        left = [
            row
            for name, row in self.rows.items()
            if name not in value and row.value is not MISSING and row.name_edit is not None
        ]
        # renamed to a key the schema lists: that key's own row shows it from now on
        listed = [
            row
            for name, row in self.rows.items()
            if name in value and row.value is MISSING and row.name_edit is None
        ]
        renamed = dict(zip(new, left, strict=False))
        gone = left[len(renamed) :][: len(listed)]
        if not new and not gone:
            return False  # a key removed: its row stays, empty, where the person is
        rows: dict[str, KeyRow] = {}
        for name, row in self.rows.items():
            if row in gone:
                self.other_layout.removeRow(row)
                continue
            new_name = next((n for n, r in renamed.items() if r is row), None)
            if new_name is not None:
                row.rename(new_name)
                name = new_name
            rows[name] = row
        self.rows = rows
        for name in new[len(renamed) :]:
            self._add_other_row(name, value[name])
        for name, row in self.rows.items():
            row.refresh(value.get(name, MISSING))
        self._show_other_box()
        self._update_visibility()
        self._on_problems_changed()
        self.rows_changed.emit()
        return True

    def _update_visibility(self) -> None:
        frames = self._frames()
        value = self.document.value(self.path)
        for name, row in self.rows.items():
            if row.spec is None or not isinstance(value, dict):
                continue
            visible = name in value or self._applies(row.spec, frames)
            row.setVisible(visible)
            row.label.setVisible(visible)

    def _build_array(self, value: list[Any]) -> None:
        from PySide6.QtWidgets import QListWidget  # only array forms need it

        box = QGroupBox(
            "Items (in order; the first that matches wins)"
            if self.path[-1] == "OnDemandRules"
            else "Items",
            self,
        )
        layout = QVBoxLayout(box)
        self.items = QListWidget(box)
        self.items.setAccessibleName("Items")
        layout.addWidget(self.items)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add", box)
        self.remove_button = QPushButton("Remove", box)
        self.up_button = QPushButton("Move up", box)
        self.down_button = QPushButton("Move down", box)
        self.open_button = QPushButton("Open ›", box)
        # what each acts on, for screen readers ("Add On Demand rule")
        noun = _ITEM_NOUNS.get(str(self.path[-1]), "item")
        for button, said in (
            (self.add_button, f"Add {noun}"),
            (self.remove_button, f"Remove the selected {noun}"),
            (self.up_button, f"Move the selected {noun} up"),
            (self.down_button, f"Move the selected {noun} down"),
            (self.open_button, f"Open the selected {noun}"),
        ):
            button.setAccessibleName(said)
        for button in (
            self.add_button,
            self.remove_button,
            self.up_button,
            self.down_button,
            self.open_button,
        ):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.outer.addWidget(box)
        self.add_button.clicked.connect(lambda: self._add_item(self._new_array_item()))
        self.remove_button.clicked.connect(self._remove_selected)
        self.up_button.clicked.connect(lambda: self._move_selected(-1))
        self.down_button.clicked.connect(lambda: self._move_selected(1))
        self.open_button.clicked.connect(self._open_selected)
        self.items.itemActivated.connect(lambda _item: self._open_selected())
        self._fill_items()

    def _fill_items(self) -> None:
        value = self.document.value(self.path)
        current = self.items.currentRow()
        self.items.clear()
        if not isinstance(value, list):
            return
        from PySide6.QtWidgets import QListWidgetItem

        name = str(self.path[-1])
        for index, item in enumerate(value):
            QListWidgetItem(item_label(name, index, item), self.items)
        if value:
            self.items.setCurrentRow(min(max(current, 0), len(value) - 1))

    def _new_array_item(self) -> Any:
        item_spec = self.spec.item if self.spec is not None else None
        value = self.document.value(self.path)
        if self.path[-1] == "TunnelConfigurations" and isinstance(value, list):
            return _next_tunnel(item_spec, value)
        return _new_item(item_spec, str(self.path[-1]))

    def _add_item(self, item: Any) -> None:
        """Append an item, then select it in the list (Enter opens it)."""
        value = self.document.value(self.path)
        index = len(value) if isinstance(value, list) else 0
        self.document.insert_item(self.path, index, item)
        self.items.setCurrentRow(index)
        self.items.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remove_selected(self) -> None:
        row = self.items.currentRow()
        if row >= 0:
            self.document.remove_item(self.path, row)

    def _move_selected(self, step: int) -> None:
        row = self.items.currentRow()
        target = row + step
        if row >= 0 and 0 <= target < self.items.count():
            self.document.move_item(self.path, row, target)
            self.items.setCurrentRow(target)  # the moved item stays selected

    def _open_selected(self) -> None:
        row = self.items.currentRow()
        if row >= 0:
            self.open_requested.emit((*self.path, row))

    # --- reference pickers -------------------------------------------------------------
    def reference_choices(self, spec: KeySpec) -> list[tuple[str, str]]:
        if spec.references == "certificate":
            return [
                (f"{_payload_name(payload) or kind} — {uuid}", uuid)
                for uuid, kind, payload in identity_payloads(self.document.profile)
            ]
        choices = []
        for _index, payload in self.document.profile.payload_dicts():
            if (
                spec.references == "vpn-uuid"
                and payload.get("PayloadType") == "com.apple.vpn.managed.applayer"
            ):
                vpn_uuid = payload.get("VPNUUID")
                if isinstance(vpn_uuid, str):
                    name = (
                        payload.get("UserDefinedName")
                        or payload.get("PayloadDisplayName")
                        or "per-app VPN"
                    )
                    choices.append((f"{name} — {vpn_uuid}", vpn_uuid))
        return choices

    # --- updates -------------------------------------------------------------------------
    def _on_value_changed(self, path: KeyPath) -> None:
        if path[: len(self.path)] != self.path or self.document.value(self.path) is not self.node:
            return  # elsewhere, or this node was replaced: the window builds a new form
        if self.path and isinstance(self.path[-1], int) and self.title is not None:
            self.title.setText(self._item_title())  # "Rule 1 · Connect" follows the Action
        if hasattr(self, "items"):
            self._fill_items()
            return
        if len(path) <= len(self.path):
            return
        value = self.node
        if not isinstance(value, dict):
            return
        if len(path) == len(self.path) + 1 and self._follow_other_keys(value):
            return
        name = path[len(self.path)]
        row = self.rows.get(str(name)) if isinstance(name, str) else None
        if row is not None:
            row.refresh(value.get(row.name, MISSING))
        if self.certificate_summary is not None and name in ("PayloadContent", "Password"):
            self.certificate_summary.show_payload(value)
        self._update_visibility()

    def _on_problems_changed(self) -> None:
        by_key: dict[str, list[Problem]] = {}
        depth = len(self.path)
        for problem in self.document.problems_under(self.path):
            if len(problem.path) > depth and isinstance(problem.path[depth], str):
                by_key.setdefault(str(problem.path[depth]), []).append(problem)
        for name, row in self.rows.items():
            row.show_problems(by_key.get(name, []))

    # --- focus and scrolling -----------------------------------------------------------
    def tab_stops(self) -> list[QWidget]:
        """Every widget of the form that takes focus, in the order they are seen."""
        if hasattr(self, "items"):
            return [
                self.items,
                self.add_button,
                self.remove_button,
                self.up_button,
                self.down_button,
                self.open_button,
            ]
        stops = [stop for row in self.rows.values() for stop in row.tab_stops()]
        add_key: QPushButton | None = getattr(self, "add_key_button", None)
        if add_key is not None:
            stops.append(add_key)
        return stops

    def first_field(self) -> QWidget | None:
        """The first stop a person can see and use."""
        return next((w for w in self.tab_stops() if _can_focus(w)), None)

    def view_state(self) -> FormView:
        """Where the user is: the focused widget (by key) and the scroll position."""
        focus = QApplication.focusWidget()
        key, stop = "", -1
        if focus is not None and self.isAncestorOf(focus):
            for name, row in self.rows.items():
                stops = row.tab_stops()
                stop = next(
                    (i for i, w in enumerate(stops) if w is focus or w.isAncestorOf(focus)), -1
                )
                if stop >= 0:
                    key = name
                    break
            else:
                stops = self.tab_stops()
                stop = next((i for i, w in enumerate(stops) if w is focus), -1)
        item = self.items.currentRow() if hasattr(self, "items") else -1
        cursor = focus.cursorPosition() if isinstance(focus, QLineEdit) else -1
        return FormView(self.verticalScrollBar().value(), key, stop, item, cursor)

    def restore_view(self, view: FormView) -> None:
        """Put focus and scrolling back where `view_state` found them."""
        if hasattr(self, "items") and view.item >= 0 and self.items.count():
            self.items.setCurrentRow(min(view.item, self.items.count() - 1))
        row = self.rows.get(view.key) if view.key else None
        stops = row.tab_stops() if row is not None else ([] if view.key else self.tab_stops())
        if 0 <= view.stop < len(stops) and _can_focus(stops[view.stop]):
            widget = stops[view.stop]
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            focused = QApplication.focusWidget()
            if isinstance(focused, QLineEdit) and view.cursor >= 0:
                focused.setCursorPosition(view.cursor)
        # the scroll range is known once the new body is laid out
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.verticalScrollBar().setValue(view.scroll)

    def focus_key(self, name: str) -> bool:
        row = self.rows.get(name)
        if row is None:
            return False
        row.setVisible(True)
        row.label.setVisible(True)
        self.ensureWidgetVisible(row)
        row.field.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)
        return True


@dataclass(frozen=True)
class FormView:
    """Where the user was in a form: kept when the form is built again."""

    scroll: int
    key: str  # the row holding the focus ("" for none, or for an array form)
    stop: int  # which of that row's (or the form's) tab stops, -1 for none
    item: int  # the array form's selected item
    cursor: int  # the caret in a line edit, -1 elsewhere


def _can_focus(widget: QWidget) -> bool:
    return (
        widget.isVisibleTo(widget.window())
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
    )


def _is_certificate_payload(value: Any) -> bool:
    kind = value.get("PayloadType") if isinstance(value, dict) else None
    return isinstance(kind, str) and kind.startswith(payload_types.CERTIFICATE_PREFIX)


def _payload_name(payload: dict[str, Any]) -> Any:
    return payload.get("PayloadDisplayName") or payload.get("PayloadCertificateFileName")
