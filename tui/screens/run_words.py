"""Modals for what the user writes on a recorded run: its tags (t) and its note (N).

Each checks what was typed as the run store would, and says what is wrong under the field
rather than closing: the store is written on a thread once the modal has closed.
"""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from core.runs import RunStoreError, clean_note, clean_tag
from core.runs.store import MAX_NOTE

SEPARATORS = re.compile(r"[\s,]+")  # tags are typed apart by spaces or commas


def parse_tags(typed: str) -> tuple[str, ...]:
    """The tags typed, each once, in order; RunStoreError names the first bad one."""
    return tuple(dict.fromkeys(clean_tag(word) for word in SEPARATORS.split(typed) if word))


class WordsScreen(ModalScreen):
    """One line to edit: Enter checks it and closes with the value, Escape closes with None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    WordsScreen .error { height: auto; }
    """

    def __init__(self, question: str, value: str, hint: str, max_length: int = 0) -> None:
        super().__init__()
        self.question, self.value, self.hint = question, value, hint
        self.max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question)
            yield Input(self.value, max_length=self.max_length, id="words-input")
            yield Label("", classes="error", id="words-problem")
            yield Label(self.hint, classes="hint")

    def checked(self, typed: str) -> object:
        """What the modal returns for `typed`; RunStoreError when it cannot be stored."""
        return typed

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        try:
            value = self.checked(event.value)
        except RunStoreError as err:
            self.query_one("#words-problem", Label).update(str(err))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TagsScreen(WordsScreen):
    """Returns the run's tags as typed (maybe none), or None on Escape."""

    def __init__(self, run_id: str, tags: tuple[str, ...]) -> None:
        super().__init__(
            f"Tags for run {run_id}, apart by spaces (blank: none):",
            " ".join(tags),
            "One word each. Enter saves, Escape cancels.",
        )

    def checked(self, typed: str) -> tuple[str, ...]:
        return parse_tags(typed)


class NoteScreen(WordsScreen):
    """Returns the note typed (blank clears it), or None on Escape."""

    def __init__(self, run_id: str, note: str | None) -> None:
        super().__init__(
            f"Note on run {run_id} (blank: no note):",
            note or "",
            "Enter saves, Escape cancels.",
            MAX_NOTE,
        )

    def checked(self, typed: str) -> str:
        clean_note(typed)
        return typed
