"""A plotext chart that goes from plotext's cells to Textual's strips without ANSI in between.

PlotextPlot renders by having plotext write the chart as one ANSI string, which Rich then parses
back into styled text and Textual cuts into lines: about half of a chart's cost on the UI thread,
while a run trains on the other threads (python -m scripts.app_epoch). plotext keeps the chart
as a matrix of characters and colours before it writes that string; this widget reads the
matrix and makes one segment per run of equal colours. The picture is the same.
"""

from __future__ import annotations

from functools import lru_cache

from plotext import _utility as plotext_utility
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual_plotext import PlotextPlot


@lru_cache(maxsize=512)
def cell_style(foreground, style, background) -> Style:
    """The Rich style of plotext's colours for a cell: decoded once from the ANSI plotext would
    have written for them, so colour names, 256-colour numbers and RGB all mean what they did."""
    text = Text.from_ansi(plotext_utility.colors_to_ansi(foreground, style, background) + "x")
    styles = [span.style for span in text.spans]
    return Style.combine(s if isinstance(s, Style) else Style.parse(s) for s in styles)


class ChartPlot(PlotextPlot):
    """A PlotextPlot (same `plt`, themes and CSS) whose lines come straight from the matrix."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._strips: list[Strip] = []
        self._built_for: tuple | None = None  # (size, theme, no colour) of the strips
        self._stale = True

    def refresh(self, *regions, **kwargs):
        # Every reason to repaint (new data, a theme, a resize) rebuilds the chart once.
        self._stale = True
        return super().refresh(*regions, **kwargs)

    def render_line(self, y: int) -> Strip:
        key = (self.size, self.app.theme, self.app.no_color)
        if self._stale or key != self._built_for:
            self._strips = self.build_strips()
            self._built_for, self._stale = key, False
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def build_strips(self) -> list[Strip]:
        width, height = self.size
        plot = self._plot
        plot.plotsize(width, height)
        plot._set_size(width, height)
        plot.theme(self._get_plotext_theme_name(self.app.theme))
        # What plot.build() does, short of writing the ANSI string. plotext's stubs leave out
        # these internals of its Plot, which the widget drives to read the matrix itself.
        plot._set_sizes()  # type: ignore[attr-defined]
        plot._build_matrix()  # type: ignore[attr-defined]
        matrix = plot.monitor.matrix  # type: ignore[attr-defined]
        base = self.visual_style.rich_style
        strips = []
        for y, row in enumerate(reversed(range(matrix.rows))):
            markers = matrix.marker[row]
            colours = list(
                zip(matrix.fullground[row], matrix.style[row], matrix.background[row], strict=True)
            )
            segments, start = [], 0
            for col in range(1, matrix.cols + 1):
                if col == matrix.cols or colours[col] != colours[start]:
                    text = "".join(markers[start:col])
                    # The offset is where the segment starts, as Textual's own text carries it
                    # (text selection reads it; the SVG export groups cells by it).
                    where = Style.from_meta({"offset": (start, y)})
                    segments.append(Segment(text, base + cell_style(*colours[start]) + where))
                    start = col
            strips.append(Strip(segments).crop_extend(0, width, base))
        return strips[:height]
