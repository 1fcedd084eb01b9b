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
    notice: str | None = None


@dataclass
class DataFailed(Message):
    """No data could be loaded, not even the synthetic fallback."""

    reason: str
