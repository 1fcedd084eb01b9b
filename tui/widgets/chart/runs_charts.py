"""Many runs on each chart, one curve a run: what Compare and the sweep view draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal

from tui.widgets.chart.curves import (
    MANY_RUNS_METRICS,
    TEST_ACC,
    TEST_LOSS,
    Colour,
    Curve,
    epoch_numbers,
    epoch_values,
    run_lr,
    style_of,
)
from tui.widgets.chart.line_chart import LineChart
from tui.widgets.chart.view import ChartView

SHOWN_FIRST = (TEST_ACC.key, TEST_LOSS.key)  # what Compare and the sweep view open with


@dataclass(frozen=True)
class LegendEntry:
    """How one run is drawn: its label, colour and marker."""

    label: str
    colour: Colour
    marker: str

    @property
    def style(self) -> str:
        return "bold rgb({},{},{})".format(*self.colour)


def legend_for(
    runs: Sequence[Any], best: str | None = None, best_marker: str = ""
) -> list[LegendEntry]:
    """One entry per run in order, each colour-and-marker pair its own however many runs (the
    run whose id is `best` marked with `best_marker`); names shared by several runs get their
    ids added."""
    labels = [run.label for run in runs]
    entries = []
    for i, run in enumerate(runs):
        label = run.label if labels.count(run.label) == 1 else f"{run.label} ({run.id})"
        colour, marker = style_of(i)
        entries.append(LegendEntry(label, colour, best_marker if run.id == best else marker))
    return entries


@dataclass(frozen=True)
class RunCurves:
    """One run to draw: its id, how it is drawn, and its epochs (its settings give the lr)."""

    run: Any  # a RunRecord
    entry: LegendEntry
    history: Sequence[Any]  # EpochRecords


class RunsCharts(Horizontal):
    """The chosen metrics per epoch, a curve a run on each chart, in the order given (the last
    drawn on top). No names under the charts: the table beside them is their legend.

    Narrower than `narrow_below` columns only the first chart shows: two 40-column charts are
    unreadable."""

    DEFAULT_CSS = """
    RunsCharts { height: 1fr; min-height: 8; }
    """

    def __init__(self, narrow_below: int = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = ChartView(metrics=SHOWN_FIRST)
        self.narrow_below = narrow_below
        self.runs: list[RunCurves] = []
        # metric: (run id, marker, xs, ys) in the order drawn
        self.drawn: dict[str, list[tuple[str, str, list[int], list[float]]]] = {}

    def compose(self) -> ComposeResult:
        for metric in MANY_RUNS_METRICS:
            yield LineChart(id=f"chart-{metric.key}")

    def on_resize(self) -> None:
        self.call_after_refresh(self.draw_all)

    def show(self, runs: Sequence[RunCurves]) -> None:
        self.runs = list(runs)
        self.draw_all()

    def show_view(self, view: ChartView) -> None:
        self.view = view
        self.draw_all()

    def draw_all(self) -> None:
        wide = self.size.width >= self.narrow_below
        shown = self.view.metrics if wide else self.view.metrics[:1]
        order = {key: place for place, key in enumerate(shown)}
        for metric in MANY_RUNS_METRICS:
            self.chart(metric.key).display = metric.key in order
        self.sort_children(key=lambda chart: order.get(str(chart.id).removeprefix("chart-"), 99))
        for metric in MANY_RUNS_METRICS:
            attribute = metric.series[0][1]
            self.drawn[metric.key] = [
                (
                    one.run.id,
                    one.entry.marker,
                    epoch_numbers(one.history),
                    epoch_values(one.history, attribute, run_lr(one.run)),
                )
                for one in self.runs
            ]
            if metric.key in order:
                curves = [
                    Curve("", xs, ys, one.entry.colour, marker, line=marker)
                    for one, (_, marker, xs, ys) in zip(
                        self.runs, self.drawn[metric.key], strict=True
                    )
                ]
                self.chart(metric.key).draw(metric.title, curves, self.view, hint="no epochs yet")

    def chart(self, key: str) -> LineChart:
        return self.query_one(f"#chart-{key}", LineChart)
