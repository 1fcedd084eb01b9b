"""The Dense-layer panel: one real batch through fc1, dot then broadcast add then relu, shapes kept.

The computation needs torch, so it runs in a thread and reports with DenseTraced (defined here,
beside the only widget that posts and reads it).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from core import tensorlab as lab
from core.data import Split
from tui.host import app_host
from tui.state import TrainedModel

INTRO = (
    "fc1 is the lecture's Dense layer, relu(dot(W, input) + b): a dot product, a broadcast "
    "addition and an element-wise max. Here the first 64 training images go through it step "
    "by step, with the shape after each step."
)
FRESH = "a freshly initialised SimpleNN (seed 0, untrained: train on screen 3 to use yours)"


@dataclass
class DenseTraced(Message):
    """A batch went through fc1 by hand (in a thread); `which` says whose fc1 it was."""

    trace: lab.DenseTrace
    which: str
    key: tuple[object, object]  # (trained model or None, split) it was computed for


def trace_table(trace: lab.DenseTrace) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for column in ("", "step", "shape", "values"):
        table.add_column(column, no_wrap=column != "values")
    for number, stage in enumerate(trace.stages, start=1):
        table.add_row(
            str(number), stage.expression, Text(lab.shape_tuple(stage.shape), style="bold green"),
            stage.note,
        )  # fmt: skip
    return table


class DensePanel(VerticalScroll):
    """What fc1 does to a batch, with the app's trained model or, without one, a fresh one."""

    DEFAULT_CSS = """
    DensePanel { padding: 0 1; }
    DensePanel #dense-intro { color: $text-muted; }
    DensePanel #dense-status { margin-top: 1; }
    DensePanel Static { height: auto; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.traced_for: tuple[object, object] | None = None  # (model or None, split) shown
        self.which: str | None = None  # whose fc1 the table shows, for tests and the Lesson

    def compose(self) -> ComposeResult:
        yield Static(INTRO, id="dense-intro")
        yield Static(id="dense-status")
        yield Static(id="dense-result")

    def refresh_trace(self) -> None:
        """Trace again when the model or the data differ from what the table shows."""
        dataset = app_host(self).dataset
        status = self.query_one("#dense-status", Static)
        if dataset is None:
            status.update("Loading data…")
            return
        trained = app_host(self).trained
        key = (trained, dataset.train)
        if key == self.traced_for:
            return
        status.update("Running the batch (torch loads the first time: a few seconds)…")
        self.trace(trained, dataset.train, key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dense")
    def trace(self, trained: TrainedModel | None, train: Split, key: tuple) -> None:
        if trained is None:
            model, which = lab.fresh_model(), FRESH
        else:
            model, which = trained.model, f"the trained model: {trained.source}"
        self.post_message(DenseTraced(lab.dense_trace(model, train.images), which, key))

    @on(DenseTraced)
    def traced(self, message: DenseTraced) -> None:
        if message.key != (app_host(self).trained, getattr(app_host(self).dataset, "train", None)):
            return  # the model or data changed while it ran: a newer trace is on its way
        self.traced_for, self.which = message.key, message.which
        trace = message.trace
        self.query_one("#dense-status", Static).update(Text(f"fc1 of {message.which}"))
        self.query_one("#dense-result", Static).update(self.explained(trace))

    @staticmethod
    def explained(trace: lab.DenseTrace) -> RenderableType:
        stages = trace.stages
        x, w, out = stages[1].shape, stages[2].shape, stages[-1].shape
        difference = trace.largest_difference
        if difference == 0:
            check = "identical"
        elif difference < 1e-5:  # summation order differs: the layer fuses the add
            check = "equal up to float rounding (largest difference under 1e-05)"
        else:
            check = f"largest difference {difference:.2g}"
        return Group(
            Text(""),
            trace_table(trace),
            Text(
                f"\n{lab.shape_tuple(x)} · {lab.shape_tuple(w)} + bias -> {lab.shape_tuple(out)}:"
                f" the inner {x[-1]}s meet and vanish; the batch and the hidden units remain "
                "(the lecture writes dot(W, input): the same product, the batch on the rows).\n"
                f"The broadcast bias has strides {trace.bias_strides}: stride 0 down the batch "
                "axis means each row reads the same numbers, stored once.\n"
                f"Checked against model.relu(model.fc1(x)): {check}."
            ),
        )

    @on(Worker.StateChanged)
    def trace_failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "dense" and event.state == WorkerState.ERROR:
            event.stop()
            error = event.worker.error
            self.query_one("#dense-status", Static).update(
                Text(f"Could not run the batch: {type(error).__name__}: {error}", style="bold red")
            )
