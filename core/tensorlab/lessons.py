"""The lesson's examples: rank, element-wise, broadcasting, dot, reshape, data tensors.

The shape rules (broadcasting, np.dot's result, reshape's sizes, transpose) are worked out from
the shapes' numbers alone, with NumPy's own messages, so that "not aligned" or "cannot be
broadcast" costs nothing whatever the sizes. Only the functions that make arrays allocate, and
each checks every shape it makes against its cap first.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike

from core.tensorlab.sizes import MAX_ELEMENTS, MAX_NAIVE, TooLarge, check_shape

# --- Rank ---------------------------------------------------------------------------------------


# The lecture's examples, value for value: its 5-entry vector and its 3x5 matrix, stacked three
# times for the 3-D tensor.
LECTURE_VECTOR = (12, 3, 6, 14, 5)
LECTURE_MATRIX = ((5, 78, 2, 34, 0), (6, 79, 3, 35, 1), (7, 80, 4, 36, 2))


def rank_examples() -> list[tuple[str, np.ndarray]]:
    """The lecture's tensors of rank 0 to 3, integers as NumPy makes them from Python ints."""
    matrix = np.array(LECTURE_MATRIX)
    return [
        ("scalar", np.array(12)),
        ("vector", np.array(LECTURE_VECTOR)),
        ("matrix", matrix),
        ("3-D", np.stack([matrix] * 3)),
    ]


def shape_tuple(shape: tuple[int, ...]) -> str:
    """A shape as Python prints a NumPy shape: `(3, 5)`, `(5,)`, `()`."""
    return str(tuple(int(n) for n in shape))


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


T = TypeVar("T")


def best_time(function: Callable[[], T], repeat: int = 3) -> tuple[float, T | None]:
    """The fastest of `repeat` runs, in seconds, and the last result (None if none ran)."""
    best: float = math.inf
    result: T | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def compare(
    name: str,
    naive: Callable[[], ArrayLike],
    vectorized: Callable[[], ArrayLike],
    repeat: int = 3,
) -> Comparison:
    naive_seconds, slow = best_time(naive, repeat)
    fast_seconds, fast = best_time(vectorized, repeat)
    assert slow is not None and fast is not None  # repeat >= 1: each was run and timed
    return Comparison(name, naive_seconds, fast_seconds, bool(np.allclose(slow, fast)))


def compare_elementwise(shape: tuple[int, ...], seed: int = 0, repeat: int = 3) -> list[Comparison]:
    """relu and add on random (shape) arrays: the loops against np.maximum and +."""
    check_shape(shape, MAX_NAIVE)
    rng = np.random.default_rng(seed)
    # asarray: for the scalar shape () the generator returns a float, not a 0-d array
    x, y = np.asarray(rng.random(shape) - 0.5), np.asarray(rng.random(shape))
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


def broadcast_shape(x: tuple[int, ...], y: tuple[int, ...]) -> tuple[int, ...]:
    """np.broadcast_shapes(x, y) from the numbers alone, any rank; NumPy's message if they clash.

    Axis by axis from the right: equal lengths stay, a length 1 takes the other's length.
    """
    rank = max(len(x), len(y))
    x_padded, y_padded = (1,) * (rank - len(x)) + tuple(x), (1,) * (rank - len(y)) + tuple(y)
    result = []
    for a, b in zip(x_padded, y_padded, strict=True):
        if a != b and 1 not in (a, b):
            raise ValueError(
                "shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is "
                f"between arg 0 with shape {tuple(x)} and arg 1 with shape {tuple(y)}."
            )
        result.append(b if a == 1 else a)
    return tuple(result)


def broadcast(x: tuple[int, ...], y: tuple[int, ...]) -> Broadcast:
    """The broadcast of two shapes, allocating nothing; NumPy's message if they do not broadcast."""
    result = broadcast_shape(x, y)
    rank = len(result)
    return Broadcast(
        tuple(x),
        tuple(y),
        (1,) * (rank - len(x)) + tuple(x),
        (1,) * (rank - len(y)) + tuple(y),
        result,
    )


def broadcast_maximum(
    x: tuple[int, ...], y: tuple[int, ...], seed: int = 0, limit: int = MAX_ELEMENTS
) -> np.ndarray:
    """np.maximum of random arrays of these shapes, as the notebook computes it.

    x, y and the result are each checked against `limit` before anything is made: a result of
    size 0 can come from an operand far too big to allocate.
    """
    for shape in (x, y, broadcast_shape(x, y)):
        check_shape(shape, limit)
    rng = np.random.default_rng(seed)
    return np.maximum(rng.random(x, dtype=np.float32), rng.random(y, dtype=np.float32))


