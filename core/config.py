"""Training configuration: one frozen dataclass, validated when it is built."""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from core.data import DATASETS

OPTIMIZERS = ("rmsprop", "sgd", "adam")
DEVICES = ("auto", "cpu", "cuda")
LOADERS = ("device", "torchvision")


class ConfigError(ValueError):
    """A configuration value is out of range; the message is one line for the user."""


def default_threads() -> int:
    # Leave one core to the UI thread (and the terminal) on small machines.
    return max(1, (os.cpu_count() or 1) - 1)


def cuda_available() -> bool:
    import torch  # deferred: building a config must not pay for importing torch

    return torch.cuda.is_available()


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides what a training run computes and where."""

    dataset: str = "mnist"
    data_dir: str | None = None  # None: core.data's default place for the dataset
    epochs: int = 5
    batch_size: int = 64  # the notebook's; the last partial batch is kept, as DataLoader does
    lr: float = 1e-3
    optimizer: str = "rmsprop"  # the notebook's; sgd and adam for comparison
    hidden: int = 512  # 784*512 + 512 + 512*10 + 10 = 407,050 parameters
    seed: int = 0
    device: str = "auto"  # auto: cuda when available, else cpu
    loader: str = "device"  # "torchvision" reproduces the notebook's PIL + DataLoader pipeline
    threads: int = field(default_factory=default_threads)  # CPU intra-op threads
    cuda_graph: bool = True  # capture the training step on cuda (falls back to eager if it fails)
    cpu_kernels: bool = True  # on the cpu, run the step in C when core._cpu_kernels is built

    def __post_init__(self) -> None:
        validate(self)

    def resolved_device(self) -> str:
        """The device the run will use: "auto" resolved against this machine."""
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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(config: TrainConfig) -> None:
    """Raise ConfigError naming the first field that is wrong and what was expected."""
    if config.dataset not in DATASETS:
        raise ConfigError(
            f"unknown dataset {config.dataset!r}; choose one of {', '.join(DATASETS)}"
        )
    for name in ("epochs", "batch_size", "hidden", "threads"):
        value = getattr(config, name)
        if not _is_int(value) or value < 1:
            raise ConfigError(f"{name} must be a whole number >= 1, got {value!r}")
    if not _is_int(config.seed):
        raise ConfigError(f"seed must be a whole number, got {config.seed!r}")
    lr = config.lr
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not math.isfinite(lr) or lr <= 0:
        raise ConfigError(f"lr must be a finite number > 0, got {lr!r}")
    if config.optimizer not in OPTIMIZERS:
        raise ConfigError(
            f"unknown optimizer {config.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}"
        )
    if config.device not in DEVICES:
        raise ConfigError(f"unknown device {config.device!r}; choose one of {', '.join(DEVICES)}")
    if config.device == "cuda" and not cuda_available():
        raise ConfigError("device 'cuda' was asked for but no CUDA GPU is available to torch")
    if config.loader not in LOADERS:
        raise ConfigError(f"unknown loader {config.loader!r}; choose one of {', '.join(LOADERS)}")
