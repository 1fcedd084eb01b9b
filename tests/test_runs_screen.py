"""The Runs screen (key 5) under Pilot, over a store of real recorded runs.

Listing, sorting, filtering, selecting and comparing, renaming and deleting through the modals,
opening a run where it belongs, a store that cannot be read; SVG snapshots from a store filled
with fixed figures, so the pictures do not depend on timing.
"""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input

from core.config import TrainConfig
from core.events import EpochEnd
from core.runs import DB_NAME, RunRecorder, RunStore, RunStoreError
from tests.tiny import tiny_config, tiny_data
from tests.tui_helpers import (
    RecordingApp,
    make_app,
    notifications,
    plain,
    wait_for_data,
    wait_until,
)
from tui.screens.compare_runs import CompareRunsScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.evaluate import EvaluateScreen
from tui.screens.rename_run import RenameRunScreen
from tui.screens.run_words import NoteScreen, TagsScreen
from tui.screens.runs import EMPTY, RunsScreen
from tui.state import Options
from tui.widgets.runs import columns
from tui.widgets.runs.compare import CompareCharts, ConfigDiff
from tui.widgets.runs.detail import RunDetail


def record(*runs: tuple[str, dict]) -> dict[str, str]:
    """Train and record tiny real runs, oldest first; their ids by name."""
    from core.train import fit

    ids = {}
    with RunStore.open() as store:
        for name, overrides in runs:
            recorder = RunRecorder(store, "python", name=name)
            fit(tiny_config(**overrides), record=recorder, data=tiny_data())
            ids[name] = recorder.run_id
    return ids


THREE = (("alpha", {}), ("bravo", {"lr": 3e-3}), ("charlie", {"hidden": 64}))


