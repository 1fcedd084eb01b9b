"""plotext charts of a run: loss and accuracy per epoch (train against test), loss per batch."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual_plotext import PlotextPlot

from core.events import EpochEnd

MAX_BATCH_POINTS = 400  # a longer history is thinned: a chart has fewer columns than that


class MetricCharts(Horizontal):
    """Owns the run's series; each event redraws only the chart it changes."""

    DEFAULT_CSS = """
    MetricCharts { height: 1fr; min-height: 8; }
    MetricCharts PlotextPlot { width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history: list[EpochEnd] = []
        self.batch_losses: list[float] = []
        # The run before this one, drawn faintly under it: a change of setting shows at once.
        self.previous: list[EpochEnd] = []

    def compose(self) -> ComposeResult:
        yield PlotextPlot(id="loss-chart")
        yield PlotextPlot(id="acc-chart")
        yield PlotextPlot(id="batch-chart")

    def on_mount(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Start a new run; the one that was shown, if any, becomes the faint previous run."""
        if self.history:
            self.previous = list(self.history)
        self.history.clear()
        self.batch_losses.clear()
        self.draw_epochs()
        self.draw_batches()

    def add_batch(self, loss: float) -> None:
        """The per-batch path: only the running-loss chart changes."""
        self.batch_losses.append(loss)
        self.draw_batches()

    def add_epoch(self, end: EpochEnd) -> None:
        self.history.append(end)
        self.draw_epochs()
        self.draw_batches()

    def draw_epochs(self) -> None:
        history, previous = self.history, self.previous
        epochs = [e.epoch for e in history]
        self.draw(
            "#loss-chart",
            "loss per epoch",
            [("train", [e.train_loss for e in history]), ("test", [e.test_loss for e in history])],
            epochs,
            ("last run", [e.epoch for e in previous], [e.test_loss for e in previous]),
        )
        self.draw(
            "#acc-chart",
            "accuracy per epoch",
            [("train", [e.train_acc for e in history]), ("test", [e.test_acc for e in history])],
            epochs,
            ("last run", [e.epoch for e in previous], [e.test_acc for e in previous]),
        )

    def draw_batches(self) -> None:
        step = max(1, len(self.batch_losses) // MAX_BATCH_POINTS)
        thinned = self.batch_losses[::step]
        self.draw("#batch-chart", "running loss", [("", thinned)], list(range(len(thinned))))

    def draw(self, selector: str, title: str, series, xs: list[int], faint=None) -> None:
        """Plot `series` over `xs`; `faint` (label, xs, ys) goes underneath in grey dots."""
        widget = self.query_one(selector, PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        if faint is not None and faint[2]:
            label, faint_xs, faint_ys = faint
            plt.plot(faint_xs, faint_ys, label=label, marker="dot", color="gray")
        for label, ys in series:
            if ys:
                plt.plot(xs, ys, label=label or None, marker="braille")
        if len(xs) > 1 and len(xs) <= 10:
            plt.xticks(xs)
        widget.refresh()
