"""One editor per user: later launches hand their files over; macOS file-open events."""

from __future__ import annotations

import contextlib
import getpass
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.profiles import make_profile
from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QFileOpenEvent

from editor.app import single_instance

SIGNED = "designdeveloperr-ikev2__ios.signed.mobileconfig"


class Editor:
    """A real `python -m editor.app.application` process whose stderr is read line by line."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "editor.app.application", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()

    def _pump(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no line starting {prefix!r}; stderr so far: {self.seen}")

    def drain(self, seconds: float) -> list[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                self.seen.append(self.lines.get(timeout=0.05))
        return self.seen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.pump.join(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment of its own: no running editor of the user's is ever reached."""
    # A short runtime folder: a Unix socket's path may not exceed about 100 bytes.
    runtime = Path(tempfile.mkdtemp(prefix="vpe-run-"))
    runtime.chmod(0o700)
    for name in ("home", "tmp"):
        (tmp_path / name).mkdir()
    env = dict(
        os.environ,
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"),
        XDG_DATA_HOME=str(tmp_path / "home" / ".local" / "share"),
        XDG_RUNTIME_DIR=str(runtime),
        TMPDIR=str(tmp_path / "tmp"),
        QT_QPA_PLATFORM="offscreen",
        LANG="C.UTF-8",
        VPN_PROFILE_EDITOR_TRACE="1",
    )
    env.pop("VPN_EDITOR_EXIT_WHEN_SHOWN", None)
    yield env
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def editors() -> Iterator[list[Editor]]:
    started: list[Editor] = []
    yield started
    for editor_process in started:
        editor_process.stop()


