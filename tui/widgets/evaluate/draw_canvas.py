"""A 28x28 canvas to draw a digit on, by keyboard (and mouse where the terminal sends it)."""

from __future__ import annotations

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
    """Arrows move the pen, space inks (hold it down while moving with shift+arrows), x clears."""

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

    class Changed(Message):
        """The drawing changed."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pixels = np.zeros((28, 28), np.uint8)

    def render(self) -> Text:
        shown = self.pixels.copy()
        text = Text(no_wrap=True)
        pen_y, pen_x = self.pen
        for r in range(0, 28, 2):
            for c in range(28):
                top, bottom = grey(int(shown[r, c])), grey(int(shown[r + 1, c]))
                if self.has_focus and c == pen_x and r == pen_y:
                    top = CURSOR_COLOUR
                if self.has_focus and c == pen_x and r + 1 == pen_y:
                    bottom = CURSOR_COLOUR
                if top == bottom:
                    # A space, not "▀": where a font draws the half block a hair short, the
                    # seam shows as a stripe on every line (plainly so under a light theme).
                    text.append(" ", Style(bgcolor=bottom))
                else:
                    text.append("▀", Style(color=top, bgcolor=bottom))
            if r < 26:
                text.append("\n")
        return text

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

    def draw_at(self, x: int, y_cell: int) -> None:
        """Mouse: a cell holds two pixel rows; ink the pen on the upper one."""
        if 0 <= x < 28 and 0 <= y_cell < 14:
            self.pen = (y_cell * 2, x)
            self.action_ink()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.capture_mouse()
        self.draw_at(event.x, event.y)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if event.button:
            self.draw_at(event.x, event.y)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self.release_mouse()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
