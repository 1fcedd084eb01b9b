"""The lesson's examples: rank, element-wise, broadcasting, dot, reshape, data tensors."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.tensorlab.sizes import MAX_NAIVE, check_size

# --- Rank ---------------------------------------------------------------------------------------


def rank_examples() -> list[tuple[str, np.ndarray]]:
    """The notebook's tensors of rank 0 to 3."""
    matrix = np.array([[5, 78, 2, 34, 0], [6, 79, 3, 35, 1], [7, 80, 4, 36, 2]])
    return [
        ("scalar", np.array(12)),
        ("vector", np.array([12, 3, 6, 14, 7])),
        ("matrix", matrix),
        ("3-D", np.stack([matrix] * 3)),
    ]


def loader_batch(images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """A batch as the notebook's loader hands it to the model: flattened to (B, 784), in [0, 1]."""
    batch = np.asarray(images[:batch_size])
    return batch.reshape(len(batch), -1).astype(np.float32) / 255


# --- Element-wise operations --------------------------------------------------------------------


def naive_relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0) one element at a time, as the notebook loops."""
    x = x.copy()
    for index in np.ndindex(x.shape):
        x[index] = max(x[index], 0)
    return x


def naive_add(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x + y one element at a time; both the same shape."""
    x = x.copy()
    for index in np.ndindex(x.shape):
        x[index] += y[index]
    return x


@dataclass(frozen=True)
class Comparison:
    """One operation done by a Python loop and by the library, timed, with the results compared."""

    name: str
    naive_seconds: float
    vectorized_seconds: float
    same: bool

    @property
    def ratio(self) -> float:
        return self.naive_seconds / max(self.vectorized_seconds, 1e-9)

    def summary(self) -> str:
        return f"vectorized {self.ratio:,.1f}x faster"


