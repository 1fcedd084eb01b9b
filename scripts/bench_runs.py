"""The run store's figures: `python -m scripts.bench_runs [runs]` prints them.

Listing: a store with 10,000 runs (written with executemany in one transaction), then
RunStore.list() over all of them, best of five. Recording: a RunRecorder fed the events of
five 938-batch epochs as fast as Python sends them (fit sends at most ~10 a second), timed
per event, with the writes it made; and the cost of each kind of write on its own.
"""

from __future__ import annotations

import secrets
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from core.config import TrainConfig
from core.events import BatchProgress, EpochEnd, RunFinished, RunStarted
from core.runs import RunRecorder, RunStore
from core.runs.store import RUN_COLUMNS, qmarks, run_row

BATCHES = 938  # an MNIST epoch at batch 64
EPOCHS = 5
CONFIG = TrainConfig(dataset="synthetic", threads=1)


def make_runs(store: RunStore, count: int) -> None:
    """`count` finished runs with real configs, one transaction (the store's own row layout)."""
    template = store.create(CONFIG.to_dict(), "headless", "cpu", "synthetic digits")
    store.finish(template.id, "finished")
    store.delete(template.id)
    start = time.time() - 60 * count
    records = [
        replace(
            template,
            id=secrets.token_hex(4),
            name=f"run {i}" if i % 3 == 0 else None,
            source="sweep" if i % 2 else "headless",
            sweep=f"sweep-{i // 50}" if i % 2 else None,
            status="finished",
            config=template.config.to_dict()
            | {"lr": 10.0 ** -(2 + i % 3), "hidden": 64 * (1 + i % 8)},
            started_at=start + 60 * i,
            ended_at=start + 60 * i + 30,
            heartbeat_at=start + 60 * i + 30,
            test_acc=0.9 + (i % 100) / 1000,
            epochs_done=EPOCHS,
        )
        for i in range(count)
    ]
    db = sqlite3.connect(store.path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    sql = f"INSERT OR IGNORE INTO runs ({RUN_COLUMNS}) VALUES ({qmarks(18)})"
    db.executemany(sql, [run_row(r) for r in records])
    db.execute("COMMIT")
    db.close()


def best_of(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_list(folder: Path, count: int) -> None:
    store = RunStore(folder / "runs.sqlite")
    t0 = time.perf_counter()
    make_runs(store, count)
    made = time.perf_counter() - t0
    listed = len(store.list())
    seconds = best_of(5, store.list)
    newest = best_of(5, lambda: store.list(limit=50))
    # What printing every run's settings costs: configs are parsed when first read.
    every = best_of(5, lambda: [run.config["lr"] for run in store.list()])
    print(f"made {listed:,} runs in {made * 1000:.0f} ms")
    print(f"RunStore.list() over {listed:,} runs: {seconds * 1000:.1f} ms (best of 5)")
    print(f"RunStore.list() and every run's config read: {every * 1000:.1f} ms (best of 5)")
    print(f"RunStore.list(limit=50): {newest * 1000:.2f} ms (best of 5)")
    store.close()


def events(epochs: int = EPOCHS):
    yield RunStarted(CONFIG, "cpu", 407_050, 60_000, 10_000, 0, "synthetic digits")
    step = 0
    for epoch in range(epochs):
        for batch in range(1, BATCHES + 1):
            step += 1
            yield BatchProgress(epoch, batch, BATCHES, step, 0.3, 0.9, 50_000.0)
        yield EpochEnd(epoch, 0.3, 0.9, 0.25, 0.93, 1.2, 50_000.0, None)
    yield RunFinished(test_acc=0.93, seconds=6.0, epochs_done=epochs, stopped=False)


def bench_recorder(folder: Path) -> None:
    store = RunStore(folder / "recorder.sqlite")
    sent = list(events())
    progress = [e for e in sent if type(e) is BatchProgress]
    recorder = RunRecorder(store, "python")
    per_event = []
    for event in sent:
        t0 = time.perf_counter()
        recorder(event)
        per_event.append((type(event).__name__, time.perf_counter() - t0))
    assert recorder.error is None, recorder.error
    run = recorder.run_id
    samples = len(store.progress(run))
    batch_times = sorted(t for name, t in per_event if name == "BatchProgress")
    mean_batch = sum(batch_times) / len(batch_times)
    print(
        f"recorder, {len(progress):,} BatchProgress events sent back to back: mean "
        f"{mean_batch * 1e6:.2f} us, median {batch_times[len(batch_times) // 2] * 1e6:.2f} us, "
        f"max {batch_times[-1] * 1e3:.2f} ms; {samples} progress rows written"
    )
    for name in ("RunStarted", "EpochEnd", "RunFinished"):
        times = [t for n, t in per_event if n == name]
        print(f"recorder, {name}: mean {sum(times) / len(times) * 1e3:.2f} ms ({len(times)})")

    # What a written sample costs (at most 2 a second by default), and an epoch.
    record = store.create(CONFIG.to_dict(), "python", "cpu", "synthetic digits")
    sample = progress[0]
    n = 500
    write = best_of(3, lambda: [store.add_progress(record.id, sample) for _ in range(n)]) / n
    end = next(e for e in sent if isinstance(e, EpochEnd))
    epoch = best_of(3, lambda: [store.append_epoch(record.id, end) for _ in range(n)]) / n
    beat = best_of(3, lambda: [store.heartbeat(record.id) for _ in range(n)]) / n
    print(f"store.add_progress: {write * 1e6:.0f} us per sample (best of 3 x {n})")
    print(f"store.append_epoch: {epoch * 1e6:.0f} us per epoch (best of 3 x {n})")
    print(f"store.heartbeat: {beat * 1e6:.0f} us (best of 3 x {n})")
    store.close()


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv else 10_000
    with tempfile.TemporaryDirectory(prefix="bench_runs.") as tmp:
        bench_list(Path(tmp), count)
        bench_recorder(Path(tmp))


if __name__ == "__main__":
    main(sys.argv[1:])
