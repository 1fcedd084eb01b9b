"""A step's code, highlighted, its long lines wrapped under themselves rather than at column 0."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.syntax import Syntax
from rich.text import Text

HANG = 4  # continuation lines start this far right of their line's own indent
MARK = "↪ "  # ends the hanging indent: a continuation, not a new (indented) line of code


class HangingCode:
    """Python code as a Rich renderable for whatever width it is given.

    Syntax's own word_wrap starts a wrapped line's rest at column 0, where it reads as a new,
    unindented statement; here the rest hangs under the line it continues, marked ↪.
    """

    def __init__(self, code: str, theme: str = "ansi_dark") -> None:
        self.code = code
        self.theme = theme

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        highlighted = Syntax(self.code, "python", theme=self.theme).highlight(self.code)
        highlighted.rstrip()
        for line in highlighted.split("\n"):
            yield from hanging_lines(line, options.max_width)


def hanging_lines(line: Text, width: int) -> list[Text]:
    """`line` cut into pieces that fit `width`: the first as it starts, the others indented
    under it and marked. Cuts fall where `cut_at` finds a place, else mid-word."""
    indent = len(line.plain) - len(line.plain.lstrip(" "))
    hang = indent + HANG
    if line.cell_len <= width or width <= hang + 8:  # too narrow to hang anything: let it fold
        return [line]
    pieces, start, room = [], 0, width
    while len(line) - start > room:
        end = cut_at(line.plain, start, start + room)
        pieces.append(line[start:end])
        start, room = end, width - hang
        while start < len(line) and line.plain[start] == " ":  # no blank start on a new piece
            start += 1
    pieces.append(line[start:])
    prefix = Text(" " * (hang - len(MARK))).append(MARK, "dim")
    return [pieces[0], *(Text.assemble(prefix, piece) for piece in pieces[1:])]


def cut_at(text: str, start: int, limit: int) -> int:
    """The last place in (start, limit] to cut `text`: after a space or a comma, after an
    opening bracket that is not closed at once, or before an attribute's dot (`.flatten(1)`
    moves whole, `0.100` does not split); `limit` when there is none."""
    for end in range(limit, start, -1):
        before, after = text[end - 1], text[end : end + 2]
        opening = before in "([" and not after.startswith((")", "]"))
        attribute = (
            after[:1] == "." and after[1:].isalpha() and (before.isalnum() or before in ")]_")
        )
        if before in " ," or opening or attribute:
            return end
    return limit
