"""One digit and its label as text: coloured on a terminal, plain (no escape codes) in a pipe."""

from __future__ import annotations

from rich.console import Console

from core.data import Split
from core.render import render


def print_digit(split: Split, index: int, mode: str, palette: str, console: Console) -> None:
    """Print sample `index` of `split` (negative counts from the end) with a title line."""
    index %= len(split)
    label = int(split.labels[index])
    # Colour only where it will be seen: not in a pipe, not under NO_COLOR.
    color = console.is_terminal and not console.no_color and console.color_system is not None
    name = split.classes[label]
    # MNIST's class names are the digits themselves: "label 3 (3)" would say it twice.
    named = "" if name == str(label) else f" ({name})"
    title = f"{split.name} {split.split}[{index}]  label {label}{named}"
    if split.is_synthetic:
        title += "  [synthetic]"
    console.print(title, markup=False)
    drawing = render(split.images[index], mode, palette, color=color)
    plain = drawing if isinstance(drawing, str) else drawing.plain
    # soft_wrap: a 28-column matrix row is wider than a pipe's 80 columns and must not fold.
    if color and not isinstance(drawing, str):
        console.print(drawing, soft_wrap=True)
    else:
        console.print(plain, markup=False, soft_wrap=True)
