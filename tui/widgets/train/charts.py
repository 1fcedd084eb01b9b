"""plotext charts of a run: loss and accuracy per epoch (train against test), loss per batch."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual_plotext import PlotextPlot

from core.events import EpochEnd
from tui.widgets.train.chart_plot import ChartPlot

MAX_BATCH_POINTS = 400  # a longer history is thinned: a chart has fewer columns than that
# The running-loss chart is redrawn at most this often. plotext builds a chart in pure Python
# on the UI thread, holding the GIL the training thread needs between its C calls: drawn on
# every progress event it cost the app's epochs measurably (python -m scripts.app_epoch).
BATCH_REDRAW_S = 1.0
# The epoch charts are drawn at each epoch's end, but no more often than this: on a GPU an epoch
# can take a tenth of a second (0.12 s on an H100), which would be twenty charts a second; the
# timer above draws the epochs that came between.
EPOCH_REDRAW_S = 0.5
# Without colour (NO_COLOR) train and test must still differ: a marker of its own per series,
# which plotext's legend repeats beside each name.
MONOCHROME_MARKERS = {"train": "•", "test": "x", "last run": "·", "": "•"}


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
        self.batch_steps: list[int] = []  # the optimizer step of each running-loss sample
        self._batches_drawn = 0  # how many samples the running-loss chart shows
        self._epochs_drawn_at = -EPOCH_REDRAW_S  # time.monotonic() of the last epoch draw
        self._epochs_behind = False  # an epoch came too soon after the last draw

    def compose(self) -> ComposeResult:
        yield ChartPlot(id="loss-chart")
        yield ChartPlot(id="acc-chart")
        yield ChartPlot(id="batch-chart")

    def on_mount(self) -> None:
        self.clear()
        self.set_interval(BATCH_REDRAW_S, self.catch_up)

    def on_resize(self) -> None:
        # The empty charts' hint and the number of x labels depend on the width.
        self.call_after_refresh(self.redraw)

    def clear(self) -> None:
        """Start a new run; the one that was shown, if any, becomes the faint previous run."""
        if self.history:
            self.previous = list(self.history)
        self.history.clear()
        self.batch_losses.clear()
        self.batch_steps.clear()
        self.draw_epochs()
        self.draw_batches()

    def add_batch(self, loss: float, step: int) -> None:
        """The per-batch path: kept, and drawn by the next tick of the redraw timer."""
        self.batch_losses.append(loss)
        self.batch_steps.append(step)

    def catch_up(self) -> None:
        """Draw what arrived since the last draw: batches, and epochs that came too fast."""
        if not self.screen.is_active:  # covered: the screen calls this again on resume
            return
        if self._epochs_behind:
            self.draw_epochs()
        if len(self.batch_losses) != self._batches_drawn:
            self.draw_batches()

    def add_epoch(self, end: EpochEnd) -> None:
        # The running-loss chart catches up on its own timer: drawn here too, an epoch's end
        # cost three plotext charts at once on the UI thread instead of two.
        self.history.append(end)
        recently = time.monotonic() - self._epochs_drawn_at < EPOCH_REDRAW_S
        if self.screen.is_active and not recently:
            self.draw_epochs()
        else:
            self._epochs_behind = True

    def draw_epochs(self) -> None:
        self._epochs_drawn_at, self._epochs_behind = time.monotonic(), False
        history, previous = self.history, self.previous
        epochs = [e.epoch + 1 for e in history]  # counted from 1, like "Epoch 1/5" above
        self.draw(
            "#loss-chart",
            "loss per epoch",
            [("train", [e.train_loss for e in history]), ("test", [e.test_loss for e in history])],
            epochs,
            ("last run", [e.epoch + 1 for e in previous], [e.test_loss for e in previous]),
        )
        self.draw(
            "#acc-chart",
            "accuracy per epoch",
            [("train", [e.train_acc for e in history]), ("test", [e.test_acc for e in history])],
            epochs,
            ("last run", [e.epoch + 1 for e in previous], [e.test_acc for e in previous]),
        )

    def draw_batches(self) -> None:
        self._batches_drawn = len(self.batch_losses)
        every = max(1, len(self.batch_losses) // MAX_BATCH_POINTS)
        losses, steps = self.batch_losses[::every], self.batch_steps[::every]
        self.draw("#batch-chart", "running loss", [("", losses)], steps, x_label="step")

    def draw(
        self, selector: str, title: str, series, xs: list[int], faint=None, x_label="epoch"
    ) -> None:
        """Plot `series` over `xs`; `faint` (label, xs, ys) goes underneath in grey dots."""
        widget = self.query_one(selector, PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        if faint is not None and faint[2]:
            label, faint_xs, faint_ys = faint
            marker = self.marker(label, "dot")
            plt.plot(faint_xs, faint_ys, label=label, marker=marker, color="gray")
        for label, ys in series:
            if ys:
                plt.plot(xs, ys, label=label or None, marker=self.marker(label, "braille"))
        # At 80x24 every row counts: the title names the x axis ("per epoch"), the step
        # chart keeps its label.
        if not self.has_class("-compact") or x_label != "epoch":
            plt.xlabel(x_label)
        if not xs and not (faint and faint[2]):
            # Nothing yet: axes with a hint read better than an empty box.
            plt.xlim(0.5, 5.5)
            plt.ylim(0, 1)
            plt.xticks([1, 2, 3, 4, 5] if x_label == "epoch" else [])
            plt.yticks([])
            hint = "press s to train" if widget.size.width >= 26 else "s trains"
            plt.text(hint, 3, 0.5, alignment="center", background="default")
        elif 1 <= len(xs) <= 10:  # one epoch too: "1", not plotext's 0.50 0.75 1.00
            plt.xticks(xs)  # type: ignore[arg-type]  # plotext takes whole numbers; stubs: floats
        elif len(xs) > 10:
            # Four labels need room; a narrow chart gets its ends only, never labels that
            # plotext would have to drop or crowd.
            ticks = whole_ticks(xs[0], xs[-1], 4 if widget.size.width >= 40 else 2)
            plt.xticks(ticks)  # type: ignore[arg-type]  # plotext takes whole numbers; stubs: floats
        widget.refresh()

    def marker(self, label: str, coloured: str) -> str:
        return MONOCHROME_MARKERS[label] if self.app.no_color else coloured

    def redraw(self) -> None:
        """Draw everything again (the screen changed between its wide and compact layouts)."""
        self.draw_epochs()
        self.draw_batches()


def whole_ticks(first: int, last: int, count: int = 4) -> list[int]:
    """A few whole numbers from first to last: steps are counted, not measured."""
    if last <= first:
        return [first]
    return sorted({round(first + (last - first) * i / (count - 1)) for i in range(count)})
