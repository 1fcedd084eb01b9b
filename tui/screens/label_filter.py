"""Modal: show only one label; a digit key picks it, `a` shows all again."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

CANCELLED = -1


class LabelFilterScreen(ModalScreen[int | None]):
    """Returns the chosen label, None for all, or CANCELLED on Escape."""

    def __init__(self, class_names: tuple[str, ...]) -> None:
        super().__init__()
        self.class_names = class_names

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Filter by label: press 0-9, a for all, Escape to cancel")
            named = [f"{i} {name}" for i, name in enumerate(self.class_names) if name != str(i)]
            if named:
                yield Label("   ".join(named), classes="hint")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.character and event.character.isdigit():
            self.dismiss(int(event.character))
        elif event.key == "a":
            self.dismiss(None)
        elif event.key == "escape":
            self.dismiss(CANCELLED)
