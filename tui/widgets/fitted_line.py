"""One line that never wraps: the longest of its wordings that fits the width it has."""

from __future__ import annotations

from typing import TypeVar

from rich.text import Text
from textual.widgets import Static

Words = TypeVar("Words", str, Text)


def first_that_fits(wordings: tuple[Words, ...], width: int) -> Words:
    """The first wording (longest first) at most `width` cells wide, else the last one."""
    for wording in wordings:
        if cell_len(wording) <= width:
            return wording
    return wordings[-1]


def cell_len(wording: str | Text) -> int:
    return wording.cell_len if isinstance(wording, Text) else Text(wording).cell_len


class FittedLine(Static):
    """A one-line header: `say` gives its wordings, longest first; each resize picks again.

    A wrapped header pushes everything under it a line down, and at 80x24 the last line of
    the screen's pictures off it: where even the shortest wording is too long, it is cut with
    an ellipsis instead.
    """

    DEFAULT_CSS = """
    FittedLine { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.wordings: tuple[Text, ...] = ()

    def say(self, *wordings: str | Text) -> None:
        self.wordings = tuple(Text(w) if isinstance(w, str) else w for w in wordings)
        self.choose()

    def on_resize(self) -> None:
        self.choose()

    def choose(self) -> None:
        if self.wordings:
            # Before the first layout the width is unknown: the terminal's is near enough.
            width = self.content_region.width or self.app.size.width
            self.update(first_that_fits(self.wordings, width))
