"""Test images one by one with the network's prediction, all, or only its mistakes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget

if TYPE_CHECKING:  # core.evaluation imports torch: not on the start-up path
    from core.evaluation import Evaluation

from core.render import render_square
from tui.widgets.digit_view import whole_scale
from tui.widgets.evaluate.probability_bars import bars_width, probability_bars
from tui.widgets.fitted_line import first_that_fits

HEAD_LINES = 2  # the sample's line and a blank one above the picture
GAP = 2  # columns between the picture and the bars


class PredictionView(Widget, can_focus=True):
    """←/→ step through samples; m shows only mistakes, most confident first."""

    DEFAULT_CSS = """
    PredictionView { height: 1fr; width: 1fr; }
    """
    BINDINGS = [
        # The arrows are the only way through the samples: the footer shows them.
        Binding("right", "step(1)", "Next", key_display="→"),
        Binding("left", "step(-1)", "Prev", key_display="←"),
        Binding("down", "step(10)", "+10", show=False),
        Binding("up", "step(-10)", "-10", show=False),
        Binding("m", "toggle_mistakes", "Mistakes only"),
    ]

    position: reactive[int] = reactive(0)
    mistakes_only: reactive[bool] = reactive(False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.evaluation: Evaluation | None = None
        self.images: np.ndarray | None = None
        self.class_names: tuple[str, ...] = ()
        self.order = np.arange(0)

    def show(self, evaluation: Evaluation, images: np.ndarray, classes: tuple[str, ...]) -> None:
        self.evaluation, self.images, self.class_names = evaluation, images, classes
        self.reorder()

    def reorder(self) -> None:
        if self.evaluation is None:
            return
        if self.mistakes_only:
            self.order = self.evaluation.mistakes()
        else:
            self.order = np.arange(len(self.evaluation.labels))
        self.position = 0
        self.refresh(layout=True)

    @property
    def index(self) -> int | None:
        return int(self.order[self.position]) if len(self.order) else None

    def render(self):
        if self.evaluation is None or self.images is None:
            return Text("No evaluation yet.")
        if self.index is None:
            return Text("No mistakes at all on this split.")
        i = self.index
        probs = self.evaluation.probabilities[i]
        true, predicted = int(self.evaluation.labels[i]), int(self.evaluation.predictions[i])
        verdict = Text("right", "bold green") if true == predicted else Text("wrong", "bold red")
        which = "mistakes, most confident first" if self.mistakes_only else "all test images"
        short = "mistakes" if self.mistakes_only else "test images"
        sample = Text.assemble(
            (f"test[{i}]", "bold"),
            f"  predicted {self.class_names[predicted]}, true {self.class_names[true]}  ",
            verdict,
            f"   {self.position + 1:,}/{len(self.order):,} ",
        )
        # One line whatever the width: the longer wording where it fits.
        head = first_that_fits((sample + f"of {which}", sample + short), self.size.width)
        head.no_wrap, head.overflow = True, "ellipsis"
        layout = Table.grid(padding=(0, GAP))
        color = not self.app.no_color
        layout.add_row(
            render_square(self.images[i], "halfblock", color=color, scale=self.scale),
            probability_bars(probs, self.class_names, true),
        )
        return Group(head, Text(""), layout)

    @property
    def scale(self) -> int:
        """The digit as large as the view has room for beside its bars, in whole pixels."""
        columns = self.size.width - GAP - bars_width(self.class_names, marked=True)
        return whole_scale(columns, self.size.height - HEAD_LINES)

    def action_step(self, step: int) -> None:
        if len(self.order):
            self.position = (self.position + step) % len(self.order)

    def action_toggle_mistakes(self) -> None:
        self.mistakes_only = not self.mistakes_only
        self.reorder()
