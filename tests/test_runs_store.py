"""core.runs.RunStore: runs, their epochs and progress, in a real SQLite file, read back as
frozen records; ids by unique prefix; dead writers read as interrupted; exports."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from core.config import TrainConfig
from core.events import BatchProgress, EpochEnd
from core.runs import (
    Cursor,
    RunStore,
    RunStoreError,
    UnknownRunError,
    export_csv,
    export_jsonl,
)
from core.runs.liveness import abandoned, this_host

CONFIG = TrainConfig(dataset="synthetic", epochs=3, threads=1, device="cpu")


def epoch_end(epoch: int, test_acc: float = 0.9) -> EpochEnd:
    return EpochEnd(
        epoch=epoch,
        train_loss=0.5 / (epoch + 1),
        train_acc=0.8 + epoch / 100,
        test_loss=0.4 / (epoch + 1),
        test_acc=test_acc,
        seconds=1.25,
        samples_per_s=48_000.0,
        peak_gpu_mb=None,
    )


def progress(epoch: int, batch: int) -> BatchProgress:
    return BatchProgress(epoch, batch, 8, epoch * 8 + batch, 0.7, 0.6, 12_000.0)


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        yield store


def new_run(store: RunStore, **options):
    return store.create(CONFIG.to_dict(), "python", "cpu", "synthetic digits", **options)


def dead_pid() -> int:
    """The pid of a process that has exited and been waited for."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def raw(store: RunStore, sql: str, *params):
    """Read or change the file behind the store's back, as another program would."""
    db = sqlite3.connect(store.path, isolation_level=None)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def test_a_new_run_is_running_in_this_process_with_its_config(store):
    run = new_run(store, name="first try")
    assert len(run.id) == 8 and set(run.id) <= set("0123456789abcdef")
    assert run.status == "running" and run.running
    assert (run.name, run.source, run.sweep) == ("first try", "python", None)
    assert run.pid == os.getpid() and run.host == this_host()
    assert run.train_config() == CONFIG
    assert store.get(run.id) == run


def test_list_gives_runs_newest_first_and_limit_keeps_the_newest(store):
    ids = [new_run(store).id for _ in range(4)]
    assert [r.id for r in store.list()] == ids[::-1]
    assert [r.id for r in store.list(limit=2)] == ids[:1:-1]
    assert store.list(limit=0) == []


def test_list_can_keep_one_sweep(store):
    a = new_run(store, sweep="lr-sweep")
    new_run(store)
    b = new_run(store, sweep="lr-sweep")
    assert [r.id for r in store.list(sweep="lr-sweep")] == [b.id, a.id]


def test_get_takes_a_unique_prefix_of_the_id(store):
    run = new_run(store)
    assert store.get(run.id[:3]).id == run.id
    assert store.get(run.id.upper()).id == run.id


def test_a_prefix_of_several_ids_is_refused_with_the_candidates(store):
    runs = [new_run(store) for _ in range(40)]  # 40 ids over 16 first digits: some share one
    first = [r.id[0] for r in runs]
    shared = next(d for d in first if first.count(d) > 1)
    with pytest.raises(RunStoreError) as caught:
        store.get(shared)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{shared} is the start of several runs' ids (")
    assert not isinstance(caught.value, UnknownRunError)


def test_a_run_is_found_by_its_name_as_runs_list_shows_it(store):
    run = store.rename(new_run(store).id, "wide net")
    new_run(store)
    assert store.get("wide net").id == run.id
    assert [e.epoch for e in store.history("wide net")] == []


def test_a_name_several_runs_share_is_refused_naming_their_ids(store):
    first, second = (store.rename(new_run(store).id, "again").id for _ in range(2))
    with pytest.raises(RunStoreError) as caught:
        store.get("again")
    assert str(caught.value) == f"several runs are named 'again' ({first}, {second}); give an id"
    assert not isinstance(caught.value, UnknownRunError)


def test_an_ids_prefix_wins_over_a_name_that_spells_it(store):
    run = new_run(store)
    named = store.rename(new_run(store).id, run.id[:4])
    assert store.get(run.id[:4]).id == run.id != named.id


def test_an_unknown_or_malformed_id_is_one_line(store):
    new_run(store)
    with pytest.raises(UnknownRunError, match=r"^no run 0{8} in .*runs\.sqlite$"):
        store.get("00000000")
    with pytest.raises(UnknownRunError, match=r"is neither a run's id .* nor a run's name"):
        store.get("../etc")
    with pytest.raises(UnknownRunError):
        store.get("")


