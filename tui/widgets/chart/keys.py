"""The chart keys of a screen: smoothing, log y, zoom, pan, follow newest, the metric picker.

A screen with charts lists CHART_BINDINGS after its own (its own keys come first in the
footer), mixes in ChartKeys and names the widget that holds its charts in CHARTS: the keys
change that widget's ChartView and have it draw again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from textual.binding import Binding

from tui.widgets.chart.curves import Metric
from tui.widgets.chart.view import ChartView

CHART_BINDINGS = [
    Binding("m", "pick_metrics", "Metrics", id="chart-metrics"),
    Binding("tilde", "smooth", "Smooth", key_display="~", id="chart-smooth"),
    Binding("l", "log_y", "Log y", id="chart-log"),
    Binding("plus,equals_sign", "zoom(1)", "Zoom in", key_display="+", id="chart-zoom-in"),
    Binding("minus", "zoom(-1)", "Zoom out", key_display="-", id="chart-zoom-out"),
    Binding("less_than_sign", "pan(-1)", "Older", key_display="<", id="chart-older"),
    Binding("greater_than_sign", "pan(1)", "Newer", key_display=">", id="chart-newer"),
    Binding("f", "follow", "Follow newest", id="chart-follow"),
]


class ShowsView(Protocol):
    """What holds a screen's charts: MetricCharts, RunsCharts."""

    view: ChartView

    def show_view(self, view: ChartView) -> None: ...


class ChartKeys:
    """Mixed into a Screen: the chart keys' actions, on the CHARTS widget's view."""

    CHARTS: type[Any]  # a widget class that ShowsView
    CHART_METRICS: Sequence[Metric] = ()

    @property
    def charts(self) -> ShowsView:
        return self.query_one(self.CHARTS)  # type: ignore[attr-defined]  # a Screen's query

    @property
    def chart_view(self) -> ChartView:
        return self.charts.view

    def change_view(self, view: ChartView) -> None:
        self.charts.show_view(view)

    def action_smooth(self) -> None:
        self.change_view(self.chart_view.next_smoothing())

    def action_log_y(self) -> None:
        self.change_view(self.chart_view.toggle_log())

    def action_zoom(self, direction: int) -> None:
        view = self.chart_view
        self.change_view(view.zoomed_in() if direction > 0 else view.zoomed_out())

    def action_pan(self, halves: int) -> None:
        self.change_view(self.chart_view.panned(halves))

    def action_follow(self) -> None:
        self.change_view(self.chart_view.follow())

    def action_pick_metrics(self) -> None:
        from tui.screens.metric_picker import MetricPicker

        def picked(metrics: tuple[str, ...] | None) -> None:
            if metrics:
                self.change_view(self.chart_view.showing(metrics))

        self.app.push_screen(  # type: ignore[attr-defined]  # a Screen's app
            MetricPicker(self.CHART_METRICS, self.chart_view.metrics), picked
        )
