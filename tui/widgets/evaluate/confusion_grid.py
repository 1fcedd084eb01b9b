"""The confusion matrix as a 10x10 grid with a cursor, and each class's precision, recall, F1.

The cells are counts or shares of their row (n toggles); mistakes are shaded on the log2 scale
of `confusion_scale`, in colour or, without colour, with shade glyphs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from tui.widgets.evaluate.confusion_scale import CELL_WIDTH, cell_text, legend

LABEL_WIDTH = 6  # "true↓ " and the row labels
SCORE_WIDTH = 6  # " 100.0"


class ConfusionGrid(Widget, can_focus=True):
    """Rows are true labels, columns predictions; the cursor picks the cell whose images show."""

    DEFAULT_CSS = """
    ConfusionGrid { width: auto; height: auto; }
    """
    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("enter", "choose", "Show cell", show=False),
        Binding("n", "toggle_share", "Counts/row %", id="confusion-share"),
        Binding("right_square_bracket", "page(1)", "Next images", key_display="]"),
        Binding("left_square_bracket", "page(-1)", "Prev images", key_display="["),
    ]

    cursor: reactive[tuple[int, int]] = reactive((0, 0))
    normalised: reactive[bool] = reactive(False)

    @dataclass
    class CellChosen(Message):
        """The cursor is on a cell (moved there, or Enter): its true label and prediction."""

        true: int
        predicted: int

    @dataclass
    class Paged(Message):
        """] or [: the next or previous page of the chosen cell's images."""

        step: int

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.matrix = np.zeros((10, 10), np.int64)
        self.class_names: tuple[str, ...] = tuple(str(i) for i in range(10))

    def show(self, matrix: np.ndarray, classes: tuple[str, ...]) -> None:
        self.matrix = matrix
        self.class_names = classes
        self.refresh(layout=True)

    def render(self) -> Text:
        from core.scores import class_scores

        color = not self.app.no_color
        scores = class_scores(self.matrix)
        text = Text(no_wrap=True)
        text.append(f"{'true↓':<{LABEL_WIDTH}}", style="dim")
        for j in range(10):
            text.append(f"{j:>{CELL_WIDTH}}", style="bold")
        text.append(" │", style="dim")
        for name in ("P%", "R%", "F1%"):
            text.append(f"{name:>{SCORE_WIDTH}}", style="bold")
        totals = self.matrix.sum(axis=1)
        for i in range(10):
            text.append("\n")
            text.append(f"{i:>3}   ", style="bold")
            for j in range(10):
                cell = cell_text(
                    int(self.matrix[i, j]), int(totals[i]), i == j, self.normalised, color
                )
                if (i, j) == self.cursor:
                    cell.stylize("reverse" if self.has_focus else "underline")
                text.append_text(cell)
            text.append(" │", style="dim")
            for k, value in enumerate((scores.precision[i], scores.recall[i], scores.f1[i])):
                shown = f"{100 * value:>{SCORE_WIDTH}.1f}" if value == value else "—".rjust(6)
                text.append(shown, style="bold" if k == 2 else "")
        text.append("\n")
        text.append_text(legend(self.normalised, color))
        return text

    def watch_cursor(self) -> None:
        self.post_message(self.CellChosen(*self.cursor))

    def action_move(self, rows: int, cols: int) -> None:
        row, col = self.cursor
        self.cursor = ((row + rows) % 10, (col + cols) % 10)

    def action_choose(self) -> None:
        self.post_message(self.CellChosen(*self.cursor))

    def action_toggle_share(self) -> None:
        self.normalised = not self.normalised

    def action_page(self, step: int) -> None:
        self.post_message(self.Paged(step))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
