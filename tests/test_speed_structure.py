"""What keeps the editor and the CLI fast, checked without timing anything.

Timings are the job of benchmarks/run.py; these tests protect the properties the
timings rest on: what the CLI and the editor import, that a keystroke re-checks only
its own payload and updates the tree and the problems panel in place, that the fast
XML reader reads what the careful one reads, and that slow work leaves the UI thread.
"""

from __future__ import annotations

import copy
import json
import os
import plistlib
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit

from editor.app.main_window import MainWindow
from editor.core import plistxml
from editor.core.model import Profile, new_uuid
from editor.core.plisttypes import same_plist_value
from editor.core.schema import Schema
from editor.session import document as document_module
from editor.session.document import Document
from editor.ui import busy
from editor.ui.problems_panel import ProblemsModel

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import profiles  # noqa: E402

QT_AND_CRYPTO = ("PySide6", "shiboken6", "cryptography", "asn1crypto")


@pytest.fixture(scope="module")
def bench_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return profiles.write_profile(tmp_path_factory.mktemp("bench"), 30)


def _modules_after(code: str, *args: str) -> list[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


# --- imports ---------------------------------------------------------------------------


def test_a_start_with_no_editor_running_loads_no_qtnetwork(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the socket is a file, a missing file is answer enough; QtNetwork (several
    milliseconds) loads only when the window is up and the editor starts listening."""
    code = (
        "import os, sys\nfrom editor.app import single_instance\n"
        "claim = single_instance.hand_over(['x.mobileconfig'])\n"
        "assert claim is not None\n"
        "assert os.path.exists(single_instance.lock_path(claim.name))  # held until listening\n"
        "claim.release()"
    )
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))  # the child inherits it
    loaded = _modules_after(code)
    assert "PySide6.QtCore" in loaded
    assert "PySide6.QtNetwork" not in loaded
    assert "uuid" not in loaded and "hashlib" not in loaded


def test_the_cycle_collector_waits_for_the_first_window(tmp_path: Path) -> None:
    """Off while starting (many objects, no garbage), back on once the window is shown,
    with what the start made settled in the oldest generation, and nothing left frozen
    (frozen objects are never collected: a window closed later would leak)."""
    code = (
        "import gc, json\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "qt_app = QApplication([])\n"
        "from editor.app import application as app\n"
        "from editor.app.main_window import MainWindow\n"
        "seen = {}\n"
        "built = MainWindow.__init__\n"
        "def watched(self, *args, **kwargs):\n"
        "    seen['while building'] = gc.isenabled()\n"
        "    built(self, *args, **kwargs)\n"
        "MainWindow.__init__ = watched\n"
        "from editor.session import document\n"
        "settle = document.settle_objects\n"
        "def settled():\n"
        "    seen['settled while'] = gc.isenabled()\n"
        "    settle()\n"
        "document.settle_objects = settled\n"
        "def look():\n"
        "    seen['after'] = gc.isenabled()\n"
        "    seen['frozen'] = gc.get_freeze_count()\n"
        "    qt_app.closeAllWindows()\n"
        "    qt_app.quit()\n"
        "QTimer.singleShot(2500, look)\n"
        "assert app.main(['--new-instance']) == 0\n"
        "print(json.dumps(seen))"
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["while building"] is False
    assert seen["settled while"] is False  # before the collector came back
    assert seen["after"] is True
    assert seen["frozen"] == 0


def test_settled_objects_stay_collectable() -> None:
    import gc
    import weakref

    class Node:
        other: Any = None

    first, second = Node(), Node()
    first.other, second.other = second, first  # a cycle only the collector can free
    gone = weakref.ref(first)
    document_module.settle_objects()
    assert gc.get_freeze_count() == 0
    del first, second
    gc.collect()
    assert gone() is None


def test_opening_leaves_the_collector_as_it_was(
    qtbot: Any, schema: Schema, bench_file: Path
) -> None:
    import gc

    assert gc.isenabled()
    document = Document.read(bench_file, schema)
    assert document.profile.payloads
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_new_uuid_is_a_random_version_4_uuid() -> None:
    import uuid

    made = [new_uuid() for _ in range(200)]
    assert len(set(made)) == 200
    for text in made:
        parsed = uuid.UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert text == str(parsed).upper()


def test_cli_validate_loads_neither_qt_nor_cryptography(bench_file: Path) -> None:
    code = (
        "import io, sys\nfrom editor.cli import main as cli\n"
        "code = cli.main(['validate', sys.argv[1]], out=io.StringIO(), err=io.StringIO())\n"
        "assert code in (0, 1), code"
    )
    loaded = _modules_after(code, str(bench_file))
    assert [m for m in loaded if m.startswith(QT_AND_CRYPTO)] == []
    assert "plistlib" not in loaded  # XML is read by plistxml; plistlib only writes


def test_cli_convert_and_show_load_no_cryptography(bench_file: Path, tmp_path: Path) -> None:
    code = (
        "import io, sys\nfrom editor.cli import main as cli\n"
        "for argv in (['convert', sys.argv[1], sys.argv[2]], ['show', sys.argv[1]]):\n"
        "    assert cli.main(argv, out=io.StringIO(), err=io.StringIO()) == 0"
    )
    loaded = _modules_after(code, str(bench_file), str(tmp_path / "out.mobileconfig"))
    assert [m for m in loaded if m.startswith(QT_AND_CRYPTO)] == []


def test_editor_opens_a_profile_without_cryptography(bench_file: Path) -> None:
    code = (
        "import sys\nfrom PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from editor.core.schema_loader import load_schema\n"
        "from editor.app.main_window import MainWindow, open_document\n"
        "from pathlib import Path\n"
        "window = MainWindow(open_document(Path(sys.argv[1]), load_schema()))\n"
        "window.show(); app.processEvents()\n"
        "window.document.undo_stack.setClean()"
    )
    loaded = _modules_after(code, str(bench_file))
    assert "PySide6.QtWidgets" in loaded
    assert [m for m in loaded if m.startswith(("cryptography", "asn1crypto"))] == []
    assert "plistlib" not in loaded
    # the dialogs load when first opened, not with the window
    dialogs = (
        "editor.ui.dialogs.signing",
        "editor.ui.dialogs.certificate",
        "editor.ui.dialogs.connection",
    )
    assert [m for m in loaded if m in dialogs] == []
    assert "editor.app.main_window" in loaded


# --- a keystroke -------------------------------------------------------------------------


def _window_at_remote_address(qtbot: Any, schema: Schema, payloads: int, index: int) -> Any:
    document = Document(Profile(profiles.build_profile(payloads)), schema)
    window = MainWindow(document)
    qtbot.addWidget(window)
    window.show()
    node = ("PayloadContent", index, "IKEv2")
    window.select_path(node)
    assert window.form is not None and window.form.path == node
    edit = window.form.rows["RemoteAddress"].field.focus_widget()
    assert isinstance(edit, QLineEdit)
    edit.setFocus()
    edit.end(False)
    return window, edit


def _count(signal: Any) -> list[int]:
    seen = [0]

    def bump(*_args: object) -> None:
        seen[0] += 1

    signal.connect(bump)
    return seen


def test_typing_does_not_reset_the_tree_or_the_problems_panel(qtbot: Any, schema: Schema) -> None:
    window, edit = _window_at_remote_address(qtbot, schema, 40, 22)
    tree_resets = _count(window.model.modelReset)
    panel_resets = _count(window.problems.model.modelReset)
    qtbot.keyClicks(edit, " bad host")
    assert " " in window.document.value(("PayloadContent", 22, "IKEv2", "RemoteAddress"))
    assert tree_resets == [0]
    assert panel_resets == [0]
    # the problem did arrive, in place
    paths = {window.problems.row_path(r) for r in range(window.problems.row_count())}
    assert ("PayloadContent", 22, "IKEv2", "RemoteAddress") in paths
    window.document.undo_stack.setClean()


def test_editing_payload_k_rechecks_only_payload_k(
    qtbot: Any, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, edit = _window_at_remote_address(qtbot, schema, 40, 30)
    checked: list[int] = []
    profile_level: list[int] = []
    real_payload = document_module.validate_payload
    real_profile = document_module.validate_profile_level

    def payload_spy(profile: Profile, index: int, *args: Any) -> Any:
        checked.append(index)
        return real_payload(profile, index, *args)

    def profile_spy(*args: Any) -> Any:
        profile_level.append(1)
        return real_profile(*args)

    monkeypatch.setattr(document_module, "validate_payload", payload_spy)
    monkeypatch.setattr(document_module, "validate_profile_level", profile_spy)
    qtbot.keyClicks(edit, "x y")
    assert checked == [30, 30, 30]
    assert profile_level == []  # deferred until typing pauses …
    qtbot.waitUntil(lambda: profile_level == [1], timeout=3000)  # … then run once
    window.document.undo_stack.setClean()


def test_incremental_views_equal_a_rebuild_after_many_edits(qtbot: Any, schema: Schema) -> None:
    """After edits, undos and structural changes, the panel's rows, the tree's counts and
    the document's tallies equal what a full rebuild gives."""
    document = Document(Profile(profiles.build_profile(12)), schema)
    window = MainWindow(document)
    qtbot.addWidget(window)
    window.show()
    window.problems.show_info.setChecked(True)
    rng = random.Random(5)
    values = ["", "bad host", "vpn.example.com", "1.2.3.4", "$EMAIL$", 7, True]
    for step in range(60):
        index = 2 + rng.randrange(12)
        action = rng.random()
        if action < 0.6:
            key = rng.choice(["RemoteAddress", "LocalIdentifier", "AuthenticationMethod", "MTU"])
            document.set_value(("PayloadContent", index, "IKEv2", key), rng.choice(values))
        elif action < 0.75:
            document.undo_stack.undo()
        elif action < 0.85:
            document.insert_item(
                ("PayloadContent", index, "IKEv2", "OnDemandRules"), 0, {"Action": "Allow"}
            )
        elif action < 0.9:
            document.set_value(("PayloadContent", index, "PayloadUUID"), "DUPLICATE")
        else:
            document._recheck_profile_level()
        if step % 10 == 9:
            _assert_views_match_rebuild(window, document)
    document._recheck_profile_level()
    _assert_views_match_rebuild(window, document)
    document.undo_stack.setClean()


def _assert_views_match_rebuild(window: Any, document: Document) -> None:
    fresh = ProblemsModel(document)
    fresh.show_info = window.problems.model.show_info
    fresh.rebuild()
    panel = window.problems.model
    assert [panel.problem(r) for r in range(panel.rowCount())] == [
        fresh.problem(r) for r in range(fresh.rowCount())
    ]
    counts = dict(window.model._counts)
    window.model._recount()
    assert {k: v for k, v in counts.items() if v != [0, 0]} == window.model._counts
    tallies = document.problem_counts()
    document._recount()
    assert tallies == document.problem_counts()
    for index in range(len(document.profile.payloads)):
        path = ("PayloadContent", index)
        assert document.problems_under(path) == [
            p for p in document.problems() if p.path[:2] == path
        ]


# --- slow work off the UI thread -------------------------------------------------------------


def test_open_and_save_run_off_the_ui_thread(
    qtbot: Any, schema: Schema, bench_file: Path, tmp_path: Path
) -> None:
    """The window hands the session its runner: opening and saving run in a worker."""
    from PySide6.QtCore import QSettings

    from editor.app.main_window import open_document

    bench_file = Path(shutil.copy(bench_file, tmp_path / bench_file.name))
    busy.last_worker = None
    document = open_document(bench_file, schema)
    assert busy.last_worker is not None and busy.last_worker is not threading.main_thread()
    assert len(document.profile.payloads) == 32
    assert document.problems() == Document(Profile.read(bench_file), schema).problems()
    window = MainWindow(document, QSettings())
    qtbot.addWidget(window)
    document.set_value(("PayloadDisplayName",), "Saved by the window")
    busy.last_worker = None
    assert window.save()
    assert busy.last_worker is not None and busy.last_worker is not threading.main_thread()
    assert same_plist_value(Profile.read(bench_file).root, document.profile.root)


def test_the_session_runs_work_where_it_is_told(
    schema: Schema, bench_file: Path, tmp_path: Path
) -> None:
    """Without a window the session reads in the calling thread (it opens no dialog)."""
    busy.last_worker = None
    threads: list[str] = []

    def runner(label: str, work: Any) -> Any:
        threads.append(label)
        return work()

    document = Document.read(bench_file, schema, runner)
    document.save(tmp_path / "saved.mobileconfig", "xml", runner=runner)
    assert threads == [f"Opening {bench_file.name}", "Saving saved.mobileconfig"]
    assert busy.last_worker is None


def test_errors_in_background_work_reach_the_caller(qtbot: Any, tmp_path: Path) -> None:
    from editor.core.plistio import ProfileReadError

    broken = tmp_path / "broken.mobileconfig"
    broken.write_bytes(b"<plist><dict><key>A</key></dict></plist>")
    with pytest.raises(ProfileReadError, match="no value"):
        Document.read(broken, None)  # type: ignore[arg-type]


def _survives(code: str, timeout: int = 120) -> None:
    """Run `code` in a fresh Python process (offscreen): it must end and print 'alive'."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
        check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-500:]
    assert "alive" in done.stdout


def test_many_signal_emissions_do_not_crash_the_interpreter() -> None:
    """PySide6 6.12's emit() loses a reference to True each time (see pyside_fixes)."""
    code = (
        "from PySide6.QtCore import QObject, Signal\n"
        "from editor.session import pyside_fixes\npyside_fixes.apply()\n"
        "class O(QObject):\n    s = Signal(int)\n"
        "o = O()\nfor n in range(200_000):\n    o.s.emit(n)\nprint('alive')\n"
    )
    _survives(code)


def test_many_calls_of_qt_methods_that_return_nothing_do_not_crash() -> None:
    """PySide6 6.12 loses a reference to None at each such call (see pyside_fixes): a long
    editing session made the interpreter abort with "deallocating None"."""
    code = (
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([])\n"
        "from editor.session import pyside_fixes\npyside_fixes.apply()\n"
        "label = QLabel()\n"
        "for n in range(300_000):\n"
        "    label.setText('x')\n    label.setVisible(False)\n    label.setEnabled(True)\n"
        "print('alive')\n"
    )
    _survives(code)


def test_a_long_typing_session_does_not_crash_the_editor() -> None:
    """1500 keystrokes into a form of a new profile, in a fresh process as a user's: before
    the None guard the interpreter aborted after about 400."""
    code = (
        "import sys\nfrom PySide6.QtCore import Qt\nfrom PySide6.QtTest import QTest\n"
        "from PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
        "from editor.core.model import Profile\nfrom editor.core.schema_loader import load_schema\n"
        "from editor.session.document import Document\n"
        "from editor.app.main_window import MainWindow\n"
        "window = MainWindow(Document(Profile.new(), load_schema()))\n"
        "window.show(); app.processEvents()\n"
        "edit = window.form.rows['PayloadDisplayName'].field.focus_widget()\n"
        "edit.setFocus()\n"
        "for n in range(1500):\n"
        "    if n % 50 == 49:\n"
        "        QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)\n"
        "        QTest.keyClick(edit, Qt.Key.Key_Backspace)\n"
        "    else:\n        QTest.keyClicks(edit, 'ab'[n % 2])\n"
        "    app.processEvents()\n"
        "print('alive', len(edit.text()))\n"
    )
    _survives(code, timeout=300)


# --- the fast XML reader ------------------------------------------------------------------


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def _outcome(read: Any, data: bytes) -> Any:
    try:
        return ("value", _typed(read(data)))
    except plistxml.PlistXMLError as exc:
        return ("error", str(exc))


_TEXTS = ["", "a", " spaced ", "&<>\"'", "]]>", "\r\n", "\r", "é€𝄞", "--", "<!--", "\t\n"]


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.2:
        return {rng.choice(_TEXTS) + str(n): _random_value(rng, depth + 1) for n in range(3)}
    if depth < 3 and roll < 0.3:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return rng.choice(
        [
            rng.choice(_TEXTS),
            rng.randrange(-(2**63), 2**64),
            rng.random() * 10 ** rng.randrange(-5, 300),
            rng.random() < 0.5,
            rng.randbytes(rng.randrange(20)),
        ]
    )


_VARIANTS = [
    lambda d: d,
    lambda d: d.replace(b"\n", b"\r\n"),
    lambda d: d.replace(b"<dict>", b"<dict><!-- a comment -->", 1),
    lambda d: d.replace(b"<key>", b"<!-- bad -- comment --><key>", 1),
    lambda d: d.replace(b"<string>", b"<string>&#x41;&amp;", 1),
    lambda d: d.replace(b"<string>", b"<string>&#0;", 1),
    lambda d: d.replace(b"<string>", b"<string>&nbsp;", 1),
    lambda d: d.replace(b"<string>", b"<string><![CDATA[x]]>", 1),
    lambda d: d.replace(b"</array>", b"</dict>", 1),
    lambda d: d.replace(b"</key>", b"</key><key>again</key>", 1),
    lambda d: d.replace(b"<true/>", b"<true />"),
    lambda d: d.replace(b'"-//Apple//DTD PLIST 1.0//EN"', b"'-//Apple//DTD PLIST 1.0//EN'"),
    lambda d: d.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"'),
    lambda d: d.replace(b"<plist", b"<!DOCTYPE x [<!ENTITY e 'y'>]><plist", 1),
    lambda d: d + b"<!-- after -->\n",
    lambda d: d.replace(b"</plist>", b"</plist>text"),
    lambda d: d.replace(b"<integer>", b"<integer> 0x", 1),
    lambda d: d.replace(b"<data>", b"<data>!", 1),
]


def test_fast_reader_reads_exactly_what_the_careful_reader_reads() -> None:
    rng = random.Random(20261101)
    fast_taken = 0
    for _ in range(400):
        root = {"Root": _random_value(rng)}
        data = plistlib.dumps(root, sort_keys=False)
        for variant in _VARIANTS:
            variant_data = variant(data)
            careful = _outcome(plistxml.parse_xml_plist_carefully, variant_data)
            assert _outcome(plistxml.parse_xml_plist, variant_data) == careful
            try:
                fast = ("value", _typed(plistxml._parse_plain(variant_data)))
            except plistxml._NotPlain:
                continue
            fast_taken += 1
            assert fast == careful, variant_data[:300]
        # damaged copies: a few bytes changed
        for _ in range(3):
            damaged = bytearray(data)
            spot = rng.randrange(len(damaged))
            damaged[spot : spot + rng.randrange(1, 4)] = rng.choice([b"<", b"&", b"/", b"x"])
            assert _outcome(plistxml.parse_xml_plist, bytes(damaged)) == _outcome(
                plistxml.parse_xml_plist_carefully, bytes(damaged)
            )
    assert fast_taken > 1000  # the fast reader does read most documents


def test_plistlib_output_takes_the_fast_path() -> None:
    data = profiles.profile_bytes(3)
    assert same_plist_value(plistxml._parse_plain(data), plistlib.loads(data))


def test_the_careful_reader_still_words_the_errors() -> None:
    data = b'<?xml version="1.0"?>\n<plist>\n<dict>\n<key>A</key><true/>\n<key>A</key>'
    data += b"<false/>\n</dict>\n</plist>\n"
    with pytest.raises(plistxml.PlistXMLError, match=r"line 6: key 'A' has no value"):
        plistxml.parse_xml_plist(data.replace(b"<false/>", b""))


def test_a_key_given_twice_is_read_by_the_careful_reader_with_both_lines() -> None:
    data = b'<?xml version="1.0"?>\n<plist>\n<dict>\n<key>A</key><true/>\n<key>B</key>'
    data += b"<array><dict><key>C</key><integer>1</integer>\n<key>C</key><integer>2</integer>"
    data += b"</dict></array>\n<key>A</key>\n<false/>\n</dict>\n</plist>\n"
    with pytest.raises(plistxml._NotPlain):
        plistxml._parse_plain(data)  # the fast reader leaves it to the careful one
    root, duplicates = plistxml.parse_xml_plist_noting(data)
    assert root == {"A": False, "B": [{"C": 2}]}
    assert list(root) == ["A", "B"]
    assert duplicates == [
        plistxml.DuplicateKey(("B", 0, "C"), 5, 6),
        plistxml.DuplicateKey(("A",), 4, 7),
    ]


def test_deep_nesting_is_refused_by_both_readers() -> None:
    depth = plistxml.MAX_DEPTH
    data = b"<plist>" + b"<array>" * depth + b"<array/>" + b"</array>" * depth + b"</plist>"
    with pytest.raises(plistxml.PlistXMLError, match="nesting deeper"):
        plistxml.parse_xml_plist(data)


# --- the benchmark script ---------------------------------------------------------------------


def test_benchmark_script_runs_every_row(tmp_path: Path) -> None:
    """A tiny run (10 payloads, one repetition): the script works; no time is judged."""
    out = tmp_path / "results.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| what | ours | floor | ratio | goal | met? |" in done.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    keys = {row["key"] for row in results["rows"]}
    assert {
        "start", "open", "memory", "keystroke", "validate", "corpus", "sign", "session",
        "binary-read", "binary-write",
    } <= keys  # fmt: skip
    for row in results["rows"]:
        if not row["skipped"]:
            assert row["ours_median"] is not None and row["floor_median"] is not None, row
    assert results["machine"]["cores"] == os.cpu_count()


def test_generated_profile_is_deterministic_and_realistic(schema: Schema) -> None:
    from editor.core.validation.engine import validate_profile
    from editor.core.validation.problems import Severity

    assert profiles.profile_bytes(5) == profiles.profile_bytes(5)
    root = profiles.build_profile(60)
    assert len(root["PayloadContent"]) == 62
    problems = validate_profile(Profile(copy.deepcopy(root)), schema)
    assert not [p for p in problems if p.severity is Severity.ERROR]
    payload = root["PayloadContent"][2]
    assert {"IKEv2", "DNS", "Proxies"} <= set(payload)
    assert payload["IKEv2"]["OnDemandRules"]


def test_quick_import_check_answers_as_pysides_own(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import json as json_module

    from editor.session import pyside_fixes

    feature = sys.modules["shibokensupport.feature"]
    original = feature._mod_uses_pyside
    monkeypatch.setattr(feature, "_mod_uses_pyside", original)  # restored afterwards
    assert pyside_fixes.quicken_import_check()
    quick = feature._mod_uses_pyside
    assert quick is not original
    assert not pyside_fixes.quicken_import_check()  # once is enough
    modules = [
        importlib.import_module(name)
        for name in ("editor.ui.form", "editor.app.main_window", "editor.core.model")
    ]
    modules += [json_module, sys, importlib, pyside_fixes]
    answers = [quick(module) for module in modules]
    assert answers == [original(module) for module in modules]
    assert answers[:3] == [True, True, False]  # the editor's windows use PySide6, the core not


def test_a_closed_window_frees_its_document_after_later_opens(
    qtbot: Any, schema: Schema, bench_file: Path
) -> None:
    """Opening a file settles the collector's objects; a window opened before must still
    be freed when it closes (objects left frozen never would be)."""
    import gc
    import weakref

    from PySide6.QtCore import QCoreApplication, QEvent

    first = MainWindow(Document.read(bench_file, schema))
    first.show()
    gone = weakref.ref(first.document)
    second = MainWindow(Document.read(bench_file, schema))  # settles `first` too
    qtbot.addWidget(second)
    first.document.undo_stack.setClean()
    first.close()
    del first
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    assert gone() is None
