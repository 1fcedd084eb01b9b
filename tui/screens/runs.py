"""Screen 5: every recorded run, live; sort, filter, compare, and open one where it belongs.

A sweep's runs fold into one row: Enter opens the sweep view, x lists its runs under it, s
asks it to stop. t and N write a run's tags and note; F follows each new running run.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Input, Static
from textual.worker import get_current_worker

from core.runs import RunRecord, RunStore, RunStoreError
from core.runs.cache import HistoryCache
from tui.host import app_host
from tui.messages import RunEdited, RunsListed
from tui.screens.compare_runs import CompareRunsScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.covered import CoverableScreen
from tui.screens.rename_run import RenameRunScreen
from tui.screens.run_words import NoteScreen, TagsScreen
from tui.screens.sweep import SweepScreen
from tui.widgets.footer import AppFooter
from tui.widgets.runs.columns import RunRow
from tui.widgets.runs.detail import RunDetail
from tui.widgets.runs.filter import PROMPT
from tui.widgets.runs.stopping import StopsSweeps
from tui.widgets.runs.sweeps import SweepRow
from tui.widgets.runs.table import RunsTable
from tui.workers import reports_failure

REFRESH_S = 2.0  # runs started elsewhere appear, and running ones move, this often
EMPTY = (
    "No runs recorded yet. Every training run is recorded here: train one on screen 3 "
    "(press 3, then s), or from a shell with `mnist-tui train --headless`."
)


class RunsScreen(StopsSweeps, CoverableScreen):
    """The run store as a table; reads happen on a thread, every REFRESH_S while shown."""

    TITLE = "mnist-tui · Runs"
    AUTO_FOCUS = "#runs-table"
    DEFAULT_CSS = """
    #runs-summary { height: 1; padding: 0 1; color: $text-muted; }
    #runs-filter { display: none; }
    #runs-message { display: none; padding: 1 2; }
    """
    BINDINGS = [
        # In the footer's order of need: at 80 columns its tail is cut; `?` lists every key.
        Binding("enter", "open", "Open on the Train screen", show=False, id="open"),
        Binding("space", "pick", "Select", id="pick"),
        Binding("v", "compare", "Compare", id="compare"),
        Binding("e", "evaluate", "Evaluate", id="evaluate"),
        Binding("r", "rename", "Rename", id="rename"),
        Binding("d", "delete", "Delete", id="delete"),
        Binding("C", "continue", "Continue", key_display="C", id="continue"),
        Binding("o", "sort", "Sort", id="sort"),
        Binding("slash", "filter", "Filter", key_display="/", id="filter"),
        Binding("t", "tags", "Tags", id="tags"),
        Binding("N", "note", "Note", key_display="N", id="note"),
        Binding("F", "follow_newest", "Follow newest", key_display="F", id="follow-newest"),
        # Shown only while the cursor is on a sweep or one of its runs (check_action).
        Binding("x", "toggle_sweep", "Sweep's runs", id="toggle-sweep"),
        Binding("s", "stop_sweep", "Stop sweep", id="stop-sweep"),
        Binding("O", "reverse", "Reverse sort", key_display="O", id="reverse"),
        Binding("escape", "clear_filter", "Clear the filter", show=False, id="clear-filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.problem: str | None = None  # the store's one-line error while it cannot be read
        self.listed = False  # the store has been read at least once
        self.history_cache = HistoryCache()
        self.seen: tuple | None = None  # what the last listing posted held, in brief
        self.following = False  # F: the cursor goes to each new running run
        self.known_running: set[str] | None = None  # running runs the last listing held

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Reading the run store…", id="runs-summary")
        yield Input(placeholder=PROMPT, id="runs-filter")
        yield RunsTable(id="runs-table")
        yield RunDetail(id="runs-detail")
        yield Static("", id="runs-message")
        yield AppFooter()

    def on_mount(self) -> None:
        self.timer = self.set_interval(REFRESH_S, self.refresh_runs)
        self.refresh_runs()

    def on_screen_suspend(self) -> None:
        self.timer.pause()

    def on_screen_resume(self) -> None:
        self.timer.resume()
        self.refresh_runs()

    @property
    def table(self) -> RunsTable:
        return self.query_one(RunsTable)

    # Reading the store ---------------------------------------------------------------------

    @property
    def reading(self) -> bool:
        return any(
            w.node is self and w.group == "runs-read" and not w.is_finished for w in self.workers
        )

    def refresh_runs(self, force: bool = False) -> None:
        """Read the store again; a timer tick while a read is still going is skipped."""
        if force or not self.reading:
            self.read_runs(app_host(self).options.runs)

    @work(thread=True, exclusive=True, group="runs-read", exit_on_error=False)
    @reports_failure("Runs")
    def read_runs(self, folder: str | None) -> None:
        worker = get_current_worker()
        problem: str | None = None
        try:
            with RunStore.open(folder) as store:
                rows = list_rows(store, self.history_cache)
        except RunStoreError as error:
            rows, problem = [], str(error)
        # Most ticks find nothing new: the UI thread then has nothing to redraw.
        seen = (problem, [fingerprint(row.run) for row in rows])
        if worker.is_cancelled or seen == self.seen:
            return  # cancelled: a newer read was asked for, and its answer counts
        self.seen = seen
        self.post_message(RunsListed(rows, problem))

    @on(RunsListed)
    def runs_listed(self, message: RunsListed) -> None:
        self.listed = True
        self.problem = message.problem
        table = self.table
        if message.problem is None:
            table.show(message.rows)
            self.follow_newest(message.rows)
        text = message.problem or (EMPTY if not message.rows else "")
        show_message = self.query_one("#runs-message", Static)
        show_message.update(text)
        show_message.display = bool(text)
        table.display = not text
        self.query_one(RunDetail).display = not text
        self.update_summary()

    @on(RunsTable.Updated)
    def update_summary(self) -> None:
        summary = self.query_one("#runs-summary", Static)
        if self.problem is not None:
            summary.update("The run store cannot be read:")
        elif not self.table.runs:
            summary.update("No runs")
        else:
            summary.update(self.table.describe())
        self.row_highlighted()

    @on(DataTable.RowHighlighted, "#runs-table")
    def row_highlighted(self) -> None:
        self.query_one(RunDetail).show(self.table.highlighted_entry)
        self.refresh_bindings()  # x and s show while a sweep is under the cursor

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_sweep", "stop_sweep"):
            tables = self.query(RunsTable)  # none yet while the screen is being built
            table = tables.first() if tables else None
            return table is not None and table.display and table.highlighted_sweep is not None
        return True

    # Following the newest running run ------------------------------------------------------

    def action_follow_newest(self) -> None:
        self.following = not self.following
        self.title = f"{self.TITLE} · following newest" if self.following else self.TITLE
        if self.following:
            newest = self.newest_running(self.table.runs)
            if newest is not None:
                self.table.move_to_run(newest.run.id)
        self.notify(
            "Following newest: the cursor goes to each run that starts; F again stops."
            if self.following
            else "No longer following the newest run.",
            title="Runs",
        )

    def follow_newest(self, rows: list[RunRow]) -> None:
        """After a listing: while following, onto the newest of the runs that began running
        since the last one. Runs listed at the first read are not new."""
        running = {row.run.id for row in rows if row.run.running}
        known, self.known_running = self.known_running, running
        if not self.following or known is None:
            return
        newest = self.newest_running([row for row in rows if row.run.id in running - known])
        if newest is not None:
            self.table.move_to_run(newest.run.id)

    @staticmethod
    def newest_running(rows: list[RunRow]) -> RunRow | None:
        running = [row for row in rows if row.run.running]
        return max(running, key=lambda row: row.run.started_at, default=None)

    # The list: sort, filter, select --------------------------------------------------------

    def action_sort(self) -> None:
        self.table.cycle_sort()

    def action_reverse(self) -> None:
        self.table.reverse_sort()

    def action_pick(self) -> None:
        self.table.toggle_pick()

    def action_filter(self) -> None:
        field = self.query_one("#runs-filter", Input)
        field.display = True
        field.focus()

    @on(Input.Changed, "#runs-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(event.value)

    @on(Input.Submitted, "#runs-filter")
    def filter_submitted(self) -> None:
        self.table.focus()  # the filter stays; `/` edits it, Escape clears it

    def action_clear_filter(self) -> None:
        field = self.query_one("#runs-filter", Input)
        field.value = ""  # Input.Changed clears the table's filter
        self.table.set_filter("")
        field.display = False
        self.table.focus()

    # Acting on runs ------------------------------------------------------------------------

    def highlighted(self) -> RunRow | None:
        row = self.table.highlighted if self.table.display else None
        sweep = self.table.highlighted_sweep if self.table.display else None
        if row is None and sweep is not None:
            self.notify(
                f"This row is {sweep.title}: Enter opens it, x lists its runs to act on one.",
                title="Runs",
                severity="warning",
            )
        elif row is None:
            self.notify("No run here: record one first.", title="Runs", severity="warning")
        return row

    @on(DataTable.RowSelected, "#runs-table")
    async def row_selected(self) -> None:
        await self.action_open()

    async def action_open(self) -> None:
        entry = self.table.highlighted_entry if self.table.display else None
        if isinstance(entry, SweepRow):
            self.app.push_screen(SweepScreen(entry.sweep))
            return
        row = self.highlighted()
        if row is not None:
            await app_host(self).follow_run(row.run.id)

    def action_toggle_sweep(self) -> None:
        self.table.toggle_sweep()

    def action_stop_sweep(self) -> None:
        sweep = self.table.highlighted_sweep
        if sweep is not None:
            self.ask_sweep_stop(sweep.sweep)

    async def action_continue(self) -> None:
        row = self.highlighted()
        if row is not None and self.has_checkpoint(row.run):
            await app_host(self).continue_run(row.run.id)

    async def action_evaluate(self) -> None:
        row = self.highlighted()
        if row is not None and self.has_checkpoint(row.run):
            await app_host(self).evaluate_run(row.run.id)

    def has_checkpoint(self, run: RunRecord) -> bool:
        """Whether `e` and `C` have weights to act on; said here, on Runs, when not."""
        if not run.checkpoint:
            self.notify(
                f"Run {run.label} has no checkpoint: {run.no_checkpoint_because()}.",
                title="Runs",
                severity="warning",
            )
        return bool(run.checkpoint)

    def action_compare(self) -> None:
        picked = self.table.picked_rows
        if len(picked) < 2:
            self.notify(
                "Select two or more runs with space, then press v.", title="Compare", timeout=6
            )
            return
        self.app.push_screen(CompareRunsScreen([row.run for row in picked]))

    def action_rename(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        run = row.run

        def renamed(name: str | None) -> None:
            if name is not None and name.strip() != (run.name or ""):
                self.edit_store(app_host(self).options.runs, "rename", run.id, name)

        self.app.push_screen(RenameRunScreen(run.id, run.name), renamed)

    def action_tags(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        run = row.run

        def tagged(tags: tuple[str, ...] | None) -> None:
            if tags is not None and sorted(tags) != list(run.tags):
                # Only what was changed here: a tag added meanwhile from a terminal stays.
                change = (set(tags) - set(run.tags), set(run.tags) - set(tags))
                self.edit_store(app_host(self).options.runs, "tags", run.id, change)

        self.app.push_screen(TagsScreen(run.id, run.tags), tagged)

    def action_note(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        run = row.run

        def noted(note: str | None) -> None:
            if note is not None and note.strip() != (run.note or ""):
                self.edit_store(app_host(self).options.runs, "note", run.id, note)

        self.app.push_screen(NoteScreen(run.id, run.note), noted)

    def action_delete(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        run = row.run
        named = f"{run.label} ({run.id})" if run.name else run.id
        if run.running:  # the store would refuse it: said before asking, not after
            self.notify(
                f"Run {named} is still training: stop it before deleting it.",
                title="Runs",
                severity="warning",
            )
            return
        question = f"Delete run {named} and its checkpoint? This cannot be undone."

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.edit_store(app_host(self).options.runs, "delete", run.id)

        self.app.push_screen(ConfirmScreen(question), confirmed)

    @work(thread=True, group="runs-edit", exit_on_error=False)
    @reports_failure("Runs")
    def edit_store(self, folder: str | None, what: str, run_id: str, value: Any = None) -> None:
        """Rename, tag, note or delete one run: a write may wait for a training process's lock."""
        try:
            with RunStore.open(folder) as store:
                done = edit(store, what, run_id, value)
        except RunStoreError as error:
            self.post_message(RunEdited("", str(error)))
        else:
            self.post_message(RunEdited(done))

    @on(RunEdited)
    def run_edited(self, message: RunEdited) -> None:
        if message.problem:
            self.notify(message.problem, title="Runs", severity="error")
        else:
            self.notify(message.done, title="Runs")
        self.refresh_runs(force=True)


