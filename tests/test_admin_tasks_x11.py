"""The administrator's tasks (test_admin_tasks.py) again on a real X display: Xvfb with
the openbox window manager, the editor on Qt's xcb platform. There, windows are placed,
activated and given focus by a window manager, as on a desktop, which the offscreen
platform only imitates; the offscreen run stays as it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NEEDED = ("Xvfb", "openbox")


def _missing() -> list[str]:
    return [tool for tool in NEEDED if shutil.which(tool) is None]


pytestmark = pytest.mark.skipif(
    bool(_missing()),
    reason=f"needs {' and '.join(_missing())} (packaging/dev-setup.sh test installs them)",
)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _window_manager_ready(env: dict[str, str], openbox: subprocess.Popen[bytes]) -> bool:
    """Whether openbox manages the display: xdotool asks it for the current desktop (a
    question only a window manager answers); without xdotool, openbox still running
    after a moment is taken as ready."""
    if shutil.which("xdotool") is None:
        time.sleep(1)
        return openbox.poll() is None
    for _ in range(100):
        if openbox.poll() is not None:
            return False
        asked = subprocess.run(
            ["xdotool", "get_desktop"], env=env, capture_output=True, timeout=10, check=False
        )
        if asked.returncode == 0:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A new Xvfb on a display no one uses (Xvfb picks it: -displayfd) with openbox
    running on it; yields the environment for a program to show its windows there."""
    read_end, write_end = os.pipe()
    xvfb_log, openbox_log = tmp_path / "xvfb.log", tmp_path / "openbox.log"
    with xvfb_log.open("wb") as xvfb_out, openbox_log.open("wb") as openbox_out:
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1400x900x24",
             "-nolisten", "tcp"],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=xvfb_out,
        )  # fmt: skip
        os.close(write_end)
        openbox: subprocess.Popen[bytes] | None = None
        try:
            with os.fdopen(read_end, "rb") as announced:
                number = announced.readline().strip().decode()  # written once it listens
            assert number.isdigit(), f"Xvfb did not start: {xvfb_log.read_text()}"
            env = {**os.environ, "DISPLAY": f":{number}", "QT_QPA_PLATFORM": "xcb"}
            env.pop("WAYLAND_DISPLAY", None)
            openbox = subprocess.Popen(
                ["openbox", "--sm-disable"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=openbox_out,
            )
            assert _window_manager_ready(env, openbox), openbox_log.read_text()
            yield env
        finally:
            if openbox is not None:
                _stop(openbox)
            _stop(xvfb)


def test_the_admin_tasks_pass_on_xvfb_with_a_window_manager(
    x_display: dict[str, str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "--basetemp", str(tmp_path / "run"), str(REPO / "tests" / "test_admin_tasks.py"),
        ],
        cwd=REPO,
        env=x_display,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )  # fmt: skip
    report = done.stdout[-4000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    assert " passed" in done.stdout and "failed" not in done.stdout, report