def test_rename_names_the_run_and_blank_clears_the_name(store):
    run = new_run(store)
    assert store.rename(run.id[:4], "  wide hidden layer ").name == "wide hidden layer"
    assert store.get(run.id).label == "wide hidden layer"
    assert store.rename(run.id, "  ").name is None
    assert store.get(run.id).label == run.id


def test_a_name_must_be_one_printable_line(store):
    run = new_run(store)
    with pytest.raises(RunStoreError, match="one line of at most 100 printable characters"):
        store.rename(run.id, "two\nlines")
    with pytest.raises(RunStoreError):
        new_run(store, name="x" * 101)


def test_history_round_trips_the_epoch_end_events(store):
    run = new_run(store)
    ends = [epoch_end(e, test_acc=0.9 + e / 100) for e in range(3)]
    for end in ends:
        store.append_epoch(run.id, end)
    history = store.history(run.id)
    assert [record.to_event() for record in history] == ends
    assert history[1].to_json() == {
        "epoch": 1,
        "train_loss": 0.25,
        "train_acc": 0.81,
        "test_loss": 0.2,
        "test_acc": 0.91,
        "seconds": 1.25,
        "samples_per_s": 48_000.0,
        "peak_gpu_mb": None,
    }
    assert store.get(run.id).epochs_done == 3


def test_an_epoch_written_again_replaces_the_first(store):
    run = new_run(store)
    store.append_epoch(run.id, epoch_end(0, test_acc=0.5))
    store.append_epoch(run.id, epoch_end(0, test_acc=0.7))
    assert [e.test_acc for e in store.history(run.id)] == [0.7]


def test_a_nan_figure_reads_back_as_nan(store):
    run = new_run(store)
    store.append_epoch(run.id, EpochEnd(0, math.nan, 0.1, math.inf, 0.1, 1.0, 1.0, None))
    [record] = store.history(run.id)
    assert math.isnan(record.train_loss) and record.test_loss == math.inf


def test_progress_samples_round_trip_in_order(store):
    run = new_run(store)
    sent = [progress(0, b) for b in range(1, 6)]
    for p in sent:
        store.add_progress(run.id, p)
    assert [p.to_event() for p in store.progress(run.id)] == sent


def test_writes_to_an_unknown_run_are_refused(store):
    with pytest.raises(UnknownRunError, match="no run 12345678"):
        store.append_epoch("12345678", epoch_end(0))
    with pytest.raises(UnknownRunError):
        store.heartbeat("12345678")
    with pytest.raises(UnknownRunError):
        store.finish("12345678", "finished")


def test_finish_records_the_end_and_its_figures(store):
    run = new_run(store)
    store.finish(run.id, "finished", test_acc=0.93, epochs_done=3)
    done = store.get(run.id)
    assert (done.status, done.test_acc, done.epochs_done, done.failure) == (
        "finished",
        0.93,
        3,
        None,
    )
    assert done.ended_at is not None and done.ended_at >= done.started_at


def test_a_failure_is_kept_as_one_line(store):
    run = new_run(store)
    store.finish(run.id, "failed", failure="loss became nan at epoch 0\n  Traceback...")
    failed = store.get(run.id)
    assert (failed.status, failed.failure, failed.test_acc) == (
        "failed",
        "loss became nan at epoch 0",
        None,
    )


def test_a_run_cannot_finish_as_running_or_as_nonsense(store):
    run = new_run(store)
    for status in ("running", "done"):
        with pytest.raises(ValueError, match="a run ends as one of"):
            store.finish(run.id, status)


def test_to_json_has_the_fields_scripts_read(store):
    run = new_run(store, name="baseline", sweep="s1")
    store.append_epoch(run.id, epoch_end(0))
    store.finish(run.id, "stopped", test_acc=0.9, epochs_done=1)
    data = store.get(run.id).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["config"] == CONFIG.to_dict()
    assert {k: data[k] for k in ("id", "name", "status", "source", "sweep", "epochs")} == {
        "id": run.id,
        "name": "baseline",
        "status": "stopped",
        "source": "python",
        "sweep": "s1",
        "epochs": 1,
    }
    assert (data["test_acc"], data["device"]) == (0.9, "cpu")
    assert data["started_at"].endswith("+00:00") and data["ended_at"] is not None


def test_a_records_config_cannot_be_changed_in_place(store):
    run = store.get(new_run(store).id)
    with pytest.raises(TypeError):
        run.config["lr"] = 1.0  # type: ignore[index]
    changed = run.config.to_dict() | {"lr": 1.0}
    assert store.get(run.id).config["lr"] == CONFIG.lr and changed["lr"] == 1.0


