"""The sweep view (Enter on a sweep's row of the Runs screen) under Pilot, over a real store.

Its runs ranked best first with the best marked, live as another writer records epochs and
ends runs, `s` writing the stop request the runner polls, Enter following a run, Escape back;
SVG snapshots from fixed figures.
"""

from __future__ import annotations

import pytest

from core.config import TrainConfig
from core.events import EpochEnd
from core.runs import RunStore
from tests.test_runs_screen import (
    FIXED,
    FollowingApp,
    open_runs_screen,
    settle,
)
from tests.tui_helpers import make_app, notifications, plain, wait_until
from tui.screens.runs import RunsScreen
from tui.screens.sweep import SweepScreen
from tui.state import Options
from tui.widgets.runs import columns
from tui.widgets.runs.members import SweepCharts
from tui.widgets.runs.sweeps import BEST, SweepRow

SWEEP = "3f2a9c1e"
# A 3-epoch grid over lr and hidden: per run its settings, (test acc, test loss) per epoch and
# how it ended (None: still training, in this live process).
MEMBERS = (
    ({"lr": 3e-4, "hidden": 128}, [(0.9301, 0.241), (0.9512, 0.168), (0.9603, 0.134)], "finished"),
    ({"lr": 1e-3, "hidden": 128}, [(0.9452, 0.187), (0.9611, 0.131), (0.9688, 0.105)], "finished"),
    ({"lr": 3e-3, "hidden": 128}, [(0.9513, 0.165), (0.9644, 0.121), (0.9702, 0.101)], "finished"),
    ({"lr": 3e-4, "hidden": 512}, [(0.9410, 0.204), (0.9598, 0.139), (0.9671, 0.112)], "finished"),
    ({"lr": 1e-3, "hidden": 512}, [(0.9555, 0.149), (0.9712, 0.097), (0.9790, 0.071)], "finished"),
    ({"lr": 3e-3, "hidden": 512}, [(0.9602, 0.133), (0.9741, 0.088)], None),
    ({"lr": 1e-2, "hidden": 512}, [(0.8012, 0.655)], "failed"),
)
BEST_LABEL = "lr=0.001 hidden=512"
WHEN = ("05-12 09:14", "05-12 10:02", "05-13 17:45", "05-14 08:30", "05-15 11:20")


def label(settings: dict) -> str:
    return " ".join(f"{key}={value:g}" for key, value in settings.items())


def add_member(store: RunStore, settings: dict, epochs, ended: str | None, sweep=SWEEP):
    """A sweep run recorded through the store's API as the sweep runner's recorder would."""
    config = TrainConfig(dataset="mnist", epochs=3, device="cpu", **settings)
    run = store.create(config.to_dict(), "sweep", "cpu", "mnist", label(settings), sweep)
    for epoch, (acc, loss) in enumerate(epochs):
        end = EpochEnd(epoch, loss * 1.1, acc - 0.01, loss, acc, 5.0 + epoch / 10, 14_000.0, None)
        store.append_epoch(run.id, end)
    if ended == "failed":
        store.finish(run.id, "failed", failure="loss went non-finite at epoch 2")
    elif ended:
        store.finish(run.id, ended, epochs[-1][0], epochs_done=len(epochs))
    return run


def sweep_store(monkeypatch, plain_runs=FIXED) -> dict[str, str]:
    """The Runs screen's fixed runs and then the sweep, with fixed ids and shown times."""
    drawn = iter(f"5eed{n:04x}" for n in range(1, 100))
    monkeypatch.setattr("secrets.token_hex", lambda nbytes: next(drawn))
    ids = {}
    with RunStore.open() as store:
        for name, settings, epochs, ended in plain_runs:
            config = TrainConfig(**{"dataset": "mnist", "epochs": 3, "device": "cpu"} | settings)
            run = store.create(config.to_dict(), "tui", "cpu", "mnist", name=name)
            ids[name] = run.id
            for epoch, (acc, loss, seconds) in enumerate(epochs):
                end = EpochEnd(epoch, loss * 1.1, acc - 0.01, loss, acc, seconds, 14_000.0, None)
                store.append_epoch(run.id, end)
            if ended:
                store.finish(run.id, ended, epochs[-1][0], epochs_done=len(epochs))
        for settings, epochs, ended in MEMBERS:
            ids[label(settings)] = add_member(store, settings, epochs, ended).id
        starts = sorted(run.started_at for run in store.list())
    # Every sweep run started in the same minute, after the plain runs.
    shown = {at: WHEN[min(i, len(plain_runs))] for i, at in enumerate(starts)}
    monkeypatch.setattr(columns, "when_text", shown.__getitem__)
    return ids


