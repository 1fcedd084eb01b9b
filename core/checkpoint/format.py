"""What a checkpoint is: its fields, its format name and version, and the one error it raises.

core/checkpoint/files.py writes and reads it; core/checkpoint/checks.py says whether its
contents can be used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

FORMAT = "mnist-tui/checkpoint"
VERSION = 1


# What each stored field must be before anything uses it.
FIELD_TYPES = {"model": dict, "optimizer": dict, "config": dict, "epoch": int, "history": list}


class CheckpointError(Exception):
    """A checkpoint could not be written, read or used; the message is one line for the user."""


@dataclass(frozen=True)
class Checkpoint:
    """What a run needs to continue: weights, optimizer state, and where it had got to."""

    model: dict[str, torch.Tensor]
    optimizer: dict[str, Any]
    config: dict[str, Any]  # the TrainConfig that wrote it, as a dict
    epoch: int  # epochs completed; a resumed run starts at this epoch
    history: list[dict[str, Any]]  # one EpochEnd as a dict per completed epoch
    rng: torch.Tensor | None  # the loader's shuffle generator, so a resume reshuffles the same