def test_follow_returns_only_what_was_written_since_the_cursor(store):
    run = new_run(store)
    store.add_progress(run.id, progress(0, 1))
    first = store.follow(run.id)
    assert (len(first.epochs), len(first.progress), first.ended) == (0, 1, False)

    store.add_progress(run.id, progress(0, 8))
    store.append_epoch(run.id, epoch_end(0))
    second = store.follow(run.id, first.cursor)
    assert [p.batch for p in second.progress] == [8]
    assert [e.epoch for e in second.epochs] == [0]

    store.finish(run.id, "finished", 0.9)
    third = store.follow(run.id, second.cursor)
    assert (third.epochs, third.progress, third.ended) == ((), (), True)
    assert third.cursor == second.cursor


def test_follow_from_a_fresh_cursor_gives_the_whole_run(store):
    run = new_run(store)
    for e in range(2):
        store.append_epoch(run.id, epoch_end(e))
    assert [e.epoch for e in store.follow(run.id, Cursor()).epochs] == [0, 1]


def test_follow_is_not_disturbed_by_other_runs(store):
    run, other = new_run(store), new_run(store)
    cursor = store.follow(run.id).cursor
    store.append_epoch(other.id, epoch_end(0))
    store.add_progress(other.id, progress(0, 1))
    update = store.follow(run.id, cursor)
    assert (update.epochs, update.progress) == ((), ())


def test_delete_removes_the_run_its_rows_and_its_checkpoint(store, tmp_path):
    keep, gone = new_run(store), new_run(store)
    for run in (keep, gone):
        store.append_epoch(run.id, epoch_end(0))
        store.add_progress(run.id, progress(0, 1))
        store.finish(run.id, "finished", 0.9)
        store.checkpoint_path(run.id).write_bytes(b"weights")
    store.set_checkpoint(gone.id, store.checkpoint_path(gone.id))

    [deleted] = store.delete(gone.id[:5])

    assert deleted.id == gone.id
    assert [r.id for r in store.list()] == [keep.id]
    assert not store.checkpoint_path(gone.id).exists()
    assert store.checkpoint_path(keep.id).exists()
    assert len(store.history(keep.id)) == len(store.progress(keep.id)) == 1
    assert raw(store, "SELECT count(*) FROM epochs WHERE run_id = ?", gone.id) == [(0,)]
    assert raw(store, "SELECT count(*) FROM progress WHERE run_id = ?", gone.id) == [(0,)]


def test_delete_leaves_a_checkpoint_outside_the_runs_folder(tmp_path):
    elsewhere = tmp_path / "mine" / "model.pt"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"weights")
    with RunStore(tmp_path / "runs" / "runs.sqlite") as store:
        run = new_run(store)
        store.set_checkpoint(run.id, elsewhere)
        store.finish(run.id, "finished")
        assert store.get(run.id).checkpoint == str(elsewhere)
        store.delete(run.id)
    assert elsewhere.read_bytes() == b"weights"


def test_delete_is_all_or_nothing(store):
    run = new_run(store)
    store.finish(run.id, "finished")
    with pytest.raises(UnknownRunError):
        store.delete(run.id, "00000000")
    assert store.get(run.id).id == run.id


def test_a_run_still_training_is_not_deleted(store):
    run = new_run(store)
    with pytest.raises(RunStoreError, match=rf"^run {run.id} is still running \(pid \d+ on "):
        store.delete(run.id)


def test_a_running_run_whose_process_is_gone_reads_as_interrupted(store):
    run = new_run(store)
    store.add_progress(run.id, progress(0, 3))
    raw(store, "UPDATE runs SET pid = ? WHERE id = ?", dead_pid(), run.id)
    last_heartbeat = raw(store, "SELECT heartbeat_at FROM runs WHERE id = ?", run.id)[0][0]

    [listed] = store.list()

    assert listed.status == "interrupted" and listed.ended_at == last_heartbeat
    # Written back, so that every other reader sees the same.
    assert raw(store, "SELECT status, ended_at FROM runs WHERE id = ?", run.id) == [
        ("interrupted", last_heartbeat)
    ]


def test_a_run_on_another_host_is_interrupted_only_after_a_minute_of_silence(store):
    quiet, recent = new_run(store), new_run(store)
    then = time.time() - 61
    raw(store, "UPDATE runs SET host = 'gpu-box', pid = 1")
    raw(store, "UPDATE runs SET heartbeat_at = ? WHERE id = ?", then, quiet.id)
    statuses = {r.id: r.status for r in store.list()}
    assert statuses == {quiet.id: "interrupted", recent.id: "running"}


