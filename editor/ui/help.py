"""Offline help: the user guide and the validation rules, shipped with the application.

The pages are the project's own Markdown files (README.md and docs/validation-rules.md),
rendered by Qt; nothing is fetched. A problem's code opens the rules page at its row.
"""

from __future__ import annotations

import hashlib
import platform
import sys

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from editor import __version__
from editor.resources import docs_path, resource_path

# (title in the contents, file below the documentation folder)
PAGES = (
    ("User guide", "README.md"),
    ("Validation rules and severities", "docs/validation-rules.md"),
)
RULES_PAGE = "docs/validation-rules.md"
RULES_TABLE_HEADING = "Every rule: severities, evidence, sources"


class HelpWindow(QDialog):
    """A window of its own (not modal): contents on the left, the page on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("VPN Profile Editor Help")
        self.setWindowFlag(Qt.WindowType.Window)
        self.resize(1000, 720)
        self.contents = QListWidget(self)
        self.contents.setAccessibleName("Help contents")
        for title, _name in PAGES:
            self.contents.addItem(title)
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName("Help page")
        self.browser.setOpenExternalLinks(True)  # web links go to the browser, if there is one
        self.browser.setSearchPaths([str(docs_path())])
        self.find_edit = QLineEdit(self)
        self.find_edit.setPlaceholderText("Find in this page (Enter for the next match)")
        self.find_edit.setAccessibleName("Find in help page")
        self.find_edit.returnPressed.connect(self.find_next)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.find_edit)
        right_layout.addWidget(self.browser)
        splitter = QSplitter(self)
        splitter.addWidget(self.contents)
        splitter.addWidget(right)
        splitter.setSizes([220, 780])
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        QShortcut(QKeySequence.StandardKey.Find, self, self.find_edit.setFocus)
        self.contents.currentRowChanged.connect(self._show_row)
        self.contents.setCurrentRow(0)

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(PAGES):
            self.show_page(PAGES[row][1])

    def show_page(self, name: str) -> None:
        path = docs_path() / name
        if not path.is_file():
            self.browser.setPlainText(f"The help file {name} is missing from this installation.")
            return
        self.browser.setSearchPaths([str(path.parent), str(docs_path())])
        self.browser.setSource(
            QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource
        )
        row = next((i for i, (_title, page) in enumerate(PAGES) if page == name), -1)
        if row >= 0 and self.contents.currentRow() != row:
            self.contents.blockSignals(True)
            self.contents.setCurrentRow(row)
            self.contents.blockSignals(False)

    def show_code(self, code: str) -> bool:
        """Open the rules page at the row of a problem code; False when it has none."""
        self.show_page(RULES_PAGE)
        document = self.browser.document()
        table = document.find(RULES_TABLE_HEADING)
        start = table if not table.isNull() else QTextCursor(document)
        found = document.find(code, start, QTextDocument.FindFlag.FindCaseSensitively)
        while not found.isNull() and not _is_whole_word(found):
            found = document.find(code, found, QTextDocument.FindFlag.FindCaseSensitively)
        if found.isNull():
            return False
        self.browser.setTextCursor(found)
        self.browser.ensureCursorVisible()
        bar = self.browser.verticalScrollBar()  # the row near the top, not the bottom edge
        bar.setValue(bar.value() + self.browser.cursorRect(found).top() - 24)
        return True

    def find_next(self) -> None:
        text = self.find_edit.text()
        if text and not self.browser.find(text):
            self.browser.moveCursor(QTextCursor.MoveOperation.Start)  # wrap around
            self.browser.find(text)


def _is_whole_word(cursor: QTextCursor) -> bool:
    """A code, not part of a longer one (pkcs12 in pkcs12-something)."""
    block = cursor.block().text()
    start = cursor.selectionStart() - cursor.block().position()
    end = cursor.selectionEnd() - cursor.block().position()
    before = block[start - 1] if start > 0 else " "
    after = block[end] if end < len(block) else " "
    return not (before.isalnum() or before == "-") and not (after.isalnum() or after == "-")


def schema_digest() -> str:
    """A short digest of the schema data files: which data this build carries."""
    digest = hashlib.sha256()
    folder = resource_path("schema")
    for path in sorted(folder.rglob("*.json")):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def versions() -> list[tuple[str, str]]:
    """What About shows: the versions that matter when reporting a problem."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    try:
        from cryptography import __version__ as cryptography_version
    except ImportError:  # pragma: no cover - a dependency
        cryptography_version = "not installed"
    try:
        payloads = len(list(resource_path("schema", "payloads").glob("*.json")))
        schema = f"{schema_digest()} ({payloads} payload files)"
    except OSError:
        schema = "not found"
    return [
        ("VPN Profile Editor", __version__),
        ("Schema data", schema),
        ("Python", f"{platform.python_version()} ({sys.platform})"),
        ("Qt", qVersion()),
        ("PySide6", pyside_version),
        ("cryptography", cryptography_version),
    ]


def about(parent: QWidget) -> None:
    rows = "".join(f"<tr><td>{name}</td><td><b>{value}</b></td></tr>" for name, value in versions())
    QMessageBox.about(
        parent,
        "About VPN Profile Editor",
        "<p><b>VPN Profile Editor</b>: create, check, sign and export Apple VPN configuration "
        "profiles. Works offline.</p>"
        f"<table cellspacing='4'>{rows}</table>",
    )


__all__ = ["PAGES", "HelpWindow", "about", "schema_digest", "versions"]
