"""`?` lists every key of the screen underneath, read from the bindings so it cannot drift."""

from __future__ import annotations

import pytest
from textual.binding import Binding

from tests.tui_helpers import make_app, plain, wait_for_data
from tui.screens.help import HelpScreen, declared_here, key_names


def declared_keys(screen) -> list[tuple[str, str]]:
    """(key, description) of every binding this project declares on the screen and its widgets."""
    nodes = [screen, *(w for w in screen.walk_children(with_self=False) if w.display)]
    keys = []
    for node in nodes:
        for key, action in declared_here(node):
            for binding in node._bindings.key_to_bindings.get(key, []):
                if binding.action == action:
                    keys.append((key_names(Binding(key, action)), binding.description))
    return keys


@pytest.mark.parametrize("mode", ["browse", "tensors", "train", "evaluate", "runs"])
async def test_help_lists_every_key_of_the_screen(mode):
    app = make_app(start_mode=mode)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        screen = app.screen
        expected = declared_keys(screen)
        assert expected, f"{mode} declares no keys?"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = "\n".join(plain(s) for s in app.screen.query("Static"))
        for key, description in expected:
            assert any(key in line and description in line for line in shown.splitlines()), (
                f"{mode}: {key} ({description}) missing from help"
            )
        for app_key in ("1", "2", "3", "4", "5", "?", "q"):
            assert any(line.strip().startswith(app_key) for line in shown.splitlines())
        await pilot.press("escape")
        assert app.screen is screen


async def test_help_shows_arrows_enter_and_shift_arrows_where_the_screen_takes_them():
    app = make_app(start_mode="evaluate")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        await pilot.press("question_mark")
        shown = "\n".join(plain(s) for s in app.screen.query("Static"))
        for key in ("↑", "Enter", "Shift+↑", "space"):
            assert key in shown
