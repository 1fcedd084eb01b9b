"""A lesson step's short training run, on request: its results, and its pictures as it learns.

The step declares the run (core.lesson.experiment.RunStep); this widget runs it on a worker
thread through core's fit, and draws what the worker posts back: a picture of the network at
the start and after each epoch (the live step), then each run's result against the recipe's.
Results are kept for the session: a step comes back to them without training again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widget import Widget

from tui.widgets.evaluate.weight_grid import THUMB_COLUMNS, legend, units_grid
from tui.widgets.lab.plots import class_color

if TYPE_CHECKING:  # core.lesson imports torch, which is not on the start-up path
    from core.lesson.experiment import Frame
    from core.lesson.short_runs import RunResult

GUESS_FIRST = "Guess first: the run's result would give the answer away. Then x runs it."


@dataclass
class FrameTaken(Message):
    """The worker's picture of the network at the start or at an epoch's end."""

    key: str  # the step's
    data: object  # the training split it ran on: a newer dataset drops it
    frame: Frame


@dataclass
class RunDone(Message):
    """The worker's runs ended: their results, or why they could not run."""

    key: str
    data: object
    results: tuple[RunResult, ...]
    problem: str | None = None


@dataclass
class Shown:
    """What the widget has for one step this session."""

    data: object
    frames: list[Frame] = field(default_factory=list)
    results: tuple[RunResult, ...] = ()
    problem: str | None = None


