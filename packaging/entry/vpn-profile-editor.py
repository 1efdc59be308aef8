"""Entry point of the frozen editor (the `vpn-profile-editor` executable)."""

import sys

from editor.app.application import main

sys.exit(main())
