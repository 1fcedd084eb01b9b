"""The lecture's printed value beside the value computed now, marked ✓ when they agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from core.lesson import Outcome


def values_table(lecture: str | None, outcome: Outcome | None, source: str) -> Table:
    """Two labelled rows, `lecture` and `now`; the reason below when they cannot agree."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True, width=8)
    table.add_column()
    table.add_row("lecture", value_text(lecture if lecture is not None else "(printed nothing)"))
    if outcome is None:
        table.add_row("now", Text("computing…", style="italic dim"))
        return table
    now = value_text(outcome.value)
    if outcome.agrees is True:
        now.append("  ✓", style="bold green")
    table.add_row("now", now)
    if outcome.agrees is True:
        note = f"agrees, computed on {source}"
        if outcome.reason:  # agreement within a tolerance says which
            note += f" ({outcome.reason})"
        table.add_row("", Text(note, style="green"))
    else:
        reason = outcome.reason or "cannot be compared"
        if outcome.agrees is False:
            table.add_row("", Text(f"≠ differs: {reason}", style="yellow"))
        else:
            table.add_row("", Text(reason, style="dim italic"))
    return table


def value_text(value: str) -> Text:
    """Lines too wide for the column wrap (a long number is folded): nothing is cut off."""
    return Text(value, overflow="fold")
