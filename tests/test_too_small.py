"""Below 80x24 one notice replaces the screens; it goes when the terminal grows back."""

from __future__ import annotations

from tests.tui_helpers import make_app, plain, wait_for_data
from tui.screens.browse import BrowseScreen
from tui.screens.too_small import TooSmallScreen


async def test_a_small_terminal_gets_one_notice_until_it_grows():
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for_data(pilot)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        text = plain(app.screen.query_one("#too-small"))
        assert "terminal too small (60x20, need 80x24)" in text and "\n" not in text.strip()
        await pilot.press("3")  # the screen keys wait for a usable size
        assert isinstance(app.screen, TooSmallScreen) and app.current_mode == "browse"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, BrowseScreen)
        await pilot.resize_terminal(79, 30)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "79x30" in plain(app.screen.query_one("#too-small"))
        await pilot.press("q")
    assert app.return_code in (0, None)
