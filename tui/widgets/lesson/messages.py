"""Messages from Lesson mode's workers to its screen (kept beside the widgets that use them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # core.lesson may import torch, which is not on the start-up path
    from core.lesson import Outcome, Progress, Step


@dataclass
class LessonLoaded(Message):
    """The lesson's steps are imported, and the step reached last session is read."""

    steps: tuple[Step, ...]
    position: int
    problem: str | None = None  # why the lesson could not be loaded (steps is then empty)
    progress: Progress | None = None  # the steps seen and verdicts saved last session


@dataclass
class StepComputed(Message):
    """A step's value, and its picture, computed now from the loaded data or trained model."""

    index: int  # which step: a late answer for a step already left is dropped
    generation: int  # which data/model it was computed from: stale answers are dropped too
    outcome: Outcome
    picture: str | None = None
    device: str = "cpu"
    seconds_per_epoch: float | None = None
