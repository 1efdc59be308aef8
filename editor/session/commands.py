"""The named, undoable edits of a profile: one QUndoCommand class per kind of edit.

Each command does and undoes one pure operation of editor.core.model on the profile of its
target, then tells the target what changed (`after_edit`) so problems and views follow.
The target is anything with a `profile` and an `after_edit`: the session's Document, or a
small stand-in in the tests, so a command can be tested without a window or a document.

Values are copied on the way in and out: the profile never shares an object with a
command, so undoing restores exactly what was there.
"""

from __future__ import annotations

import copy
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from editor.core import model as ops
from editor.core.model import MISSING, KeyPath, Profile

# Commands that merge while the user types in one field share this id.
TYPING_ID = 1


class EditTarget(Protocol):
    profile: Profile

    def after_edit(self, path: KeyPath, structural: bool) -> None: ...


class EditCommand(QUndoCommand):
    """An edit at `path`; `structural` when it adds, removes or moves tree nodes."""

    def __init__(self, target: EditTarget, text: str, path: KeyPath, structural: bool) -> None:
        super().__init__(text)
        self.target = target
        self.path = path
        self.structural = structural

    @property
    def root(self) -> Any:
        return self.target.profile.root

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        self.apply()
        self.target.after_edit(self.path, self.structural)

    def undo(self) -> None:
        self.revert()
        self.target.after_edit(self.path, self.structural)


class SetValue(EditCommand):
    """Set a key or an array item ("Set X", or "Add X" when it was absent). Typing in one
    field merges into one step: its undo returns to the value before typing began."""

    def __init__(
        self,
        target: EditTarget,
        path: KeyPath,
        value: Any,
        structural: bool = False,
        typing: bool = False,
    ) -> None:
        self.previous = ops.get_value(target.profile.root, path)
        name = path[-1]
        text = f"Set {name}" if self.previous is not MISSING else f"Add {name}"
        super().__init__(target, text, path, structural)
        self.value = copy.deepcopy(value)
        self.typing = typing and not structural

    def apply(self) -> None:
        ops.set_key(self.root, self.path, copy.deepcopy(self.value))

    def revert(self) -> None:
        if self.previous is MISSING:
            ops.remove_key(self.root, self.path)
        else:
            ops.set_key(self.root, self.path, copy.deepcopy(self.previous))

    def id(self) -> int:
        return TYPING_ID if self.typing else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not (isinstance(other, SetValue) and other.typing and other.path == self.path):
            return False
        self.value = other.value  # keep our `previous`: the value before typing began
        # Qt deletes the merged command now, but PySide6 keeps its Python object for the
        # rest of the session: let go of its values (about 1 KB a keystroke)
        other.value = other.previous = None
        return True


class RemoveKey(EditCommand):
    def __init__(self, target: EditTarget, path: KeyPath, structural: bool) -> None:
        super().__init__(target, f"Remove {path[-1]}", path, structural)
        self.removed: ops.KeyRemoval | None = None

    def apply(self) -> None:
        self.removed = ops.remove_key(self.root, self.path)

    def revert(self) -> None:
        assert self.removed is not None
        ops.insert_key(self.root, self.path, self.removed.value, self.removed.index)


class RenameKey(EditCommand):
    """Rename a dictionary key in place (its position and value kept)."""

    def __init__(self, target: EditTarget, path: KeyPath, new_name: str) -> None:
        super().__init__(target, f"Rename {path[-1]} to {new_name}", path, True)
        self.old_name = str(path[-1])
        self.new_name = new_name

    def apply(self) -> None:
        ops.rename_key(self.root, self.path, self.new_name)

    def revert(self) -> None:
        ops.rename_key(self.root, (*self.path[:-1], self.new_name), self.old_name)


class InsertItem(EditCommand):
    def __init__(
        self, target: EditTarget, array_path: KeyPath, index: int, value: Any, text: str = ""
    ) -> None:
        super().__init__(target, text or "Add item", array_path, True)
        self.index = index
        self.value = copy.deepcopy(value)

    def apply(self) -> None:
        ops.insert_item(self.root, self.path, self.index, copy.deepcopy(self.value))

    def revert(self) -> None:
        ops.remove_item(self.root, self.path, self.index)


class RemoveItem(EditCommand):
    def __init__(self, target: EditTarget, array_path: KeyPath, index: int, text: str = "") -> None:
        super().__init__(target, text or "Remove item", array_path, True)
        self.index = index
        self.removed: Any = None

    def apply(self) -> None:
        self.removed = ops.remove_item(self.root, self.path, self.index)

    def revert(self) -> None:
        ops.insert_item(self.root, self.path, self.index, self.removed)


class MoveItem(EditCommand):
    def __init__(self, target: EditTarget, array_path: KeyPath, source: int, to: int) -> None:
        super().__init__(target, "Move item", array_path, True)
        self.source = source
        self.to = to

    def apply(self) -> None:
        ops.move_item(self.root, self.path, self.source, self.to)

    def revert(self) -> None:
        ops.move_item(self.root, self.path, self.to, self.source)


class ReplaceRoot(EditCommand):
    """Swap the whole profile for another (a fix, decrypted payloads) as one step."""

    def __init__(self, target: EditTarget, root: dict[str, Any], text: str) -> None:
        super().__init__(target, text, (), True)
        self.previous = target.profile.root
        self.replacement = copy.deepcopy(root)

    def apply(self) -> None:
        self.target.profile.root = copy.deepcopy(self.replacement)

    def revert(self) -> None:
        self.target.profile.root = copy.deepcopy(self.previous)
