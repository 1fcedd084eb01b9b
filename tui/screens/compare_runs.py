"""The Runs screen's compare view: the selected runs' test curves overlaid, and how they differ."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from core.runs import RunRecord, RunStore, RunStoreError
from tui.host import app_host
from tui.messages import RunsCompared
from tui.screens.covered import CoverableScreen
from tui.widgets.chart.curves import MANY_RUNS_METRICS
from tui.widgets.chart.keys import CHART_BINDINGS, ChartKeys
from tui.widgets.footer import AppFooter
from tui.widgets.runs.compare import CompareCharts, ConfigDiff, identical_groups
from tui.workers import reports_failure


class CompareRunsScreen(ChartKeys, CoverableScreen):
    """Two or more runs side by side; Escape goes back to the list."""

    TITLE = "mnist-tui · Runs · Compare"
    BINDINGS = [
        Binding("escape", "back", "Back to the list", key_display="Esc", id="back"),
        Binding("a", "all_settings", "All settings", id="all-settings"),
        *CHART_BINDINGS,
    ]
    CHART_METRICS = MANY_RUNS_METRICS
    CHARTS = CompareCharts

    def __init__(self, runs: list[RunRecord]) -> None:
        super().__init__()
        self.runs = runs
        self.loaded = False
        self.identical: list[list[RunRecord]] = []  # runs whose curves hide each other

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Comparing {len(self.runs)} runs: reading their epochs…", id="compare-title")
        yield CompareCharts(id="compare-charts")
        yield ConfigDiff(id="compare-diff")
        yield AppFooter()

    def on_mount(self) -> None:
        self.read_histories(app_host(self).options.runs, [run.id for run in self.runs])

    @work(thread=True, exclusive=True, group="runs-compare", exit_on_error=False)
    @reports_failure("Compare")
    def read_histories(self, folder: str | None, run_ids: list[str]) -> None:
        try:
            with RunStore.open(folder) as store:
                runs = [store.get(run_id) for run_id in run_ids]
                histories = {run.id: store.history(run.id) for run in runs}
        except RunStoreError as error:  # UnknownRunError too: a run deleted meanwhile
            self.post_message(RunsCompared(self.runs, {}, str(error)))
            return
        self.post_message(RunsCompared(runs, histories))

    @on(RunsCompared)
    def compared(self, message: RunsCompared) -> None:
        self.loaded = True
        self.runs = message.runs
        title = self.query_one("#compare-title", Static)
        if message.problem:
            title.update(f"Cannot compare: {message.problem}")
            return
        charts = self.query_one(CompareCharts)
        charts.show_runs(message.runs, message.histories)
        self.query_one(ConfigDiff).show(message.runs, charts.legend)
        self.identical = identical_groups(message.runs, message.histories)
        title.update(self.summary())

    def summary(self) -> str:
        differ = self.query_one(ConfigDiff).fields
        differences = f"they differ in {', '.join(differ)}" if differ else "same settings"
        line = f"Comparing {len(self.runs)} runs · {differences}"
        legend = self.query_one(CompareCharts).legend
        for group in self.identical:  # drawn on top of each other: one line shows
            ids = {run.id for run in group}
            names = [e.label for run, e in zip(self.runs, legend, strict=True) if run.id in ids]
            line += f" · identical curves: {', '.join(names)}"
        return line

    def action_all_settings(self) -> None:
        diff = self.query_one(ConfigDiff)
        diff.toggle_all()
        self.notify("All settings shown." if diff.all_settings else "Only differing settings.")

    def action_back(self) -> None:
        self.app.pop_screen()
