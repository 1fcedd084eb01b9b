"""The Train screen's charts of a run: its figures per epoch, train against test, and its
running loss per step, drawn through the screen's ChartView (metric picker, smoothing, zoom)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal

from core.events import EpochEnd
from tui.widgets.chart.curves import (
    ONE_RUN_METRICS,
    RUNNING_LOSS,
    TEST_COLOUR,
    TRAIN_COLOUR,
    Curve,
    Metric,
    epoch_numbers,
    epoch_values,
    run_lr,
)
from tui.widgets.chart.line_chart import LineChart
from tui.widgets.chart.view import ChartView

if TYPE_CHECKING:
    from core.runs import EpochRecord, RunRecord

MAX_BATCH_POINTS = 400  # a longer history is thinned: a chart has fewer columns than that
# The running-loss chart is redrawn at most this often. plotext builds a chart in pure Python
# on the UI thread, holding the GIL the training thread needs between its C calls: drawn on
# every progress event it cost the app's epochs measurably (python -m scripts.app_epoch).
BATCH_REDRAW_S = 1.0
# The epoch charts are drawn at each epoch's end, but no more often than this: on a GPU an epoch
# can take a tenth of a second (0.12 s on an H100), which would be twenty charts a second; the
# timer above draws the epochs that came between.
EPOCH_REDRAW_S = 0.5
# Without colour (NO_COLOR) train and test must still differ: a marker of its own per series.
MONOCHROME_MARKERS = {"train": "•", "test": "x", "": "•"}
COLOURS = {"train": TRAIN_COLOUR, "test": TEST_COLOUR, "": TRAIN_COLOUR}
SHOWN_FIRST = ("loss", "accuracy", "running")  # what the Train screen opens with


def train_view() -> ChartView:
    return ChartView(metrics=SHOWN_FIRST)


class MetricCharts(Horizontal):
    """Owns the run's series; each event redraws only the charts it changes."""

    DEFAULT_CSS = """
    MetricCharts { height: 1fr; min-height: 8; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = train_view()
        self.history: list[EpochEnd] = []
        self.batch_losses: list[float] = []
        # The run before this one, drawn faintly under it: a change of setting shows at once.
        self.previous: list[EpochEnd | EpochRecord] = []
        self.previous_label = (
            "last run"  # or "earlier epochs": the runs a continued run goes on from
        )
        # The previous run's learning rate, or one an epoch for a lineage of continued runs.
        self.previous_lr: float | list[float | None] | None = None
        self.lr: float | None = None  # the run's learning rate, for the lr chart
        self.running = False  # between a run's start and its end: the empty charts say so
        self.batch_steps: list[int] = []  # the optimizer step of each running-loss sample
        self._batches_drawn = 0  # how many samples the running-loss chart shows
        self._epochs_drawn_at = -EPOCH_REDRAW_S  # time.monotonic() of the last epoch draw
        self._epochs_behind = False  # an epoch came too soon after the last draw

    def compose(self) -> ComposeResult:
        for metric in ONE_RUN_METRICS:
            yield LineChart(id=f"chart-{metric.key}")

    def on_mount(self) -> None:
        self.show_view(self.view)
        self.set_interval(BATCH_REDRAW_S, self.catch_up)

    def on_resize(self) -> None:
        # The empty charts' hint and the number of tick labels depend on the size.
        self.call_after_refresh(self.redraw)

    def show_view(self, view: ChartView) -> None:
        """Show the view's metrics, in its order, and draw them all through it."""
        self.view = view
        for metric in ONE_RUN_METRICS:
            chart = self.query_one(f"#chart-{metric.key}", LineChart)
            chart.display = metric.key in view.metrics
        order = {key: place for place, key in enumerate(view.metrics)}
        self.sort_children(key=lambda chart: order.get(str(chart.id)[len("chart-") :], 99))
        self.redraw()

    def begin(self, lr: float) -> None:
        """A run started (after clear): its first points come with its first progress report."""
        self.lr, self.running = lr, True
        self.redraw()

    def end(self) -> None:
        self.running = False
        self.catch_up()

    def clear(self) -> None:
        """Start a new run; the one that was shown, if any, becomes the faint previous run."""
        if self.history:
            self.previous, self.previous_lr = list(self.history), self.lr
            self.previous_label = "last run"
        self.history.clear()
        self.batch_losses.clear()
        self.batch_steps.clear()
        self.redraw()

    def show_earlier(self, epochs: Sequence[tuple[RunRecord, EpochRecord]]) -> None:
        """A continued run: its lineage's epochs go faint where the previous run's were, so its
        own epochs read on from them on one axis (each at the learning rate it trained with)."""
        self.previous = [epoch for _, epoch in epochs]
        self.previous_lr = [run_lr(run) for run, _ in epochs]
        self.previous_label = "earlier epochs"
        self.draw_epochs()

    def add_batch(self, loss: float, step: int) -> None:
        """The per-batch path: kept, and drawn by the next tick of the redraw timer; the very
        first sample at once, so that a run shows a point within its first second."""
        self.batch_losses.append(loss)
        self.batch_steps.append(step)
        if self._batches_drawn == 0 and self.screen.is_active:
            self.draw_batches()

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
        for metric in ONE_RUN_METRICS:
            if metric is not RUNNING_LOSS and metric.key in self.view.metrics:
                self.draw_metric(metric)

    def draw_metric(self, metric: Metric) -> None:
        epochs, before = epoch_numbers(self.history), epoch_numbers(self.previous)
        curves = [
            Curve(
                label,
                epochs,
                epoch_values(self.history, attribute, self.lr),
                COLOURS[label],
                MONOCHROME_MARKERS[label],
            )
            for label, attribute in metric.series
        ]
        # The previous run's test figures (its only one, for a one-series chart), by epoch.
        attribute = metric.series[-1][1]
        faint = epoch_values(self.previous, attribute, self.previous_lr)
        curves.insert(0, Curve(self.previous_label, before[: len(faint)], faint, faint=True))
        chart = self.query_one(f"#chart-{metric.key}", LineChart)
        chart.draw(metric.title, curves, self.view, hint=self.hint(chart), axis_label=self.roomy)

    def draw_batches(self) -> None:
        self._batches_drawn = len(self.batch_losses)
        if RUNNING_LOSS.key not in self.view.metrics:
            return
        every = max(1, len(self.batch_losses) // MAX_BATCH_POINTS)
        losses, steps = self.batch_losses[::every], self.batch_steps[::every]
        chart = self.query_one(f"#chart-{RUNNING_LOSS.key}", LineChart)
        curve = Curve("", steps, losses, COLOURS[""], MONOCHROME_MARKERS[""])
        chart.draw(RUNNING_LOSS.title, [curve], self.view, x_label="step", hint=self.hint(chart))

    def hint(self, chart: LineChart) -> str:
        """What an empty chart says: how to start, or that the first figures are coming."""
        wide = chart.size.width >= 26
        if self.running:
            return "first epoch running…" if wide else "running…"
        return "press s to train" if wide else "s trains"

    @property
    def roomy(self) -> bool:
        # At 80x24 every row counts: the title names the x axis ("per epoch").
        return not self.has_class("-compact")

    def redraw(self) -> None:
        """Draw everything again (a new view, or a change between wide and compact layouts)."""
        self.draw_epochs()
        self.draw_batches()
