"""`vpn-profile-editor [FILE...]`: start the editor window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from editor import __version__

APP_NAME = "VPN Profile Editor"
ORGANIZATION = "VPN Profile Editor"


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="vpn-profile-editor", description="Edit Apple VPN configuration profiles."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--screenshot",
        metavar="PNG",
        help="open the files, render the main window at 1200×800 to PNG and exit",
    )
    parser.add_argument("files", nargs="*", metavar="FILE")
    return parser.parse_args(list(argv))


class EditorApplication:
    """Owns the schema and the open windows; never exits on bad input."""

    def __init__(self, qt_app: object) -> None:
        from editor.core.schema import load_schema

        self.qt_app = qt_app
        self.schema = load_schema()
        self.windows: list[object] = []

    def new_window(self) -> object:
        from editor.core.model import Profile
        from editor.ui.document import Document

        return self._show(Document(Profile.new(), self.schema))

    def open_paths(self, names: Sequence[str]) -> list[object]:
        from PySide6.QtWidgets import QMessageBox

        from editor.core.plistio import ProfileReadError
        from editor.ui.main_window import add_recent_file, open_document

        opened = []
        for name in names:
            try:
                document = open_document(Path(name), self.schema)
            except ProfileReadError as exc:
                QMessageBox.warning(None, "Cannot open profile", f"{exc.source}\n\n{exc.reason}")
                continue
            window = self._show(document)
            add_recent_file(window.settings, str(Path(name).resolve()))  # type: ignore[attr-defined]
            opened.append(window)
        return opened

    def restore_leftovers(self) -> list[object]:
        """Offer the recovery copies a crash left behind."""
        from PySide6.QtWidgets import QMessageBox

        from editor.core.plistio import ProfileReadError
        from editor.ui import recovery

        entries = recovery.leftover_files()
        if not entries:
            return []
        names = "\n".join(f"• {e.original or 'an untitled profile'}" for e in entries)
        answer = QMessageBox.question(
            None,
            "Restore unsaved work?",
            f"The editor did not close normally. Unsaved changes were kept for:\n\n{names}\n\n"
            "Restore them? (No deletes the kept copies.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        restored = []
        for entry in entries:
            if answer == QMessageBox.StandardButton.Yes:
                try:
                    document = recovery.restore(entry, self.schema)
                except ProfileReadError as exc:
                    QMessageBox.warning(None, "Cannot restore", str(exc))
                    continue
                restored.append(self._show(document))
            recovery.forget(entry)
        return restored

    def _show(self, document: object) -> object:
        from editor.ui.main_window import MainWindow
        from editor.ui.recovery import Autosaver

        window = MainWindow(document)  # type: ignore[arg-type]
        window.autosaver = Autosaver(document)  # type: ignore[arg-type,attr-defined]
        window.open_files_requested.connect(self._open_requested)
        window.destroyed.connect(lambda _obj=None, w=window: self._forget(w))
        self.windows.append(window)
        window.show()
        return window

    def _forget(self, window: object) -> None:
        if window in self.windows:
            self.windows.remove(window)

    def _open_requested(self, names: list[str]) -> None:
        if names:
            self.open_paths(names)
        else:
            self.new_window()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    qt_app = QApplication.instance() or QApplication([sys.argv[0]])
    qt_app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)
    try:
        editor = EditorApplication(qt_app)
    except Exception as exc:  # the schema data is damaged: say so, do not crash
        QMessageBox.critical(None, APP_NAME, f"The editor cannot start: {exc}")
        print(f"vpn-profile-editor: {exc}", file=sys.stderr)
        return 2
    windows = [] if args.screenshot else editor.restore_leftovers()
    windows += editor.open_paths(args.files) if args.files else []
    if not windows:
        windows = [editor.new_window()]
    if args.screenshot:
        return _screenshot(qt_app, windows[0], args.screenshot)
    return int(qt_app.exec())


def _screenshot(qt_app: object, window: object, target: str) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    assert isinstance(window, QMainWindow)
    window.resize(1200, 800)
    for _ in range(5):
        QApplication.processEvents()
    image = window.grab()
    if not image.save(target, "PNG"):
        print(f"{target}: cannot write the screenshot", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