def test_a_write_from_a_run_marked_interrupted_brings_it_back(store):
    run = new_run(store)
    raw(store, "UPDATE runs SET status = 'interrupted', ended_at = 1.0 WHERE id = ?", run.id)
    store.heartbeat(run.id)  # the process was only paused
    back = store.get(run.id)
    assert (back.status, back.ended_at) == ("running", None)


def test_a_live_process_on_this_host_keeps_its_run_running(store):
    run = store.get(new_run(store).id)
    assert not abandoned(run, now=time.time() + 300)  # this process lives; no heartbeat yet
    assert abandoned(run, now=time.time() + 3600)  # after an hour, pid reuse is likelier


def test_the_run_folder_names_each_checkpoint_by_id(store, tmp_path):
    run = new_run(store)
    assert store.checkpoint_path(run.id) == tmp_path / f"{run.id}.pt"
    with pytest.raises(ValueError, match="not a run id"):
        store.checkpoint_path("../../x")


def test_export_csv_writes_one_line_per_epoch(store):
    run = new_run(store)
    for e in range(2):
        store.append_epoch(run.id, epoch_end(e))
    out = io.StringIO()
    assert export_csv(store, run.id, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["run_id"], r["epoch"]) for r in rows] == [(run.id, "0"), (run.id, "1")]
    assert float(rows[1]["train_loss"]) == 0.25 and rows[1]["peak_gpu_mb"] == ""


def test_export_jsonl_describes_the_run_then_each_epoch(store):
    run = new_run(store, name="baseline")
    for e in range(2):
        store.append_epoch(run.id, epoch_end(e))
    store.finish(run.id, "finished", 0.9, epochs_done=2)
    out = io.StringIO()
    assert export_jsonl(store, run.id[:4], out) == 2
    head, *epochs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert head["record"] == "run" and head["id"] == run.id and head["name"] == "baseline"
    assert head["test_acc"] == 0.9 and head["config"] == CONFIG.to_dict()
    assert [(e["record"], e["run_id"], e["epoch"]) for e in epochs] == [
        ("epoch", run.id, 0),
        ("epoch", run.id, 1),
    ]
    assert epochs[0]["train_loss"] == 0.5


def test_a_second_store_on_the_same_file_sees_every_write(store):
    run = new_run(store)
    store.append_epoch(run.id, epoch_end(0))
    with RunStore(store.path) as other:
        assert other.get(run.id).epochs_done == 1
        other.rename(run.id, "from the other one")
    assert store.get(run.id).name == "from the other one"


def test_the_history_cache_reads_again_only_the_runs_that_changed(tmp_path):
    from core.runs.cache import HistoryCache

    class CountingStore(RunStore):
        read = []  # the ids whose history was read, in order

        def history(self, run_id):
            self.read.append(run_id)
            return super().history(run_id)

    with CountingStore(tmp_path / "runs.sqlite") as store:
        quiet, busy = new_run(store), new_run(store)
        for run in (quiet, busy):
            store.append_epoch(run.id, epoch_end(0))
        cache = HistoryCache()
        first = cache.histories(store, store.list())
        assert sorted(store.read) == sorted([quiet.id, busy.id])
        store.append_epoch(busy.id, epoch_end(1))
        store.read.clear()
        again = cache.histories(store, store.list())
        assert store.read == [busy.id]  # the quiet run's epochs came from the cache
        assert again[quiet.id] == first[quiet.id] and len(again[busy.id]) == 2


# Figures summed up from the epochs; tags and notes --------------------------------------------


def test_a_run_sums_up_its_best_epoch_lowest_loss_length_and_speed(store):
    run = new_run(store)
    figures = [(0.95, 0.20, 40_000.0), (0.97, 0.12, 50_000.0), (0.96, 0.15, 60_000.0)]
    for epoch, (acc, loss, rate) in enumerate(figures):
        end = replace(epoch_end(epoch, acc), test_loss=loss, samples_per_s=rate)
        store.append_epoch(run.id, end)
    store.finish(run.id, "finished", 0.96, epochs_done=3)
    (listed,) = store.list()
    assert listed == store.get(run.id)  # every read sums up alike
    assert listed.best_test_acc == 0.97
    assert listed.best_epoch == 2  # counted from 1, as epochs_done counts: the second epoch
    assert listed.min_test_loss == 0.12
    assert listed.samples_per_s == pytest.approx(50_000.0)
    assert listed.duration == pytest.approx(listed.ended_at - listed.started_at)


def test_equal_best_accuracies_name_the_earliest_epoch_and_a_nan_is_no_best(store):
    run = new_run(store)
    for epoch, acc in enumerate([0.9, 0.95, 0.95, math.nan]):
        store.append_epoch(run.id, epoch_end(epoch, acc))
    got = store.get(run.id)
    assert (got.best_test_acc, got.best_epoch) == (0.95, 2)


