"""Scores read off a confusion matrix: NumPy only, so the UI thread can compute them without
importing torch (seconds on a small machine)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall and F1 of each class, from a confusion matrix; NaN where undefined.

    Precision: of the images predicted as the class, the share that are it (column-wise).
    Recall: of the images that are the class, the share predicted as it (row-wise; the same
    number as the class's accuracy). F1: their harmonic mean, which is low if either is low.
    """

    precision: np.ndarray  # (classes,)
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray  # (classes,) int64: how many images of each true class


def class_scores(confusion: np.ndarray) -> ClassScores:
    """Per-class precision, recall and F1 of a square confusion matrix (rows true, columns
    predicted). A class never predicted has no precision, one never present no recall (NaN);
    F1 is NaN if either is, and 0 where both are 0."""
    matrix = np.asarray(confusion, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"expected a square confusion matrix, got shape {matrix.shape}")
    right = np.diag(matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = right / matrix.sum(axis=0)
        recall = right / matrix.sum(axis=1)
        total = precision + recall
        f1 = np.where(total > 0, 2 * precision * recall / total, 0.0)
    f1 = np.where(np.isnan(total), np.nan, f1)
    support = np.asarray(confusion).sum(axis=1).astype(np.int64)
    return ClassScores(precision, recall, f1, support)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int = 10) -> np.ndarray:
    """Counts of (true, predicted) pairs, one bincount over the pair's flat index."""
    flat = np.asarray(labels, np.int64) * classes + np.asarray(predictions, np.int64)
    return np.bincount(flat, minlength=classes * classes).reshape(classes, classes)
