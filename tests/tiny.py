"""Small, real training data for fast tests: the first samples of the synthetic digits."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from core.config import TrainConfig
from core.data import Split, load_splits


@lru_cache(maxsize=4)
def tiny_data(train: int = 512, test: int = 256) -> tuple[Split, Split]:
    full_train, full_test = load_splits("synthetic")

    def head(split: Split, n: int) -> Split:
        return replace(split, images=split.images[:n], labels=split.labels[:n])

    return head(full_train, train), head(full_test, test)


def tiny_config(**overrides) -> TrainConfig:
    """Two epochs of eight batches on one thread: a full run in a fraction of a second."""
    return TrainConfig(
        **{"dataset": "synthetic", "epochs": 2, "threads": 1, "device": "cpu"} | overrides
    )
