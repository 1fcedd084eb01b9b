"""Text drawings beside a step: crops of a digit, the rank-3 cube, a class-coloured scatter."""

from __future__ import annotations

import numpy as np

from core.render import ascii_art


def wide_ascii(image: np.ndarray) -> str:
    """One pixel row per line, each pixel two characters wide, so a small crop keeps its shape."""
    return "\n".join("".join(c * 2 for c in line) for line in ascii_art(image).splitlines())


def framed(title: str, drawing: str) -> str:
    width = max(len(line) for line in drawing.splitlines())
    rule = "+" + "-" * width + "+"
    body = "\n".join(f"|{line:<{width}}|" for line in drawing.splitlines())
    return f"{title}\n{rule}\n{body}\n{rule}"


def crop_picture(images: np.ndarray, labels: np.ndarray, rows: slice, cols: slice) -> str:
    """my_slice[4] for a crop of every image: the lecture draws sample 4 after each crop."""
    crop = np.asarray(images[4])[rows, cols]
    return framed(
        f"my_slice[4]: {crop.shape[0]}x{crop.shape[1]}, label {labels[4]}", wide_ascii(crop)
    )


def scatter(
    points: np.ndarray,
    labels: np.ndarray,
    width: int = 56,
    height: int = 18,
    marks: str = "0123456789",
) -> str:
    """Points drawn as their class's mark on a character grid (later points on top).

    By default the mark is the digit itself, so it is its own legend: a cluster of 7s is
    where the sevens landed.
    """
    points = np.asarray(points, dtype=float)
    grid = [[" "] * width for _ in range(height)]
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    cells = ((points - low) / span * [width - 1, height - 1]).round().astype(int)
    for (x, y), label in zip(cells, labels, strict=True):
        grid[height - 1 - y][x] = marks[int(label)]
    return "\n".join("".join(row) for row in grid)


def side_by_side(*panels: tuple[str, str], gap: int = 3) -> str:
    """Titled drawings next to each other, each padded to its widest line."""
    columns = []
    for title, drawing in panels:
        lines = [title, *drawing.splitlines()]
        width = max(len(line) for line in lines)
        columns.append([line.ljust(width) for line in lines])
    height = max(len(column) for column in columns)
    for column in columns:
        column.extend([" " * len(column[0])] * (height - len(column)))
    return "\n".join((" " * gap).join(row).rstrip() for row in zip(*columns, strict=True))
