"""Tensor operations as geometry: a 2-D point set moved by translations, rotations and affines."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np

ROTATION = np.array([[0, -1], [1, 0]])  # a quarter turn anticlockwise


def shape_points() -> np.ndarray:
    """A small arrow-like point set, (n, 2), asymmetric so that every transform shows."""
    outline = [(0, 0), (2, 0), (2, 1), (3, 1), (1, 3), (-1, 1), (0, 1), (0, 0)]
    points = []
    for (x0, y0), (x1, y1) in itertools.pairwise(outline):
        for t in np.linspace(0, 1, 5, endpoint=False):
            points.append((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
    return np.array(points)


def affine(points: np.ndarray, w: np.ndarray, b: np.ndarray | float) -> np.ndarray:
    """w · p + b for every point p (the rows of `points`)."""
    return points @ np.asarray(w).T + b


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def rotation_matrix(theta: float) -> np.ndarray:
    return np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])


def compose_affine(w1, b1, w2, b2) -> tuple[np.ndarray, np.ndarray]:
    """The one affine map equal to w2 · (w1 · p + b1) + b2."""
    w1, b1, w2, b2 = (np.asarray(a, dtype=float) for a in (w1, b1, w2, b2))
    return w2 @ w1, w2 @ b1 + b2


AFFINE_W = np.array([[1.0, 0.5], [-0.5, 1.0]])
AFFINE_B = np.array([-2.0, 1.0])
AFFINE2_W = np.array([[0.5, -1.0], [1.0, 0.5]])
AFFINE2_B = np.array([1.0, -1.0])

# name: (formula shown, the map on an (n, 2) point set)
TRANSFORMS: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "translation": ("p + [3, 1]", lambda p: p + np.array([3, 1])),
    "rotation": ("[[0, -1], [1, 0]] · p", lambda p: affine(p, ROTATION, 0)),
    "rotation 30°": ("R(30°) · p", lambda p: affine(p, rotation_matrix(math.pi / 6), 0)),
    "scaling": ("[[2, 0], [0, 0.5]] · p", lambda p: affine(p, np.diag([2.0, 0.5]), 0)),
    "affine": ("W · p + b", lambda p: affine(p, AFFINE_W, AFFINE_B)),
    "affine + relu": ("relu(W · p + b)", lambda p: relu(affine(p, AFFINE_W, AFFINE_B))),
    "two affines": (
        "W2 · (W · p + b) + b2",
        lambda p: affine(affine(p, AFFINE_W, AFFINE_B), AFFINE2_W, AFFINE2_B),
    ),
}


def rotation_facts() -> list[tuple[str, np.ndarray]]:
    """The notebook's three products of the rotation with x = [2, 0]."""
    x = np.array([2, 0])
    return [
        ("rotation · x", np.dot(ROTATION, x)),
        ("x · rotation", np.dot(x, ROTATION)),
        ("rotation * x", ROTATION * x),
    ]
