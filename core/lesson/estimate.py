"""How long the lesson's training step will take here, for "training takes about N s"."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from core.events import EpochEnd

# Seconds per epoch of the recipe (784-512-10, batch 64) on the fast path, from the README's
# figures table: one CPU thread 0.56-1.39 s (AVX2 machines, `mnist-tui bench`); an H200 with
# the CUDA graph 0.115 s, without it 1.11 s. The upper ends, so the estimate rarely disappoints.
CPU_SECONDS = 1.4
CUDA_SECONDS = 1.1
EVALUATION_SECONDS = 0.3  # the test split evaluated after each epoch, on the CPU


def training_estimate(device: str, epochs: Sequence[EpochEnd] = ()) -> float:
    """Seconds per epoch on `device` ("cpu", "cuda:0"): the last run's when there was one."""
    measured = [event.seconds for event in epochs if event.seconds > 0]
    if measured:  # EpochEnd.seconds leaves out the evaluation after each epoch
        return statistics.median(measured) + EVALUATION_SECONDS
    return CUDA_SECONDS if device.startswith("cuda") else CPU_SECONDS + EVALUATION_SECONDS


def describe_estimate(seconds_per_epoch: float, epochs: int = 5) -> str:
    """ "training takes about 8 s on this device (5 epochs)"."""
    total = seconds_per_epoch * epochs
    return f"training takes about {max(total, 1):.0f} s on this device ({epochs} epochs)"
