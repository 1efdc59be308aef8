"""What every workflow object shares: the window it serves, held weakly."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from editor.app.main_window import MainWindow
    from editor.session.document import Document


class WindowFlow(QObject):
    """A workflow owned by a window (its Qt parent); it reaches the window weakly, so the
    window stays free to be deleted on close."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = weakref.ref(window)

    @property
    def window(self) -> MainWindow:
        window = self._window()
        assert window is not None
        return window

    @property
    def document(self) -> Document:
        return self.window.document
