"""`mnist-tui show`: one digit printed to standard output."""

from __future__ import annotations

import argparse

from tui.cli.common import fail
from tui.cli.config_flags import config_from_args


def run_show(args: argparse.Namespace) -> int:
    from rich.console import Console

    from core.data import DataError, load
    from core.show import print_digit

    config = config_from_args(args)  # only --dataset and --data-dir are on `show`
    try:
        split = load(config.dataset, args.split, root=config.data_dir)
    except DataError as error:
        return fail(str(error))
    if not -len(split) <= args.index < len(split):
        return fail(
            f"index {args.index} is out of range for {config.dataset} {args.split} "
            f"(0..{len(split) - 1}, or -{len(split)}..-1 counting from the end)"
        )
    print_digit(split, args.index, args.mode, args.palette, Console(highlight=False))
    return 0
