"""The Train dashboard's fit and finish under Pilot: elapsed time and ETAs during and after real
runs, the live system panel, and a layout that keeps everything readable at 80x24."""

from __future__ import annotations

from textual import events
from textual.widgets import DataTable
from textual_plotext import PlotextPlot

from tests.recorded import recorded_events
from tests.tui_helpers import make_app, open_train_screen, plain, screen_text, wait_until
from tui.widgets.train.system_panel import SystemPanel


def status(screen) -> str:
    return plain(screen.query_one("#run-status"))


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
        for chart in screen.query(PlotextPlot):
            assert chart.size.width >= 24 and chart.size.height >= 9
        text = screen_text(app)
        for title in ("loss per epoch", "accuracy per epoch", "running loss", "train", "test"):
            assert title in text
        assert "done in 1.0 s" in text
