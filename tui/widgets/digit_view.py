"""Widgets that draw digits: one large, and a strip of neighbouring thumbnails."""

from __future__ import annotations

import numpy as np
from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from core.render import ascii_art, downsample, pixel_matrix, render


def drawing(image: np.ndarray, mode: str, palette: str, color: bool) -> Text:
    drawn = render(image, mode, palette, color=color)
    return Text(drawn, no_wrap=True) if isinstance(drawn, str) else drawn


class DigitView(Static):
    """One image, large, in the chosen render mode (or as its pixel matrix)."""

    DEFAULT_CSS = """
    DigitView { width: auto; height: auto; }
    """

    def show(self, image: np.ndarray, mode: str, palette: str, matrix: bool = False) -> None:
        if matrix:
            self.update(pixel_matrix(image))
        elif mode == "ascii":  # 14 lines, like the other modes: it fits 80x24
            self.update(Text(ascii_art(image, palette, rows_per_line=2), no_wrap=True))
        else:
            self.update(drawing(image, mode, palette, color=not self.app.no_color))


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
        columns = [
            drawing(downsample(image), "halfblock", palette, color=not self.app.no_color)
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
