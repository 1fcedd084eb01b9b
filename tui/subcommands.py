"""What every subcommand shares: a `--help` that opens with a description, and the argparse
types that check a value at its flag (a whole number in range, a value that is not empty)."""

from __future__ import annotations

import argparse


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
