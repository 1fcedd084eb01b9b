"""The Evaluate screen laid out for 80x24 and 120x40, and its canvas under dark and light themes."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from tests.test_evaluate_screen import eval_app, evaluated, plain_render, pressing
from tests.tui_helpers import plain, wait_until
from tui.widgets.evaluate.cell_images import THUMB_LINES, CellImages
from tui.widgets.evaluate.draw_canvas import CURSOR_COLOUR, DrawCanvas
from tui.widgets.evaluate.prediction_view import PredictionView
from tui.widgets.footer import AppFooter

# A 7 from the keyboard: the bar across the top, then the stroke down and to the left.
SEVEN = [
    *["up"] * 8,
    *["left"] * 6,
    "space",
    *["shift+right"] * 12,
    *[key for step in range(16) for key in ("shift+down", "left" if step % 3 == 0 else "down")],
    "space",
]


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


# --- Room: one header line at 80x24, and the digit and canvas scaled to the terminal ----------


@pytest.fixture
def long_named_checkpoint(synthetic_checkpoint, tmp_path):
    """The snapshot model under a name as long as people give them: the summary's worst case."""
    path = tmp_path / "mnist-512-hidden-after-five-epochs-lr-0.01.pt"
    shutil.copy(synthetic_checkpoint, path)
    return path


@pytest.mark.parametrize("view", ["c", "p", "u", "d"])
async def test_a_long_checkpoint_name_keeps_the_summary_to_one_line_at_80x24(
    long_named_checkpoint, view
):
    async with eval_app(long_named_checkpoint).run_test(size=(80, 24)) as pilot:
        screen = await evaluated(pilot)
        await pilot.press(view)
        await pilot.pause()
        summary = screen.query_one("#eval-summary")
        assert summary.size.height == 1
        assert "94.60%" in plain(summary) and "mnist-512-hidden" in plain(summary)


async def test_at_80x24_the_cells_thumbnails_are_whole_above_the_footer(long_named_checkpoint):
    async with eval_app(long_named_checkpoint).run_test(size=(80, 24)) as pilot:
        screen = await evaluated(pilot)
        strip = screen.query_one(CellImages)
        footer = screen.query_one(AppFooter)
        assert strip.size.height >= THUMB_LINES and strip.region.bottom <= footer.region.y
        assert strip.capacity() == 5  # a whole row of five: caption and seven lines each


async def test_the_prediction_digit_fills_more_rows_at_120x40_than_at_80x24(synthetic_checkpoint):
    rows = {}
    for size in [(80, 24), (120, 40)]:
        async with eval_app(synthetic_checkpoint).run_test(size=size) as pilot:
            screen = await evaluated(pilot)
            await pilot.press("p")
            await pilot.pause()
            view = screen.query_one(PredictionView)
            picture = plain_render(view).splitlines()[2:]  # under the sample's line and a gap
            rows[size] = sum(1 for line in picture if line.strip())
            assert view.scale == (1 if size == (80, 24) else 2)
    assert rows[(80, 24)] == 14 and rows[(120, 40)] == 28


async def test_the_canvas_is_twice_as_large_at_120x40_and_the_result_keeps_its_bars(
    synthetic_checkpoint,
):
    async with eval_app(synthetic_checkpoint).run_test(size=(120, 40)) as pilot:
        screen = await evaluated(pilot)
        await pilot.press("d", "space")
        await pilot.pause()
        canvas = screen.query_one(DrawCanvas)
        assert canvas.scale == 2 and canvas.content_size == (56, 28)
        result = plain(screen.query_one("#draw-result"))
        assert "centred by mass" in result and "…" not in result
        assert len(re.findall(r"\d+\.\d%", result)) == 10


@pytest.mark.parametrize(
    ("size", "scale", "last_row"),
    # The last line of the picture holds pixel rows 26 and 27 at 1x (the pen takes the upper),
    # and only row 27 at 2x.
    [((80, 24), 1, 26), ((120, 40), 2, 27)],
)
async def test_a_click_inks_the_pixel_under_the_mouse_at_any_scale(
    synthetic_checkpoint, size, scale, last_row
):
    async with eval_app(synthetic_checkpoint).run_test(size=size) as pilot:
        screen = await evaluated(pilot)
        await pilot.press("d")
        canvas = screen.query_one(DrawCanvas)
        await wait_until(pilot, lambda: canvas.scale == scale)
        inside = canvas.styles.gutter  # the border: the picture starts inside it
        # Pixel column 10, pixel row 6: `scale` cells across, half a line down per pixel row.
        await pilot.click(canvas, offset=(inside.left + 10 * scale, inside.top + 3 * scale))
        assert canvas.pen == (6, 10) and canvas.pixels[6, 10] == 255
        # The last cell of the picture is the bottom-right pixel's.
        corner = (inside.left + 28 * scale - 1, inside.top + 14 * scale - 1)
        await pilot.click(canvas, offset=corner)
        assert canvas.pen == (last_row, 27)
        await pilot.click(canvas, offset=(0, 0))  # on the border: no pixel
        assert canvas.pen[1] == 27


async def test_the_pen_moved_by_keys_is_drawn_over_its_pixel_at_2x(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(120, 40)) as pilot:
        screen = await evaluated(pilot)
        await pilot.press("d", "up", "up", "left", "space")
        canvas = screen.query_one(DrawCanvas)
        assert canvas.scale == 2 and canvas.pen == (12, 13)
        assert canvas.pixels[12, 13] == 255
        drawn = canvas.colours()
        assert drawn.shape == (56, 56)
        cursor = {(int(r), int(c)) for r, c in np.argwhere(drawn == CURSOR_COLOUR)}
        assert cursor == {(24, 26), (24, 27), (25, 26), (25, 27)}  # 2x2 cells for one pixel


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("view", ["predictions", "draw"])
def test_prediction_and_draw_snapshots(snap_compare, synthetic_checkpoint, view, size):
    """The digit and the canvas as large as the terminal allows; a 7 drawn on the canvas."""
    keys = ["p"] if view == "predictions" else ["d", *SEVEN]
    assert snap_compare(
        eval_app(synthetic_checkpoint), terminal_size=size, run_before=pressing(keys)
    )
