"""The run store's sweeps: members grouped by sweep id and summed up, a stop that any process
may ask for and the sweep's runner sees, a store of the first schema brought up to date, and
the figures on 10,000 runs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.runs import DB_NAME, SCHEMA_VERSION, RunStore, RunStoreError, UnknownRunError
from core.runs.schema import APPLICATION_ID, MIGRATIONS
from tests.test_runs_store import CONFIG, dead_pid, epoch_end, raw
from tests.waiting import poll_until

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / DB_NAME) as store:
        yield store


def member(store: RunStore, sweep: str | None, name: str, ended: str | None = None, acc=None):
    """A run of `sweep` that ended as `ended` with final accuracy `acc` (None: still running)."""
    run = store.create(CONFIG.to_dict(), "sweep", "cpu", "synthetic", name=name, sweep=sweep)
    if ended:
        store.finish(run.id, ended, acc, epochs_done=1)
    return run


def test_a_sweep_is_summed_up_from_its_members(store):
    runs = [
        member(store, "5a5a0001", "lr=0.001", "finished", 0.95),
        member(store, "5a5a0001", "lr=0.003", "finished", 0.97),
        member(store, "5a5a0001", "lr=0.01", "stopped", 0.99),  # higher, but only stopped
        member(store, "5a5a0001", "lr=0.1", "failed"),
        member(store, "5a5a0001", "lr=0.3"),
    ]
    member(store, None, "plain", "finished", 0.5)  # not in a sweep: not summed
    (summary,) = store.sweeps()
    assert summary.id == "5a5a0001"
    assert (summary.members, summary.finished, summary.stopped) == (5, 2, 1)
    assert (summary.failed, summary.running, summary.interrupted, summary.ended) == (1, 1, 0, 4)
    assert (summary.best_run, summary.best_acc) == (runs[1].id, 0.97)
    assert summary.started_at == runs[0].started_at
    assert summary.last_at == max(store.get(r.id).heartbeat_at for r in runs)
    assert not summary.stop_requested
    assert summary.to_json() | {"started_at": None} == {
        "id": "5a5a0001",
        "started_at": None,
        "members": 5,
        "finished": 2,
        "running": 1,
        "stopped": 1,
        "failed": 1,
        "interrupted": 0,
        "best_run": runs[1].id,
        "best_acc": 0.97,
        "stop_requested": False,
    }


def test_without_a_finished_member_the_best_stopped_one_is_best_and_none_without_figures(store):
    member(store, "aa", "a", "stopped", 0.9)
    best = member(store, "aa", "b", "stopped", 0.92)
    member(store, "bb", "c")
    by_id = {s.id: s for s in store.sweeps()}
    assert (by_id["aa"].best_run, by_id["aa"].best_acc) == (best.id, 0.92)
    assert (by_id["bb"].best_run, by_id["bb"].best_acc) == (None, None)


def test_sweeps_come_newest_first_and_limit_keeps_the_newest(store):
    for sweep in ("old", "middle", "new"):
        member(store, sweep, "a", "finished", 0.9)
        member(store, sweep, "b", "finished", 0.9)
    assert [s.id for s in store.sweeps()] == ["new", "middle", "old"]
    assert [s.id for s in store.sweeps(2)] == ["new", "middle"]
    assert store.sweeps(0) == []


def test_a_running_member_whose_process_is_gone_counts_as_interrupted(store):
    live = member(store, "cafe", "live")
    gone = member(store, "cafe", "gone")
    raw(store, "UPDATE runs SET pid = ? WHERE id = ?", dead_pid(), gone.id)
    (summary,) = store.sweeps()
    assert (summary.running, summary.interrupted) == (1, 1)
    assert store.get(gone.id).status == "interrupted"  # written back, as list() does
    assert store.get(live.id).running


def test_members_come_in_the_order_they_started(store):
    runs = [member(store, "beef0001", f"m{i}", "finished", 0.9) for i in range(4)]
    member(store, "beef0002", "other")
    member(store, None, "plain")
    assert [r.id for r in store.sweep_members("beef0001")] == [r.id for r in runs]
    assert all(r.sweep == "beef0001" for r in store.sweep_members("beef0001"))


def test_members_of_a_sweep_given_by_a_unique_prefix(store):
    member(store, "beef0001", "a")
    member(store, "beef0002", "b")
    member(store, "f00d0003", "c")
    assert [r.name for r in store.sweep_members("f00")] == ["c"]
    with pytest.raises(RunStoreError, match=r"^beef is the start of several sweeps' ids"):
        store.sweep_members("beef")
    with pytest.raises(UnknownRunError) as unknown:
        store.sweep_members("nope")
    assert str(unknown.value) == f"no sweep 'nope' in {store.path}"
    with pytest.raises(UnknownRunError):
        store.sweep_members("  ")


def test_a_stop_is_asked_once_and_read_back(store):
    member(store, "stop0001", "a")
    assert not store.sweep_stop_requested("stop0001")
    store.request_sweep_stop("stop0001")
    assert store.sweep_stop_requested("stop0001")
    first = store.sweeps()[0].stop_requested_at
    assert first is not None
    store.request_sweep_stop("stop0001")  # asking again keeps the first time
    assert store.sweeps()[0].stop_requested_at == first
    assert not store.sweep_stop_requested("stop0002")


def test_a_stop_may_be_asked_before_any_member_is_recorded(store):
    store.request_sweep_stop("early001")
    assert store.sweep_stop_requested("early001")
    assert store.sweeps() == []  # a sweep is listed once it has a run
    member(store, "early001", "a")
    assert store.sweeps()[0].stop_requested


def test_a_blank_or_multiline_sweep_id_is_refused_in_one_line(store):
    with pytest.raises(RunStoreError, match=r"^a sweep id cannot be blank$"):
        store.request_sweep_stop("  ")
    with pytest.raises(RunStoreError, match=r"^a sweep id is one line"):
        store.request_sweep_stop("a\nb")


def test_deleting_a_sweeps_last_member_forgets_its_stop(store):
    a, b = member(store, "gone0001", "a", "stopped"), member(store, "gone0001", "b", "stopped")
    store.request_sweep_stop("gone0001")
    store.delete(a.id)
    assert store.sweep_stop_requested("gone0001")  # b is still there
    store.delete(b.id)
    assert not store.sweep_stop_requested("gone0001")
    assert raw(store, "SELECT count(*) FROM sweeps") == [(0,)]


def test_a_store_of_the_first_schema_is_brought_up_to_date_and_keeps_its_runs(tmp_path):
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path, isolation_level=None)  # as mnist-tui before sweeps left it
    db.execute("PRAGMA journal_mode = WAL")
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(
        "INSERT INTO runs (id, name, source, sweep, status, config, device, data_source, host, "
        "pid, started_at, ended_at, heartbeat_at, test_acc, epochs_done) VALUES "
        "('0123abcd', 'old', 'sweep', 'old00001', 'finished', '{\"lr\": 0.001}', 'cpu', "
        "'mnist', 'elsewhere', 1, 100.0, 160.0, 160.0, 0.97, 3)"
    )
    db.close()
    with RunStore(path) as store:
        run = store.get("0123abcd")
        assert (run.name, run.sweep, run.test_acc, run.config["lr"]) == (
            "old",
            "old00001",
            0.97,
            1e-3,
        )
        assert [s.id for s in store.sweeps()] == ["old00001"]
        store.request_sweep_stop("old00001")
        assert store.sweep_stop_requested("old00001")
    assert raw(store, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert SCHEMA_VERSION >= 2  # the sweeps table came with schema 2; later steps ran too


def test_on_10000_runs_the_sweep_reads_stay_short(store):
    from scripts.bench_runs import make_runs  # 5,000 of them in 200 sweeps of 25

    make_runs(store, 10_000)
    store.request_sweep_stop("sweep-42")

    def best_of(work, repeats: int = 3) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        return min(times)

    summaries = store.sweeps()
    assert len(summaries) == 200 and sum(s.members for s in summaries) == 5_000
    assert {s.id for s in summaries if s.stop_requested} == {"sweep-42"}
    assert len(store.sweep_members("sweep-42")) == 25
    # Generous bounds (a shared 2-core machine): measured ~30 ms, ~0.4 ms and ~0.01 ms.
    assert best_of(store.sweeps) < 0.5
    assert best_of(lambda: store.sweep_members("sweep-42")) < 0.05
    assert best_of(lambda: store.sweep_stop_requested("sweep-42")) < 0.01


# Across processes -------------------------------------------------------------------------

# A sweep's runner as a process of its own: records two members and writes an epoch every
# 50 ms until the store says the sweep should stop, then ends them as stopped and says so.
RUNNER = """
import sys, time
from core.events import EpochEnd
from core.runs import RunStore

