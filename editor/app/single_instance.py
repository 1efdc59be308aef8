"""How files opened from outside reach the running editor.

Two routes deliver paths into one `Inbox`, which holds them until the editor is ready:

* A second launch. The first editor process listens on a local socket private to the user
  (`QLocalServer`). A later `vpn-profile-editor FILE...` connects, sends the absolute paths
  and exits as soon as the running editor confirms; the running editor opens the files and
  brings its window to the front. A socket left behind by a crashed editor is detected
  (nobody answers) and replaced; a lock file keeps editors started at the same moment
  from both listening.
* macOS. Finder and `open` hand documents to a running application (and to one being
  launched) as `QFileOpenEvent`s on the application object, never on the command line;
  `FileOpenEventFilter` catches them.

Start-up stays quick: where the socket is a file (Unix), a missing file means no editor
runs, and QtNetwork is only loaded once the first window is on screen (`Claim.listen`).

The message is one line of JSON, `{"protocol": 1, "paths": [...]}`, answered by `ok`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, QEvent, QLockFile, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

from editor import GUI_EXECUTABLE

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalSocket

PROTOCOL = 1
CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 5000
LOCK_TIMEOUT_MS = 15000
MAX_MESSAGE_BYTES = 1 << 20

PathsHandler = Callable[[list[str]], None]


def server_name() -> str:
    """A name only this user's editors share.

    On Linux and other Unix systems with a per-user runtime folder the socket lives there;
    otherwise Qt places it in the temporary folder (Unix) or makes it a named pipe (Windows),
    and the name carries a digest of the user name.
    """
    if sys.platform != "win32":
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        if runtime and os.path.isdir(runtime):
            return os.path.join(runtime, f"{GUI_EXECUTABLE}.sock")
    import getpass  # only without a runtime folder

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    import hashlib  # only without a runtime folder: most starts need not load it

    digest = hashlib.sha256(user.encode("utf-8")).hexdigest()[:16]
    return f"{GUI_EXECUTABLE}-{digest}"


def socket_file(name: str) -> str | None:
    """Where a Unix editor's socket file is (Qt puts relative names in the temporary
    folder); None on Windows, where the name is a named pipe."""
    if sys.platform == "win32":
        return None
    return name if os.path.isabs(name) else os.path.join(QDir.tempPath(), name)


def lock_path(name: str) -> str:
    folder = os.path.dirname(name) if os.path.isabs(name) else QDir.tempPath()
    return os.path.join(folder, f"{os.path.basename(name)}.lock")


def encode_message(paths: Sequence[str]) -> bytes:
    import json

    message = {"protocol": PROTOCOL, "paths": [os.path.abspath(p) for p in paths]}
    return json.dumps(message).encode("utf-8") + b"\n"


def decode_message(line: bytes) -> list[str]:
    """The paths of one message; ValueError when it is not one this version understands."""
    import json

    message = json.loads(line.decode("utf-8"))
    if not isinstance(message, dict) or message.get("protocol") != PROTOCOL:
        raise ValueError("not a message of this protocol")
    paths = message.get("paths")
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ValueError("the paths are not a list of strings")
    return list(paths)


class Inbox:
    """Holds incoming paths until a handler is set, then passes each batch to it."""

    def __init__(self) -> None:
        self._handler: PathsHandler | None = None
        self._pending: list[list[str]] = []

    def put(self, paths: list[str]) -> None:
        if self._handler is None:
            self._pending.append(paths)
        else:
            self._handler(paths)

    def set_handler(self, handler: PathsHandler) -> None:
        self._handler = handler
        pending, self._pending = self._pending, []
        for paths in pending:
            handler(paths)


class FileOpenEventFilter(QObject):
    """Installed on the application: turns macOS's file-open events into inbox deliveries."""

    def __init__(self, inbox: Inbox, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.inbox = inbox
        from PySide6.QtGui import QFileOpenEvent  # made only on macOS: not loaded elsewhere

        self._event_class = QFileOpenEvent

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, self._event_class):
            path = event.file() or event.url().toLocalFile()
            if path:
                self.inbox.put([path])
                return True
        return super().eventFilter(watched, event)


