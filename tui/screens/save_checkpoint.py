"""Modal: copy the last run's checkpoint to a path the user types."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from core.files import copy_atomically


class SaveCheckpointScreen(ModalScreen[Path | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, source: Path, default: Path) -> None:
        super().__init__()
        self.source = source
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Save the last run's checkpoint to:")
            yield Input(str(self.default), id="save-path")
            yield Label("", id="save-error", classes="error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        target = Path(event.value.strip()).expanduser()
        if not event.value.strip() or target.is_dir():
            self.query_one("#save-error", Label).update("Type a file path, not a folder.")
            return
        try:
            copy_atomically(self.source, target)
        except OSError as error:
            self.query_one("#save-error", Label).update(f"Cannot write {target}: {error.strerror}")
            return
        self.notify(f"Saved {target}")
        self.dismiss(target)

    def action_cancel(self) -> None:
        self.dismiss(None)
