"""How big a tensor is, as the lab prints it, and the limits on what the lab reasons about.

Every shape the user types passes `check_shape` before anything is computed from it: at most
MAX_DIMS axes, each a size NumPy could make, and, for shapes that will be allocated, at most a
given number of elements. The shape rules themselves (broadcasting, dot, reshape) are worked
out from the numbers alone, so a refusal costs nothing however big the sizes are.
"""

from __future__ import annotations

import math

MAX_ELEMENTS = 10_000_000  # what the lab will allocate for one user-sized array (40 MB as float32)
MAX_NAIVE = 200_000  # element operations a Python loop may take: well under a second
MAX_DIMS = 8  # axes in a typed shape: the lesson's largest has 5
MAX_COUNT = 2**63 - 1  # NumPy's largest index: no axis, and no array, it makes is longer


class TooLarge(ValueError):
    """A user-chosen shape the lab refuses to allocate; the message says how big it would be."""


def torch_size(shape: tuple[int, ...]) -> str:
    """A shape as PyTorch prints it: `torch.Size([60000, 28, 28])`."""
    return f"torch.Size([{', '.join(str(n) for n in shape)}])"


def format_bytes(count: int) -> str:
    """Binary units as the notebook counts them: 424,673,280 bytes is `405 MB`.

    Integer arithmetic first, so that any count prints, however large.
    """
    units = ("B", "KB", "MB", "GB", "TB")
    power = 0
    while power < len(units) - 1 and count >= 1024 ** (power + 1):
        power += 1
    whole, rest = divmod(count, 1024**power)
    if whole >= 1_000_000:
        return f"{count_text(whole)} {units[power]}"
    text = f"{whole + rest / 1024**power:.1f}".rstrip("0").rstrip(".")
    return f"{text} {units[power]}"


def count_text(count: int) -> str:
    """A count with thousands separators, or its order of magnitude when that would be long."""
    digits = len(str(abs(count)))
    return f"{count:,}" if digits <= 24 else f"about {'-' if count < 0 else ''}10^{digits - 1}"


def check_size(shape: tuple[int, ...], limit: int = MAX_ELEMENTS) -> int:
    """The element count of `shape`; TooLarge if it is more than `limit`."""
    count = math.prod(shape)
    if count > limit:
        raise TooLarge(
            f"{count_text(count)} elements is more than this lab allocates ({limit:,}); try smaller"
        )
    return count


def check_shape(shape: tuple[int, ...], limit: int = MAX_COUNT) -> int:
    """The element count of a shape the lab will reason about, or a one-line refusal.

    At most MAX_DIMS axes, each from 0 to MAX_COUNT, at most MAX_COUNT elements in all (what
    NumPy could make), and at most `limit` elements (what the caller will allocate).
    """
    if len(shape) > MAX_DIMS:
        raise TooLarge(
            f"{len(shape)} dimensions is more than this lab takes ({MAX_DIMS}); try fewer"
        )
    for size in shape:
        if size < 0:
            raise ValueError(f"negative dimension {size}: every axis is 0 or more long")
        if size > MAX_COUNT:
            raise TooLarge(
                f"an axis of {count_text(size)} is longer than NumPy allows ({MAX_COUNT:,})"
            )
    count = math.prod(shape)
    if count > MAX_COUNT:
        raise TooLarge(f"{count_text(count)} elements is more than NumPy can index ({MAX_COUNT:,})")
    return check_size(shape, limit)
