"""The sweep view, opened from the Runs screen: its runs ranked live, their curves overlaid.

It reads the store on a thread every POLL_S, so a sweep shows the same whether it trains in
this app or headless in another process or on a Ray cluster whose driver records it here.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from core.runs import RunStore, RunStoreError
from core.runs.cache import HistoryCache
from tui.host import app_host
from tui.screens.covered import CoverableScreen
from tui.widgets.chart.curves import MANY_RUNS_METRICS
from tui.widgets.chart.keys import CHART_BINDINGS, ChartKeys
from tui.widgets.footer import AppFooter
from tui.widgets.runs.members import MembersTable, MemberView, SweepCharts, view_of
from tui.widgets.runs.messages import SweepRead
from tui.widgets.runs.stopping import StopsSweeps
from tui.widgets.runs.sweeps import BEST
from tui.workers import reports_failure

POLL_S = 1.0  # one read of the sweep's runs a second (their epochs only when they change)


class SweepScreen(ChartKeys, StopsSweeps, CoverableScreen):
    """One sweep: Enter opens a run on the Train screen, s stops the sweep, Escape goes back."""

    TITLE = "mnist-tui · Runs · Sweep"
    AUTO_FOCUS = "#sweep-members"
    DEFAULT_CSS = """
    #sweep-summary { height: auto; max-height: 2; padding: 0 1; }
    #sweep-detail { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("s", "stop", "Stop sweep", id="stop"),
        Binding("escape", "back", "Back to the list", key_display="Esc", id="back"),
        *CHART_BINDINGS,
    ]
    CHART_METRICS = MANY_RUNS_METRICS
    CHARTS = SweepCharts

    def __init__(self, sweep_id: str) -> None:
        super().__init__()
        self.sweep_id = sweep_id
        self.members: list[MemberView] = []  # in the order they started
        self.stop_requested = False
        self.problem: str | None = None
        self.loaded = False  # the store has been read at least once
        self.cache = HistoryCache()
        self.seen: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"sweep {self.sweep_id}: reading its runs…", id="sweep-summary")
        yield MembersTable(id="sweep-members")
        yield SweepCharts(id="sweep-charts")
        yield Static("", id="sweep-detail")
        yield AppFooter()

    def on_mount(self) -> None:
        self.timer = self.set_interval(POLL_S, self.poll)
        self.poll()

    def on_screen_suspend(self) -> None:
        self.timer.pause()

    def on_screen_resume(self) -> None:
        self.timer.resume()
        self.poll()

    @property
    def table(self) -> MembersTable:
        return self.query_one(MembersTable)

    # Reading the store ---------------------------------------------------------------------

    def poll(self) -> None:
        """Read the sweep again, unless the last read is still going."""
        busy = any(
            w.node is self and w.group == "sweep-read" and not w.is_finished for w in self.workers
        )
        if not busy:
            self.read_sweep(app_host(self).options.runs, self.sweep_id)

    @work(thread=True, exclusive=True, group="sweep-read", exit_on_error=False)
    @reports_failure("Sweep")
    def read_sweep(self, folder: str | None, sweep_id: str) -> None:
        worker = get_current_worker()
        members, problem, stop = [], None, False
        try:
            with RunStore.open(folder) as store:
                runs = store.sweep_members(sweep_id)
                histories = self.cache.histories(store, runs)
                members = [view_of(run, histories[run.id]) for run in runs]
                sweep = members[0].row.run.sweep if members else None
                if sweep is not None:
                    stop = store.sweep_stop_requested(sweep)
        except RunStoreError as error:  # UnknownRunError too: the sweep was deleted
            members, problem = [], str(error)
        seen = (problem, stop, [fingerprint(m) for m in members])
        if worker.is_cancelled or seen == self.seen:
            return  # most polls find nothing new: the UI thread then has nothing to redraw
        self.seen = seen
        self.post_message(SweepRead(members, stop, problem))

    @on(SweepRead)
    def sweep_read(self, message: SweepRead) -> None:
        self.loaded = True
        self.problem = message.problem
        self.members = message.members
        self.stop_requested = message.stop_requested
        if message.members:
            self.sweep_id = message.members[0].row.run.sweep or self.sweep_id  # the full id
            self.sub_title = f"sweep {self.sweep_id}"
        self.table.show(message.members)
        self.query_one(SweepCharts).show_members(message.members)
        self.query_one("#sweep-summary", Static).update(self.summary())
        self.member_highlighted()

    def summary(self) -> str:
        if self.problem:
            return f"Cannot show sweep {self.sweep_id}: {self.problem}"
        rows = [m.row for m in self.members]
        parts = [f"sweep {self.sweep_id}", f"{len(rows)} runs"]
        for status in ("finished", "running", "stopped", "failed", "interrupted"):
            if n := sum(row.run.status == status for row in rows):
                parts.append(f"{n} {status}")
        best = self.table.best
        if best is not None:
            parts.append(f"{BEST} best {best.row.test_acc:.2%} {best.row.run.label}")
        if self.stop_requested and any(row.run.running for row in rows):
            parts.append("stop asked")
        return " · ".join(parts)

    @on(DataTable.RowHighlighted, "#sweep-members")
    def member_highlighted(self) -> None:
        member = self.table.highlighted
        detail = self.query_one("#sweep-detail", Static)
        if member is None:
            detail.update("")
            return
        run = member.row.run
        parts = [f"run {run.id}", run.label]
        if member.row.seconds_per_epoch is not None:
            parts.append(f"{member.row.seconds_per_epoch:.2f} s/epoch")
        if run.failure:
            parts.append(f"{run.status}: {run.failure}")
        detail.update(" · ".join(parts))

    # Keys ----------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#sweep-members")
    async def member_selected(self) -> None:
        member = self.table.highlighted
        if member is not None:
            await app_host(self).follow_run(member.id)

    def action_stop(self) -> None:
        self.ask_sweep_stop(self.sweep_id)

    def action_back(self) -> None:
        self.app.pop_screen()


def fingerprint(member: MemberView) -> tuple:
    """What the view shows of a run that can change while the sweep trains."""
    run = member.row.run
    return (run.id, run.name, run.status, run.epochs_done, run.test_acc, len(member.history))
