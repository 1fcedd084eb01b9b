"""At 80x24 the values come first: the lecture against now on the first screen, then the code,
its long lines hung under themselves. Under Pilot, on the app's own layout."""

from __future__ import annotations

import re

import pytest
from textual.geometry import Region

from core.lesson import STEPS
from tests.tui_helpers import make_app, wait_for_data, wait_until
from tui.screens.lesson import LessonScreen
from tui.widgets.lesson.code import MARK

pytestmark = pytest.mark.slow(reason="opens the lesson in the app and computes its steps")

NARROW = (80, 24)
GRID_ROW = re.compile(r"[·\d]( [·\d]){27}")  # 28 pixels, one character each
SHOWN_AT_LEAST = 6  # lines of a long values box (a 28x28 grid) that the first screen must show


@pytest.fixture(autouse=True)
def state_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_TUI_STATE", str(tmp_path / "state"))


def number_of(key: str) -> int:
    return next(i for i, step in enumerate(STEPS) if step.key == key) + 1


async def at_step(pilot, key: str, *then: str) -> LessonScreen:
    """The lesson at the step with this key, computed, after the keys `then`, not scrolled."""
    await wait_for_data(pilot)
    await pilot.press("6", "g", *str(number_of(key)), "enter", *then)
    screen = pilot.app.screen
    assert isinstance(screen, LessonScreen)
    await wait_until(
        pilot,
        lambda: screen.step is not None and screen.step.key == key and screen.outcome is not None,
    )
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


def visible(screen: LessonScreen) -> Region:
    """What the scrolling part of the screen shows, as it is on arrival (scrolled to the top)."""
    scroll = screen.query_one("#lesson-scroll")
    assert scroll.scroll_y == 0
    return scroll.region


# A step without an exercise, one whose values wait for the guess, image 10's 28x28 grid shown
# after a reveal, and a step with long code.
@pytest.mark.parametrize(
    ("key", "then"),
    [("device", ()), ("load-mnist", ()), ("train-image-10", ("r",)), ("loss-optimizer", ())],
)
async def test_the_values_are_on_the_first_screen_at_80x24(key, then):
    app = make_app(start_mode="browse")
    async with app.run_test(size=NARROW) as pilot:
        screen = await at_step(pilot, key, *then)
        values, shown = screen.query_one("#lesson-values").region, visible(screen)
        if values.height <= SHOWN_AT_LEAST:
            assert shown.contains_region(values), (values, shown)
        else:  # taller than a screen: it starts high enough to be read there
            assert values.y + SHOWN_AT_LEAST <= shown.bottom, (values, shown)
        assert values.y < screen.query_one("#lesson-code").region.y


@pytest.mark.parametrize("size", [NARROW, (120, 40)])
async def test_the_values_sit_above_the_code(size):
    async with make_app().run_test(size=size) as pilot:
        screen = await at_step(pilot, "loss-optimizer")
        values, code = (screen.query_one(f"#lesson-{part}").region for part in ("values", "code"))
        assert values.bottom <= code.y


async def test_the_28x28_grid_fits_80_columns_in_28_lines():
    async with make_app().run_test(size=NARROW) as pilot:
        screen = await at_step(pilot, "train-image-10", "r")
        values = screen.query_one("#lesson-values")
        lines = [strip.text for strip in values.render_lines(Region(0, 0, *values.outer_size))]
        grid = [line for line in lines if GRID_ROW.fullmatch(line.strip("│ "))]
        assert len(grid) == 28
        assert all(len(line.rstrip()) <= NARROW[0] for line in lines)


async def test_long_code_lines_continue_indented_at_80x24():
    async with make_app().run_test(size=NARROW) as pilot:
        screen = await at_step(pilot, "loss-optimizer")
        code = screen.query_one("#lesson-code")
        inner = code.content_region.x - code.region.x  # border and padding on the left
        lines = [strip.text[inner:] for strip in code.render_lines(Region(0, 0, *code.outer_size))]
        lines = [line.rstrip(" │╯╰─") for line in lines[1:-1]]
        continued = [line for line in lines if MARK.strip() in line]
        assert continued, "no line of the step's code was long enough to wrap at 80 columns"
        assert all(line.startswith("  ") for line in continued)
        body = "".join(line.replace(MARK, "") for line in lines)
        assert body.replace(" ", "") == screen.step.code.replace("\n", "").replace(" ", "")
