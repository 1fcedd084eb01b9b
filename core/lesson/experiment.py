"""Steps that train on request: what they run, and the pictures a run leaves at each epoch.

A RunStep is a Step with a short training run attached (core.lesson.short_runs): the Lesson
screen offers a key for it, runs it off the UI thread and draws what comes back. The
pictures are taken in the training thread (fit's hooks), as plain arrays the UI can draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.lesson.short_runs import RECIPE, TRAIN_IMAGES, Recipe
from core.lesson.types import LessonContext, Outcome, Step

if TYPE_CHECKING:
    from core.model import SimpleNN
    from core.train import SplitLike

UNITS_SHOWN = 4  # hidden units whose weights are drawn: four 28x28 pictures fit 80 columns
PROJECTED = 500  # test images in the projection: an SVD of milliseconds each epoch


@dataclass(frozen=True)
class RunStep(Step):
    """A step whose key trains `recipes` (the first is what the others are compared with)."""

    recipes: tuple[Recipe, ...] = (RECIPE,)
    epochs: int = 1
    images: int = TRAIN_IMAGES
    live: bool = False  # redraw the weights and the projection at each epoch's end


@dataclass(frozen=True)
class Frame:
    """The network seen at one moment of a run: a few units' weights and the hidden layer."""

    epoch: int  # epochs finished: 0 is the untrained network
    epochs: int  # in the whole run
    weights: np.ndarray  # (UNITS_SHOWN, 28, 28): the first units' incoming weights
    points: np.ndarray  # (PROJECTED, 2): the hidden activations' first two components
    labels: np.ndarray  # (PROJECTED,): each point's class
    accuracy: float  # on those PROJECTED test images


def take_frame(model: SimpleNN, test: SplitLike, epoch: int, epochs: int) -> Frame:
    """Copy what the pictures need out of the model (in the training thread, between epochs)."""
    import torch

    from core.tensorlab import project_representations

    images, labels = test.images[:PROJECTED], test.labels[:PROJECTED]
    weights = model.fc1.weight.detach()[:UNITS_SHOWN].reshape(-1, 28, 28).cpu().numpy().copy()
    _, hidden, labels = project_representations(model, images, labels, n=PROJECTED)
    with torch.no_grad():
        pixels = torch.as_tensor(np.asarray(images)).float().div(255)
        right = (model(pixels).argmax(1).numpy() == labels).mean()
    return Frame(epoch, epochs, weights, hidden, labels, float(right))


def on_request(ctx: LessonContext) -> Outcome:
    """The value box of a RunStep: nothing is computed until the learner starts the run."""
    return Outcome(
        "(press x to run it; its results appear below)",
        None,
        "a short real training run; it starts only when you ask, and takes seconds",
    )
