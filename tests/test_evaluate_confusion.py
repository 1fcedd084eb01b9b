"""The confusion matrix's scale, toggle, scores and paging, in colour, in 256 colours and without.

The app runs under Pilot on the committed synthetic model (tests/data/synthetic.pt), whose
matrix has mistake cells of 1, 2, 3, 4, 5, 11 and 14 images and 91 images in cell (0, 0).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from rich.color import Color, ColorSystem

from tests.test_evaluate_screen import eval_app, evaluated, plain_render, pressing
from tests.tui_helpers import export_in_256_colours, plain, wait_until
from tui.widgets.evaluate.confusion_grid import ConfusionGrid
from tui.widgets.evaluate.confusion_scale import cell_text, error_bin, legend
from tui.widgets.evaluate.weight_grid import BLUES, REDS, WeightGrid, strengths


def background(count: int) -> str:
    return cell_text(count, 100, False, False, color=True).style.split(" on ")[-1]


def test_one_fourteen_and_eighteen_mistakes_differ_in_256_colours():
    """Each bin is an exact xterm-256 colour: downgrading keeps the three apart."""
    in_256 = {
        Color.parse(background(count)).downgrade(ColorSystem.EIGHT_BIT).number
        for count in (1, 14, 18)
    }
    assert len(in_256) == 3
    assert [error_bin(n, normalised=False) for n in (1, 2, 3, 4, 5, 8, 9, 16, 17, 64, 65)] == [
        0,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
        5,
        6,
        7,
    ]
    assert error_bin(0.1, normalised=True) == 0 and error_bin(20, normalised=True) == 6


def test_every_weight_step_keeps_its_own_colour_in_256_colours():
    """Thirteen steps (six blues, black, six reds) stay thirteen xterm-256 colours: no blotches."""
    palette = {Color.parse(c).downgrade(ColorSystem.EIGHT_BIT).number for c in REDS + BLUES}
    assert len(palette) == 13
    steps = strengths(np.array([[-2.0, -0.5, 0.0, 0.09, 0.5, 1.0]]), limit=1.0)
    assert steps.tolist() == [[-6, -3, 0, 1, 3, 6]]


def test_without_colour_a_shade_glyph_carries_the_bin():
    assert cell_text(1, 100, False, False, color=False).plain == "   ░1"
    assert cell_text(14, 100, False, False, color=False).plain == "  ▓14"
    assert cell_text(1115, 2000, True, False, color=False).plain == " 1115"
    assert cell_text(14, 92, False, True, color=False).plain == "  ▓15"
    assert "░ 1-2" in legend(False, color=False).plain
    assert "░ <1" in legend(True, color=False).plain


async def test_n_toggles_counts_and_shares_of_the_row(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(80, 24)) as pilot:
        screen = await evaluated(pilot)
        grid = screen.query_one(ConfusionGrid)
        assert pilot.app.focused is grid
        row_five = plain_render(grid).splitlines()[6]
        assert (
            row_five.split()[:10]
            == [str(n) for n in [5, *screen.evaluation.confusion[5].tolist()]][:10]
        )
        assert "counts · errors, log2 bins" in plain_render(grid)
        await pilot.press("n")
        assert grid.normalised
        shares = plain_render(grid)
        # Row 5 holds 92 images: 77 right (83.7%), 14 taken for an 8 (15.2%), 1 for a 9 (1.1%).
        assert "row % · errors (%), log2 bins" in shares
        assert shares.splitlines()[6].split()[6:11] == ["84", "0", "0", "15", "1.1"]
        await pilot.press("n")
        assert not grid.normalised


async def test_precision_recall_and_f1_are_shown_for_each_class(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(80, 24)) as pilot:
        screen = await evaluated(pilot)
        scores = screen.evaluation.scores()
        lines = plain_render(screen.query_one(ConfusionGrid)).splitlines()
        assert lines[0].split()[-3:] == ["P%", "R%", "F1%"]
        for k in range(10):
            expected = [f"{100 * v:.1f}" for v in (scores.precision[k], scores.recall[k])]
            expected.append(f"{100 * scores.f1[k]:.1f}")
            assert lines[1 + k].split()[-3:] == expected


async def test_the_images_of_a_large_cell_are_paged_through(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(80, 24)) as pilot:
        screen = await evaluated(pilot)
        indices = screen.evaluation.cell(0, 0)
        per_page = screen.query_one("#cell-images").capacity()
        assert len(indices) == 91 and per_page == 5  # five thumbnails across 80 columns
        # The page follows the capacity a frame after the layout that set it (call_after_refresh).
        title = "91 image(s) · images 1-5 of 91"
        await wait_until(pilot, lambda: title in plain(screen.query_one("#cell-title")))
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "images 6-10 of 91" in plain(screen.query_one("#cell-title"))
        assert f"test[{indices[5]}]" in plain(screen.query_one("#cell-images"))
        await pilot.press("left_square_bracket", "left_square_bracket")  # wraps to the last
        await pilot.pause()
        assert "images 91-91 of 91" in plain(screen.query_one("#cell-title"))
        assert f"test[{indices[90]}]" in plain(screen.query_one("#cell-images"))
        # Moving the cursor shows the new cell from its first page.
        await pilot.press("down", "down", "down", "down", "down", "left", "left")  # to (5, 8)
        await pilot.pause()
        assert plain(screen.query_one("#cell-title")).startswith("true 5, predicted 8: 14")


async def test_a_wide_terminal_shows_more_images_and_the_notes(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(120, 40)) as pilot:
        screen = await evaluated(pilot)
        assert screen.query_one("#cell-images").capacity() == 21  # three rows of seven
        # The page follows the capacity a frame after the layout that set it (call_after_refresh).
        await wait_until(
            pilot, lambda: "images 1-21 of 91" in plain(screen.query_one("#cell-title"))
        )
        notes = plain(screen.query_one("#confusion-notes"))
        assert screen.query_one("#confusion-notes").display
        assert "5 taken for 8: 14" in notes


async def test_no_color_draws_the_scales_with_glyphs(synthetic_checkpoint, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    async with eval_app(synthetic_checkpoint).run_test(size=(100, 30)) as pilot:
        screen = await evaluated(pilot)
        assert pilot.app.no_color
        grid = plain_render(screen.query_one(ConfusionGrid))
        assert "▓14" in grid and "░1" in grid and "░ 1-2" in grid
        await pilot.press("u")
        weights = plain_render(screen.query_one(WeightGrid))
        assert "red" not in weights and "excite" in weights
        pictures = "".join(weights.splitlines()[3:])
        assert set("░▒▓█") & set(pictures) and set("·-=≡") & set(pictures)


@pytest.mark.parametrize(
    ("keys", "size"),
    [([], (80, 24)), (["u"], (100, 30))],
    ids=["confusion-80x24", "weights-100x30"],
)
def test_no_color_snapshots(snap_compare, synthetic_checkpoint, monkeypatch, keys, size):
    """NO_COLOR: shade glyphs in the matrix and the weights, each legend saying what they mean."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot) -> None:
        screen = await evaluated(pilot)
        await pilot.press(*keys)
        pilot.app.clear_notifications()
        await pilot.pause()
        assert pilot.app.no_color and screen.evaluation is not None

    assert snap_compare(eval_app(synthetic_checkpoint), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize(
    ("keys", "size"),
    [([], (80, 24)), (["u"], (100, 30))],
    ids=["confusion-80x24", "weights-100x30"],
)
def test_256_colour_snapshots(snap_compare, synthetic_checkpoint, keys, size):
    """In 256 colours: the matrix's bins and the weights' thirteen steps keep their own colours
    (each one is an exact xterm colour), so nothing merges into blotches."""

    app = eval_app(synthetic_checkpoint)
    app.export_screenshot = functools.partial(export_in_256_colours, app)
    assert snap_compare(app, terminal_size=size, run_before=pressing(keys))


async def test_the_page_follows_the_strips_own_size_not_only_the_screens(synthetic_checkpoint):
    """The strip can change size with no resize of the screen (a layout that settles a frame
    after the screen's resize): its page follows all the same. It kept the old count before, a
    race that 4 test workers on 2 cores lost about one time in two at 120x40."""
    async with eval_app(synthetic_checkpoint).run_test(size=(120, 40)) as pilot:
        screen = await evaluated(pilot)
        strip = screen.query_one("#cell-images")
        assert strip.capacity() == 21
        strip.styles.height = 8  # one row of thumbnails: the layout changes, the screen does not
        await wait_until(pilot, lambda: strip.capacity() == 7)
        shown = "images 1-7 of 91"
        await wait_until(pilot, lambda: shown in plain(screen.query_one("#cell-title")))
