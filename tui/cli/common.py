"""What every subcommand shares: its one-line failure, torch imported uninterruptibly, a
`--help` that opens with a description, the options several take, and the argparse types that
check a value at its flag (a whole number in range, a value that is not empty), and what a
failing standard output raises.

Every module of tui/cli imports this one; the parser imports the command modules for their
flags, and tui.cli.main dispatches to them, so the command line has no import circle.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from core.runs.paths import RUNS_ENV

PROG = "mnist-tui"
RUNS_FOLDER_HELP = f"the run store's folder (default: ${RUNS_ENV}, else the user data folder)"
RUN_ID_HELP = "the run's id (or the start of it), or its name"


def fail(message: str) -> int:
    """The one way a command reports failure: one line on stderr, exit status 1."""
    # Plain print: one line however narrow the terminal, never re-wrapped by Rich.
    print(f"{PROG}: {message}", file=sys.stderr)
    return 1


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold back Ctrl-C for the duration: torch's import aborts the process (a C++ exception
    thrown through pybind11) when KeyboardInterrupt is raised inside it. A Ctrl-C meanwhile is
    only noted, then raised as KeyboardInterrupt in plain Python, which main() turns into one
    line. A handler, not a blocked signal mask: other threads (numpy's BLAS pool, a status
    spinner) leave SIGINT unblocked, and the main thread would still run Python's handler."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a handler, and only it gets KeyboardInterrupt
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def import_torch() -> None:
    """torch, and torch._dynamo: building an optimizer imports the latter (seconds, cold), and
    a Ctrl-C in the middle of it aborted `train --headless` once in CI the same way."""
    with sigint_deferred():
        # Imported for their side effect: loaded, uninterruptibly.
        import torch._dynamo  # noqa: F401  (torch itself first)


def add_command(commands, name: str, summary: str, **options) -> argparse.ArgumentParser:
    """`commands.add_parser(name)` listed by `summary`, with it (or `description=`) on top."""
    options.setdefault("description", f"{summary[0].upper()}{summary[1:]}.")
    return commands.add_parser(name, help=summary, **options)


def whole_number(low: int, high: int):
    """An argparse type: a whole number in low..high, refused at the flag with the range."""

    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number in {low}..{high}, got {text!r}"
            )
        return value

    parse.__name__ = "whole number"
    return parse


def non_empty(text: str) -> str:
    """An argparse type for paths, ids and names: "" would otherwise mean the current folder
    (`--resume ""`, `--runs ""`) or match every run id."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def add_runs_folder(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=non_empty, metavar="DIR", help=RUNS_FOLDER_HELP)


# What a write to a full or failing device raises. Every file a command writes is named where
# it is written (--out, --metrics, --save, --json), so one of these without a file name that
# reaches main() came from printing to standard output (`> /dev/full`, a full disk).
OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EPIPE})


def is_output_error(err: OSError) -> bool:
    return err.filename is None and err.errno in OUTPUT_ERRNOS


def drop_standard_output() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
