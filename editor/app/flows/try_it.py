"""The On Demand "Try it" panel: what the rules do on a network the user picks.

A dock beside the form, shown while an OnDemandRules list (or anything inside it) is
selected. At the top, the action on standard networks (cellular or Ethernet, the Wi-Fi
networks and domains the rules name, an unknown Wi-Fi), recomputed as the rules are
edited or reordered. Below, a network to try: interface, SSID, search domains, DNS servers
and each probe's outcome; the rule that fires is highlighted in the tree and in the rule
list, each condition ticked or crossed with the reason; a host field answers the
per-connection question of EvaluateConnection. The panel never edits the document.

All the answers come from editor.core.on_demand.
"""

from __future__ import annotations

import html
import weakref
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.core.model import KeyPath
from editor.core.on_demand import (
    SOURCES,
    ConnectionResult,
    Evaluation,
    Mode,
    Network,
    evaluate,
    evaluate_connection,
    offered_values,
    standard_networks,
)
from editor.core.platforms import PLATFORMS
from editor.session.document import Document
from editor.ui.colors import error_color, is_dark
from editor.ui.fields import line_edit_of
from editor.ui.tree_model import PATH_ROLE

if TYPE_CHECKING:
    from editor.app.main_window import MainWindow

FIRING_COLOR = QColor(46, 160, 90, 90)  # reads on light and dark palettes
TICK, CROSS = "✔", "✘"
INTERFACE_CHOICES = (
    ("Wi-Fi", "WiFi"),
    ("Cellular", "Cellular"),
    ("Ethernet", "Ethernet"),
    ("No network", None),
)
DNS_CHOICES = (("not known", None), ("succeeds", True), ("fails", False))


def rules_path_of(path: KeyPath) -> KeyPath | None:
    """The OnDemandRules list at or above PATH inside a payload, if any."""
    if (
        len(path) >= 4
        and path[0] == "PayloadContent"
        and isinstance(path[1], int)
        and path[3] == "OnDemandRules"
    ):
        return path[:4]
    return None


def rule_label(index: int, rules: Any) -> str:
    action = ""
    if isinstance(rules, list) and 0 <= index < len(rules) and isinstance(rules[index], dict):
        value = rules[index].get("Action")
        action = f" · {value}" if isinstance(value, str) else ""
    return f"Rule {index + 1}{action}"  # numbered like the tree


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


