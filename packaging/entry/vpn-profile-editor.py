"""Entry point of the frozen editor (the `vpn-profile-editor` executable)."""

import sys

from editor.ui.app import main

sys.exit(main())
