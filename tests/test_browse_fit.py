"""The Browse digit fills the room it has, and reads without colour."""

from __future__ import annotations

import pytest

from tests.tui_helpers import make_app, plain, wait_for_data
from tui.screens.browse import BrowseScreen
from tui.widgets.digit_view import DigitView


def drawn_lines(screen: BrowseScreen) -> list[str]:
    return screen.query_one("#digit", DigitView).visual.plain.split("\n")


async def open_browser(pilot) -> BrowseScreen:
    await wait_for_data(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BrowseScreen)
    return screen


@pytest.mark.parametrize(
    ("mode_presses", "columns_at_80", "columns_at_120"),
    [(0, 28, 60), (1, 28, 60), (2, 28, 60)],  # halfblock, ascii, braille
    ids=["halfblock", "ascii", "braille"],
)
async def test_the_digit_grows_with_the_terminal_and_shrinks_back(
    mode_presses, columns_at_80, columns_at_120
):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press(*["m"] * mode_presses)
        await pilot.pause()
        lines = drawn_lines(screen)
        assert (len(lines[0]), len(lines)) == (columns_at_80, 14)  # as before: it fits 80x24
        box = screen.query_one("#digit-box")
        assert box.size.height >= 14 and box.size.width >= columns_at_80

        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        lines = drawn_lines(screen)
        assert (len(lines[0]), len(lines)) == (columns_at_120, 30)
        # All of it on screen, beside the facts: nothing to scroll.
        assert box.max_scroll_y == 0 and box.max_scroll_x == 0
        assert screen.query_one("#sample-info").size.width >= 40
        scale = screen.query_one("#digit", DigitView).scale
        assert f"enlarged {scale:g} times" in plain(screen.query_one("#sample-info")) and scale > 2

        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert len(drawn_lines(screen)) == 14


async def test_the_pixel_matrix_is_not_scaled_and_takes_the_row():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("x")
        await pilot.pause()
        digit = screen.query_one("#digit", DigitView)
        assert digit.scale == 1 and len(drawn_lines(screen)) == 28
        assert screen.query_one("#digit-box").outer_size.width == 120
        await pilot.press("x")
        await pilot.pause()
        assert digit.scale > 2 and screen.query_one("#digit-box").outer_size.width == 62


async def test_without_colour_the_digit_is_drawn_in_glyphs(monkeypatch):
    """NO_COLOR: each half cell is ink or paper (▀▄█), in both palettes, with no colours."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_browser(pilot)
        for palette in ("dark", "binary"):
            assert screen.palette == palette
            drawn = screen.query_one("#digit", DigitView).visual
            assert set(drawn.plain) <= set(" ▀▄█\n") and "█" in drawn.plain
            assert not any(span.style for span in drawn.spans)
            await pilot.press("b")
            await pilot.pause()
