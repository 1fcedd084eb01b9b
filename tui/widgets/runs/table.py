"""The table of recorded runs: sorted, filtered and selected here, redrawn only when it changes."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from tui.widgets.runs.columns import (
    BY_KEY,
    COLUMNS,
    DEFAULT_SORT,
    Column,
    RunRow,
    filter_rows,
    sort_rows,
)

PICKED = "✓"
# What a narrow terminal leaves out, in order; every column still counts for the filter.
LEAVE_OUT_FIRST = ("device", "dataset", "seconds", "optimizer", "when", "hidden")


class RunsTable(DataTable):
    """One row per run; the cursor and the selection follow runs (by id) across refreshes."""

    class Updated(Message):
        """The table was brought up to date: what describe() says may have changed."""

    BINDINGS = [Binding("enter", "select_cursor", "Open", key_display="⏎")]
    DEFAULT_CSS = """
    RunsTable { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.runs: list[RunRow] = []  # as the store listed them: newest first
        self.shown: list[RunRow] = []  # sorted and filtered, as drawn
        self.sort_key = DEFAULT_SORT
        self.descending = BY_KEY[DEFAULT_SORT].descending
        self.filter_text = ""
        self.picked: dict[str, None] = {}  # selected run ids, in the order they were picked
        self._drawn: tuple | None = None  # what was drawn last, to skip redrawing the same
        self.hidden: list[str] = []  # headings of columns left out for want of width

    def on_mount(self) -> None:
        self.redraw()

    # What the screen asks of it.

    def show(self, runs: Sequence[RunRow]) -> None:
        """A fresh listing from the store; runs that are gone leave the selection."""
        self.runs = list(runs)
        ids = {row.run.id for row in self.runs}
        self.picked = {run_id: None for run_id in self.picked if run_id in ids}
        self.redraw()

    def cycle_sort(self) -> None:
        """Sort on the next column, in that column's usual direction."""
        keys = [column.key for column in COLUMNS]
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.descending = BY_KEY[self.sort_key].descending
        self.redraw()

    def reverse_sort(self) -> None:
        self.descending = not self.descending
        self.redraw()

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self.redraw()

    def toggle_pick(self) -> None:
        """Select the highlighted run, or leave it out again; the cursor moves down."""
        row = self.highlighted
        if row is None:
            return
        if row.run.id in self.picked:
            del self.picked[row.run.id]
        else:
            self.picked[row.run.id] = None
        self.redraw()
        self.move_cursor(row=self.cursor_row + 1)

    @property
    def highlighted(self) -> RunRow | None:
        if not self.shown or not 0 <= self.cursor_row < len(self.shown):
            return None
        return self.shown[self.cursor_row]

    @property
    def picked_rows(self) -> list[RunRow]:
        """The selected runs in the order they were picked (hidden by the filter or not)."""
        by_id = {row.run.id: row for row in self.runs}
        return [by_id[run_id] for run_id in self.picked if run_id in by_id]

    @property
    def shown_ids(self) -> list[str]:
        return [row.run.id for row in self.shown]

    def describe(self) -> str:
        """One line on what the table holds: counts, sort, selection and filter."""
        column = BY_KEY[self.sort_key]
        arrow = "↓" if self.descending else "↑"
        total, shown = len(self.runs), len(self.shown)
        counted = f"{total} run{'s' if total != 1 else ''}"
        if shown != total:
            counted = f"{shown} of {counted}"
        parts = [counted, f"sorted by {column.label} {arrow}"]
        if self.picked:
            parts.append(f"{len(self.picked)} selected")
        if self.filter_text.strip():
            parts.append(f"filter: {self.filter_text.strip()}")
        if self.hidden:
            parts.append(f"too narrow for {', '.join(self.hidden)}")
        return " · ".join(parts)

    # Drawing.

    def on_resize(self) -> None:
        self.redraw()  # a narrower table may leave columns out, a wider one brings them back

    def redraw(self) -> None:
        rows = filter_rows(sort_rows(self.runs, self.sort_key, self.descending), self.filter_text)
        self.shown = rows
        cells = {column.key: [column.cell(row) for row in rows] for column in COLUMNS}
        fitted = self.fit_columns(cells, len(rows))
        self.hidden = [column.label for column in COLUMNS if column not in fitted]
        picked = [PICKED if row.run.id in self.picked else "" for row in rows]
        table = [picked, *(cells[column.key] for column in fitted)]
        drawn = (self.sort_key, self.descending, [signature(column) for column in table])
        self.post_message(self.Updated())
        if drawn == self._drawn:
            return  # a refresh that changed nothing leaves the table (and its scroll) alone
        self._drawn = drawn
        keep = self.highlighted_id_before_redraw()
        self.clear(columns=True)  # columns too, so their widths fit what is shown now
        self.add_column(" ", key="picked")
        arrow = "↓" if self.descending else "↑"
        for column in fitted:
            self.add_column(
                column.label + (arrow if column.key == self.sort_key else ""), key=column.key
            )
        for row, row_cells in zip(rows, zip(*table, strict=True), strict=True):
            self.add_row(*row_cells, key=row.run.id)
        if keep in self.shown_ids:
            self.move_cursor(row=self.shown_ids.index(keep), animate=False)

    def fit_columns(self, cells: dict[str, list], rows: int) -> list[Column]:
        """The columns that fit the table's width, leaving out the least needed first."""
        room = self.size.width - (self.scrollbar_size_vertical if rows >= self.size.height else 0)
        if room <= 0:  # not laid out yet: a resize follows
            return list(COLUMNS)
        pad = 2 * self.cell_padding

        def width(column: Column) -> int:
            texts = [str(c) for c in cells[column.key]] + [column.label + "↓"]
            return max(cell_len(text) for text in texts) + pad

        fitted = list(COLUMNS)
        needed = 1 + pad + sum(width(column) for column in fitted)  # the selection mark's too
        for key in LEAVE_OUT_FIRST:
            if needed <= room:
                break
            fitted.remove(BY_KEY[key])
            needed -= width(BY_KEY[key])
        return fitted

    def highlighted_id_before_redraw(self) -> str | None:
        # The row keys still hold the rows drawn last; `shown` has already moved on.
        if not self.row_count or not 0 <= self.cursor_row < self.row_count:
            return None
        return self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value


def signature(cells: list) -> tuple:
    """Cells as values that compare with their styles (rich's Text equality ignores them)."""
    return tuple((str(c), str(c.style)) if isinstance(c, Text) else c for c in cells)
