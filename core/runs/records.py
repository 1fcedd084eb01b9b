"""What the run store hands out: frozen records of runs, epochs and progress samples."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from core.events import BatchProgress, EpochEnd

if TYPE_CHECKING:
    from core.config import TrainConfig

STATUSES = ("running", "finished", "stopped", "failed", "interrupted")
ENDED = ("finished", "stopped", "failed", "interrupted")  # what finish() may set
SOURCES = ("tui", "headless", "python", "sweep")  # who started the run


@dataclass(frozen=True)
class RunRecord:
    """One training run as the store last saw it. Times are Unix seconds."""

    id: str
    name: str | None  # None until the user names it; show the id instead
    source: str  # one of SOURCES
    sweep: str | None  # the sweep this run belongs to, if any
    status: str  # one of STATUSES
    config: Mapping[str, Any]  # TrainConfig.to_dict() as the run started; read-only
    details: Mapping[str, Any]  # RunStarted's sizes, start epoch and notes; read-only
    device: str
    data_source: str
    host: str  # where the writing process runs, with its pid: how a dead run is told
    pid: int
    started_at: float
    ended_at: float | None
    heartbeat_at: float  # the last write from the run's process
    test_acc: float | None  # the final test accuracy, a fraction; None until it ends
    failure: str | None  # one line, when status is "failed"
    checkpoint: str | None
    epochs_done: int
    # The user's own words on it (`runs note`, `runs tag`; N and t on the Runs screen).
    note: str | None = None
    tags: tuple[str, ...] = ()  # sorted; each one word, without commas
    # Summed up from its epochs as it is read, never stored: one place for every listing.
    best_test_acc: float | None = None  # the highest test accuracy of any epoch, a fraction
    best_epoch: int | None = None  # where it came, counted from 1 as epochs_done and screens do
    min_test_loss: float | None = None
    samples_per_s: float | None = None  # the mean over its epochs

    def __post_init__(self) -> None:
        for name in ("config", "details"):
            value = getattr(self, name)
            if not isinstance(value, JsonObject):
                object.__setattr__(self, name, JsonObject.of(value))

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def parent(self) -> str | None:
        """The run this one continued from (train --resume, Continue on the Runs screen)."""
        parent = self.details.get("parent")
        return parent if isinstance(parent, str) else None

    @property
    def duration(self) -> float:
        """Seconds from its start to its end, or to its newest write while it runs."""
        end = self.ended_at if self.ended_at is not None else self.heartbeat_at
        return max(end - self.started_at, 0.0)

    @property
    def label(self) -> str:
        """The name a listing shows: the user's name, else the id."""
        return self.name or self.id

    def no_checkpoint_because(self) -> str:
        """Why a run has no checkpoint, for a message: "run 1a2b3c4d has no checkpoint: …"."""
        if not self.epochs_done:
            return "no epoch of it finished"
        return "none was kept for it (a sweep member trained on Ray, or by an earlier version)"

    def train_config(self) -> TrainConfig:
        """The run's TrainConfig, ignoring fields this version does not know."""
        from core.config import TrainConfig

        return TrainConfig.from_dict(json_object(self.config).to_dict())

    def to_json(self) -> dict[str, Any]:
        """The run as a JSON-ready dict; times are ISO 8601 in UTC."""
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "source": self.source,
            "sweep": self.sweep,
            "parent": self.parent,
            "config": json_object(self.config).to_dict(),
            "epochs": self.epochs_done,
            "test_acc": self.test_acc,
            "device": self.device,
            "data_source": self.data_source,
            "started_at": iso_time(self.started_at),
            "ended_at": None if self.ended_at is None else iso_time(self.ended_at),
            "seconds": None if self.ended_at is None else self.duration,  # once it ended
            "host": self.host,
            "pid": self.pid,
            "failure": self.failure,
            "checkpoint": self.checkpoint,
            "details": json_object(self.details).to_dict(),
            "tags": list(self.tags),
            "note": self.note,
            "best_test_acc": self.best_test_acc,
            "best_epoch": self.best_epoch,
            "min_test_loss": self.min_test_loss,
            "duration_s": self.duration,  # so far, while it runs
            "samples_per_s": self.samples_per_s,
        }


