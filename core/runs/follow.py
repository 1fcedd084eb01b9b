"""A recorded run as the events fit() sent: replayed, or followed live from another process.

The dashboard that shows a run started in the app takes the same events for a run recorded by
a headless trainer in another terminal (or over another SSH session), read from the store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from core.events import Event, RunFailed, RunFinished, RunStarted
from core.runs.records import RunRecord
from core.runs.store import RunStore

POLL_S = 0.5  # two short reads a second: live enough, and nothing next to a training step


def started_event(run: RunRecord) -> RunStarted:
    """The RunStarted the run's trainer sent, rebuilt from the record (without its notes)."""
    details = run.details
    return RunStarted(
        config=run.train_config(),
        device=run.device,
        parameters=int(details.get("parameters", 0)),
        train_size=int(details.get("train_size", 0)),
        test_size=int(details.get("test_size", 0)),
        start_epoch=int(details.get("start_epoch", 0)),
        data_source=run.data_source,
        began_at=run.started_at,
    )


def ended_event(run: RunRecord, last_test_acc: float | None) -> RunFinished | RunFailed:
    """How a run that is no longer running ended, as fit() would have said it."""
    if run.status in ("finished", "stopped"):
        ended = run.ended_at if run.ended_at is not None else run.heartbeat_at
        return RunFinished(
            # None when it ended before its first epoch: no accuracy, never 0% or 10%.
            test_acc=run.test_acc if run.test_acc is not None else last_test_acc,
            seconds=max(0.0, ended - run.started_at),
            epochs_done=run.epochs_done,
            stopped=run.status == "stopped",
        )
    if run.status == "interrupted":
        return RunFailed(reason=f"run {run.id} was interrupted: its process is gone")
    return RunFailed(reason=run.failure or f"run {run.id} failed")


def follow_events(
    store: RunStore, run_id: str, stop: threading.Event, poll_s: float = POLL_S
) -> Iterator[Event]:
    """The run's events so far, then new ones as they are recorded, until it ends or `stop`.

    Per read, finished epochs come in order, then only the newest progress sample of the
    epoch under way: a viewer wants where the run is, not every sample it missed.
    """
    update = store.follow(run_id)
    yield started_event(update.run)
    last_epoch, last_acc = -1, None
    while True:
        for record in update.epochs:
            last_epoch, last_acc = record.epoch, record.test_acc
            yield record.to_event()
        current = [p for p in update.progress if p.epoch > last_epoch]
        if current:
            yield current[-1].to_event()
        if update.ended:
            yield ended_event(update.run, last_acc)
            return
        if stop.wait(poll_s):
            return
        update = store.follow(run_id, update.cursor)
