"""The tensor lab's lesson panels: a shape input with the notebook's presets, a result below.

Whatever is typed, a panel shows a result or one line saying why not: every compute (the
result, the extra, the timing in its thread, and the geometry and slicing panels' drawing) goes
through `guarded`, so no typed input reaches the app as an exception.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from textwrap import indent

import numpy as np
from rich.console import Group, RenderableType
from rich.styled import Styled
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from core import tensorlab as lab
from core.errors import first_line
from core.tensorlab.index_expr import parse_shape, parse_shapes
from tui.host import app_host
from tui.messages import TimingDone
from tui.state import Dataset
from tui.widgets.lab.input import HistoryInput

TIMING_HINT = "Enter times the Python loops against the library (a moment, off the UI thread)."
MESSAGE_LENGTH = 160  # a refusal is one line of at most this many characters
COMPUTED_LIMIT = 1_000_000  # the broadcasting panel computes np.maximum up to this many elements


def error_text(error: BaseException) -> Text:
    """Why a compute failed, in one line of at most MESSAGE_LENGTH characters.

    The lab's and NumPy's refusals (ValueErrors) read as they are worded; anything unexpected
    has its type's name in front.
    """
    message = first_line(error)
    if not isinstance(error, ValueError) and message != type(error).__name__:
        message = f"{type(error).__name__}: {message}"
    if len(message) > MESSAGE_LENGTH:
        message = message[: MESSAGE_LENGTH - 1] + "…"
    return Text(message, style="bold red")


def guarded(compute: Callable[..., RenderableType], *args) -> RenderableType:
    """The one guard around a panel's computing: what it returns, or why it failed, in one line.

    Refusals are ValueErrors (the parser's, NumPy's, the lab's caps); anything else is a bug but
    is still shown in the panel rather than taking the app down. Safe to call from a thread.
    """
    try:
        return compute(*args)
    except Exception as error:
        return error_text(error)


def shape_text(shape: tuple[int, ...]) -> str:
    return str(tuple(shape)) if len(shape) != 1 else f"({shape[0]},)"


def seconds(value: float) -> str:
    return f"{value * 1e3:,.3f} ms"


def timing_table(comparisons: list[lab.Comparison]) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for column in ("op", "Python loop", "vectorized", "ratio", "same result"):
        table.add_column(column, justify="right" if column.endswith(("loop", "ized")) else "left")
    for c in comparisons:
        table.add_row(
            c.name, seconds(c.naive_seconds), seconds(c.vectorized_seconds),
            Text(c.summary(), style="bold green"), str(c.same),
        )  # fmt: skip
    return table


class LessonPanel(VerticalScroll):
    """A lesson: what it shows, an input (↑/↓ walk the presets), and the result, kept current."""

    DEFAULT_CSS = """
    LessonPanel { padding: 0 1; }
    LessonPanel .lesson-intro { color: $text-muted; }
    LessonPanel HistoryInput { margin: 1 0; }
    LessonPanel .lesson-timing { margin-top: 1; height: auto; }
    LessonPanel .lesson-result, LessonPanel .lesson-extra { height: auto; }
    """
    INTRO = ""
    PRESETS: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(self.INTRO, classes="lesson-intro")
        yield HistoryInput(self.PRESETS, classes="lesson-input", compact=True)
        yield Static(classes="lesson-result")
        yield Static(guarded(self.extra), classes="lesson-extra")

    def on_mount(self) -> None:
        self.show(self.query_one(HistoryInput).value)

    @property
    def dataset(self) -> Dataset | None:
        return app_host(self).dataset

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        event.stop()
        self.show(event.value)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(HistoryInput).remember(event.value)
        self.submit(event.value)

    def show(self, text: str) -> None:
        self.query_one(".lesson-result", Static).update(guarded(self.compute, text))

    def dataset_changed(self) -> None:
        self.show(self.query_one(HistoryInput).value)

    def compute(self, text: str) -> RenderableType:
        raise NotImplementedError

    def extra(self) -> RenderableType:
        return ""

    def submit(self, text: str) -> None:
        pass


class TimedLesson(LessonPanel):
    """A lesson whose Enter times the naive loops against the library in a thread.

    A table stays on screen after the input changes; once the shapes it was timed for are no
    longer the ones typed, it is marked stale, so no one reads old times as the new shape's.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = 0  # the latest Enter; older results are not shown
        self.timing = False  # one timing at a time: two would compete for the 2 cores
        self.requested: dict[int, tuple[str, object]] = {}  # request -> (text, its shapes)
        # What the table on screen was timed for: the text as typed and its parsed shapes.
        self.timed: tuple[str, object] | None = None
        self.timed_content: RenderableType | None = None

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Static(TIMING_HINT, classes="lesson-timing")

    def shapes(self, text: str) -> object:
        """The shapes a text stands for (what a timing depends on), or None if it has none."""
        raise NotImplementedError

    def parsed(self, text: str) -> object:
        try:
            return self.shapes(text)
        except Exception:
            return None

    @property
    def stale(self) -> bool:
        """True when a table is shown whose shapes differ from those typed now."""
        if self.timed is None or self.timed[1] is None or not self.is_mounted:
            return False  # no table, or a refusal of what was typed: nothing to go stale
        current = self.parsed(self.query_one(HistoryInput).value)
        return current is None or current != self.timed[1]

    def show(self, text: str) -> None:
        super().show(text)
        if self.timed_content is not None and not self.timing:
            self.show_timing()

    def show_timing(self) -> None:
        content = self.timed_content
        if content is None:
            return
        if self.stale:
            assert self.timed is not None  # stale: a timing is shown, for another input
            typed = self.query_one(HistoryInput).value.strip() or "nothing"
            note = Text.assemble(
                ("stale: ", "bold yellow"),
                f"timed for {self.timed[0]}, not {typed}; Enter times what is typed now",
            )
            content = Group(note, Styled(content, "dim"))
        self.query_one(".lesson-timing", Static).update(content)

    def submit(self, text: str) -> None:
        if self.timing:  # said in the panel: held-down Enter must not pile up notifications
            self.query_one(".lesson-timing", Static).update("Still timing the last one…")
            return
        self.timing = True
        self.request += 1
        self.requested[self.request] = (text.strip(), self.parsed(text))
        self.query_one(".lesson-timing", Static).update("Timing…")
        self.run_timing(text, self.request)

    @work(thread=True, exit_on_error=False, group="timing")
    def run_timing(self, text: str, request: int) -> None:
        content = guarded(lambda: timing_table(self.time(text)))
        self.post_message(TimingDone(request, content))

    @on(TimingDone)
    def timing_done(self, message: TimingDone) -> None:
        self.timing = False
        if message.request == self.request:
            self.timed = self.requested.pop(message.request, None)
            self.timed_content = message.content
            self.show_timing()

    def time(self, text: str) -> list[lab.Comparison]:
        raise NotImplementedError


class RankPanel(LessonPanel):
    """Rank 0 to 3 with the lecture's values, the dataset's attributes, a batch as (B, 784)."""

    INTRO = "ndim counts the axes; shape is their lengths. Type a shape to see its tensor."
    PRESETS = ["(3, 3, 5)", "()", "(5,)", "(3, 5)", "(64, 784)"]

    def compute(self, text: str) -> RenderableType:
        shape = parse_shape(text, lab.MAX_ELEMENTS)
        lines = [f"x.ndim = {len(shape)}    x.shape = {lab.shape_tuple(shape)}"]
        if math.prod(shape) <= 30:
            lines.append(np.array2string(np.zeros(shape, dtype=np.int64)))
        return Text("\n".join(lines))

    def extra(self) -> RenderableType:
        # One block per tensor, its value below its facts: a table cell cannot hold the 3-D
        # tensor's 11 lines at 80 columns.
        lines = []
        for rank, (name, x) in enumerate(lab.rank_examples()):
            lines.append(
                Text.assemble(
                    (f"\nrank {rank}, {name}", "bold"),
                    f"    x.ndim = {x.ndim}    x.shape = {lab.shape_tuple(x.shape)}",
                )
            )
            lines.append(Text(indent(repr(x), "  ")))
        dataset = app_host(self).dataset
        if dataset is not None:
            lines.append(self.dataset_facts(dataset.train))
        return Group(*lines)

    @staticmethod
    def dataset_facts(train) -> Text:
        """ndim, shape and dtype of the training images, the labels' values, a loader batch."""
        images, labels = train.images, train.labels
        batch = lab.loader_batch(images, 64)
        return Text(
            f"\ntrain_images: ndim {images.ndim}, shape {lab.shape_tuple(images.shape)}, "
            f"dtype {images.dtype}\n"
            f"train_labels = {lab.tensor_text(labels)}    {lab.torch_size(labels.shape)}\n"
            f"a batch from the loader: {lab.torch_size(batch.shape)} {batch.dtype}, "
            f"values {batch.min():g} to {batch.max():g}"
        )

    def dataset_changed(self) -> None:
        self.query_one(".lesson-extra", Static).update(guarded(self.extra))


class ElementwisePanel(TimedLesson):
    """relu and add: element by element in Python against one vectorized call."""

    INTRO = "relu(x) = max(x, 0) and x + y, element by element. The shape of x and y:"
    PRESETS = ["(20, 100)", "(100, 100)", "(200, 1000)"]

    def compute(self, text: str) -> RenderableType:
        shape = parse_shape(text, lab.MAX_NAIVE)
        count = math.prod(shape)
        return Text(
            f"x, y = random arrays of shape {shape_text(shape)}: {count:,} elements each\n"
            "naive_relu(x) loops over every element;  np.maximum(x, 0.) is one call\n"
            "naive_add(x, y) loops over every element;  x + y is one call"
        )

    def shapes(self, text: str) -> object:
        return parse_shape(text, lab.MAX_NAIVE)

    def time(self, text: str) -> list[lab.Comparison]:
        return lab.compare_elementwise(parse_shape(text, lab.MAX_NAIVE))


class BroadcastPanel(LessonPanel):
    """Two shapes: the axes added to the smaller, and the result."""

    INTRO = "x + y and np.maximum(x, y) for two shapes: the smaller gains axes on the left."
    PRESETS = [
        "(32, 10), (10,)",
        "(64, 3, 32, 10), (10,)",
        "(64, 3, 32, 10), (32, 10)",
        "(32, 10), (3,)",
    ]

    def compute(self, text: str) -> RenderableType:
        x, y = parse_shapes(text, 2)
        step = lab.broadcast(x, y)
        added_x, added_y = step.added_axes
        lines = [
            f"x.shape = {shape_text(x)}    y.shape = {shape_text(y)}",
            f"1. axes added: x {shape_text(step.x_padded)} (+{added_x}), "
            f"y {shape_text(step.y_padded)} (+{added_y})",
            "2. every axis of length 1 is repeated to match the other",
            f"result shape {shape_text(step.result)}",
        ]
        if all(math.prod(shape) <= COMPUTED_LIMIT for shape in (x, y, step.result)):
            computed = lab.broadcast_maximum(x, y)
            lines.append(f"np.maximum(x, y).shape = {shape_text(computed.shape)}  (computed)")
        return Text("\n".join(lines))


class DotPanel(TimedLesson):
    """np.dot's shape rule, naive loops against np.dot, and why the order matters."""

    INTRO = "np.dot(x, y): the last axis of x meets y's first (vector) or second-to-last axis."
    PRESETS = [
        "(3,), (3,)",
        "(4, 3), (3,)",
        "(4, 3), (3, 5)",
        "(2, 3, 4, 5), (5, 6)",
        "(4, 3), (4, 5)",
        "(32, 32), (32, 32)",
    ]

    def compute(self, text: str) -> RenderableType:
        x, y = parse_shapes(text, 2)
        rule = lab.dot_rule(x, y)
        result = lab.dot_shape(x, y)
        return Text(f"rule: {rule}\nnp.dot(x, y).shape = {shape_text(result)}")

    def extra(self) -> RenderableType:
        x, y, xy, yx = lab.dot_order_example()

        def show(name: str, a: np.ndarray) -> str:
            return f"{name} = {np.array2string(a, separator=', ').replace(chr(10), '')}"

        return Text(
            "\n"
            + "    ".join([show("x", x), show("y", y)])
            + "\n"
            + "    ".join([show("dot(x, y)", xy), show("dot(y, x)", yx)])
            + "\ndot(x, y) != dot(y, x)"
        )

    def shapes(self, text: str) -> object:
        return parse_shapes(text, 2)

    def time(self, text: str) -> list[lab.Comparison]:
        x_shape, y_shape = parse_shapes(text, 2)
        return [lab.compare_dot(x_shape, y_shape)]


class ReshapePanel(LessonPanel):
    """The lecture's integer x of shape (3, 2) reshaped to what the user types; a transpose."""

    INTRO = "x = [[0, 1], [2, 3], [4, 5]], integers, shape (3, 2). Reshape it to:"
    PRESETS = ["(6, 1)", "(2, 3)", "(3, 4)", "(6,)"]

    def compute(self, text: str) -> RenderableType:
        x = lab.reshape_source()
        shape = parse_shape(text)
        try:
            y = lab.reshape(x, shape)
        except lab.TooLarge:
            raise
        except ValueError as error:  # the size mismatch: as Python reports it, in one line
            return Text(f"ValueError: {error}", style="bold red")
        # print(x) as the lecture shows it: NumPy's str, no commas
        return Text(f"x.reshape({lab.shape_tuple(y.shape)}), printed:\n{y}")

    def extra(self) -> RenderableType:
        return Text(
            "\nx = np.zeros((300, 20))\n"
            f"x = np.transpose(x)  ->  x.shape = {shape_text(lab.transpose_shape((300, 20)))}"
        )


class DataTensorsPanel(LessonPanel):
    """The notebook's data tensors, sized by arithmetic: nothing is allocated."""

    INTRO = "How big is a tensor of this shape? Counted, not allocated:"
    PRESETS = [shape_text(shape) for _, _, shape in lab.DATA_TENSORS] + ["(60000, 28, 28)"]

    def compute(self, text: str) -> RenderableType:
        shape = parse_shape(text)
        count, float_bytes = lab.tensor_size(shape, "float32")
        _, byte_bytes = lab.tensor_size(shape, "uint8")
        return Text(
            f"rank {len(shape)}, {count:,} values: {lab.format_bytes(float_bytes)} as float32, "
            f"{lab.format_bytes(byte_bytes)} as uint8"
        )

    def extra(self) -> RenderableType:
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for column in ("tensor", "shape", "values", "float32"):
            table.add_column(column, justify="right" if column in ("values", "float32") else "left")
        for name, _, shape in lab.DATA_TENSORS:
            count, nbytes = lab.tensor_size(shape)
            table.add_row(name, shape_text(shape), f"{count:,}", lab.format_bytes(nbytes))
        notes = "\n".join(f"{name}: {what}" for name, what, _ in lab.DATA_TENSORS)
        return Group(Text(""), table, Text("\n" + notes, style="dim"))
