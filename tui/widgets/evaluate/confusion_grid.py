"""The confusion matrix as a coloured 10x10 grid with a cursor the arrow keys move."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


def cell_style(count: int, row_total: int, on_diagonal: bool) -> str:
    """Green for right answers, red for mistakes, brighter the larger their share of the row."""
    share = count / row_total if row_total else 0.0
    if count == 0:
        return "dim"
    if on_diagonal:
        return f"bold black on rgb(0,{int(90 + 165 * share)},0)"
    level = int(60 + 195 * min(1.0, share * 8))  # mistakes are rare: stretch the scale
    return f"bold white on rgb({level},0,0)"


class ConfusionGrid(Widget, can_focus=True):
    """Rows are true labels, columns predictions; Enter lists the images of the cell."""

    DEFAULT_CSS = """
    ConfusionGrid { width: auto; height: auto; }
    """
    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("enter", "choose", "Show cell"),
    ]

    cursor: reactive[tuple[int, int]] = reactive((0, 0))

    @dataclass
    class CellChosen(Message):
        """Enter on a cell: its true label and prediction."""

        true: int
        predicted: int

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.matrix = np.zeros((10, 10), np.int64)
        self.class_names: tuple[str, ...] = tuple(str(i) for i in range(10))

    def show(self, matrix: np.ndarray, classes: tuple[str, ...]) -> None:
        self.matrix = matrix
        self.class_names = classes
        self.refresh(layout=True)

    def render(self) -> Table:
        table = Table(
            title="Confusion matrix", box=None, padding=(0, 0), show_edge=False, pad_edge=False
        )
        table.add_column("true\\pred", justify="right", style="dim")
        for j in range(10):
            table.add_column(f"{j:>5}", justify="right")
        totals = self.matrix.sum(axis=1)
        for i in range(10):
            cells = []
            for j in range(10):
                count = int(self.matrix[i, j])
                style = cell_style(count, int(totals[i]), i == j)
                if (i, j) == self.cursor:
                    style += " reverse" if self.has_focus else " underline"
                cells.append(Text(f"{count:>5}", style=style))
            table.add_row(f"{i} ", *cells)
        return table

    def action_move(self, rows: int, cols: int) -> None:
        row, col = self.cursor
        self.cursor = ((row + rows) % 10, (col + cols) % 10)

    def action_choose(self) -> None:
        self.post_message(self.CellChosen(*self.cursor))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
