"""What the screens share: the loaded dataset and the command line's choices."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.data import Split


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


@dataclass
class Options:
    """The command line as the app sees it; later screens read their defaults from here."""

    dataset: str = "mnist"
    data_dir: str | None = None
    device: str = "auto"
    checkpoint: str | None = None
    training: dict = field(default_factory=dict)
    download: bool = True
