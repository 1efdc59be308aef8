"""The colours the editor gives problems, wherever it shows them (one table)."""

from __future__ import annotations

from editor.core.validation.problems import Severity

SEVERITY_COLORS = {Severity.ERROR: "#c62828", Severity.WARNING: "#b26a00", Severity.INFO: "#546e7a"}
ERROR_COLOR = SEVERITY_COLORS[Severity.ERROR]
WARNING_COLOR = SEVERITY_COLORS[Severity.WARNING]

__all__ = ["ERROR_COLOR", "SEVERITY_COLORS", "WARNING_COLOR"]
