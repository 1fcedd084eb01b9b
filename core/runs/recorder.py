"""RunRecorder: an on_event callback for fit() that records the run in a RunStore.

Cheap enough to sit on the training thread: fit() sends BatchProgress up to ten times a
second, and the recorder writes at most one sample per PROGRESS_EVERY_S (the newest; the one
an epoch ends on is always kept), so most events cost a clock read and a comparison. Each
write is also the run's heartbeat. A store that fails mid-run does not stop the training: the
recorder keeps the first error in `error` and records nothing more.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from core.errors import first_line
from core.events import (
    BatchProgress,
    CheckpointSaved,
    EpochEnd,
    Event,
    RunFailed,
    RunFinished,
    RunStarted,
)
from core.runs.errors import RunStoreError
from core.runs.records import ENDED, SOURCES
from core.runs.store import RunStore

# Two samples a second draw a smooth loss curve and keep the heartbeat far inside the
# 60 s after which a silent run on another host reads as interrupted.
PROGRESS_EVERY_S = 0.5


class RunRecorder:
    """Turns a run's events into store writes; pass it to fit() as on_event.

    `run_id` is None until RunStarted arrives. If the run's end never arrives (Ctrl-C, a
    crash), call close() in the caller's `finally:`: it records the run as interrupted.
    """

    def __init__(
        self,
        store: RunStore,
        source: str,
        name: str | None = None,
        sweep: str | None = None,
        *,
        parent: str | None = None,
        progress_every: float = PROGRESS_EVERY_S,
        clock: Callable[[], float] = time.monotonic,  # tests pass one that moves when told
    ) -> None:
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
        self.store, self.source, self.name, self.sweep = store, source, name, sweep
        self.parent = parent  # the run a resumed run continues, kept in its details
        self.progress_every = progress_every
        self.clock = clock
        self.run_id: str | None = None
        self.error: str | None = None  # the first store failure, one line
        self._open = False  # a run was started and its end not yet recorded
        self._pending: BatchProgress | None = None  # the newest sample not yet written
        self._last_write = -float("inf")
        self._checkpoint: str | None = None  # the path last given to set_checkpoint

    def __call__(self, event: Event) -> None:
        if type(event) is BatchProgress:  # the hot path: checked first, and cheaply
            if not self._open:
                return
            now = self.clock()
            if now - self._last_write < self.progress_every:
                self._pending = event
                return
            self._guarded(self._write_progress, event, now)
        elif isinstance(event, RunStarted):
            self._guarded(self._start, event)
        elif isinstance(event, EpochEnd):
            self._guarded(self._epoch, event)
        elif isinstance(event, CheckpointSaved):
            self._checkpoint_saved(event.path)
        elif isinstance(event, RunFinished):
            status = "stopped" if event.stopped else "finished"
            self._guarded(self._end, status, event.test_acc, None, event.epochs_done)
        elif isinstance(event, RunFailed):
            self._guarded(self._end, "failed", None, event.reason, None)

    def checkpoint_place(self) -> Path | None:
        """Where this run's checkpoints go when its caller names no other place: beside the
        store, named by the run's id. None before RunStarted was recorded."""
        return self.store.checkpoint_path(self.run_id) if self.run_id is not None else None

    def _checkpoint_saved(self, path: str) -> None:
        """Remember where the run's newest checkpoint is (a CheckpointSaved event)."""
        if self.run_id is not None and self._checkpoint != path:
            self._guarded(self.store.set_checkpoint, self.run_id, path)
            self._checkpoint = path

    def close(self, status: str = "interrupted") -> None:
        """Record the run as ended with `status` if its end was not recorded; else nothing."""
        if status not in ENDED:
            raise ValueError(f"a run ends as one of {', '.join(ENDED)}, not {status!r}")
        self._guarded(self._end, status, None, None, None)

    def __enter__(self) -> RunRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _guarded(self, write: Callable[..., None], *args: object) -> None:
        if self.error is not None:
            return
        try:
            write(*args)
        except (RunStoreError, sqlite3.Error) as err:
            self.error = first_line(err)
            self._open = False

    def _start(self, event: RunStarted) -> None:
        if self._open:  # one recorder, a second fit(): the first run's end never came
            self._end("interrupted", None, None, None)
        details: dict[str, object] = {
            "parameters": event.parameters,
            "train_size": event.train_size,
            "test_size": event.test_size,
            "start_epoch": event.start_epoch,
            "notes": list(event.notes),
        }
        if self.parent is not None:
            details["parent"] = self.parent
        record = self.store.create(
            event.config.to_dict(),
            self.source,
            event.device,
            event.data_source,
            name=self.name,
            sweep=self.sweep,
            details=details,
        )
        self.run_id, self._open = record.id, True
        self._pending, self._last_write = None, -float("inf")

    def _write_progress(self, event: BatchProgress, now: float) -> None:
        assert self.run_id is not None
        self.store.add_progress(self.run_id, event)
        self._pending, self._last_write = None, now

    def _flush(self) -> None:
        if self._pending is not None:
            self._write_progress(self._pending, self.clock())

    def _epoch(self, event: EpochEnd) -> None:
        if not self._open:
            return
        assert self.run_id is not None
        self._flush()  # the epoch's last sample, so the curve reaches the epoch's end
        self.store.append_epoch(self.run_id, event)

    def _end(
        self, status: str, test_acc: float | None, failure: str | None, epochs: int | None
    ) -> None:
        if not self._open:
            return
        assert self.run_id is not None
        self._flush()
        self._open = False
        self.store.finish(self.run_id, status, test_acc, failure, epochs_done=epochs)
