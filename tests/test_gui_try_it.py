"""The On Demand "Try it" panel, driven with the mouse and the keyboard."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from helpers.gui import open_window
from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, ROOT_PAYLOAD, make_profile
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from editor.app.flows.try_it import TryItPanel
from editor.app.main_window import MainWindow
from editor.core.model import Profile
from editor.core.schema import Schema
from editor.session.document import Document

pytestmark = pytest.mark.usefixtures("isolated_settings", "dialogs")

RULES_PATH = ("PayloadContent", 0, "IKEv2", "OnDemandRules")
PROBE = "https://probe.example.com/ok"


def profile_with(rules: list[dict[str, Any]]) -> Profile:
    payload = copy.deepcopy(IKEV2_PAYLOAD)
    payload["IKEv2"].update(OnDemandEnabled=1, OnDemandRules=rules)
    return make_profile(payload, PKCS12_PAYLOAD, ROOT_PAYLOAD)


RULES = [
    {"Action": "Disconnect", "SSIDMatch": ["Office"]},
    {"Action": "Connect", "InterfaceTypeMatch": "Cellular"},
    {
        "Action": "EvaluateConnection",
        "InterfaceTypeMatch": "WiFi",
        "URLStringProbe": PROBE,
        "ActionParameters": [
            {"Domains": ["corp.example.com"], "DomainAction": "ConnectIfNeeded"},
        ],
    },
    {"Action": "Ignore"},
]


def settle(qtbot: Any) -> None:
    """Until the panel has caught up: it recomputes on a later turn of the event loop."""
    qtbot.wait(10)

    def caught_up() -> bool:
        return not any(
            getattr(getattr(widget, "try_it_dock", None), "pending", False)
            for widget in QApplication.topLevelWidgets()
        )

    qtbot.waitUntil(caught_up, timeout=3000)


def click(qtbot: Any, widget: QWidget, pos: QPoint | None = None) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


def type_keys(qtbot: Any, text: str) -> None:
    """Each key goes to whatever has the focus at that moment."""
    for char in text:
        focused = QApplication.focusWidget()
        assert focused is not None
        QTest.keyClick(focused, char)
    settle(qtbot)


def press(qtbot: Any, key: Qt.Key, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    QTest.keyClick(focused, key, modifier)
    settle(qtbot)


def click_tree_path(qtbot: Any, window: MainWindow, path: tuple[Any, ...]) -> None:
    window.tree.expandAll()
    index = window.model.index_for_path(path)
    rect = window.tree.visualRect(index)
    click(qtbot, window.tree.viewport(), rect.center())
    settle(qtbot)


def open_rules(
    qtbot: Any, schema: Schema, rules: list[dict[str, Any]]
) -> tuple[MainWindow, TryItPanel]:
    document = Document(profile_with(rules), schema)
    window = open_window(qtbot, document)
    settle(qtbot)
    assert window.try_it_dock.isHidden()  # the payload is selected, not its rules
    click_tree_path(qtbot, window, RULES_PATH)
    assert window.form is not None and window.form.path == RULES_PATH
    assert window.try_it_dock.isVisible()
    panel = window.try_it_dock.panel
    assert isinstance(panel, TryItPanel)
    return window, panel


def matrix(panel: TryItPanel) -> dict[str, str]:
    return {
        panel.matrix.item(row, 0).text(): panel.matrix.item(row, 1).text()
        for row in range(panel.matrix.rowCount())
    }


def highlighted_rows(window: MainWindow) -> list[int]:
    items = window.form.items  # type: ignore[union-attr]
    return [row for row in range(items.count()) if items.item(row).font().bold()]


def choose(qtbot: Any, combo: QComboBox, text: str) -> None:
    """Pick an entry as a user does: click the combo box, then walk its open list with
    the arrow keys (sent to whatever has the focus) and press Enter."""
    click(qtbot, combo)
    qtbot.waitUntil(lambda: combo.view().isVisible())
    press(qtbot, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.view().currentIndex().data() == text:
            break
        press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    assert combo.currentText() == text


def test_pick_a_network_and_see_the_rule_that_fires(qtbot: Any, schema: Schema) -> None:
    window, panel = open_rules(qtbot, schema, RULES)
    # the rules' SSIDs are offered
    assert [panel.ssid.itemText(i) for i in range(panel.ssid.count())] == ["Office"]
    click(qtbot, panel.ssid.lineEdit())
    assert QApplication.focusWidget() is panel.ssid  # its line edit's focus proxy
    type_keys(qtbot, "Office")
    assert panel.verdict.text().startswith("Rule 1 · Disconnect fires")
    assert panel.lines[0] == "✔ Rule 1 · Disconnect: fires"
    assert panel.lines[1].startswith('    ✔ SSIDMatch: SSID "Office" is in the list')
    assert highlighted_rows(window) == [0]
    delegate = window.tree.itemDelegateForColumn(0)
    assert delegate is window.try_it_dock.delegate and delegate.firing == (*RULES_PATH, 0)
    # another SSID: the Wi-Fi rule needs its probe, which fails, so the catch-all fires
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(qtbot, "Cafe")
    assert panel.verdict.text().startswith("Rule 4 · Ignore fires")
    assert "    ✘ URLStringProbe" in "\n".join(panel.lines)
    assert highlighted_rows(window) == [3]
    # the probe answers: rule 3 fires
    box = panel.probes[PROBE]
    click(qtbot, box, QPoint(8, box.height() // 2))
    settle(qtbot)
    assert box.isChecked()
    assert panel.verdict.text().startswith("Rule 3 · EvaluateConnection fires")
    assert highlighted_rows(window) == [2]
    # the panel never edits the profile
    assert not window.document.is_modified


def test_interface_and_platform_by_keyboard(qtbot: Any, schema: Schema) -> None:
    panel = open_rules(qtbot, schema, RULES)[1]
    choose(qtbot, panel.interface, "Cellular")
    assert panel.verdict.text().startswith("Rule 2 · Connect fires")
    assert "✘ SSIDMatch: not a Wi-Fi network" in "\n".join(panel.lines)
    choose(qtbot, panel.platform, "macOS")
    # macOS has no cellular interface type: the rule never matches there
    assert panel.verdict.text().startswith("Rule 4 · Ignore fires")
    assert "macOS has no cellular interface type" in "\n".join(panel.lines)
    assert "Ethernet" in matrix(panel) and "Cellular" not in matrix(panel)


def test_search_domains_servers_and_reading(qtbot: Any, schema: Schema) -> None:
    rules = [
        {"Action": "Disconnect", "DNSDomainMatch": ["corp.example.com"]},
        {"Action": "Ignore", "DNSServerAddressMatch": ["10.*"]},
        {"Action": "Connect"},
    ]
    panel = open_rules(qtbot, schema, rules)[1]
    assert panel.domains.itemText(0) == "corp.example.com"
    assert panel.servers.itemText(0) == "10.*"
    click(qtbot, panel.domains.lineEdit())
    type_keys(qtbot, "home.lan, eu.corp.example.com")
    assert panel.verdict.text().startswith("Rule 1 · Disconnect fires")
    choose(qtbot, panel.mode, "Network Extension API")  # the default search domain only
    assert panel.verdict.text().startswith("Rule 3 · Connect fires")
    click(qtbot, panel.servers.lineEdit())
    type_keys(qtbot, "10.1.2.3")
    assert panel.verdict.text().startswith("Rule 2 · Ignore fires")


def test_host_verdict_for_evaluate_connection(qtbot: Any, schema: Schema) -> None:
    panel = open_rules(qtbot, schema, RULES)[1]
    click(qtbot, panel.ssid.lineEdit())
    type_keys(qtbot, "Cafe")
    box = panel.probes[PROBE]
    click(qtbot, box, QPoint(8, box.height() // 2))
    click(qtbot, panel.host)
    type_keys(qtbot, "intranet.corp.example.com")
    assert "not decided" in panel.host_verdict.text()
    choose(qtbot, panel.dns, "fails")
    assert panel.host_verdict.text().startswith("intranet.corp.example.com: the VPN starts")
    assert panel.connection is not None and panel.connection.entry == 0
    choose(qtbot, panel.dns, "succeeds")
    assert "the VPN does not start" in panel.host_verdict.text()


def test_matrix_follows_edits_reordering_and_undo(qtbot: Any, schema: Schema) -> None:
    window, panel = open_rules(qtbot, schema, RULES)
    before = {
        "Cellular": "Rule 2 · Connect",
        'Wi-Fi "Office"': "Rule 1 · Disconnect",
        "Untrusted Wi-Fi": "Rule 4 · Ignore",
        "Untrusted Wi-Fi, probes answer": "Rule 3 · EvaluateConnection",
    }
    assert matrix(panel) == before
    # move the catch-all to the top with the form's buttons: it now wins everywhere
    for row in (3, 2, 1):  # the form is rebuilt after each move: click the rule again
        form: Any = window.form
        assert form is not None and form.path == RULES_PATH
        items = form.items
        click(qtbot, items.viewport(), items.visualItemRect(items.item(row)).center())
        click(qtbot, form.up_button)
        settle(qtbot)
    assert set(matrix(panel).values()) == {"Rule 1 · Ignore"}
    assert highlighted_rows(window) == [0]
    # undo with the keyboard: the matrix follows
    click(
        qtbot,
        window.tree.viewport(),
        window.tree.visualRect(window.model.index_for_path(RULES_PATH)).center(),
    )
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert matrix(panel) == before
    # typing a new SSID into a rule adds a trusted network to the matrix
    click_tree_path(qtbot, window, (*RULES_PATH, 0))
    assert window.try_it_dock.isVisible()  # inside the rules, the panel stays
    window.document.set_value((*RULES_PATH, 0, "SSIDMatch"), ["Office", "Lab"])
    settle(qtbot)
    assert matrix(panel)['Wi-Fi "Lab"'] == "Rule 1 · Disconnect"


def test_double_click_a_standard_network_tries_it(qtbot: Any, schema: Schema) -> None:
    panel = open_rules(qtbot, schema, RULES)[1]
    row = next(
        r for r in range(panel.matrix.rowCount()) if panel.matrix.item(r, 0).text() == "Cellular"
    )
    rect = panel.matrix.visualItemRect(panel.matrix.item(row, 0))
    # a double-click is a press and release, then the double-click event
    click(qtbot, panel.matrix.viewport(), rect.center())
    qtbot.mouseDClick(panel.matrix.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    settle(qtbot)
    assert panel.interface.currentText() == "Cellular"
    assert panel.verdict.text().startswith("Rule 2 · Connect fires")
    # the keyboard: the focused table, Down to the next network, Enter
    assert QApplication.focusWidget() is panel.matrix
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    assert panel.ssid.currentText() == "Office"
    assert panel.verdict.text().startswith("Rule 1 · Disconnect fires")


def test_panel_hides_away_from_the_rules_and_says_undefined(
    qtbot: Any, schema: Schema, tmp_path: Path
) -> None:
    window, panel = open_rules(qtbot, schema, [{"Action": "Connect", "SSIDMatch": ["Home"]}])
    assert panel.verdict.text().startswith("No rule matches this network")
    assert "undefined" in panel.verdict.text()
    assert matrix(panel)["Untrusted Wi-Fi"] == "no rule: undefined"
    assert highlighted_rows(window) == []
    click_tree_path(qtbot, window, ("PayloadContent", 0, "IKEv2"))
    assert window.try_it_dock.isHidden()


def test_closed_panel_stays_closed_until_the_view_menu(qtbot: Any, schema: Schema) -> None:
    window, panel = open_rules(qtbot, schema, RULES)
    dock = window.try_it_dock
    close_button = dock.findChild(QWidget, "qt_dockwidget_closebutton")
    assert close_button is not None
    click(qtbot, close_button)
    settle(qtbot)
    assert dock.isHidden()
    click_tree_path(qtbot, window, (*RULES_PATH, 1))
    assert dock.isHidden()  # the user closed it: selecting rules does not bring it back
    click_tree_path(qtbot, window, ("PayloadContent", 0, "IKEv2"))
    bar = window.menuBar()
    view = next(a for a in bar.actions() if a.text().replace("&", "") == "View")
    click(qtbot, bar, bar.actionGeometry(view).center())
    menu = view.menu()
    qtbot.waitUntil(menu.isVisible)
    toggle = dock.toggleViewAction()
    assert toggle in menu.actions()
    click(qtbot, menu, menu.actionGeometry(toggle).center())
    settle(qtbot)
    # shown away from the rules, it stays, with a hint
    assert dock.isVisible() and panel.rules_path is None
    assert panel.verdict.text() == "Select On Demand rules in the tree to try them."
    click_tree_path(qtbot, window, (*RULES_PATH, 1))
    assert dock.isVisible() and panel.rules_path == RULES_PATH
    assert panel.verdict.text().startswith("Rule 4 · Ignore fires")


def test_a_restored_layout_does_not_show_the_panel_away_from_the_rules(
    qtbot: Any, schema: Schema
) -> None:
    """The next window restores the docks the last one closed with; the panel still shows
    only beside On Demand rules."""
    window, _panel = open_rules(qtbot, schema, RULES)
    assert window.try_it_dock.isVisible()
    window.close()  # saves the dock state, the panel visible in it
    again = MainWindow(Document(profile_with(RULES), schema), QSettings())
    qtbot.addWidget(again)
    again.restore_layout()
    again.show()
    qtbot.waitExposed(again)
    settle(qtbot)
    assert again.form is not None and again.form.path == ("PayloadContent", 0)
    assert again.try_it_dock.isHidden()
    click_tree_path(qtbot, again, RULES_PATH)
    assert again.try_it_dock.isVisible()
