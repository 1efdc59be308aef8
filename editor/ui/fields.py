"""Field widgets, one per kind of schema key, made by one factory (`make_field`).

A field shows a value and reports user edits through `edited(value, typing)`; it never
writes to the profile itself. `show_value` updates it without emitting.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QObject, Qt, QTimeZone, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QWidget,
)

from editor.core.model import MISSING
from editor.core.plisttypes import plist_type_of, same_value
from editor.core.schema import KeySpec
from editor.ui.icons import standard_icon

INT32_MAX = 2**31 - 1
_NOT_SET_STAMP = 946684800  # 2000-01-01 00:00:00 UTC, a date field's "not set"


class _WheelGuard(QObject):
    """Lets the wheel change a value widget only while it has focus; otherwise the
    wheel scrolls whatever holds the widget (the form), as native forms do."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QWidget)
            and not watched.hasFocus()
        ):
            event.ignore()  # Qt then offers the wheel to the parents
            return True
        return False


_WHEEL_GUARD: _WheelGuard | None = None


class _DocumentUndo(QObject):
    """Text widgets keep an undo history of their own and take Ctrl+Z for it; in the
    form, Ctrl+Z must undo the profile's last edit (typing in one field is one step)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Undo) or event.matches(
                QKeySequence.StandardKey.Redo
            ):
                event.ignore()  # not the widget's: the window's Undo and Redo take it
                return True
        return False


_DOCUMENT_UNDO: _DocumentUndo | None = None


class FullTextComboBox(QComboBox):
    """A combo box whose open list is as wide as its longest entry ("Office identity —
    0C4D4B4E-…"), up to the screen's width, wherever the combo itself is narrower (a
    large scale, a narrow window). An entry that is cut even then shows its full text
    as tooltip."""

    def showPopup(self) -> None:
        view = self.view()
        frame = 2 * view.frameWidth()
        if self.count() > self.maxVisibleItems():
            frame += view.verticalScrollBar().sizeHint().width()
        metrics = view.fontMetrics()
        # the item's text margins (as Qt's styles lay them out), and a space to breathe
        margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
        margin += metrics.horizontalAdvance("  ")
        widths = [
            max(view.sizeHintForIndex(self.model().index(row, self.modelColumn())).width(),
                metrics.horizontalAdvance(self.itemText(row)) + margin)
            for row in range(self.count())
        ]  # fmt: skip
        screen = self.screen().availableGeometry()
        view.setMinimumWidth(min(max(widths, default=0) + frame, screen.width()))
        super().showPopup()
        popup = view.window()
        if popup is not self.window():
            geometry = popup.geometry()
            overflow = geometry.width() - screen.width()
            if overflow > 0:  # the popup's own frame too: the list gives way
                view.setMinimumWidth(view.minimumWidth() - overflow)
                popup_layout = popup.layout()
                if popup_layout is not None:
                    popup_layout.activate()  # the popup's minimum follows the list's now
                geometry.setWidth(screen.width())
            if geometry.right() > screen.right():  # widened beyond the screen's edge
                geometry.moveRight(screen.right())
            if geometry.left() < screen.left():
                geometry.moveLeft(screen.left())
            popup.setGeometry(geometry)
        room = view.minimumWidth() - frame
        for row, width in enumerate(widths):
            cut = width > room
            self.setItemData(row, self.itemText(row) if cut else None, Qt.ItemDataRole.ToolTipRole)


class _OpenOnClick(QObject):
    """A click on the text of an editable combo box opens its list, as a click on a
    plain one does (a drag still selects text, and typing still works)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(watched, QLineEdit)
            and not watched.hasSelectedText()
        ):
            combo = watched.parentWidget()
            if isinstance(combo, QComboBox) and combo.count() and not combo.view().isVisible():
                combo.showPopup()
        return False


_OPEN_ON_CLICK: _OpenOnClick | None = None


def line_edit_of(combo: QComboBox) -> QLineEdit:
    """The text field of an editable combo box (Qt types it as optional)."""
    edit = combo.lineEdit()
    assert edit is not None, "the combo box is not editable"
    return edit


