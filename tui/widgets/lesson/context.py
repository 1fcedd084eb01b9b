"""The LessonContext a step computes from: what the app has loaded and trained, read off-thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.config import TrainConfig
from core.events import EpochEnd
from tui.state import Dataset, TrainedModel

if TYPE_CHECKING:  # imports torch
    from core.lesson import LessonContext


@dataclass(frozen=True)
class AppState:
    """A snapshot of the app taken on the UI thread, handed to a worker that builds the context."""

    dataset: Dataset
    trained: TrainedModel | None
    epochs: tuple[EpochEnd, ...]  # the last run's finished epochs, oldest first
    config: TrainConfig  # the recipe `t` would train (its device decides the estimate)


def build_context(state: AppState) -> LessonContext:
    """Resolve the device and the time an epoch takes (both may import torch: off-thread)."""
    from core.lesson import LessonContext, training_estimate

    try:
        device = state.config.resolved_device()
    except Exception:  # "cuda" asked for without a GPU: the run would fail, the lesson still reads
        device = "cpu"
    return LessonContext(
        train=state.dataset.train,
        test=state.dataset.test,
        model=state.trained.model if state.trained is not None else None,
        epochs=state.epochs,
        device=device,
        seconds_per_epoch=training_estimate(device, state.epochs),
    )
