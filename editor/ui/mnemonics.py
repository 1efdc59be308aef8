"""Keyboard mnemonics (the underlined letter of a menu item, a button or a field's
label) chosen without clashes."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayoutItem,
    QPushButton,
    QToolButton,
    QWidget,
)


def with_mnemonic(text: str, taken: set[str]) -> str:
    """The text with '&' before its first letter not taken yet (the letter is then taken),
    a word's first letter rather than one inside a word; when every letter of it is
    taken, a free digit before it ("&1 Certificate (PEM)")."""
    starts = [
        i for i, c in enumerate(text) if c.isalnum() and (i == 0 or not text[i - 1].isalnum())
    ]
    for index in [*starts, *range(len(text))]:
        character = text[index]
        if character.isalnum() and character.lower() not in taken:
            taken.add(character.lower())
            return text[:index] + "&" + text[index:]
    for digit in "123456789":
        if digit not in taken:
            taken.add(digit)
            return f"&{digit} {text}"
    return text


def plain(text: str) -> str:
    """The text as read aloud: without its mnemonic ("&1 " before it, or one '&')."""
    if len(text) > 3 and text[0] == "&" and text[1].isdigit() and text[2] == " ":
        text = text[3:]
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _letter(text: str) -> str | None:
    """The mnemonic letter of a text ("&Save" → "s"), None when it has none."""
    escaped = text.replace("&&", "")
    at = escaped.find("&")
    if at < 0 or at + 1 >= len(escaped):
        return None
    return escaped[at + 1].lower()


def _takes_tab(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def field_of(label: QLabel) -> QWidget | None:
    """The field a label names: its buddy, or, when the buddy is a row holding the field
    and a button (a path and its Browse…), the first field of that row."""
    buddy = label.buddy()
    if buddy is None or _takes_tab(buddy) or buddy.focusProxy() is not None:
        return buddy
    return next((w for w in buddy.findChildren(QWidget) if _takes_tab(w)), None)


def form_rows(root: QWidget) -> list[tuple[QLabel, QWidget]]:
    """(label, first field) of each row of the form layouts below `root` whose field
    takes the focus: the pairs a person reads as a labelled field."""
    rows = []
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is None or field is None or not isinstance(label.widget(), QLabel):
                continue
            found = _first_field(field)
            shown = label.widget()
            if found is not None and isinstance(shown, QLabel):
                rows.append((shown, found))
    return rows


def _first_field(item: QLayoutItem) -> QWidget | None:
    widget = item.widget()
    if widget is not None:
        if _takes_tab(widget) or widget.focusProxy() is not None:
            return widget
        return next((w for w in widget.findChildren(QWidget) if _takes_tab(w)), None)
    layout = item.layout()
    if layout is None:
        return None
    for index in range(layout.count()):
        child = layout.itemAt(index)
        found = _first_field(child) if child is not None else None
        if found is not None:
            return found
    return None


def _holds_mnemonic(widget: QWidget) -> bool:
    """A button with words, or a label naming a field it gives the focus to."""
    if isinstance(widget, QLabel):
        field = field_of(widget)
        return (
            field is not None
            and (_takes_tab(field) or field.focusProxy() is not None)
            and widget.textFormat() != Qt.TextFormat.RichText
            and any(c.isalnum() for c in widget.text())
        )
    return isinstance(widget, QAbstractButton) and any(c.isalnum() for c in widget.text())


def mnemonic_holders(root: QWidget) -> list[QWidget]:
    """The buttons and labelled fields of a dialog, in the order they were made."""
    return [w for w in root.findChildren(QWidget) if _holds_mnemonic(w)]


_SETTLED = "mnemonicSettled"  # a widget's letter was given while it showed: it keeps it


def give_mnemonics(dialog: QWidget) -> None:
    """Give each button and labelled field the dialog shows a mnemonic of its own (Alt
    and the letter). Those that had theirs while shown keep it, then letters already
    written; the rest (labels, check boxes and radio buttons, then buttons, then the
    OK/Cancel row) get the first letter of theirs still free. Hidden ones (the rows of
    another connection type) take no letter from those on screen."""
    for label, field in form_rows(dialog):
        if label.buddy() is None:  # a row of a field and a button: the label names the field
            label.setBuddy(field)
    holders = [w for w in mnemonic_holders(dialog) if w.isVisibleTo(dialog)]

    def rank(widget: QWidget) -> int:
        if isinstance(widget.parentWidget(), QDialogButtonBox):
            return 2
        return 1 if isinstance(widget, QPushButton | QToolButton) else 0

    taken: set[str] = set()
    waiting: list[QWidget] = []
    settled_first = sorted(holders, key=lambda w: not w.property(_SETTLED))
    for widget in settled_first:
        letter = _letter(widget.text())  # type: ignore[attr-defined]
        if letter is not None and letter not in taken:
            taken.add(letter)
        else:
            waiting.append(widget)
    waiting.sort(key=lambda w: (rank(w), holders.index(w)))  # then in the order made
    for widget in waiting:
        text = widget.text()  # type: ignore[attr-defined]
        if _letter(text) is not None:  # a letter used above: this one gives it up
            text = text.replace("&&", "\0").replace("&", "").replace("\0", "&&")
        widget.setText(with_mnemonic(text, taken))  # type: ignore[attr-defined]
    for widget in holders:
        widget.setProperty(_SETTLED, True)
        buddy = field_of(widget) if isinstance(widget, QLabel) else None
        if isinstance(widget, QLabel) and buddy is not None and widget.buddy() is not buddy:
            widget.setBuddy(buddy)  # Alt and the letter reach the field itself


class _KeepMnemonics(QObject):
    """Gives the dialog's mnemonics when it shows, and again when any of its buttons or
    labelled fields shows (the rows of another choice)."""

    def __init__(self, dialog: QWidget) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.watched: set[int] = set()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            if watched is self.dialog:
                for holder in mnemonic_holders(self.dialog):  # made by now
                    if id(holder) not in self.watched:
                        self.watched.add(id(holder))
                        holder.installEventFilter(self)
            give_mnemonics(self.dialog)
        return False


def mnemonics_when_shown(dialog: QWidget) -> None:
    """give_mnemonics when the dialog shows (every button and field is made then,
    whichever method made it), and when more of it shows."""
    dialog.installEventFilter(_KeepMnemonics(dialog))


# Qt's own words on standard buttons (message boxes, input dialogs, button boxes), each
# with a letter to press; none of them share one with a button it appears beside.
_STANDARD_BUTTON_WORDS = {
    "OK": "&OK",
    "Cancel": "&Cancel",
    "Save": "&Save",
    "Discard": "&Discard",
    "Close": "C&lose",
    "Open": "&Open",
    "Apply": "&Apply",
    "Help": "&Help",
    "Retry": "&Retry",
    "Ignore": "&Ignore",
    "Abort": "A&bort",
}


class _StandardButtonWords(QTranslator):
    def translate(
        self, context: str, source: str, _disambiguation: str | None = None, _n: int = -1
    ) -> str | None:
        if context == "QPlatformTheme":
            return _STANDARD_BUTTON_WORDS.get(source)
        return None  # not ours: Qt's own words


_STANDARD_WORDS: list[QTranslator] = []  # installed once per application


def install_standard_button_mnemonics() -> None:
    """OK, Cancel, Save, Discard… of every dialog (Qt's message boxes too) get mnemonics."""
    application = QCoreApplication.instance()
    if application is None or _STANDARD_WORDS:
        return
    translator = _StandardButtonWords(application)
    QCoreApplication.installTranslator(translator)
    _STANDARD_WORDS.append(translator)
