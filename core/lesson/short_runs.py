"""Short real training runs for the lesson: the recipe, or the recipe broken on purpose.

Every run goes through core.train.fit (the app's one epoch loop): a slice of the training split,
the whole test split, seed 0, on the CPU's plain torch step (the C step trains every
parameter, and a run without biases must leave them frozen). What fit cannot say in its
config is said honestly around it: shuffled labels are a permuted copy of the label array
passed in as data; biases kept at zero are zeroed and frozen by fit's prepare_model hook.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.events import EpochEnd
    from core.model import SimpleNN
    from core.train import SplitLike

TRAIN_IMAGES = 6_000  # a tenth of MNIST's training split: one epoch takes seconds here


@dataclass(frozen=True)
class Recipe:
    """The lecture's network and training, or one thing about them changed."""

    key: str  # "recipe", "no-biases", "shuffled-labels", "lr-1", "hidden-4"
    label: str  # as a result line names it: "biases kept at zero"
    hidden: int = 512
    lr: float = 1e-3
    shuffle_labels: bool = False
    zero_biases: bool = False


RECIPE = Recipe("recipe", "the recipe")
NO_BIASES = Recipe("no-biases", "biases kept at zero", zero_biases=True)
SHUFFLED_LABELS = Recipe("shuffled-labels", "labels shuffled", shuffle_labels=True)
LR_ONE = Recipe("lr-1", "learning rate 1.0", lr=1.0)
HIDDEN_FOUR = Recipe("hidden-4", "4 hidden units", hidden=4)


@dataclass(frozen=True)
class Arrays:
    """Images and labels as fit takes them (core.train.SplitLike), named for RunStarted."""

    images: np.ndarray
    labels: np.ndarray
    source: str


@dataclass(frozen=True)
class RunResult:
    """How a short run ended: its test accuracy after each epoch, or why it stopped."""

    recipe: Recipe
    images: int  # training images it saw each epoch
    epochs: tuple[EpochEnd, ...]
    failed: str | None  # the one-line reason when training could not go on (a NaN loss)

    @property
    def test_acc(self) -> float | None:
        return self.epochs[-1].test_acc if self.epochs else None

    @property
    def test_loss(self) -> float | None:
        return self.epochs[-1].test_loss if self.epochs else None

    def line(self) -> str:
        """One line for the screen: "labels shuffled: 9.8% of test images right, test loss 2.3"."""
        if self.failed is not None:
            return f"{self.recipe.label}: training broke down ({self.failed})"
        if self.test_acc is None:
            return f"{self.recipe.label}: stopped before an epoch ended"
        return (
            f"{self.recipe.label}: {self.test_acc:.1%} of test images right, "
            f"test loss {self.test_loss:.3g}"
        )


# What a broken run can do against the recipe: the break-it exercises' choices, by letter.
CHOICES = (
    ("a", "about the same as the recipe"),
    ("b", "it learns, but clearly worse"),
    ("c", "it learns nothing: about 10% right, like guessing"),
    ("d", "the loss explodes, far above the recipe's"),
)
SAME_WITHIN = 0.03  # accuracy points: one epoch on 6,000 images varies by about one
CHANCE_BELOW = 0.2  # ten classes: guessing gets 10%
EXPLODED_TIMES = 10  # a test loss this many times the recipe's has blown up


def which_choice(broken: RunResult, recipe: RunResult) -> str:
    """The letter of CHOICES that a broken run's numbers show, against the recipe's run."""
    if broken.failed is not None or broken.test_loss is None or broken.test_acc is None:
        return "d"  # a NaN loss is the one way fit stops a run by itself
    if recipe.test_loss is not None and broken.test_loss > EXPLODED_TIMES * recipe.test_loss:
        return "d"
    if broken.test_acc < CHANCE_BELOW:
        return "c"
    if recipe.test_acc is not None and recipe.test_acc - broken.test_acc <= SAME_WITHIN:
        return "a"
    return "b"


def choice_text(letter: str) -> str:
    return dict(CHOICES)[letter]


OnEpoch = Callable[[int, "SimpleNN"], None]


def short_run(
    train: SplitLike,
    test: SplitLike,
    recipe: Recipe = RECIPE,
    *,
    images: int = TRAIN_IMAGES,
    epochs: int = 1,
    on_start: Callable[[SimpleNN], None] | None = None,
    on_epoch: OnEpoch | None = None,
    stop: threading.Event | None = None,
) -> RunResult:
    """Train `recipe` for `epochs` on the first `images` training images, through fit.

    `train` and `test` have .images and .labels (a core.data.Split). `on_epoch(epoch, model)`
    runs in this thread after each epoch, the model uncopied (fit's on_epoch_model), and
    `on_start(model)` once before training, after any change the recipe makes to it.
    """
    from core.config import TrainConfig
    from core.train import fit

    train_images = np.asarray(train.images[:images])
    labels = np.asarray(train.labels[:images])
    if recipe.shuffle_labels:
        # Each image keeps a label, but not its own: there is nothing left to learn.
        labels = np.random.default_rng(0).permutation(labels)
    data = (
        Arrays(train_images, labels, f"the first {len(labels):,} training images"),
        Arrays(np.asarray(test.images), np.asarray(test.labels), "the test split"),
    )
    config = TrainConfig(
        dataset=getattr(train, "name", "mnist"),  # what the run says it trains on
        epochs=epochs,
        lr=recipe.lr,
        hidden=recipe.hidden,
        device="cpu",
        cpu_kernels=False,
    )
    result = fit(
        config,
        stop_event=stop,
        data=data,
        prepare_model=lambda model: prepare(model, recipe, on_start),
        on_epoch_model=on_epoch,
    )
    failed = None if result.ok else getattr(result.outcome, "reason", "it failed")
    return RunResult(recipe, len(labels), result.history, failed)


def prepare(model: SimpleNN, recipe: Recipe, on_start: Callable[[SimpleNN], None] | None) -> None:
    """What the recipe changes in the fresh model, then the caller's look at it."""
    if recipe.zero_biases:
        freeze_biases_at_zero(model)
    if on_start is not None:
        on_start(model)


def freeze_biases_at_zero(model: SimpleNN) -> None:
    """Zero every bias and take it out of training: no gradient, so the optimizer skips it."""
    import torch

    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("bias"):
                parameter.zero_()
                parameter.requires_grad_(False)


class RunCache:
    """Results kept for the session, per recipe and per loaded data (a new dataset starts
    afresh). Thread-safe: workers fill it, the UI reads it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: object | None = None
        self._results: dict[str, RunResult] = {}

    def get(self, data: object, key: str) -> RunResult | None:
        with self._lock:
            return self._results.get(key) if data is self._data else None

    def put(self, data: object, result: RunResult) -> None:
        with self._lock:
            if data is not self._data:
                self._data, self._results = data, {}
            self._results[result.recipe.key] = result


RESULTS = RunCache()


def cached_run(
    train: SplitLike, test: SplitLike, recipe: Recipe, stop: threading.Event | None = None
) -> RunResult:
    """short_run(train, test, recipe), run once per session and data; a run stopped part way
    is not kept."""
    found = RESULTS.get(train, recipe.key)
    if found is None:
        found = short_run(train, test, recipe, stop=stop)
        if stop is None or not stop.is_set():
            RESULTS.put(train, found)
    return found
