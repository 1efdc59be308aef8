"""The application icon, from the PNG sizes in resources/icons/ (no SVG support needed),
and the style's standard icons, each made once."""

from __future__ import annotations

import re

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

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


_standard_icons: dict[QStyle.StandardPixmap, QIcon] = {}


def standard_icon(which: QStyle.StandardPixmap) -> QIcon:
    """The style's standard icon, made on first use and then shared. Each call of
    QStyle.standardIcon makes a new icon, and the pixmaps Qt renders for it are never
    freed: asked for on every repaint of the tree, it grew memory by about 8 KB a repaint."""
    icon = _standard_icons.get(which)
    if icon is None:
        icon = _standard_icons[which] = QApplication.style().standardIcon(which)
    return icon
