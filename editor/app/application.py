"""`vpn-profile-editor [FILE...]`: start the editor window."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from editor import APP_NAME, GUI_EXECUTABLE, __version__

if TYPE_CHECKING:
    from editor.app import single_instance

ORGANIZATION = "VPN Profile Editor"
# Set by the benchmarks: report when the first window is on screen, then quit.
PROBE_VARIABLE = "VPN_EDITOR_EXIT_WHEN_SHOWN"


def build_parser() -> argparse.ArgumentParser:
    from editor.cli.common import EpilogFormatter

    parser = argparse.ArgumentParser(
        prog="vpn-profile-editor",
        description="Edit Apple VPN configuration profiles.",
        formatter_class=EpilogFormatter,
        epilog="""
A running editor receives the files of a later launch and comes to the front.

example:
  vpn-profile-editor corp-vpn.mobileconfig
""",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--screenshot",
        metavar="PNG",
        help="open the files, render the main window at 1200×800 to PNG and exit",
    )
    parser.add_argument(
        "--new-instance",
        action="store_true",
        help="open the files in a new editor process, not in the one already running",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="profiles to open")
    return parser


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


class EditorApplication:
    """Owns the schema and the open windows; never exits on bad input."""

    def __init__(self, qt_app: object) -> None:
        from editor.core.schema_loader import load_schema
        from editor.resources import user_cache_dir

        self.qt_app = qt_app
        self.schema = load_schema(cache_dir=user_cache_dir())
        self.windows: list[object] = []
        # Off for screenshots, which must not wait on a dialog: no question about
        # decrypting, and files that cannot be read are reported on standard error.
        self.interactive = True
        # Called before a message box asks anything (it waits for the user): set by the
        # start-up to listen for later launches then, instead of after the first window.
        self.before_asking: Callable[[], object] = lambda: None
        self.probe = None
        if os.environ.get(PROBE_VARIABLE, "") not in ("", "0"):
            from editor.app import startup_probe

            self.probe = startup_probe.Probe(qt_app)  # type: ignore[arg-type]

    def new_window(self) -> object:
        from editor.core.model import Profile
        from editor.session.document import Document

        return self._show(Document(Profile.new(), self.schema))

    def open_paths(self, names: Sequence[str]) -> list[object]:
        from PySide6.QtWidgets import QMessageBox

        from editor.app.main_window import open_document
        from editor.core.plistio import ProfileReadError

        opened = []
        for name in names:
            already = self._window_showing(Path(name))
            if already is not None:  # one window per file: come to the front instead
                from editor.app.single_instance import bring_to_front

                bring_to_front(already)  # type: ignore[arg-type]
                opened.append(already)
                continue
            if self.interactive and Path(name).suffix.lower() in (".conf", ".ovpn"):
                from editor.app.flows import scale as scale_ui

                imported = scale_ui.document_from_configuration(Path(name), self.schema)
                if imported is not None:
                    opened.append(self._show(imported))
                continue
            try:
                document = open_document(Path(name), self.schema)
            except ProfileReadError as exc:
                if not self.interactive:
                    print(exc, file=sys.stderr)  # names the file and what is wrong
                    continue
                self.before_asking()
                QMessageBox.warning(None, "Cannot open profile", f"{exc.source}\n\n{exc.reason}")
                continue
            window = self._show(document)
            from editor.session.settings import add_recent_file

            add_recent_file(window.settings, str(Path(name).resolve()))  # type: ignore[attr-defined]
            if self.interactive and document.profile.is_encrypted:
                from PySide6.QtCore import QTimer

                # once the window shows: ask for the identity that opens the payloads
                QTimer.singleShot(0, window.signing.decrypt_payloads)  # type: ignore[attr-defined]
            opened.append(window)
        return opened

    def _window_showing(self, path: Path) -> object | None:
        """The open window whose document is this file (same file, however named)."""
        for window in self.windows:
            shown = getattr(window.document, "path", None)  # type: ignore[attr-defined]
            if shown is None:
                continue
            try:
                if os.path.samefile(shown, path):
                    return window
            except OSError:  # one of them is gone: compare the names
                if Path(shown).resolve() == path.resolve():
                    return window
        return None

    def restore_leftovers(self) -> list[object]:
        """Offer the recovery copies a crash left behind."""
        from PySide6.QtWidgets import QMessageBox

        from editor.core.plistio import ProfileReadError
        from editor.session import recovery

        entries = recovery.leftover_files()
        if not entries:
            return []
        names = "\n".join(f"• {e.original or 'an untitled profile'}" for e in entries)
        self.before_asking()
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
        from editor.app.main_window import MainWindow
        from editor.session.recovery import Autosaver

        window = MainWindow(document)  # type: ignore[arg-type]
        window.restore_layout()
        taken = [(w.x(), w.y()) for w in self.windows]  # type: ignore[attr-defined]

        def covers_another() -> bool:  # (frames shift a shown window by a few pixels)
            return any(abs(window.x() - x) < 12 and abs(window.y() - y) < 12 for x, y in taken)

        while covers_another():  # cascade, not one on top of the other
            window.move(window.x() + 28, window.y() + 28)
        window.autosaver = Autosaver(document)  # type: ignore[arg-type]
        window.open_files_requested.connect(self._open_requested)
        window.destroyed.connect(lambda _obj=None, w=window: self._forget(w))
        self.windows.append(window)
        if self.probe is not None:
            self.probe.watch(window)
        window.show()
        return window

    def _forget(self, window: object) -> None:
        from PySide6.QtCore import QTimer

        from editor.session.document import release_memory

        if window in self.windows:
            self.windows.remove(window)
        QTimer.singleShot(0, release_memory)  # once the window's own teardown is over

    def _open_requested(self, names: list[str]) -> None:
        if names:
            self.open_paths(names)
        else:
            self.new_window()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    # Starting up makes many objects and little garbage: the cycle collector would walk
    # them again and again. It comes back once the first window is on screen, with what
    # exists by then (modules, the schema, the window) moved to its oldest generation.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(args)
    finally:
        if collecting:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication, Qt, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QMessageBox

    from editor.session import pyside_fixes

    pyside_fixes.quicken_import_check()  # before the editor's own modules are imported
    from editor.app import single_instance
    from editor.ui.icons import application_icon

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName(GUI_EXECUTABLE)
    running = QApplication.instance()
    qt_app = running if isinstance(running, QApplication) else QApplication([sys.argv[0]])
    from editor.ui.mnemonics import install_standard_button_mnemonics

    install_standard_button_mnemonics()  # before the first message box
    qt_app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)
    qt_app.setWindowIcon(application_icon())
    # Files from elsewhere (macOS Finder, later launches) wait in the inbox until we are ready.
    inbox = single_instance.Inbox()
    if sys.platform == "darwin":  # only macOS sends file-open events; elsewhere, spare the filter
        file_open_filter = single_instance.FileOpenEventFilter(inbox, qt_app)
        qt_app.installEventFilter(file_open_filter)
    claim = None
    if not (args.screenshot or args.new_instance):
        claim = single_instance.hand_over(args.files)
        if claim is None:
            return 0  # the running editor opens the files
    try:
        editor = EditorApplication(qt_app)
    except Exception as exc:  # the schema data is damaged: say so, do not crash
        if not args.screenshot:
            QMessageBox.critical(None, APP_NAME, f"The editor cannot start: {exc}")
        print(f"vpn-profile-editor: {exc}", file=sys.stderr)
        return 2
    editor.interactive = not args.screenshot
    servers: list[single_instance.InstanceServer] = []
    if claim is not None:
        # Later launches are listened for once the first window is shown, or before a
        # start-up question waits for the user, whichever comes first.
        editor.before_asking = _once(lambda: servers.append(_listen(claim, inbox)))
    windows = [] if args.screenshot else editor.restore_leftovers()
    windows += editor.open_paths(args.files) if args.files else []
    if args.screenshot and args.files and not windows:
        return 2  # none of the files could be read; each was reported on standard error
    if not windows and sys.platform == "darwin" and not args.screenshot:
        # Finder's file-open event arrives after launch: wait for it before an empty window.
        QTimer.singleShot(FINDER_GRACE_MS, lambda: editor.windows or editor.new_window())
    elif not windows:
        windows = [editor.new_window()]
    if args.screenshot:
        return _screenshot(qt_app, windows[0], args.screenshot)
    inbox.set_handler(lambda paths: _open_from_outside(editor, paths))

    def after_first_show() -> None:
        _collect_cycles_again()
        editor.before_asking()  # listens for later launches, if this start is to

    _when_first_shown(windows[0] if windows else None, after_first_show)
    status = int(qt_app.exec())
    for server in servers:
        server.close()  # removes the socket file, so the next start need not probe it
    if claim is not None:
        claim.release()  # if the window never showed
    return status


def _once(action: Callable[[], object]) -> Callable[[], None]:
    """`action`, run the first time the result is called and never again."""
    done = False

    def run() -> None:
        nonlocal done
        if not done:
            done = True
            action()

    return run


def _collect_cycles_again() -> None:
    from editor.session.document import settle_objects

    settle_objects()  # what the start made is old now: the young passes need not walk it
    gc.enable()


def _listen(
    claim: single_instance.Claim, inbox: single_instance.Inbox
) -> single_instance.InstanceServer:
    server = claim.listen(inbox)
    if _TRACE:
        print(f"{GUI_EXECUTABLE}: listening on {server.name}", file=sys.stderr, flush=True)
    return server


def _when_first_shown(window: object, callback: Callable[[], object]) -> None:
    """Run `callback` a little after `window` is first on screen (or after a second and a
    half at most), so that work the window does not need waits until it has painted."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    run_once = _once(callback)

    class FirstExpose(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Expose:
                watched.removeEventFilter(self)
                QTimer.singleShot(AFTER_FIRST_SHOW_MS, run_once)  # after the first paints
            return False

    handle = window.windowHandle() if isinstance(window, QWidget) else None
    if handle is not None:
        handle.installEventFilter(FirstExpose(handle))
    QTimer.singleShot(0 if handle is None else 1500, run_once)


# How long after the first window is on screen the editor starts listening for later launches.
AFTER_FIRST_SHOW_MS = 200

# How long a macOS start without files waits for Finder's file-open event.
FINDER_GRACE_MS = 400

# Tests set this to see which files arrived from outside and were really opened.
_TRACE = os.environ.get("VPN_PROFILE_EDITOR_TRACE") == "1"


def _open_from_outside(editor: EditorApplication, paths: list[str]) -> None:
    """Open files that came from another launch or from Finder, then come to the front."""
    windows = editor.open_paths(paths) if paths else editor.windows[-1:]
    if not windows and not paths:
        windows = [editor.new_window()]
    for window in windows:
        if _TRACE:
            path = getattr(getattr(window, "document", None), "path", None)
            print(f"{GUI_EXECUTABLE}: opened {path or 'a window'}", file=sys.stderr, flush=True)
    if windows:
        from editor.app.single_instance import bring_to_front

        bring_to_front(windows[-1])  # type: ignore[arg-type]


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
