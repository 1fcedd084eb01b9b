"""A 28x28 canvas to draw a digit on, by keyboard (and mouse where the terminal sends it).

Drawn `scale` times as large as the room allows: each pixel `scale` columns wide and `scale` half
lines tall, so it stays square and the mouse finds the pixel under it.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import groupby

import numpy as np
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from core.render import grey

BRUSHES = (1, 2, 3)
CURSOR_COLOUR = "#ff8800"
GREYS = np.array([grey(value) for value in range(256)], dtype=object)  # a pixel's colour


@lru_cache(maxsize=1024)
def cell(top: str, bottom: str) -> tuple[str, Style]:
    """The character and style of a cell whose upper half is `top` and lower half `bottom`.

    Cached: a few colours recur over the thousands of cells an enlarged canvas has.
    """
    if top == bottom:
        # A space, not "▀": where a font draws the half block a hair short, the seam shows
        # as a stripe on every line (plainly so under a light theme).
        return " ", Style(bgcolor=bottom)
    return "▀", Style(color=top, bgcolor=bottom)


def stamp(canvas: np.ndarray, y: int, x: int, brush: int) -> None:
    """Ink a round brush of diameter `brush` pixels centred on (y, x); soft one-pixel rim."""
    radius = brush / 2
    ys, xs = np.ogrid[:28, :28]
    distance = np.sqrt((ys - y) ** 2 + (xs - x) ** 2)
    core = distance <= max(0.5, radius - 0.5)
    rim = (distance <= radius + 0.5) & ~core
    canvas[core] = 255
    canvas[rim] = np.maximum(canvas[rim], 128)


class DrawCanvas(Widget, can_focus=True):
    """Arrows move the pen, space inks (hold it down while moving with shift+arrows), x clears.

    The pen and the drawing are in the 28x28 pixels whatever the scale: only the picture grows.
    """

    DEFAULT_CSS = """
    DrawCanvas { width: 28; height: 14; }
    """
    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("shift+up", "move(-1, 0, True)", "Draw up", show=False),
        Binding("shift+down", "move(1, 0, True)", "Draw down", show=False),
        Binding("shift+left", "move(0, -1, True)", "Draw left", show=False),
        Binding("shift+right", "move(0, 1, True)", "Draw right", show=False),
        Binding("space", "ink", "Ink"),
        Binding("b", "brush", "Brush"),
        Binding("x", "clear", "Clear"),
    ]

    pen: reactive[tuple[int, int]] = reactive((14, 14))
    brush: reactive[int] = reactive(2)
    scale: reactive[int] = reactive(1)  # terminal columns (and half lines) per pixel

    class Changed(Message):
        """The drawing changed."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pixels = np.zeros((28, 28), np.uint8)

    def colours(self) -> np.ndarray:
        """Each pixel's colour at the scale it is drawn: its grey, the pen's in orange."""
        colours = GREYS[self.pixels]
        if self.has_focus:
            colours[self.pen] = CURSOR_COLOUR
        return colours.repeat(self.scale, axis=0).repeat(self.scale, axis=1)

    def render(self) -> Text:
        colours = self.colours()
        text = Text(no_wrap=True)
        for r in range(0, colours.shape[0], 2):
            # Cells alike side by side (most of the canvas) as one piece of text.
            for (char, style), run in groupby(map(cell, colours[r], colours[r + 1])):
                text.append(char * len(list(run)), style)
            if r + 2 < colours.shape[0]:
                text.append("\n")
        return text

    def watch_scale(self, scale: int) -> None:
        gutter = self.styles.gutter  # a border, where the app's style gives it one
        self.styles.width = 28 * scale + gutter.width
        self.styles.height = 14 * scale + gutter.height

    def action_move(self, dy: int, dx: int, ink: bool = False) -> None:
        y, x = self.pen
        self.pen = (min(27, max(0, y + dy)), min(27, max(0, x + dx)))
        if ink:
            self.action_ink()

    def action_ink(self) -> None:
        stamp(self.pixels, *self.pen, self.brush)
        self.refresh()
        self.post_message(self.Changed())

    def action_brush(self) -> None:
        self.brush = BRUSHES[(BRUSHES.index(self.brush) + 1) % len(BRUSHES)]
        self.notify(f"Brush {self.brush} px")

    def action_clear(self) -> None:
        self.pixels[:] = 0
        self.refresh()
        self.post_message(self.Changed())

    def pixel_at(self, column: int, line: int) -> tuple[int, int] | None:
        """The (row, column) pixel under a cell of the picture, or None off it.

        A cell holds two half lines: the pen goes on the pixel of the upper one.
        """
        y, x = (2 * line) // self.scale, column // self.scale
        return (y, x) if 0 <= y < 28 and 0 <= x < 28 else None

    def draw_at(self, event: events.MouseEvent) -> None:
        """Ink the pixel under the mouse: the offset is taken inside the border."""
        offset = event.get_content_offset(self)
        pixel = None if offset is None else self.pixel_at(offset.x, offset.y)
        if pixel is not None:
            self.pen = pixel
            self.action_ink()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.capture_mouse()
        self.draw_at(event)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if event.button:
            self.draw_at(event)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self.release_mouse()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
