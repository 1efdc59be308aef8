"""`python -m editor.cli …` runs `vpn-profile …`."""

import sys

from editor.cli.main import main

sys.exit(main())