# --- Dot products -------------------------------------------------------------------------------


def numpy_shape(shape: tuple[int, ...]) -> str:
    """A shape as NumPy's C messages print it: `(4,3)`, `(3,)`, `()`."""
    return f"({','.join(str(n) for n in shape)}{',' if len(shape) == 1 else ''})"


def dot_shape(x: tuple[int, ...], y: tuple[int, ...]) -> tuple[int, ...]:
    """np.dot's result shape from the numbers alone; NumPy's own message if not aligned.

    x's last axis meets y's only axis (a vector) or its second-to-last; a scalar scales.
    """
    x, y = tuple(x), tuple(y)
    if not x or not y:
        return y or x
    axis = 0 if len(y) == 1 else len(y) - 2
    if x[-1] != y[axis]:
        raise ValueError(
            f"shapes {numpy_shape(x)} and {numpy_shape(y)} not aligned: "
            f"{x[-1]} (dim {len(x) - 1}) != {y[axis]} (dim {axis})"
        )
    return x[:-1] + y[:axis] + y[axis + 1 :]


def dot_rule(x: tuple[int, ...], y: tuple[int, ...]) -> str:
    """Which axes must agree, in words."""
    if not x or not y:
        return "a scalar multiplies every element"
    if len(x) == 1 and len(y) == 1:
        return f"vector · vector: equal lengths ({x[0]} and {y[0]}); the result is a scalar"
    other = "y.shape[0]" if len(y) == 1 else "y.shape[-2]"
    return f"x.shape[-1] == {other}: {x[-1]} and {y[0] if len(y) == 1 else y[-2]}"


def naive_vector_dot(u: np.ndarray, v: np.ndarray) -> float:
    """u · v as Python runs it: one multiply and one add per element, the baseline np.dot beats."""
    total = 0.0
    for k in range(len(u)):
        total += u[k] * v[k]
    return total


def naive_matrix_vector_dot(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Each row of m dotted with v, by the loop above."""
    return np.array([naive_vector_dot(row, v) for row in m], dtype=float)


def naive_matrix_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Entry (r, c) is row r of a dotted with column c of b, each by the loop above."""
    columns = b.T
    entries = [[naive_vector_dot(row, col) for col in columns] for row in a]
    return np.array(entries, dtype=float).reshape(len(a), b.shape[1])  # keeps (0, c) shapes


def compare_dot(x_shape: tuple[int, ...], y_shape: tuple[int, ...], seed: int = 0) -> Comparison:
    """The notebook's loops against np.dot, for vectors and matrices (rank 1 and 2)."""
    result = dot_shape(x_shape, y_shape)
    if not (1 <= len(x_shape) <= 2 and 1 <= len(y_shape) <= 2) or len(x_shape) < len(y_shape):
        raise ValueError("the naive loops cover vector·vector, matrix·vector and matrix·matrix")
    for shape in (x_shape, y_shape, result):
        check_shape(shape, MAX_NAIVE)
    steps = max(math.prod(result), 1) * max(x_shape[-1], 1)  # the loops' multiply-adds
    if steps > MAX_NAIVE:
        raise TooLarge(
            f"{steps:,} multiply-adds is more than the Python loops take ({MAX_NAIVE:,}); "
            "try smaller"
        )
    rng = np.random.default_rng(seed)
    x, y = rng.random(x_shape), rng.random(y_shape)
    loops: dict[int, Callable[[np.ndarray, np.ndarray], float | np.ndarray]] = {
        1: naive_vector_dot,
        2: naive_matrix_vector_dot,
    }
    naive = loops[len(x_shape)]
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
    """The lecture's (3, 2) array of the integers 0 to 5."""
    return np.arange(6).reshape(3, 2)


def reshape(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """x.reshape(shape); NumPy's own message when the sizes differ, found from the numbers."""
    check_shape(shape)
    if math.prod(shape) != x.size:  # before NumPy sees it: it overflows on huge sizes
        raise ValueError(f"cannot reshape array of size {x.size} into shape {numpy_shape(shape)}")
    return x.reshape(shape)


def transpose_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """np.transpose's result shape: the axes reversed."""
    return tuple(reversed(shape))


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
