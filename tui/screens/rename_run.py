"""Modal: a new name for a recorded run; blank clears it, so the run is listed by its id."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

MAX_NAME = 100  # the store's limit on a run's name


class RenameRunScreen(ModalScreen[str | None]):
    """Returns the name typed (maybe blank), or None on Escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, run_id: str, name: str | None) -> None:
        super().__init__()
        self.run_id = run_id
        self.name_now = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Name for run {self.run_id} (blank: no name):")
            yield Input(self.name_now or "", max_length=MAX_NAME, id="rename-input")
            yield Label("Enter renames, Escape cancels.", classes="hint")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
