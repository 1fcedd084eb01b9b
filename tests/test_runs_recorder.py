"""core.runs.RunRecorder: a real fit() on tiny data, recorded through its events; progress
coalesced in time; an end that never comes recorded by close()."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from core.events import BatchProgress, EpochEnd, RunFinished, RunStarted
from core.runs import RunRecorder, RunStore
from core.train import fit
from tests.tiny import tiny_config, tiny_data


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        yield store


class Clock:
    """A clock that moves only when told, so coalescing is tested without sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def started(config=None) -> RunStarted:
    return RunStarted(config or tiny_config(), "cpu", 407_050, 512, 256, 0, "synthetic digits")


def batch(step: int) -> BatchProgress:
    return BatchProgress(0, step, 1000, step, 0.5, 0.8, 10_000.0)


def test_a_real_run_is_recorded_with_its_epochs_and_final_accuracy(store):
    recorder = RunRecorder(store, "python", name="tiny", sweep="unit")
    result = fit(tiny_config(), recorder, data=tiny_data())

    assert recorder.error is None and result.ok
    run = store.get(recorder.run_id)
    assert (run.status, run.source, run.name, run.sweep) == ("finished", "python", "tiny", "unit")
    assert run.test_acc == result.outcome.test_acc and run.epochs_done == 2
    assert run.config == tiny_config().to_dict() and run.device.startswith("cpu")
    assert run.data_source == str(tiny_data()[0].source)
    assert run.details["train_size"] == 512 and run.details["test_size"] == 256
    assert [e.to_event() for e in store.history(run.id)] == list(result.history)


def test_each_epochs_last_progress_sample_is_recorded(store):
    recorder = RunRecorder(store, "python")
    fit(tiny_config(), recorder, data=tiny_data())
    samples = store.progress(recorder.run_id)
    ends = [(s.epoch, s.batch) for s in samples if s.batch == s.batches]
    assert ends == [(0, 8), (1, 8)]


def test_a_stopped_run_is_recorded_as_stopped(store):
    stop = threading.Event()
    stop.set()
    recorder = RunRecorder(store, "tui")
    result = fit(tiny_config(), recorder, stop, data=tiny_data())
    run = store.get(recorder.run_id)
    assert (run.status, run.epochs_done) == ("stopped", 0)
    assert run.test_acc == result.outcome.test_acc


def test_a_failed_run_is_recorded_with_its_reason(store):
    recorder = RunRecorder(store, "headless")
    result = fit(tiny_config(lr=1e30), recorder, data=tiny_data())
    run = store.get(recorder.run_id)
    assert (run.status, run.failure, run.test_acc) == ("failed", result.outcome.reason, None)


def test_a_run_that_fails_before_it_starts_records_nothing(store, tmp_path):
    recorder = RunRecorder(store, "headless")
    fit(tiny_config(dataset="mnist", data_dir=str(tmp_path / "absent")), recorder)
    assert recorder.run_id is None and store.list() == []


def test_ctrl_c_mid_run_is_recorded_as_interrupted_by_close(store):
    recorder = RunRecorder(store, "headless")

    def on_event(event):
        recorder(event)
        if isinstance(event, EpochEnd):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        try:
            fit(tiny_config(), on_event, data=tiny_data())
        finally:
            recorder.close()
    run = store.get(recorder.run_id)
    assert (run.status, run.epochs_done, run.test_acc) == ("interrupted", 1, None)
    assert len(store.history(run.id)) == 1


def test_close_after_the_end_changes_nothing(store):
    with RunRecorder(store, "python") as recorder:
        fit(tiny_config(epochs=1), recorder, data=tiny_data())
    assert store.get(recorder.run_id).status == "finished"


def test_progress_is_written_at_most_once_per_interval(store):
    clock = Clock()
    recorder = RunRecorder(store, "python", progress_every=0.5, clock=clock)
    recorder(started())
    for step in range(1, 101):  # eight a second (a step that floats add exactly)
        recorder(batch(step))
        clock.now += 0.125
    written = [p.step for p in store.progress(recorder.run_id)]
    assert written == list(range(1, 101, 4))


def test_a_burst_of_progress_costs_one_write(store):
    recorder = RunRecorder(store, "python")
    recorder(started())
    for step in range(1, 941):  # a whole epoch's steps at once: no time has passed
        recorder(batch(step))
    assert [p.step for p in store.progress(recorder.run_id)] == [1]


def test_the_newest_unwritten_sample_is_written_when_the_run_ends(store):
    clock = Clock()
    recorder = RunRecorder(store, "python", clock=clock)
    recorder(started())
    for step in (1, 2, 3):
        recorder(batch(step))
    recorder(RunFinished(test_acc=0.5, seconds=1.0, epochs_done=0, stopped=True))
    assert [p.step for p in store.progress(recorder.run_id)] == [1, 3]


def test_each_progress_write_is_a_heartbeat(store):
    clock = Clock()
    recorder = RunRecorder(store, "python", clock=clock)
    recorder(started())
    before = store.get(recorder.run_id).heartbeat_at
    clock.now += 1
    recorder(batch(1))
    assert store.get(recorder.run_id).heartbeat_at > before


def test_a_second_run_through_one_recorder_is_a_second_record(store):
    recorder = RunRecorder(store, "python")
    fit(tiny_config(epochs=1), recorder, data=tiny_data())
    first = recorder.run_id
    fit(tiny_config(epochs=1, seed=1), recorder, data=tiny_data())
    assert recorder.run_id != first
    assert [(r.id, r.status) for r in store.list()] == [
        (recorder.run_id, "finished"),
        (first, "finished"),
    ]


def test_a_store_failure_mid_run_does_not_stop_the_training(store):
    recorder = RunRecorder(store, "python")

    def on_event(event):
        recorder(event)
        if isinstance(event, RunStarted):  # another program removes the run behind our back
            db = sqlite3.connect(store.path)
            db.execute("DELETE FROM runs WHERE id = ?", (recorder.run_id,))
            db.commit()
            db.close()

    result = fit(tiny_config(), on_event, data=tiny_data())
    assert result.ok
    assert recorder.error == f"no run {recorder.run_id} in {store.path}"


def test_an_unknown_source_is_refused_at_once(store):
    with pytest.raises(ValueError, match="unknown source 'cli'"):
        RunRecorder(store, "cli")


def test_a_store_that_refuses_the_run_stops_it_before_any_training(store):
    # Another program's trigger makes SQLite refuse the insert, as a full disk would.
    db = sqlite3.connect(store.path)
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'no'); END")
    db.close()
    recorder = RunRecorder(store, "python")
    events = []
    result = fit(tiny_config(), events.append, data=tiny_data(), record=recorder)
    assert not result.ok
    assert result.outcome.reason == f"cannot record the run: {store.path}: no"
    assert not any(isinstance(event, EpochEnd) for event in events)
