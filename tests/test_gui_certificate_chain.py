"""A PEM file holding a certificate chain, added with Edit ▸ Add Certificate and loaded
into a certificate payload with Load…, by a person at the keyboard; checked in the
plist saved."""

from __future__ import annotations

import copy
import plistlib
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from helpers.gui import DialogRecorder, open_window
from helpers.gui_driver import WindowDriver
from helpers.pki import OPENSSL, Pki, needs_openssl, pem
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QFileDialog, QInputDialog

from editor.core.payload_types import PKCS1, PKCS12, ROOT
from editor.core.schema import Schema
from editor.session.document import Document
from editor.ui.dialogs.certificate import CertificateDialog, PathEdit

pytestmark = [pytest.mark.usefixtures("isolated_settings", "dialogs"), needs_openssl]


@dataclass(frozen=True)
class Chain:
    leaf: x509.Certificate
    intermediate: x509.Certificate
    root: x509.Certificate
    file: Path  # leaf, intermediate, root: as a server's fullchain.pem
    broken: Path  # the same with junk between two certificates


@pytest.fixture(scope="module")
def chain(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Chain:
    folder = tmp_path_factory.mktemp("chain")
    fullchain = folder / "fullchain.pem"
    fullchain.write_bytes(pem(pki.leaf) + pem(pki.intermediate) + pem(pki.root))
    broken = folder / "broken-chain.pem"
    broken.write_bytes(pem(pki.leaf) + b"left over from an e-mail\n" + pem(pki.intermediate))
    return Chain(pki.leaf, pki.intermediate, pki.root, fullchain, broken)


def openssl_der(certificate: x509.Certificate, folder: Path) -> bytes:
    """The certificate in DER, as OpenSSL writes it."""
    alone = folder / "alone.pem"
    alone.write_bytes(pem(certificate))
    return subprocess.run(
        [OPENSSL, "x509", "-in", str(alone), "-outform", "DER"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip


def start(qtbot: Any, schema: Schema, *payloads: dict[str, Any]) -> WindowDriver:
    profile = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD, *payloads)
    return WindowDriver(qtbot, open_window(qtbot, Document(profile, schema)))


def save(driver: WindowDriver, path: Path) -> list[dict[str, Any]]:
    """File ▸ Save (Ctrl+S), the new file's path typed into the file chooser."""

    def type_path(dialog: QDialog) -> None:
        assert isinstance(dialog, QFileDialog)
        driver.type(f"{path}\n")

    with driver.answering(type_path):
        driver.shortcut(QKeySequence.StandardKey.Save)
    payloads: list[dict[str, Any]] = plistlib.loads(path.read_bytes())["PayloadContent"]
    return payloads


def rows(dialog: CertificateDialog) -> list[tuple[str, Qt.CheckState, bool]]:
    """What the list shows: each certificate's name, tick, and whether a tick can change."""
    found = []
    for number in range(dialog.chain_list.topLevelItemCount()):
        row = dialog.chain_list.topLevelItem(number)
        checkable = bool(row.flags() & Qt.ItemFlag.ItemIsUserCheckable)
        found.append((row.text(0), row.checkState(0), checkable))
    return found


def tab_to(driver: WindowDriver, widget: Any, most: int = 4) -> None:
    for _ in range(most):
        if driver.focused() is widget:
            return
        driver.tab()
    assert driver.focused() is widget, f"Tab never reaches {widget.accessibleName()!r}"


def test_a_typed_chain_file_adds_each_ticked_certificate_as_its_own_payload(
    qtbot: Any, schema: Schema, chain: Chain, tmp_path: Path
) -> None:
    driver = start(qtbot, schema)
    window = driver.window

    def add_chain(dialog: QDialog) -> None:
        assert isinstance(dialog, CertificateDialog)
        driver.backtab()  # from Choose File… back to the path field
        path_field = driver.focused()
        assert isinstance(path_field, PathEdit)
        driver.type(str(chain.file))
        driver.press(Qt.Key.Key_Return)  # reads the file: no chooser, not added yet
        assert dialog.isVisible() and driver.focused() is path_field
        assert dialog.chain_list.isVisible()
        ticked = Qt.CheckState.Checked
        assert rows(dialog) == [
            ("Test Signer RSA", ticked, True),
            ("Test Intermediate CA", ticked, True),
            ("Test Root CA", ticked, True),
        ]
        assert dialog.ok_button.text() == "Add 3 Certificates"
        tab_to(driver, dialog.chain_list)
        assert dialog.summary.values["subject"].text() == chain.leaf.subject.rfc4514_string()
        driver.press(Qt.Key.Key_Space)  # unticks the leaf
        assert [tick for _name, tick, _ in rows(dialog)] == [
            Qt.CheckState.Unchecked, ticked, ticked,
        ]  # fmt: skip
        driver.press(Qt.Key.Key_Down)  # the summary follows the current row
        assert dialog.summary.values["issuer"].text() == chain.root.subject.rfc4514_string()
        assert dialog.ok_button.text() == "Add 2 Certificates"
        driver.press(Qt.Key.Key_Return)

    with driver.answering(add_chain):
        driver.menu("Edit", "Add Certificate…")
    document = window.document
    assert document.undo_stack.undoText() == "Add 2 certificates from fullchain.pem"
    assert window._selected_path == ("PayloadContent", 2)  # the first one added
    payloads = save(driver, tmp_path / "chain.mobileconfig")
    assert [p["PayloadType"] for p in payloads] == [
        "com.apple.vpn.managed", PKCS12, PKCS1, ROOT,
    ]  # fmt: skip
    intermediate, root = payloads[2], payloads[3]
    assert intermediate["PayloadContent"] == openssl_der(chain.intermediate, tmp_path)
    assert root["PayloadContent"] == openssl_der(chain.root, tmp_path)
    assert intermediate["PayloadDisplayName"] == "Test Intermediate CA"
    assert root["PayloadDisplayName"] == "Test Root CA"
    assert {p["PayloadCertificateFileName"] for p in (intermediate, root)} == {"fullchain.pem"}
    assert intermediate["PayloadUUID"] != root["PayloadUUID"]
    # one undo step takes both away
    driver.shortcut(QKeySequence.StandardKey.Undo)
    assert [p["PayloadType"] for p in document.profile.payloads] == [
        "com.apple.vpn.managed", PKCS12,
    ]  # fmt: skip


def test_a_certificate_the_profile_holds_is_shown_but_not_added_again(
    qtbot: Any, schema: Schema, chain: Chain, tmp_path: Path
) -> None:
    held_root = copy.deepcopy(PKCS12_PAYLOAD) | {
        "PayloadType": ROOT,
        "PayloadUUID": "5A0B1C2D-3E4F-4A5B-8C6D-7E8F9A0B1C2D",
        "PayloadIdentifier": "com.example.vpn.ca",
        "PayloadDisplayName": "Company root",
        "PayloadContent": openssl_der(chain.root, tmp_path),
    }
    driver = start(qtbot, schema, held_root)

    def choose_chain(dialog: QDialog) -> None:
        assert isinstance(dialog, QFileDialog)
        driver.type(f"{chain.file}\n")

    def add_chain(dialog: QDialog) -> None:
        assert isinstance(dialog, CertificateDialog)
        driver.press(Qt.Key.Key_Space)  # Choose File…; the file chooser is answered above
        assert driver.focused() is dialog.chain_list  # the list is the next step
        ticked, unticked = Qt.CheckState.Checked, Qt.CheckState.Unchecked
        assert rows(dialog) == [
            ("Test Signer RSA", ticked, True),
            ("Test Intermediate CA", ticked, True),
            ("Test Root CA", unticked, False),
        ]
        assert "Test Root CA is already in the profile as payload 3 (Company root)" in (
            dialog.chain_hint.text()
        )
        driver.press(Qt.Key.Key_End)
        driver.press(Qt.Key.Key_Space)  # the root's tick does not change
        assert rows(dialog)[2][1] == unticked
        driver.press(Qt.Key.Key_Return)

    with driver.answering(add_chain, choose_chain):
        driver.menu("Edit", "Add Certificate…")
    payloads = save(driver, tmp_path / "held.mobileconfig")
    assert [p["PayloadType"] for p in payloads] == [
        "com.apple.vpn.managed", PKCS12, ROOT, PKCS1, PKCS1,
    ]  # fmt: skip
    assert payloads[3]["PayloadContent"] == openssl_der(chain.leaf, tmp_path)
    assert payloads[4]["PayloadContent"] == openssl_der(chain.intermediate, tmp_path)
    driver.window.document.revalidate_all()
    codes = [p.code for p in driver.window.document.problems()]
    assert "duplicate-certificate" not in codes


def test_a_chain_with_junk_between_certificates_names_the_file_and_adds_nothing(
    qtbot: Any, schema: Schema, chain: Chain, dialogs: DialogRecorder
) -> None:
    driver = start(qtbot, schema)

    def add_broken(dialog: QDialog) -> None:
        assert isinstance(dialog, CertificateDialog)
        driver.backtab()
        driver.type(f"{chain.broken}\n")
        assert dialog.isVisible() and not dialog.ok_button.isEnabled()
        assert "broken-chain.pem: line 2" in dialog.error_label.text()
        assert driver.focused().text() == str(chain.broken)  # kept for mending
        driver.press(Qt.Key.Key_Escape)

    with driver.answering(add_broken):
        driver.menu("Edit", "Add Certificate…")
    (warning,) = dialogs.texts("warning")
    assert warning.startswith(
        "broken-chain.pem: line 22: unexpected text between certificates: "
        "'left over from an e-mail'"
    )
    assert "Traceback" not in warning
    assert len(driver.window.document.profile.payloads) == 2
    assert driver.window.document.undo_stack.count() == 0


def load_into(driver: WindowDriver, index: int, path: Path, *answers: Any) -> None:
    """The payload's Load… button, clicked; the file chooser answered by typing."""

    def type_path(dialog: QDialog) -> None:
        driver.type(f"{path}\n")

    driver.window.select_path(("PayloadContent", index))
    with driver.answering(type_path, *answers):
        driver.click(driver.field("PayloadContent"))


def test_load_takes_the_root_of_a_chain_into_a_root_payload(
    qtbot: Any, schema: Schema, chain: Chain, tmp_path: Path
) -> None:
    empty_root = {
        "PayloadType": ROOT,
        "PayloadUUID": "5A0B1C2D-3E4F-4A5B-8C6D-7E8F9A0B1C2D",
        "PayloadIdentifier": "com.example.vpn.ca",
        "PayloadVersion": 1,
    }
    driver = start(qtbot, schema, empty_root)
    load_into(driver, 2, chain.file)  # no question: only the root fits
    payloads = save(driver, tmp_path / "root.mobileconfig")
    assert payloads[2]["PayloadContent"] == openssl_der(chain.root, tmp_path)


def test_load_asks_which_certificate_when_several_fit(
    qtbot: Any, schema: Schema, chain: Chain, tmp_path: Path
) -> None:
    empty_pkcs1 = {
        "PayloadType": PKCS1,
        "PayloadUUID": "6B1C2D3E-4F5A-4B6C-9D7E-8F9A0B1C2D3E",
        "PayloadIdentifier": "com.example.vpn.intermediate",
        "PayloadVersion": 1,
    }
    driver = start(qtbot, schema, empty_pkcs1)
    asked: list[list[str]] = []

    def pick_the_intermediate(dialog: QDialog) -> None:
        assert isinstance(dialog, QInputDialog)
        assert "fullchain.pem holds 3 certificates" in dialog.labelText()
        asked.append(dialog.comboBoxItems())
        combo = driver.focused()
        assert isinstance(combo, QComboBox)
        assert combo.currentText().startswith("Test Signer RSA")  # the first that fits
        driver.press(Qt.Key.Key_Down)
        driver.press(Qt.Key.Key_Return)

    def cancel(dialog: QDialog) -> None:
        assert isinstance(dialog, QInputDialog)
        driver.press(Qt.Key.Key_Escape)

    load_into(driver, 2, chain.file, cancel)  # Escape at the question: nothing changes
    assert "PayloadContent" not in driver.window.document.value(("PayloadContent", 2))
    load_into(driver, 2, chain.file, pick_the_intermediate)
    assert [label.split(" — ")[0] for label in asked[0]] == [
        "Test Signer RSA", "Test Intermediate CA", "Test Root CA",
    ]  # fmt: skip
    payloads = save(driver, tmp_path / "pkcs1.mobileconfig")
    assert payloads[2]["PayloadContent"] == openssl_der(chain.intermediate, tmp_path)
    # the renewed chain again: the certificate with the payload's subject, without asking
    load_into(driver, 2, chain.file)
    assert QApplication.activeModalWidget() is None
    assert driver.window.document.value(("PayloadContent", 2, "PayloadContent")) == (
        openssl_der(chain.intermediate, tmp_path)
    )


def test_load_of_a_broken_chain_says_why_and_changes_nothing(
    qtbot: Any, schema: Schema, chain: Chain, dialogs: DialogRecorder
) -> None:
    driver = start(qtbot, schema)
    before = driver.window.document.value(("PayloadContent", 1, "PayloadContent"))
    # the identity payload takes any data; a root payload is where certificates are read
    root = {"PayloadType": ROOT, "PayloadUUID": "5A0B1C2D-3E4F-4A5B-8C6D-7E8F9A0B1C2D",
            "PayloadIdentifier": "com.example.vpn.ca", "PayloadVersion": 1}  # fmt: skip
    driver.window.document.add_payload(root, "Add a root payload")
    load_into(driver, 2, chain.broken)
    (warning,) = dialogs.texts("warning")
    assert "broken-chain.pem: line 22: unexpected text between certificates" in warning
    assert "PayloadContent" not in driver.window.document.value(("PayloadContent", 2))
    assert driver.window.document.value(("PayloadContent", 1, "PayloadContent")) == before


def test_a_chain_the_profile_holds_whole_adds_nothing(
    qtbot: Any, schema: Schema, chain: Chain, tmp_path: Path
) -> None:
    held = [
        {"PayloadType": kind, "PayloadContent": openssl_der(certificate, tmp_path)}
        for kind, certificate in ((PKCS1, chain.leaf), (PKCS1, chain.intermediate),
                                  (ROOT, chain.root))
    ]  # fmt: skip
    document = Document(make_profile(*held), schema)
    dialog = CertificateDialog(document)
    qtbot.addWidget(dialog)
    assert dialog.load_file(chain.file)
    assert [checkable for _name, _tick, checkable in rows(dialog)] == [False, False, False]
    assert not dialog.ok_button.isEnabled()
    assert dialog.error_label.text() == "Every certificate of the file is in the profile already."
    dialog.accept()
    assert len(document.profile.payloads) == 3 and document.undo_stack.count() == 0
