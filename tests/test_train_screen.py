"""The training dashboard under Pilot: real short runs, stop, quit, bad input."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from textual import events
from textual.widgets import DataTable, Input

from core.runs import RunStore
from tests.recorded import recorded_events
from tests.tui_helpers import (
    make_app,
    notifications,
    open_train_screen,
    plain,
    screen_text,
    wait_until,
)
from tests.waiting import poll_until
from tui.widgets.train.charts import MetricCharts
from tui.widgets.train.epoch_table import EpochTable


async def test_before_a_run_shows_settings_summary_and_device():
    app = make_app(epochs=7, lr=3e-4)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        assert screen.query_one("#field-epochs", Input).value == "7"
        assert screen.query_one("#field-lr", Input).value == "0.0003"
        system = plain(screen.query_one("#system"))
        assert "407,050" in system and "Device" in system
        assert not screen.running


async def test_a_real_run_end_to_end(runs_folder):
    app = make_app(epochs=2)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("s")
        # Pilot.press waits for the CPU to go idle, so a 2-epoch run may already be over here.
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running)
        table = screen.query_one("#epochs", DataTable)
        assert table.row_count == 2
        assert screen.outcome.test_acc > 0.5
        assert screen.query_one("#result").display
        verdict = plain(screen.query_one("#verdict"))
        assert "train" in verdict and "test" in verdict
        # The run is the app's current run, by its id in the store.
        assert app.trained is not None and app.trained.run_id is not None
        assert app.trained.source == (
            f"run {app.trained.run_id} (2 epochs, {screen.outcome.test_acc:.2%})"
        )
        await wait_until(pilot, lambda: screen.checkpoint is not None)
        assert screen.checkpoint.exists() and screen.checkpoint.parent == runs_folder
        with RunStore.open() as store:
            (run,) = store.list()
        assert (run.source, run.status, run.epochs_done) == ("tui", "finished", 2)
        assert run.test_acc == screen.outcome.test_acc
        assert screen.started.notes  # the C step, or why it is not used
        assert notifications(app) == list(screen.started.notes)


@pytest.mark.slow(reason="two runs started and stopped")
async def test_stop_ends_the_run_and_a_new_run_can_start():
    app = make_app(epochs=200)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: len(screen.batch_losses) > 0)
        # Posted as the terminal would send it: Pilot.press would wait for idle first.
        app.post_message(events.Key("s", "s"))
        await wait_until(pilot, lambda: not screen.running)
        assert screen.outcome.stopped
        await pilot.press("s")
        assert screen.running
        await wait_until(pilot, lambda: len(screen.batch_losses) > 0)
        await pilot.press("s")
        await wait_until(pilot, lambda: not screen.running, timeout=5)


@pytest.mark.slow(reason="starts a run and quits the app during it")
async def test_quit_during_a_run_leaves_no_thread_behind():
    app = make_app(epochs=200)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: len(screen.batch_losses) > 0)
        await pilot.press("q", "y")  # quitting asks first while a run trains
        await wait_until(pilot, lambda: app.return_code is not None)
    poll_until(
        lambda: not any(t.name.startswith("train_in_background") for t in threading.enumerate()),
        "the training thread to end after quit",
        timeout=30,
    )
    assert not any("train" in t.name for t in threading.enumerate() if t.is_alive())


async def test_invalid_input_is_refused_and_nothing_starts():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        epochs = screen.query_one("#field-epochs", Input)
        epochs.value = "0"
        await pilot.press("s")
        assert not screen.running
        assert any("epochs" in n for n in notifications(app))
        epochs.value = "2"
        screen.query_one("#field-lr", Input).value = "-1"
        await pilot.press("s")
        assert not screen.running
        assert any("learning rate" in n for n in notifications(app))


async def test_letters_never_reach_a_number_field():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("tab")
        assert app.focused is screen.query_one("#field-epochs", Input)
        await pilot.press("end", "x", "y", "7")
        assert screen.query_one("#field-epochs", Input).value == "57"
        await pilot.press("escape")
        assert app.focused is None


@pytest.mark.slow(reason="trains until the loss is not finite")
async def test_nan_loss_is_shown_and_the_screen_stays_usable():
    app = make_app(epochs=1, lr=1e30)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: not screen.running)
        assert "Failed" in plain(screen.query_one("#run-status"))
        assert any("loss became" in n for n in notifications(app))
        await pilot.press("1")
        assert app.current_mode == "browse"


async def test_recorded_run_replays_into_rows_and_verdict():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        for event in recorded_events():
            screen.apply_event(event)
        await pilot.pause()
        assert screen.query_one("#epochs", DataTable).row_count == 3
        assert "overfitting" in plain(screen.query_one("#verdict"))


async def test_the_previous_run_stays_on_the_charts_under_the_next_one():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        first = recorded_events()
        for event in first:
            screen.apply_event(event)
        screen.apply_event(first[0])  # the next run starts
        await pilot.pause()
        charts = screen.query_one(MetricCharts)
        assert charts.history == [] and [e.epoch for e in charts.previous] == [0, 1, 2]
        # The new run's rows are laid out, numbered and still empty.
        table = screen.query_one("#epochs", EpochTable)
        assert table.row_count == 3 and not table.filled
        assert [table.get_row_at(r)[1] for r in range(3)] == ["", "", ""]


async def test_save_and_evaluate_need_a_finished_run():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("w", "e")
        assert app.screen is screen
        messages = notifications(app)
        assert any("train a model first" in m for m in messages)
        assert any("No trained model yet" in m for m in messages)


async def test_start_when_the_real_data_fell_back_to_synthetic_says_why(tmp_path):
    app = make_app(dataset="mnist", data_dir=str(tmp_path / "nowhere"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        assert app.dataset.train.is_synthetic
        await pilot.press("s")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("s")
        assert not screen.running
        assert any("could not be loaded" in n for n in notifications(app))


async def test_loading_the_same_dataset_again_keeps_the_app_up():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_train_screen(pilot)
        first = app.dataset
        app.load_dataset("synthetic")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.dataset is not first and app.dataset.train.is_synthetic
        assert app.is_running


async def test_a_runs_rows_are_laid_out_at_its_start_and_filled_without_a_relayout():
    """An epoch's end fills its row in place: the table and the charts keep their size, so
    the screen is not laid out again (and the charts not re-drawn) while training goes on."""
    from core.events import EpochEnd, RunFinished

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        events = recorded_events()
        ends = [e for e in events if isinstance(e, EpochEnd)]
        screen.apply_event(events[0])
        await pilot.pause()
        table = screen.query_one("#epochs", EpochTable)
        charts = screen.query_one(MetricCharts)
        before = (table.region, charts.region)
        assert [table.get_row_at(r)[0] for r in range(table.row_count)] == ["1", "2", "3"]
        screen.apply_event(ends[0])
        await pilot.pause()
        assert (table.region, charts.region) == before
        assert table.get_row_at(0)[1:] != ["", "", "", "", ""] and table.get_row_at(1)[1] == ""
        assert table.filled == {0}
        # Stopped after its first epoch: the rows of the epochs never reached go.
        finished = next(e for e in events if isinstance(e, RunFinished))
        stopped = dataclasses.replace(finished, stopped=True, epochs_done=1)
        screen.apply_event(stopped)
        await pilot.pause()
        assert table.row_count == 1 and table.size.height == 2  # the header and epoch 1


async def test_a_figure_wider_than_its_column_widens_it():

    from core.events import EpochEnd

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        events = recorded_events()
        screen.apply_event(events[0])
        end = next(e for e in events if isinstance(e, EpochEnd))
        screen.apply_event(dataclasses.replace(end, train_acc=1.0, seconds=123.4))
        await pilot.pause()
        table = screen.query_one("#epochs", EpochTable)
        row = table.get_row_at(0)
        assert row[2] == "100.0%" and row[5] == "123.4"
        shown = screen_text(app)
        assert "100.0%" in shown and "123.4" in shown  # whole, not cut at the old width
        assert (table.columns["acc"].width, table.columns["s"].width) == (6, 5)


async def test_the_table_plans_the_forms_epochs_until_a_run_fills_it():
    app = make_app(epochs=5)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        table = screen.query_one("#epochs", EpochTable)
        assert [table.get_row_at(r)[0] for r in range(table.row_count)] == list("12345")
        field = screen.query_one("#field-epochs", Input)
        field.value = "3"
        await pilot.pause()
        assert table.row_count == 3 and table.size.height == 4
        field.value = "x"  # not a number: the plan stays as it was
        await pilot.pause()
        assert table.row_count == 3
        for event in recorded_events():  # a 3-epoch run
            screen.apply_event(event)
        await pilot.pause()
        field.value = "7"  # the finished run's figures stay
        await pilot.pause()
        assert table.row_count == 3 and table.filled == {0, 1, 2}


async def test_a_run_that_fails_before_its_first_epoch_leaves_the_plan():
    from core.events import RunFailed

    app = make_app(epochs=5)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        screen.apply_event(recorded_events()[0])  # a 3-epoch run starts...
        screen.apply_event(RunFailed("out of memory"))  # ...and fails at once
        await pilot.pause()
        table = screen.query_one("#epochs", EpochTable)
        assert [table.get_row_at(r)[0] for r in range(table.row_count)] == ["1", "2", "3"]
        assert not table.filled


def test_a_run_at_chance_is_not_read_as_overfitting() -> None:
    from core.events import EpochEnd
    from tui.screens.train import verdict

    chance = [EpochEnd(0, 2.3, 0.1013, 2.3, 0.1009, 1.0, 500.0, None)]
    assert "learned nothing" in verdict(chance) and "overfitting" not in verdict(chance)
    assert verdict(chance, brief=True).endswith("about chance: it learned nothing")
    learned = [EpochEnd(0, 0.1, 0.98, 0.1, 0.97, 1.0, 500.0, None)]
    assert "1.00 points better" in verdict(learned) and "overfitting" in verdict(learned)


async def test_e_after_a_failed_run_evaluates_its_last_finished_epoch(runs_folder, monkeypatch):
    """A run that failed in its second epoch kept the first epoch's checkpoint: `e` evaluates
    that, the run the screen shows, not an earlier current run."""
    from tests.losses import poison_loss_at
    from tui.screens.evaluate import EvaluateScreen

    poison_loss_at(monkeypatch, 94 + 5)  # 94 batches an epoch: the second epoch's 5th
    app = make_app(epochs=2)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running)
        await wait_until(pilot, lambda: screen.checkpoint is not None)
        assert app.trained is None  # a failed run is not made the current run by itself
        failed_id = screen.recorded_id
        await pilot.press("e")
        await wait_until(pilot, lambda: app.trained is not None)
        assert isinstance(app.screen, EvaluateScreen) and app.trained.run_id == failed_id
        assert len(app.trained.history) == 1
