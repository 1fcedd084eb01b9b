"""Modal: every key of the screen underneath and of the app, from the bindings themselves."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def bindings_table(title: str, bindings: list[Binding]) -> Table:
    table = Table(title=title, show_header=False, box=None, padding=(0, 2), title_justify="left")
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for binding in bindings:
        keys = binding.key_display or ", ".join(
            {"question_mark": "?"}.get(k, k) for k in binding.key.split(",")
        )
        table.add_row(keys, binding.description)
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of ?, Escape or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        screen_keys = [b for b in self.under.BINDINGS if isinstance(b, Binding)]
        app_keys = [b for b in self.app.BINDINGS if isinstance(b, Binding)]
        with VerticalScroll(classes="dialog", id="help"):
            if screen_keys:
                yield Static(bindings_table("This screen", screen_keys))
            yield Static(bindings_table("Everywhere", app_keys))
            yield Static("Escape or ? closes this help.", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
