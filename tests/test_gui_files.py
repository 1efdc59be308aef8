"""Files in the editor's windows: one window per file, window placement, colours.

Each test works the window as a person does (shortcuts, the file dialog answered).
"""

from __future__ import annotations

import os
import plistlib
from pathlib import Path
from typing import Any

import pytest
from helpers.profiles import IKEV2_PAYLOAD, make_profile
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog

from editor.app import single_instance
from editor.app.application import EditorApplication

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")


@pytest.fixture
def editor(qapp: Any) -> Any:
    application = EditorApplication(qapp)
    yield application
    for window in list(application.windows):
        window.close()  # type: ignore[attr-defined]
        window.deleteLater()  # type: ignore[attr-defined]


def press_open(qtbot: Any, window: Any) -> None:
    """Ctrl+O in the window, sent to what has the keyboard focus there."""
    window.activateWindow()
    window.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    target = QApplication.focusWidget() or window
    QTest.keyClick(target, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)


def choose_in_open_dialog(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> list[int]:
    """Answer the Open dialog with these files; the list counts the times it was shown."""
    shown: list[int] = []

    def answer(*_args: Any, **_kwargs: Any) -> tuple[list[str], str]:
        shown.append(1)
        return [str(path) for path in paths], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(answer))
    return shown


def test_opening_an_open_file_raises_its_window(
    qtbot: Any, editor: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "office.mobileconfig"
    make_profile(IKEV2_PAYLOAD).save(path)
    link = tmp_path / "link.mobileconfig"
    os.symlink(path, link)
    (first,) = editor.open_paths([str(path)])
    qtbot.waitExposed(first)
    blank = editor.new_window()
    qtbot.waitExposed(blank)

    raised: list[Any] = []
    monkeypatch.setattr(single_instance, "bring_to_front", raised.append)
    for chosen in (path, link):  # the same file by its name and through a link
        shown = choose_in_open_dialog(monkeypatch, chosen)
        press_open(qtbot, blank)
        assert shown == [1]
        assert len(editor.windows) == 2
        assert raised[-1] is first

    other = tmp_path / "other.mobileconfig"
    make_profile(IKEV2_PAYLOAD).save(other)
    choose_in_open_dialog(monkeypatch, other)
    press_open(qtbot, blank)
    assert len(editor.windows) == 3
    assert len(raised) == 2


def test_a_new_window_opens_as_the_last_one_closed(qtbot: Any, editor: Any) -> None:
    first = editor.new_window()
    qtbot.waitExposed(first)
    first.resize(620, 430)  # as the window system does when a person drags the corner
    first.move(60, 40)
    problems = first.findChild(QDockWidget)
    assert problems is not None and problems.isVisible()
    toggle = problems.toggleViewAction()
    first.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first)
    toggle.trigger()  # View ▸ the problems panel, unticked
    assert not problems.isVisible()
    size = (first.width(), first.height())
    first.close()
    qtbot.waitUntil(lambda: first not in editor.windows)

    second = editor.new_window()
    qtbot.waitExposed(second)
    assert (second.width(), second.height()) == size
    assert (second.x(), second.y()) == (60, 40)
    dock = second.findChild(QDockWidget)
    assert dock is not None and not dock.isVisible()

    third = editor.new_window()  # a second window at once is set off, not on top
    qtbot.waitExposed(third)
    assert (third.x(), third.y()) != (second.x(), second.y())


# --- a decrypted profile is never written over its encrypted file unasked ------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from helpers.pki import build_pki

    return build_pki(tmp_path_factory.mktemp("pki-files"))


def answer_next_save_dialog(qtbot: Any, keys: list[str], seen: list[str]) -> None:
    """When the Save dialog of a decrypted profile opens, read what it says and press
    the keys a person would ("Return", "Escape", "Alt+D"), each to what has the focus."""
    from editor.ui.dialogs.signing import QLabel, SaveAgainDialog

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SaveAgainDialog) or not dialog.isActiveWindow():
            if isinstance(dialog, SaveAgainDialog):
                dialog.activateWindow()
            QTimer.singleShot(20, answer)
            return
        seen.append(dialog.findChild(QLabel).text())
        for key in keys:
            combination = QKeySequence(key)[0]
            QTest.keyClick(
                QApplication.focusWidget() or dialog,
                combination.key(),
                combination.keyboardModifiers(),
            )
            QTest.qWait(150)  # a mnemonic clicks its button after a moment

    QTimer.singleShot(0, answer)


