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


async def test_a_one_cell_terminal_leaves_the_notice_still():
    """At 1x1 the notice's screen laid itself out 60 times a second (a scrollbar came and went
    for want of a column), a sixth of a core for as long as the terminal stayed that small."""
    app = make_app()
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for_data(pilot)
        await pilot.resize_terminal(1, 1)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TooSmallScreen)
        layouts = []
        real_refresh_layout = screen._refresh_layout

        def counted_refresh_layout(*args, **kwargs):
            layouts.append(args)
            return real_refresh_layout(*args, **kwargs)

        screen._refresh_layout = counted_refresh_layout
        await pilot.pause(0.25)  # a window to watch: fifteen layouts in it before the fix
        assert layouts == []
