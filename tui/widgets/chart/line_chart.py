"""A chart with its legend outside the plot, drawn through the screen's ChartView."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.widgets.chart.curves import Colour, Curve
from tui.widgets.chart.view import ChartView, even_ticks, smoothed, tick_labels, whole_ticks
from tui.widgets.fitted_line import first_that_fits
from tui.widgets.train.chart_plot import ChartPlot

# Points, colour, marker, and whether the points are joined into a line.
Layer = tuple[list[tuple[float, float]], "Colour | str", str, bool]
X_LABEL_COLUMNS = 8  # room one x tick label needs, with its gap
Y_LABEL_ROWS = 3  # a y tick label every third row at most: 0.151 and 0.090 never touch
MOST_Y_LABELS = 8


class LineChart(Vertical):
    """A plotext chart and, beneath it, one line naming its curves: plotext's own legend sits
    inside the plot, over the curves' first points (the top of a loss curve)."""

    DEFAULT_CSS = """
    LineChart { height: 1fr; width: 1fr; }
    LineChart ChartPlot { height: 1fr; }
    LineChart .chart-legend { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def compose(self) -> ComposeResult:
        yield ChartPlot()
        yield Static("", classes="chart-legend")

    @property
    def plot_widget(self) -> ChartPlot:
        return self.query_one(ChartPlot)

    def draw(
        self,
        title: str,
        curves: Sequence[Curve],
        view: ChartView,
        x_label: str = "epoch",
        hint: str = "",
        axis_label: bool = True,
    ) -> None:
        """Plot the curves; with none yet, axes and `hint`. `axis_label` False leaves the x
        axis unnamed where rows are short and the title names it ("per epoch")."""
        widget = self.plot_widget
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        no_colour = bool(self.app.no_color)
        drawn = [curve for curve in curves if len(curve.xs)]
        xs = [x for curve in drawn for x in curve.xs]
        if not xs:
            self.draw_empty(hint, x_label, axis_label)
            self.legend(curves, view, no_colour)
            return
        low, high = x_window(drawn, view)
        top, bottom = -math.inf, math.inf
        for curve in sorted(drawn, key=lambda c: not c.faint):  # the faint ones underneath
            for points, colour, marker, joined in curve_layers(curve, view, no_colour):
                shown = [(x, y) for x, y in points if low <= x <= high and plottable(y, view)]
                if shown:
                    draw = plt.plot if joined else plt.scatter
                    draw(*zip(*shown, strict=True), marker=marker, color=colour)
                    top = max(top, *(y for _, y in shown))
                    bottom = min(bottom, *(y for _, y in shown))
        if view.log_y:
            plt.yscale("log")
        elif bottom <= top:
            rows = max(widget.size.height - (5 if axis_label else 4), 2)  # title, axis, labels
            room = min(max(rows // Y_LABEL_ROWS + 1, 2), MOST_Y_LABELS)
            # Two labels a row apart read as one number over another: keep a row between.
            ticks = even_ticks(bottom, top, room, min_step=(top - bottom) * 2 / rows)
            if ticks:
                plt.yticks(ticks, tick_labels(ticks))
        if high > low:  # a little room either side: the ends' points and labels stay clear
            pad = (high - low) * 0.03
            plt.xlim(low - pad, high + pad)
        room = max(widget.size.width - 8, X_LABEL_COLUMNS) // X_LABEL_COLUMNS
        plt.xticks(whole_ticks(low, high, min(room, 10)))  # type: ignore[arg-type]  # stubs: floats
        if axis_label:
            plt.xlabel(x_label)
        widget.refresh()
        self.legend(curves, view, no_colour)

    def draw_empty(self, hint: str, x_label: str, axis_label: bool) -> None:
        """Axes with a hint read better than an empty box: five epochs, the recipe's."""
        widget = self.plot_widget
        plt = widget.plt
        low, high = 1, 5
        plt.xlim(low - 0.5, high + 0.5)
        plt.ylim(0, 1)
        plt.xticks(whole_ticks(low, high, 5) if x_label == "epoch" else [])  # type: ignore[arg-type]
        plt.yticks([])
        if hint:
            plt.text(hint, (low + high) / 2, 0.5, alignment="center", background="default")
        if axis_label:
            plt.xlabel(x_label)
        widget.refresh()

    def legend(self, curves: Sequence[Curve], view: ChartView, no_colour: bool) -> None:
        """Each curve's line and name, then what the view changes (smoothing, log y, zoom)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        gap = "  "
        for curve in curves:
            if not curve.label or not len(curve.xs):
                continue
            if text.plain:
                text.append(gap)
            if curve.faint:
                text.append("·· " + curve.label, style="dim")
                continue
            key = curve.marker * 2 if no_colour else "━━"
            text.append(key + " ", style=colour_style(curve.colour, no_colour))
            text.append(curve.label)
        # What the keys changed, in full or in signs, where it fits whole; a chart too narrow
        # for it beside its names leaves it to a chart with room (the running loss has none).
        room = self.size.width - 2 - len(text.plain) - (len(gap) if text.plain else 0)
        said = first_that_fits((view.describe(), view.describe(short=True), ""), room)
        if said:
            # The gap unstyled, with the name before it: an SVG export then places the words
            # after it where the terminal does.
            text.append(gap if text.plain else "")
            text.append(said, style="dim italic")
        legend = self.query_one(".chart-legend", Static)
        legend.update(text)
        legend.display = bool(text.plain)  # no empty row under a chart whose table names it


def x_window(curves: Sequence[Curve], view: ChartView) -> tuple[float, float]:
    """The x range drawn. Whole, it spans every curve, the faint ones too; zoomed, the window
    is taken on the live curves, so that following the newest point follows this run, not
    the end of a longer last run."""
    every = [x for curve in curves for x in curve.xs]
    live = [x for curve in curves if not curve.faint for x in curve.xs] or every
    return view.window(min(live), max(live)) if view.zoom else (min(every), max(every))


def plottable(value: float, view: ChartView) -> bool:
    return math.isfinite(value) and (value > 0 or not view.log_y)


def colour_style(colour: Colour | None, no_colour: bool) -> str:
    if no_colour or colour is None:
        return "bold"
    return "bold rgb({},{},{})".format(*colour)


def curve_layers(curve: Curve, view: ChartView, no_colour: bool) -> Iterator[Layer]:
    """What to plot for a curve: itself; or, smoothed, its raw points faint behind the smoothed
    line (points only: with many runs, faint lines would cross everything)."""
    points = list(zip(curve.xs, curve.ys, strict=True))
    marker = curve.marker if no_colour else curve.line
    faint_marker = "·" if no_colour else "dot"
    if curve.faint:
        yield points, "gray", faint_marker, True
        return
    if view.smoothing and len(points) > 1:
        yield points, "gray", faint_marker, False
        ys = smoothed(curve.ys, view.smoothing)
        yield list(zip(curve.xs, ys, strict=True)), curve.colour or "default", marker, True
        return
    yield points, curve.colour or "default", marker, True
