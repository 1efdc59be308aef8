"""The "New VPN Connection" dialog: one connection type, the few values it needs.

The dialog asks only for what the chosen type uses (server, vendor settings, the app's
identifier, a certificate, a proxy); everything else keeps the preset's secure defaults
and is edited afterwards in the payload's form. OK builds the payload with
`presets.build_payload` and adds it to the document as one undo step.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.core import payload_types, presets
from editor.core.certificates import IDENTITY_TYPES, identity_payloads
from editor.core.errors import InvalidValueError
from editor.core.formats import check_format
from editor.core.model import KeyPath, get_value
from editor.core.presets import ConnectionType, ProxySetup
from editor.core.variables import holds_variable
from editor.session.document import Document
from editor.ui.colors import error_color
from editor.ui.dialogs.parts import error_label, hint_label, ok_cancel_buttons
from editor.ui.fields import FullTextComboBox

DEFAULT_IDENTIFIER_BASE = "com.example.profile"

# How the dialog names the vendor keys presets declare, and what it suggests typing.
VENDOR_LABELS: dict[str, tuple[str, str]] = {
    "Group": ("Tunnel group", "the group name on the server (optional)"),
    "Realm": ("Sign-in realm", "for example Users (optional)"),
    "Role": ("Role", "for example Employees (optional)"),
    "LoginGroupOrDomain": ("Login group or domain", "for example LocalDomain (optional)"),
    "WgQuickConfig": ("WireGuard configuration", ""),
}
_SERVER_KEYS = frozenset({"RemoteAddress", "CommRemoteAddress"})


def profile_identifier_base(document: Document) -> str:
    """The profile's PayloadIdentifier, which new payload identifiers start with."""
    base = document.profile.root.get("PayloadIdentifier")
    if isinstance(base, str) and base.strip().rstrip("."):
        return base
    return DEFAULT_IDENTIFIER_BASE


def certificate_choices(document: Document) -> list[tuple[str, str, str]]:
    """(label, PayloadUUID, PayloadType) of the profile's identity payloads (a certificate
    without its private key cannot authenticate the device)."""
    choices = []
    for uuid, kind, payload in identity_payloads(document.profile):
        name = payload.get("PayloadDisplayName") or payload.get("PayloadCertificateFileName")
        kind_name = kind.rsplit(".", 1)[-1]
        label = f"{name} ({kind_name}) — {uuid}" if name else f"{kind_name} — {uuid}"
        choices.append((label, uuid, kind))
    return choices


def _schema_path(path: KeyPath) -> str:
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            if parts:
                parts[-1] += "[]"
        else:
            parts.append(part)
    return "/".join(parts)


