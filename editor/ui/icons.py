"""The application icon, from the PNG sizes in resources/icons/ (no SVG support needed)."""

from __future__ import annotations

import re

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from editor import GUI_EXECUTABLE
from editor.resources import resource_path


def application_icon() -> QIcon:
    """Every rendered size of the icon; an empty icon when the files are missing."""
    icon = QIcon()
    pattern = re.compile(rf"{re.escape(GUI_EXECUTABLE)}-(\d+)\.png")
    folder = resource_path("icons")
    for path in sorted(folder.glob(f"{GUI_EXECUTABLE}-*.png")) if folder.is_dir() else []:
        match = pattern.fullmatch(path.name)
        if match:
            size = int(match.group(1))
            icon.addFile(str(path), QSize(size, size))
    return icon