class LiveRun(Widget):
    """Press x on a step with a run: status, pictures (live steps) and results, as they come."""

    DEFAULT_CSS = """
    LiveRun { height: auto; margin-top: 1; display: none; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step: Any = None  # a RunStep, or None when the step has no run
        self.data: object = None  # the train split the step would run on
        self.hidden = False  # its exercise is not answered yet
        self.shown: dict[str, Shown] = {}  # by step key
        self.running: str | None = None  # the step key whose run is going
        self.redraws = 0  # pictures drawn so far (tests wait on it)
        self.stop = threading.Event()

    def serves(self, step: object) -> bool:
        """Whether the step declares a run (core.lesson.experiment.RunStep's `recipes`)."""
        return bool(getattr(step, "recipes", ()))

    def show(self, step: object, dataset: Any, hidden: bool) -> None:
        """Follow the step on screen; drawn only for a step with a run."""
        self.step = step if self.serves(step) else None
        data = dataset.train if dataset is not None else None
        if data is not self.data and self.running is not None:
            self.stop.set()  # another dataset: the run on the old one is of no use now
        self.data = data
        self.hidden = hidden
        self.display = self.step is not None
        if self.step is not None:
            self.refresh(layout=True)

    def start(self, dataset: Any) -> None:
        """x: run the step's recipes, unless its exercise is open or a run is going."""
        step = self.step
        if step is None or dataset is None:
            return
        if self.hidden:
            self.notify(GUESS_FIRST, timeout=4)
            return
        if self.running is not None:
            self.notify("A run is going already; it takes seconds.", timeout=3)
            return
        if self.cached(step) is not None and not step.live:
            return  # results kept for the session: shown already
        self.running = step.key
        self.stop = threading.Event()  # this run's own: a stop never outlives its run
        self.shown[step.key] = Shown(dataset.train)
        self.refresh(layout=True)
        self.train_in_background(step, dataset.train, dataset.test, self.stop)

    def on_unmount(self) -> None:
        self.stop.set()  # the app is closing: a run stops at its next batch

    @work(thread=True, group="lesson-run", exit_on_error=False)
    def train_in_background(self, step: Any, train: Any, test: Any, stop: threading.Event) -> None:
        """The step's runs through core's fit; pictures are taken in this thread."""
        from core.lesson.experiment import take_frame
        from core.lesson.short_runs import cached_run, short_run

        def at_start(model: Any) -> None:
            self.post_message(FrameTaken(step.key, train, take_frame(model, test, 0, step.epochs)))

        def after_epoch(epoch: int, model: Any) -> None:
            frame = take_frame(model, test, epoch + 1, step.epochs)
            self.post_message(FrameTaken(step.key, train, frame))

        try:
            if step.live:
                recipe = step.recipes[0]
                result = short_run(
                    train,
                    test,
                    recipe,
                    images=step.images,
                    epochs=step.epochs,
                    on_start=at_start,
                    on_epoch=after_epoch,
                    stop=stop,
                )
                results: tuple[RunResult, ...] = (result,)
            else:
                results = tuple(cached_run(train, test, r, stop) for r in step.recipes)
        except Exception as error:  # said on the step, in one line; the lesson goes on
            self.post_message(RunDone(step.key, train, (), f"{type(error).__name__}: {error}"))
            return
        self.post_message(RunDone(step.key, train, results))

    @on(FrameTaken)
    def frame_taken(self, message: FrameTaken) -> None:
        shown = self.shown.get(message.key)
        if shown is None or shown.data is not message.data:
            return
        shown.frames.append(message.frame)
        if self.step is not None and self.step.key == message.key:
            self.redraws += 1
            self.refresh(layout=True)
            if len(shown.frames) == 1:
                self.scroll_visible(animate=False, top=True)  # the pictures in view

    @on(RunDone)
    def run_done(self, message: RunDone) -> None:
        self.running = None
        shown = self.shown.get(message.key)
        if shown is None or shown.data is not message.data:
            return
        shown.results, shown.problem = message.results, message.problem
        self.refresh(layout=True)

    def cached(self, step: Any) -> tuple[RunResult, ...] | None:
        """The step's results from earlier this session, on the data loaded now."""
        shown = self.shown.get(step.key)
        if shown is not None and shown.data is self.data and shown.results:
            return shown.results
        if step.live:
            return None
        from core.lesson.short_runs import RESULTS  # imported by the step's module already

        found = [RESULTS.get(self.data, recipe.key) for recipe in step.recipes]
        return tuple(r for r in found if r is not None) if all(found) else None

    # Drawing ---------------------------------------------------------------------------------

    def render(self) -> RenderableType:
        step = self.step
        if step is None:
            return Text("")
        if self.hidden:
            return Text(GUESS_FIRST, style="italic")
        shown = self.shown.get(step.key)
        if shown is not None and shown.data is not self.data:
            shown = None
        parts: list[RenderableType] = []
        if shown is not None and shown.frames:
            parts.extend(self.pictures(shown.frames[-1]))
        results = self.cached(step)
        if shown is not None and shown.problem:
            parts.append(Text(f"The run failed: {shown.problem}", style="bold red"))
        elif results:
            parts.append(self.results_text(step, results))
        elif self.running == step.key:
            parts.append(Text("Training…", style="italic"))
        else:
            parts.append(Text("Press x to run it.", style="bold"))
        return Group(*parts)

    def results_text(self, step: Any, results: tuple[RunResult, ...]) -> Text:
        from core.lesson.short_runs import choice_text, which_choice

        text = Text("\n".join(result.line() for result in results))
        if len(results) == 2:
            letter = which_choice(results[1], results[0])
            text.append(f"\nThe run shows: {letter}) {choice_text(letter)}", style="bold")
        return text

    def pictures(self, frame: Frame) -> list[RenderableType]:
        """The units' weights, then the projection, sized to the widget's width."""
        when = "untrained" if frame.epoch == 0 else f"after epoch {frame.epoch} of {frame.epochs}"
        title = Text(
            f"{when} · {frame.accuracy:.0%} right on the {len(frame.labels)} test images below",
            style="bold",
        )
        return [title, self.weights_table(frame.weights), self.projection(frame)]

    def weights_table(self, weights: np.ndarray) -> RenderableType:
        color = not self.app.no_color
        columns = max(1, min(len(weights), (self.size.width or 80) // THUMB_COLUMNS))
        return Group(legend(color), units_grid(weights, range(len(weights)), columns, color))

    def projection(self, frame: Frame) -> Text:
        """The hidden layer's two principal components, each point its digit in its colour."""
        from core.lesson.pictures import scatter

        width = max(20, min(76, (self.size.width or 80) - 2))
        # 10 lines: with the weights' 9 and the title, one 80x24 screen holds the lot.
        drawing = scatter(frame.points, frame.labels, width=width, height=10)
        text = Text("hidden layer, first two principal components\n", style="dim")
        dark = self.app.current_theme.dark
        for char in drawing:
            if char.isdigit() and not self.app.no_color:
                r, g, b = class_color(int(char), dark)
                text.append(char, Style(color=f"rgb({r},{g},{b})"))
            else:
                text.append(char)
        return text
