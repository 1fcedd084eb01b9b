"""ChartPlot draws plotext's cells straight into strips: cell for cell what PlotextPlot's own
ANSI route gives, in every theme and without colour, so the Train charts look the same."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.visual import Visual, visualize
from textual_plotext import PlotextPlot

from tui.widgets.train.chart_plot import ChartPlot


class OneChart(App):
    def compose(self) -> ComposeResult:
        yield ChartPlot(id="chart")


def cells(strips) -> list[list[tuple[str, object]]]:
    return [[(ch, seg.style) for seg in strip for ch in seg.text] for strip in strips]


def through_ansi(chart: ChartPlot):
    """PlotextPlot's route: plotext's ANSI string, parsed by Rich, cut by Textual."""
    visual = visualize(chart, PlotextPlot.render(chart))
    width, height = chart.size
    return Visual.to_strips(chart, visual, width, height, chart.visual_style)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("size", [(40, 12), (90, 30)])
async def test_the_strips_match_plotexts_own_rendering_cell_for_cell(theme, size):
    app = OneChart()
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        chart = app.query_one(ChartPlot)
        plt = chart.plt
        plt.title("loss per epoch")
        plt.plot([1, 2, 3, 4], [0.9, 0.5, 0.3, 0.25], label="train", marker="braille")
        plt.plot([1, 2, 3, 4], [0.8, 0.6, 0.5, 0.55], label="test", marker="braille")
        plt.plot([1, 2, 3], [0.7, 0.4, 0.35], label="last run", marker="dot", color="gray")
        plt.xlabel("epoch")
        chart.refresh()
        await pilot.pause()
        ours = chart.build_strips()
        assert len(ours) == size[1]
        assert cells(ours) == cells(through_ansi(chart))


async def test_new_data_is_drawn_at_the_next_frame_and_a_resize_rebuilds():
    app = OneChart()
    async with app.run_test(size=(40, 12)) as pilot:
        chart = app.query_one(ChartPlot)
        chart.plt.plot([1, 2], [1, 2])
        chart.refresh()
        await pilot.pause()
        before = chart.render_line(5).text
        chart.plt.clear_data()
        chart.plt.plot([1, 2], [2, 1])
        chart.refresh()
        await pilot.pause()
        assert chart.render_line(5).text != before
        await pilot.resize_terminal(60, 14)
        await pilot.pause()
        assert chart.render_line(0).cell_length == 60
