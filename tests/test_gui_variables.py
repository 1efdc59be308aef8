"""A person types an MDM variable as the server of a new connection, and a field with
several problems shows each in its own colour: through the real window and real keys."""

from __future__ import annotations

import copy
import plistlib
from pathlib import Path
from typing import Any

import pytest
from helpers.gui import open_window
from helpers.gui_driver import WindowDriver, choose_file, click_tree
from helpers.profiles import make_profile
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog

from editor.core.model import Profile
from editor.core.schema import Schema
from editor.core.validation.engine import validate_profile
from editor.core.validation.problems import Severity
from editor.session.document import Document
from editor.ui.colors import severity_color
from editor.ui.dialogs.connection import ConnectionDialog


@pytest.mark.parametrize("server", ["$EMAIL", "{{mail}}", "%Email%"])
def test_a_variable_server_is_taken_by_the_new_connection_dialog(
    qtbot: Any, schema: Schema, tmp_path: Path, server: str
) -> None:
    window = open_window(qtbot, Document(make_profile(), schema))
    driver = WindowDriver(qtbot, window)
    states: list[tuple[bool, str]] = []

    def connection(dialog: QDialog) -> None:
        assert isinstance(dialog, ConnectionDialog)
        driver.click(dialog.name_edit)
        driver.type("Per-user VPN")
        driver.click(dialog.server_edit)
        driver.type(server)  # each key to whatever has the focus now
        states.append((dialog.ok_button.isEnabled(), dialog.server_hint.text()))
        driver.type("\n")

    with driver.answering(connection):
        driver.menu("Edit", "Add Payload", "IKEv2")
    [(add_enabled, hint)] = states
    assert add_enabled, hint
    assert "not a valid" not in hint
    save_to = tmp_path / "per-user.mobileconfig"
    with driver.answering(choose_file(driver, save_to)):
        driver.shortcut(QKeySequence.StandardKey.Save)
    saved = plistlib.loads(save_to.read_bytes())
    [vpn] = [p for p in saved["PayloadContent"] if p["PayloadType"] == "com.apple.vpn.managed"]
    assert vpn["IKEv2"]["RemoteAddress"] == server
    # the engine agrees with the dialog: a note that the MDM fills it in, no error
    index = saved["PayloadContent"].index(vpn)
    at_server = [
        p
        for p in validate_profile(Profile(saved), schema)
        if p.path == ("PayloadContent", index, "IKEv2", "RemoteAddress")
    ]
    assert [(p.severity, p.code) for p in at_server] == [(Severity.INFO, "mdm-variable")]


def test_a_field_shows_each_of_its_problems_in_its_own_colour(
    qtbot: Any, schema: Schema
) -> None:
    """The engine's own verdicts at one field: a wrong type (an error) and a secret in
    clear text (a note); the note is drawn in the note's colour, not red."""
    payload = {
        "PayloadIdentifier": "com.example.vpn.ipsec",
        "PayloadType": "com.apple.vpn.managed",
        "PayloadUUID": "7A1E7C0A-2B7D-4E59-9C1B-3F7B2C1D4E5F",
        "PayloadVersion": 1,
        "UserDefinedName": "Example IPSec",
        "VPNType": "IPSec",
        "IPSec": {
            "RemoteAddress": "vpn.example.com",
            "AuthenticationMethod": "SharedSecret",
            "LocalIdentifier": "group",
            "LocalIdentifierType": "KeyID",
            "SharedSecret": "not base64 data",
        },
    }
    window = open_window(qtbot, Document(make_profile(copy.deepcopy(payload)), schema))
    driver = WindowDriver(qtbot, window)
    node = ("PayloadContent", 0, "IPSec")
    click_tree(driver, node)
    form = window.form
    assert form is not None and form.path == node
    row = form.rows["SharedSecret"]
    engine = [
        p for p in window.document.problems() if p.path == (*node, "SharedSecret")
    ]
    severities = {p.severity for p in engine}
    assert {Severity.ERROR, Severity.INFO} <= severities
    text = row.problem_label.text()
    assert row.problem_label.isVisible()
    for problem in engine:
        # the span that holds the problem's line has the problem's own colour
        line = text[: text.index(f"{problem.severity.value}: ")]
        opening = line[line.rindex("<span") :]
        assert severity_color(problem.severity, row.palette()) in opening, problem
    assert severity_color(Severity.INFO, row.palette()) != severity_color(
        Severity.ERROR, row.palette()
    )
