"""What the screens share: the loaded dataset, the trained model, the command line's choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.config import TrainConfig
from core.data import Split

if TYPE_CHECKING:  # torch is not on the start-up path
    from core.model import SimpleNN


@dataclass(frozen=True, eq=False)  # holds arrays: identity, not value, equality
class Dataset:
    """Train and test splits of one dataset, as loaded."""

    train: Split
    test: Split

    @property
    def name(self) -> str:
        return self.train.name

    def split(self, which: str) -> Split:
        return self.train if which == "train" else self.test


@dataclass(frozen=True, eq=False)  # a new model is a new value even with the same source text
class TrainedModel:
    """A trained network and where it came from, as the screens name it."""

    model: SimpleNN
    source: str  # "the last run (5 epochs, 97.93%)", "run.pt (hidden=512)"


@dataclass(frozen=True)
class Options:
    """The command line as the app sees it: the recipe to start from, and what to open."""

    training: TrainConfig = field(default_factory=TrainConfig)
    checkpoint: str | None = None
    runs: str | None = None  # the run store's folder (--runs); None: core.runs.runs_dir()
    download: bool = True  # False: never reach for the network (tests, offline demos)
    theme: str | None = None  # --theme NAME; None: the theme chosen last time (tui.settings)

    @property
    def dataset(self) -> str:
        return self.training.dataset

    @property
    def data_dir(self) -> str | None:
        return self.training.data_dir
