"""Checkpoints: plain tensors and primitives, written atomically, read with weights_only=True."""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from core.config import TrainConfig
from core.errors import first_line
from core.files import atomic_write

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


def save(path: str | os.PathLike, checkpoint: Checkpoint) -> None:
    """Write atomically (core.files): a crash or a full disk leaves the old file as it was."""
    path = Path(path)
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "model": checkpoint.model,
        "optimizer": checkpoint.optimizer,
        "config": checkpoint.config,
        "epoch": checkpoint.epoch,
        "history": checkpoint.history,
        "rng": checkpoint.rng,
    }
    try:
        atomic_write(path, lambda file: torch.save(payload, file))
    except OSError as err:
        raise CheckpointError(f"cannot write checkpoint {path}: {err.strerror or err}") from err
    except RuntimeError as err:  # torch.save reports a full disk as RuntimeError
        raise CheckpointError(f"cannot write checkpoint {path}: {first_line(err)}") from err


def load(path: str | os.PathLike) -> Checkpoint:
    """Read a checkpoint onto the CPU, refusing anything that is not plain data."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        # weights_only refuses to import any global it does not know (os.system, a class),
        # so a payload carrying code ends here; other unpickling errors are plain corruption.
        if "unsupported global" in str(err).lower():
            raise CheckpointError(
                f"{path} holds objects other than tensors and plain values; refused to load it"
            ) from err
        raise CheckpointError(f"{path} is corrupt or not a torch file (unreadable pickle)") from err
    except Exception as err:
        raise CheckpointError(f"{path} is corrupt or not a torch file ({first_line(err)})") from err
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an mnist-tui checkpoint")
    version = payload.get("version")
    if version != VERSION:
        raise CheckpointError(
            f"{path} is checkpoint version {version}; this mnist-tui reads version {VERSION}"
        )
    missing = [key for key in FIELD_TYPES if key not in payload]
    if missing:
        raise CheckpointError(f"{path} is missing {', '.join(missing)}")
    for key, expected in FIELD_TYPES.items():
        if not isinstance(payload[key], expected) or isinstance(payload[key], bool):
            raise CheckpointError(
                f"{path}: {key} should be {expected.__name__}, found {type(payload[key]).__name__}"
            )
    if not all(isinstance(entry, dict) for entry in payload["history"]):
        raise CheckpointError(f"{path}: history should be a list of per-epoch records")
    return Checkpoint(
        model=payload["model"],
        optimizer=payload["optimizer"],
        config=payload["config"],
        epoch=payload["epoch"],
        history=payload["history"],
        rng=payload.get("rng"),
    )


def check_compatible(checkpoint: Checkpoint, config: TrainConfig, path: str | os.PathLike) -> None:
    """Refuse to resume into a run whose model or optimizer the checkpoint cannot fill."""
    saved = checkpoint.config
    for name in ("hidden", "optimizer", "dataset"):
        if saved.get(name) != getattr(config, name):
            raise CheckpointError(
                f"{path} was trained with {name}={saved.get(name)!r}; "
                f"this run has {name}={getattr(config, name)!r}"
            )
