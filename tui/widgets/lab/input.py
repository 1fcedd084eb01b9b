"""An input whose ↑/↓ walk a history seeded with the notebook's examples."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class HistoryInput(Input):
    """Enter keeps what was typed; ↑/↓ bring back earlier entries, presets first."""

    BINDINGS = [
        Binding("up", "history(-1)", "Earlier", key_display="↑", id="history-back"),
        Binding("down", "history(1)", "Later", key_display="↓", id="history-forward"),
    ]

    def __init__(self, presets: list[str], **kwargs) -> None:
        kwargs.setdefault("value", presets[0] if presets else "")
        super().__init__(**kwargs)
        self.history = list(presets)
        self.position = 0 if presets else -1

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        self.position = (self.position + step) % len(self.history)
        self.value = self.history[self.position]
        self.cursor_position = len(self.value)

    def remember(self, text: str) -> None:
        """Add an entry at the end (once); ↑ from there goes back through the rest."""
        text = text.strip()
        if not text:
            return
        if text in self.history:
            self.history.remove(text)
        self.history.append(text)
        self.position = len(self.history) - 1
