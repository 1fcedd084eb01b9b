"""The Train dashboard on a recorded run: followed live from another process, or continued."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from core.runs import RunRecorder, RunStore
from core.runs.follow import follow_events
from core.train import fit
from tests.tiny import tiny_config, tiny_data
from tests.tui_helpers import make_app, open_train_screen, wait_until
from tests.waiting import poll_until
from tui.widgets.train.run_status import RunStatus

ROOT = Path(__file__).resolve().parents[1]


def headless_trainer(runs_folder: Path, epochs: int) -> subprocess.Popen:
    """A real `mnist-tui train --headless` in another process, recording into `runs_folder`."""
    argv = ["train", "--headless", "--dataset", "synthetic", "--threads", "1"]
    argv += ["--epochs", str(epochs), "--runs", str(runs_folder), "--name", "elsewhere"]
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *argv],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MNIST_TUI_RUNS": str(runs_folder)},
    )


def first_run_id(runs_folder: Path) -> str:
    def recorded() -> str | None:
        if not (runs_folder / "runs.sqlite").exists():
            return None
        with RunStore.open(runs_folder) as store:
            runs = store.list()
        return runs[0].id if runs else None

    return poll_until(recorded, "the headless trainer to record a run")


@pytest.mark.slow(reason="a `train --headless` process followed to its end")
async def test_a_run_training_in_another_process_is_followed_live_to_its_end(runs_folder):
    trainer = headless_trainer(runs_folder, epochs=4)
    try:
        run_id = first_run_id(runs_folder)
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_train_screen(pilot)
            await app.follow_run(run_id)
            screen = app.screen
            await wait_until(pilot, lambda: screen.started is not None, timeout=60)
            status = screen.query_one(RunStatus)
            assert status.following.startswith(f"{run_id} (headless on ")  # who trains it
            assert screen.query_one("#field-epochs", Input).value == "4"  # its settings
            # Its elapsed time counts from the run's own start, not from joining it.
            with RunStore.open(runs_folder) as store:
                assert screen.started.began_at == store.get(run_id).started_at
            await wait_until(pilot, lambda: screen.outcome is not None, timeout=120)
            assert not screen.outcome.stopped and screen.outcome.epochs_done == 4
            assert screen.query_one("#epochs", DataTable).row_count == 4
            # The follower ends just after the run's last event: its worker's state change
            # (which clears `running`) arrives a moment after RunFinished does.
            await wait_until(pilot, lambda: not screen.running, timeout=10)
            # Ended, the followed run is the current run: `e` evaluates it, `w` copies its file.
            await wait_until(pilot, lambda: app.trained is not None, timeout=30)
            assert app.trained.run_id == run_id and len(app.trained.history) == 4
            assert screen.checkpoint is not None and screen.checkpoint.stem == run_id
    finally:
        trainer.wait(timeout=120)
    assert trainer.returncode == 0, trainer.stderr.read()


def test_follow_events_replay_a_finished_run_as_fit_sent_them(runs_folder):
    with RunStore.open() as store:
        recorder = RunRecorder(store, "python")
        result = fit(tiny_config(), record=recorder, data=tiny_data())
        events = list(follow_events(store, recorder.run_id, threading.Event()))
    names = [type(e).__name__ for e in events if type(e).__name__ != "BatchProgress"]
    assert names == ["RunStarted", "EpochEnd", "EpochEnd", "RunFinished"]
    assert events[0].config == tiny_config()
    assert [e.test_acc for e in events if type(e).__name__ == "EpochEnd"] == [
        e.test_acc for e in result.history
    ]
    assert events[-1].test_acc == result.outcome.test_acc


@pytest.mark.slow(reason="trains a run, then continues it")
async def test_a_recorded_run_is_continued_from_its_checkpoint(runs_folder):
    with RunStore.open() as store:
        recorder = RunRecorder(store, "python")
        fit(tiny_config(dataset="synthetic", epochs=1), record=recorder)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        await app.continue_run(recorder.run_id)
        await wait_until(pilot, lambda: screen.resume_from is not None)
        assert screen.query_one("#field-epochs", Input).value == "6"  # 1 done, 5 more
        screen.query_one("#field-epochs", Input).value = "2"
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running)
        assert screen.started.start_epoch == 1
        assert screen.query_one("#epochs", DataTable).row_count == 1  # epoch 1 only
    with RunStore.open() as store:
        newest = store.list()[0]
    assert (newest.source, newest.epochs_done, newest.status) == ("tui", 2, "finished")
    assert newest.parent == recorder.run_id  # the continued run names the run it continued


async def test_a_run_continued_from_other_data_loads_that_data(runs_folder):
    """The app is on synthetic digits; the run trained on MNIST from a folder here."""
    from tests.datasets import mnist_dir

    folder = str(mnist_dir())  # skips without the real files, fails without them under CI
    with RunStore.open() as store:
        recorder = RunRecorder(store, "python")
        assert fit(tiny_config(dataset="mnist", data_dir=folder, epochs=1), record=recorder).ok
        current = RunRecorder(store, "python")  # a run on the synthetic digits the app shows
        assert fit(tiny_config(epochs=1), record=current, data=tiny_data()).ok
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        from tui.current_run import recorded

        app.trained = recorded(None, current.run_id)  # the current run: on synthetic digits
        await app.continue_run(recorder.run_id)
        await wait_until(pilot, lambda: app.dataset is not None and app.dataset.name == "mnist")
        assert screen.resume_from is not None
        assert f"Loading MNIST, the data run {recorder.run_id} trained on…" in app.notified
        # The current run's own data does not come back over the data asked for.
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.dataset.name == "mnist"
        assert not any(n.startswith("Loading synthetic") for n in app.notified)


async def test_a_recorded_runs_settings_fill_the_form_but_not_this_machines(runs_folder):
    """A run followed or continued brings what it computes, not its machine's threads."""
    from dataclasses import replace

    from tui.widgets.train.form import TrainForm

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        form = screen.query_one(TrainForm)
        local = form.start
        elsewhere = replace(
            tiny_config(epochs=7, hidden=64, lr=3e-3),
            threads=63,
            loader="torchvision",
            cpu_kernels=not local.cpu_kernels,
            device="cpu",
        )
        form.load(elsewhere)
        assert (form.start.epochs, form.start.hidden, form.start.lr) == (7, 64, 3e-3)
        assert form.start.threads == local.threads and form.start.loader == local.loader
        assert form.start.cpu_kernels == local.cpu_kernels and form.start.device == local.device
        assert screen.query_one("#field-epochs", Input).value == "7"


