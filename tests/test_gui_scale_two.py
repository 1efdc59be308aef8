"""The certificate drop-down of a VPN payload's form at QT_SCALE_FACTOR=2: its open list
shows each entry whole (a payload's name and its UUID).

The scale is read once, when the QApplication is made, and this test session's one is
made at scale 1; so each case runs the editor in a process of its own, opens the list
with a click as a person does, and reports what the list shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.profiles import REPO

# A screen of 2800 x 1800 pixels: 1400 x 900 at scale 2, room for the longest entry.
WIDE_SCREEN = {
    "screens": [
        {
            "name": "wide",
            "x": 0,
            "y": 0,
            "width": 2800,
            "height": 1800,
            "logicalDpi": 96,
            "logicalBaseDpi": 96,
            "dpr": 1,
        }
    ]
}

CHILD = r"""
import copy, json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStyle

app = QApplication(sys.argv[:1])
from helpers.gui import isolate_settings
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile
from editor.app.main_window import MainWindow
from editor.core.schema_loader import load_schema
from editor.session.document import Document

isolate_settings(Path(sys.argv[2]))
identities = []
for number, name in enumerate([
    "Office identity for the engineering team's laptops",
    "Field staff identity (renewed every spring)",
    "",
]):
    payload = copy.deepcopy(PKCS12_PAYLOAD)
    payload["PayloadUUID"] = f"0C4D4B4E-7E0F-4C52-8A59-2C0E5A3B1F1{number}"
    payload["PayloadIdentifier"] = f"com.example.vpn.identity{number}"
    if name:
        payload["PayloadDisplayName"] = name
    identities.append(payload)
vpn = copy.deepcopy(IKEV2_PAYLOAD)
vpn["IKEv2"]["PayloadCertificateUUID"] = identities[0]["PayloadUUID"]
window = MainWindow(Document(make_profile(vpn, *identities), load_schema()), QSettings())
window.resize(int(sys.argv[3]), 560)
window.show()
QTest.qWaitForWindowExposed(window)
window.select_path(("PayloadContent", 0, "IKEv2"))
combo = window.form.rows["PayloadCertificateUUID"].field.combo
window.form.ensureWidgetVisible(combo)
QTest.qWait(50)
QTest.mouseClick(combo.lineEdit(), Qt.MouseButton.LeftButton)  # a click opens the list
view = combo.view()
for _ in range(200):
    if view.isVisible():
        break
    QTest.qWait(10)
popup = view.window().geometry()
screen = combo.screen().availableGeometry()
text_margin = 2 * (combo.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
print(json.dumps({
    "open": view.isVisible(),
    "scale": window.devicePixelRatio(),
    "combo_width": combo.width(),
    "viewport_width": view.viewport().width(),
    "popup": [popup.left(), popup.right()],
    "screen": [screen.left(), screen.right()],
    "entries": [
        {
            "text": combo.itemText(row),
            "advance": view.fontMetrics().horizontalAdvance(combo.itemText(row)),
            "tooltip": combo.itemData(row, Qt.ItemDataRole.ToolTipRole),
        }
        for row in range(combo.count())
    ],
    "text_margin": text_margin,
}))
"""


def open_list_at_scale_two(tmp_path: Path, window_width: int, screen: dict[str, Any] | None) -> Any:
    platform = "offscreen"
    if screen is not None:
        config = tmp_path / "screen.json"
        config.write_text(json.dumps(screen))
        platform = f"offscreen:configfile={config}"
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM=platform)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO / "tests"), str(tmp_path / "settings"),
         str(window_width)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["open"] and shown["scale"] == 2.0
    return shown


@pytest.mark.parametrize("window_width", [700, 1000])
def test_the_open_certificate_list_shows_every_entry_whole_at_scale_two(
    tmp_path: Path, window_width: int
) -> None:
    shown = open_list_at_scale_two(tmp_path, window_width, WIDE_SCREEN)
    entries = shown["entries"]
    assert len(entries) == 3
    # the case is real: the drop-down itself is narrower than its longest entry
    assert max(entry["advance"] for entry in entries) > shown["combo_width"]
    for entry in entries:
        assert shown["viewport_width"] >= entry["advance"] + shown["text_margin"], entry
        assert entry["tooltip"] is None  # nothing is cut, nothing to repeat
    left, right = shown["popup"]
    assert shown["screen"][0] <= left and right <= shown["screen"][1]


def test_on_a_screen_too_narrow_the_list_fits_it_and_cut_entries_have_tooltips(
    tmp_path: Path,
) -> None:
    shown = open_list_at_scale_two(tmp_path, 380, None)  # 400 x 400 at scale 2
    left, right = shown["popup"]
    assert shown["screen"][0] <= left and right <= shown["screen"][1]
    room = shown["viewport_width"] - shown["text_margin"]
    cut = [entry for entry in shown["entries"] if entry["advance"] > room]
    assert cut, "the screen should be too narrow for the long entries"
    for entry in cut:
        assert entry["tooltip"] == entry["text"]
