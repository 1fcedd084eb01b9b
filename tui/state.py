"""What the screens share: the loaded dataset, the trained model, the command line's choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.config import TrainConfig
from core.data import Split

if TYPE_CHECKING:  # torch is not on the start-up path
    from core.events import EpochEnd
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
    """The app's current run: a trained network, and which run it is.

    One value that Train (`w`, `e`), Evaluate and the lesson all show and act on: the run
    trained or followed on the Train screen, a recorded run taken from the store, or a
    checkpoint file opened on Evaluate (no run id then).
    """

    model: SimpleNN
    source: str  # "run 1a2b3c4d (5 epochs, 97.93%)", "run.pt (hidden=512)"
    run_id: str | None = None  # its id in the run store, when it is a recorded run
    checkpoint: str | None = None  # the file its weights are saved in
    config: TrainConfig | None = None  # the settings it was trained with
    history: tuple[EpochEnd, ...] = ()  # its finished epochs, for the lesson's figures


def run_source(run_id: str | None, epochs: int, test_acc: float | None) -> str:
    """How the screens name a run: "run 1a2b3c4d (5 epochs, 97.93%)"."""
    what = f"run {run_id}" if run_id else "the last run (not recorded)"
    figures = [f"{epochs} epoch{'s' if epochs != 1 else ''}"]
    figures += [] if test_acc is None else [f"{test_acc:.2%}"]
    return f"{what} ({', '.join(figures)})"


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
