"""Lesson steps with a short real run, under Pilot: x trains on MNIST off the UI thread and the
step draws what comes back (the network as it learns; a broken recipe against the recipe)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console, RenderableType

from core.lesson import STEPS
from core.lesson.watch import WATCH
from tests.datasets import mnist_dir
from tests.tui_helpers import make_app, notifications, wait_for_data, wait_until
from tui.screens.lesson import LessonScreen
from tui.widgets.lesson.live import GUESS_FIRST, LiveRun

pytestmark = pytest.mark.slow(reason="opens the lesson on real MNIST and trains short runs")


def index_of(key: str) -> int:
    return next(i for i, step in enumerate(STEPS) if step.key == key)


async def open_step(pilot, key: str) -> LessonScreen:
    """The lesson on screen at the step `key`, its value computed."""
    await wait_for_data(pilot)
    await pilot.press("6")
    screen = pilot.app.screen
    assert isinstance(screen, LessonScreen)
    await wait_until(pilot, lambda: bool(screen.steps) and screen.outcome is not None)
    screen.go_to(index_of(key))
    await wait_until(pilot, lambda: screen.outcome is not None)
    assert screen.step is not None and screen.step.key == key
    return screen


def drawn(live: LiveRun, what: RenderableType | None = None) -> str:
    """What the widget draws (or `what`, drawn at its width), colours included: the weights
    are half blocks that differ only in colour."""
    console = Console(
        width=live.size.width, file=io.StringIO(), record=True, color_system="truecolor"
    )
    console.print(live.render() if what is None else what)
    return console.export_text(styles=True)


async def test_x_on_the_watch_step_redraws_the_weights_and_the_projection_each_epoch() -> None:
    app = make_app(dataset="mnist", data_dir=str(mnist_dir()))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, WATCH.key)
        live = screen.query_one(LiveRun)
        assert live.display and live.redraws == 0
        await pilot.press("x")
        # The run may be over by the time the key is handled: a redraw per picture, kept.
        await wait_until(pilot, lambda: live.running is None and live.redraws >= 2)
        frames = live.shown[WATCH.key].frames
        assert [frame.epoch for frame in frames] == list(range(WATCH.epochs + 1))
        assert live.redraws == len(frames)
        titles = [str(live.pictures(f)[0]) for f in (frames[0], frames[-1])]
        assert titles[0].startswith("untrained") and titles[1].startswith("after epoch 8 of 8")
        weights = [live.weights_table(f.weights) for f in (frames[0], frames[-1])]
        assert drawn(live, weights[0]) != drawn(live, weights[1])
        projections = [live.projection(f).plain for f in (frames[0], frames[-1])]
        assert projections[0] != projections[1]
        assert "the recipe" in drawn(live)  # the run's result under its last picture


async def test_a_break_it_run_waits_for_the_guess_then_shows_both_results() -> None:
    app = make_app(dataset="mnist", data_dir=str(mnist_dir()))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "break-labels")
        live = screen.query_one(LiveRun)
        await pilot.press("x")  # before the guess: the result would give it away
        assert live.running is None and GUESS_FIRST in notifications(app)
        await pilot.press("a", "c", "enter", "escape", "x")
        await wait_until(pilot, lambda: live.running is None and "The run shows" in drawn(live))
        text = drawn(live)
        assert "the recipe" in text and "labels shuffled" in text
        assert "The run shows: c)" in text


async def test_a_run_is_kept_when_the_step_is_left_and_shown_again_without_training() -> None:
    app = make_app(dataset="mnist", data_dir=str(mnist_dir()))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "break-hidden")
        live = screen.query_one(LiveRun)
        await pilot.press("a", "b", "enter", "escape", "x")
        await wait_until(pilot, lambda: live.running is None and "The run shows" in drawn(live))
        shown = drawn(live)
        await pilot.press("p", "n")
        assert screen.step is not None and screen.step.key == "break-hidden"
        await pilot.press("x")  # kept for the session: nothing to train again
        assert live.running is None and drawn(live) == shown
