"""The compare view's widgets: runs overlaid per metric, and the settings in which they differ."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from core.runs import EpochRecord, RunRecord
from tui.widgets.chart.runs_charts import LegendEntry, RunCurves, RunsCharts, legend_for

# Settings every run has and that the table's own columns already say.
SAID_ELSEWHERE = ("epochs",)


class CompareCharts(RunsCharts):
    """The compared runs, in the order they were picked; `legend` says how each is drawn."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.legend: list[LegendEntry] = []

    def show_runs(self, runs: Sequence[RunRecord], histories: dict[str, list[EpochRecord]]) -> None:
        self.legend = legend_for(runs)
        pairs = zip(runs, self.legend, strict=True)
        self.show([RunCurves(run, entry, histories.get(run.id, [])) for run, entry in pairs])


def differing_fields(configs: Sequence[dict[str, Any]]) -> list[str]:
    """The config fields whose values are not the same in every run, in first-seen order."""
    keys = list(dict.fromkeys(key for config in configs for key in config))
    missing = object()
    return [key for key in keys if len({repr(c.get(key, missing)) for c in configs}) > 1]


def identical_groups(
    runs: Sequence[RunRecord], histories: dict[str, list[EpochRecord]]
) -> list[list[RunRecord]]:
    """Runs whose curves are the same point for point: drawn on top of each other, the last
    hides the rest, so the view says which they are."""
    groups: dict[tuple, list[RunRecord]] = {}
    for run in runs:
        history = histories.get(run.id, [])
        if history:
            key = tuple(
                tuple(same_nan(v) for v in (e.epoch, e.test_acc, e.test_loss, e.train_loss))
                for e in history
            )
            groups.setdefault(key, []).append(run)
    return [group for group in groups.values() if len(group) > 1]


class ConfigDiff(Static):
    """The legend as a table: each run's marker and name, its result, its parent run, and the
    settings that differ (all of them with `all_settings`)."""

    DEFAULT_CSS = """
    ConfigDiff { height: auto; max-height: 12; padding: 0 1; overflow-y: auto; }
    ConfigDiff.-all { max-height: 50%; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.fields: list[str] = []  # the differing settings
        self.all_settings = False
        self.shown: tuple[Sequence[RunRecord], Sequence[LegendEntry]] = ((), ())

    def show(self, runs: Sequence[RunRecord], legend: Sequence[LegendEntry]) -> None:
        self.shown = (runs, legend)
        configs = [dict(run.config) for run in runs]
        self.fields = differing_fields(configs)
        table = self.every_setting(runs, configs, legend) if self.all_settings else None
        self.update(table or self.differences(runs, configs, legend))

    def differences(
        self, runs: Sequence[RunRecord], configs: list[dict], legend: Sequence[LegendEntry]
    ) -> Table:
        """A row a run: its result, the run it continues, and the settings that differ."""
        columns = [field for field in self.fields if field not in SAID_ELSEWHERE]
        labels = {run.id: entry.label for run, entry in zip(runs, legend, strict=True)}
        with_parents = any(run.parent for run in runs)
        table = Table(box=None, padding=(0, 1), header_style="bold", pad_edge=False)
        table.add_column("")
        table.add_column("run")
        table.add_column("test acc", justify="right")
        table.add_column("epochs", justify="right")
        if with_parents:
            table.add_column("continues")
        for field in columns:
            table.add_column(field)
        for run, config, entry in zip(runs, configs, legend, strict=True):
            accuracy = "" if run.test_acc is None else f"{run.test_acc:.2%}"
            done = f"{run.epochs_done}/{config.get('epochs', '?')}"
            values = [shown(config.get(field)) for field in columns]
            parent = [parent_label(run.parent, labels)] if with_parents else []
            key = Text(entry.marker * 3, style=entry.style)
            name = Text(entry.label, style=entry.style)
            table.add_row(key, name, accuracy, done, *parent, *values)
        if not self.fields:
            table.caption = "Same settings in every run."
        return table

    def every_setting(
        self, runs: Sequence[RunRecord], configs: list[dict], legend: Sequence[LegendEntry]
    ) -> Table:
        """A row a setting and a column a run: a dozen settings read down, not across."""
        table = Table(box=None, padding=(0, 1), header_style="bold", pad_edge=False)
        table.add_column("setting")
        for entry in legend:
            table.add_column(Text(f"{entry.marker} {entry.label}", style=entry.style))
        every = list(dict.fromkeys(key for config in configs for key in config))
        for field in every:
            style = "bold" if field in self.fields else "dim"
            table.add_row(Text(field, style=style), *(shown(c.get(field)) for c in configs))
        table.caption = "Differing settings in bold; a shows only those."
        return table

    def toggle_all(self) -> None:
        self.all_settings = not self.all_settings
        self.set_class(self.all_settings, "-all")
        self.show(*self.shown)


def same_nan(value: float) -> float | None:
    """NaN as None: two diverged runs' NaN figures are the same curve, and NaN != NaN."""
    return None if isinstance(value, float) and math.isnan(value) else value


def parent_label(parent: str | None, labels: dict[str, str]) -> str:
    """The run a continued run went on from: by its name when it is compared too."""
    if parent is None:
        return "—"
    return labels.get(parent, parent)


def shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
