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
from textual_plotext import PlotextPlot

from core.runs import EpochRecord
from tui.widgets.runs.columns import RunRow, acc_cell, epochs_cell, status_cell
from tui.widgets.runs.compare import COLOURS, MARKERS, LegendEntry
from tui.widgets.runs.sweeps import BEST, best_of, ranked

METRICS = (("test_acc", "test accuracy per epoch"), ("test_loss", "test loss per epoch"))
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
        marker = BEST if best is not None and member.row is best else MARKERS[i % len(MARKERS)]
        entries[member.id] = LegendEntry(member.row.run.label, COLOURS[i % len(COLOURS)], marker)
    return entries


def metric_of(member: MemberView, metric: str) -> list[float]:
    return [getattr(epoch, metric) for epoch in member.history]


def epoch_ticks(epochs: set[int], most: int = 10) -> list[int]:
    """Whole epochs to label the x axis with: all of up to `most`, else evenly spread ones."""
    if len(epochs) <= 1:
        return sorted(epochs)
    low, high = min(epochs), max(epochs)
    step = max(1, -(-(high - low) // (most - 1)))  # rounded up: at most `most` ticks
    return list(range(low, high + 1, step))


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
    """Test accuracy and test loss per epoch, every run of the sweep that did not fail on each
    chart (a failed run's last figures are from a diverging model and would squash the rest).

    Under WIDE columns only the accuracy chart is shown: two 40-column charts are unreadable.
    """

    DEFAULT_CSS = """
    SweepCharts { height: 1fr; min-height: 8; }
    SweepCharts PlotextPlot { width: 1fr; }
    SweepCharts.-narrow #sweep-test-loss { display: none; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # metric: (run id, marker, xs, ys) in the order drawn, the best run last
        self.drawn: dict[str, list[tuple[str, str, list[int], list[float]]]] = {}

    def compose(self) -> ComposeResult:
        for metric, _ in METRICS:
            yield PlotextPlot(id=f"sweep-{metric.replace('_', '-')}")

    def on_resize(self) -> None:
        self.set_class(self.size.width < WIDE, "-narrow")

    def show(self, members: Sequence[MemberView]) -> None:
        entries = legend(members)
        drawn = [m for m in members if m.row.run.status != "failed"]
        order = sorted(drawn, key=lambda m: entries[m.id].marker == BEST)  # the best on top
        for metric, title in METRICS:
            series = [
                (m.id, entries[m.id], [e.epoch + 1 for e in m.history], metric_of(m, metric))
                for m in order
            ]
            self.drawn[metric] = [(i, entry.marker, xs, ys) for i, entry, xs, ys in series]
            self.draw(metric, title, series)

    def draw(self, metric: str, title: str, series) -> None:
        widget = self.query_one(f"#sweep-{metric.replace('_', '-')}", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        epochs: set[int] = set()
        for _, entry, xs, ys in series:
            if xs:
                # No plotext legend: with many runs it would cover the lines; the table is it.
                plt.plot(xs, ys, marker=entry.marker, color=entry.colour)
                epochs.update(xs)
        plt.xticks(epoch_ticks(epochs))  # type: ignore[arg-type]  # whole numbers; stubs: floats
        plt.xlabel("epoch")
        widget.refresh()
