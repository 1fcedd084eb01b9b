"""One confusion cell's images as half-size thumbnails, as many rows as fit, a page at a time."""

from __future__ import annotations

import numpy as np
from rich.console import Group
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from core.render import downsample
from tui.widgets.digit_view import drawing

THUMB_WIDTH = 14  # a 28x28 image halved, one column per pixel
GAP = 2
THUMB_LINES = 8  # a caption and seven lines of half blocks


class CellImages(Static):
    """Thumbnails in rows under their captions; `capacity` says how many one page holds."""

    DEFAULT_CSS = """
    CellImages { width: 1fr; height: 1fr; min-height: 8; }
    """

    class GridChanged(Message):
        """The strip's size now holds another grid of thumbnails: its page must be laid out
        again. The strip's own size, not the screen's: the layout can settle a frame after
        the screen's resize."""

    laid_out_for = (0, 0)  # the grid of the last size seen

    def on_resize(self, event: events.Resize) -> None:
        if self.grid() != self.laid_out_for:
            self.laid_out_for = self.grid()
            self.post_message(self.GridChanged())

    def grid(self) -> tuple[int, int]:
        """(columns, rows) of thumbnails that fit."""
        columns = max(1, ((self.size.width or 80) + GAP) // (THUMB_WIDTH + GAP))
        rows = max(1, (self.size.height or THUMB_LINES) // THUMB_LINES)
        return columns, rows

    def capacity(self) -> int:
        columns, rows = self.grid()
        return columns * rows

    def show(self, images: list[np.ndarray], captions: list[str]) -> None:
        color = not self.app.no_color
        # Without colour each half cell is thresholded: the brightest pixel keeps thin strokes.
        pool = "mean" if color else "max"
        pictures = [
            drawing(downsample(image, pool=pool), "halfblock", "dark", color).split("\n")
            for image in images
        ]
        columns, _ = self.grid()
        lines: list[Text] = []
        for start in range(0, len(pictures), columns):
            row_captions = captions[start : start + columns]
            caption_line = Text(no_wrap=True)
            for caption in row_captions:
                caption_line.append(f"{caption:^{THUMB_WIDTH}}"[:THUMB_WIDTH], "dim")
                caption_line.append(" " * GAP)
            lines.append(caption_line)
            row_pictures = pictures[start : start + columns]
            for r in range(THUMB_LINES - 1):
                line = Text(no_wrap=True)
                for picture in row_pictures:
                    line.append_text(picture[r] if r < len(picture) else Text(" " * THUMB_WIDTH))
                    line.append(" " * GAP)
                lines.append(line)
        self.update(Group(*lines))
