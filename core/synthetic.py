"""Deterministic stand-in digits drawn with Pillow, for snapshot tests and offline demos.

Not MNIST: every screen that shows them says "synthetic". They have MNIST's shapes and dtypes,
and enough variety (font size, stroke width, rotation, shift) for a network to learn something.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

SIZES = {"train": 6000, "test": 1000}
SEEDS = {"train": 0, "test": 1}
FONT_SIZES = (18, 20, 22, 24)
STROKES = (0, 1)


@lru_cache(maxsize=1)
def glyphs() -> dict[tuple[int, int, int], Image.Image]:
    """Each digit drawn once per font size and stroke width, centred on a 28x28 canvas."""
    from PIL import Image, ImageDraw, ImageFont

    drawn: dict[tuple[int, int, int], Image.Image] = {}
    for size in FONT_SIZES:
        font = ImageFont.load_default(size=size)
        for stroke in STROKES:
            for digit in range(10):
                image = Image.new("L", (28, 28), 0)
                ImageDraw.Draw(image).text(
                    (14, 14),
                    str(digit),
                    fill=255,
                    font=font,
                    anchor="mm",
                    stroke_width=stroke,
                    stroke_fill=255,
                )
                drawn[digit, size, stroke] = image
    return drawn


def make_digits(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` images (count, 28, 28) uint8 and labels (count,) int64, the same for a seed."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=count, dtype=np.int64)
    sizes = rng.choice(FONT_SIZES, size=count)
    strokes = rng.choice(STROKES, size=count)
    angles = rng.uniform(-15.0, 15.0, size=count)
    shifts = rng.integers(-3, 4, size=(count, 2))
    images = np.empty((count, 28, 28), dtype=np.uint8)
    table = glyphs()
    for i in range(count):
        glyph = table[int(labels[i]), int(sizes[i]), int(strokes[i])]
        dx, dy = (int(s) for s in shifts[i])
        moved = glyph.rotate(
            float(angles[i]), resample=Image.Resampling.BILINEAR, translate=(dx, dy)
        )
        images[i] = np.asarray(moved, dtype=np.uint8)
    return images, labels


@cache
def drawn_split(split: str) -> tuple[np.ndarray, np.ndarray]:
    """A split's digits, drawn once a process: 7,000 rotations are about 0.2 s on 2 cores, and
    each app the test suite starts (hundreds) loads them, as does switching datasets back."""
    return make_digits(SIZES[split], SEEDS[split])


def synthetic_arrays(split: str) -> tuple[np.ndarray, np.ndarray, str]:
    """Images, labels and a description of where they came from, for "train" or "test".

    Copies of the drawn arrays (a millisecond), so that no caller's change reaches the next."""
    images, labels = drawn_split(split)
    source = f"synthetic digits drawn with Pillow (seed {SEEDS[split]}), not MNIST"
    return images.copy(), labels.copy(), source
