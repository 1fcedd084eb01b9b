"""The table of recorded runs: sorted, filtered and selected here, redrawn only when it changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from tui.widgets.runs.columns import BY_KEY, COLUMNS, DEFAULT_SORT, Column, RunRow, sort_rows
from tui.widgets.runs.filter import RunFilter
from tui.widgets.runs.sweeps import (
    BEST,
    SWEEP_CELLS,
    SWEEP_SORT,
    SweepRow,
    group,
    sweep_name_cell,
)

PICKED = "✓"
PARTLY_PICKED = "·"  # a sweep some of whose runs are selected
BRANCH, LAST_BRANCH = "├ ", "└ "  # a sweep's runs listed under it
# What a narrow terminal leaves out, in order; every column still counts for the filter. At 80
# columns what is left is the name, status, lr, epochs, accuracies and tags.
SHOWN_WHEN_FILLED = ("tags",)  # left out while no run listed has any, to leave others room
MAX_NAMED_HIDDEN = 5  # columns left out that the summary line names; more are counted
LEAVE_OUT_FIRST: tuple[str, ...] = ("device", "dataset", "seconds", "samples", "duration")
LEAVE_OUT_FIRST += ("min_loss", "optimizer", "when", "hidden", "lr")


@dataclass(frozen=True)
class Line:
    """One drawn row: a run or a sweep, and for a sweep's run listed under it, that sweep."""

    entry: RunRow | SweepRow
    parent: SweepRow | None = None
    last: bool = False  # the last of its sweep's runs listed
    opened: bool = False  # a sweep with its runs listed under it

    @property
    def key(self) -> str:
        return self.entry.key if isinstance(self.entry, SweepRow) else self.entry.run.id