def open_and_decrypt(qtbot: Any, schema: Any, pki: Any, tmp_path: Path) -> tuple[Any, Path]:
    from cryptography import x509
    from helpers.gui import open_window, pem_identity_dialog

    from editor.core.encryption import encrypt_profile
    from editor.core.model import Profile
    from editor.core.plistio import serialize_plist
    from editor.session.document import Document

    recipient = x509.load_pem_x509_certificate(pki.path("leaf.pem").read_bytes())
    path = tmp_path / "device.mobileconfig"
    plain = make_profile(IKEV2_PAYLOAD).root
    path.write_bytes(serialize_plist(encrypt_profile(plain, [recipient]), "xml"))
    window = open_window(qtbot, Document(Profile.read(path), schema, path))
    window.signing.identity_dialog = pem_identity_dialog(window, pki)
    QTest.mouseClick(window.banner.decrypt_button, Qt.MouseButton.LeftButton)
    assert "PayloadContent" in window.document.profile.root
    assert "(decrypted)" in window.windowTitle()
    return window, path


def test_a_form_let_go_of_never_comes_up_as_a_window(
    qtbot: Any, schema: Any, pki: Any, tmp_path: Path
) -> None:
    """Decrypting rebuilds the form; the old one once showed as a window of its own."""
    window, _path = open_and_decrypt(qtbot, schema, pki, tmp_path)
    for _ in range(3):
        QApplication.processEvents()
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert shown == [window]


def press_save(qtbot: Any, window: Any) -> None:
    window.activateWindow()
    window.raise_()
    # widgets the window let go of are deleted between a person's keystrokes
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QTest.keyClick(
        QApplication.focusWidget() or window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )


def test_saving_decrypted_payloads_asks_and_encrypts_again(
    qtbot: Any, schema: Any, pki: Any, tmp_path: Path
) -> None:
    from editor.core.encryption import decrypt_profile
    from editor.core.model import Profile
    from editor.core.signing import load_pem_identity

    window, path = open_and_decrypt(qtbot, schema, pki, tmp_path)
    window.document.set_value(("PayloadContent", 0, "UserDefinedName"), "Edited")
    seen: list[str] = []
    answer_next_save_dialog(qtbot, ["Return"], seen)  # Save: encrypt again, the default
    press_save(qtbot, window)
    assert seen and "plain text" in seen[0] and "Test Signer RSA" in seen[0]
    saved = Profile.read(path).root
    assert "PayloadContent" not in saved and "EncryptedPayloadContent" in saved
    identity = load_pem_identity(pki.path("leaf.key"), pki.path("leaf.pem"))
    opened = decrypt_profile(saved, identity)
    assert opened["PayloadContent"][0]["UserDefinedName"] == "Edited"
    assert not window.isWindowModified()


def test_saving_decrypted_payloads_can_go_to_a_new_name_or_be_cancelled(
    qtbot: Any, schema: Any, pki: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, path = open_and_decrypt(qtbot, schema, pki, tmp_path)
    encrypted = path.read_bytes()
    seen: list[str] = []
    answer_next_save_dialog(qtbot, ["Escape"], seen)
    press_save(qtbot, window)
    assert len(seen) == 1 and path.read_bytes() == encrypted
    assert window.isWindowModified()

    plain_path = tmp_path / "device.decrypted.mobileconfig"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(plain_path), ""))
    )
    answer_next_save_dialog(qtbot, ["Alt+D", "Return"], seen)  # Save the decrypted profile As…
    press_save(qtbot, window)
    assert len(seen) == 2 and path.read_bytes() == encrypted
    assert "PayloadContent" in plistlib.loads(plain_path.read_bytes())


