"""Greyscale images as terminal text: ASCII ramp, half blocks, braille and the pixel matrix.

Pure functions over a 2-D uint8 array of any size (a 28x28 digit, a crop, a thumbnail). The
"dark" palette draws light ink on a dark terminal; "binary" is matplotlib's cm.binary, the
notebook's dark ink on a light background.
"""

from __future__ import annotations

import numpy as np
from rich.style import Style
from rich.text import Text

MODES = ("halfblock", "ascii", "braille")
PALETTES = ("dark", "binary")
ASCII_RAMP = " .:-=+*#%@"
# Braille dot bits, indexed [row][column] inside a 2-wide, 4-tall cell (Unicode order).
BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
BRAILLE_BASE = 0x2800


def check_image(image: np.ndarray) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D image, got shape {tuple(array.shape)}")
    if array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    return array


def ink(image: np.ndarray, palette: str) -> np.ndarray:
    """Brightness to draw for each pixel under the palette (binary: dark ink on light)."""
    if palette not in PALETTES:
        raise ValueError(f"unknown palette {palette!r}: choose one of {', '.join(PALETTES)}")
    return image if palette == "dark" else 255 - image


def ascii_art(image: np.ndarray, palette: str = "dark", rows_per_line: int = 1) -> str:
    """One character per pixel from a ten-step ramp; rows joined by newlines.

    rows_per_line=2 averages each pair of rows: a terminal cell is about twice as tall as wide,
    so the digit keeps its proportions and fits 14 lines, as the half blocks do.
    """
    shade = ink(check_image(image), palette)
    if rows_per_line > 1:
        padded = pad_rows(shade, rows_per_line).astype(np.float64)
        shade = padded.reshape(-1, rows_per_line, padded.shape[1]).mean(axis=1).astype(np.uint8)
    steps = (shade.astype(np.uint16) * len(ASCII_RAMP)) // 256
    ramp = np.array(list(ASCII_RAMP))
    return "\n".join("".join(row) for row in ramp[steps])


def pad_rows(image: np.ndarray, multiple: int) -> np.ndarray:
    extra = (-image.shape[0]) % multiple
    return np.pad(image, ((0, extra), (0, 0))) if extra else image


def grey(value: int) -> str:
    return f"#{value:02x}{value:02x}{value:02x}"


def halfblocks(image: np.ndarray, palette: str = "dark", color: bool = True) -> Text:
    """Two pixels per cell with "▀": top pixel as foreground, bottom pixel as background.

    Without colour (a pipe, NO_COLOR) each half is thresholded to ink or paper instead.
    """
    array = pad_rows(check_image(image), 2)
    shade = ink(array, "dark" if not color else palette)
    text = Text(no_wrap=True, overflow="crop")
    for r in range(0, shade.shape[0], 2):
        top, bottom = shade[r], shade[r + 1]
        if color:
            for t, b in zip(top.tolist(), bottom.tolist(), strict=True):
                text.append("▀", Style(color=grey(t), bgcolor=grey(b)))
        else:
            on_top, on_bottom = top >= 128, bottom >= 128
            if palette == "binary":
                on_top, on_bottom = ~on_top, ~on_bottom
            text.append(
                "".join(" ▀▄█"[int(t) + 2 * int(b)] for t, b in zip(on_top, on_bottom, strict=True))
            )
        if r + 2 < shade.shape[0]:
            text.append("\n")
    return text