async def open_sweep(pilot) -> SweepScreen:
    """The Runs screen, then Enter on the sweep's row."""
    runs = await open_runs_screen(pilot)
    (row,) = [i for i, entry in enumerate(runs.table.shown) if isinstance(entry, SweepRow)]
    runs.table.move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SweepScreen) and screen.loaded
    return screen


def row_of(screen: SweepScreen, run_id: str) -> list[str]:
    """The cells of one run's row in the members table, as text."""
    row = [m.id for m in screen.table.ranked].index(run_id)
    return [str(screen.table.get_cell_at((row, column))) for column in range(6)]


def member_labels(screen: SweepScreen) -> list[str]:
    return [m.row.run.label for m in screen.table.ranked]


async def test_the_sweep_view_ranks_its_runs_and_marks_the_best(monkeypatch):
    ids = sweep_store(monkeypatch, plain_runs=())
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_sweep(pilot)
        assert screen.sweep_id == SWEEP
        # Finished results best first, then the running run, then the failed one.
        assert member_labels(screen) == [
            BEST_LABEL,
            "lr=0.003 hidden=128",
            "lr=0.001 hidden=128",
            "lr=0.0003 hidden=512",
            "lr=0.0003 hidden=128",
            "lr=0.003 hidden=512",
            "lr=0.01 hidden=512",
        ]
        assert screen.table.best.id == ids[BEST_LABEL]
        first = [str(screen.table.get_cell_at((0, c))) for c in range(6)]
        assert first == [BEST, BEST_LABEL, "finished", "3/3", "97.90%", "0.071"]
        running = [str(screen.table.get_cell_at((5, c))) for c in range(6)]
        assert running[2:] == ["● running", "2/3", "97.41%", "0.088"]
        assert [str(screen.table.get_cell_at((r, 0))) for r in range(7)].count(BEST) == 1
        summary = plain(screen.query_one("#sweep-summary"))
        assert (
            summary.split()
            == (
                f"sweep {SWEEP} · 7 runs · 5 finished · 1 running · 1 failed · "
                f"{BEST} best 97.90% {BEST_LABEL}"
            ).split()
        )
        # Every run's curves but the failed one's on both charts, the best drawn last, with
        # the BEST marker.
        charts = screen.query_one(SweepCharts)
        drawn = charts.drawn["test_acc"]
        assert ids["lr=0.01 hidden=512"] not in [run_id for run_id, *_ in drawn]
        assert len(drawn) == 6 and drawn[-1][:2] == (ids[BEST_LABEL], BEST)
        assert drawn[-1][2:] == ([1, 2, 3], [0.9555, 0.9712, 0.9790])
        assert [marker for _, marker, _, _ in drawn].count(BEST) == 1
        assert charts.drawn["test_loss"][-1][3] == [0.149, 0.097, 0.071]
        assert plain(screen.query_one("#sweep-detail")).startswith(f"run {ids[BEST_LABEL]} ·")


async def test_the_view_follows_runs_another_writer_records(monkeypatch):
    monkeypatch.setattr("tui.screens.sweep.POLL_S", 0.1)
    ids = sweep_store(monkeypatch, plain_runs=())
    running = ids["lr=0.003 hidden=512"]
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_sweep(pilot)
        with RunStore.open() as store:  # another writer, as a runner elsewhere would be
            store.append_epoch(running, EpochEnd(2, 0.05, 0.99, 0.05, 0.9843, 5.2, 14_000.0, None))
            await wait_until(pilot, lambda: row_of(screen, running)[3:5] == ["3/3", "98.43%"])
            # A running figure is no result yet: the finished best stays best, and first.
            assert screen.table.best.id == ids[BEST_LABEL]
            assert screen.table.ranked[0].id == ids[BEST_LABEL]
            store.finish(running, "finished", 0.9843, epochs_done=3)
            await wait_until(pilot, lambda: screen.table.best.id == running)
            assert member_labels(screen)[:2] == ["lr=0.003 hidden=512", BEST_LABEL]
            assert str(screen.table.get_cell_at((0, 0))) == BEST
            assert "6 finished" in plain(screen.query_one("#sweep-summary"))
            late = add_member(store, {"lr": 1e-4, "hidden": 512}, [(0.91, 0.3)], None)
            await wait_until(pilot, lambda: late.id in [m.id for m in screen.table.ranked])
            assert "8 runs" in plain(screen.query_one("#sweep-summary"))


