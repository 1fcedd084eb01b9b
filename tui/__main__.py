"""`mnist-tui` and `python -m tui`: everything is parsed in tui/cli (tui.cli.parser)."""

import os
import sys
from pathlib import Path


def drop_the_current_folder() -> None:
    """`python -m tui` puts the current folder first on sys.path, so a `core/` package there (any
    Python project has one) would stand in for this project's. Dropped unless it is the folder
    that holds this project's own packages (a source checkout run without installing)."""
    ours = Path(__file__).resolve().parents[1]
    first = sys.path[0] if sys.path else None
    if first is not None and Path(first or os.curdir).resolve() == Path.cwd() != ours:
        del sys.path[0]


def main() -> int:
    """The console script: Ctrl-C at any moment, imports included, is one line and status 130."""
    try:
        from tui import cli

        return cli.main()
    except KeyboardInterrupt:
        print("mnist-tui: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    drop_the_current_folder()
    sys.exit(main())