def open_list_on_click(combo: QComboBox) -> None:
    global _OPEN_ON_CLICK
    if _OPEN_ON_CLICK is None:
        _OPEN_ON_CLICK = _OpenOnClick()
    line_edit_of(combo).installEventFilter(_OPEN_ON_CLICK)


def undo_in_document(widget: QWidget) -> None:
    """Ctrl+Z and Ctrl+Shift+Z in `widget` undo and redo the profile's edits."""
    global _DOCUMENT_UNDO
    if _DOCUMENT_UNDO is None:
        _DOCUMENT_UNDO = _DocumentUndo()
    widget.installEventFilter(_DOCUMENT_UNDO)
    if isinstance(widget, QPlainTextEdit):
        widget.setUndoRedoEnabled(False)  # its menu's Undo would bypass the document


def ignore_wheel_unless_focused(widget: QWidget) -> None:
    global _WHEEL_GUARD
    if _WHEEL_GUARD is None:
        _WHEEL_GUARD = _WheelGuard()
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel gives no focus either
    widget.installEventFilter(_WHEEL_GUARD)


class Field(QWidget):
    edited = Signal(object, bool)  # new value, whether the user is still typing
    open_requested = Signal()  # containers: show this node

    def __init__(self, spec: KeySpec | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._updating = False
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)

    def show_value(self, value: Any) -> None:
        self._updating = True
        try:
            self._show(value)
        finally:
            self._updating = False

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def _emit(self, value: Any, typing: bool = False) -> None:
        if not self._updating:
            self.edited.emit(value, typing)

    def focus_widget(self) -> QWidget:
        return self

    def tab_stops(self) -> list[QWidget]:
        """The widgets Tab stops at, left to right."""
        return [self.focus_widget()]

    def set_spoken_name(self, name: str) -> None:
        """What a screen reader calls the field (the key's label or name)."""
        self.setAccessibleName(name)
        self.focus_widget().setAccessibleName(name)

    def default_text(self) -> str:
        if self.spec is not None and self.spec.has_default:
            return str(self.spec.default)
        return ""


