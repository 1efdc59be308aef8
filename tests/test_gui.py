"""The editor window, driven as a user drives it."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.gui import DialogRecorder, open_window
from helpers.profiles import CORPUS, IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, make_profile
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox

from editor.app.main_window import MainWindow
from editor.core.model import Profile
from editor.core.plisttypes import same_plist_value
from editor.core.schema import Schema
from editor.core.validation.problems import Severity
from editor.session.document import Document
from editor.ui.fields import FlagField, ReferenceField, TextField
from editor.ui.tree_model import PATH_ROLE, PayloadTreeModel

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")


def on_demand_profile() -> Profile:
    payload = dict(IKEV2_PAYLOAD)
    payload["IKEv2"] = dict(
        IKEV2_PAYLOAD["IKEv2"],
        OnDemandEnabled=1,
        OnDemandRules=[
            {"Action": "Disconnect", "SSIDMatch": ["Office"]},
            {"Action": "Connect", "InterfaceTypeMatch": "Cellular"},
            {"Action": "Ignore"},
        ],
    )
    return make_profile(payload, PKCS12_PAYLOAD, ROOT_PAYLOAD)


def test_tree_model_passes_qtmodeltester(qapp: Any, qtmodeltester: Any, schema: Schema) -> None:
    document = Document(on_demand_profile(), schema)
    model = PayloadTreeModel(document)
    qtmodeltester.check(model)
    # the tree holds payloads, nested dictionaries and On Demand rules
    ikev2 = model.index_for_path(("PayloadContent", 0, "IKEv2", "OnDemandRules", 2))
    assert ikev2.data(PATH_ROLE) == ("PayloadContent", 0, "IKEv2", "OnDemandRules", 2)
    assert ikev2.data() == "Rule 3 · Ignore"


def test_type_invalid_value_see_problem_undo_save_reopen(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    # a real profile from the corpus when it is there, else one of our own
    source = CORPUS / "aeron-ikev2-strongswan__profile-psk.mobileconfig"
    if not source.is_file():
        source = tmp_path / "own.mobileconfig"
        source.write_bytes(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD).to_bytes("xml"))
    original = Profile.read(source)
    document = Document(Profile.read(source), schema, source)
    window = open_window(qtbot, document)
    ikev2_path = ("PayloadContent", 0, "IKEv2")
    window.select_path(ikev2_path)
    assert window.form is not None and window.form.path == ikev2_path
    row = window.form.rows["RemoteAddress"]
    edit = row.field.focus_widget()
    assert isinstance(edit, QLineEdit)
    edit.selectAll()
    qtbot.keyClicks(edit, "https://vpn example")
    assert document.value((*ikev2_path, "RemoteAddress")) == "https://vpn example"
    # inline, at the field
    assert row.problem_label.isVisible()
    assert "host name or IP address" in row.problem_label.text()
    # in the problems panel
    panel_texts = [window.problems.row_text(i, 2) for i in range(window.problems.row_count())]
    assert any("host name or IP address" in text for text in panel_texts)
    assert window.isWindowModified()
    # one undo step takes back the whole typing
    window.undo_action.trigger()
    assert same_plist_value(document.profile.root, original.root)
    assert not window.isWindowModified()
    assert not row.problem_label.isVisible()
    # a real edit, saved and reopened
    edit.selectAll()
    qtbot.keyClicks(edit, "vpn2.example.com")
    target = tmp_path / "saved.mobileconfig"
    assert window._save_to(target, "xml")
    assert not window.isWindowModified()
    reopened = Profile.read(target)
    expected = Profile.read(source)
    expected.root["PayloadContent"][0]["IKEv2"]["RemoteAddress"] = "vpn2.example.com"
    assert same_plist_value(reopened.root, expected.root)


def test_activating_a_problem_selects_the_node_and_focuses_the_field(
    qtbot: Any, schema: Schema
) -> None:
    profile = on_demand_profile()
    profile.root["PayloadContent"][0]["IKEv2"]["DeadPeerDetectionRate"] = "Often"
    document = Document(profile, schema)
    window = open_window(qtbot, document)
    window.select_path(())
    problem = next(p for p in document.problems() if p.code == "value-not-allowed")
    assert problem.path == ("PayloadContent", 0, "IKEv2", "DeadPeerDetectionRate")
    window.show_problem(problem.path)
    assert window.form is not None and window.form.path == ("PayloadContent", 0, "IKEv2")
    row = window.form.rows["DeadPeerDetectionRate"]
    assert row.problem_label.isVisible()
    # the window's focus child (the application's focus also needs an active window)
    focused, wanted = window.focusWidget(), row.field.focus_widget()
    assert focused is wanted or wanted.isAncestorOf(focused)


def test_vpn_type_decides_which_dictionaries_show(qtbot: Any, schema: Schema) -> None:
    document = Document(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD), schema)
    window = open_window(qtbot, document)
    window.select_path(("PayloadContent", 0))
    form = window.form
    assert form is not None
    assert form.rows["IKEv2"].isVisible()
    assert not form.rows["IPSec"].isVisible()
    assert not form.rows["PPP"].isVisible()
    combo = form.rows["VPNType"].field.focus_widget()
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findText("L2TP"))
    combo.activated.emit(combo.currentIndex())
    assert document.value(("PayloadContent", 0, "VPNType")) == "L2TP"
    assert form.rows["PPP"].isVisible()
    assert form.rows["IPSec"].isVisible()
    # the IKEv2 dictionary is still there (nothing is dropped) and now flagged as ignored
    assert form.rows["IKEv2"].isVisible()
    codes = {p.code for p in document.problems() if p.path == ("PayloadContent", 0, "IKEv2")}
    assert "not-applicable" in codes


def test_flag_checkbox_writes_the_keys_own_type(qtbot: Any, schema: Schema) -> None:
    document = Document(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD), schema)
    window = open_window(qtbot, document)
    window.select_path(("PayloadContent", 0, "IKEv2"))
    assert window.form is not None
    field = window.form.rows["DisableMOBIKE"].field
    assert isinstance(field, FlagField)
    field.box.click()
    value = document.value(("PayloadContent", 0, "IKEv2", "DisableMOBIKE"))
    assert value == 1 and type(value) is int


def test_reorder_on_demand_rules(qtbot: Any, schema: Schema) -> None:
    document = Document(on_demand_profile(), schema)
    window = open_window(qtbot, document)
    rules_path = ("PayloadContent", 0, "IKEv2", "OnDemandRules")
    window.select_path(rules_path)
    form = window.form
    assert form is not None and form.path == rules_path
    assert [form.items.item(i).text() for i in range(form.items.count())] == [
        "Rule 1 · Disconnect",
        "Rule 2 · Connect",
        "Rule 3 · Ignore",
    ]
    form.items.setCurrentRow(2)
    qtbot.mouseClick(form.up_button, Qt.MouseButton.LeftButton)
    actions = [rule["Action"] for rule in document.value(rules_path)]
    assert actions == ["Disconnect", "Ignore", "Connect"]
    window.undo_action.trigger()
    assert [rule["Action"] for rule in document.value(rules_path)] == [
        "Disconnect",
        "Connect",
        "Ignore",
    ]


def test_pick_a_certificate(qtbot: Any, schema: Schema) -> None:
    payload = dict(IKEV2_PAYLOAD)
    payload["IKEv2"] = {
        k: v for k, v in IKEV2_PAYLOAD["IKEv2"].items() if k != "PayloadCertificateUUID"
    }
    document = Document(make_profile(payload, PKCS12_PAYLOAD, ROOT_PAYLOAD), schema)
    assert any(p.code == "required-when-missing" for p in document.problems())
    window = open_window(qtbot, document)
    window.select_path(("PayloadContent", 0, "IKEv2"))
    assert window.form is not None
    field = window.form.rows["PayloadCertificateUUID"].field
    assert isinstance(field, ReferenceField)
    labels = [field.combo.itemText(i) for i in range(field.combo.count())]
    # identities only: the root certificate has no private key to authenticate with
    assert len(labels) == 1 and PKCS12_PAYLOAD["PayloadUUID"] in labels[0]
    row = field.combo.findData(PKCS12_PAYLOAD["PayloadUUID"])
    field.combo.setCurrentIndex(row)
    field.combo.activated.emit(row)
    value = document.value(("PayloadContent", 0, "IKEv2", "PayloadCertificateUUID"))
    assert value == PKCS12_PAYLOAD["PayloadUUID"]
    assert not [p for p in document.problems() if p.severity is Severity.ERROR]


def test_secret_field_is_masked_with_reveal_toggle(qtbot: Any, schema: Schema) -> None:
    payload = dict(IKEV2_PAYLOAD)
    payload["IKEv2"] = dict(
        IKEV2_PAYLOAD["IKEv2"], AuthenticationMethod="SharedSecret", SharedSecret="s3cret"
    )
    document = Document(make_profile(payload), schema)
    window = open_window(qtbot, document)
    window.select_path(("PayloadContent", 0, "IKEv2"))
    assert window.form is not None
    field = window.form.rows["SharedSecret"].field
    assert isinstance(field, TextField)
    assert field.edit.echoMode() == QLineEdit.EchoMode.Password
    field.reveal.trigger()
    assert field.edit.echoMode() == QLineEdit.EchoMode.Normal


def test_unknown_keys_are_shown_and_kept(qtbot: Any, schema: Schema, tmp_path: Path) -> None:
    payload = dict(IKEV2_PAYLOAD, VendorNote="keep me", VendorFlag=True)
    document = Document(make_profile(payload, PKCS12_PAYLOAD), schema)
    window = open_window(qtbot, document)
    window.select_path(("PayloadContent", 0))
    assert window.form is not None
    assert window.form.other_box.isVisible()
    assert {"VendorNote", "VendorFlag"} <= set(window.form.rows)
    target = tmp_path / "kept.mobileconfig"
    assert window._save_to(target, "binary")
    saved = Profile.read(target).root["PayloadContent"][0]
    assert saved["VendorNote"] == "keep me" and saved["VendorFlag"] is True


def test_failed_save_keeps_the_old_file(
    qtbot: Any, schema: Schema, tmp_path: Path, dialogs: DialogRecorder
) -> None:
    target = tmp_path / "old.mobileconfig"
    target.write_bytes(b"old bytes")
    document = Document(make_profile(IKEV2_PAYLOAD), schema)
    document.profile.root["Huge"] = 2**70  # cannot be stored in a binary plist
    window = open_window(qtbot, document)
    assert not window._save_to(target, "binary")
    assert target.read_bytes() == b"old bytes"
    shown = dialogs.texts("critical")
    assert shown and "unchanged" in shown[0]
    # no temporary file is left beside it
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "settings") == [
        "old.mobileconfig"
    ]


def test_closing_with_unsaved_changes_asks(
    qtbot: Any, schema: Schema, dialogs: DialogRecorder
) -> None:
    document = Document(make_profile(IKEV2_PAYLOAD), schema)
    window = open_window(qtbot, document)
    document.set_value(("PayloadDisplayName",), "Changed")
    dialogs.answer = QMessageBox.StandardButton.Cancel
    assert not window.close()
    assert dialogs.texts("question") and window.isVisible()
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert window.close()


def test_recovery_file_after_a_simulated_crash(qtbot: Any, schema: Schema, tmp_path: Path) -> None:
    from editor.session import recovery

    folder = tmp_path / "recovery"
    document = Document(make_profile(IKEV2_PAYLOAD), schema, tmp_path / "work.mobileconfig")
    saver = recovery.Autosaver(document, folder)
    assert not saver.write_if_needed()  # nothing to keep while clean
    document.set_value(("PayloadContent", 0, "IKEv2", "RemoteAddress"), "changed.example.com")
    assert saver.write_if_needed()
    assert stat.S_IMODE(saver.data_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # the "crash": the document is gone, the copy stays
    del saver
    entries = recovery.leftover_files(folder)
    assert len(entries) == 1 and entries[0].original == str(tmp_path / "work.mobileconfig")
    restored = recovery.restore(entries[0], schema)
    assert restored.is_modified
    assert restored.value(("PayloadContent", 0, "IKEv2", "RemoteAddress")) == "changed.example.com"
    # a clean save removes the copy
    saver2 = recovery.Autosaver(restored, folder)
    restored.set_value(("PayloadDisplayName",), "x")
    assert saver2.write_if_needed()
    restored.save(tmp_path / "work.mobileconfig", "xml")
    assert not saver2.data_path.exists()


def test_screenshot_command(tmp_path: Path, signed_profile: Path) -> None:
    target = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "editor.app.application",
            "--screenshot",
            str(target),
            str(signed_profile),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Traceback" not in result.stderr


def test_screenshot_of_unreadable_files_fails_without_a_dialog(tmp_path: Path) -> None:
    """A screenshot run must never wait on a message box: it names each file it cannot
    read on standard error and exits with 2."""
    damaged = tmp_path / "damaged.mobileconfig"
    damaged.write_bytes(b"<?xml version='1.0'?><plist><dict><key>A</key></plist>")
    missing = tmp_path / "missing.mobileconfig"
    target = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "editor.app.application", "--screenshot", str(target), str(damaged),
         str(missing)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if "propagateSizeHints" not in line]
    assert [line.split(": ", 1)[0] for line in lines] == [str(damaged), str(missing)]
    assert "Traceback" not in result.stderr
    assert not target.exists()


def test_version_flag() -> None:
    from editor import __version__

    result = subprocess.run(
        [sys.executable, "-m", "editor.app.application", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and __version__ in result.stdout


def test_payload_type_is_read_only(qtbot: Any, schema: Schema) -> None:
    document = Document(make_profile(IKEV2_PAYLOAD), schema)
    window = open_window(qtbot, document)
    window.select_path(("PayloadContent", 0))
    assert window.form is not None
    edit = window.form.rows["PayloadType"].field.focus_widget()
    assert isinstance(edit, QLineEdit) and edit.isReadOnly()
    assert window.form.rows["PayloadType"].unset.isHidden()
    # other text keys stay editable
    name = window.form.rows["PayloadDisplayName"].field.focus_widget()
    assert isinstance(name, QLineEdit) and not name.isReadOnly()


def test_readme_pictures_render(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parent.parent / "packaging" / "render_screenshots.py"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "images")],
        capture_output=True, text=True, env=env, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "images").iterdir())
    assert names == [
        "editor-ikev2.png", "editor-on-demand-dark.png", "export.png", "new-connection.png",
        "on-demand-try-it.png",
    ]  # fmt: skip
    for name in names:
        assert (tmp_path / "images" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_recovery_copy_is_written_when_typing_pauses(
    qtbot: Any, schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing the copy serializes the whole profile on the UI thread (about 120 ms for
    1000 payloads): it waits for a pause in the edits, not for a clock."""
    from editor.session import recovery

    monkeypatch.setattr(recovery, "AUTOSAVE_IDLE_MS", 600)
    document = Document(make_profile(IKEV2_PAYLOAD), schema)
    saver = recovery.Autosaver(document, tmp_path / "recovery")
    address = ("PayloadContent", 0, "IKEv2", "RemoteAddress")
    for n in range(12):  # a burst of typing in one field (one undo step), 30 ms a key
        document.set_value(address, f"vpn{n}.example.com", typing=True)
        qtbot.wait(30)
        assert not saver.data_path.exists(), n
    qtbot.waitUntil(saver.data_path.exists, timeout=2500)  # soon after the pause
    assert b"vpn11.example.com" in saver.data_path.read_bytes()
    assert document.undo_stack.count() == 1
    document.set_value(address, "typed.on.example.com", typing=True)  # the same undo step
    qtbot.waitUntil(lambda: b"typed.on" in saver.data_path.read_bytes(), timeout=2500)


