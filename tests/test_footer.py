"""The footer fits the terminal: nothing cut at the right edge, `?` and `q` always there."""

from __future__ import annotations

import pytest

from tests.tui_helpers import make_app, wait_for_data, wait_until
from tui.widgets.footer import AppFooter, Item, fit

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
            assert "1-6" in shown or all(str(n) in shown for n in range(1, 7)), (mode, shown)
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