def best_time(function: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """The fastest of `repeat` runs, in seconds, and the last result."""
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def compare(name: str, naive: Callable, vectorized: Callable, repeat: int = 3) -> Comparison:
    naive_seconds, slow = best_time(naive, repeat)
    fast_seconds, fast = best_time(vectorized, repeat)
    return Comparison(name, naive_seconds, fast_seconds, bool(np.allclose(slow, fast)))


def compare_elementwise(shape: tuple[int, ...], seed: int = 0, repeat: int = 3) -> list[Comparison]:
    """relu and add on random (shape) arrays: the loops against np.maximum and +."""
    check_size(shape, MAX_NAIVE)
    rng = np.random.default_rng(seed)
    x, y = rng.random(shape) - 0.5, rng.random(shape)
    return [
        compare("relu", lambda: naive_relu(x), lambda: np.maximum(x, 0.0), repeat),
        compare("add", lambda: naive_add(x, y), lambda: x + y, repeat),
    ]


# --- Broadcasting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Broadcast:
    """How NumPy lines up two shapes: axes added on the left, then size-1 axes stretched."""

    x: tuple[int, ...]
    y: tuple[int, ...]
    x_padded: tuple[int, ...]
    y_padded: tuple[int, ...]
    result: tuple[int, ...]

    @property
    def added_axes(self) -> tuple[int, int]:
        return len(self.x_padded) - len(self.x), len(self.y_padded) - len(self.y)


def broadcast(x: tuple[int, ...], y: tuple[int, ...]) -> Broadcast:
    """The broadcast of two shapes; NumPy's ValueError if they do not broadcast."""
    result = np.broadcast_shapes(x, y)
    rank = len(result)
    return Broadcast(
        x, y, (1,) * (rank - len(x)) + tuple(x), (1,) * (rank - len(y)) + tuple(y), result
    )


def broadcast_maximum(x: tuple[int, ...], y: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """np.maximum of random arrays of these shapes, as the notebook computes it (size-capped)."""
    check_size(np.broadcast_shapes(x, y))
    rng = np.random.default_rng(seed)
    return np.maximum(rng.random(x, dtype=np.float32), rng.random(y, dtype=np.float32))


# --- Dot products -------------------------------------------------------------------------------


def zeros_view(shape: tuple[int, ...]) -> np.ndarray:
    """An array of any shape that takes no memory: for asking NumPy about shapes."""
    return np.broadcast_to(np.float32(0), shape)


def dot_shape(x: tuple[int, ...], y: tuple[int, ...]) -> tuple[int, ...]:
    """np.dot's result shape, without computing it; NumPy's own ValueError if not aligned."""
    if not x or not y:
        return tuple(y or x)
    if len(y) == 1:
        aligned, result = x[-1] == y[0], x[:-1]
    else:
        aligned, result = x[-1] == y[-2], x[:-1] + y[:-2] + y[-1:]
    if not aligned:
        np.dot(zeros_view(x), zeros_view(y))  # raises NumPy's "shapes ... not aligned"
    return tuple(result)


def dot_rule(x: tuple[int, ...], y: tuple[int, ...]) -> str:
    """Which axes must agree, in words."""
    if not x or not y:
        return "a scalar multiplies every element"
    if len(x) == 1 and len(y) == 1:
        return f"vector · vector: equal lengths ({x[0]} and {y[0]}); the result is a scalar"
    other = "y.shape[0]" if len(y) == 1 else "y.shape[-2]"
    return f"x.shape[-1] == {other}: {x[-1]} and {y[0] if len(y) == 1 else y[-2]}"


def naive_vector_dot(x: np.ndarray, y: np.ndarray) -> float:
    z = 0.0
    for i in range(x.shape[0]):
        z += x[i] * y[i]
    return z


def naive_matrix_vector_dot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    z = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        z[i] = naive_vector_dot(x[i, :], y)
    return z


def naive_matrix_dot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    z = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = naive_vector_dot(x[i, :], y[:, j])
    return z


def compare_dot(x_shape: tuple[int, ...], y_shape: tuple[int, ...], seed: int = 0) -> Comparison:
    """The notebook's loops against np.dot, for vectors and matrices (rank 1 and 2)."""
    result = dot_shape(x_shape, y_shape)
    if not (1 <= len(x_shape) <= 2 and 1 <= len(y_shape) <= 2) or len(x_shape) < len(y_shape):
        raise ValueError("the naive loops cover vector·vector, matrix·vector and matrix·matrix")
    check_size((math.prod(result) or 1, x_shape[-1]), MAX_NAIVE)
    rng = np.random.default_rng(seed)
    x, y = rng.random(x_shape), rng.random(y_shape)
    naive = {1: naive_vector_dot, 2: naive_matrix_vector_dot}[len(x_shape)]
    if len(y_shape) == 2:
        naive = naive_matrix_dot
    return compare("dot", lambda: naive(x, y), lambda: np.dot(x, y))


def dot_order_example() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x, y, dot(x, y) and dot(y, x): the order matters."""
    x = np.array([[1, 2], [3, 4]])
    y = np.array([[0, 1], [1, 0]])
    return x, y, np.dot(x, y), np.dot(y, x)


# --- Reshape and transpose ---------------------------------------------------------------------


def reshape_source() -> np.ndarray:
    return np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])


def reshape(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """x.reshape(shape); NumPy's own ValueError when the sizes differ."""
    return x.reshape(shape)


def transpose_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """np.transpose's result shape, asked of an array that takes no memory."""
    return np.transpose(zeros_view(shape)).shape


# --- Data tensors -------------------------------------------------------------------------------

DATA_TENSORS = [
    ("vector data", "100,000 people: age, postcode, income", (100_000, 3)),
    ("timeseries", "250 days of 390 minutes of 3 prices", (250, 390, 3)),
    ("images", "128 colour images of 256x256", (128, 256, 256, 3)),
    ("video", "4 clips of 240 frames, 144x256, colour", (4, 240, 144, 256, 3)),
]


def tensor_size(shape: tuple[int, ...], dtype: str = "float32") -> tuple[int, int]:
    """Values and bytes of a tensor of this shape, computed, never allocated."""
    count = math.prod(shape)
    return count, count * np.dtype(dtype).itemsize
