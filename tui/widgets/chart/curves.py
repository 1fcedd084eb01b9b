"""What a chart draws: curves, the colours and markers that tell them apart, the metrics."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Colour = tuple[int, int, int]

# Okabe and Ito's colour-blind-safe palette; each curve also gets its own marker, so the lines
# tell apart in monochrome and for every kind of colour vision.
COLOURS: tuple[Colour, ...] = (
    (230, 159, 0),
    (86, 180, 233),
    (0, 158, 115),
    (213, 94, 0),
    (204, 121, 167),
    (240, 228, 66),
    (0, 114, 178),
    (160, 160, 160),
)
MARKERS = ("•", "+", "x", "*", "o", "#", "@", "%")
TRAIN_COLOUR, TEST_COLOUR = COLOURS[1], COLOURS[0]


def style_of(index: int) -> tuple[Colour, str]:
    """The i-th curve's colour and marker: the first 64 pairs all differ (after the eighth
    curve the markers shift against the colours rather than repeat with them); past 64 the
    table beside the chart still names each run."""
    colour = COLOURS[index % len(COLOURS)]
    marker = MARKERS[(index + index // len(COLOURS)) % len(MARKERS)]
    return colour, marker


@dataclass(frozen=True)
class Curve:
    """One line of a chart."""

    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    colour: Colour | None = None
    marker: str = "•"  # without colour (NO_COLOR), and in the legend then
    line: str = "braille"  # how it is drawn in colour: braille is plotext's finest
    faint: bool = False  # drawn underneath in grey, never smoothed: the previous run


@dataclass(frozen=True)
class Metric:
    """A chart a picker can offer: its title and where each of its series comes from."""

    key: str
    title: str
    series: tuple[tuple[str, str], ...]  # (label, the epoch's attribute); label "" for one


# The Train screen's per-epoch charts: a run's train and test figures side by side.
LOSS = Metric("loss", "loss per epoch", (("train", "train_loss"), ("test", "test_loss")))
ACCURACY = Metric("accuracy", "accuracy per epoch", (("train", "train_acc"), ("test", "test_acc")))
SPEED = Metric("speed", "samples/s per epoch", (("", "samples_per_s"),))
LEARNING_RATE = Metric("lr", "learning rate", (("", "lr"),))
RUNNING_LOSS = Metric("running", "running loss per step", (("", "loss"),))
ONE_RUN_METRICS = (LOSS, ACCURACY, RUNNING_LOSS, SPEED, LEARNING_RATE)

# Compare and the sweep view: one metric a chart, one curve a run.
TEST_ACC = Metric("test_acc", "test accuracy per epoch", (("", "test_acc"),))
TEST_LOSS = Metric("test_loss", "test loss per epoch", (("", "test_loss"),))
TRAIN_ACC = Metric("train_acc", "train accuracy per epoch", (("", "train_acc"),))
TRAIN_LOSS = Metric("train_loss", "train loss per epoch", (("", "train_loss"),))
MANY_RUNS_METRICS = (TEST_ACC, TEST_LOSS, TRAIN_ACC, TRAIN_LOSS, SPEED, LEARNING_RATE)


def epoch_values(
    history: Sequence[Any], attribute: str, lr: float | Sequence[float | None] | None
) -> list[float]:
    """One value an epoch. The learning rate is the run's setting, no schedule changes it:
    one for the run, or one an epoch where the epochs come from several runs."""
    if attribute != "lr":
        return [getattr(epoch, attribute) for epoch in history]
    if lr is None or isinstance(lr, float | int):
        return [lr] * len(history) if lr is not None else []
    return [math.nan if value is None else value for value in lr]  # NaN: not drawn


def run_lr(run: Any) -> float | None:
    """A recorded run's learning rate, from the settings it trained with."""
    lr = dict(run.config).get("lr")
    return float(lr) if isinstance(lr, int | float) else None


def epoch_numbers(history: Sequence[Any]) -> list[int]:
    """Counted from 1, like "Epoch 1/5"; a continued run goes on from its parent's number."""
    return [epoch.epoch + 1 for epoch in history]