class ConnectionDialog(QDialog):
    """Choose a connection type and fill in what it needs; OK adds the payload."""

    def __init__(
        self, document: Document, type_id: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.added_index: int | None = None
        self.setWindowTitle("New VPN Connection")
        self.setModal(True)
        self.resize(1040, 620)

        outer = QVBoxLayout(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(scroll)
        self._body = body
        scroll.setWidget(body)
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        outer.addWidget(scroll, 1)

        self.body_layout = left
        self._build_connection_box(body)
        self._build_certificate_box(body)
        left.addStretch(1)
        self.body_layout = right
        self._build_vendor_box(body)
        self._build_proxy_box(body)
        right.addStretch(1)

        self.needed_label = error_label(self, "neededHint")
        self.later_label = hint_label(self)
        self.later_label.setObjectName("laterHint")
        outer.addWidget(self.needed_label)
        outer.addWidget(self.later_label)
        self.buttons, self.ok_button = ok_cancel_buttons(
            self, "Add Connection", ok_name="Add connection"
        )
        outer.addWidget(self.buttons)

        self._set_tab_order()
        index = self.type_combo.findData(type_id)
        self.type_combo.setCurrentIndex(max(index, 0))
        self._type_changed()
        first = self.server_edit if self._needs_server() else self.identifier_edit
        if not (self._needs_server() or self._identifier_required()):
            first = self.name_edit
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- building ------------------------------------------------------------------------
    def _build_connection_box(self, body: QWidget) -> None:
        box = QGroupBox("Connection", body)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.connection_form = form

        self.type_combo = QComboBox(box)
        self.type_combo.setAccessibleName("Connection type")
        for kind in presets.CONNECTION_TYPES:
            self.type_combo.addItem(kind.title, kind.id)
            self.type_combo.setItemData(
                self.type_combo.count() - 1, kind.description, Qt.ItemDataRole.ToolTipRole
            )
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        form.addRow(self._label("&Type:", self.type_combo), self.type_combo)

        self.description = hint_label(box)
        self.description.setObjectName("typeDescription")
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.description)

        self.base_combo = QComboBox(box)
        self.base_combo.setAccessibleName("Tunnel type of the per-app VPN")
        for kind in presets.CONNECTION_TYPES:
            if (
                kind.payload_type == payload_types.VPN
                and kind.vpn_type in presets.PER_APP_VPN_TYPES
            ):
                self.base_combo.addItem(kind.title, kind.id)
        self.base_combo.currentIndexChanged.connect(self._base_changed)
        form.addRow(self._label("T&unnel type:", self.base_combo), self.base_combo)

        self.name_edit = QLineEdit(box)
        self.name_edit.setAccessibleName("Connection name")
        self.name_edit.setAccessibleDescription("The name the device shows in VPN settings")
        self.name_edit.textChanged.connect(self._update_state)
        form.addRow(self._label("&Name:", self.name_edit), self.name_edit)

        self.server_edit = QLineEdit(box)
        self.server_edit.setAccessibleName("Server address")
        self.server_edit.setPlaceholderText("vpn.example.com")
        self.server_edit.textChanged.connect(self._update_state)
        self.server_hint = hint_label(box)
        self.server_hint.setObjectName("serverHint")
        self.server_row = self._with_hint(self.server_edit, box, self.server_hint)
        form.addRow(self._label("&Server:", self.server_edit), self.server_row)

        self.identifier_edit = QLineEdit(box)
        self.identifier_edit.setAccessibleName("Provider app identifier (VPNSubType)")
        self.identifier_edit.textChanged.connect(self._update_state)
        self.identifier_hint = hint_label(box)
        self.identifier_hint.setObjectName("identifierHint")
        self.identifier_row = self._with_hint(self.identifier_edit, box, self.identifier_hint)
        form.addRow(self._label("App &identifier:", self.identifier_edit), self.identifier_row)

        self.provider_combo = QComboBox(box)
        self.provider_combo.setAccessibleName("Provider type")
        self.provider_combo.currentIndexChanged.connect(self._update_state)
        form.addRow(self._label("&Provider type:", self.provider_combo), self.provider_combo)
        self.body_layout.addWidget(box)

    def _with_hint(self, edit: QWidget, parent: QWidget, hint: QLabel) -> QWidget:
        holder = QWidget(parent)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(edit)
        layout.addWidget(hint)
        return holder

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _build_certificate_box(self, body: QWidget) -> None:
        self.certificate_box = QGroupBox("Authentication", body)
        form = QFormLayout(self.certificate_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.certificate_combo = FullTextComboBox(self.certificate_box)  # UUIDs shown whole
        self.certificate_combo.setAccessibleName("Client certificate")
        self.certificate_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.certificate_combo.setMinimumContentsLength(30)
        self.certificate_combo.addItem("None (pick one later in the form)", "")
        chosen = 0
        for label, uuid, kind in certificate_choices(self.document):
            self.certificate_combo.addItem(label, uuid)
            if not chosen and kind in IDENTITY_TYPES:
                chosen = self.certificate_combo.count() - 1
        self.certificate_combo.setCurrentIndex(chosen)
        self.certificate_combo.currentIndexChanged.connect(self._update_state)
        self.certificate_hint = hint_label(self.certificate_box)
        if self.certificate_combo.count() == 1:
            self.certificate_hint.setText(
                "The profile holds no certificate yet. Add the client identity with "
                "Edit ▸ Add Certificate… and pick it in the payload's form."
            )
        else:
            self.certificate_hint.setText(
                "The identity (a PKCS#12 payload) the device signs in with."
            )
        form.addRow(
            self._label("&Certificate:", self.certificate_combo),
            self._with_hint(self.certificate_combo, self.certificate_box, self.certificate_hint),
        )
        self.body_layout.addWidget(self.certificate_box)

    def _build_vendor_box(self, body: QWidget) -> None:
        self.vendor_box = QGroupBox("Vendor settings (VendorConfig)", body)
        layout = QVBoxLayout(self.vendor_box)
        self.vendor_form = QFormLayout()
        self.vendor_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.vendor_form)
        self.vendor_edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        keys = dict.fromkeys(key for kind in presets.CONNECTION_TYPES for key in kind.vendor_keys)
        for key in keys:
            title, placeholder = VENDOR_LABELS.get(key, (key, ""))
            edit: QLineEdit | QPlainTextEdit
            if key == "WgQuickConfig":
                edit = QPlainTextEdit(self.vendor_box)
                edit.setTabChangesFocus(True)
                edit.setPlaceholderText(
                    "[Interface]\nPrivateKey = …\nAddress = 10.0.0.2/32\n\n[Peer]\n"
                    "PublicKey = …\nEndpoint = vpn.example.com:51820\nAllowedIPs = 0.0.0.0/0"
                )
                edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * 7 + 12)
                edit.textChanged.connect(self._update_state)
            else:
                edit = QLineEdit(self.vendor_box)
                edit.setPlaceholderText(placeholder)
                edit.textChanged.connect(self._update_state)
            edit.setAccessibleName(f"{title} ({key})")
            edit.setToolTip(f"Stored as the {key} vendor setting")
            self.vendor_edits[key] = edit
            self.vendor_form.addRow(self._label(f"{title}:", edit), edit)

        pairs_label = QLabel("Other settings the vendor documents (key and value):", self)
        pairs_label.setWordWrap(True)
        layout.addWidget(pairs_label)
        self.pairs_table = QTableWidget(0, 2, self.vendor_box)
        self.pairs_table.setAccessibleName("Custom vendor settings")
        self.pairs_table.setHorizontalHeaderLabels(["Key", "Value"])
        self.pairs_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.pairs_table.horizontalHeader().setMinimumSectionSize(140)
        self.pairs_table.horizontalHeader().setStretchLastSection(True)
        self.pairs_table.verticalHeader().hide()
        self.pairs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pairs_table.setTabKeyNavigation(False)
        self.pairs_table.setFixedHeight(self.fontMetrics().lineSpacing() * 6 + 16)
        self.pairs_table.itemChanged.connect(self._update_state)
        pairs_label.setBuddy(self.pairs_table)
        layout.addWidget(self.pairs_table)
        buttons = QHBoxLayout()
        self.add_pair_button = QPushButton("Add Setting", self.vendor_box)
        self.add_pair_button.setAccessibleName("Add a vendor setting")
        self.remove_pair_button = QPushButton("Remove Setting", self.vendor_box)
        self.remove_pair_button.setAccessibleName("Remove the selected vendor setting")
        self.add_pair_button.clicked.connect(lambda: self.add_pair())
        self.remove_pair_button.clicked.connect(self.remove_pair)
        buttons.addWidget(self.add_pair_button)
        buttons.addWidget(self.remove_pair_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.body_layout.addWidget(self.vendor_box)

    def _build_proxy_box(self, body: QWidget) -> None:
        box = QGroupBox("Proxy for traffic through the VPN", body)
        layout = QVBoxLayout(box)
        modes = QHBoxLayout()
        self.proxy_group = QButtonGroup(self)
        self.proxy_none = QRadioButton("N&one", box)
        self.proxy_manual = QRadioButton("&Manual", box)
        self.proxy_automatic = QRadioButton("&Automatic (PAC file)", box)
        for index, (button, name) in enumerate(
            (
                (self.proxy_none, "No proxy"),
                (self.proxy_manual, "Manual proxy"),
                (self.proxy_automatic, "Automatic proxy configuration"),
            )
        ):
            button.setAccessibleName(name)
            self.proxy_group.addButton(button, index)
            modes.addWidget(button)
        modes.addStretch(1)
        self.proxy_none.setChecked(True)
        layout.addLayout(modes)
        self.proxy_pages: list[QWidget] = []

        none_page = QWidget(box)
        none_layout = QVBoxLayout(none_page)
        none_layout.setContentsMargins(0, 0, 0, 0)
        none_text = hint_label(none_page)
        none_text.setText("Traffic through the tunnel goes to its destination directly.")
        none_layout.addWidget(none_text)
        none_layout.addStretch(1)
        self.proxy_pages.append(none_page)
        layout.addWidget(none_page)

        manual = QWidget(box)
        form = QFormLayout(manual)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.http_server_edit = QLineEdit(manual)
        self.http_server_edit.setAccessibleName("HTTP proxy server")
        self.http_server_edit.setPlaceholderText("proxy.example.com")
        self.http_port_spin = QSpinBox(manual)
        self.http_port_spin.setAccessibleName("HTTP proxy port")
        self.http_port_spin.setRange(1, 65535)
        self.http_port_spin.setValue(ProxySetup().http_port)
        form.addRow(
            self._label("&HTTP proxy:", self.http_server_edit),
            self._server_and_port(manual, self.http_server_edit, self.http_port_spin),
        )
        self.https_server_edit = QLineEdit(manual)
        self.https_server_edit.setAccessibleName("HTTPS proxy server")
        self.https_server_edit.setPlaceholderText("same as the HTTP proxy")
        self.https_port_spin = QSpinBox(manual)
        self.https_port_spin.setAccessibleName("HTTPS proxy port")
        self.https_port_spin.setRange(0, 65535)
        self.https_port_spin.setSpecialValueText("same")
        self.https_port_spin.setValue(0)
        form.addRow(
            self._label("HTTPS pro&xy:", self.https_server_edit),
            self._server_and_port(manual, self.https_server_edit, self.https_port_spin),
        )
        self.proxy_user_edit = QLineEdit(manual)
        self.proxy_user_edit.setAccessibleName("Proxy user name")
        self.proxy_user_edit.setPlaceholderText("optional")
        form.addRow(self._label("Us&er name:", self.proxy_user_edit), self.proxy_user_edit)
        self.proxy_password_edit = QLineEdit(manual)
        self.proxy_password_edit.setAccessibleName("Proxy password")
        self.proxy_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.proxy_password_edit.setPlaceholderText("optional")
        password_hint = hint_label(manual)
        password_hint.setText(
            "A password here is stored in the profile in clear text; leave it empty and the "
            "device asks for it."
        )
        form.addRow(
            self._label("Pass&word:", self.proxy_password_edit),
            self._with_hint(self.proxy_password_edit, manual, password_hint),
        )
        self.proxy_pages.append(manual)
        layout.addWidget(manual)

        automatic = QWidget(box)
        auto_form = QFormLayout(automatic)
        auto_form.setContentsMargins(0, 0, 0, 0)
        auto_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.pac_url_edit = QLineEdit(automatic)
        self.pac_url_edit.setAccessibleName("Proxy auto-configuration (PAC) file URL")
        self.pac_url_edit.setPlaceholderText("https://proxy.example.com/proxy.pac")
        auto_form.addRow(self._label("PAC file U&RL:", self.pac_url_edit), self.pac_url_edit)
        self.proxy_pages.append(automatic)
        layout.addWidget(automatic)

        for edit in (
            self.http_server_edit,
            self.https_server_edit,
            self.proxy_user_edit,
            self.proxy_password_edit,
            self.pac_url_edit,
        ):
            edit.textChanged.connect(self._update_state)
        for spin in (self.http_port_spin, self.https_port_spin):
            spin.valueChanged.connect(self._update_state)
        self.proxy_group.idToggled.connect(self._proxy_mode_changed)
        self._show_proxy_page(0)
        self.body_layout.addWidget(box)

    def _server_and_port(self, parent: QWidget, server: QLineEdit, port: QSpinBox) -> QWidget:
        holder = QWidget(parent)
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(server, 1)
        port_label = QLabel("Port:", holder)
        port_label.setBuddy(port)
        line.addWidget(port_label)
        line.addWidget(port)
        return holder

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.type_combo,
            self.base_combo,
            self.name_edit,
            self.server_edit,
            self.identifier_edit,
            self.provider_combo,
            self.certificate_combo,
            *self.vendor_edits.values(),
            self.pairs_table,
            self.add_pair_button,
            self.remove_pair_button,
            self.proxy_none,
            self.proxy_manual,
            self.proxy_automatic,
            self.http_server_edit,
            self.http_port_spin,
            self.https_server_edit,
            self.https_port_spin,
            self.proxy_user_edit,
            self.proxy_password_edit,
            self.pac_url_edit,
            self.ok_button,
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel),
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- what is chosen --------------------------------------------------------------------
    def type_id(self) -> str:
        return str(self.type_combo.currentData())

    def base_type(self) -> str:
        return str(self.base_combo.currentData())

    def preset(self) -> ConnectionType:
        return presets.connection_type(self.type_id())

    def settings_preset(self) -> ConnectionType:
        """The preset whose settings the payload gets (a per-app VPN's tunnel type)."""
        if self.preset().payload_type == payload_types.APPLAYER:
            return presets.connection_type(self.base_type())
        return self.preset()

    def required_paths(self) -> tuple[KeyPath, ...]:
        return presets.fields_to_fill(self.type_id(), self.base_type())

    def _needs_server(self) -> bool:
        return any(path[-1] in _SERVER_KEYS for path in self.required_paths())

    def _identifier_applies(self) -> bool:
        return self.settings_preset().vpn_type in ("VPN", "TransparentProxy")

    def _identifier_required(self) -> bool:
        return ("VPNSubType",) in self.required_paths()

    def _vendor_applies(self) -> bool:
        return self.settings_preset().vpn_type == "VPN"

    def certificate_uuid(self) -> str:
        if not self.settings_preset().certificate_auth:
            return ""
        return str(self.certificate_combo.currentData() or "")

    def custom_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for row in range(self.pairs_table.rowCount()):
            key_item = self.pairs_table.item(row, 0)
            value_item = self.pairs_table.item(row, 1)
            key = key_item.text().strip() if key_item is not None else ""
            value = value_item.text() if value_item is not None else ""
            if key or value:
                pairs.append((key, value))
        return pairs

    def vendor_config(self) -> dict[str, str]:
        """The VendorConfig pairs typed in: the preset's keys, then the custom ones."""
        if not self._vendor_applies():
            return {}
        config: dict[str, str] = {}
        for key in self.settings_preset().vendor_keys:
            text = self._vendor_text(self.vendor_edits[key])
            if text.strip():
                config[key] = text
        for key, value in self.custom_pairs():
            if key:
                config[key] = value
        return config

    @staticmethod
    def _vendor_text(edit: QLineEdit | QPlainTextEdit) -> str:
        return edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text().strip()

    def proxy_mode(self) -> presets.ProxyMode:
        if self.proxy_manual.isChecked():
            return "manual"
        if self.proxy_automatic.isChecked():
            return "automatic"
        return "none"

    def proxy_setup(self) -> ProxySetup:
        mode = self.proxy_mode()
        if mode == "automatic":
            return ProxySetup("automatic", pac_url=self.pac_url_edit.text().strip())
        if mode == "manual":
            https_server = self.https_server_edit.text().strip()
            https_port = self.https_port_spin.value()
            return ProxySetup(
                "manual",
                http_server=self.http_server_edit.text().strip(),
                http_port=self.http_port_spin.value(),
                https_server=https_server or None,
                https_port=https_port or None,
                username=self.proxy_user_edit.text().strip(),
                password=self.proxy_password_edit.text(),
            )
        return ProxySetup()

    def provider_type(self) -> str | None:
        if not self._vendor_applies():
            return None
        value = self.provider_combo.currentData()
        return str(value) if value else None

    def build(self) -> dict[str, Any]:
        """The payload for what is filled in (InvalidValueError when presets refuse it)."""
        per_app = self.preset().payload_type == payload_types.APPLAYER
        return presets.build_payload(
            self.type_id(),
            name=self.name_edit.text(),
            identifier_base=profile_identifier_base(self.document),
            server=self.server_edit.text() if self._needs_server() else "",
            vendor_config=self.vendor_config() or None,
            custom_identifier=(
                self.identifier_edit.text().strip() if self._identifier_applies() else ""
            ),
            proxy=self.proxy_setup(),
            certificate_uuid=self.certificate_uuid(),
            base_type=self.base_type() if per_app else "ikev2",
            provider_type=self.provider_type(),
        )

    # --- checks ------------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """What keeps OK disabled, in the words shown to the user."""
        found: list[str] = []
        if self._needs_server():
            found += self._check_text(self.server_edit.text(), "host", "the server address")
        if self._identifier_applies():
            text = self.identifier_edit.text().strip()
            if self._identifier_required() and not text:
                found.append("the app identifier (the VPN app's bundle ID)")
            elif text:
                found += self._check_text(text, "bundle-id", "the app identifier")
        if self._vendor_applies():
            seen: set[str] = set()
            filled = {
                key
                for key in self.settings_preset().vendor_keys
                if self._vendor_text(self.vendor_edits[key]).strip()
            }
            for key, _value in self.custom_pairs():
                if not key:
                    found.append("a key for every vendor setting that has a value")
                elif key in seen or key in filled:
                    found.append(f"one value only for the vendor setting {key}")
                seen.add(key)
        mode = self.proxy_mode()
        if mode == "manual":
            found += self._check_text(self.http_server_edit.text(), "host", "the HTTP proxy")
            https = self.https_server_edit.text().strip()
            if https:
                found += self._check_text(https, "host", "the HTTPS proxy")
        elif mode == "automatic":
            found += self._check_text(self.pac_url_edit.text(), "url", "the PAC file URL")
        return list(dict.fromkeys(found))

    @staticmethod
    def _check_text(text: str, fmt: str, what: str) -> list[str]:
        text = text.strip()
        if not text:
            return [what]
        if holds_variable(text):
            return []
        problem = check_format(fmt, text)
        return [f"{what} ({text!r} {problem})"] if problem else []

    def remaining_fields(self) -> list[str]:
        """Required keys the dialog leaves empty: the payload's form asks for them."""
        try:
            payload = self.build()
        except InvalidValueError:
            return []
        payload_schema = self.document.schema.payload(payload["PayloadType"])
        names = []
        for path in self.required_paths():
            if get_value(payload, path) not in ("", b""):
                continue
            if path[-1] in _SERVER_KEYS or path[-1] == "RemoteIdentifier":
                continue  # the server address above fills these
            if path == ("VPNSubType",):
                continue  # asked for above
            names.append(self._field_name(path, payload_schema))
        return names

    @staticmethod
    def _field_name(path: KeyPath, payload_schema: Any) -> str:
        name = str(path[-1])
        label = VENDOR_LABELS.get(name, (name, ""))[0]
        if payload_schema is not None:
            spec = payload_schema.find(_schema_path(path))
            if spec is None:  # an Always On tunnel takes the IKEv2 keys
                spec = payload_schema.find(f"IKEv2/{name}")
            if spec is not None:
                label = spec.label
        return f"{label} ({path[0]})" if len(path) > 1 else label

    # --- reacting --------------------------------------------------------------------------------
    def _type_changed(self) -> None:
        preset = self.preset()
        text = preset.description
        if preset.platforms:
            text += f" Works on {', '.join(preset.platforms)} only."
        self.description.setText(text)
        self.name_edit.setPlaceholderText(preset.title)
        per_app = preset.payload_type == payload_types.APPLAYER
        self.connection_form.setRowVisible(self.base_combo, per_app)
        self._base_changed()
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as the chosen type's settings need (up to 760 pixels, the rest
        scrolls): an IKEv2 connection left the fixed-size dialog half empty."""
        parts = (self.needed_label, self.later_label, self.buttons)
        needed = self._body.sizeHint().height() + sum(p.sizeHint().height() for p in parts)
        self.resize(self.width(), min(needed + 60, 760))

    def _base_changed(self) -> None:
        settings = self.settings_preset()
        form = self.connection_form
        form.setRowVisible(self.server_row, self._needs_server())
        form.setRowVisible(self.identifier_row, self._identifier_applies())
        if self._identifier_required():
            self.identifier_edit.setPlaceholderText("com.example.vpnclient")
            self.identifier_hint.setText(
                "Required: the bundle ID of the app that provides the connection."
            )
        else:
            subtype = settings.vpn_subtype or ""
            self.identifier_edit.setPlaceholderText(subtype)
            note = f" {settings.subtype_note}" if settings.subtype_note else ""
            self.identifier_hint.setText(
                f"Leave empty to use {subtype}; enter another ID for a legacy plug-in or "
                f"the Mac app.{note}"
            )
        form.setRowVisible(self.provider_combo, self._vendor_applies())
        self._fill_provider_types(settings)
        self.certificate_box.setVisible(settings.certificate_auth)
        self.vendor_box.setVisible(self._vendor_applies())
        for key, edit in self.vendor_edits.items():
            self.vendor_form.setRowVisible(edit, key in settings.vendor_keys)
        self._update_state()

    def _fill_provider_types(self, settings: ConnectionType) -> None:
        previous = self.provider_combo.currentData()
        self.provider_combo.blockSignals(True)
        self.provider_combo.clear()
        preset_value = ""
        if settings.vpn_type == "VPN":
            sample = presets.build_payload(
                settings.id, name="", identifier_base=DEFAULT_IDENTIFIER_BASE
            )
            preset_value = str(sample["VPN"].get("ProviderType", ""))
        default = (
            f"Preset default ({preset_value})" if preset_value else "Not set (the app decides)"
        )
        self.provider_combo.addItem(default, "")
        self.provider_combo.addItem("Packet tunnel (packet-tunnel)", "packet-tunnel")
        self.provider_combo.addItem("App proxy (app-proxy)", "app-proxy")
        index = self.provider_combo.findData(previous) if previous else 0
        self.provider_combo.setCurrentIndex(max(index, 0))
        self.provider_combo.blockSignals(False)

    def _proxy_mode_changed(self, button_id: int, checked: bool) -> None:
        if checked:
            self._show_proxy_page(button_id)
            self._update_state()

    def _show_proxy_page(self, index: int) -> None:
        for page_index, page in enumerate(self.proxy_pages):
            page.setVisible(page_index == index)

    def _update_state(self) -> None:
        server = self.server_edit.text().strip()
        problem = None
        if server and not holds_variable(server):
            problem = check_format("host", server)
        if problem:
            self.server_hint.setText(f"The server address {problem}.")
            self.server_hint.setStyleSheet(f"color: {error_color(self.palette())};")
        else:
            self.server_hint.setText("Host name or IP address of the VPN server.")
            self.server_hint.setStyleSheet("color: palette(placeholder-text);")
        problems = self.problems()
        self.ok_button.setEnabled(not problems)
        if problems:
            self.needed_label.setText("Still needed: " + "; ".join(problems) + ".")
        self.needed_label.setVisible(bool(problems))
        later = self.remaining_fields()
        self.later_label.setText(
            "After adding, fill in the payload's form: " + ", ".join(later) + "."
            if later
            else "Nothing else is required after adding."
        )

    # --- custom vendor pairs -----------------------------------------------------------------
    def add_pair(self, key: str = "", value: str = "") -> int:
        row = self.pairs_table.rowCount()
        key_item = QTableWidgetItem(key)
        self.pairs_table.blockSignals(True)
        self.pairs_table.insertRow(row)
        self.pairs_table.setItem(row, 0, key_item)
        self.pairs_table.setItem(row, 1, QTableWidgetItem(value))
        self.pairs_table.blockSignals(False)
        self.pairs_table.setCurrentCell(row, 0)
        if not key:
            self.pairs_table.editItem(key_item)
        self._update_state()
        return row

    def remove_pair(self) -> None:
        row = self.pairs_table.currentRow()
        if row >= 0:
            self.pairs_table.removeRow(row)
            self._update_state()

    # --- OK ---------------------------------------------------------------------------------------
    def accept(self) -> None:
        """Add the payload (one undo step) and close; stays open while something is missing."""
        problems = self.problems()
        if problems:
            self.needed_label.setText("Still needed: " + "; ".join(problems) + ".")
            self.needed_label.show()
            return
        try:
            payload = self.build()
        except InvalidValueError as exc:
            self.needed_label.setText(str(exc))
            self.needed_label.show()
            return
        label = f"Add {payload['PayloadDisplayName']} payload"
        self.added_index = self.document.add_payload(payload, label)
        super().accept()