class JsonObject(Mapping[str, Any]):
    """A read-only JSON object, parsed from its text when first read.

    A listing of 10,000 runs would otherwise spend ~80 ms (of ~200) parsing configs that it
    mostly never shows. Text that is not a JSON object reads as empty: one damaged row must
    not make a whole listing unreadable.
    """

    __slots__ = ("_data", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._data: dict[str, Any] | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> JsonObject:
        """The object as the store will read it back (a tuple becomes a list, a Path a str)."""
        return cls(json.dumps(dict(data), default=str))

    def to_dict(self) -> dict[str, Any]:
        """A new dict of it, to change or hand to json.dumps."""
        return parse_object(self.text)

    def _parsed(self) -> dict[str, Any]:
        if self._data is None:
            self._data = parse_object(self.text)
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._parsed()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __len__(self) -> int:
        return len(self._parsed())

    def __repr__(self) -> str:
        return repr(self._parsed())


def json_object(value: Mapping[str, Any]) -> JsonObject:
    """A RunRecord's config or details, typed as the JsonObject it is.

    The fields are typed Mapping because a record may be made (or replaced) with any mapping;
    __post_init__ turns each into a JsonObject, so every record holds one.
    """
    assert isinstance(value, JsonObject)  # RunRecord.__post_init__ made it one
    return value


def parse_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class SweepSummary:
    """A sweep as its member runs stand now: counts by status and the best final result."""

    id: str
    started_at: float  # when its first member started
    last_at: float  # the newest write from any member: what moves while it trains
    members: int  # runs recorded so far (a group not yet started has none)
    finished: int
    running: int
    stopped: int
    failed: int
    interrupted: int
    best_run: str | None  # the finished member with the best test accuracy (else a stopped one)
    best_acc: float | None
    stop_requested_at: float | None  # when some process asked the sweep to stop

    @property
    def ended(self) -> int:
        """Members that are no longer training, however they ended."""
        return self.members - self.running

    @property
    def stop_requested(self) -> bool:
        return self.stop_requested_at is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": iso_time(self.started_at),
            "members": self.members,
            "finished": self.finished,
            "running": self.running,
            "stopped": self.stopped,
            "failed": self.failed,
            "interrupted": self.interrupted,
            "best_run": self.best_run,
            "best_acc": self.best_acc,
            "stop_requested": self.stop_requested,
        }


@dataclass(frozen=True)
class EpochRecord:
    """One finished epoch of a run: EpochEnd's figures and when they were written."""

    run_id: str
    epoch: int  # 0-based, as EpochEnd counts
    train_loss: float
    train_acc: float
    test_loss: float
    test_acc: float
    seconds: float
    samples_per_s: float
    peak_gpu_mb: float | None
    at: float = field(compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "train_loss": self.train_loss,
            "train_acc": self.train_acc,
            "test_loss": self.test_loss,
            "test_acc": self.test_acc,
            "seconds": self.seconds,
            "samples_per_s": self.samples_per_s,
            "peak_gpu_mb": self.peak_gpu_mb,
        }

    def to_event(self) -> EpochEnd:
        """The EpochEnd it was recorded from, so views built for live runs can replay it."""
        return EpochEnd(**self.to_json())


@dataclass(frozen=True)
class ProgressRecord:
    """One progress sample inside an epoch, as BatchProgress reported it."""

    run_id: str
    epoch: int
    batch: int
    batches: int
    step: int
    loss: float
    acc: float
    samples_per_s: float
    at: float = field(compare=False)

    def to_event(self) -> BatchProgress:
        return BatchProgress(
            epoch=self.epoch,
            batch=self.batch,
            batches=self.batches,
            step=self.step,
            loss=self.loss,
            acc=self.acc,
            samples_per_s=self.samples_per_s,
        )


@dataclass(frozen=True)
class Cursor:
    """How far a follower has read: the last epoch row and progress row it was given."""

    epochs: int = 0
    progress: int = 0


@dataclass(frozen=True)
class RunUpdate:
    """What follow() found: the run now, and its epochs and progress written since the cursor."""

    run: RunRecord
    epochs: tuple[EpochRecord, ...]
    progress: tuple[ProgressRecord, ...]
    cursor: Cursor  # pass it to the next follow()

    @property
    def ended(self) -> bool:
        return not self.run.running


def iso_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def number(value: float | None) -> float:
    # SQLite stores NaN as NULL; a figure that was NaN reads back as NaN, not None.
    return math.nan if value is None else value