class _RefuseFileDrops(QObject):
    """A text field takes dropped text, never dropped files: those go on to the window
    (which opens a profile or adds a certificate), instead of their file:// URL being
    written into the key."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        if not event.mimeData().hasUrls():  # type: ignore[attr-defined]
            return False  # plain text: the field takes it
        window = watched.window() if isinstance(watched, QWidget) else None
        handler = getattr(window, "dropEvent", None) if window is not watched else None
        if handler is None:
            event.ignore()  # nowhere to send it: refused
        elif kind == QEvent.Type.Drop:
            handler(event)  # the window decides: open, import or Add Certificate
        else:
            event.acceptProposedAction()  # type: ignore[attr-defined]
        return True


_REFUSE_FILE_DROPS = _RefuseFileDrops()


def refuse_file_drops(widget: QWidget) -> None:
    widget.installEventFilter(_REFUSE_FILE_DROPS)


class TextField(Field):
    def __init__(self, spec: KeySpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.edit = QLineEdit(self)
        refuse_file_drops(self.edit)
        undo_in_document(self.edit)
        self.layout_.addWidget(self.edit)
        self.edit.textEdited.connect(lambda text: self._emit(text, True))
        if spec is not None and spec.secret:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.reveal = QAction(
                standard_icon(QStyle.StandardPixmap.SP_DialogYesButton), f"Show {spec.name}", self
            )
            self.reveal.setCheckable(True)
            self.reveal.setToolTip("Show or hide the secret")
            self.reveal.toggled.connect(self._toggle_reveal)
            self.edit.addAction(self.reveal, QLineEdit.ActionPosition.TrailingPosition)
            from PySide6.QtWidgets import QToolButton

            for button in self.edit.findChildren(QToolButton):  # the action's own button
                button.setAccessibleName(f"Show or hide {spec.name}")

    def _toggle_reveal(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    def _show(self, value: Any) -> None:
        text = "" if value is MISSING else str(value)
        self.edit.setPlaceholderText(
            f"default: {self.default_text()}" if value is MISSING and self.default_text() else ""
        )
        if self.edit.text() != text:
            self.edit.setText(text)

    def focus_widget(self) -> QWidget:
        return self.edit


class ChoiceField(Field):
    """Allowed values; editable when the schema lists them only as suggestions."""

    def __init__(self, spec: KeySpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.combo = QComboBox(self)
        ignore_wheel_unless_focused(self.combo)
        self.combo.setEditable(spec.values_open)
        self.layout_.addWidget(self.combo)
        self.combo.addItem("", MISSING)
        for value in spec.values or ():
            note = spec.value_notes.get(value)
            self.combo.addItem(str(value), value)
            if note is not None and note.description:
                self.combo.setItemData(
                    self.combo.count() - 1, note.description, Qt.ItemDataRole.ToolTipRole
                )
        self.allowed = self.combo.count()  # the empty row and the allowed values
        self.combo.activated.connect(self._picked)
        if spec.values_open:
            undo_in_document(line_edit_of(self.combo))
            open_list_on_click(self.combo)
            line_edit_of(self.combo).textEdited.connect(self._typed)

    def restrict(self, values: frozenset[Any]) -> None:
        """Offer only these of the schema's values (what this payload allows)."""
        for row in range(self.allowed - 1, 0, -1):
            if self.combo.itemData(row) not in values:
                self.combo.removeItem(row)
        self.allowed = self.combo.count()

    def _picked(self, row: int) -> None:
        value = self.combo.itemData(row)
        if value is not MISSING:
            self._emit(value)

    def _typed(self, text: str) -> None:
        assert self.spec is not None
        if self.spec.type == "integer":
            try:
                self._emit(int(text), True)
            except ValueError:
                self._emit(text, True)
        else:
            self._emit(text, True)

    def _show(self, value: Any) -> None:
        while self.combo.count() > self.allowed:  # an earlier value outside the list
            self.combo.removeItem(self.combo.count() - 1)
        row = next(
            (
                i
                for i in range(1, self.combo.count())
                if value is not MISSING and same_value(self.combo.itemData(i), value)
            ),
            -1,
        )
        if row >= 0:
            self.combo.setCurrentIndex(row)
        elif value is MISSING:
            self.combo.setCurrentIndex(0)
            self.combo.setPlaceholderText(
                f"default: {self.default_text()}" if self.default_text() else "not set"
            )
        elif self.combo.isEditable():
            self.combo.setEditText(str(value))
        else:
            # A value outside the list: show it (validation reports it) without losing it.
            listed = any(
                str(self.combo.itemData(i)) == str(value) for i in range(1, self.allowed)
            )
            kind = plist_type_of(value)
            note = f"a {kind}, not allowed" if listed else "not allowed"  # "1" the text
            self.combo.addItem(f"{value} ({note})", value)
            self.combo.setCurrentIndex(self.combo.count() - 1)

    def focus_widget(self) -> QWidget:
        return self.combo


