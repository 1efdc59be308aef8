"""The session's undo commands, each on its own: no document, no window."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest
from PySide6.QtGui import QUndoStack

from editor.core.model import KeyPath, Profile
from editor.session import commands


@dataclass
class Target:
    profile: Profile
    edits: list[tuple[KeyPath, bool]] = field(default_factory=list)

    def after_edit(self, path: KeyPath, structural: bool) -> None:
        self.edits.append((path, structural))


def target() -> Target:
    root: dict[str, Any] = {
        "PayloadDisplayName": "VPN",
        "PayloadContent": [
            {"PayloadType": "com.apple.vpn.managed", "VendorConfig": {"a": 1, "b": 2, "c": 3}},
            {"PayloadType": "com.apple.security.root"},
        ],
    }
    return Target(Profile(root))


def do_and_undo(made: Target, command: commands.EditCommand) -> tuple[Any, Any]:
    before = copy.deepcopy(made.profile.root)
    stack = QUndoStack()
    stack.push(command)
    after = copy.deepcopy(made.profile.root)
    stack.undo()
    assert made.profile.root == before
    stack.redo()
    assert made.profile.root == after
    return before, after


def test_set_value_names_itself_and_undoes(qapp: Any) -> None:
    made = target()
    command = commands.SetValue(made, ("PayloadDisplayName",), "Office")
    assert command.text() == "Set PayloadDisplayName"
    _before, after = do_and_undo(made, command)
    assert after["PayloadDisplayName"] == "Office"
    assert made.edits[-1] == (("PayloadDisplayName",), False)
    added = commands.SetValue(made, ("PayloadDescription",), "x")
    assert added.text() == "Add PayloadDescription"
    _before, after = do_and_undo(made, added)
    assert list(after)[-1] == "PayloadDescription"


def test_typing_merges_into_one_step_back_to_the_value_before_typing(qapp: Any) -> None:
    made = target()
    stack = QUndoStack()
    for text in ("O", "Of", "Off"):
        stack.push(commands.SetValue(made, ("PayloadDisplayName",), text, typing=True))
    assert stack.count() == 1
    assert made.profile.root["PayloadDisplayName"] == "Off"
    stack.undo()
    assert made.profile.root["PayloadDisplayName"] == "VPN"
    stack.redo()
    assert made.profile.root["PayloadDisplayName"] == "Off"
    # another field, or an edit that is not typing, starts a new step
    stack.push(commands.SetValue(made, ("PayloadDescription",), "d", typing=True))
    stack.push(commands.SetValue(made, ("PayloadDisplayName",), "x"))
    assert stack.count() == 3


def test_the_profile_shares_no_object_with_a_command(qapp: Any) -> None:
    made = target()
    value = ["a", "b"]
    stack = QUndoStack()
    stack.push(commands.SetValue(made, ("List",), value))
    value.append("changed by the caller")
    assert made.profile.root["List"] == ["a", "b"]
    made.profile.root["List"].append("changed in the profile")
    stack.undo()
    stack.redo()
    assert made.profile.root["List"] == ["a", "b"]


def test_remove_key_comes_back_in_its_place(qapp: Any) -> None:
    made = target()
    path = ("PayloadContent", 0, "VendorConfig", "b")
    _before, after = do_and_undo(made, commands.RemoveKey(made, path, structural=False))
    assert list(after["PayloadContent"][0]["VendorConfig"]) == ["a", "c"]


def test_rename_key_keeps_place_and_value(qapp: Any) -> None:
    made = target()
    command = commands.RenameKey(made, ("PayloadContent", 0, "VendorConfig", "b"), "realm")
    assert command.text() == "Rename b to realm"
    _before, after = do_and_undo(made, command)
    assert list(after["PayloadContent"][0]["VendorConfig"].items()) == [
        ("a", 1),
        ("realm", 2),
        ("c", 3),
    ]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda t: commands.InsertItem(t, ("PayloadContent",), 1, {"PayloadType": "x"}),
            ["com.apple.vpn.managed", "x", "com.apple.security.root"],
        ),
        (
            lambda t: commands.RemoveItem(t, ("PayloadContent",), 0, "Remove VPN"),
            ["com.apple.security.root"],
        ),
        (
            lambda t: commands.MoveItem(t, ("PayloadContent",), 0, 1),
            ["com.apple.security.root", "com.apple.vpn.managed"],
        ),
    ],
)
def test_array_commands(qapp: Any, make: Any, expected: list[str]) -> None:
    made = target()
    _before, after = do_and_undo(made, make(made))
    assert [p["PayloadType"] for p in after["PayloadContent"]] == expected
    assert all(structural for _path, structural in made.edits)


def test_replace_root_is_one_step(qapp: Any) -> None:
    made = target()
    command = commands.ReplaceRoot(made, {"PayloadDisplayName": "Other"}, "Decrypt payloads")
    assert command.text() == "Decrypt payloads"
    _before, after = do_and_undo(made, command)
    assert after == {"PayloadDisplayName": "Other"}
    assert made.edits[-1] == ((), True)
