"""The house rules of the code (docs/architecture.md), checked on the source.

- Layers import downwards only: core ← session ← ui ← app, and core ← cli.
- No import cycles, counting imports inside functions (they run too); imports under
  `if TYPE_CHECKING:` never run and are not counted.
- Every failure the core reports derives from editor.core.errors.EditorError.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import editor

PACKAGE = Path(editor.__file__).resolve().parent

# What each layer may import from the editor's own packages.
ALLOWED = {
    "editor.core": {"editor.core"},
    "editor.cli": {"editor.core", "editor.cli"},
    "editor.session": {"editor.core", "editor.session"},
    "editor.ui": {"editor.core", "editor.session", "editor.ui"},
    "editor.app": {"editor.core", "editor.session", "editor.ui", "editor.app", "editor.cli"},
}
# The top-level modules every layer may use (version, names, resource paths).
SHARED = {"editor", "editor.resources"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """ids of the nodes inside `if TYPE_CHECKING:` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for child in node.body:
                inside |= {id(n) for n in ast.walk(child)}
    return inside


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The editor modules this file imports when it runs (module or function level);
    `import_module("…")` with a constant name counts too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_blocks(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names = [str(node.args[0].value)]
        found |= {name for name in names if name in known}
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(path, known) - {name} for name, path in found.items()}


def layer_of(name: str) -> str | None:
    return next((layer for layer in ALLOWED if name == layer or name.startswith(layer + ".")), None)


def test_the_layers_are_found() -> None:
    names = set(modules())
    for expected in (
        "editor.core.validation.engine",
        "editor.session.document",
        "editor.ui.form",
        "editor.ui.dialogs.connection",
        "editor.app.main_window",
        "editor.app.flows.fixes",
        "editor.cli.main",
    ):
        assert expected in names
    assert {layer_of(name) for name in names} - {None} == set(ALLOWED)


def test_layers_import_downwards_only() -> None:
    # cli/docs.py writes the man pages of both programs: it asks the application for
    # its argument parser, at build time only
    exempt = {("editor.cli.docs", "editor.app.application")}
    wrong = []
    for name, imported in graph().items():
        layer = layer_of(name)
        if layer is None:
            continue
        for target in sorted(imported):
            target_layer = layer_of(target)
            if target in SHARED or target_layer in ALLOWED[layer] or (name, target) in exempt:
                continue
            wrong.append(f"{name} imports {target}")
    assert wrong == []


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return cycles


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    edges = graph()
    # a package's __init__ is imported with each of its modules: an edge to it is an edge
    # to nothing that can close a cycle unless the package imports its modules back
    assert find_cycles(edges) == []


def test_imports_under_type_checking_are_not_edges(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from editor.app.main_window import MainWindow\n"
        "def f():\n    from editor.core import model\n",
        encoding="utf-8",
    )
    known = {"editor.app.main_window", "editor.core.model", "editor.core"}
    assert imports_of(source, known) == {"editor.core", "editor.core.model"}


def core_exception_classes() -> list[type]:
    import importlib

    found = []
    for name in modules():
        if not name.startswith("editor.core"):
            continue
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, BaseException)
                and value.__module__ == name
                and not value.__name__.startswith("_")
            ):
                found.append(value)
    return found


def test_every_core_failure_is_an_editor_error() -> None:
    from editor.core.errors import EditorError

    classes = core_exception_classes()
    assert len(classes) >= 15
    assert [c.__qualname__ for c in classes if not issubclass(c, EditorError)] == []


@pytest.mark.parametrize("name", ["editor.session.document", "editor.session.recovery"])
def test_the_session_opens_no_widget(name: str) -> None:
    """The session may use QtCore and the undo stack, never a widget or a dialog."""
    text = modules()[name].read_text(encoding="utf-8")
    assert "QtWidgets" not in text
    assert "editor.ui" not in text
