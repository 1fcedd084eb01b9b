"""Modal: jump to a sample by its index, refusing anything that is not one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Number
from textual.widgets import Input, Label


class JumpScreen(ModalScreen[int | None]):
    """Ask for an index in 0..size-1; Enter accepts a valid one, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Go to index (0-{self.count - 1:,})")
            yield Input(
                placeholder="index",
                type="integer",
                validators=[Number(minimum=0, maximum=self.count - 1)],
                id="jump-input",
            )
            yield Label("", id="jump-error", classes="error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        result = event.validation_result
        if not event.value.strip():
            self.query_one("#jump-error", Label).update("Type an index, or Escape to cancel.")
        elif result is not None and not result.is_valid:
            self.query_one("#jump-error", Label).update(
                f"{event.value!r} is not an index from 0 to {self.count - 1:,}."
            )
        else:
            self.dismiss(int(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