def test_a_restored_document_gets_its_own_copy_without_an_edit(
    qtbot: Any, schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy a document was restored from is forgotten once it is shown: if the editor
    crashed again before the next edit, only the new copy would keep the work."""
    from editor.session import recovery

    monkeypatch.setattr(recovery, "AUTOSAVE_IDLE_MS", 200)
    folder = tmp_path / "recovery"
    document = Document(make_profile(IKEV2_PAYLOAD), schema)
    first = recovery.Autosaver(document, folder)
    document.set_value(("PayloadContent", 0, "IKEv2", "RemoteAddress"), "kept.example.com")
    assert first.write_if_needed()
    first.timer.stop()
    (entry,) = recovery.leftover_files(folder)
    restored = recovery.restore(entry, schema)
    saver = recovery.Autosaver(restored, folder)
    recovery.forget(entry)  # as the start does once the window shows
    qtbot.waitUntil(saver.data_path.exists, timeout=3000)
    assert b"kept.example.com" in saver.data_path.read_bytes()


def test_the_recovery_copy_is_written_during_endless_typing(
    qtbot: Any, schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from editor.session import recovery

    monkeypatch.setattr(recovery, "AUTOSAVE_IDLE_MS", 400)
    monkeypatch.setattr(recovery, "AUTOSAVE_LONGEST_WAIT_S", 0.3)
    document = Document(make_profile(IKEV2_PAYLOAD), schema)
    saver = recovery.Autosaver(document, tmp_path / "recovery")
    for n in range(100):  # never a pause of 400 ms
        document.set_value(
            ("PayloadContent", 0, "IKEv2", "RemoteAddress"), f"h{n}.example.com", typing=True
        )
        qtbot.wait(30)
        if saver.data_path.exists():
            break
    assert saver.data_path.exists()


def test_next_start_offers_the_recovery_copy(
    qtbot: Any, qapp: Any, schema: Schema, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, dialogs: DialogRecorder,
) -> None:  # fmt: skip
    from editor.app.application import EditorApplication
    from editor.session import recovery

    folder = tmp_path / "recovery"
    monkeypatch.setattr(recovery, "recovery_dir", lambda: folder)
    document = Document(make_profile(IKEV2_PAYLOAD), schema, tmp_path / "work.mobileconfig")
    saver = recovery.Autosaver(document, folder)
    document.set_value(("PayloadContent", 0, "IKEv2", "RemoteAddress"), "kept.example.com")
    assert saver.write_if_needed()
    del saver, document  # the crash
    dialogs.answer = QMessageBox.StandardButton.Yes
    editor = EditorApplication(qapp)
    (window,) = editor.restore_leftovers()
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    assert any("did not close normally" in text for text in dialogs.texts("question"))
    assert str(tmp_path / "work.mobileconfig") in dialogs.texts("question")[0]
    address = window.document.value(("PayloadContent", 0, "IKEv2", "RemoteAddress"))
    assert address == "kept.example.com" and window.isWindowModified()
    assert recovery.leftover_files(folder) == []  # offered once, then forgotten


def test_uuid_fields_can_get_a_fresh_uuid(qtbot: Any, schema: Schema) -> None:
    payload = dict(IKEV2_PAYLOAD, PayloadUUID="")
    document = Document(make_profile(payload), schema)
    window = open_window(qtbot, document)
    window.select_path(("PayloadContent", 0))
    assert window.form is not None
    row = window.form.rows["PayloadUUID"]
    assert row.new_uuid is not None
    assert window.form.rows["PayloadIdentifier"].new_uuid is None  # not a UUID key
    window.select_path(("PayloadContent", 0, "IKEv2"))
    assert window.form is not None
    assert window.form.rows["PayloadCertificateUUID"].new_uuid is None  # a reference
    window.select_path(("PayloadContent", 0))
    assert window.form is not None
    row = window.form.rows["PayloadUUID"]
    assert row.new_uuid is not None
    qtbot.mouseClick(row.new_uuid, Qt.MouseButton.LeftButton)
    value = document.value(("PayloadContent", 0, "PayloadUUID"))
    assert re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", value)
    assert not [p for p in document.problems() if p.path == ("PayloadContent", 0, "PayloadUUID")]
    window.undo_action.trigger()
    assert document.value(("PayloadContent", 0, "PayloadUUID")) == ""


def test_next_problem_walks_the_panel_from_the_keyboard(qtbot: Any, schema: Schema) -> None:
    payload = dict(IKEV2_PAYLOAD, PayloadUUID="")
    payload["IKEv2"] = dict(IKEV2_PAYLOAD["IKEv2"], DeadPeerDetectionRate="Often")
    document = Document(make_profile(payload, PKCS12_PAYLOAD), schema)
    window = open_window(qtbot, document)
    rows = window.problems.row_count()
    assert rows >= 2
    paths = [window.problems.row_path(row) for row in range(rows)]
    window.next_problem_action.trigger()
    assert window.problems.list.currentIndex().row() == 0
    first = paths[0]
    assert window.form is not None and window.form.path == first[: len(window.form.path)]
    window.next_problem_action.trigger()
    assert window.problems.list.currentIndex().row() == 1
    window.previous_problem_action.trigger()
    window.previous_problem_action.trigger()
    assert window.problems.list.currentIndex().row() == rows - 1  # wraps around
    window.focus_problems_action.trigger()
    assert window.focusWidget() is window.problems.list
    window.focus_tree_action.trigger()
    assert window.focusWidget() is window.tree


def test_adding_a_payload_is_one_undo_step_even_without_payload_content(
    qtbot: Any, schema: Schema
) -> None:
    profile = Profile.new()
    profile.root.pop("PayloadContent", None)
    document = Document(profile, schema)
    index = document.add_payload({"PayloadType": "com.apple.security.root"}, "Add a root")
    assert index == 0 and len(document.profile.payloads) == 1
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Add a root"
    document.undo_stack.undo()
    assert "PayloadContent" not in document.profile.root


def test_tree_and_problem_icons_are_made_once(qtbot: Any, schema: Schema) -> None:
    """Each QStyle.standardIcon() call makes a new icon whose rendered pixmaps Qt never
    frees; asked for at every repaint, the tree grew memory by about 8 KB a repaint. The
    views must hand out the same icons every time."""
    document = Document(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD), schema)
    document.set_value(("PayloadContent", 0, "IKEv2", "RemoteAddress"), "not a host!")
    window = open_window(qtbot, document)
    decoration = Qt.ItemDataRole.DecorationRole
    for model in (window.model, window.problems.model):
        assert model.rowCount() > 0
        index = model.index(0, 0)
        keys = {model.data(index, decoration).cacheKey() for _ in range(3)}
        assert len(keys) == 1, model
    window.select_path(("PayloadContent", 0))
    window.select_path(())
    root = window.model.index(0, 0)
    for row in range(window.model.rowCount(root)):
        child = window.model.index(row, 0, root)
        keys = {window.model.data(child, decoration).cacheKey() for _ in range(3)}
        assert len(keys) == 1, row


def test_a_closed_window_is_freed_without_waiting_for_the_collector(qtbot: Any, qapp: Any) -> None:
    """A closed window's document sits in reference cycles; the editor collects them when
    the window is gone instead of leaving them to Python's rare full collections."""
    import gc
    import weakref

    from editor.app.application import EditorApplication

    editor = EditorApplication(qapp)
    window = editor.new_window()
    assert isinstance(window, MainWindow)
    window.select_path(("PayloadContent",))
    document = weakref.ref(window.document)
    gc.disable()  # only the editor's own collection may free the cycles
    try:
        window.close()
        del window
        qtbot.waitUntil(lambda: document() is None, timeout=3000)
    finally:
        gc.enable()
    assert editor.windows == []


def _random_session(profile: Path, seed: int, steps: int, tmp_path: Path) -> None:
    """Run tests/helpers/random_session.py on `profile` in a fresh editor process and check it."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    script = Path(__file__).resolve().parent / "helpers" / "random_session.py"
    done = subprocess.run(
        [sys.executable, str(script), str(profile), str(seed), str(steps)],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["undo_restores"] is True
    assert sum(result["counts"].values()) == steps and len(result["counts"]) == 11
    assert result["typing_checks"] > 0
    assert result["typing_failures"] == []


@pytest.mark.parametrize("seed", [1, 2])
def test_a_random_editing_session_survives_and_undoes_to_the_byte(
    tmp_path: Path, seed: int
) -> None:
    """Hundreds of random clicks, keystrokes, undos, redos, added and removed payloads in
    a fresh editor process: no crash, no error, and undoing it all gives back the profile
    as it was read, byte for byte once written."""
    profile = tmp_path / "profile.mobileconfig"
    profile.write_bytes(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD).to_bytes("xml"))
    _random_session(profile, seed, 250, tmp_path)


def test_a_random_editing_session_on_a_real_profile(corpus_dir: Path, tmp_path: Path) -> None:
    """The same on a real profile that mixes VPN with payloads the schema does not know
    (web content filter, privacy preferences, system extensions, notifications)."""
    _random_session(
        corpus_dir / "kandji-support__forticlient_settings.mobileconfig", 3, 250, tmp_path
    )


_CRASHING_SESSION = """
import os, sys
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
app = QApplication([])
from editor.app.application import EditorApplication
editor = EditorApplication(app)
(window,) = editor.open_paths([sys.argv[1]])
window.select_path(("PayloadContent", 0, "IKEv2"))
edit = window.form.rows["RemoteAddress"].field.focus_widget()
edit.setFocus()
edit.selectAll()
QTest.keyClicks(edit, "typed-before")
QTest.qWait(2500)  # a pause in the typing: the recovery copy is written
QTest.keyClicks(edit, "-the-crash.example.com")  # the same field: the same undo step
QTest.qWait(2500)
os._exit(9)  # the crash: no close, no clean-up
"""

_NEXT_START = """
import sys
from PySide6.QtWidgets import QApplication, QMessageBox
app = QApplication([])
QMessageBox.question = lambda *args, **kwargs: QMessageBox.StandardButton.Yes
from editor.app.application import EditorApplication
editor = EditorApplication(app)
(window,) = editor.restore_leftovers()
print(window.document.value(("PayloadContent", 0, "IKEv2", "RemoteAddress")))
print(window.document.path, window.isWindowModified())
"""


def test_typing_survives_a_crash_into_the_next_start(tmp_path: Path) -> None:
    """Real processes: type, pause, die without closing; the next start offers the work."""
    profile = tmp_path / "work.mobileconfig"
    profile.write_bytes(make_profile(IKEV2_PAYLOAD).to_bytes("xml"))
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    crashed = subprocess.run(
        [sys.executable, "-c", _CRASHING_SESSION, str(profile)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert crashed.returncode == 9, crashed.stderr[-2000:]
    restarted = subprocess.run(
        [sys.executable, "-c", _NEXT_START],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert restarted.returncode == 0, restarted.stderr[-2000:]
    value, path_and_state = restarted.stdout.strip().splitlines()[-2:]
    assert value == "typed-before-the-crash.example.com"
    assert path_and_state == f"{profile} True"


def test_typing_does_not_keep_every_keystrokes_closures(qtbot: Any, schema: Schema) -> None:
    """Keystrokes in one field merge into one undo step. Qt deletes each merged command,
    but PySide6 keeps its Python object: it must not keep the keystroke's closures and
    values too (about 1.2 KB a keystroke for the rest of the session)."""
    import gc

    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD), schema))
    window.select_path(("PayloadContent", 0, "IKEv2"))
    edit = window.form.rows["RemoteAddress"].field.focus_widget()
    edit.setFocus()
    QTest.keyClicks(edit, "a" * 60)
    assert window.document.undo_stack.count() == 1  # one undo step
    gc.collect()
    closures = [
        f
        for f in gc.get_objects()
        if type(f).__name__ == "function" and f.__qualname__.startswith("Document.set_value.")
    ]
    assert len(closures) <= 4, len(closures)  # the surviving command's redo and undo
    window.document.undo_stack.undo()
    assert (
        window.document.value(("PayloadContent", 0, "IKEv2", "RemoteAddress"))
        == (IKEV2_PAYLOAD["IKEv2"]["RemoteAddress"])
    )


def test_strict_type_checking_from_the_view_menu(qtbot: Any, schema: Schema) -> None:
    """<true/> for an integer flag is a warning; View ▸ Strict Type Checking makes it an
    error, says so in the status bar, and is remembered for the next window."""
    payload = dict(IKEV2_PAYLOAD)
    payload["IKEv2"] = dict(IKEV2_PAYLOAD["IKEv2"], DisableMOBIKE=True)
    document = Document(make_profile(payload, PKCS12_PAYLOAD, ROOT_PAYLOAD), schema)
    window = open_window(qtbot, document)
    path = ("PayloadContent", 0, "IKEv2", "DisableMOBIKE")

    def severity() -> Severity:
        [problem] = [p for p in document.problems() if p.path == path]
        return problem.severity

    assert severity() is Severity.WARNING
    assert "strict" not in window.status.text()
    bar = window.menuBar()
    [view] = [a for a in bar.actions() if a.text() == "&View"]
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(view).center())
    menu = view.menu()
    qtbot.waitUntil(menu.isVisible)
    item = menu.actionGeometry(window.strict_action).center()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=item)
    qtbot.waitUntil(lambda: severity() is Severity.ERROR)
    assert "1 error(s)" in window.status.text() and "strict types" in window.status.text()
    second = open_window(qtbot, Document(make_profile(payload, PKCS12_PAYLOAD), schema))
    assert second.strict_action.isChecked() and second.document.strict
    window.strict_action.trigger()  # off again
    assert severity() is Severity.WARNING and "strict" not in window.status.text()
