"""`mnist-tui` and `python -m tui`: everything is parsed in tui/cli.py."""

import sys

from tui.cli import main

if __name__ == "__main__":
    sys.exit(main())
