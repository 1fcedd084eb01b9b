"""SVG snapshots of four lesson steps at 80x24 on synthetic digits, each paired with state checks.

Update baselines only after looking at the new pictures:
`pytest tests/test_lesson_snapshots.py --snapshot-update`, then rsvg-convert the SVGs and view them.
"""

from __future__ import annotations

import pytest
from textual.geometry import Region

from core.lesson import STEPS
from tests.tui_helpers import make_app, plain, wait_for_data, wait_until
from tui.screens.lesson import LessonScreen
from tui.widgets.lesson.exercise import ExerciseBox

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def fixed_machine(tmp_path, monkeypatch):
    """Same picture on every machine: no saved step, and no GPU even where there is one."""
    monkeypatch.setenv("MNIST_TUI_STATE", str(tmp_path / "state"))
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)


def number_of(key: str) -> int:
    """The step's number as the header shows it (1-based)."""
    return next(i for i, step in enumerate(STEPS) if step.key == key) + 1


def at_step(key: str, then: tuple[str, ...] = (), check=None):
    """run_before: load, go to the step by its number, press `then`, check the state."""

    async def run_before(pilot) -> None:
        await wait_for_data(pilot)
        await pilot.press("6", "g", *str(number_of(key)), "enter", *then)
        screen = pilot.app.screen
        assert isinstance(screen, LessonScreen)
        await wait_until(pilot, lambda: screen.outcome is not None)  # computed on a worker
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.step.key == key
        assert screen.title.startswith(f"Lesson {number_of(key)}/{len(STEPS)} · ")
        if check is not None:
            check(screen)

    return run_before


def test_the_first_step_the_device(snap_compare):
    """Step 1: explanation, code, and the lecture's cuda beside this machine's cpu, with why."""

    def check(screen: LessonScreen) -> None:
        assert screen.outcome.value.endswith("cpu") and screen.outcome.agrees is not True
        assert "Tesla T4" in plain(screen.query_one("#lesson-values"))

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=at_step("device", check=check))


def test_train_image_10_drawn_beside_the_text(snap_compare):
    """train_images[10] as a digit: the half-block drawing sits beside the explanation."""

    def check(screen: LessonScreen) -> None:
        assert screen.has_class("has-digit") and not screen.has_class("wide")
        assert screen.query_one("#digit-narrow").display

    run_before = at_step("train-image-10-digit", check=check)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow(reason="walks the lesson to its step and computes it, then an SVG snapshot")
def test_a_wrong_guess_explained(snap_compare):
    """The crop exercise answered wrongly once: what the guess misses, and a second try."""

    def check(screen: LessonScreen) -> None:
        verdict = screen.query_one(ExerciseBox).verdict
        assert verdict is not None and not verdict.right and verdict.given == "(60000, 28, 28)"
        assert screen.app.focused is None  # left the field: no blinking cursor in the picture

    guess = ("a", *"(60000, 28, 28)", "enter", "escape")
    run_before = at_step("negative-indices", then=guess, check=check)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow(reason="walks the lesson to its step and computes it, then an SVG snapshot")
def test_broadcasting_values_and_virtual_copy(snap_compare):
    """Broadcasting, guessed right, scrolled to the end: the values and the virtual copy drawn."""

    def check(screen: LessonScreen) -> None:
        assert screen.query_one(ExerciseBox).verdict.right
        assert screen.query_one("#picture-below").display  # 80 columns: below, full width
        scroll = screen.query_one("#lesson-scroll")
        assert scroll.scroll_y == scroll.max_scroll_y > 0

    then = ("a", *"(32, 10)", "enter", "escape", "end")
    run_before = at_step("broadcasting", then=then, check=check)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_train_image_10_at_120x40(snap_compare):
    """At 120x40 the lesson uses the width: the digit and the values sit beside the text."""

    def check(screen: LessonScreen) -> None:
        assert screen.has_class("has-digit") and screen.has_class("wide")

    run_before = at_step("train-image-10-digit", check=check)
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)


@pytest.mark.slow(reason="walks the lesson to its end, then an SVG snapshot")
def test_the_review_with_a_missed_exercise(snap_compare):
    """The review: the score, one exercise given up and listed, the reading, the quiz's start."""

    async def run_before(pilot) -> None:
        await at_step("video", then=("r",))(pilot)  # given up: a missed exercise
        await pilot.press("g", *str(len(STEPS)), "enter")
        screen = pilot.app.screen
        await wait_until(pilot, lambda: screen.step.key == "review" and screen.outcome is not None)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.progress.verdicts == {"video": "revealed"}
        assert screen.query_one(ExerciseBox).border_title.startswith("question 1 of ")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_train_image_10_as_a_grid_at_80x24(snap_compare):
    """train_images[10] revealed and scrolled to its grid, one digit a pixel: rows 5 to 25 of
    28, where the synthetic digit's ink is (rows 9 to 25)."""

    async def run_before(pilot) -> None:
        await at_step("train-image-10", then=("r",))(pilot)
        screen = pilot.app.screen
        values, scroll = screen.query_one("#lesson-values"), screen.query_one("#lesson-scroll")
        lines = [strip.text for strip in values.render_lines(Region(0, 0, *values.outer_size))]
        first = next(i for i, line in enumerate(lines) if line.strip("│ ").startswith("· · ·"))
        top = values.region.y - scroll.region.y + scroll.scroll_y  # in the scrolled content
        scroll.scroll_to(y=top + first + 5, animate=False)
        await pilot.pause()
        assert scroll.scroll_y > 0

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_long_code_hangs_under_itself_at_80x24(snap_compare):
    """A step with long code lines, scrolled to its code: the rest of a line hangs, marked ↪."""

    def check(screen: LessonScreen) -> None:
        assert screen.query_one("#lesson-scroll").scroll_y > 0

    run_before = at_step("loss-optimizer", then=("end",), check=check)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
