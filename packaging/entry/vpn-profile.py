"""Entry point of the frozen command-line tool (the `vpn-profile` executable)."""

import sys

from editor.cli.main import main

sys.exit(main())