def run_second(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "editor.app.application", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stderr, time.monotonic() - started


def test_second_launch_hands_its_file_to_the_first(
    tmp_path: Path, signed_profile: Path, session: dict[str, str], editors: list[Editor]
) -> None:
    profile = tmp_path / "work" / SIGNED
    profile.parent.mkdir()
    shutil.copy(signed_profile, profile)
    first = Editor([], session, tmp_path)
    editors.append(first)
    first.wait_for("vpn-profile-editor: listening on ")

    # A relative path, as a file manager or a shell in that folder would pass it.
    code, stderr, seconds = run_second([f"./{SIGNED}"], session, profile.parent)

    assert code == 0, stderr
    assert seconds < 15, f"the second launch took {seconds:.1f} s to hand over"
    assert "listening" not in stderr  # it did not become an editor of its own
    line = first.wait_for("vpn-profile-editor: opened ", timeout=30)
    assert line == f"vpn-profile-editor: opened {profile}"
    assert first.process.poll() is None


def test_a_socket_left_by_a_crashed_editor_is_replaced(
    tmp_path: Path, session: dict[str, str], editors: list[Editor]
) -> None:
    stale = Path(session["XDG_RUNTIME_DIR"]) / "vpn-profile-editor.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(stale))
    listener.close()  # the file stays; nobody listens on it any more
    assert stale.exists()
    profile = tmp_path / "new.mobileconfig"
    make_profile().save(profile, "xml")

    first = Editor([], session, tmp_path)
    editors.append(first)
    first.wait_for(f"vpn-profile-editor: listening on {stale}")
    code, stderr, _seconds = run_second([str(profile)], session, tmp_path)

    assert code == 0, stderr
    assert first.wait_for("vpn-profile-editor: opened ") == f"vpn-profile-editor: opened {profile}"


def test_editors_started_at_the_same_moment_end_up_as_one(
    tmp_path: Path, session: dict[str, str], editors: list[Editor]
) -> None:
    """As when a file manager starts one editor per selected file.

    Each waits 2 s between finding no editor and listening: without the lock both would
    listen (and both stay), with it the second asks again after the first listens.
    """
    profiles = [tmp_path / f"{name}.mobileconfig" for name in ("one", "two")]
    for profile in profiles:
        make_profile().save(profile, "xml")
    env = dict(session, VPN_PROFILE_EDITOR_TEST_LISTEN_DELAY="2")
    both = [Editor([str(profile)], env, tmp_path) for profile in profiles]
    editors.extend(both)

    deadline = time.monotonic() + 30
    while all(e.process.poll() is None for e in both) and time.monotonic() < deadline:
        time.sleep(0.05)
    gone = [e for e in both if e.process.poll() is not None]
    assert len(gone) == 1, "exactly one of them should have handed over and left"
    assert gone[0].process.returncode == 0
    survivor = both[1 - both.index(gone[0])]
    handed = profiles[both.index(gone[0])]
    assert survivor.wait_for("vpn-profile-editor: opened ") == (
        f"vpn-profile-editor: opened {handed}"
    )
    time.sleep(1)
    assert survivor.process.poll() is None


def test_screenshot_and_new_instance_do_not_hand_over(
    tmp_path: Path, signed_profile: Path, session: dict[str, str], editors: list[Editor]
) -> None:
    first = Editor([], session, tmp_path)
    editors.append(first)
    first.wait_for("vpn-profile-editor: listening on ")

    shot = tmp_path / "shot.png"
    code, stderr, _seconds = run_second(
        ["--screenshot", str(shot), str(signed_profile)], session, tmp_path
    )
    assert code == 0, stderr
    assert shot.read_bytes()[:4] == b"\x89PNG"

    separate = Editor(["--new-instance", str(signed_profile)], session, tmp_path)
    editors.append(separate)
    time.sleep(3)
    assert separate.process.poll() is None  # it runs as an editor of its own
    assert not [line for line in first.drain(1) if "opened" in line]
    assert not [line for line in separate.drain(0) if "listening" in line]


def test_version_does_not_need_a_display_or_the_running_editor(
    session: dict[str, str], tmp_path: Path
) -> None:
    code, _stderr, seconds = run_second(
        ["--version"], dict(session, QT_QPA_PLATFORM="none"), tmp_path
    )
    assert code == 0 and seconds < 30


def test_message_round_trip_and_rejects() -> None:
    line = single_instance.encode_message(["a.mobileconfig", "/abs/b.mobileconfig"])
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    paths = single_instance.decode_message(line.rstrip(b"\n"))
    assert paths == [os.path.abspath("a.mobileconfig"), "/abs/b.mobileconfig"]
    for bad in (b"[]", b'{"protocol": 2, "paths": []}', b'{"protocol": 1, "paths": [3]}'):
        with pytest.raises(ValueError):
            single_instance.decode_message(bad)
    with pytest.raises(ValueError):
        single_instance.decode_message(b"\xff not json")


def test_server_name_is_private_to_the_user(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    if sys.platform != "win32":
        assert single_instance.server_name() == str(tmp_path / "vpn-profile-editor.sock")
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")
    alice = single_instance.server_name()
    monkeypatch.setattr(getpass, "getuser", lambda: "bob")
    assert single_instance.server_name() != alice
    assert "alice" not in alice


def test_inbox_holds_paths_until_the_editor_is_ready() -> None:
    inbox = single_instance.Inbox()
    inbox.put(["/a"])
    inbox.put(["/b", "/c"])
    received: list[list[str]] = []
    inbox.set_handler(received.append)
    inbox.put(["/d"])
    assert received == [["/a"], ["/b", "/c"], ["/d"]]


def test_file_open_events_reach_the_inbox(qapp: Any, tmp_path: Path) -> None:
    inbox = single_instance.Inbox()
    received: list[list[str]] = []
    inbox.set_handler(received.append)
    event_filter = single_instance.FileOpenEventFilter(inbox)
    qapp.installEventFilter(event_filter)
    try:
        target = tmp_path / "from finder.mobileconfig"
        QCoreApplication.sendEvent(qapp, QFileOpenEvent(str(target)))
        QCoreApplication.sendEvent(qapp, QFileOpenEvent(QUrl.fromLocalFile(str(target))))
    finally:
        qapp.removeEventFilter(event_filter)
    assert received == [[str(target)], [str(target)]]


def test_a_launch_during_the_recovery_question_hands_over(
    tmp_path: Path, session: dict[str, str], editors: list[Editor]
) -> None:
    """The first editor listens before a start-up question waits for the user, not only
    once its window shows: a file opened meanwhile must not start a second editor."""
    recovery = (
        Path(session["XDG_DATA_HOME"]) / "VPN Profile Editor" / "VPN Profile Editor" / "recovery"
    )
    recovery.mkdir(parents=True)
    make_profile().save(recovery / "leftover.mobileconfig", "xml")
    (recovery / "leftover.json").write_text('{"original": null, "saved_at": 0}')
    first = Editor([], session, tmp_path)
    editors.append(first)
    first.wait_for("vpn-profile-editor: listening on ")  # while the question is open
    profile = tmp_path / "later.mobileconfig"
    make_profile().save(profile, "xml")

    code, stderr, seconds = run_second([str(profile)], session, tmp_path)

    assert code == 0, stderr
    assert seconds < 10, f"the second launch waited {seconds:.1f} s"
    assert "listening" not in stderr
    assert first.process.poll() is None  # still asking; the file waits in its inbox
