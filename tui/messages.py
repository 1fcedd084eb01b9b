"""Messages that cross from workers to the UI thread."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from core.data import Split


@dataclass
class DataLoaded(Message):
    """Both splits of a dataset are in memory."""

    train: Split
    test: Split
    notice: str | None = None  # why the requested dataset was replaced by synthetic digits
    requested: str = ""  # the dataset that was asked for


@dataclass
class DataNotice(Message):
    """Something the user should know while data loads (a download starting)."""

    text: str


@dataclass
class DataFailed(Message):
    """No data could be loaded, not even the synthetic fallback."""

    reason: str


@dataclass
class TrainingEvent(Message):
    """One event from core's training loop (run started, epoch end, finished, failed)."""

    event: object


class BatchUpdate(Message):
    """Per-batch progress; a newer one replaces any still queued, so the UI never lags."""

    def __init__(self, event: object) -> None:
        super().__init__()
        self.event = event

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BatchUpdate)


@dataclass
class SystemInfo(Message):
    """What the Train screen shows before a run: device and model summary (needs torch)."""

    device: str
    summary_rows: list
    total_parameters: int
