"""The Evaluate screen laid out for 80x24 and 120x40, and its canvas under dark and light themes."""

from __future__ import annotations

import re

import pytest

from tests.test_evaluate_screen import eval_app, evaluated, plain_render
from tests.tui_helpers import plain
from tui.widgets.evaluate.draw_canvas import DrawCanvas


async def test_at_80x24_the_summary_is_one_line_and_the_drawing_keeps_its_bars(
    synthetic_checkpoint,
):
    async with eval_app(synthetic_checkpoint).run_test(size=(80, 24)) as pilot:
        screen = await evaluated(pilot)
        assert screen.query_one("#eval-summary").size.height == 1
        await pilot.press("d", "up", "up", "space", *["shift+right"] * 4, *["shift+down"] * 3)
        await pilot.pause()
        result = plain(screen.query_one("#draw-result"))
        assert "half size" in result
        # Each class: its name, a whole bar and its share, none cut short with "…".
        bars = re.findall(r"(\S+) [█·]+ +(\d+\.\d)%", result)
        assert [name for name, _ in bars] == [str(k) for k in range(10)]
        assert "…" not in result


async def test_at_120x40_the_drawing_preview_is_full_size(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(120, 40)) as pilot:
        screen = await evaluated(pilot)
        await pilot.press("d", "space")
        await pilot.pause()
        assert "centred by mass" in plain(screen.query_one("#draw-result"))


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_the_canvas_draws_flat_areas_as_spaces_in_any_theme(synthetic_checkpoint, theme):
    """A half block in a cell whose halves match can leave a seam: flat cells are spaces."""
    async with eval_app(synthetic_checkpoint).run_test(size=(100, 30)) as pilot:
        await evaluated(pilot)
        pilot.app.theme = theme
        await pilot.press("d", "space")
        canvas = pilot.app.screen.query_one(DrawCanvas)
        drawn = plain_render(canvas)
        assert drawn.count("▀") <= 6  # only the pen's brush edge and the cursor cell
        await pilot.press("x")
        await pilot.pause()
        cleared = plain_render(canvas).replace("\n", "")
        assert cleared.count("▀") == 1 and set(cleared) == {" ", "▀"}  # the pen alone