async def test_s_asks_the_sweep_to_stop_through_the_store(monkeypatch):
    sweep_store(monkeypatch, plain_runs=())
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_sweep(pilot)
        with RunStore.open() as store:
            assert not store.sweep_stop_requested(SWEEP)
        await pilot.press("s")
        await settle(pilot)
        with RunStore.open() as store:
            assert store.sweep_stop_requested(SWEEP)
        assert notifications(pilot.app)[-1] == (
            f"Asked sweep {SWEEP} to stop: its running run ends as stopped; finished runs stay."
        )
        screen.poll()
        await settle(pilot)
        assert "stop asked" in plain(screen.query_one("#sweep-summary"))


@pytest.mark.slow(reason="records a sweep, then follows a run through two screens")
async def test_escape_goes_back_and_enter_follows_a_run():
    app = FollowingApp(Options(training=TrainConfig(dataset="synthetic")))
    with pytest.MonkeyPatch.context() as monkeypatch:
        ids = sweep_store(monkeypatch, plain_runs=())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_sweep(pilot)
        await pilot.press("down", "enter")
        assert app.asked == [("follow", ids["lr=0.003 hidden=128"])]
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, RunsScreen)
        assert not screen.is_attached


async def test_a_deleted_sweep_is_said_in_one_line(monkeypatch):
    ids = sweep_store(monkeypatch, plain_runs=())
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await open_sweep(pilot)
        with RunStore.open() as store:
            store.finish(ids["lr=0.003 hidden=512"], "stopped", None)
            store.delete(*ids.values())
        screen.poll()
        await settle(pilot)
        summary = plain(screen.query_one("#sweep-summary")).strip()
        assert summary.startswith(f"Cannot show sweep {SWEEP}: no sweep '{SWEEP}' in ")
        assert screen.table.row_count == 0 and pilot.app.is_running


# Snapshots --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_sweep_view_snapshot(snap_compare, monkeypatch, size):
    """Seven runs best first (★, drawn last on top), one running, one failed; curves overlaid."""
    sweep_store(monkeypatch)

    async def run_before(pilot) -> None:
        screen = await open_sweep(pilot)
        assert member_labels(screen)[0] == BEST_LABEL
        assert screen.table.highlighted.id == screen.table.best.id

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


async def test_a_sweep_training_in_another_process_is_followed_and_stopped_from_here(
    monkeypatch, runs_folder
):
    """The runner is a real process of its own; `s` here stops it through the store."""
    from core.runs import DB_NAME
    from tests.test_sweep_store import RUNNER, python

    monkeypatch.setattr("tui.screens.sweep.POLL_S", 0.1)
    runner = python(RUNNER, runs_folder / DB_NAME, "f00dcafe")
    try:
        assert runner.stdout.readline().strip() == "started", runner.stderr.read()
        async with make_app().run_test(size=(80, 24)) as pilot:
            screen = await open_sweep(pilot)
            assert screen.sweep_id == "f00dcafe" and len(screen.members) == 2

            def epochs() -> int:
                return min(m.row.run.epochs_done for m in screen.members)

            before = epochs()
            await wait_until(pilot, lambda: epochs() > before)  # it moves while we look
            await pilot.press("s")
            await wait_until(pilot, lambda: runner.poll() is not None, timeout=30)
            out, err = runner.communicate()
            assert runner.returncode == 0 and out.split()[0] == "stopped", err

            def summary() -> str:
                return plain(screen.query_one("#sweep-summary"))

            await wait_until(pilot, lambda: "2 stopped" in summary())
            assert [m.row.run.status for m in screen.members] == ["stopped", "stopped"]
            assert "stop asked" not in summary()  # it is done
    finally:
        if runner.poll() is None:
            runner.kill()
        runner.communicate()


def test_what_s_says_for_several_runs_and_for_none():
    from tui.widgets.runs.stopping import stop_text

    assert stop_text("ab12", 3) == (
        "Asked sweep ab12 to stop: its 3 running runs end as stopped; finished runs stay."
    )
    assert stop_text("ab12", 0) == (
        "Sweep ab12 has no run training now; it is marked to stop, so none starts."
    )


async def test_a_sweeps_row_sums_up_its_runs_best_lowest_loss_and_length(monkeypatch):
    from tui.widgets.runs.sweeps import SWEEP_CELLS, duration_value

    sweep_store(monkeypatch, plain_runs=())
    async with make_app().run_test(size=(120, 40)) as pilot:
        runs = await open_runs_screen(pilot)
        (sweep,) = [entry for entry in runs.table.shown if isinstance(entry, SweepRow)]
        assert str(SWEEP_CELLS["best"](sweep)) == "97.90% @3"  # the best member's best epoch
        assert str(SWEEP_CELLS["min_loss"](sweep)) == "0.071"
        # From the first start to the last write: at least as long as its longest run.
        assert duration_value(sweep) >= max(row.run.duration for row in sweep.members) > 0