def send_to_running_instance(paths: Sequence[str], name: str | None = None) -> bool:
    """Give the paths to an editor that already runs; False when none took them."""
    name = name or server_name()
    path = socket_file(name)
    if path is not None and not os.path.exists(path):
        return False  # no socket file, so no editor listens: spare loading QtNetwork
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    if sys.platform == "win32":  # let the running editor put its window in front of ours
        with contextlib.suppress(AttributeError, OSError):
            import ctypes

            ctypes.windll.user32.AllowSetForegroundWindow(-1)  # type: ignore[attr-defined]
    socket.write(encode_message(paths))
    socket.flush()
    reply = b""
    while b"\n" not in reply and socket.waitForReadyRead(REPLY_TIMEOUT_MS):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply.startswith(b"ok\n")


class InstanceServer(QObject):
    """Listens for later launches and puts the paths they send into the inbox."""

    def __init__(self, inbox: Inbox, name: str | None = None, parent: QObject | None = None):
        from PySide6.QtNetwork import QLocalServer

        super().__init__(parent)
        self.inbox = inbox
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """Take the name. Call only after no editor answered on it (see hand_over_or_listen):
        a socket file still there belongs to an editor that crashed, and is replaced."""
        if self.server.listen(self.name):
            return True
        self.server.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._read(s, b))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket, buffer)

    def _read(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer += bytes(socket.readAll().data())
        if b"\n" not in buffer:
            if len(buffer) > MAX_MESSAGE_BYTES:
                socket.abort()
            return
        line = bytes(buffer).split(b"\n", 1)[0]
        buffer.clear()
        try:
            paths = decode_message(line)
        except ValueError:  # also JSON and UTF-8 errors
            socket.write(b"error\n")
            socket.disconnectFromServer()
            return
        socket.write(b"ok\n")
        socket.flush()
        socket.disconnectFromServer()
        # Open after this handler returns: opening may show a dialog with its own loop.
        QTimer.singleShot(0, lambda: self.inbox.put(paths))


def bring_to_front(window: QWidget) -> None:
    """Show the window un-minimized and ask the window system to activate it."""
    state = window.windowState() & ~Qt.WindowState.WindowMinimized
    window.setWindowState(state | Qt.WindowState.WindowActive)
    window.show()
    window.raise_()
    window.activateWindow()


class Claim:
    """No editor answered: this one is to listen, and holds the lock until it does.

    Listening waits until the first window is shown (QtNetwork takes a while to load);
    an editor started meanwhile waits on the lock, then hands its files to this one.
    """

    def __init__(self, name: str, lock: QLockFile, locked: bool) -> None:
        self.name = name
        self._lock = lock
        self._locked = locked

    def listen(self, inbox: Inbox) -> InstanceServer:
        """Take the name (the returned server may not be listening: see the message)."""
        try:
            server = InstanceServer(inbox, self.name)
            if not server.listen():
                print(
                    f"{GUI_EXECUTABLE}: cannot listen on {server.name} "
                    f"({server.server.errorString()}); files opened later start another editor",
                    file=sys.stderr,
                )
            return server
        finally:
            self.release()

    def release(self) -> None:
        if self._locked:
            self._lock.unlock()
            self._locked = False


def hand_over(paths: Sequence[str]) -> Claim | None:
    """Start-up: give `paths` to a running editor, or claim the right to be the one later
    launches find.

    Returns None when a running editor took the paths (the caller then exits). A lock file
    makes "ask, then listen" one step, so that editors started at the same moment (several
    files opened at once) end up as one; the returned claim holds it until `listen`.
    """
    name = server_name()
    lock = QLockFile(lock_path(name))
    locked = lock.tryLock(LOCK_TIMEOUT_MS)  # a lock left by a crashed editor counts as free
    claim = Claim(name, lock, locked)
    try:
        if send_to_running_instance(paths, name):
            claim.release()
            return None
        # Tests widen the gap between asking and listening, to show the lock closes it.
        time.sleep(float(os.environ.get("VPN_PROFILE_EDITOR_TEST_LISTEN_DELAY", "0") or 0))
    except BaseException:
        claim.release()
        raise
    return claim
