"""Modal: go to a step by its number, with every step's title listed to pick from."""

from __future__ import annotations

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.validation import Number
from textual.widgets import Input, Label, Static


class GoToStepScreen(ModalScreen[int | None]):
    """Type a step number (1..N) and Enter: returns its index (0-based); Escape cancels."""

    DEFAULT_CSS = """
    GoToStepScreen .dialog { max-height: 22; }
    GoToStepScreen #goto-titles { height: auto; max-height: 14; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, titles: list[str], current: int, first: str = "") -> None:
        super().__init__()
        self.titles = titles
        self.current = current
        self.first = first  # a digit already typed on the lesson screen starts the number

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Go to step (1-{len(self.titles)}), then Enter")
            yield Input(
                value=self.first,
                placeholder="step number",
                type="integer",
                validators=[Number(minimum=1, maximum=len(self.titles))],
                id="goto-input",
            )
            yield Label("", id="goto-error", classes="error")
            with VerticalScroll(id="goto-titles", can_focus=False):
                yield Static(self.titles_table())

    def titles_table(self) -> Table:
        table = Table.grid(padding=(0, 1))
        table.add_column(justify="right", style="dim", no_wrap=True)
        table.add_column(no_wrap=True, overflow="ellipsis")
        for number, title in enumerate(self.titles, start=1):
            style = "reverse" if number - 1 == self.current else ""
            table.add_row(str(number), title, style=style)
        return table

    def on_mount(self) -> None:
        # The current step in view in the list: it may be far down at 80x24.
        self.query_one("#goto-titles").scroll_to(y=max(0, self.current - 3), animate=False)

    @on(Input.Submitted, "#goto-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        result = event.validation_result
        error = self.query_one("#goto-error", Label)
        if not event.value.strip():
            error.update("Type a step number, or Escape to cancel.")
        elif result is not None and not result.is_valid:
            error.update(f"{event.value!r} is not a step from 1 to {len(self.titles)}.")
        else:
            self.dismiss(int(event.value) - 1)

    def action_cancel(self) -> None:
        self.dismiss(None)
