"""A subcommand whose `--help` opens with a description: the summary that `--help` one level up
lists it by, as a sentence. argparse shows a subcommand's `help=` only in its parent's list."""

from __future__ import annotations

import argparse


def add_command(commands, name: str, summary: str, **options) -> argparse.ArgumentParser:
    """`commands.add_parser(name)` listed by `summary`, with it (or `description=`) on top."""
    options.setdefault("description", f"{summary[0].upper()}{summary[1:]}.")
    return commands.add_parser(name, help=summary, **options)
