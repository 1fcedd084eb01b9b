"""What a training run reports: frozen, plain-data events, and their JSON form."""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from core.config import TrainConfig


@dataclass(frozen=True)
class RunStarted:
    """Training is about to begin; sizes and device are final."""

    config: TrainConfig
    device: str  # resolved, e.g. "cpu" or "cuda:0 (NVIDIA H100 80GB HBM3)"
    parameters: int
    train_size: int
    test_size: int
    start_epoch: int  # 0, or the epoch a resumed run continues from
    data_source: str
    notes: tuple[str, ...] = ()  # e.g. whether the CUDA graph was captured or why not
    # When the run began (time.time()) if that was before this event: a run recorded by
    # another process and followed from the middle. None: it begins with this event.
    began_at: float | None = None


@dataclass(frozen=True)
class BatchProgress:
    """Running figures inside an epoch; sent at most ~10 times a second."""

    epoch: int
    batch: int  # batches done in this epoch
    batches: int  # batches in an epoch
    step: int  # optimizer steps since the run (not the resume) started
    loss: float  # mean of the per-batch losses so far this epoch
    acc: float  # correct / seen so far this epoch
    samples_per_s: float


@dataclass(frozen=True)
class EpochEnd:
    """An epoch finished; train figures are the notebook's, test figures a full evaluation."""

    epoch: int
    train_loss: float  # mean of per-batch losses, as the notebook prints it
    train_acc: float  # correct / total counted while training, as the notebook does
    test_loss: float
    test_acc: float
    seconds: float  # training time of the epoch, without the evaluation
    samples_per_s: float
    peak_gpu_mb: float | None  # peak allocated CUDA memory; None on CPU


@dataclass(frozen=True)
class CheckpointSaved:
    """The run's weights, optimizer state and history after `epochs_done` epochs are in
    `path`; sent after that epoch's EpochEnd. The run store keeps the newest path."""

    path: str
    epochs_done: int


@dataclass(frozen=True)
class RunFinished:
    """The run ended normally, or early because it was asked to stop.

    Its figures are its last finished epoch's, whose weights it keeps: a stop inside an epoch
    puts the partly trained weights back (core.engine.end_of_run), so what is shown, recorded
    and saved agree. `test_acc` is None when it was stopped before its first epoch ended.
    """

    test_acc: float | None
    seconds: float
    epochs_done: int
    stopped: bool  # True when the stop event ended it


@dataclass(frozen=True)
class RunFailed:
    """The run could not go on; reason is one line for the user."""

    reason: str
    epoch: int | None = None
    step: int | None = None


Event = RunStarted | BatchProgress | EpochEnd | CheckpointSaved | RunFinished | RunFailed

_NAMES: dict[type, str] = {
    RunStarted: "run_started",
    BatchProgress: "batch_progress",
    EpochEnd: "epoch_end",
    CheckpointSaved: "checkpoint_saved",
    RunFinished: "run_finished",
    RunFailed: "run_failed",
}
_TYPES = {name: kind for kind, name in _NAMES.items()}


def to_json(event: Event) -> dict[str, Any]:
    """The event as a JSON-ready dict whose "event" key names its type."""
    return {"event": _NAMES[type(event)], **asdict(event)}


def from_json(fields: dict[str, Any]) -> Event:
    """The event whose to_json() form `fields` is."""
    fields = dict(fields)
    kind = _TYPES[fields.pop("event")]
    if kind is RunStarted:
        fields["config"] = TrainConfig.from_dict(fields["config"])
        fields["notes"] = tuple(fields["notes"])
    event: Event = kind(**fields)
    return event


def to_json_line(event: Event) -> str:
    return json.dumps(to_json(event), separators=(",", ":"))


class MetricsWriteError(Exception):
    """The metrics file stopped taking lines (a full disk); the message names the file."""


class JsonLinesWriter:
    """An on_event callback that appends one JSON line per event to a file.

    A write that fails raises MetricsWriteError naming the file, once: later events are
    dropped, so the run's own failure event can still reach the other callbacks.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = self.path.open("a", encoding="utf-8")
        self._failed = False

    def __call__(self, event: Event) -> None:
        if self._failed:
            return
        try:
            self._file.write(to_json_line(event) + "\n")
            # Flushed per line so `tail -f` and a crashed run both see every event.
            self._file.flush()
        except OSError as err:
            self._failed = True
            raise MetricsWriteError(
                f"cannot write metrics to {self.path}: {err.strerror or err}"
            ) from None

    def close(self) -> None:
        # What could not be flushed was already reported by __call__.
        with contextlib.suppress(OSError):
            self._file.close()

    def __enter__(self) -> JsonLinesWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
