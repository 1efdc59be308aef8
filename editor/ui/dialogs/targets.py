"""Choose the target platforms (and oldest versions) a profile is for."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from editor.core.errors import InvalidValueError
from editor.core.platforms import PLATFORMS, Target, Version
from editor.ui.dialogs.parts import error_label, ok_cancel_buttons


class TargetsDialog(QDialog):
    def __init__(self, current: tuple[Target, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Target platforms")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Keys, values and payloads that a chosen platform does not support become "
            "warnings. Leave the version empty to mean the newest release.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        self.checks: dict[str, QCheckBox] = {}
        self.versions: dict[str, QLineEdit] = {}
        chosen = {t.platform: t for t in current}
        for row, platform in enumerate(PLATFORMS):
            check = QCheckBox(platform, self)
            version = QLineEdit(self)
            version.setPlaceholderText("oldest version, e.g. 17.0")
            # wide enough for the whole placeholder (it was cut off)
            version.setMinimumWidth(
                version.fontMetrics().horizontalAdvance(version.placeholderText()) + 24
            )
            version.setAccessibleName(f"{platform} oldest version")
            if platform in chosen:
                check.setChecked(True)
                if chosen[platform].version is not None:
                    version.setText(str(chosen[platform].version))
            grid.addWidget(check, row, 0)
            grid.addWidget(version, row, 1)
            self.checks[platform] = check
            self.versions[platform] = version
        layout.addLayout(grid)
        self.error = error_label(self, "targetsError")
        layout.addWidget(self.error)
        buttons, _ok = ok_cancel_buttons(self, on_ok=self._accept)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        try:
            self.targets()
        except InvalidValueError as exc:
            self.error.setText(str(exc))
            return
        self.accept()

    def targets(self) -> tuple[Target, ...]:
        chosen = []
        for platform, check in self.checks.items():
            if not check.isChecked():
                continue
            text = self.versions[platform].text().strip()
            version = None
            if text:
                try:
                    version = Version.parse(text)
                except InvalidValueError:
                    message = f"{platform}: {text!r} is not a version number"
                    raise InvalidValueError(message) from None
            chosen.append(Target(platform, version))
        return tuple(chosen)
