"""Modal: the path of a checkpoint to evaluate."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class OpenCheckpointScreen(ModalScreen[str | None]):
    """Enter opens the file if it exists; a wrong path is named at the field."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Open a checkpoint (.pt written by mnist-tui):")
            yield Input(placeholder="path/to/checkpoint.pt", id="open-path")
            yield Label("", id="open-error", classes="error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        if not event.value.strip():
            self.query_one("#open-error", Label).update("Type a path, or Escape to cancel.")
        elif not path.is_file():
            self.query_one("#open-error", Label).update(f"No file at {path}.")
        else:
            self.dismiss(str(path))

    def action_cancel(self) -> None:
        self.dismiss(None)
