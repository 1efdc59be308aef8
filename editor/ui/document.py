"""One open profile: the core Profile, its undo stack and its current problems.

Widgets never change the profile directly: they call the edit methods here, which
push QUndoCommands wrapping the pure operations of editor.core.model. Validation is
incremental: an edit inside a payload re-checks that payload at once and the
profile-level rules shortly after (they read every payload, so they are coalesced).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from editor.core import model as ops
from editor.core.model import MISSING, KeyPath, Profile
from editor.core.platforms import Target
from editor.core.plistio import PlistFormat, write_atomic
from editor.core.schema import KeySpec, PayloadSchema, Schema
from editor.core.validation.engine import (
    Options,
    validate_payload,
    validate_profile_level,
)
from editor.core.validation.problems import Problem

# Commands that merge while the user types in one field share this id.
_TYPING_ID = 1


class _EditCommand(QUndoCommand):
    def __init__(
        self,
        document: Document,
        text: str,
        redo: Callable[[], None],
        undo: Callable[[], None],
        path: KeyPath,
        structural: bool,
        merge_key: tuple[Any, ...] | None = None,
    ) -> None:
        super().__init__(text)
        self.document = document
        self._redo = redo
        self._undo = undo
        self.path = path
        self.structural = structural
        self.merge_key = merge_key

    def redo(self) -> None:
        self._redo()
        self.document._after_edit(self.path, self.structural)

    def undo(self) -> None:
        self._undo()
        self.document._after_edit(self.path, self.structural)

    def id(self) -> int:
        return _TYPING_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _EditCommand) or other.merge_key != self.merge_key:
            return False
        self._redo = other._redo  # keep our undo (the value before typing began)
        return True


class Document(QObject):
    """Signals carry key paths from the profile root."""

    value_changed = Signal(object)  # path of the changed key
    structure_changed = Signal(object)  # path of the container whose children changed
    problems_changed = Signal()
    path_changed = Signal()

    def __init__(self, profile: Profile, schema: Schema, path: Path | None = None) -> None:
        super().__init__()
        self.profile = profile
        self.schema = schema
        self.path = path
        self.save_format: PlistFormat = profile.source_format
        self.targets: tuple[Target, ...] = ()
        self.undo_stack = QUndoStack(self)
        self._payload_problems: dict[int, list[Problem]] = {}
        self._profile_problems: list[Problem] = []
        self._profile_timer = QTimer(self)
        self._profile_timer.setSingleShot(True)
        self._profile_timer.setInterval(150)
        self._profile_timer.timeout.connect(self._recheck_profile_level)
        self.revalidate_all()

    # --- names ----------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        return self.path.name if self.path is not None else "Untitled profile"

    @property
    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    # --- schema lookup ---------------------------------------------------------------
    def payload_schema(self, index: int) -> PayloadSchema | None:
        payloads = self.profile.payloads
        if not 0 <= index < len(payloads) or not isinstance(payloads[index], dict):
            return None
        kind = payloads[index].get("PayloadType")
        return self.schema.payload(kind) if isinstance(kind, str) else None

    def spec_for(self, path: KeyPath) -> KeySpec | None:
        """The schema spec of the value at a path (None for unknown keys)."""
        if len(path) >= 2 and path[0] == "PayloadContent" and isinstance(path[1], int):
            payload_schema = self.payload_schema(path[1])
            if payload_schema is None:
                return None
            spec: KeySpec | None = payload_schema.root
            rest = path[2:]
        else:
            spec = self.schema.configuration.root
            rest = path
        for part in rest:
            if spec is None:
                return None
            if isinstance(part, int):
                spec = spec.item
            else:
                child = spec.keys.get(part)
                spec = child if child is not None else (spec.item if spec.open else None)
        return spec

    def value(self, path: KeyPath) -> Any:
        return ops.get_value(self.profile.root, path)

    # --- problems ----------------------------------------------------------------------
    @property
    def options(self) -> Options:
        return Options(targets=self.targets)

    def problems(self) -> list[Problem]:
        found = list(self._profile_problems)
        for index in sorted(self._payload_problems):
            found.extend(self._payload_problems[index])
        return found

    def problems_under(self, path: KeyPath) -> list[Problem]:
        return [p for p in self.problems() if p.path[: len(path)] == path]

    def revalidate_all(self) -> None:
        self._payload_problems = {
            index: validate_payload(self.profile, index, self.schema, self.options)
            for index in range(len(self.profile.payloads))
        }
        self._profile_problems = validate_profile_level(self.profile, self.schema, self.options)
        self.problems_changed.emit()

    def set_targets(self, targets: tuple[Target, ...]) -> None:
        self.targets = targets
        self.revalidate_all()

    def _recheck_profile_level(self) -> None:
        self._profile_problems = validate_profile_level(self.profile, self.schema, self.options)
        self.problems_changed.emit()

    def _after_edit(self, path: KeyPath, structural: bool) -> None:
        payload_index = (
            path[1]
            if len(path) >= 2 and path[0] == "PayloadContent" and isinstance(path[1], int)
            else None
        )
        if structural and len(path) <= 1:
            # payloads added, removed or moved: every index may have shifted
            self._payload_problems = {
                i: validate_payload(self.profile, i, self.schema, self.options)
                for i in range(len(self.profile.payloads))
            }
            self._recheck_profile_level()
        elif payload_index is not None and payload_index < len(self.profile.payloads):
            self._payload_problems[payload_index] = validate_payload(
                self.profile, payload_index, self.schema, self.options
            )
            self.problems_changed.emit()
            self._profile_timer.start()
        else:
            self._recheck_profile_level()
        if structural:
            self.structure_changed.emit(path)
        self.value_changed.emit(path)

    # --- edits (each one undoable) -----------------------------------------------------
    def set_value(self, path: KeyPath, value: Any, typing: bool = False) -> None:
        """Set a key or array item. Typing in one field merges into one undo step."""
        previous = ops.get_value(self.profile.root, path)
        if previous is not MISSING and _same(previous, value):
            return
        new_value = copy.deepcopy(value)
        structural = isinstance(value, dict | list) or isinstance(previous, dict | list)

        def redo() -> None:
            ops.set_key(self.profile.root, path, copy.deepcopy(new_value))

        def undo() -> None:
            if previous is MISSING:
                ops.remove_key(self.profile.root, path)
            else:
                ops.set_key(self.profile.root, path, copy.deepcopy(previous))

        name = path[-1]
        label = f"Set {name}" if previous is not MISSING else f"Add {name}"
        merge_key = ("set", path) if typing and not structural else None
        self.undo_stack.push(_EditCommand(self, label, redo, undo, path, structural, merge_key))

    def remove_key(self, path: KeyPath) -> None:
        current = ops.get_value(self.profile.root, path)
        if current is MISSING:
            return
        structural = isinstance(current, dict | list)
        removed: list[ops.KeyRemoval] = []

        def redo() -> None:
            removed[:] = [ops.remove_key(self.profile.root, path)]

        def undo() -> None:
            ops.insert_key(self.profile.root, path, removed[0].value, removed[0].index)

        self.undo_stack.push(_EditCommand(self, f"Remove {path[-1]}", redo, undo, path, structural))

    def rename_key(self, path: KeyPath, new_name: str) -> None:
        old_name = path[-1]
        if not isinstance(old_name, str) or new_name == old_name:
            return
        parent = path[:-1]

        def redo() -> None:
            ops.rename_key(self.profile.root, path, new_name)

        def undo() -> None:
            ops.rename_key(self.profile.root, (*parent, new_name), old_name)

        self.undo_stack.push(_EditCommand(self, f"Rename {old_name}", redo, undo, path, True))

    def insert_item(self, array_path: KeyPath, index: int, value: Any, label: str = "") -> None:
        item = copy.deepcopy(value)

        def redo() -> None:
            ops.insert_item(self.profile.root, array_path, index, copy.deepcopy(item))

        def undo() -> None:
            ops.remove_item(self.profile.root, array_path, index)

        self.undo_stack.push(_EditCommand(self, label or "Add item", redo, undo, array_path, True))

    def remove_item(self, array_path: KeyPath, index: int, label: str = "") -> None:
        removed: list[Any] = []

        def redo() -> None:
            removed[:] = [ops.remove_item(self.profile.root, array_path, index)]

        def undo() -> None:
            ops.insert_item(self.profile.root, array_path, index, removed[0])

        self.undo_stack.push(
            _EditCommand(self, label or "Remove item", redo, undo, array_path, True)
        )

    def move_item(self, array_path: KeyPath, source: int, target: int) -> None:
        if source == target:
            return

        def redo() -> None:
            ops.move_item(self.profile.root, array_path, source, target)

        def undo() -> None:
            ops.move_item(self.profile.root, array_path, target, source)

        self.undo_stack.push(_EditCommand(self, "Move item", redo, undo, array_path, True))

    def add_payload(self, payload: dict[str, Any], label: str = "Add payload") -> int:
        if not isinstance(self.profile.root.get("PayloadContent"), list):
            self.set_value(("PayloadContent",), [])
        index = len(self.profile.payloads)
        self.insert_item(("PayloadContent",), index, payload, label)
        return index

    def replace_root(self, root: dict[str, Any], label: str) -> None:
        """Swap the whole profile (decrypting its payloads, say) as one undoable step."""
        previous = self.profile.root
        new_root = copy.deepcopy(root)

        def redo() -> None:
            self.profile.root = copy.deepcopy(new_root)

        def undo() -> None:
            self.profile.root = copy.deepcopy(previous)

        self.undo_stack.push(_EditCommand(self, label, redo, undo, (), True))

    # --- saving --------------------------------------------------------------------------
    def save(
        self, path: Path, fmt: PlistFormat, wrap: Callable[[bytes], bytes] | None = None
    ) -> None:
        """Atomic save; raises ProfileWriteError or ValueError with a reason.

        `wrap` turns the exact plist bytes into what is written (a signature around them).
        """
        data = self.profile.to_bytes(fmt)
        write_atomic(path, wrap(data) if wrap is not None else data)
        self.path = path
        self.save_format = fmt
        self.undo_stack.setClean()
        self.path_changed.emit()


def _same(left: Any, right: Any) -> bool:
    from editor.core.plisttypes import same_plist_value

    try:
        return same_plist_value(left, right)
    except TypeError:
        return False