async def open_runs_screen(pilot) -> RunsScreen:
    """Screen 5 with the store read once."""
    await wait_for_data(pilot)
    await pilot.press("5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RunsScreen) and screen.listed
    return screen


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def labels(screen: RunsScreen) -> list[str]:
    return [row.run.label for row in screen.table.shown]


def cell(screen: RunsScreen, name: str, column: str) -> str:
    """The text of one cell of the run called `name`."""
    (row,) = [row for row in screen.table.shown if row.run.label == name]
    return str(columns.BY_KEY[column].cell(row))


async def test_the_list_shows_recorded_runs_newest_first():
    ids = record(*THREE)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        assert labels(screen) == ["charlie", "bravo", "alpha"]
        assert screen.table.row_count == 3
        assert cell(screen, "bravo", "status") == "finished"
        assert cell(screen, "bravo", "lr") == "0.003"
        assert cell(screen, "charlie", "hidden") == "64"
        assert cell(screen, "alpha", "epochs") == "2/2"
        assert cell(screen, "alpha", "optimizer") == "rmsprop"
        assert cell(screen, "alpha", "device").startswith("cpu")
        with RunStore.open() as store:
            history = store.history(ids["alpha"])
            run = store.get(ids["alpha"])
        mean = sum(e.seconds for e in history) / len(history)
        assert cell(screen, "alpha", "seconds") == f"{mean:.2f}"
        assert cell(screen, "alpha", "test_acc") == f"{run.test_acc:.2%}"
        assert plain(screen.query_one("#runs-summary")).strip().startswith("3 runs · sorted by")


async def test_o_cycles_the_sort_column_and_shift_o_reverses_it():
    record(*THREE)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        table = screen.table
        for _ in range(len(columns.COLUMNS)):
            if table.sort_key == "lr":
                break
            await pilot.press("o")
        assert table.sort_key == "lr" and not table.descending
        # 1e-3, 1e-3, 3e-3: runs with the same lr stay newest first
        assert labels(screen) == ["charlie", "alpha", "bravo"]
        await pilot.press("O")
        assert table.descending
        assert labels(screen) == ["bravo", "charlie", "alpha"]
        assert "sorted by lr ↓" in plain(screen.query_one("#runs-summary"))
        assert str(table.columns["lr"].label) == "lr↓"


@pytest.mark.slow(reason="records runs, then types filters one after another")
async def test_the_filter_keeps_rows_containing_the_text_and_escape_clears_it():
    record(*THREE)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        await pilot.press("slash")
        field = screen.query_one("#runs-filter", Input)
        assert field.display and field.has_focus
        await pilot.press(*"0.003")
        assert labels(screen) == ["bravo"]
        assert "1 of 3 runs" in plain(screen.query_one("#runs-summary"))
        await pilot.press("enter")  # back to the table; the filter stays
        assert screen.table.has_focus and labels(screen) == ["bravo"]
        await pilot.press("slash", "ctrl+u", *"ALPHA")  # any case
        assert labels(screen) == ["alpha"]
        await pilot.press("escape")
        assert labels(screen) == ["charlie", "bravo", "alpha"]
        assert not field.display and field.value == ""


async def test_two_selected_runs_compare_on_shared_charts_with_only_the_differing_fields():
    ids = record(*THREE)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        await pilot.press("v")
        assert "Select two or more runs" in notifications(pilot.app)[-1]
        await pilot.press("down", "space", "space")  # bravo, then alpha (space moves down)
        assert [row.run.label for row in screen.table.picked_rows] == ["bravo", "alpha"]
        assert cell(screen, "bravo", "name") == "bravo"
        assert "2 selected" in plain(screen.query_one("#runs-summary"))
        await pilot.press("v")
        await settle(pilot)
        compare = pilot.app.screen
        assert isinstance(compare, CompareRunsScreen) and compare.loaded
        charts = compare.query_one(CompareCharts)
        assert [entry.label for entry in charts.legend] == ["bravo", "alpha"]
        assert len({entry.marker for entry in charts.legend}) == 2  # apart without colour too
        assert len({entry.colour for entry in charts.legend}) == 2
        with RunStore.open() as store:
            alpha = store.history(ids["alpha"])
        # epochs counted from 1, as on the Train screen
        assert charts.drawn["test_acc"][1][2:] == ([1, 2], [e.test_acc for e in alpha])
        assert charts.drawn["test_loss"][1][2:] == ([1, 2], [e.test_loss for e in alpha])
        assert compare.query_one(ConfigDiff).fields == ["lr"]
        diff = plain(compare.query_one(ConfigDiff))
        assert "0.003" in diff and "0.001" in diff and "hidden" not in diff
        await pilot.press("escape")
        assert pilot.app.screen is screen


@pytest.mark.slow(reason="records runs, then a modal typed into")
async def test_rename_through_the_modal_changes_the_store():
    ids = record(("alpha", {}))
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        await pilot.press("r")
        modal = pilot.app.screen
        assert isinstance(modal, RenameRunScreen)
        assert modal.query_one(Input).value == "alpha"
        await pilot.press("escape")  # cancelled: nothing written
        assert pilot.app.screen is screen
        await pilot.press("r", "ctrl+u", *"wide lr", "enter")
        await settle(pilot)
        with RunStore.open() as store:
            assert store.get(ids["alpha"]).name == "wide lr"
        assert labels(screen) == ["wide lr"]
        assert notifications(pilot.app)[-1] == f"Run {ids['alpha']} is now wide lr."


async def test_delete_asks_first_and_then_removes_the_run_and_its_checkpoint():
    ids = record(("alpha", {}), ("bravo", {}))
    with RunStore.open() as store:
        checkpoint = store.checkpoint_path(ids["bravo"])
    assert checkpoint.exists()
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        await pilot.press("d")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert labels(screen) == ["bravo", "alpha"]
        await pilot.press("d", "y")
        await settle(pilot)
        assert labels(screen) == ["alpha"]
        with RunStore.open() as store:
            assert [run.id for run in store.list()] == [ids["alpha"]]
        assert not checkpoint.exists()


async def test_a_finished_run_without_a_checkpoint_is_neither_evaluated_nor_continued():
    from core.events import EpochEnd

    with RunStore.open() as store:  # as a Ray sweep member records it: figures, no weights
        run = store.create(tiny_config(epochs=1).to_dict(), "sweep", "cpu", "synthetic", "ray")
        store.append_epoch(run.id, EpochEnd(0, 2.3, 0.1, 2.3, 0.1, 1.0, 500.0, None))
        store.finish(run.id, "finished", 0.1, epochs_done=1)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        for key in ("e", "C"):
            await pilot.press(key)
            await pilot.pause()
            assert pilot.app.screen is screen  # said here, without leaving Runs
            assert notifications(pilot.app)[-1] == (
                "Run ray has no checkpoint: none was kept for it (a sweep member trained on "
                "Ray, or by an earlier version)."
            )


async def test_a_running_run_is_not_deleted_and_one_without_a_checkpoint_not_evaluated():
    with RunStore.open() as store:  # running in this live process, no epoch finished yet
        run = store.create(tiny_config().to_dict(), "headless", "cpu", "synthetic", "busy")
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        await pilot.press("e")
        assert pilot.app.screen is screen
        assert notifications(pilot.app)[-1].startswith("Run busy has no checkpoint")
        await pilot.press("d")  # refused at once: no question first
        assert pilot.app.screen is screen
        assert notifications(pilot.app)[-1] == (
            f"Run busy ({run.id}) is still training: stop it before deleting it."
        )
        await settle(pilot)
        assert labels(screen) == ["busy"]
        with RunStore.open() as store:
            assert store.get(run.id).running


async def test_a_corrupt_store_shows_its_one_line_and_the_app_stays_up(runs_folder):
    runs_folder.mkdir()
    (runs_folder / DB_NAME).write_bytes(b"not a database at all, " * 200)
    with pytest.raises(RunStoreError) as raised:
        RunStore.open()
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await open_runs_screen(pilot)
        assert screen.problem == str(raised.value)
        message = screen.query_one("#runs-message")
        assert message.display and plain(message).strip() == str(raised.value)
        assert not screen.table.display
        await pilot.press("e", "r", "v")  # nothing to act on: said, not raised
        await pilot.press("1")
        assert pilot.app.is_running and pilot.app.current_mode == "browse"


async def test_an_empty_store_says_how_to_record_a_run():
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await open_runs_screen(pilot)
        message = screen.query_one("#runs-message")
        assert message.display and plain(message).split() == EMPTY.split()
        assert not screen.table.display


class FollowingApp(RecordingApp):
    """Records what the Runs screen asks of the Train screen, which is tested on its own."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.asked: list[tuple[str, str]] = []

    async def follow_run(self, run_id: str) -> None:
        self.asked.append(("follow", run_id))

    async def continue_run(self, run_id: str) -> None:
        self.asked.append(("continue", run_id))


async def test_enter_follows_and_shift_c_continues_the_highlighted_run():
    ids = record(("alpha", {}), ("bravo", {}))
    app = FollowingApp(Options(training=TrainConfig(dataset="synthetic")))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_runs_screen(pilot)
        await pilot.press("enter", "down", "C")
        assert app.asked == [("follow", ids["bravo"]), ("continue", ids["alpha"])]


async def test_e_evaluates_the_highlighted_run_as_the_current_run():
    ids = record(("alpha", {}))
    async with make_app().run_test(size=(120, 40)) as pilot:
        await open_runs_screen(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(pilot.app.screen, EvaluateScreen)
        await wait_until(pilot, lambda: pilot.app.trained is not None)
        with RunStore.open() as store:
            run = store.get(ids["alpha"])
        trained = pilot.app.trained
        assert (trained.run_id, trained.checkpoint) == (run.id, run.checkpoint)
        assert trained.source.startswith(f"run {run.id} (")


async def test_runs_started_elsewhere_appear_live_and_running_ones_update(monkeypatch):
    monkeypatch.setattr("tui.screens.runs.REFRESH_S", 0.2)
    record(("alpha", {}))
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        with RunStore.open() as store:  # another writer, as a process elsewhere would be
            run = store.create(tiny_config().to_dict(), "headless", "cpu", "synthetic", "live")
            await wait_until(pilot, lambda: "live" in labels(screen))
            assert cell(screen, "live", "status") == "● running"
            assert cell(screen, "live", "test_acc") == ""
            store.append_epoch(run.id, EpochEnd(0, 0.5, 0.8, 0.4, 0.875, 1.5, 300.0, None))
            await wait_until(pilot, lambda: cell(screen, "live", "test_acc") == "87.50%")
            assert cell(screen, "live", "epochs") == "1/2"
            assert cell(screen, "live", "seconds") == "1.50"
            store.finish(run.id, "finished", 0.9, epochs_done=2)
            await wait_until(pilot, lambda: cell(screen, "live", "status") == "finished")
            assert cell(screen, "live", "test_acc") == "90.00%"


def test_sorting_puts_runs_without_a_value_last_in_either_direction():
    rows = [fake_row("a", None), fake_row("b", 0.9), fake_row("c", 0.5)]
    ascending = columns.sort_rows(rows, "test_acc", descending=False)
    descending = columns.sort_rows(rows, "test_acc", descending=True)
    assert [r.run.id for r in ascending] == ["c", "b", "a"]
    assert [r.run.id for r in descending] == ["b", "c", "a"]


def fake_row(run_id: str, acc: float | None) -> columns.RunRow:
    from core.runs import RunRecord

    run = RunRecord(
        run_id, None, "python", None, "finished", {"lr": 0.001}, {}, "cpu", "synthetic",
        "host", 1, 0.0, 1.0, 1.0, acc, None, None, 1,
    )  # fmt: skip
    return columns.RunRow(run, seconds_per_epoch=None, last_test_acc=None)


# Snapshots --------------------------------------------------------------------------------

# name, settings, per epoch (test acc, test loss, seconds), how it ended (None: still running)
NOTEBOOK = [(0.9512, 0.171, 4.1), (0.9655, 0.118, 4.0), (0.9702, 0.101, 4.2)]
FAST = [(0.9401, 0.221, 4.0), (0.9533, 0.172, 4.1), (0.9521, 0.190, 4.1)]
FIXED = (
    ("notebook", {}, NOTEBOOK, "finished"),
    ("fast lr", {"lr": 3e-3}, FAST, "finished"),
    ("adam wide", {"optimizer": "adam", "hidden": 1024}, [(0.9611, 0.131, 6.3)], "stopped"),
    ("sgd", {"optimizer": "sgd", "lr": 0.05}, [(0.9012, 0.341, 3.2)], None),
)
WHEN = ("05-12 09:14", "05-12 10:02", "05-13 17:45", "05-14 08:30")  # oldest first


class StoreClock:
    """The store's clock while fixed_store writes: each run starts a minute after the one
    before and each epoch takes its own seconds, so lengths and speeds are the same every time.
    The newest run starts two minutes before now, so the one left running reads as alive."""

    def __init__(self, runs: int) -> None:
        self.now = time.time() - 60 * (runs + 1)

    def time(self) -> float:
        return self.now


def fixed_store(monkeypatch) -> dict[str, str]:
    """FIXED recorded with the store's own API, with fixed ids and times; the times it shows
    are frozen."""
    drawn = iter(f"5eed{n:04x}" for n in range(1, 100))
    monkeypatch.setattr("secrets.token_hex", lambda nbytes: next(drawn))  # the store's ids
    ids = {}
    clock = StoreClock(len(FIXED))
    with monkeypatch.context() as writing, RunStore.open() as store:
        writing.setattr("core.runs.store.time", clock)
        for name, settings, epochs, ended in FIXED:
            clock.now += 60
            config = TrainConfig(**{"dataset": "mnist", "epochs": 3, "device": "cpu"} | settings)
            run = store.create(config.to_dict(), "tui", "cpu", "mnist", name=name)
            ids[name] = run.id
            for epoch, (acc, loss, seconds) in enumerate(epochs):
                clock.now += seconds
                end = EpochEnd(epoch, loss * 1.1, acc - 0.01, loss, acc, seconds, 14_000.0, None)
                store.append_epoch(run.id, end)
            if ended:
                store.finish(run.id, ended, epochs[-1][0], epochs_done=len(epochs))
    with RunStore.open() as store:
        shown = {run.started_at: WHEN[i] for i, run in enumerate(reversed(store.list()))}
    monkeypatch.setattr(columns, "when_text", shown.__getitem__)
    return ids


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_runs_list_snapshot(snap_compare, monkeypatch, size):
    """Four runs newest first, the running one marked live, one selected, sorted by when."""
    fixed_store(monkeypatch)

    async def run_before(pilot) -> None:
        screen = await open_runs_screen(pilot)
        await pilot.press("down", "space", "up")
        assert labels(screen) == ["sgd", "adam wide", "fast lr", "notebook"]
        assert [row.run.label for row in screen.table.picked_rows] == ["adam wide"]
        assert cell(screen, "sgd", "status") == "● running"
        assert cell(screen, "notebook", "seconds") == "4.10"

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.slow(reason="records runs, opens Compare's charts, then an SVG snapshot")
def test_compare_snapshot(snap_compare, monkeypatch, size):
    """Two runs overlaid (own colour and marker each) and only lr in the settings table."""
    fixed_store(monkeypatch)

    async def run_before(pilot) -> None:
        screen = await open_runs_screen(pilot)
        await pilot.press("down", "down", "space", "space", "v")
        await settle(pilot)
        compare = pilot.app.screen
        assert isinstance(compare, CompareRunsScreen)
        assert [entry.label for entry in compare.query_one(CompareCharts).legend] == [
            "fast lr",
            "notebook",
        ]
        assert compare.query_one(ConfigDiff).fields == ["lr"]
        assert screen.table.picked_rows

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


# Tags, notes, the filter's words, following the newest run -------------------------------


async def test_t_gives_a_run_the_tags_typed_and_the_table_shows_them(monkeypatch):
    ids = fixed_store(monkeypatch)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        await pilot.press("down", "t")  # adam wide
        modal = pilot.app.screen
        assert isinstance(modal, TagsScreen) and modal.query_one(Input).value == ""
        await pilot.press(*"wide, baseline", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        with RunStore.open() as store:
            assert store.get(ids["adam wide"]).tags == ("baseline", "wide")
        assert cell(screen, "adam wide", "tags") == "baseline,wide"
        assert notifications(pilot.app)[-1] == "Run adam wide is tagged baseline, wide."


async def test_a_tag_the_store_would_refuse_is_said_in_the_modal_which_stays(monkeypatch):
    ids = fixed_store(monkeypatch)
    async with make_app().run_test(size=(120, 40)) as pilot:
        await open_runs_screen(pilot)
        await pilot.press("t", *("x" * 41), "enter")
        modal = pilot.app.screen
        assert isinstance(modal, TagsScreen)
        assert plain(modal.query_one("#words-problem")).strip() == (
            "a tag is at most 40 characters, not 41"
        )
        await pilot.press("escape")
        await settle(pilot)
        with RunStore.open() as store:
            assert store.get(ids["sgd"]).tags == ()


async def test_shift_n_writes_a_note_shown_under_the_table(monkeypatch):
    ids = fixed_store(monkeypatch)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        await pilot.press("down", "down", "N")  # fast lr
        assert isinstance(pilot.app.screen, NoteScreen)
        await pilot.press(*"lr 3e-3 overshoots", "enter")
        await settle(pilot)
        with RunStore.open() as store:
            assert store.get(ids["fast lr"]).note == "lr 3e-3 overshoots"
        detail = plain(screen.query_one(RunDetail))
        assert "note: lr 3e-3 overshoots" in detail
        assert "best 95.33% at epoch 2" in detail


async def test_the_table_shows_each_runs_best_epoch_lowest_loss_length_and_speed(monkeypatch):
    fixed_store(monkeypatch)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        assert cell(screen, "fast lr", "best") == "95.33% @2"  # not its last, 95.21%
        assert cell(screen, "fast lr", "min_loss") == "0.172"
        assert cell(screen, "notebook", "samples") == "14.0k"
        assert cell(screen, "notebook", "duration") == "12.3 s"  # its three epochs' seconds
        assert cell(screen, "sgd", "duration") == "3.2 s"  # running: up to its newest write


@pytest.mark.slow(reason="types four filters one key at a time")
async def test_the_filter_takes_tags_statuses_and_text_together(monkeypatch):
    ids = fixed_store(monkeypatch)
    with RunStore.open() as store:
        store.tag(ids["notebook"], ["baseline"])
        store.tag(ids["sgd"], ["baseline", "sgd-family"])
        store.tag(ids["fast lr"], ["tuned"])
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        await pilot.press("slash")
        field = screen.query_one("#runs-filter", Input)
        assert "tag:" in field.placeholder and "status:" in field.placeholder
        await pilot.press(*"tag:baseline")
        assert labels(screen) == ["sgd", "notebook"]
        await pilot.press(*" status:fin")
        assert labels(screen) == ["notebook"]
        await pilot.press("ctrl+u", *"status:running status:stopped")  # either status
        assert labels(screen) == ["sgd", "adam wide"]
        await pilot.press("ctrl+u", *"TAG:Baseline 0.05")  # any case; text in any column
        assert labels(screen) == ["sgd"]
        assert "1 of 4 runs" in plain(screen.query_one("#runs-summary"))


def highlighted_label(screen: RunsScreen) -> str:
    row = screen.table.highlighted
    assert row is not None, "the cursor is on no run"
    return row.run.label


def start_run(name: str) -> str:
    """A run "running" in this live process, as a training process elsewhere records one."""
    with RunStore.open() as store:
        return store.create(tiny_config().to_dict(), "headless", "cpu", "synthetic", name).id


async def test_shift_f_follows_each_new_running_run(monkeypatch):
    monkeypatch.setattr("tui.screens.runs.REFRESH_S", 0.2)
    for name in ("first", "busy", "last"):
        start_run(name)
    with RunStore.open() as store:
        store.finish(store.get("last").id, "finished")
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        assert labels(screen) == ["last", "busy", "first"]
        await pilot.press("F")  # straight to the newest running run there is
        assert screen.title == "mnist-tui · Runs · following newest"
        assert highlighted_label(screen) == "busy"
        start_run("newer")
        await wait_until(pilot, lambda: "newer" in labels(screen))
        assert highlighted_label(screen) == "newer"
        await pilot.press("F", "down")  # no longer following: a new run leaves the cursor be
        assert screen.title == "mnist-tui · Runs"
        start_run("newest")
        await wait_until(pilot, lambda: "newest" in labels(screen))
        assert highlighted_label(screen) == "last"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_runs_tags_snapshot(snap_compare, monkeypatch, size):
    """Tags in their own column (cut at 80 columns' narrow width if long), the note and the
    best epoch under the table for the run the cursor is on."""
    ids = fixed_store(monkeypatch)
    with RunStore.open() as store:
        store.tag(ids["notebook"], ["baseline", "rmsprop"])
        store.tag(ids["fast lr"], ["lr-sweep", "overshoots", "keep"])
        store.set_note(ids["fast lr"], "3e-3 learns faster, then wobbles: try a schedule")

    async def run_before(pilot) -> None:
        screen = await open_runs_screen(pilot)
        await pilot.press("down", "down")
        assert highlighted_label(screen) == "fast lr"
        assert cell(screen, "fast lr", "tags") == "keep,lr-sweep,o…"

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


# Sweeps -----------------------------------------------------------------------------------


def sweep_rows(screen: RunsScreen) -> list:
    from tui.widgets.runs.sweeps import SweepRow

    return [entry for entry in screen.table.shown if isinstance(entry, SweepRow)]


def drawn_names(screen: RunsScreen) -> list[str]:
    """The name column as drawn, tree marks included."""
    table = screen.table
    column = list(table.columns).index("name")
    return [str(table.get_cell_at((row, column))) for row in range(table.row_count)]


async def test_a_sweeps_runs_fold_into_one_row_that_x_opens_and_closes(monkeypatch):
    from tests.test_sweep_screen import BEST_LABEL, SWEEP, sweep_store
    from tui.widgets.runs.sweeps import BEST, SPREAD

    ids = sweep_store(monkeypatch)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        # The sweep started last: its one row comes first, then the plain runs as before.
        plain_runs = ["sgd", "adam wide", "fast lr", "notebook"]
        assert drawn_names(screen) == [f"▸ sweep {SWEEP}", *plain_runs]
        (sweep,) = sweep_rows(screen)
        assert len(sweep.members) == 7
        assert cell_of_row(screen, 0, "status") == "● 6/7 done"
        assert cell_of_row(screen, 0, "test_acc") == "97.90%"
        spread = cell_of_row(screen, 0, "lr"), cell_of_row(screen, 0, "hidden")
        assert spread == (f"{SPREAD}4", f"{SPREAD}2")  # four learning rates, two widths
        assert cell_of_row(screen, 0, "optimizer") == "rmsprop"  # shared by every run
        assert cell_of_row(screen, 0, "epochs") == "18/21"  # 5 x 3, 2 and 1 of 7 x 3
        summary = plain(screen.query_one("#runs-summary"))
        assert summary.startswith("11 runs · 1 sweep · sorted by when ↓")
        detail = plain(screen.query_one(RunDetail)).split()
        assert detail[:8] == ["sweep", SWEEP, "·", "7", "runs", "·", "5", "finished"]
        assert "x Sweep's runs" in footer_text(pilot) and "s Stop sweep" in footer_text(pilot)

        await pilot.press("x")
        names = drawn_names(screen)
        assert names[0] == f"▾ sweep {SWEEP}" and names[8] == "sgd"
        assert [n[:2] for n in names[1:8]] == ["├ "] * 6 + ["└ "]
        members = [entry.run.label for entry in screen.table.shown[1:8]]
        best_row = 1 + members.index(BEST_LABEL)
        assert cell_of_row(screen, best_row, "test_acc") == f"97.90% {BEST}"
        assert [cell_of_row(screen, r, "test_acc").endswith(BEST) for r in range(1, 8)].count(
            True
        ) == 1
        # A run listed under its sweep is a run like any other: Enter would follow it.
        await pilot.press("down")
        assert screen.table.highlighted.run.sweep == SWEEP
        assert screen.table.highlighted_sweep is sweep_rows(screen)[0]
        await pilot.press("x")  # from one of its runs: folded again, the cursor on the sweep
        assert drawn_names(screen)[:2] == [f"▸ sweep {SWEEP}", "sgd"]
        assert screen.table.cursor_row == 0
        await pilot.press("down")  # a plain run: no sweep keys in the footer
        assert "Stop sweep" not in footer_text(pilot)
        assert ids["sgd"] == screen.table.highlighted.run.id


def cell_of_row(screen: RunsScreen, row: int, column: str) -> str:
    table = screen.table
    return str(table.get_cell_at((row, list(table.columns).index(column))))


def footer_text(pilot) -> str:
    from textual.widgets import Footer

    footer = pilot.app.screen.query_one(Footer)
    keys = [(b.key_display or b.key, b.description) for _, b, enabled, _ in footer_bindings(pilot)]
    assert footer.display
    return "  ".join(f"{key} {text}" for key, text in keys)


def footer_bindings(pilot):
    """What the footer shows now: the active bindings that are shown and not hidden."""
    return [
        (node, binding, enabled, tooltip)
        for node, binding, enabled, tooltip in pilot.app.screen.active_bindings.values()
        if binding.show
    ]


@pytest.mark.slow(reason="records a sweep's runs and drives two screens")
async def test_enter_on_a_sweep_opens_the_sweep_view_and_a_filter_finds_runs_inside(monkeypatch):
    from tests.test_sweep_screen import SWEEP, sweep_store
    from tui.screens.sweep import SweepScreen

    sweep_store(monkeypatch)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        await pilot.press("slash", *"hidden=128")
        # The sweep itself does not match, three of its runs do: listed under it, opened.
        assert drawn_names(screen)[0] == f"▾ sweep {SWEEP}"
        assert len(screen.table.shown) == 4
        assert "3 of 11 runs" in plain(screen.query_one("#runs-summary"))
        await pilot.press("escape")
        assert drawn_names(screen)[0] == f"▸ sweep {SWEEP}" and len(screen.table.shown) == 5
        await pilot.press("enter")
        await settle(pilot)
        view = pilot.app.screen
        assert isinstance(view, SweepScreen) and view.sweep_id == SWEEP
        await pilot.press("escape")
        assert pilot.app.screen is screen


async def test_space_on_a_sweep_selects_its_runs_and_s_asks_it_to_stop(monkeypatch):
    from tests.test_sweep_screen import SWEEP, sweep_store

    sweep_store(monkeypatch)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_runs_screen(pilot)
        await pilot.press("e")  # a sweep has no checkpoint of its own: said, not done
        assert notifications(pilot.app)[-1].startswith(f"This row is sweep {SWEEP}: Enter opens")
        await pilot.press("space")
        assert len(screen.table.picked_rows) == 7
        assert str(screen.table.get_cell_at((0, 0))) == "✓"
        await pilot.press("up", "x", "down", "space")  # one of its runs left out again
        assert len(screen.table.picked_rows) == 6
        assert str(screen.table.get_cell_at((0, 0))) == "·"
        await pilot.press("s")
        await settle(pilot)
        with RunStore.open() as store:
            assert store.sweep_stop_requested(SWEEP)
        assert notifications(pilot.app)[-1].startswith(f"Asked sweep {SWEEP} to stop")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_runs_grouped_snapshot(snap_compare, monkeypatch, size):
    """A sweep of seven runs as one row (times N where its runs differ, best 97.90%), opened by x
    at 80x24 (its runs under it, the best one ★), folded at 120x40; the plain runs after it."""
    from tests.test_sweep_screen import sweep_store

    sweep_store(monkeypatch)

    async def run_before(pilot) -> None:
        screen = await open_runs_screen(pilot)
        if size == (80, 24):
            await pilot.press("x")
            assert len(screen.table.shown) == 12
        else:
            assert len(screen.table.shown) == 5

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