class RunsTable(DataTable):
    """One row per run, or per sweep with its runs under it when opened (x); the cursor and
    the selection follow runs and sweeps (by id) across refreshes."""

    class Updated(Message):
        """The table was brought up to date: what describe() says may have changed."""

    BINDINGS = [Binding("enter", "select_cursor", "Open", key_display="⏎")]
    DEFAULT_CSS = """
    RunsTable { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.runs: list[RunRow] = []  # as the store listed them: newest first
        self.lines: list[Line] = []  # sorted and filtered, as drawn
        self.shown: list[RunRow | SweepRow] = []  # the entries of those lines
        self.expanded: set[str] = set()  # sweeps whose runs are listed under them
        self.matched = 0  # runs that pass the filter, listed or folded into their sweep
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
        """Select the highlighted run (a sweep: all its runs), or leave it out again; the
        cursor moves down."""
        entry = self.highlighted_entry
        if entry is None:
            return
        ids = [r.run.id for r in entry.members] if isinstance(entry, SweepRow) else [entry.run.id]
        if all(run_id in self.picked for run_id in ids):
            for run_id in ids:
                del self.picked[run_id]
        else:
            self.picked.update((run_id, None) for run_id in ids if run_id not in self.picked)
        self.redraw()
        self.move_cursor(row=self.cursor_row + 1)

    def toggle_sweep(self) -> bool:
        """List the highlighted sweep's runs under it, or fold them (from the sweep or one of
        them) back into its row; False when the cursor is on no sweep."""
        line = self.highlighted_line
        if line is None:
            return False
        sweep = line.entry if isinstance(line.entry, SweepRow) else line.parent
        if sweep is None:
            return False
        self.expanded.symmetric_difference_update({sweep.sweep})
        self.redraw()
        self.move_cursor(row=self.shown_ids.index(sweep.key), animate=False)
        return True

    def move_to_run(self, run_id: str) -> bool:
        """Put the cursor on the run, or on its sweep's row while the sweep is folded; False
        when the filter hides it."""

        def holds(line: Line) -> bool:
            entry = line.entry
            if isinstance(entry, RunRow):
                return entry.run.id == run_id
            return not line.opened and any(m.run.id == run_id for m in entry.members)

        row = next((i for i, line in enumerate(self.lines) if holds(line)), None)
        if row is None:
            return False
        self.move_cursor(row=row, animate=False)
        return True

    @property
    def highlighted_line(self) -> Line | None:
        if not self.lines or not 0 <= self.cursor_row < len(self.lines):
            return None
        return self.lines[self.cursor_row]

    @property
    def highlighted_entry(self) -> RunRow | SweepRow | None:
        line = self.highlighted_line
        return None if line is None else line.entry

    @property
    def highlighted(self) -> RunRow | None:
        """The run under the cursor; None on a sweep's own row."""
        entry = self.highlighted_entry
        return entry if isinstance(entry, RunRow) else None

    @property
    def highlighted_sweep(self) -> SweepRow | None:
        """The sweep under the cursor: its own row, or one of its runs listed under it."""
        line = self.highlighted_line
        if line is None:
            return None
        return line.entry if isinstance(line.entry, SweepRow) else line.parent

    @property
    def picked_rows(self) -> list[RunRow]:
        """The selected runs in the order they were picked (hidden by the filter or not)."""
        by_id = {row.run.id: row for row in self.runs}
        return [by_id[run_id] for run_id in self.picked if run_id in by_id]

    @property
    def shown_ids(self) -> list[str]:
        """The drawn rows' keys: run ids, and sweep:ID for a sweep's own row."""
        return [line.key for line in self.lines]

    def describe(self) -> str:
        """One line on what the table holds: counts, sort, selection and filter."""
        column = BY_KEY[self.sort_key]
        arrow = "↓" if self.descending else "↑"
        total, shown = len(self.runs), self.matched
        counted = f"{total} run{'s' if total != 1 else ''}"
        if shown != total:
            counted = f"{shown} of {counted}"
        parts = [counted]
        sweeps = len({row.run.sweep for row in self.runs if row.run.sweep})
        if sweeps:
            parts.append(f"{sweeps} sweep{'s' if sweeps != 1 else ''}")
        parts.append(f"sorted by {column.label} {arrow}")
        if self.picked:
            parts.append(f"{len(self.picked)} selected")
        if self.filter_text.strip():
            parts.append(f"filter: {self.filter_text.strip()}")
        if len(self.hidden) > MAX_NAMED_HIDDEN:  # at 80 columns a list would run off the line
            parts.append(f"{len(self.hidden)} more columns when wider")
        elif self.hidden:
            parts.append(f"too narrow for {', '.join(self.hidden)}")
        return " · ".join(parts)

    # Drawing.

    def on_resize(self) -> None:
        self.redraw()  # a narrower table may leave columns out, a wider one brings them back

    def arranged(self) -> list[Line]:
        """Runs and sweeps sorted and filtered; an opened sweep's runs under it, sorted alike.

        A filter that matches some of a sweep's runs but not the sweep itself lists just
        those runs under it, opened or not: what was looked for is never folded away.
        """
        wanted = RunFilter.parse(self.filter_text)
        lines, matched = [], 0
        top = sort_rows(group(self.runs), self.sort_key, self.descending, sort_value)
        for entry in top:
            if isinstance(entry, RunRow):
                if wanted.keeps(entry):
                    lines.append(Line(entry))
                    matched += 1
                continue
            whole = wanted.keeps_sweep(entry)
            hits = entry.members if whole else [r for r in entry.members if wanted.keeps(r)]
            if not hits:
                continue
            opened = entry.sweep in self.expanded or not whole
            lines.append(Line(entry, opened=opened))
            matched += len(hits)
            if opened:
                listed = sort_rows(hits, self.sort_key, self.descending)
                lines += [Line(r, entry, i == len(listed) - 1) for i, r in enumerate(listed)]
        self.matched = matched
        return lines

    def cell(self, column: Column, line: Line) -> str | Text:
        entry = line.entry
        if isinstance(entry, SweepRow):
            if column.key == "name":
                return sweep_name_cell(entry, line.opened)
            shown = SWEEP_CELLS.get(column.key)  # a run's own figures (tags...) say nothing here
            return "" if shown is None else shown(entry)
        text = column.cell(entry)
        if line.parent is None:
            return text
        if column.key == "name":
            return (LAST_BRANCH if line.last else BRANCH) + str(text)
        if column.key == "test_acc" and line.parent.best is entry:
            return Text.assemble(text, f" {BEST}")
        return text

    def pick_mark(self, line: Line) -> str:
        entry = line.entry
        if isinstance(entry, RunRow):
            return PICKED if entry.run.id in self.picked else ""
        count = sum(r.run.id in self.picked for r in entry.members)
        return PICKED if count == len(entry.members) else PARTLY_PICKED if count else ""

    def redraw(self) -> None:
        self.lines = lines = self.arranged()
        self.shown = [line.entry for line in lines]
        cells = {column.key: [self.cell(column, line) for line in lines] for column in COLUMNS}
        wanted = [
            column
            for column in COLUMNS
            if column.key not in SHOWN_WHEN_FILLED or any(str(c) for c in cells[column.key])
        ]
        fitted = self.fit_columns(wanted, cells, len(lines))
        self.hidden = [column.label for column in wanted if column not in fitted]
        picked = [self.pick_mark(line) for line in lines]
        table: list[list] = [picked, *(cells[column.key] for column in fitted)]
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
        for line, row_cells in zip(lines, zip(*table, strict=True), strict=True):
            self.add_row(*row_cells, key=line.key)
        if keep in self.shown_ids:
            self.move_cursor(row=self.shown_ids.index(keep), animate=False)

    def fit_columns(self, columns: list[Column], cells: dict[str, list], rows: int) -> list[Column]:
        """Those of `columns` that fit the table's width, leaving out the least needed first."""
        room = self.size.width - (self.scrollbar_size_vertical if rows >= self.size.height else 0)
        if room <= 0:  # not laid out yet: a resize follows
            return list(columns)
        pad = 2 * self.cell_padding

        def width(column: Column) -> int:
            texts = [str(c) for c in cells[column.key]] + [column.label + "↓"]
            return max(cell_len(text) for text in texts) + pad

        fitted = list(columns)
        needed = 1 + pad + sum(width(column) for column in fitted)  # the selection mark's too
        for key in LEAVE_OUT_FIRST:
            if needed <= room:
                break
            if BY_KEY[key] not in fitted:
                continue
            fitted.remove(BY_KEY[key])
            needed -= width(BY_KEY[key])
        return fitted

    def highlighted_id_before_redraw(self) -> str | None:
        # The row keys still hold the rows drawn last; `shown` has already moved on.
        if not self.row_count or not 0 <= self.cursor_row < self.row_count:
            return None
        return self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value


def sort_value(column: Column, entry: RunRow | SweepRow):
    """What `o` sorts an entry by in `column`: a sweep's own figure, or the run's."""
    if isinstance(entry, SweepRow):
        sort = SWEEP_SORT.get(column.key)
        return None if sort is None else sort(entry)
    return column.sort_key(entry)


def signature(cells: list) -> tuple:
    """Cells as values that compare with their styles (rich's Text equality ignores them)."""
    return tuple((str(c), str(c.style)) if isinstance(c, Text) else c for c in cells)
