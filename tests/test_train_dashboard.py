"""The Train dashboard's fit and finish under Pilot: elapsed time and ETAs during and after real
runs, the live system panel, and a layout that keeps everything readable at 80x24."""

from __future__ import annotations

import pytest
from textual import events
from textual.message import Message
from textual.widgets import DataTable

from core.events import EpochEnd
from core.system import GpuSample, SystemSample
from tests.recorded import recorded_events
from tests.tui_helpers import make_app, open_train_screen, plain, screen_text, wait_until
from tui.widgets.chart.line_chart import LineChart
from tui.widgets.train.charts import MetricCharts
from tui.widgets.train.run_status import RunStatus
from tui.widgets.train.system_panel import SystemPanel


def status(screen) -> str:
    return plain(screen.query_one("#run-status"))


@pytest.mark.slow(reason="trains until both ETAs show, then stops")
async def test_elapsed_and_both_etas_while_training_then_stopped_after():
    app = make_app(epochs=200)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: "ETA epoch" in status(screen))
        line = status(screen)
        assert "elapsed 0:" in line and " · run " in line
        # Posted as the terminal would send it: Pilot.press would wait for idle first.
        app.post_message(events.Key("s", "s"))
        await wait_until(pilot, lambda: not screen.running and screen.outcome is not None)
        await pilot.pause()
        line = status(screen)
        assert "stopped after" in line and "ETA" not in line
        assert "ETA" not in screen_text(app) and "--:--" not in screen_text(app)


@pytest.mark.slow(reason="trains a run, then watches a tick of the clock (1 s)")
async def test_a_finished_run_says_done_in_and_leaves_no_eta_behind():
    app = make_app(epochs=1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running)
        await pilot.pause(1.2)  # past a tick of the elapsed-time timer: nothing comes back
        line = status(screen)
        assert f"done in {screen.outcome.seconds:.1f} s" in line
        text = screen_text(app)
        assert "100%" in text and "ETA" not in text and "--:--" not in text


async def test_a_failed_run_says_after_how_long_it_failed():
    app = make_app(epochs=1, lr=1e30)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: not screen.running)
        line = status(screen)
        assert "Failed" in line and "failed after" in line and "ETA" not in line


async def test_the_system_panel_shows_cpu_memory_and_the_gpu_or_its_absence():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        panel = screen.query_one(SystemPanel)
        await wait_until(pilot, lambda: len(panel.samples) >= 2, timeout=10)  # the timer runs
        text = plain(panel)
        assert "CPU" in text and "RAM" in text and "app" in text
        sample = panel.samples[-1]
        assert 0 < sample.memory_used_mb <= sample.memory_total_mb
        assert f"/{sample.memory_total_mb / 1024:.1f} GB" in text
        if sample.gpu is None:  # this machine: one line, never a traceback
            assert "no NVIDIA GPU" in text and "Traceback" not in text
        else:
            assert "GPU" in text and "VRAM" in text


async def test_at_80x24_the_system_panel_is_two_lines():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_train_screen(pilot)
        panel = screen.query_one(SystemPanel)
        await wait_until(pilot, lambda: len(panel.samples) >= 1, timeout=10)
        assert panel.size.height == 2
        lines = plain(panel).rstrip().splitlines()
        assert len(lines) == 2 and lines[0].startswith("CPU") and "RAM" in lines[0]
        assert all(len(line.rstrip()) <= panel.content_size.width for line in lines), lines


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("total_mb", [81_559.0, 143_771.0])  # an H100's memory, an H200's
@pytest.mark.parametrize("peak_mb", [184.0, 23_456.0])
async def test_the_gpu_lines_fit_the_panel_with_torch_peak_beside_the_memory(
    size, total_mb, peak_mb
):
    # Seen on an H100: "VRAM 1.9/79.6 GB · 41°C · torch peak" cut the peak's number off.
    gpu = GpuSample("NVIDIA H100 80GB HBM3", 87.0, 1946.0, total_mb, 41.0)
    samples = [SystemSample(30.0, 1421.0, 1700.0, 128_900.0, gpu) for _ in range(5)]
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_train_screen(pilot)
        panel = screen.query_one(SystemPanel)
        panel.freeze(samples)
        panel.set_torch_peak(peak_mb)
        await pilot.pause()
        lines = plain(panel).rstrip().splitlines()
        assert all(len(line.rstrip()) <= panel.content_size.width for line in lines), lines
        text = "\n".join(lines)
        assert "GPU  87%" in text or "GPU 87%" in text
        peak = f"{peak_mb:.0f} MB" if peak_mb < 1024 else f"{peak_mb / 1024:.1f} GB"
        if size == (80, 24):
            assert f"peak {peak.replace(' MB', 'M').replace(' GB', 'G')}" in text
        else:
            assert f"peak {peak}" in text and "41°C" in text and "VRAM 1.9/" in text