def edit(store: RunStore, what: str, run_id: str, value: Any) -> str:
    """Write one edit of a run to the store; what the user is told it did."""
    if what == "delete":
        store.delete(run_id)
        return f"Deleted run {run_id}."
    if what == "rename":
        run = store.rename(run_id, value)
        return f"Run {run.id} is now {run.label}."
    if what == "tags":
        added, removed = value
        run = store.change_tags(run_id, add=sorted(added), remove=sorted(removed))
        tags = ", ".join(run.tags)
        return f"Run {run.label} is tagged {tags}." if tags else f"Run {run.label} has no tags."
    run = store.set_note(run_id, value)
    return f"Noted on run {run.label}." if run.note else f"Run {run.label} has no note."


def list_rows(store: RunStore, cache: HistoryCache) -> list[RunRow]:
    """The store's runs newest first, with figures from their histories (read through
    `cache`: again only for runs that changed)."""
    runs = store.list()
    histories = cache.histories(store, runs)
    rows = []
    for run in runs:
        history = histories[run.id]
        seconds = [e.seconds for e in history]
        mean = sum(seconds) / len(seconds) if seconds else None
        last = history[-1].test_acc if history else None
        rows.append(RunRow(run, seconds_per_epoch=mean, last_test_acc=last))
    return rows


def fingerprint(run: RunRecord) -> tuple:
    """What a listing shows of a run that can change after it starts."""
    return (
        *(run.id, run.name, run.status, run.heartbeat_at, run.epochs_done, run.test_acc),
        *(run.checkpoint, run.failure, run.note, run.tags),
    )
