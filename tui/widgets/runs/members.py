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
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from core.runs import EpochRecord
from tui.widgets.chart.curves import (
    MANY_RUNS_METRICS,
    TEST_ACC,
    TEST_LOSS,
    Curve,
    epoch_numbers,
    epoch_values,
    style_of,
)
from tui.widgets.chart.line_chart import LineChart
from tui.widgets.chart.view import ChartView
from tui.widgets.runs.columns import RunRow, acc_cell, epochs_cell, status_cell
from tui.widgets.runs.compare import LegendEntry, lr_of
from tui.widgets.runs.sweeps import BEST, best_of, ranked

SWEEP_FIRST = (TEST_ACC.key, TEST_LOSS.key)  # the charts the sweep view opens with
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
    entries = {}
    for i, member in enumerate(members):
        colour, marker = style_of(i)
        if best is not None and member.row is best:
            marker = BEST
        entries[member.id] = LegendEntry(member.row.run.label, colour, marker)
    return entries


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


class SweepCharts(Horizontal):
    """The chosen metrics per epoch (test accuracy and loss at first), every run of the sweep
    that did not fail on each chart (a failed run's last figures are from a diverging model
    and would squash the rest).

    Under WIDE columns only the first chart is shown: two 40-column charts are unreadable.
    """

    DEFAULT_CSS = """
    SweepCharts { height: 1fr; min-height: 8; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = ChartView(metrics=SWEEP_FIRST)
        self.members: list[MemberView] = []
        # metric: (run id, marker, xs, ys) in the order drawn, the best run last
        self.drawn: dict[str, list[tuple[str, str, list[int], list[float]]]] = {}

    def compose(self) -> ComposeResult:
        for metric in MANY_RUNS_METRICS:
            yield LineChart(id=f"sweep-{metric.key.replace('_', '-')}")

    def on_resize(self) -> None:
        self.call_after_refresh(self.draw_all)

    def show(self, members: Sequence[MemberView]) -> None:
        self.members = list(members)
        self.draw_all()

    def show_view(self, view: ChartView) -> None:
        self.view = view
        self.draw_all()

    def draw_all(self) -> None:
        shown = self.view.metrics if self.size.width >= WIDE else self.view.metrics[:1]
        order = {key: place for place, key in enumerate(shown)}
        for metric in MANY_RUNS_METRICS:
            self.chart(metric.key).display = metric.key in order
        self.sort_children(
            key=lambda chart: order.get(str(chart.id).removeprefix("sweep-").replace("-", "_"), 99)
        )
        entries = legend(self.members)
        drawn = [m for m in self.members if m.row.run.status != "failed"]
        ranked_last = sorted(drawn, key=lambda m: entries[m.id].marker == BEST)  # best on top
        for metric in MANY_RUNS_METRICS:
            attribute = metric.series[0][1]
            series = [
                (
                    m.id,
                    entries[m.id],
                    epoch_numbers(m.history),
                    epoch_values(m.history, attribute, lr_of(m.row.run)),
                )
                for m in ranked_last
            ]
            self.drawn[metric.key] = [(i, entry.marker, xs, ys) for i, entry, xs, ys in series]
            if metric.key in order:
                # No names under the charts: with many runs they would not fit; the table
                # above is the legend, each run's marker and colour beside its name.
                curves = [
                    Curve("", xs, ys, entry.colour, entry.marker, line=entry.marker)
                    for _, entry, xs, ys in series
                ]
                self.chart(metric.key).draw(metric.title, curves, self.view, hint="no epochs yet")

    def chart(self, key: str) -> LineChart:
        return self.query_one(f"#sweep-{key.replace('_', '-')}", LineChart)
