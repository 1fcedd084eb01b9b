"""The run store under several processes: writers at once lose nothing and never see "database
is locked"; a writer killed with SIGKILL mid-run reads back as interrupted."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.runs import SCHEMA_VERSION, Cursor, RunStore
from tests.test_runs_migration import OLD_STORE, pragma
from tests.waiting import poll_until

ROOT = Path(__file__).resolve().parents[1]

# Real processes racing on one store, on a schedule of wall-clock times: alone, after the
# parallel pass, so that other tests' load does not decide who runs when.
pytestmark = [
    pytest.mark.serial,
    pytest.mark.slow(reason="processes of their own, started on a wall-clock schedule"),
]

# Waits for the wall-clock time argv[2], opens the store at argv[1] (perhaps creating it, as the
# other writer does), records one run of many epochs and progress samples, and prints its id.
WRITER = """
import sys, time
from core.events import BatchProgress, EpochEnd
from core.runs import RunStore

path, start, epochs, samples = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
while time.time() < start:
    time.sleep(0.001)
store = RunStore(path)
run = store.create({"epochs": epochs}, "python", "cpu", "synthetic")
for epoch in range(epochs):
    for batch in range(1, samples + 1):
        store.add_progress(run.id, BatchProgress(epoch, batch, samples, batch, 0.5, 0.5, 1.0))
    store.append_epoch(run.id, EpochEnd(epoch, 0.5, 0.5, 0.5, 0.5, 1.0, 1.0, None))
    store.heartbeat(run.id)
    time.sleep(0.01)  # epochs take time: the reader gets to read while both write
store.finish(run.id, "finished", 0.5, epochs_done=epochs)
print(run.id)
"""

# Trains for up to 1000 tiny epochs with a RunRecorder, printing the run's id once it starts.
TRAINER = """
import sys
from core.events import RunStarted
from core.runs import RunRecorder, RunStore
from core.train import fit
from tests.tiny import tiny_config, tiny_data

recorder = RunRecorder(RunStore(sys.argv[1]), "headless")

def on_event(event):
    recorder(event)
    if isinstance(event, RunStarted):
        print(recorder.run_id, flush=True)

fit(tiny_config(epochs=1000), on_event, data=tiny_data())
"""


def python(script: str, *args: object, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def test_two_writer_processes_at_once_lose_nothing(tmp_path):
    path = tmp_path / "new" / "runs.sqlite"  # both writers race to create it
    epochs, samples = 60, 10
    start = time.time() + 1.5  # after both have imported
    writers = [python(WRITER, path, start, epochs, samples) for _ in range(2)]

    # Meanwhile, a reader polls as a viewer would.
    reads = 0
    while any(w.poll() is None for w in writers):
        if path.exists() and time.time() > start:
            with RunStore(path) as store:
                for run in store.list():
                    store.follow(run.id, Cursor())
            reads += 1
        time.sleep(0.02)

    outputs = [w.communicate() for w in writers]
    for writer, (_, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0 and err == "", err
    ids = [out.strip() for out, _ in outputs]
    with RunStore(path) as store:
        assert sorted(r.id for r in store.list()) == sorted(ids)
        for run_id in ids:
            run = store.get(run_id)
            assert (run.status, run.epochs_done) == ("finished", epochs)
            assert [e.epoch for e in store.history(run_id)] == list(range(epochs))
            assert len(store.progress(run_id)) == epochs * samples
    assert reads > 0


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_writer_killed_mid_run_reads_back_as_interrupted(tmp_path):
    path = tmp_path / "runs.sqlite"
    trainer = python(TRAINER, path)
    try:
        run_id = trainer.stdout.readline().strip()
        assert run_id, trainer.stderr.read()
        with RunStore(path) as store:
            poll_until(lambda: store.get(run_id).epochs_done >= 2, "two recorded epochs")
            assert store.get(run_id).running

            os.kill(trainer.pid, signal.SIGKILL)
            # Not yet waited for: a zombie, which trains no more, counts as gone already.
            poll_until(lambda: not store.get(run_id).running, "the killed run", timeout=10)
            trainer.wait()
    finally:
        if trainer.poll() is None:
            trainer.kill()
            trainer.wait()
        trainer.stdout.close()
        trainer.stderr.close()

    with RunStore(path) as store:
        run = store.get(run_id)
        assert run.status == "interrupted"
        assert run.ended_at == run.heartbeat_at and run.test_acc is None
        assert run.epochs_done >= 2
        assert len(store.history(run_id)) == run.epochs_done


# Waits for the wall-clock time argv[2], opens the (old) store at argv[1], which migrates it
# unless another process has, and tags one run with its own tag argv[3].
TAGGER = """
import sys, time
from core.runs import RunStore

path, start, tag = sys.argv[1], float(sys.argv[2]), sys.argv[3]
while time.time() < start:
    time.sleep(0.001)
with RunStore(path) as store:
    store.tag("0a1b2c3d", [tag])
"""


def test_processes_opening_an_old_store_at_once_migrate_it_once_and_lose_nothing(tmp_path):
    path = tmp_path / "runs.sqlite"
    shutil.copyfile(OLD_STORE, path)
    start = time.time() + 1.5  # after every one has imported
    taggers = [python(TAGGER, path, start, f"by-{n}") for n in range(4)]
    for tagger in taggers:
        _, err = tagger.communicate(timeout=60)
        # A second migration would fail on its ALTER TABLE ("duplicate column name").
        assert tagger.returncode == 0 and err == "", err
    with RunStore(path) as store:
        assert store.get("0a1b2c3d").tags == ("by-0", "by-1", "by-2", "by-3")
        assert sorted(run.id for run in store.list()) == ["0a1b2c3d", "0a1b2c3e"]
        assert len(store.history("0a1b2c3d")) == 3
    assert pragma(path, "user_version") == SCHEMA_VERSION
