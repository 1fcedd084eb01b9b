"""Training configuration: one frozen dataclass, the only place the recipe is written.

Each field carries what a user needs to set it (help, choices, bounds). settings() reads that
once into a typed Setting per field, and everything that offers the fields is generated from
it: the command line (tui/cli/), the sweep's flags, the Train form, `serve`'s app command
line, and the checks every config passes. A new field reaches all of them without another edit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
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
        "run the step on the cpu in C, when the C step is built",
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


def flag(name: str) -> str:
    """The command-line flag of a field or option name: batch_size is --batch-size."""
    return "--" + name.replace("_", "-")


TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")


@dataclass(frozen=True)
class Setting:
    """One TrainConfig field as every place that offers it sees it; the only reader of the
    fields' metadata."""

    name: str
    kind: type  # int, float, str or bool; a "str | None" field (data_dir) is str
    help: str
    default: Any
    choices: tuple[Any, ...] | None
    bounds: tuple[float, float] | None  # inclusive, but a float's lower bound is exclusive
    label: str  # as the Train form names it
    in_form: bool
    headless_only: bool
    metavar: str | None

    @property
    def flag(self) -> str:
        return flag(self.name)

    @property
    def off_flag(self) -> str:
        """A switch's flag: --no-cuda-graph turns cuda_graph off."""
        return flag(f"no_{self.name}")

    @property
    def picked(self) -> bool:
        """Chosen from a list (a choice, or a switch), not typed."""
        return self.choices is not None or self.kind is bool

    def range_text(self) -> str:
        """How the allowed values read in a message: "a whole number in 1..1000"."""
        assert self.bounds is not None, f"{self.name} has no range"
        return describe_range(self.kind, self.bounds)

    def check(self, value: Any) -> None:
        """Raise ConfigError naming the field when `value` is not one it can take."""
        name, choices, bounds = self.name, self.choices, self.bounds
        if choices is not None and value not in choices:
            raise ConfigError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
        if self.kind is bool and not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false, got {value!r}")
        if self.kind is int and bounds is not None:
            low, high = bounds
            if not is_whole(value) or not low <= value <= high:
                raise ConfigError(f"{name} must be {self.range_text()}, got {value!r}")
        if self.kind is float and bounds is not None:
            low, high = bounds
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not math.isfinite(value) or not low < value <= high:
                raise ConfigError(f"{name} must be {self.range_text()}, got {value!r}")
        if self.kind is str and choices is None and not isinstance(value, str | None):
            raise ConfigError(f"{name} must be text, got {value!r}")

    def parse(self, text: str) -> Any:
        """One typed word as the field's value, checked; ConfigError says what is wrong."""
        value: Any = text
        if self.kind is int:
            try:
                value = int(text, 10)
            except ValueError:
                raise ConfigError(f"{text!r} is not a whole number") from None
        elif self.kind is float:
            try:
                value = float(text)
            except ValueError:
                raise ConfigError(f"{text!r} is not a number") from None
        elif self.kind is bool:
            if text.lower() not in TRUE_WORDS + FALSE_WORDS:
                raise ConfigError(f"{text!r} is neither true nor false")
            value = text.lower() in TRUE_WORDS
        self.check(value)
        return value


def settings() -> tuple[Setting, ...]:
    """A Setting for each TrainConfig field, in the config's order (every config built checks
    them all: read once per class, and a subclass patched in, a test's new field, is seen)."""
    return _settings_of(TrainConfig)


_SETTINGS: dict[type, tuple[Setting, ...]] = {}  # by config class: read once each


def _settings_of(config_class: type) -> tuple[Setting, ...]:
    if config_class not in _SETTINGS:
        _SETTINGS[config_class] = _read_settings(config_class)
    return _SETTINGS[config_class]


def _read_settings(config_class: type) -> tuple[Setting, ...]:
    hints = get_type_hints(config_class)
    found = []
    for f in fields(config_class):
        kind = hints[f.name]
        meta = f.metadata
        found.append(
            Setting(
                name=f.name,
                kind=kind if kind in (int, float, str, bool) else str,  # str | None: text
                help=meta["help"],
                default=f.default_factory() if callable(f.default_factory) else f.default,
                choices=meta["choices"],
                bounds=meta["bounds"],
                label=meta["label"] or f.name.replace("_", " "),
                in_form=meta["in_form"],
                headless_only=meta["headless_only"],
                metavar=meta["metavar"],
            )
        )
    return tuple(found)


def setting_named(name: str) -> Setting | None:
    return next((s for s in settings() if s.name == name), None)


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def describe_range(kind: type, bounds: tuple[float, float]) -> str:
    """How a field's allowed values read in a message: "a whole number in 1..1000"."""
    low, high = bounds
    if kind is int:
        return f"a whole number in {low}..{high}"
    return f"a finite number > {low:g}" + (f" and <= {high:g}" if math.isfinite(high) else "")


# What a run computes, as against where and how fast it runs: what continuing or showing a
# recorded run takes from it. Device, threads, loader, kernels and data folder stay this
# machine's (a run followed from a GPU box must not bring its 63 threads to a laptop).
RUN_FIELDS = ("epochs", "dataset", "hidden", "optimizer", "lr", "batch_size", "seed")


def with_run_settings(
    config: TrainConfig, recorded: Mapping[str, Any], names: Iterable[str] = RUN_FIELDS
) -> TrainConfig:
    """`config` with the recorded run's value for each of `names` it has. Raises ConfigError
    when a recorded value is not one this version takes."""
    kept = {name: recorded[name] for name in names if name in recorded}
    return replace(config, **kept)


def data_dir_here(recorded: Mapping[str, Any]) -> str | None:
    """A recorded run's data folder when this machine has it, else None (then the usual places
    are searched): continuing or judging a run reads the data it trained from, and a run from
    another host, whose folder is not here, does not stop that."""
    folder = recorded.get("data_dir")
    return folder if isinstance(folder, str) and folder and os.path.isdir(folder) else None


def validate(config: TrainConfig) -> None:
    """Raise ConfigError naming the first field that is wrong and what was expected."""
    for setting in _settings_of(type(config)):
        setting.check(getattr(config, setting.name))
