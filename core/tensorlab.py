"""The tensor lab's computations: inspecting tensors, the lesson's examples, geometry, projections.

Plain functions over NumPy arrays (torch tensors are accepted where noted). Anything sized by the
user is checked against MAX_ELEMENTS before it is allocated; sizes such as the video example's
are computed arithmetically. torch is imported only inside the functions that need it.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_ELEMENTS = 10_000_000  # what the lab will allocate for one user-sized array (40 MB as float32)
MAX_NAIVE = 200_000  # element operations a Python loop may take: well under a second


class TooLarge(ValueError):
    """A user-chosen shape the lab refuses to allocate; the message says how big it would be."""


def torch_size(shape: tuple[int, ...]) -> str:
    """A shape as PyTorch prints it: `torch.Size([60000, 28, 28])`."""
    return f"torch.Size([{', '.join(str(n) for n in shape)}])"


def format_bytes(count: int) -> str:
    """Binary units as the notebook counts them: 424,673,280 bytes is `405 MB`."""
    value = float(count)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            break
        value /= 1024
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} {unit}"


def check_size(shape: tuple[int, ...], limit: int = MAX_ELEMENTS) -> int:
    count = math.prod(shape)
    if count > limit:
        raise TooLarge(
            f"{count:,} elements is more than this lab allocates ({limit:,}); try smaller"
        )
    return count


# --- Inspector ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TensorFacts:
    """What the notebook asks of a tensor: ndim, shape, dtype, and how it sits in memory."""

    rank: int
    shape: tuple[int, ...]
    dtype: str  # NumPy's name, which is also torch's without the `torch.` prefix
    elements: int
    nbytes: int
    minimum: float | None  # None for an empty tensor
    maximum: float | None
    mean: float | None
    device: str
    strides: tuple[int, ...]  # in elements, as torch counts them, not bytes as NumPy does
    contiguous: bool

    def rows(self) -> list[tuple[str, str]]:
        def number(value: float | None) -> str:
            if value is None:
                return "-"
            return f"{value:g}" if float(value).is_integer() else f"{value:.4g}"

        return [
            ("ndim", str(self.rank)),
            ("shape", torch_size(self.shape)),
            ("dtype", f"torch.{self.dtype}  ({self.dtype})"),
            ("elements", f"{self.elements:,}"),
            ("bytes", f"{self.nbytes:,}  ({format_bytes(self.nbytes)})"),
            ("min / max", f"{number(self.minimum)} / {number(self.maximum)}"),
            ("mean", number(self.mean)),
            ("device", self.device),
            ("strides", str(self.strides)),
            ("contiguous", str(self.contiguous)),
        ]


def inspect_tensor(x) -> TensorFacts:
    """Facts of a NumPy array (as `torch.from_numpy` would see it, on the cpu) or a torch tensor."""
    if type(x).__module__.startswith("torch"):
        empty = x.numel() == 0
        return TensorFacts(
            rank=x.ndim,
            shape=tuple(x.shape),
            dtype=str(x.dtype).removeprefix("torch."),
            elements=x.numel(),
            nbytes=x.numel() * x.element_size(),
            minimum=None if empty else x.min().item(),
            maximum=None if empty else x.max().item(),
            mean=None if empty else x.double().mean().item(),
            device=str(x.device),
            strides=tuple(x.stride()),
            contiguous=x.is_contiguous(),
        )
    array = np.asarray(x)
    empty = array.size == 0
    return TensorFacts(
        rank=array.ndim,
        shape=array.shape,
        dtype=array.dtype.name,
        elements=array.size,
        nbytes=array.nbytes,
        minimum=None if empty else array.min().item(),
        maximum=None if empty else array.max().item(),
        mean=None if empty else float(array.mean()),
        device="cpu",
        strides=tuple(s // array.itemsize for s in array.strides),
        contiguous=bool(array.flags.c_contiguous),
    )


# --- Where a slice of images came from ---------------------------------------------------------


@dataclass(frozen=True)
class Crop:
    """The first image a slice of an (N, H, W) stack touches, and the rows and columns kept."""

    image_index: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]

    def cut(self, image: np.ndarray) -> np.ndarray:
        """The selected pixels, in the order the slice takes them (a negative step flips)."""
        return image[np.ix_(self.rows, self.cols)]

    def mark(self, image: np.ndarray, dim: float = 0.3) -> np.ndarray:
        """A copy of the image with everything outside the cut-out region dimmed."""
        keep = np.zeros(image.shape, dtype=bool)
        keep[np.ix_(self.rows, self.cols)] = True
        return np.where(keep, image, (image * dim).astype(image.dtype))


def full_key(key, ndim: int) -> tuple:
    """The key with `...` expanded and missing trailing axes filled by `:`."""
    parts = key if isinstance(key, tuple) else (() if key is None else (key,))
    if any(p is Ellipsis for p in parts):
        at = next(i for i, p in enumerate(parts) if p is Ellipsis)
        fill = (slice(None),) * (ndim - len(parts) + 1)
        parts = parts[:at] + fill + parts[at + 1 :]
    return parts + (slice(None),) * (ndim - len(parts))


def crop_of(key, shape: tuple[int, ...]) -> Crop | None:
    """The crop a valid basic-indexing key takes from an (N, H, W) stack; None if it takes none."""
    if len(shape) != 3:
        return None
    selected = [range(n)[part] for n, part in zip(shape, full_key(key, 3), strict=True)]
    images, rows, cols = (s if isinstance(s, range) else range(s, s + 1) for s in selected)
    if not (len(images) and len(rows) and len(cols)):
        return None
    return Crop(images[0], tuple(rows), tuple(cols))


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


# --- Geometry -----------------------------------------------------------------------------------

ROTATION = np.array([[0, -1], [1, 0]])  # a quarter turn anticlockwise


def shape_points() -> np.ndarray:
    """A small arrow-like point set, (n, 2), asymmetric so that every transform shows."""
    outline = [(0, 0), (2, 0), (2, 1), (3, 1), (1, 3), (-1, 1), (0, 1), (0, 0)]
    points = []
    for (x0, y0), (x1, y1) in itertools.pairwise(outline):
        for t in np.linspace(0, 1, 5, endpoint=False):
            points.append((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
    return np.array(points)


def affine(points: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
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


# --- Uncrumpling --------------------------------------------------------------------------------


def pca_2d(x):
    """The first two principal components of the rows of a torch tensor, signs made definite.

    An exact SVD rather than torch.pca_lowrank: its randomness would move the picture on every
    run, and a (1000, 784) SVD takes milliseconds.
    """
    import torch

    centered = x - x.mean(dim=0, keepdim=True)
    _, _, vh = torch.linalg.svd(centered, full_matrices=False)
    components = vh[:2]
    # Each component's largest entry positive, so the same data always gives the same picture.
    signs = torch.sign(components.gather(1, components.abs().argmax(dim=1, keepdim=True)))
    return centered @ (components * signs).T


def project_representations(
    model, images: np.ndarray, labels: np.ndarray, n: int = 1000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2-D projections of the first n images' pixels and of the model's hidden activations."""
    import torch

    device = next(model.parameters()).device
    pixels = torch.as_tensor(np.array(images[:n]), device=device).reshape(-1, 784).float() / 255
    was_training = model.training
    model.eval()
    with torch.no_grad():
        hidden = model.relu(model.fc1(pixels))
    model.train(was_training)
    return (
        pca_2d(pixels).cpu().numpy(),
        pca_2d(hidden).cpu().numpy(),
        np.asarray(labels[: len(pixels)]),
    )


def centroid_accuracy(points: np.ndarray, labels: np.ndarray) -> float:
    """How separable the classes are in a projection: nearest-class-centroid accuracy."""
    classes = np.unique(labels)
    centroids = np.stack([points[labels == c].mean(axis=0) for c in classes])
    distances = ((points[:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    return float((classes[distances.argmin(axis=1)] == labels).mean())