class FiringRuleDelegate(QStyledItemDelegate):
    """Paints the firing rule's row in the payload tree."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.firing: KeyPath | None = None

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if self.firing is not None and index.data(PATH_ROLE) == self.firing:
            option.backgroundBrush = FIRING_COLOR  # type: ignore[assignment]
            option.font.setBold(True)


class TryItPanel(QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.rules_path: KeyPath | None = None
        self.evaluation: Evaluation | None = None
        self.connection: ConnectionResult | None = None
        self._offered: dict[str, list[str]] = {}
        self.on_firing_changed: list[Any] = []  # callbacks taking the firing rule's path
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self._build_choices(outer)
        self._build_matrix(outer)
        self._build_network(outer)
        self._build_result(outer)

        for combo in (self.platform, self.mode, self.interface, self.dns):
            combo.currentIndexChanged.connect(self.schedule)
        for combo in (self.ssid, self.domains, self.servers):
            combo.editTextChanged.connect(self.schedule)
        self.host.textChanged.connect(self.schedule)
        document.value_changed.connect(self._document_changed)
        document.structure_changed.connect(self._document_changed)

    def _build_choices(self, outer: QVBoxLayout) -> None:
        """Which platform, and which of Apple's two readings."""
        top = QHBoxLayout()
        self.platform = QComboBox(self)
        self.platform.addItems(list(PLATFORMS))
        self.platform.setAccessibleName("Platform")
        self.mode = QComboBox(self)
        self.mode.addItem("Profile schema", Mode.SCHEMA)
        self.mode.addItem("Network Extension API", Mode.API)
        self.mode.setAccessibleName("Reading")
        self.mode.setToolTip(
            "Apple's texts disagree on DNSDomainMatch (any search domain, or the default "
            "one) and DNSServerAddressMatch (any server, or every server). The profile "
            "schema's reading is the default; the API's is the other."
        )
        top.addWidget(QLabel("Platform", self))
        top.addWidget(self.platform)
        top.addWidget(QLabel("Reading", self))
        top.addWidget(self.mode, 1)
        outer.addLayout(top)

    def _build_matrix(self, outer: QVBoxLayout) -> None:
        """The standard networks and the rule each one fires."""
        matrix_box = QGroupBox("On standard networks", self)
        matrix_layout = QVBoxLayout(matrix_box)
        self.matrix = QTableWidget(0, 2, matrix_box)
        self.matrix.setTabKeyNavigation(False)  # Tab leaves the table, as in a form
        self.matrix.setAccessibleName("Standard networks")
        self.matrix.setHorizontalHeaderLabels(["Network", "Rule that fires"])
        self.matrix.verticalHeader().setVisible(False)
        header = self.matrix.horizontalHeader()
        # both columns share the width (long names elide, the tooltip has them whole)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.matrix.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        # double-click or Enter on a network copies it into "Try a network"
        self.matrix.activated.connect(lambda index: self._try_matrix_row(index.row(), 0))
        self.matrix.setToolTip("Double-click a network (or press Enter) to try it below")
        matrix_layout.addWidget(self.matrix)
        outer.addWidget(matrix_box)

    def _build_network(self, outer: QVBoxLayout) -> None:
        """A network of the user's own: interface, SSID, domains, servers, probes."""
        network_box = QGroupBox("Try a network", self)
        form = QFormLayout(network_box)
        self.interface = QComboBox(network_box)
        for text, value in INTERFACE_CHOICES:
            self.interface.addItem(text, value)
        self.interface.setAccessibleName("Interface")
        self.ssid = self._editable_combo(network_box, "SSID", "the Wi-Fi network's name")
        self.domains = self._editable_combo(
            network_box, "Search domains", "DNS search domains, the default first, with commas"
        )
        self.servers = self._editable_combo(
            network_box, "DNS servers", "the network's DNS servers, with commas"
        )
        form.addRow("Interface", self.interface)
        form.addRow("SSID", self.ssid)
        form.addRow("Search domains", self.domains)
        form.addRow("DNS servers", self.servers)
        self.probe_box = QWidget(network_box)
        self.probe_layout = QVBoxLayout(self.probe_box)
        self.probe_layout.setContentsMargins(0, 0, 0, 0)
        self.probes: dict[str, QCheckBox] = {}
        form.addRow("Probes", self.probe_box)
        outer.addWidget(network_box)

    def _build_result(self, outer: QVBoxLayout) -> None:
        """The verdict for the tried network, its reasons, and a host to try."""
        result_box = QGroupBox("Result", self)
        result_layout = QVBoxLayout(result_box)
        self.verdict = QLabel(result_box)
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Verdict")
        bold = QFont(self.verdict.font())
        bold.setBold(True)
        self.verdict.setFont(bold)
        result_layout.addWidget(self.verdict)
        # the reasons are sentences: a label wraps them where a view would cut them
        self.reasons = QLabel(result_box)
        self.reasons.setAccessibleName("Conditions")
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.reasons.setWordWrap(True)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reasons.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.lines: list[str] = []  # the same, as plain lines (rule, then its conditions)
        result_layout.addWidget(self.reasons)
        host_line = QHBoxLayout()
        self.host = QLineEdit(result_box)
        self.host.setPlaceholderText("host an app connects to, e.g. intranet.example.com")
        self.host.setAccessibleName("Host")
        self.dns = QComboBox(result_box)
        for text, value in DNS_CHOICES:
            self.dns.addItem(text, value)
        self.dns.setAccessibleName("Name resolution")
        host_line.addWidget(QLabel("Host", result_box))
        host_line.addWidget(self.host, 1)
        host_line.addWidget(QLabel("resolving", result_box))
        host_line.addWidget(self.dns)
        result_layout.addLayout(host_line)
        self.host_verdict = QLabel(result_box)
        self.host_verdict.setWordWrap(True)
        self.host_verdict.setAccessibleName("Host verdict")
        result_layout.addWidget(self.host_verdict)
        legend = QLabel(
            "Sources: " + "; ".join(f"[{key}] {text}" for key, text in SOURCES.items()),
            result_box,
        )
        legend.setWordWrap(True)
        font = legend.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        legend.setFont(font)
        legend.setEnabled(False)  # grey: a footnote
        result_layout.addWidget(legend)
        result_layout.addStretch(1)
        outer.addWidget(result_box, 1)

    def _editable_combo(self, parent: QWidget, name: str, tip: str) -> QComboBox:
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setAccessibleName(name)
        combo.setToolTip(f"{tip}; the values the rules name are in the list")
        line_edit_of(combo).setPlaceholderText("none")
        return combo

    # --- what to show -----------------------------------------------------------------
    def show_rules(self, rules_path: KeyPath | None) -> None:
        if rules_path == self.rules_path:
            self.schedule()
            return
        self.rules_path = rules_path
        self._offered = {}
        self.schedule()

    def _document_changed(self, path: KeyPath) -> None:
        # only edits of this payload, or of the payload list, can change the answers
        if self.rules_path is not None and (
            len(path) < 2 or tuple(path[:2]) == tuple(self.rules_path[:2])
        ):
            self.schedule()

    def schedule(self, *_args: Any) -> None:
        self._timer.start()

    def _payload(self) -> dict[str, Any] | None:
        if self.rules_path is None:
            return None
        payload = self.document.value(self.rules_path[:2])
        return payload if isinstance(payload, dict) else None

    @property
    def settings_name(self) -> str | None:
        return None if self.rules_path is None else str(self.rules_path[2])

    # --- the network ------------------------------------------------------------------------
    def network(self) -> Network:
        probes = tuple((url, box.isChecked()) for url, box in self.probes.items())
        ssid = self.ssid.currentText().strip()
        return Network(
            platform=self.platform.currentText(),
            interface=self.interface.currentData(),
            ssid=ssid or None,
            search_domains=_split(self.domains.currentText()),
            dns_servers=_split(self.servers.currentText()),
            probes=probes,
        )

    def _offer(self, payload: dict[str, Any]) -> None:
        offered = offered_values(payload, self.settings_name)
        if offered == self._offered:
            return
        self._offered = offered
        for combo, key in (
            (self.ssid, "ssids"),
            (self.domains, "domains"),
            (self.servers, "servers"),
        ):
            text = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(offered[key])
            combo.setEditText(text)
            combo.blockSignals(False)
        kept = {url: box.isChecked() for url, box in self.probes.items()}
        for box in self.probes.values():
            self.probe_layout.removeWidget(box)
            box.deleteLater()
        self.probes = {}
        for url in offered["probes"]:
            box = QCheckBox(f"answers: {url}", self.probe_box)
            box.setToolTip(f"{url} answers HTTP 200 without redirection")
            box.setMinimumWidth(40)  # a long URL is cut rather than widening the panel
            box.setAccessibleName(f"Probe {url} answers")
            box.setChecked(kept.get(url, False))
            box.toggled.connect(self.schedule)
            self.probe_layout.addWidget(box)
            self.probes[url] = box
        if not self.probes:
            self.probe_layout.addWidget(self._no_probes())

    def _no_probes(self) -> QLabel:
        for index in range(self.probe_layout.count()):
            item = self.probe_layout.itemAt(index)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel):
                return widget
        return QLabel("(the rules use no URL probe)", self.probe_box)

    def _try_matrix_row(self, row: int, _column: int) -> None:
        item = self.matrix.item(row, 0)
        network = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not isinstance(network, Network):
            return
        for combo, value in (
            (self.ssid, network.ssid or ""),
            (self.domains, ", ".join(network.search_domains)),
            (self.servers, ", ".join(network.dns_servers)),
        ):
            combo.setEditText(value)
        self.interface.setCurrentIndex(
            next(i for i, (_t, v) in enumerate(INTERFACE_CHOICES) if v == network.interface)
        )
        answered = dict(network.probes)
        for url, box in self.probes.items():
            box.setChecked(answered.get(url, False))
        self.schedule()

    # --- results -------------------------------------------------------------------------------
    def refresh(self) -> None:
        payload = self._payload()
        if payload is None:
            self.evaluation = None
            self.matrix.setRowCount(0)
            self.verdict.setText("Select On Demand rules in the tree to try them.")
            self.reasons.clear()
            self.lines = []
            self._announce(None)
            return
        self._offer(payload)
        mode = Mode(self.mode.currentData())  # Qt hands back the plain string
        self._fill_matrix(payload, mode)
        network = self.network()
        result = evaluate(payload, network, mode, self.settings_name)
        self.evaluation = result
        self._fill_result(result)
        host = self.host.text().strip()
        if host:
            self.connection = evaluate_connection(
                payload, result, host, network, self.dns.currentData()
            )
            connection = self.connection
            starts = {True: "the VPN starts", False: "the VPN does not start", None: "not decided"}[
                connection.vpn_starts
            ]
            entry = ""
            if connection.entry is not None:
                entry = (
                    f" (per-connection Item {connection.entry + 1} · {connection.domain_action})"
                )
            self.host_verdict.setText(f"{host}: {starts}{entry}. {connection.why}")
        else:
            self.connection = None
            self.host_verdict.setText(
                "Type a host name to see whether connecting to it starts the VPN."
            )
        firing = (
            None
            if result.rule is None or self.rules_path is None
            else (*self.rules_path, result.rule)
        )
        self._announce(firing)

    def _announce(self, firing: KeyPath | None) -> None:
        for callback in self.on_firing_changed:
            callback(firing)

    def _fill_matrix(self, payload: dict[str, Any], mode: Mode) -> None:
        rules = self.document.value(self.rules_path) if self.rules_path else None
        networks = standard_networks(payload, self.platform.currentText(), self.settings_name)
        self.matrix.setRowCount(len(networks))
        for row, named in enumerate(networks):
            result = evaluate(payload, named.network, mode, self.settings_name)
            if result.rule is not None:
                text = rule_label(result.rule, rules)
            elif not result.enabled:
                text = "On Demand is off"
            else:
                text = "no rule: undefined"
            name_item = QTableWidgetItem(named.name)
            name_item.setToolTip(named.name)
            name_item.setData(Qt.ItemDataRole.UserRole, named.network)
            rule_item = QTableWidgetItem(text)
            rule_item.setToolTip(result.why)
            self.matrix.setItem(row, 0, name_item)
            self.matrix.setItem(row, 1, rule_item)
        height = self.matrix.horizontalHeader().height() + 2 * self.matrix.frameWidth()
        height += sum(self.matrix.rowHeight(r) for r in range(len(networks)))
        self.matrix.setFixedHeight(min(height, 260))

    def _fill_result(self, result: Evaluation) -> None:
        rules = self.document.value(self.rules_path) if self.rules_path else None
        if result.rule is not None:
            text = f"{rule_label(result.rule, rules)} fires: {result.why}."
        else:
            text = result.why[:1].upper() + result.why[1:] + "."
        for note in result.notes:
            text += f" {note}."
        self.verdict.setText(text)
        shown = {c.rule for c in result.conditions}
        last = result.rule if result.rule is not None else max(shown, default=-1)
        self.lines = []
        rows: list[str] = []
        dark = is_dark(self.palette())
        # solid colours with text contrast above 4.5:1 in either palette
        firing_css = "#1e5631" if dark else "#b7e4c7"
        colors = {TICK: "#81c784" if dark else "#2e7d32", CROSS: error_color(self.palette())}
        for index in range(last + 1):
            fired = index == result.rule
            state = "fires" if fired else "does not match"
            line = f"{TICK if fired else CROSS} {rule_label(index, rules)}: {state}"
            self.lines.append(line)
            style = f' style="background-color:{firing_css}"' if fired else ""
            weight = "<b>" if fired else ""
            rows.append(
                f"<tr><td colspan=2{style}>{weight}{html.escape(line)}"
                f"{'</b>' if fired else ''}</td></tr>"
            )
            conditions = result.conditions_of(index)
            parts = (
                [(TICK, "no conditions: matches every network")]
                if not conditions
                else [(TICK if c.matched else CROSS, f"{c.key}: {c.why}") for c in conditions]
            )
            for mark, text in parts:
                self.lines.append(f"    {mark} {text}")
                color = colors[mark]
                rows.append(
                    f'<tr><td width=18 align=right style="color:{color}">{mark}</td>'
                    f"<td>{html.escape(text)}</td></tr>"
                )
        self.reasons.setText(f"<table cellspacing=1 width=100%>{''.join(rows)}</table>")