path, sweep = sys.argv[1], sys.argv[2]
store = RunStore(path)
runs = [store.create({"epochs": 1000}, "sweep", "cpu", "synthetic", name=f"m{i}", sweep=sweep)
        for i in range(2)]
print("started", flush=True)
epoch = 0
deadline = time.time() + 60
while not store.sweep_stop_requested(sweep) and time.time() < deadline:
    for run in runs:
        store.append_epoch(run.id, EpochEnd(epoch, 0.5, 0.5, 0.5, 0.9, 0.05, 1.0, None))
    epoch += 1
    time.sleep(0.05)
for run in runs:
    store.finish(run.id, "stopped", 0.9, epochs_done=epoch)
print("stopped" if time.time() < deadline else "never asked", epoch, flush=True)
"""

# Another process (the Runs screen of another terminal) asks the sweep to stop.
ASKER = """
import sys
from core.runs import RunStore

with RunStore(sys.argv[1]) as store:
    store.request_sweep_stop(sys.argv[2])
"""


def python(script: str, *args: object) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_stop_asked_in_one_process_stops_the_runner_in_another(tmp_path):
    path = tmp_path / DB_NAME
    runner = python(RUNNER, path, "f00dcafe")
    try:
        assert runner.stdout.readline().strip() == "started", runner.stderr.read()
        with RunStore(path) as store:

            def three_epochs_each() -> bool:  # let it train a few epochs first
                assert runner.poll() is None, runner.stderr.read()
                return min(r.epochs_done for r in store.sweep_members("f00dcafe")) >= 3

            poll_until(three_epochs_each, "the runner's epochs", timeout=30)
            assert store.sweeps()[0].running == 2
            asker = python(ASKER, path, "f00dcafe")
            assert asker.wait(30) == 0, asker.stderr.read()
            out, err = runner.communicate(timeout=30)
            assert runner.returncode == 0 and err == "", err
            words = out.split()
            assert words[0] == "stopped"
            (summary,) = store.sweeps()
            assert (summary.running, summary.stopped, summary.stop_requested) == (0, 2, True)
            members = store.sweep_members("f00dcafe")
            assert {r.status for r in members} == {"stopped"}
            assert all(r.epochs_done == int(words[1]) >= 3 for r in members)
    finally:
        if runner.poll() is None:
            runner.kill()
        runner.communicate()


def test_a_summary_follows_members_written_by_another_process(store):
    """What the sweep view polls: another connection's writes show in the next read."""
    with RunStore(store.path) as elsewhere:
        run = elsewhere.create(CONFIG.to_dict(), "sweep", "cpu", "synthetic", sweep="1a2b3c4d")
        assert store.sweeps()[0].running == 1
        elsewhere.append_epoch(run.id, epoch_end(0, 0.93))
        assert store.sweep_members("1a2b")[0].epochs_done == 1
        elsewhere.finish(run.id, "finished", 0.94, epochs_done=1)
    (summary,) = store.sweeps()
    assert (summary.finished, summary.best_acc) == (1, 0.94)
