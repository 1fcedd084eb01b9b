"""Training configuration: one frozen dataclass, the only place the recipe is written.

Each field carries what a user needs to set it (help, choices, bounds) in its metadata, so the
command line (tui/cli.py), the Train form and checkpoints are generated from the fields: a new
field reaches all three without another edit.
"""

from __future__ import annotations

import math
import os
from dataclasses import MISSING, Field, asdict, dataclass, field, fields
from typing import Any, get_type_hints

from core.data import DATASETS

OPTIMIZERS = ("rmsprop", "sgd", "adam")
DEVICES = ("auto", "cpu", "cuda")
LOADERS = ("device", "torchvision")
SEED_MAX = 2**63 - 1  # torch.manual_seed and the loaders' generators take an int64


class ConfigError(ValueError):
    """A configuration value is out of range; the message is one line for the user."""


def default_threads() -> int:
    # Leave one core to the UI thread (and the terminal) on small machines.
    return max(1, (os.cpu_count() or 1) - 1)


def cuda_available() -> bool:
    import torch  # deferred: building a config must not pay for importing torch

    return torch.cuda.is_available()


def setting(
    default: Any = MISSING,
    help: str = "",
    *,
    choices: tuple[Any, ...] | None = None,
    bounds: tuple[float, float] | None = None,
    label: str | None = None,
    in_form: bool = True,
    headless_only: bool = False,
    metavar: str | None = None,
    default_factory: Any = MISSING,
) -> Any:
    """A TrainConfig field with what the command line and the form need to offer it.

    bounds: the inclusive range of a number (a float's lower bound is exclusive: lr > 0).
    in_form: shown on the Train screen; headless_only: a flag only `train --headless` reads.
    """
    metadata = {
        "help": help,
        "choices": choices,
        "bounds": bounds,
        "label": label,
        "in_form": in_form,
        "headless_only": headless_only,
        "metavar": metavar,
    }
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides what a training run computes and where."""

    epochs: int = setting(5, "passes over the training split", bounds=(1, 1000))
    # The notebook's batch; the last partial batch is kept, as DataLoader does.
    batch_size: int = setting(64, "images per optimizer step", bounds=(1, 60_000))
    lr: float = setting(1e-3, "learning rate", bounds=(0.0, math.inf), label="learning rate")
    optimizer: str = setting("rmsprop", "the notebook's rmsprop, or another", choices=OPTIMIZERS)
    # 784*512 + 512 + 512*10 + 10 = 407,050 parameters at the notebook's 512.
    hidden: int = setting(
        512, "units in the hidden layer", bounds=(1, 16_384), label="hidden units"
    )
    seed: int = setting(0, "seeds the weights and the shuffle", bounds=(0, SEED_MAX))
    device: str = setting("auto", "auto: cuda when available, else cpu", choices=DEVICES)
    dataset: str = setting("mnist", "the dataset to train on", choices=DATASETS)
    data_dir: str | None = setting(
        None,
        "folder with the four IDX files, gz or not (default: the places the README lists)",
        in_form=False,
        metavar="DIR",
    )
    loader: str = setting(
        "device",
        "device: the fast path; torchvision: the notebook's PIL + DataLoader pipeline",
        choices=LOADERS,
        in_form=False,
        headless_only=True,
    )
    # The UI keeps a core; more threads than cores only fight each other.
    threads: int = setting(
        help="CPU threads for training; cores - 1 leaves one to the UI",
        default_factory=default_threads,
        bounds=(1, 4096),
        in_form=False,
        headless_only=True,
    )
    cuda_graph: bool = setting(
        True,
        "replay the step on cuda as one captured CUDA graph (eager if capture fails)",
        in_form=False,
        headless_only=True,
    )
    cpu_kernels: bool = setting(
        True,
        "run the step on the cpu in C, when core._cpu_kernels is built",
        in_form=False,
        headless_only=True,
    )

    def __post_init__(self) -> None:
        validate(self)

    def resolved_device(self) -> str:
        """The device the run will use: "auto" resolved against this machine (imports torch)."""
        if self.device == "cuda" and not cuda_available():
            raise ConfigError("device 'cuda' was asked for but no CUDA GPU is available to torch")
        if self.device == "auto":
            return "cuda" if cuda_available() else "cpu"
        return self.device

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Build from a dict, ignoring keys this version does not know (older checkpoints)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def config_fields() -> list[tuple[Field, type]]:
    """TrainConfig's fields in order, each with its type (int, float, str, bool, or str|None)."""
    hints = get_type_hints(TrainConfig)
    return [(f, hints[f.name]) for f in fields(TrainConfig)]


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def describe_range(kind: type, bounds: tuple[float, float]) -> str:
    """How a field's allowed values read in a message: "a whole number in 1..1000"."""
    low, high = bounds
    if kind is int:
        return f"a whole number in {low}..{high}"
    return f"a finite number > {low:g}" + (f" and <= {high:g}" if math.isfinite(high) else "")


def check_value(f: Field, kind: type, value: Any) -> None:
    """Raise ConfigError naming the field when `value` is not one it can take."""
    meta, name = f.metadata, f.name
    choices, bounds = meta.get("choices"), meta.get("bounds")
    if choices is not None and value not in choices:
        raise ConfigError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
    if kind is bool and not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false, got {value!r}")
    if kind is int and bounds is not None:
        low, high = bounds
        if not is_whole(value) or not low <= value <= high:
            raise ConfigError(f"{name} must be {describe_range(int, bounds)}, got {value!r}")
    if kind is float and bounds is not None:
        low, high = bounds
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or not low < value <= high:
            raise ConfigError(f"{name} must be {describe_range(float, bounds)}, got {value!r}")
    if kind is str and choices is None and not isinstance(value, str | None):
        raise ConfigError(f"{name} must be text, got {value!r}")


def validate(config: TrainConfig) -> None:
    """Raise ConfigError naming the first field that is wrong and what was expected."""
    for f, kind in config_fields():
        check_value(f, kind, getattr(config, f.name))
