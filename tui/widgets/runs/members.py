"""The sweep view's widgets: its runs ranked in a table, and their test curves overlaid.

Each run keeps the colour and marker of its place in the sweep (the order the runs started),
so a line does not change colour when the ranking moves; the best run is drawn last, on top,
with the BEST marker, which the table shows beside it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from core.runs import EpochRecord
from tui.widgets.chart.runs_charts import LegendEntry, RunCurves, RunsCharts, legend_for
from tui.widgets.runs.columns import RunRow, acc_cell, epochs_cell, status_cell
from tui.widgets.runs.sweeps import BEST, best_of, ranked

OTHER_COLUMNS = 34  # what the columns other than the name take, with their padding
WIDE = 100  # columns from which the loss chart is shown beside the accuracy chart


@dataclass(frozen=True)
class MemberView:
    """One run of the sweep as the view shows it: its row's figures and its epochs."""

    row: RunRow
    history: tuple[EpochRecord, ...]

    @property
    def id(self) -> str:
        return self.row.run.id

    @property
    def test_loss(self) -> float | None:
        return self.history[-1].test_loss if self.history else None


def view_of(run, history: Sequence[EpochRecord]) -> MemberView:
    seconds = [e.seconds for e in history]
    mean = sum(seconds) / len(seconds) if seconds else None
    last = history[-1].test_acc if history else None
    return MemberView(RunRow(run, mean, last), tuple(history))


def legend(members: Sequence[MemberView]) -> dict[str, LegendEntry]:
    """Each run's colour and marker by its place in the sweep; the best one's marker is BEST."""
    best = best_of(m.row for m in members)
    runs = [m.row.run for m in members]
    entries = legend_for(runs, best.run.id if best is not None else None, BEST)
    return {run.id: entry for run, entry in zip(runs, entries, strict=True)}


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


class MembersTable(DataTable):
    """The sweep's runs, best first; the cursor follows a run (by id) as the ranking moves."""

    BINDINGS = [Binding("enter", "select_cursor", "Open the run", key_display="⏎")]
    DEFAULT_CSS = """
    MembersTable { height: auto; max-height: 45%; min-height: 4; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.members: list[MemberView] = []  # in the order they started
        self.ranked: list[MemberView] = []  # as drawn
        self.best: MemberView | None = None
        self._drawn: tuple | None = None

    def show(self, members: Sequence[MemberView]) -> None:
        self.members = list(members)
        self.redraw()

    @property
    def highlighted(self) -> MemberView | None:
        if not 0 <= self.cursor_row < len(self.ranked):
            return None
        return self.ranked[self.cursor_row]

    def on_resize(self) -> None:
        self.redraw()  # the name column takes what the others leave

    def redraw(self) -> None:
        by_row = {id(m.row): m for m in self.members}
        self.ranked = [by_row[id(row)] for row in ranked([m.row for m in self.members])]
        best = best_of(m.row for m in self.members)
        self.best = None if best is None else by_row[id(best)]
        entries = legend(self.members)
        width = max(12, self.size.width - OTHER_COLUMNS) if self.size.width else 40
        rows = []
        for member in self.ranked:
            entry, row = entries[member.id], member.row
            is_best = member is self.best
            name = Text(shorten(row.run.label, width), style="bold" if is_best else "")
            loss = member.test_loss
            rows.append(
                (
                    Text(entry.marker, style=entry.style),
                    name,
                    status_cell(row),
                    epochs_cell(row),
                    acc_cell(row),
                    "" if loss is None else f"{loss:.3f}",
                )
            )
        drawn: tuple[Any, ...] = (
            width,
            [member.id for member in self.ranked],
            [tuple(map(str, r)) for r in rows],
        )
        drawn += ([str(r[2].style) + str(r[4].style) for r in rows],)
        if drawn == self._drawn:
            return
        self._drawn = drawn
        keep = self.highlighted_id_before_redraw()
        self.clear(columns=True)
        for label in ("", "run", "status", "ep", "test acc", "loss"):
            self.add_column(label, key=label or "mark")
        for member, cells in zip(self.ranked, rows, strict=True):
            self.add_row(*cells, key=member.id)
        ids = [member.id for member in self.ranked]
        if keep in ids:
            self.move_cursor(row=ids.index(keep), animate=False)

    def highlighted_id_before_redraw(self) -> str | None:
        if not self.row_count or not 0 <= self.cursor_row < self.row_count:
            return None
        return self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value


class SweepCharts(RunsCharts):
    """The sweep's runs that did not fail, the best drawn last (a failed run's last figures
    are from a diverging model and would squash the rest)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(narrow_below=WIDE, **kwargs)

    def show_members(self, members: Sequence[MemberView]) -> None:
        entries = legend(members)
        drawn = [m for m in members if m.row.run.status != "failed"]
        best_last = sorted(drawn, key=lambda m: entries[m.id].marker == BEST)
        self.show([RunCurves(m.row.run, entries[m.id], m.history) for m in best_last])
