"""`mnist-tui` and `python -m tui`: everything is parsed in tui/cli.py."""

import sys


def main() -> int:
    """The console script: Ctrl-C at any moment, imports included, is one line and status 130."""
    try:
        from tui import cli

        return cli.main()
    except KeyboardInterrupt:
        print("mnist-tui: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
