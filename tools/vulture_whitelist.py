"""Names the dead-code check (vulture) cannot see being used; each says who uses it.

Run as CI does: vulture editor packaging tools tools/vulture_whitelist.py
This file is only read by vulture, never imported.
"""

from typing import Any

_: Any = None

# Qt calls these overrides by name.
_.mergeWith  # QUndoCommand
_.redo  # QUndoCommand
_.undo  # QUndoCommand
_.dragEnterEvent  # QWidget
_.columnCount  # QAbstractItemModel
_.headerData  # QAbstractItemModel
_.hasChildren  # QAbstractItemModel
_.backgroundBrush  # QGraphicsScene / QTableWidgetItem property set for the view
_.translate  # QTranslator (editor/ui/mnemonics.py: the standard buttons' words)
# expat calls its handlers by attribute name (plistxml's careful reader)
_.StartElementHandler
_.EndElementHandler
_.CharacterDataHandler
_.EntityDeclHandler
_.StartDoctypeDeclHandler

# Read by the PyInstaller spec file and shell scripts, which vulture does not parse.
_.BUNDLE_ID  # packaging/vpn-profile-editor.spec
_.info_plist_types  # packaging/vpn-profile-editor.spec

# Public results kept whole for scripts and the tests that pin them.
_.CODES  # validation/problems.py: every problem code, a contract for scripts
_.outer_keys  # EncryptionInfo: what an encrypted profile shows without the key
_.key_transport  # EncryptionInfo
_.ikev2_certificate_type  # CertificateInfo: the IKEv2 CertificateType matching the key
_.manual_install  # schema Supervision facts, loaded from Apple's data
_.user_enrollment  # schema Supervision facts, loaded from Apple's data
_.parse_xml_plist  # plistxml: the two readers the speed tests compare
_.parse_xml_plist_carefully
_.last_worker  # ui/busy.py: tests see which thread ran the work
_.row_text  # problems panel: the row as read aloud; tests read it as a person would
_.export_fragment_action  # menu actions kept on the window for tests and shortcuts
_.copy_payload_xml_action
