"""One clear notice instead of a broken layout when the terminal is below 80x24."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

MIN_SIZE = (80, 24)  # every screen is laid out for this; below it panels would overlap


def too_small(width: int, height: int) -> bool:
    return width < MIN_SIZE[0] or height < MIN_SIZE[1]


def notice(width: int, height: int) -> str:
    need = f"{MIN_SIZE[0]}x{MIN_SIZE[1]}"
    return f"terminal too small ({width}x{height}, need {need}): enlarge it, or q quits"


class TooSmallScreen(ModalScreen[None]):
    """Covers the app until the terminal is large enough again; the app removes it then."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; overflow: hidden; }
    TooSmallScreen Static { width: 100%; content-align: center middle; text-style: bold; }
    """
    BINDINGS = [Binding("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static(notice(*self.app.size), id="too-small")

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#too-small", Static).update(notice(*event.size))
