"""The lecture's printed value beside the value computed now, marked ✓ when they agree."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from core.render import TENTHS_LEGEND, tenths_matrix

if TYPE_CHECKING:
    from core.lesson import Outcome

IMAGE_SIDE = 28  # a printed 28x28 tensor is laid out as a grid rather than torch's wrapped rows
# torch's repr of a 2-D tensor: its rows, then the dtype when it is not the default.
PRINTED_MATRIX = re.compile(r"tensor\(\[(?P<rows>\[.*?\])\](?:,\s*dtype=[\w.]+)?\)", re.DOTALL)


def values_table(lecture: str | None, outcome: Outcome | None, source: str) -> Table:
    """Two labelled rows, `lecture` and `now`; the reason below when they cannot agree."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True, width=8)
    table.add_column()
    printed = lecture if lecture is not None else "(printed nothing)"
    table.add_row("lecture", Group(*laid_out(printed)))
    if getattr(lecture, "reworded", False):  # core.lesson.lecture.Reworded: no quotation
        table.add_row("", Text("its numbers as printed, in our words", style="dim italic"))
    if outcome is None:
        table.add_row("now", Text("computing…", style="italic dim"))
        return table
    now = laid_out(outcome.value)
    if outcome.agrees is True:
        now[-1].append("  ✓", style="bold green")
    table.add_row("now", Group(*now))
    if outcome.agrees is True:
        note = f"agrees, computed on {source}"
        if outcome.reason:  # agreement within a tolerance says which
            note += f" ({outcome.reason})"
        table.add_row("", Text(note, style="green"))
    else:
        reason = outcome.reason or "cannot be compared"
        if outcome.agrees is False:
            table.add_row("", Text(f"≠ differs: {reason}", style="yellow"))
        else:
            table.add_row("", Text(reason, style="dim italic"))
    return table


def laid_out(value: str) -> list[Text]:
    """A printed 28x28 tensor as a grid that fits 80 columns, a printed tensor whose rows lost
    some zeros as its runs of ink; other text wraps (a long number is folded): nothing is cut."""
    found = PRINTED_MATRIX.search(value)
    rows = printed_rows(found.group("rows")) if found else None
    lengths = {len(row) for row in rows} if rows else set()
    pixels = all(0 <= v <= 255 for row in rows or () for v in row)  # else no grey levels
    complete = lengths == {IMAGE_SIDE} and len(rows or ()) == IMAGE_SIDE and pixels
    # Rows of an image, some short of 28: printed whole, then some zeros lost on the way.
    ragged = len(lengths) > 1 and 0 not in lengths and max(lengths) == IMAGE_SIDE
    if found is None or rows is None or not (complete or ragged):
        return [Text(value, overflow="fold")]
    before, after = value[: found.start()].rstrip("\n"), value[found.end() :].strip("\n")
    parts = [Text(before, overflow="fold")] if before else []
    if complete:
        grid = np.array(rows).astype(np.uint8)
        parts += [Text(f"28x28, {TENTHS_LEGEND}:", style="dim"), tenths_matrix(grid)]
    else:
        parts += inked_rows(rows)
    if after:
        parts.append(Text(after, overflow="fold"))
    return parts


def printed_rows(text: str) -> list[list[int]] | None:
    """The integers of each printed row, found by its bracket (a wrapped row is still one);
    None when the tensor holds anything but integers."""
    if re.search(r"\d\.|e[-+]?\d", text):
        return None
    chunks = text.split("[")[1:]
    return [[int(n) for n in re.findall(r"-?\d+", chunk.split("]")[0])] for chunk in chunks]


def inked_rows(rows: list[list[int]]) -> list[Text]:
    """Rows that lost some of their zeros (the lecture's export did, unevenly): each inked
    row's run from its first to its last non-zero pixel, in order, the zeros around it left
    out. Where the lost zeros were is unknown, so the runs are not placed in columns."""
    runs = []
    for row in rows:
        ink = [i for i, value in enumerate(row) if value]
        if ink:
            runs.append(" ".join(f"{value:>3}" for value in row[ink[0] : ink[-1] + 1]))
    said = f"rows that lost zeros; the {len(runs)} inked ones, without the zeros around the ink:"
    return [Text(said, style="dim"), Text("\n".join(runs), style="bold", no_wrap=True)]