def test_a_followed_run_stopped_before_its_first_epoch_has_no_accuracy():
    # Stopped in its first second: its end says "no accuracy", never 0% (the screen, the
    # table and the current model read this event).
    from core.config import TrainConfig
    from core.events import RunFinished

    with RunStore.open() as store:
        config = TrainConfig(dataset="mnist", epochs=3, device="cpu").to_dict()
        run = store.create(config, "python", "cpu", "mnist")
        store.finish(run.id, "stopped", None, epochs_done=0)
        events = list(follow_events(store, run.id, threading.Event(), poll_s=0.01))
    (end,) = [event for event in events if isinstance(event, RunFinished)]
    assert end.test_acc is None and end.stopped and end.epochs_done == 0


async def test_a_continued_run_is_drawn_on_from_its_parents_epochs():
    from core.config import TrainConfig
    from core.events import EpochEnd
    from tui.widgets.chart.line_chart import LineChart
    from tui.widgets.train.charts import MetricCharts

    with RunStore.open() as store:
        config = TrainConfig(dataset="mnist", epochs=4, device="cpu").to_dict()
        parent = store.create(config, "python", "cpu", "mnist", name="first")
        child = store.create(
            config, "python", "cpu", "mnist", details={"parent": parent.id, "start_epoch": 2}
        )
        for run, epochs in ((parent, range(2)), (child, range(2, 4))):
            for epoch in epochs:
                acc = 0.9 + epoch / 100
                store.append_epoch(run.id, EpochEnd(epoch, 0.3, acc, 0.2, acc, 1.0, 1e4, None))
            store.finish(run.id, "finished", acc, epochs_done=len(epochs))
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        screen.follow(child.id)
        charts = screen.query_one(MetricCharts)
        await wait_until(pilot, lambda: len(charts.previous) == 2 and len(charts.history) == 2)
        assert [e.epoch for e in charts.previous] == [0, 1]  # epochs 1 and 2, faint
        assert [e.epoch for e in charts.history] == [2, 3]  # then 3 and 4, its own
        legend = charts.query_one("#chart-loss", LineChart).query_one(".chart-legend")
        assert "earlier epochs" in str(legend.render())


def test_the_lineage_of_a_deleted_run_is_empty_not_an_error():
    from core.runs.lineage import lineage_history

    with RunStore.open() as store:
        assert lineage_history(store, "gone1234") == []


async def test_w_and_e_refuse_a_shown_run_without_weights_rather_than_act_on_another(runs_folder):
    """A sweep member recorded without a checkpoint, opened on Train: `e` and `w` must not
    fall back on the current run, which is another."""
    from core.events import EpochEnd
    from tui.current_run import recorded

    with RunStore.open() as store:
        recorder = RunRecorder(store, "python")
        assert fit(tiny_config(epochs=1), record=recorder, data=tiny_data()).ok
        bare = store.create(tiny_config(epochs=1).to_dict(), "sweep", "cpu", "synthetic")
        store.append_epoch(bare.id, EpochEnd(0, 2.3, 0.1, 2.3, 0.1, 1.0, 500.0, None))
        store.finish(bare.id, "finished", 0.1, epochs_done=1)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        app.trained = recorded(None, recorder.run_id)  # the current run: the other one
        screen.follow(bare.id)
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running)
        await pilot.press("e")
        await pilot.press("w")
        await pilot.pause()
        assert app.screen is screen  # still on Train: nothing else was evaluated
        assert f"Run {bare.id} has no checkpoint to evaluate." in app.notified
        assert f"Run {bare.id} has no checkpoint to save." in app.notified
