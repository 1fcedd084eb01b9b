"""Where a slice of an (N, H, W) image stack came from: the image, rows and columns it keeps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