def braille(image: np.ndarray, palette: str = "dark", threshold: int = 96) -> str:
    """Eight pixels per cell (2 wide, 4 tall) as braille dots; a dot where the ink is bright."""
    array = check_image(image)
    extra_cols = array.shape[1] % 2
    array = pad_rows(np.pad(array, ((0, 0), (0, extra_cols))) if extra_cols else array, 4)
    dots = ink(array, palette) >= threshold
    rows = []
    for r in range(0, dots.shape[0], 4):
        cells = np.zeros(dots.shape[1] // 2, dtype=np.int32)
        for dr in range(4):
            for dc in range(2):
                cells += dots[r + dr, dc::2] * BRAILLE_BITS[dr][dc]
        rows.append("".join(chr(BRAILLE_BASE + int(c)) for c in cells))
    return "\n".join(rows)


def pixel_matrix(image: np.ndarray, width: int = 3) -> Text:
    """The numbers themselves, as the notebook prints `train_images[10]`; zeros dimmed."""
    array = check_image(image)
    text = Text(no_wrap=True, overflow="crop")
    for i, row in enumerate(array.tolist()):
        for j, value in enumerate(row):
            cell = f"{value:>{width}}"
            text.append(cell, "dim" if value == 0 else "bold")
            if j + 1 < len(row):
                text.append(" ")
        if i + 1 < len(array):
            text.append("\n")
    return text


# How `tenths_matrix` writes a pixel, said beside it wherever it is shown.
TENTHS_LEGEND = "one digit a pixel, its value in tenths of 256; · is 0"


def tenths_matrix(image: np.ndarray) -> Text:
    """The pixel matrix in 55 columns: one digit a pixel, value * 10 // 256, · for 0.

    `pixel_matrix` needs 111 columns for 28 pixels; this fits 80 and still shows the strokes
    as numbers. A faint pixel (1 to 25) reads 0, told apart from the background's ·.
    """
    array = check_image(image)
    tenths = (array.astype(np.uint16) * 10) // 256
    cells = np.where(array == 0, "·", tenths.astype(str))
    text = Text("\n".join(" ".join(row) for row in cells), no_wrap=True, overflow="crop")
    text.highlight_regex(r"\d", "bold")  # the ink stands out from the background's dim dots
    text.highlight_regex(r"·", "dim")
    return text


def render(
    image: np.ndarray,
    mode: str = "halfblock",
    palette: str = "dark",
    color: bool = True,
    scale: float = 1.0,
):
    """Any mode by name; halfblock and matrix return rich Text, the others plain str.

    `scale` enlarges the image first (see `scaled`); the pixel matrix is never scaled.
    """
    if mode == "halfblock":
        return halfblocks(scaled(image, scale), palette, color=color)
    if mode == "ascii":
        return ascii_art(scaled(image, scale), palette)
    if mode == "braille":
        return braille(scaled(image, scale), palette)
    if mode == "matrix":
        return pixel_matrix(image)
    raise ValueError(f"unknown render mode {mode!r}: choose halfblock, ascii, braille or matrix")


def scaled(image: np.ndarray, scale: float) -> np.ndarray:
    """The image enlarged `scale` times, each new pixel a copy of its nearest source pixel.

    Nearest neighbour keeps the ink crisp (no blur to threshold away in braille or without
    colour); a whole-number scale repeats every pixel exactly, a fractional one a few of them
    once more than the rest. Scale 1 returns the image as it is.
    """
    array = check_image(image)
    if not scale > 0:
        raise ValueError(f"scale must be above 0, got {scale}")
    if scale == 1:
        return array
    height, width = array.shape
    rows = scaled_indices(height, scaled_length(height, scale))
    cols = scaled_indices(width, scaled_length(width, scale))
    return array[np.ix_(rows, cols)]


def scaled_length(length: int, scale: float) -> int:
    """How many pixels `length` pixels become at `scale`, halves rounded up, at least one."""
    return max(1, int(length * scale + 0.5))


def scaled_indices(size: int, new_size: int) -> np.ndarray:
    """For each of `new_size` positions, the source position it copies (0 to size-1)."""
    return (np.arange(new_size) * size) // new_size


# How many pixels (wide, tall) one terminal cell shows in each mode of `render_square`. A cell
# is about twice as tall as wide, so these keep the pixels square.
PIXELS_PER_CELL = {"halfblock": (1, 2), "ascii": (1, 2), "braille": (2, 4)}


def render_square(
    image: np.ndarray, mode: str, palette: str = "dark", color: bool = True, scale: float = 1.0
):
    """Like `render`, with square pixels in every mode: ascii averages two rows per line.

    What the Browse draws; `fit_scale` picks the scale that fills the space it has.
    """
    if mode == "ascii":
        return ascii_art(scaled(image, scale), palette, rows_per_line=2)
    return render(image, mode, palette, color=color, scale=scale)


def drawn_size(mode: str, shape: tuple[int, int], scale: float = 1.0) -> tuple[int, int]:
    """(columns, lines) that `render_square` takes for an image of `shape` at `scale`."""
    across, down = PIXELS_PER_CELL[mode]
    height, width = (scaled_length(n, scale) for n in shape)
    return -(-width // across), -(-height // down)


def fit_scale(mode: str, columns: int, lines: int, shape: tuple[int, int] = (28, 28)) -> float:
    """The largest scale at which an image of `shape` drawn in `mode` fits columns x lines.

    Never below 1: where even scale 1 does not fit, the caller scrolls, as before. The result
    is a multiple of 1/8, so that a small change in the window's size changes nothing.
    """
    if mode not in PIXELS_PER_CELL:
        raise ValueError(f"mode {mode!r} cannot be scaled: choose halfblock, ascii or braille")
    across, down = PIXELS_PER_CELL[mode]
    height, width = shape
    room = min(columns * across / width, lines * down / height)
    # Sizes are rounded to whole pixels and cells: from just above the room, step down to the
    # first scale that fits.
    eighths = int(room * 8) + 1
    while eighths > 8:
        columns_taken, lines_taken = drawn_size(mode, shape, eighths / 8)
        if columns_taken <= columns and lines_taken <= lines:
            break
        eighths -= 1
    return max(8, eighths) / 8


def downsample(image: np.ndarray, factor: int = 2, pool: str = "mean") -> np.ndarray:
    """Pool by `factor` (28x28 -> 14x14 thumbnails): the mean, or the brightest pixel.

    "max" keeps one-pixel strokes whole where the image is then thresholded (no colour): the
    mean of a stroke's edge falls below the threshold and the digit breaks up.
    """
    array = check_image(image)
    if pool not in ("mean", "max"):
        raise ValueError(f"unknown pooling {pool!r}: choose mean or max")
    h, w = (array.shape[0] // factor) * factor, (array.shape[1] // factor) * factor
    blocks = array[:h, :w].reshape(h // factor, factor, w // factor, factor)
    pooled = blocks.mean(axis=(1, 3)) if pool == "mean" else blocks.max(axis=(1, 3))
    return pooled.astype(np.uint8)


def image_stats(image: np.ndarray) -> dict[str, float]:
    """min, max, mean and the count of non-zero pixels of one image."""
    array = check_image(image)
    return {
        "min": int(array.min()),
        "max": int(array.max()),
        "mean": float(array.mean()),
        "nonzero": int(np.count_nonzero(array)),
    }