async def test_at_80x24_after_a_run_charts_and_table_keep_everything():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_train_screen(pilot)
        for event in recorded_events():
            screen.apply_event(event)
        await pilot.pause()
        table = screen.query_one("#epochs", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no column hides
        assert table.size.height >= table.row_count + 1  # header and every epoch
        shown = [chart for chart in screen.query(LineChart) if chart.display]
        assert len(shown) == 3  # loss, accuracy and the running loss, as the screen opens
        for chart in shown:  # the plot and, beneath it, its legend
            assert chart.size.width >= 24 and chart.size.height >= 9
        text = screen_text(app)
        for title in ("loss per epoch", "accuracy per epoch", "running loss", "train", "test"):
            assert title in text
        assert "done in 1.0 s" in text


async def test_epochs_faster_than_the_redraw_bound_are_drawn_together_by_the_end():
    # On a GPU an epoch can take a tenth of a second: the two epoch charts are not drawn for
    # each, but the finished run shows every epoch.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        charts = screen.query_one(MetricCharts)
        drawn = []
        draw_epochs = charts.draw_epochs
        charts.draw_epochs = lambda: drawn.append(len(charts.history)) or draw_epochs()
        events = recorded_events()
        for event in events[:-1]:  # the run's start and its three epochs, in one instant
            screen.apply_event(event)
        assert set(drawn) == {0}  # the new run's empty charts ("running…"); the epochs wait
        screen.apply_event(events[-1])
        assert drawn[-1] == 3 and set(drawn[:-1]) == {0}  # the end draws what was held back


async def test_an_epoch_held_back_is_drawn_by_the_charts_timer():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        charts = screen.query_one(MetricCharts)
        events = recorded_events()
        for event in events[:-1]:
            screen.apply_event(event)
        assert charts._epochs_behind
        await wait_until(pilot, lambda: not charts._epochs_behind, timeout=5)


async def under_the_palette(pilot):
    """The Train screen, covered by the command palette."""
    screen = await open_train_screen(pilot)
    await pilot.press("ctrl+p")
    await pilot.pause()
    return screen


class Report(Message):
    """Any message the screen handles, as a run's progress reports are."""


@pytest.mark.slow(reason="a training run under the command palette")
async def test_a_covered_screen_is_not_repainted_at_every_message_it_gets():
    # Textual 8.2 marks a covered screen that changed for a full repaint, which its next
    # Idle (after any message) does, marking it again: under the palette the dimmed Train
    # screen was re-rendered at every report of a run (tui/screens/covered.py).
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await under_the_palette(pilot)
        refreshes = []
        compositor_refresh = screen._compositor_refresh

        def counted() -> None:
            refreshes.append(1)
            compositor_refresh()

        screen._compositor_refresh = counted
        screen.query_one(RunStatus).update("one change while covered")
        for _ in range(20):  # as a run's reports arrive, each one handled, then Idle
            screen.post_message(Report())
            await pilot.pause()
        assert 1 <= len(refreshes) <= 2  # the change, passed up once; not once per message


@pytest.mark.slow(reason="a training run covered and uncovered")
async def test_covered_by_another_screen_the_run_is_kept_and_painted_on_return():
    # Textual redraws the whole covered screen under the one in front at every change there:
    # covered, the Train screen's live widgets keep the run's data without painting it.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await under_the_palette(pilot)
        assert not screen.is_active
        events = recorded_events()
        for event in events[:-1]:  # the run's start and its three epochs, palette open
            screen.apply_event(event)
        assert len(screen.table_backlog) == 3 and "Epoch 3" not in plain(
            screen.query_one(RunStatus)
        )
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.is_active)
        await pilot.pause()
        assert not screen.table_backlog and "Epoch 3 trained" in plain(screen.query_one(RunStatus))
        assert len(screen.query_one(MetricCharts).history) == 3
        table = screen.query_one("#epochs", DataTable)
        assert [table.get_row_at(i)[4] for i in range(3)] == [
            f"{e.test_acc:.2%}" for e in events if isinstance(e, EpochEnd)
        ]
