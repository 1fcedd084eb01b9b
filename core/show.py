"""`mnist-tui show`: one digit and its label on stdout, coloured on a terminal, plain in a pipe."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from core.data import DataError, load
from core.render import render


def fail(reason: str) -> int:
    # Plain print: one line however narrow the terminal, never re-wrapped by Rich.
    print(f"mnist-tui: {reason}", file=sys.stderr)
    return 1


def show_digit(args: argparse.Namespace, console: Console | None = None) -> int:
    console = console or Console(highlight=False)
    try:
        split = load(args.dataset, args.split, root=args.data_dir)
    except DataError as error:
        return fail(str(error))
    if not -len(split) <= args.index < len(split):
        return fail(
            f"index {args.index} is out of range for {args.dataset} {args.split} "
            f"(0-{len(split) - 1})"
        )
    index = args.index % len(split)
    label = int(split.labels[index])
    # Colour only where it will be seen: not in a pipe, not under NO_COLOR.
    color = console.is_terminal and not console.no_color and console.color_system is not None
    title = f"{args.dataset} {args.split}[{index}]  label {label} ({split.classes[label]})"
    if split.is_synthetic:
        title += "  [synthetic]"
    console.print(title, markup=False)
    drawing = render(split.images[index], args.mode, args.palette, color=color)
    plain = drawing if isinstance(drawing, str) else drawing.plain
    # soft_wrap: a 28-column matrix row is wider than a pipe's 80 columns and must not fold.
    if color and not isinstance(drawing, str):
        console.print(drawing, soft_wrap=True)
    else:
        console.print(plain, markup=False, soft_wrap=True)
    return 0
