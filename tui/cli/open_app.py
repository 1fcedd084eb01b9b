"""The app itself, opened in this terminal (`mnist-tui`, `train`, `lesson`) or served to
browsers (`serve`); textual is imported only here, and only once the command line is read."""

from __future__ import annotations

import argparse
import gc
import os
import sys

from tui.cli.common import PROG, fail
from tui.cli.config_flags import checked_config
from tui.serve import ServeError, serve


def has_terminal() -> bool:
    """Whether the app can draw: a terminal on both ends, or a driver (textual-serve's) that
    brings its own. Without one Textual would spin a core for as long as it ran."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


def start_mode(args: argparse.Namespace) -> str:
    if getattr(args, "screen", None):  # `train` and `lesson` name their screen themselves
        return args.screen
    if args.checkpoint:
        return "evaluate"
    return {"train": "train", "lesson": "lesson"}.get(args.command, "browse")


def run_app(args: argparse.Namespace) -> int:
    if not has_terminal():
        return fail(
            "the app needs a terminal on stdin and stdout; in a pipe or cron, use "
            f"`{PROG} show` for a digit or `{PROG} train --headless` to train"
        )
    training = checked_config(args)
    if training is None:
        return 2
    # Importing the app makes objects that all live as long as it does: collecting them on the
    # way is wasted, and once frozen the collector never walks them again (python -m
    # scripts.startup: the first frame about 40 ms sooner).
    gc.disable()
    try:
        from tui.app import run_app as run
        from tui.state import Options
    finally:
        gc.freeze()
        gc.enable()

    options = Options(
        training=training, checkpoint=args.checkpoint, runs=args.runs, theme=args.theme
    )
    return run(options, start_mode(args))


def run_serve(args: argparse.Namespace) -> int:
    if checked_config(args) is None:  # refused here once, not in every browser tab
        return 2
    try:
        return serve(args)
    except ServeError as err:
        return fail(str(err))