def test_a_run_without_epochs_has_no_figures_and_runs_until_its_last_write(store):
    run = new_run(store)
    store.heartbeat(run.id)
    got = store.get(run.id)
    assert (got.best_test_acc, got.best_epoch, got.min_test_loss, got.samples_per_s) == (
        None,
        None,
        None,
        None,
    )
    assert got.duration == pytest.approx(got.heartbeat_at - got.started_at)


def test_tags_are_added_once_kept_sorted_and_taken_off(store):
    run = new_run(store)
    assert store.tag(run.id, ["wide", "baseline", "wide"]).tags == ("baseline", "wide")
    assert store.tag(run.id[:4], ["baseline", "adam"]).tags == ("adam", "baseline", "wide")
    assert store.untag(run.id, ["wide", "never-had"]).tags == ("adam", "baseline")
    assert store.get(run.id).tags == ("adam", "baseline")


def test_change_tags_adds_and_removes_only_the_tags_it_names(store):
    run = new_run(store)
    store.tag(run.id, ["old", "kept"])
    store.tag(run.id, ["elsewhere"])  # as another process would, while a dialog was open
    changed = store.change_tags(run.id, add=["new"], remove=["old"])
    assert changed.tags == ("elsewhere", "kept", "new")


def test_list_by_tag_keeps_runs_with_every_tag_given(store):
    both, one, none = new_run(store), new_run(store), new_run(store)
    store.tag(both.id, ["baseline", "adam"])
    store.tag(one.id, ["baseline"])
    assert {r.id for r in store.list(tags=["baseline"])} == {both.id, one.id}
    assert [r.id for r in store.list(tags=["baseline", "adam"])] == [both.id]
    assert store.list(tags=["nobody"]) == []
    assert len(store.list()) == 3 and none.id in {r.id for r in store.list()}


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("", "a tag cannot be empty"),
        ("  ", "a tag cannot be empty"),
        ("two words", "a tag is one word without spaces or commas, not 'two words'"),
        ("a,b", "a tag is one word without spaces or commas, not 'a,b'"),
        ("x" * 41, "a tag is at most 40 characters, not 41"),
    ],
)
def test_a_bad_tag_is_refused_in_one_line_and_nothing_is_written(store, tag, message):
    run = new_run(store)
    with pytest.raises(RunStoreError) as raised:
        store.tag(run.id, ["fine", tag])
    assert str(raised.value) == message
    assert store.get(run.id).tags == ()


def test_a_note_is_one_line_and_blank_clears_it(store):
    run = new_run(store)
    assert store.set_note(run.id, "  tried a wider layer  ").note == "tried a wider layer"
    assert store.get(run.id).note == "tried a wider layer"
    with pytest.raises(RunStoreError, match="a note is one line"):
        store.set_note(run.id, "two\nlines")
    assert store.set_note(run.id, "").note is None


def test_tags_and_notes_of_an_unknown_run_are_refused(store):
    with pytest.raises(UnknownRunError):
        store.tag("abcdef12", ["x"])
    with pytest.raises(UnknownRunError):
        store.set_note("abcdef12", "x")


def test_a_deleted_run_takes_its_tags_with_it(store):
    run = new_run(store)
    store.tag(run.id, ["gone"])
    store.finish(run.id, "stopped")
    store.delete(run.id)
    assert raw(store, "SELECT count(*) FROM tags") == [(0,)]
    assert store.list(tags=["gone"]) == []


def test_the_json_of_a_run_has_its_figures_tags_and_note(store):
    run = new_run(store)
    store.append_epoch(run.id, epoch_end(0, 0.91))
    store.finish(run.id, "finished", 0.91, epochs_done=1)
    store.tag(run.id, ["baseline"])
    store.set_note(run.id, "first")
    data = store.get(run.id).to_json()
    assert data["tags"] == ["baseline"] and data["note"] == "first"
    assert (data["best_test_acc"], data["best_epoch"], data["min_test_loss"]) == (0.91, 1, 0.4)
    assert data["samples_per_s"] == 48_000.0
    assert data["duration_s"] == pytest.approx(data["seconds"])
    json.dumps(data)  # all of it JSON


def test_tags_are_one_case_so_the_cli_and_the_filter_agree(store):
    run = new_run(store)
    assert store.tag(run.id, ["Baseline"]).tags == ("baseline",)
    assert [r.id for r in store.list(tags=["BASELINE"])] == [run.id]
