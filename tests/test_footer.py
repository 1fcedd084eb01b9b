"""The footer fits the terminal: nothing cut at the right edge, `?` and `q` always there, the
current screen's keys first, and what does not fit given up in a known order."""

from __future__ import annotations

import pytest

from tests.tui_helpers import make_app, wait_for_data, wait_until
from tui.widgets.footer import AppFooter, Item, choose, fit

MODES = ("browse", "tensors", "train", "evaluate", "runs", "lesson")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.slow(reason="opens all six screens at each size")
async def test_every_screen_footer_fits_with_help_and_quit(size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_for_data(pilot)
        for number, mode in enumerate(MODES, start=1):
            await pilot.press(str(number))
            await wait_until(pilot, lambda: app.current_mode == mode)  # noqa: B023
            await pilot.pause()
            keys = list(app.screen.query_one(AppFooter).query("FooterKey"))
            shown = {k.key_display: k.description for k in keys}
            assert shown.get("?") == "Help" and shown.get("q") == "Quit", (mode, shown)
            # The screen keys, or, where the screen's own keys take the room, `?` for them.
            screens = "1-6" in shown or all(str(n) in shown for n in range(1, 7))
            assert screens or len(keys) >= 8, (mode, shown)
            for key in keys:
                assert key.region.right <= size[0], f"{mode}: {key.key_display} cut at {size}"
            lefts = sorted(k.region.x for k in keys)
            assert len(set(lefts)) == len(lefts), f"{mode}: footer keys overlap"


def test_fit_drops_the_screen_keys_from_the_end():
    items = [Item(k, k, "x" * 5, k) for k in "abcd"]  # 8 columns each
    fixed = [Item("q", "q", "Quit", "quit")]  # 7 columns
    assert [i.key for i in fit(items, fixed, 7 + 8 * 2 + 3)] == ["a", "b"]
    assert fit(items, fixed, 7) == []
    assert fit(items, fixed, 200) == items


def footer_keys(app) -> list[tuple[str, str]]:
    return [
        (k.key_display, k.description) for k in app.screen.query_one(AppFooter).query("FooterKey")
    ]


def item(key: str, description: str) -> Item:
    return Item(key, key, description, key)


HELP, QUIT = item("?", "Help"), item("q", "Quit")  # 7 columns each
SCREENS = item("1-6", "screens")  # 12 columns
NAMED = [item(str(n), "Screen") for n in range(1, 7)]  # 9 columns each


def test_with_room_the_screens_are_named_after_the_screens_keys():
    view = [item("s", "Start/stop"), item("w", "Save checkpoint")]
    shown = choose(view, NAMED, SCREENS, [HELP, QUIT], None, 200)
    assert shown == [*view, *NAMED, HELP, QUIT]


def test_short_of_room_the_screens_fold_into_one_item_first():
    view = [item("s", "Start/stop"), item("w", "Save checkpoint")]  # 13 + 18
    shown = choose(view, NAMED, SCREENS, [HELP, QUIT], None, 31 + 12 + 14)
    assert shown == [*view, SCREENS, HELP, QUIT]


def test_then_descriptions_shorten_to_their_first_word_unless_two_would_read_alike():
    view = [item("w", "Save checkpoint"), item("+", "Zoom in"), item("-", "Zoom out")]
    shown = choose(view, NAMED, SCREENS, [HELP, QUIT], None, 7 + 10 + 11 + 12 + 14)
    assert [i.description for i in shown] == [
        "Save",
        "Zoom in",
        "Zoom out",
        "screens",
        "Help",
        "Quit",
    ]
    assert shown[0].tooltip == "Save checkpoint"  # the whole description on hover


def test_then_the_screens_keys_win_over_the_app_screens_item_and_drop_from_the_end():
    view = [item(k, "Action") for k in "abcdefgh"]  # 9 columns each
    shown = choose(view, NAMED, SCREENS, [HELP, QUIT], None, 9 * 5 + 14)
    assert [i.key for i in shown] == ["a", "b", "c", "d", "e", "?", "q"]


async def test_the_screens_keys_come_first_and_the_apps_last():
    app = make_app(start_mode="train")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        await pilot.press("3")
        await pilot.pause()
        shown = footer_keys(app)
        assert shown[0] == ("s", "Start/stop"), shown
        assert [key for key, _ in shown][-2:] == ["?", "q"] or shown[-1][0] == "^p", shown


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_prediction_view_shows_its_arrows_beside_the_panel_keys(size):
    app = make_app(start_mode="evaluate")
    async with app.run_test(size=size) as pilot:
        await wait_for_data(pilot)
        await pilot.press("p")
        await wait_until(pilot, lambda: ("→", "Next") in footer_keys(app))
        shown = [key for key, _ in footer_keys(app)]
        assert {"→", "←", "c", "p", "u", "d"} <= set(shown), shown