# --- problem colours readable in light and dark palettes -------------------------------------


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def dark_palette(window: str = "#2b2b2b", base: str = "#1f1f1f") -> QPalette:
    """A dark palette as desktops give one (the README's pictures use the first)."""
    palette = QPalette()
    for role, color in {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#3a3a3a",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
    }.items():
        palette.setColor(role, QColor(color))
    return palette


def test_problem_colours_reach_4_5_to_1_in_light_and_dark_palettes(qapp: Any) -> None:
    from editor.core.validation.problems import Severity
    from editor.ui.colors import is_dark, severity_color

    light = QApplication.style().standardPalette()
    darks = [dark_palette(), dark_palette("#353535", "#2a2a2a"), dark_palette("#1e1e1e", "#000000")]
    assert not is_dark(light) and all(is_dark(dark) for dark in darks)
    for palette in (light, *darks):
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            background = palette.color(role)
            for severity in Severity:
                color = QColor(severity_color(severity, palette))
                ratio = contrast(color, background)
                assert ratio >= 4.5, (severity, background.name(), color.name(), ratio)


def test_the_tree_draws_errors_in_the_dark_colour_under_a_dark_palette(
    qtbot: Any, schema: Any, qapp: Any
) -> None:
    from helpers.gui import open_window

    from editor.session.document import Document
    from editor.ui.colors import DARK_COLORS

    payload = dict(IKEV2_PAYLOAD, IKEv2={"RemoteAddress": ""})  # errors: empty and missing keys
    before = qapp.palette()
    qapp.setPalette(dark_palette())
    try:
        window = open_window(qtbot, Document(make_profile(payload), schema))
        index = window.model.index_for_path(("PayloadContent", 0)).siblingAtColumn(1)
        brush = window.model.data(index, Qt.ItemDataRole.ForegroundRole)
        from editor.core.validation.problems import Severity

        assert QColor(brush).name() == DARK_COLORS[Severity.ERROR]
    finally:
        qapp.setPalette(before)


