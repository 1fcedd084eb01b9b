"""The compare view's widgets: runs overlaid per metric, and the settings in which they differ."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static
from textual_plotext import PlotextPlot

from core.runs import EpochRecord, RunRecord

# Okabe and Ito's colour-blind-safe palette; each run also gets its own marker, so the lines
# tell apart in monochrome and for every kind of colour vision.
COLOURS = (
    (230, 159, 0),
    (86, 180, 233),
    (0, 158, 115),
    (213, 94, 0),
    (204, 121, 167),
    (240, 228, 66),
    (0, 114, 178),
    (160, 160, 160),
)
MARKERS = ("•", "+", "x", "*", "o", "#", "@", "%")
METRICS = (("test_acc", "test accuracy per epoch"), ("test_loss", "test loss per epoch"))


@dataclass(frozen=True)
class LegendEntry:
    """How one run is drawn: its label, colour and marker."""

    label: str
    colour: tuple[int, int, int]
    marker: str

    @property
    def style(self) -> str:
        return "bold rgb({},{},{})".format(*self.colour)


def legend_for(runs: Sequence[RunRecord]) -> list[LegendEntry]:
    """One entry per run in order; names shared by several runs get their ids added."""
    labels = [run.label for run in runs]
    entries = []
    for i, run in enumerate(runs):
        label = run.label if labels.count(run.label) == 1 else f"{run.label} ({run.id})"
        entries.append(LegendEntry(label, COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)]))
    return entries


def differing_fields(configs: Sequence[dict[str, Any]]) -> list[str]:
    """The config fields whose values are not the same in every run, in first-seen order."""
    keys = list(dict.fromkeys(key for config in configs for key in config))
    missing = object()
    return [key for key in keys if len({repr(c.get(key, missing)) for c in configs}) > 1]


class CompareCharts(Horizontal):
    """Test accuracy and test loss per epoch, every run on each chart."""

    DEFAULT_CSS = """
    CompareCharts { height: 1fr; min-height: 8; }
    CompareCharts PlotextPlot { width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.legend: list[LegendEntry] = []
        self.series: dict[str, list[tuple[list[int], list[float]]]] = {}  # metric: per run

    def compose(self) -> ComposeResult:
        for metric, _ in METRICS:
            yield PlotextPlot(id=f"compare-{metric.replace('_', '-')}")

    def show(self, runs: Sequence[RunRecord], histories: dict[str, list[EpochRecord]]) -> None:
        self.legend = legend_for(runs)
        for metric, title in METRICS:
            self.series[metric] = [
                ([e.epoch + 1 for e in history], [getattr(e, metric) for e in history])
                for history in (histories.get(run.id, []) for run in runs)
            ]
            self.draw(metric, title)

    def draw(self, metric: str, title: str) -> None:
        widget = self.query_one(f"#compare-{metric.replace('_', '-')}", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        epochs: set[int] = set()
        for entry, (xs, ys) in zip(self.legend, self.series[metric], strict=True):
            if xs:
                plt.plot(xs, ys, label=entry.label, marker=entry.marker, color=entry.colour)
                epochs.update(xs)
        if 1 < len(epochs) <= 10:
            plt.xticks(sorted(epochs))
        plt.xlabel("epoch")
        widget.refresh()


class ConfigDiff(Static):
    """The legend as a table: each run's marker and name, its result, and the differing fields."""

    DEFAULT_CSS = """
    ConfigDiff { height: auto; max-height: 12; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.fields: list[str] = []

    def show(self, runs: Sequence[RunRecord], legend: Sequence[LegendEntry]) -> None:
        configs = [dict(run.config) for run in runs]
        self.fields = differing_fields(configs)
        table = Table(box=None, padding=(0, 1), header_style="bold", pad_edge=False)
        table.add_column("")
        table.add_column("run")
        table.add_column("test acc", justify="right")
        table.add_column("epochs", justify="right")
        for field in self.fields:
            table.add_column(field)
        for run, config, entry in zip(runs, configs, legend, strict=True):
            accuracy = "" if run.test_acc is None else f"{run.test_acc:.2%}"
            done = f"{run.epochs_done}/{config.get('epochs', '?')}"
            values = [shown(config.get(field)) for field in self.fields]
            key = Text(entry.marker * 3, style=entry.style)
            table.add_row(key, Text(entry.label, style=entry.style), accuracy, done, *values)
        if not self.fields:
            table.caption = "Same settings in every run."
        self.update(table)


def shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
