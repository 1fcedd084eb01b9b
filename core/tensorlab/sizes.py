"""How big a tensor is, as the lab prints it, and the limits on what the lab will allocate."""

from __future__ import annotations

import math

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