def test_target_platforms_are_kept_with_the_file(
    qtbot: Any, editor: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from editor.ui.dialogs import targets as targets_dialog

    path = tmp_path / "office.mobileconfig"
    make_profile(IKEV2_PAYLOAD).save(path)
    other = tmp_path / "other.mobileconfig"
    make_profile(IKEV2_PAYLOAD).save(other)
    (window,) = editor.open_paths([str(path)])
    qtbot.waitExposed(window)

    def choose_ios_17_and_macos_14(dialog: Any) -> int:
        """What a person does in the dialog: tick two platforms, type their versions, OK."""
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        for platform, version in (("iOS", "17"), ("macOS", "14")):
            QTest.mouseClick(dialog.checks[platform], Qt.MouseButton.LeftButton)
            QTest.mouseClick(dialog.versions[platform], Qt.MouseButton.LeftButton)
            for key in version:
                QTest.keyClicks(QApplication.focusWidget(), key)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        return int(dialog.result())

    monkeypatch.setattr(targets_dialog.TargetsDialog, "exec", choose_ios_17_and_macos_14)
    window.targets_action.trigger()
    chosen = [str(t) for t in window.document.targets]
    assert len(chosen) == 2 and "targets: " in window.status.text()
    window.close()
    qtbot.waitUntil(lambda: window not in editor.windows)

    (again,) = editor.open_paths([str(path)])
    assert [str(t) for t in again.document.targets] == chosen
    assert chosen[0] in again.status.text()
    (unrelated,) = editor.open_paths([str(other)])
    assert unrelated.document.targets == ()


# --- Always On tunnels: the full IKEv2 form, named by what they are -------------------------


def test_a_tunnel_has_the_ikev2_fields_and_a_name(qtbot: Any, schema: Any) -> None:
    from helpers.gui import open_window

    from editor.session.document import Document
    from editor.ui.tree_model import item_label

    tunnel = {"ProtocolType": "IKEv2", "Interfaces": ["Cellular"]}
    payload = {
        "PayloadIdentifier": "com.example.vpn.alwayson",
        "PayloadType": "com.apple.vpn.managed",
        "PayloadUUID": "60718293-A4B5-4FC0-91E2-5D6E7F8091A2",
        "PayloadVersion": 1,
        "UserDefinedName": "Always On",
        "VPNType": "AlwaysOn",
        "AlwaysOn": {
            "TunnelConfigurations": [tunnel, dict(tunnel, Interfaces=["WiFi"])],
            "ServiceExceptions": [{"ServiceName": "VoiceMail", "Action": "Allow"}],
        },
    }
    window = open_window(qtbot, Document(make_profile(payload), schema))
    path = ("PayloadContent", 0, "AlwaysOn", "TunnelConfigurations", 0)
    window.select_path(path)
    assert window.form is not None
    rows = window.form.rows
    for key, label in (
        ("RemoteAddress", "Server address"),
        ("LocalIdentifier", "Local identity"),
        ("RemoteIdentifier", "Remote identity"),
    ):
        assert key in rows, sorted(rows)
        assert rows[key].label.text().startswith(label)
        assert "IKEv2 setting" not in rows[key].label.text()
    assert "OnDemandRules" not in rows  # tunnels have no On Demand rules
    missing = {p.path for p in window.document.problems() if p.code == "required-missing"}
    assert (*path, "RemoteAddress") in missing
    assert item_label("TunnelConfigurations", 0, tunnel) == "Tunnel 1 · Cellular"
    assert item_label("TunnelConfigurations", 1, dict(tunnel, Interfaces=["WiFi"])) == (
        "Tunnel 2 · Wi-Fi"
    )
    assert item_label("ServiceExceptions", 0, payload["AlwaysOn"]["ServiceExceptions"][0]) == (
        "Exception · VoiceMail · Allow"
    )
    index = window.model.index_for_path(path)
    assert index.data() == "Tunnel 1 · Cellular"


# --- files dropped on a field go to the window ----------------------------------------------


def drop_file(target: Any, path: Path) -> None:
    """A file dragged from a file manager and let go over `target`. Offscreen Qt delivers
    no drag that no drag started, so the drop is handed to what the field's event filter
    sees of it, as the window system's drop reaches it."""
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from editor.ui.fields import _REFUSE_FILE_DROPS

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    data.setText(QUrl.fromLocalFile(str(path)).toString())  # as file managers offer it
    where = QPointF(target.rect().center())
    drop = QDropEvent(
        where, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    assert _REFUSE_FILE_DROPS.eventFilter(target, drop)


def test_a_file_dropped_on_a_field_is_not_written_into_it(
    qtbot: Any, schema: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpers.gui import open_window

    from editor.session.document import Document

    window = open_window(qtbot, Document(make_profile(IKEV2_PAYLOAD), schema))
    window.select_path(("PayloadContent", 0))
    assert window.form is not None
    field = window.form.rows["PayloadDescription"].field.focus_widget()
    before = window.document.value(("PayloadContent", 0, "PayloadDescription"))
    opened: list[list[str]] = []
    window.open_files_requested.connect(opened.append)
    certificates: list[Path] = []
    monkeypatch.setattr(window, "add_certificate", lambda path=None: certificates.append(path))

    profile = tmp_path / "other.mobileconfig"
    make_profile(IKEV2_PAYLOAD).save(profile)
    target = field.viewport() if hasattr(field, "viewport") else field  # where drops arrive
    drop_file(target, profile)
    certificate = tmp_path / "leaf.pem"
    certificate.write_text("-----BEGIN CERTIFICATE-----\n")
    drop_file(target, certificate)

    assert window.document.value(("PayloadContent", 0, "PayloadDescription")) == before
    shown = field.toPlainText() if hasattr(field, "toPlainText") else field.text()
    assert "file://" not in shown
    assert opened == [[str(profile)]]  # a profile opens
    assert certificates == [certificate]  # a certificate goes to Add Certificate
