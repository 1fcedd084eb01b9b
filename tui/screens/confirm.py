"""Modal: a yes-or-no question; only y says yes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class ConfirmScreen(ModalScreen[bool]):
    """Returns True for y, False for n or Escape."""

    DEFAULT_CSS = """
    #confirm-question { width: 100%; }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, id="confirm-question")
            yield Label("y: yes   n or Escape: no", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