class IntegerField(Field):
    def __init__(self, spec: KeySpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.spin = QSpinBox(self)
        ignore_wheel_unless_focused(self.spin)
        low = int(spec.minimum) if spec is not None and spec.minimum is not None else -INT32_MAX
        high = int(spec.maximum) if spec is not None and spec.maximum is not None else INT32_MAX
        self.spin.setRange(max(low, -INT32_MAX), min(high, INT32_MAX))
        self.spin.setAccelerated(True)
        undo_in_document(self.spin)
        self.layout_.addWidget(self.spin)
        self.layout_.addStretch(1)
        self.spin.valueChanged.connect(lambda v: self._emit(int(v), True))

    def _show(self, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            self.spin.setValue(max(min(value, INT32_MAX), -INT32_MAX))
        elif value is MISSING and self.spec is not None and isinstance(self.spec.default, int):
            self.spin.setValue(self.spec.default)

    def focus_widget(self) -> QWidget:
        return self.spin


class RealField(Field):
    def __init__(self, spec: KeySpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.spin = QDoubleSpinBox(self)
        ignore_wheel_unless_focused(self.spin)
        self.spin.setDecimals(3)
        undo_in_document(self.spin)
        self.spin.setRange(-1e12, 1e12)
        self.layout_.addWidget(self.spin)
        self.layout_.addStretch(1)
        self.spin.valueChanged.connect(lambda v: self._emit(float(v), True))

    def _show(self, value: Any) -> None:
        if isinstance(value, float | int) and not isinstance(value, bool):
            self.spin.setValue(float(value))

    def focus_widget(self) -> QWidget:
        return self.spin


class FlagField(Field):
    """A boolean, or one of Apple's 0/1 integers: writes back the key's own type."""

    def __init__(
        self, spec: KeySpec | None, parent: QWidget | None = None, as_integer: bool = False
    ) -> None:
        super().__init__(spec, parent)
        self.as_integer = as_integer
        self.box = QCheckBox(self)
        self.layout_.addWidget(self.box)
        self.layout_.addStretch(1)
        self.box.toggled.connect(self._toggled)

    def _toggled(self, on: bool) -> None:
        self._emit((1 if on else 0) if self.as_integer else on)

    def _show(self, value: Any) -> None:
        if value is MISSING:
            default = self.spec.default if self.spec is not None and self.spec.has_default else 0
            self.box.setChecked(bool(default))
            self.box.setText("not set (default on)" if default else "not set")
        else:
            self.box.setChecked(bool(value) if isinstance(value, int | bool) else False)
            self.box.setText("")

    def focus_widget(self) -> QWidget:
        return self.box


class DateField(Field):
    def __init__(self, spec: KeySpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.edit = QDateTimeEdit(self)
        ignore_wheel_unless_focused(self.edit)
        self.edit.setCalendarPopup(True)
        self.edit.setTimeZone(QTimeZone.utc())
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss 'UTC'")
        # an absent date shows as "not set" (the earliest date stands for it)
        self.edit.setMinimumDateTime(QDateTime.fromSecsSinceEpoch(_NOT_SET_STAMP, QTimeZone.utc()))
        self.edit.setSpecialValueText("not set")
        self.layout_.addWidget(self.edit)
        self.layout_.addStretch(1)
        self.edit.dateTimeChanged.connect(self._changed)

    def _changed(self, value: QDateTime) -> None:
        moment = datetime.datetime.fromtimestamp(value.toSecsSinceEpoch(), datetime.UTC).replace(
            tzinfo=None
        )
        self._emit(moment, True)

    def _show(self, value: Any) -> None:
        if isinstance(value, datetime.datetime):
            stamp = int(value.replace(tzinfo=datetime.UTC).timestamp())
            self.edit.setDateTime(QDateTime.fromSecsSinceEpoch(stamp, QTimeZone.utc()))
        elif value is MISSING:
            self.edit.setDateTime(self.edit.minimumDateTime())

    def focus_widget(self) -> QWidget:
        return self.edit


class DataField(Field):
    """Binary data: size and SHA-256 shown; load from or save to a file."""

    def __init__(self, spec: KeySpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.summary = QLabel(self)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.load = QPushButton("Load…", self)
        self.save = QPushButton("Save as…", self)
        what = _spoken_name(spec)  # a screen reader says what the button acts on
        self.load.setAccessibleName(f"Load {what} from a file")
        self.save.setAccessibleName(f"Save {what} as a file")
        self.layout_.addWidget(self.summary, 1)
        self.layout_.addWidget(self.load)
        self.layout_.addWidget(self.save)
        self.load.clicked.connect(self._load)
        self.save.clicked.connect(self._save)
        self._value: Any = MISSING
        # turns a loaded file into what the key holds (a PEM certificate into DER), or
        # None when it is refused or the user cancels
        self.convert_loaded: Callable[[bytes, Path], bytes | None] | None = None

    def _show(self, value: Any) -> None:
        self._value = value
        if isinstance(value, bytes | bytearray):
            import hashlib  # only where data is shown: most forms have none

            digest = hashlib.sha256(value).hexdigest()
            self.summary.setText(f"{len(value):,} bytes · SHA-256 {digest[:16]}…")
            self.summary.setToolTip(f"SHA-256 {digest}")
        else:
            self.summary.setText("no data")
        self.save.setEnabled(isinstance(value, bytes | bytearray))

    def _load(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # set up on first use: it takes a while

        name, _ = QFileDialog.getOpenFileName(self, "Load data from a file")
        if name:
            try:
                data: bytes | None = Path(name).read_bytes()
            except OSError as exc:
                self.summary.setText(f"{name}: {exc.strerror}")
                return
            if self.convert_loaded is not None and data is not None:
                data = self.convert_loaded(data, Path(name))
            if data is not None:  # None: refused or cancelled, and said so
                self._emit(data)

    def _save(self) -> None:
        if not isinstance(self._value, bytes | bytearray):
            return
        from PySide6.QtWidgets import QFileDialog

        name, _ = QFileDialog.getSaveFileName(self, "Save data to a file")
        if name:
            try:
                Path(name).write_bytes(bytes(self._value))
            except OSError as exc:
                self.summary.setText(f"{name}: {exc.strerror}")

    def focus_widget(self) -> QWidget:
        return self.load

    def tab_stops(self) -> list[QWidget]:
        return [self.load, self.save]


class MultiChoiceField(Field):
    """An array of values from a closed list (an Always On tunnel's Interfaces): one
    check box per value, so nobody has to know how "WiFi" is spelled. Values are kept
    in the order they were chosen; one outside the list shows as a box of its own,
    ticked, until it is cleared."""

    def __init__(self, spec: KeySpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        assert spec.item is not None and spec.item.values is not None
        self.allowed = list(spec.item.values)
        self.boxes: list[tuple[Any, QCheckBox]] = []
        self._chosen: list[Any] = []
        for value in self.allowed:
            self._add_box(value, str(value))
        self.layout_.addStretch(1)

    def _add_box(self, value: Any, text: str) -> QCheckBox:
        box = QCheckBox(text, self)
        assert self.spec is not None and self.spec.item is not None
        note = self.spec.item.value_notes.get(value)
        if note is not None and note.description:
            box.setToolTip(note.description)
        box.toggled.connect(lambda on, chosen=value: self._toggled(chosen, on))
        self.layout_.insertWidget(len(self.boxes), box)
        self.boxes.append((value, box))
        return box

    def _toggled(self, value: Any, on: bool) -> None:
        chosen = [v for v in self._chosen if not same_value(v, value)]
        if on:
            chosen.append(value)
        self._emit(chosen)

    def _show(self, value: Any) -> None:
        self._chosen = list(value) if isinstance(value, list) else []
        for item in self._chosen:  # kept, and shown, even when not allowed
            if not any(same_value(item, v) for v, _box in self.boxes):
                self._add_box(item, f"{item} (not allowed)")
        for item, box in self.boxes:
            box.setChecked(any(same_value(item, v) for v in self._chosen))

    def focus_widget(self) -> QWidget:
        return self.boxes[0][1]

    def tab_stops(self) -> list[QWidget]:
        return [box for _value, box in self.boxes]

    def set_spoken_name(self, name: str) -> None:
        self.setAccessibleName(name)
        for value, box in self.boxes:
            box.setAccessibleName(f"{name}: {value}")  # "Interfaces: WiFi"


class ListField(Field):
    """An array of strings or numbers, one item per line."""

    def __init__(self, spec: KeySpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.edit = QPlainTextEdit(self)
        refuse_file_drops(self.edit.viewport())  # where a text box's drops arrive
        undo_in_document(self.edit)
        self.edit.setTabChangesFocus(True)
        self.edit.setPlaceholderText("one item per line")
        self.edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.layout_.addWidget(self.edit)
        self.edit.textChanged.connect(self._changed)
        self.item_type = spec.item.type if spec is not None and spec.item is not None else "string"

    def _changed(self) -> None:
        lines = [line for line in self.edit.toPlainText().split("\n")]
        while lines and lines[-1] == "":
            lines.pop()
        items: list[Any] = []
        for line in lines:
            if self.item_type == "integer":
                try:
                    items.append(int(line))
                    continue
                except ValueError:
                    pass
            items.append(line)
        self._emit(items, True)

    def _show(self, value: Any) -> None:
        text = "\n".join(str(v) for v in value) if isinstance(value, list) else ""
        current = self.edit.toPlainText().rstrip("\n")
        if current != text:
            self.edit.setPlainText(text)

    def focus_widget(self) -> QWidget:
        return self.edit


class ContainerField(Field):
    """A dictionary or an array of dictionaries: opened as its own node in the tree."""

    def __init__(self, spec: KeySpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.summary = QLabel(self)
        self.button = QPushButton(self)
        self.layout_.addWidget(self.summary, 1)
        self.layout_.addWidget(self.button)
        self.button.clicked.connect(self._clicked)
        self._present = False

    def _clicked(self) -> None:
        if self._present:
            self.open_requested.emit()
        else:
            empty: Any = [] if self.spec is not None and self.spec.type == "array" else {}
            self._emit(empty)
            self.open_requested.emit()

    def _show(self, value: Any) -> None:
        self._present = value is not MISSING
        if isinstance(value, dict):
            self.summary.setText(f"{len(value)} key(s)")
        elif isinstance(value, list):
            self.summary.setText(f"{len(value)} item(s)")
        else:
            self.summary.setText("not set")
        self.button.setText("Open ›" if self._present else "Add")
        what = _spoken_name(self.spec)
        self.button.setAccessibleName(f"Open {what}" if self._present else f"Add {what}")

    def focus_widget(self) -> QWidget:
        return self.button


def _spoken_name(spec: KeySpec | None) -> str:
    """A key as a screen reader should say it: its label, or its name."""
    if spec is None:
        return "the value"
    return spec.label or spec.name or "the value"


_NO_CHOICE_HINTS = {
    "certificate": "no identity in the profile yet: add one with Edit ▸ Add Certificate…",
    "vpn-uuid": "no per-app VPN in the profile yet: New… adds one",
}


class ReferenceField(Field):
    """PayloadCertificateUUID and friends: a pick list over the profile's payloads."""

    def __init__(
        self, spec: KeySpec, choices: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, parent)
        self.combo = FullTextComboBox(self)
        ignore_wheel_unless_focused(self.combo)
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for label, value in choices:
            self.combo.addItem(label, value)
        if not choices:  # say how to get one, in the form's words
            hint = _NO_CHOICE_HINTS.get(spec.references or "", "")
            line_edit_of(self.combo).setPlaceholderText(hint)
        self.layout_.addWidget(self.combo)
        self.combo.activated.connect(lambda row: self._emit(self.combo.itemData(row)))
        undo_in_document(line_edit_of(self.combo))
        open_list_on_click(self.combo)
        line_edit_of(self.combo).textEdited.connect(lambda text: self._emit(text, True))

    def _show(self, value: Any) -> None:
        if value is MISSING:
            self.combo.setCurrentIndex(-1)
            self.combo.setEditText("")
            return
        row = self.combo.findData(value)
        if row >= 0:
            self.combo.setCurrentIndex(row)
        else:
            self.combo.setEditText(str(value))

    def focus_widget(self) -> QWidget:
        return self.combo


def make_field(
    spec: KeySpec | None, value: Any, reference_choices: list[tuple[str, str]] | None = None
) -> Field:
    """The one factory: schema key (or a bare value for unknown keys) -> field widget.

    Order matters: references, then allowed values, then flags, then the plain type.
    """
    kind = (
        spec.type
        if spec is not None and spec.type != "any"
        else (plist_type_of(value) if value is not MISSING else "string")
    )
    if spec is not None and spec.references and reference_choices is not None:
        return ReferenceField(spec, reference_choices)
    if (
        spec is not None
        and spec.values is not None
        and kind in ("string", "integer")
        and not spec.is_flag
    ):
        return ChoiceField(spec)
    if kind == "boolean":
        return FlagField(spec)
    if spec is not None and spec.is_flag:
        return FlagField(spec, as_integer=True)
    if kind == "integer":
        return IntegerField(spec)
    if kind == "real":
        return RealField(spec)
    if kind == "date":
        return DateField(spec)
    if kind == "data":
        return DataField(spec)
    if kind == "dictionary":
        return ContainerField(spec)
    if kind == "array":
        item = spec.item if spec is not None else None
        if (
            spec is not None
            and item is not None
            and item.values
            and not item.values_open
            and item.type in ("string", "integer")
        ):
            return MultiChoiceField(spec)
        holds_dicts = (item is not None and item.type == "dictionary") or (
            isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
        )
        return ContainerField(spec) if holds_dicts else ListField(spec)
    return TextField(spec)
