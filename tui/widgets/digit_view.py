"""Widgets that draw digits: one large, and a strip of neighbouring thumbnails."""

from __future__ import annotations

import numpy as np
from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from core.render import downsample, fit_scale, pixel_matrix, render, render_square


def drawing(image: np.ndarray, mode: str, palette: str, color: bool) -> Text:
    drawn = render(image, mode, palette, color=color)
    return Text(drawn, no_wrap=True) if isinstance(drawn, str) else drawn


def whole_scale(columns: int, lines: int, shape: tuple[int, int] = (28, 28)) -> int:
    """The largest whole scale at which half blocks of an image of `shape` fit columns x lines.

    Browse's `fit_scale`, rounded down: every pixel the same size, as a surface to draw on needs
    (at 2.5 times, half the pixels would be a column wider than the rest). At least 1.
    """
    return max(1, int(fit_scale("halfblock", columns, lines, shape)))


class DigitView(Static):
    """One image, large, in the chosen render mode (or as its pixel matrix), scaled to fit."""

    DEFAULT_CSS = """
    DigitView { width: auto; height: auto; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scale = 1.0  # of the digit on screen; the pixel matrix is never scaled

    def show(
        self, image: np.ndarray, mode: str, palette: str, matrix: bool = False, scale: float = 1.0
    ) -> None:
        if matrix:
            self.scale = 1.0
            self.update(pixel_matrix(image))
            return
        self.scale = scale
        drawn = render_square(image, mode, palette, color=not self.app.no_color, scale=scale)
        self.update(Text(drawn, no_wrap=True) if isinstance(drawn, str) else drawn)


class ThumbnailStrip(Static):
    """Neighbouring samples at half size, the current one marked, as many as the width allows."""

    DEFAULT_CSS = """
    ThumbnailStrip { width: 1fr; height: 8; }
    """
    CELL_WIDTH = 16  # 14 columns of half-size digit plus a gap

    def capacity(self) -> int:
        return max(1, (self.size.width or 80) // self.CELL_WIDTH)

    def show(
        self,
        images: list[np.ndarray],
        captions: list[str],
        current: int,
        palette: str,
    ) -> None:
        color = not self.app.no_color
        pool = "mean" if color else "max"  # thresholded without colour: keep thin strokes
        columns = [
            drawing(downsample(image, pool=pool), "halfblock", palette, color=color)
            for image in images
        ]
        rows: list[Text] = []
        caption_line = Text(no_wrap=True)
        for i, caption in enumerate(captions):
            style = "reverse bold" if i == current else "dim"
            caption_line.append(f"{caption:^14}"[:14], style)
            caption_line.append("  ")
        rows.append(caption_line)
        lines = [column.split("\n") for column in columns]
        for r in range(7):
            row = Text(no_wrap=True)
            for column in lines:
                row.append_text(column[r] if r < len(column) else Text(" " * 14))
                row.append("  ")
            rows.append(row)
        self.update(Group(*rows))
