"""A run stopped before its first epoch ends trained nothing to judge: it shows no accuracy on
the screen, in the store or in `runs list` (not the untrained network's ~10%), and `s s s`
pressed at once leaves one run, started and stopped."""

from __future__ import annotations

import json

from textual import events
from textual.widgets import Digits

from core.runs import RunStore
from tests.tui_helpers import make_app, open_train_screen, screen_text, wait_until
from tui.cli import main
from tui.screens.runs import RunsScreen
from tui.widgets.runs import columns


def press_s_three_times_at_once(pilot) -> None:
    """As a terminal sends fast presses: all three queued before the app handles the first."""
    for _ in range(3):
        pilot.app.post_message(events.Key("s", "s"))


async def test_s_s_s_at_once_records_one_stopped_run_of_no_epoch_and_no_accuracy():
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        press_s_three_times_at_once(pilot)
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.outcome.stopped and screen.outcome.test_acc is None
        assert str(screen.query_one("#final-acc", Digits).value) == "-"
        lines = [line for line in screen_text(app).splitlines() if "stopped" in line]
        assert lines and not any("%" in line for line in lines), lines
        assert app.trained is None  # nothing trained to evaluate or save
        await pilot.press("5")  # the Runs screen's row for it
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.listed)
        await app.workers.wait_for_complete()
        (row,) = app.screen.table.shown
        shown = {
            key: str(columns.BY_KEY[key].cell(row))
            for key in ("status", "epochs", "test_acc", "best")
        }
        assert "stopped" in shown["status"] and shown["epochs"].startswith("0")
        assert "%" not in shown["test_acc"] + shown["best"], shown
    with RunStore.open() as store:
        (run,) = store.list()
    assert (run.status, run.epochs_done, run.test_acc) == ("stopped", 0, None)
    assert run.best_test_acc is None


async def test_runs_list_shows_a_run_stopped_before_its_first_epoch_with_no_accuracy(capsys):
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        press_s_three_times_at_once(pilot)
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running)
        await app.workers.wait_for_complete()
    capsys.readouterr()
    assert main(["runs", "list", "--json"]) in (0, None)
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["status"], listed["epochs"], listed["test_acc"]) == ("stopped", 0, None)
    assert main(["runs", "list"]) in (0, None)
    table = capsys.readouterr().out
    (row,) = [line for line in table.splitlines() if line.startswith(listed["id"])]
    assert "stopped" in row and "0/3" in row and "%" not in row
