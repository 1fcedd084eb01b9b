"""`?` lists the keys that act on the screen underneath, read from the bindings as they are now:
a key its check refuses, or one that would do nothing there, is not listed, and none twice."""

from __future__ import annotations

import pytest
from textual.binding import Binding

from core.runs import RunRecorder, RunStore
from tests.tiny import tiny_config, tiny_data
from tests.tui_helpers import make_app, plain, wait_for_data
from tui.screens.help import HelpScreen, acts, declared_here, displayed, key_names

MODES = ["browse", "tensors", "train", "evaluate", "runs", "lesson"]


def acting_keys(screen) -> list[tuple[str, str]]:
    """(key, description) of every binding this project declares on the screen and on its
    shown widgets whose check lets it act now."""
    nodes = [screen, *(w for w in screen.walk_children(with_self=False) if displayed(w, screen))]
    keys = []
    for node in nodes:
        for key, action in declared_here(node):
            for binding in node._bindings.key_to_bindings.get(key, []):
                if binding.action == action and acts(node, binding, True):
                    keys.append((key_names(Binding(key, action)), binding.description))
    return keys


async def open_help(pilot) -> dict[str, list[str]]:
    """Press ?; the lines of each section of the help, by title."""
    await pilot.press("question_mark")
    assert isinstance(pilot.app.screen, HelpScreen)
    sections = {}
    for static in pilot.app.screen.query("Static"):
        lines = [line.strip() for line in plain(static).splitlines() if line.strip()]
        if len(lines) > 1:
            sections[lines[0]] = lines[1:]
    return sections


def all_lines(sections: dict[str, list[str]]) -> list[str]:
    return [line for lines in sections.values() for line in lines]


def keys_in(lines: list[str]) -> list[str]:
    """The keys of each row ("q, Ctrl+q    Quit" → ["q", "Ctrl+q"])."""
    return [key for line in lines for key in line.split("  ")[0].split(", ")]


def record_runs(count: int) -> None:
    with RunStore.open() as store:
        for _ in range(count):
            from core.train import fit

            fit(tiny_config(epochs=1), record=RunRecorder(store, "python"), data=tiny_data())


@pytest.mark.parametrize("mode", MODES)
async def test_help_lists_every_key_that_acts_on_the_screen(mode):
    app = make_app(start_mode=mode)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        screen = app.screen
        expected = acting_keys(screen)
        assert expected, f"{mode} has no keys?"
        sections = await open_help(pilot)
        shown = all_lines(sections)
        for key, description in expected:
            assert any(key in line and description in line for line in shown), (
                f"{mode}: {key} ({description}) missing from help"
            )
        await pilot.press("escape")
        assert app.screen is screen


@pytest.mark.parametrize("mode", MODES)
async def test_help_names_the_palette_and_no_key_twice_where_it_acts(mode):
    app = make_app(start_mode=mode)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        sections = await open_help(pilot)
        everywhere = sections["Everywhere"]
        assert any(line.startswith("Ctrl+p") and "Command palette" in line for line in everywhere)
        for app_key in ("1", "2", "3", "4", "5", "6", "?", "q"):
            assert app_key in keys_in(everywhere), (mode, app_key)
        # The screen's keys and the app's: each key once (a widget's keys act only once it has
        # the focus, so they may repeat the screen's).
        where_you_are = keys_in(sections.get("This screen", [])) + keys_in(everywhere)
        assert len(where_you_are) == len(set(where_you_are)), (mode, where_you_are)
        assert not any("Back to lesson" in line for line in everywhere), mode


async def test_help_on_tensors_lists_one_escape():
    app = make_app(start_mode="tensors")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        sections = await open_help(pilot)
        escapes = [line for line in all_lines(sections) if line.startswith("Esc")]
        assert len(escapes) == 1 and "Panels" in escapes[0], escapes


async def test_help_on_a_screen_the_lesson_opened_lists_escape_back_to_the_lesson():
    app = make_app(start_mode="tensors")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        app.lesson_return = app.screen  # as the lesson's `o` leaves it
        sections = await open_help(pilot)
        escapes = [line for line in all_lines(sections) if line.startswith("Esc")]
        assert len(escapes) == 1 and "Back to lesson" in escapes[0], escapes


async def test_help_on_a_table_of_rows_lists_up_and_down_but_not_left_and_right():
    record_runs(2)
    app = make_app(start_mode="runs")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        await pilot.pause()
        assert app.focused is not None and type(app.focused).__name__ == "RunsTable"
        sections = await open_help(pilot)
        table = sections["In the runs table"]
        assert {"↑", "↓", "Enter"} <= set(keys_in(table)), table
        assert "←" not in keys_in(table) and "→" not in keys_in(table), table
        everything = [k for lines in sections.values() for k in keys_in(lines)]
        assert everything.count("Enter") == 1, sections  # the table's: the screen's never acts


async def test_help_on_train_lists_no_keys_of_the_epoch_table_it_has_no_cursor_for():
    app = make_app(start_mode="train")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        sections = await open_help(pilot)
        assert not any("epoch table" in title for title in sections), list(sections)


async def test_help_leaves_out_a_key_the_screen_refuses_now():
    record_runs(1)  # a run of no sweep: `x` (the sweep's runs) and `s` (stop it) do nothing
    app = make_app(start_mode="runs")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        await pilot.pause()
        sections = await open_help(pilot)
        screen_keys = keys_in(sections["This screen"])
        assert "x" not in screen_keys and "s" not in screen_keys, screen_keys
        assert {"e", "r", "d", "C"} <= set(screen_keys), screen_keys


async def test_help_lists_the_keys_of_the_panel_shown_not_of_the_hidden_ones():
    app = make_app(start_mode="evaluate")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        await pilot.press("d")  # the draw panel
        sections = await open_help(pilot)
        shown = "\n".join(all_lines(sections))
        for key in ("Shift+↑", "space", "Ink"):
            assert key in shown
        assert "Counts/row %" not in shown and "Mistakes only" not in shown
