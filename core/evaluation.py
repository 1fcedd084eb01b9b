"""What a trained network learned: accuracy, confusion, predictions, weights, drawn digits."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

from core.checkpoint import CheckpointError, check_model, saved_hidden
from core.checkpoint import load as load_checkpoint
from core.errors import first_line
from core.model import INPUT_SIZE, NUM_CLASSES, SimpleNN

# Re-exported: the scores are NumPy only and live apart, so the UI can use them without torch.
from core.scores import ClassScores as ClassScores
from core.scores import class_scores as class_scores
from core.scores import confusion_matrix


@dataclass(frozen=True)
class Evaluation:
    """One model on one labelled split; rows of `confusion` are true labels, columns predictions."""

    accuracy: float
    per_class: np.ndarray  # (10,) accuracy of each true label; NaN where a label never occurs
    confusion: np.ndarray  # (10, 10) int64 counts
    predictions: np.ndarray  # (N,) int64
    probabilities: np.ndarray  # (N, 10) float32 softmax
    labels: np.ndarray  # (N,) int64

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the samples with this true label that were predicted as `predicted`."""
        return np.flatnonzero((self.labels == true) & (self.predictions == predicted))

    def mistakes(self) -> np.ndarray:
        """Indices of wrong predictions, the most confident first."""
        wrong = np.flatnonzero(self.predictions != self.labels)
        confidence = self.probabilities[wrong, self.predictions[wrong]]
        return wrong[np.argsort(-confidence, kind="stable")]

    def scores(self) -> ClassScores:
        return class_scores(self.confusion)


def classify_split(
    model: torch.nn.Module,
    images: np.ndarray,
    labels: np.ndarray,
    device: str | torch.device = "cpu",
    batch_size: int = 2048,
) -> Evaluation:
    """Run the model over every image in batches on `device` and tabulate the results."""
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    device = torch.device(device)
    model = model.to(device).eval()
    pixels = torch.from_numpy(np.ascontiguousarray(images)).to(device).reshape(len(images), -1)
    probabilities = []
    with torch.no_grad():
        for start in range(0, len(pixels), batch_size):
            batch = pixels[start : start + batch_size].float().div_(255)
            probabilities.append(torch.softmax(model(batch), dim=1))
    probs = torch.cat(probabilities).cpu().numpy() if probabilities else np.zeros((0, 10))
    predictions = probs.argmax(axis=1).astype(np.int64)
    labels = np.asarray(labels, np.int64)
    confusion = confusion_matrix(labels, predictions, NUM_CLASSES)
    totals = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.diag(confusion) / totals
    return Evaluation(
        accuracy=float((predictions == labels).mean()) if len(labels) else float("nan"),
        per_class=per_class,
        confusion=confusion,
        predictions=predictions,
        probabilities=probs.astype(np.float32),
        labels=labels,
    )


def load_model(path: str | os.PathLike) -> tuple[SimpleNN, dict]:
    """The network stored in a checkpoint, on the CPU, and the config it was trained with.

    The weights pass the checks training applies before it resumes (core.checkpoint: keys,
    shapes for the config's hidden width, float32, layout, no NaN or infinity).
    """
    checkpoint = load_checkpoint(path)
    hidden = saved_hidden(checkpoint.config, path)
    check_model(checkpoint.model, hidden, path)
    model = SimpleNN(hidden)
    try:
        model.load_state_dict(checkpoint.model)
    except (RuntimeError, KeyError, TypeError) as err:  # check_model should have said why
        raise CheckpointError(
            f"{path} does not fit a {INPUT_SIZE}-{hidden}-{NUM_CLASSES} network ({first_line(err)})"
        ) from err
    return model.eval(), checkpoint.config


def predict(model: torch.nn.Module, image: np.ndarray) -> np.ndarray:
    """Softmax probabilities (10,) for one 28x28 uint8 image."""
    pixels = torch.from_numpy(np.ascontiguousarray(image, dtype=np.uint8)).reshape(1, INPUT_SIZE)
    parameter = next(model.parameters())
    with torch.no_grad():
        logits = model.eval()(pixels.to(parameter.device).float().div_(255))
    return torch.softmax(logits, dim=1)[0].cpu().numpy()


def first_layer_weights(model: SimpleNN) -> np.ndarray:
    """The first layer's weight vector of every hidden unit as a (hidden, 28, 28) image."""
    weights = model.fc1.weight.detach().cpu().numpy()
    return weights.reshape(-1, 28, 28)


def mnist_like(canvas: np.ndarray) -> np.ndarray:
    """Prepare a drawing as MNIST was: the ink's box fitted into 20x20, centred by mass in 28x28.

    LeCun et al. size-normalised each digit to 20x20 keeping its aspect ratio, then placed it
    so that its centre of mass sits at the centre of the 28x28 field.
    """
    from PIL import Image

    ink = np.asarray(canvas, dtype=np.uint8)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return np.zeros((28, 28), np.uint8)
    box = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = box.shape
    scale = 20.0 / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    fitted = np.asarray(
        Image.fromarray(box).resize(size, Image.Resampling.LANCZOS), dtype=np.float64
    )
    fitted = np.clip(fitted, 0, 255)
    out = np.zeros((28, 28), np.float64)
    top, left = (28 - size[1]) // 2, (28 - size[0]) // 2
    out[top : top + size[1], left : left + size[0]] = fitted
    total = out.sum()
    if total > 0:
        ys, xs = np.indices(out.shape)
        dy = round(13.5 - (ys * out).sum() / total)
        dx = round(13.5 - (xs * out).sum() / total)
        out = shift(out, dy, dx)
    return out.round().astype(np.uint8)


def shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Move an image by whole pixels, filling with zeros (no wrap-around)."""
    out = np.zeros_like(image)
    h, w = image.shape
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[yd, xd] = image[ys, xs]
    return out
