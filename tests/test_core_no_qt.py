"""editor.core and the command-line tool must work without Qt (servers, CI, scripts)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import editor

PACKAGE = Path(editor.__file__).resolve().parent
CORE = PACKAGE / "core"
QT_PREFIXES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2", "shiboken2")


def core_modules() -> list[str]:
    names = []
    for path in sorted(CORE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def test_core_modules_found() -> None:
    modules = core_modules()
    assert "editor.core.plistio" in modules
    assert "editor.core.validation.engine" in modules
    assert len(modules) >= 10


CHECK = r"""
import json, sys, importlib, io
names = json.loads(sys.argv[1])
for name in names:
    importlib.import_module(name)
# the command-line tool, including running a command
from editor.cli import main as cli
out, err = io.StringIO(), io.StringIO()
code = cli.main(["schema", "--format", "json"], out=out, err=err)
assert code == 0, err.getvalue()
json.dump(sorted(sys.modules), sys.stdout)
"""


def test_importing_core_and_cli_loads_no_qt() -> None:
    names = [*core_modules(), "editor.cli.main", "editor.cli.signing", "editor.resources"]
    names = [
        n
        for n in names
        if (PACKAGE.parent / (n.replace(".", "/") + ".py")).exists()
        or (PACKAGE.parent / n.replace(".", "/") / "__init__.py").exists()
    ]
    proc = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(names)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    assert set(names) <= set(loaded)
    qt = [name for name in loaded if name.startswith(QT_PREFIXES)]
    assert qt == [], f"Qt modules loaded: {qt}"


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append(str(node.args[0].value))
    return found


def test_core_source_has_no_qt_imports() -> None:
    offenders = []
    # cli/docs.py is build-time tooling: it asks the editor's module for its parser by name
    cli = [path for path in (PACKAGE / "cli").glob("*.py") if path.name != "docs.py"]
    for path in sorted([*CORE.rglob("*.py"), *cli]):
        for module in _imported_modules(path):
            if module.startswith((*QT_PREFIXES, "editor.ui", "editor.gui")):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}: {module}")
        text = path.read_text(encoding="utf-8")
        for prefix in ("PySide6", "shiboken6", "PyQt"):
            if f"import {prefix}" in text or f"from {prefix}" in text:
                offenders.append(f"{path.relative_to(PACKAGE.parent)}: text mentions {prefix}")
    assert offenders == []


def test_the_checker_sees_qt_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom PySide6.QtCore import QObject\n"
        "def f():\n    import shiboken6\n    importlib.import_module('PySide6.QtGui')\n"
    )
    found = _imported_modules(sample)
    assert "PySide6.QtCore" in found and "shiboken6" in found and "PySide6.QtGui" in found