class TryItDock(QDockWidget):
    """The panel in a dock on the right of the main window, shown while On Demand rules
    are. It holds the window weakly: the document's signals outlive the window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__("Try it: On Demand", window)
        self._window = weakref.ref(window)
        self.setObjectName("tryItDock")
        self.panel = TryItPanel(window.document)
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields are the stops, not it
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.panel)
        self.setWidget(scroll)
        self.dismissed = False  # closed by the user: stays closed until shown from View
        self.visibilityChanged.connect(self._visibility_changed)
        self.delegate = FiringRuleDelegate(window.tree)
        window.tree.setItemDelegateForColumn(0, self.delegate)
        self.panel.on_firing_changed.append(self.highlight)
        self._follow_timer = QTimer(self)
        self._follow_timer.setSingleShot(True)
        self._follow_timer.setInterval(0)
        self._follow_timer.timeout.connect(self.follow)
        # after the window has built the form for the new selection or edit
        window.tree.selectionModel().currentChanged.connect(self._schedule_follow)
        window.document.value_changed.connect(self._schedule_follow)
        window.document.structure_changed.connect(self._schedule_follow)

    def closeEvent(self, event: Any) -> None:
        self.dismissed = True
        super().closeEvent(event)

    def _visibility_changed(self, visible: bool) -> None:
        if visible and self.dismissed:  # shown again from the View menu: stay shown
            self.dismissed = False
            window = self._window()
            form = window.form if window is not None else None
            self.panel.show_rules(rules_path_of(form.path) if form is not None else None)

    @property
    def pending(self) -> bool:
        """True while an update is scheduled (tests wait for it to pass)."""
        return self._follow_timer.isActive() or self.panel._timer.isActive()

    def _schedule_follow(self, *_args: Any) -> None:
        self._follow_timer.start()

    def follow(self) -> None:
        window = self._window()
        if window is None:
            return
        form = window.form
        rules_path = rules_path_of(form.path) if form is not None else None
        if self.dismissed:
            self.panel.show_rules(None)  # closed: nothing to keep up to date
            return
        if rules_path is None:
            self.panel.show_rules(None)
            self.hide()
            return
        self.panel.show_rules(rules_path)
        if self.isHidden() and not self.dismissed:
            self.show()
            width = max(380, min(500, window.width() * 36 // 100))
            window.resizeDocks([self], [width], Qt.Orientation.Horizontal)
            window.update_tab_order()  # its fields come after the problems list

    def highlight(self, firing: KeyPath | None) -> None:
        """The firing rule in the tree and in the rule list of the form."""
        window = self._window()
        if window is None:
            return
        self.delegate.firing = firing
        window.tree.viewport().update()
        form = window.form
        items = getattr(form, "items", None)
        if form is None or items is None or form.path != self.panel.rules_path:
            return
        for row in range(items.count()):
            item = items.item(row)
            on = firing is not None and firing[-1] == row
            font = item.font()
            font.setBold(on)
            item.setFont(font)
            item.setBackground(FIRING_COLOR if on else QColor(0, 0, 0, 0))


def attach_try_it(window: MainWindow) -> TryItDock:
    """The "Try it" dock on the right of WINDOW, hidden until On Demand rules are shown."""
    dock = TryItDock(window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.hide()
    # View menu: next to the Problems panel's entry
    problems_toggle = window.problems_dock.toggleViewAction()
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and problems_toggle in menu.actions():
            following = menu.actions()[menu.actions().index(problems_toggle) + 1]
            dock.toggleViewAction().setText("Tr&y It: On Demand")
            menu.insertAction(following, dock.toggleViewAction())
    dock.follow()
    dock._schedule_follow()  # again once the window has restored the docks it last had
    return dock
