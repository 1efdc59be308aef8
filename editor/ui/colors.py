"""The colours the editor gives problems, wherever it shows them (one table).

Each severity has a colour for light palettes and one for dark ones, chosen so that text
in it reaches a contrast of 4.5:1 (WCAG AA) against the palette's window and base
colours; tests/test_gui_files.py computes it for both.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QPalette

from editor.core.validation.problems import Severity

LIGHT_COLORS = {Severity.ERROR: "#c62828", Severity.WARNING: "#945a00", Severity.INFO: "#546e7a"}
DARK_COLORS = {Severity.ERROR: "#ff8a80", Severity.WARNING: "#ffb74d", Severity.INFO: "#b0bec5"}


def is_dark(palette: QPalette | None = None) -> bool:
    """A palette whose window is darker than its text."""
    palette = palette or QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def severity_color(severity: Severity, palette: QPalette | None = None) -> str:
    """The colour of a problem of this severity in the palette (the application's)."""
    return (DARK_COLORS if is_dark(palette) else LIGHT_COLORS)[severity]


def error_color(palette: QPalette | None = None) -> str:
    return severity_color(Severity.ERROR, palette)


def warning_color(palette: QPalette | None = None) -> str:
    return severity_color(Severity.WARNING, palette)


__all__ = ["DARK_COLORS", "LIGHT_COLORS", "error_color", "severity_color", "warning_color"]
