"""Ten softmax probabilities as bars, the prediction and the true label marked."""

from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

BAR_WIDTH = 20
MEASURING = Console(width=1000)  # only measures: never prints


def probability_bars(
    probabilities: np.ndarray,
    classes: tuple[str, ...],
    true: int | None = None,
    width: int = BAR_WIDTH,
) -> Table:
    """One row per class: its name, a bar `width` cells long, the share, and "◀ true"."""
    probabilities = np.nan_to_num(probabilities, nan=0.0, posinf=1.0, neginf=0.0)
    predicted = int(np.argmax(probabilities))
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True, style="bold")
    for label, p in enumerate(probabilities.tolist()):
        filled = round(p * width)
        colour = "green" if label == predicted and (true is None or label == true) else "red"
        if label != predicted:
            colour = "grey50"
        bar = Text("█" * filled, style=colour) + Text("·" * (width - filled), style="grey23")
        name = classes[label] if classes[label] != str(label) else str(label)
        marker = "◀ true" if label == true else ""
        table.add_row(
            Text(name, style="bold" if label == predicted else ""), bar, f"{p:.1%}", marker
        )
    return table


def bars_width(classes: tuple[str, ...], width: int = BAR_WIDTH, marked: bool = False) -> int:
    """Columns the bars take at their widest: one share at 100.0%, the true class marked."""
    widest = np.zeros(len(classes))
    widest[-1:] = 1.0
    table = probability_bars(widest, classes, 0 if marked else None, width)
    return Measurement.get(MEASURING, MEASURING.options, table).maximum
