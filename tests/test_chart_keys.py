"""The chart keys on the Train, Compare and sweep views: smoothing, log y, zoom, pan, follow
newest and the metric picker, each acting on every chart of its screen and said beneath them."""

from __future__ import annotations

from core.config import TrainConfig
from core.events import EpochEnd
from core.runs import RunStore
from tests.recorded import recorded_events
from tests.test_runs_screen import open_runs_screen, settle
from tests.test_sweep_screen import open_sweep, sweep_store
from tests.tui_helpers import make_app, open_train_screen, plain
from tui.screens.compare_runs import CompareRunsScreen
from tui.screens.metric_picker import MetricPicker
from tui.widgets.chart.line_chart import LineChart
from tui.widgets.runs.compare import CompareCharts, ConfigDiff
from tui.widgets.train.charts import MetricCharts


def legends(screen) -> list[str]:
    return [plain(chart.query_one(".chart-legend")).strip() for chart in shown_charts(screen)]


def shown_charts(screen) -> list[LineChart]:
    return [chart for chart in screen.query(LineChart) if chart.display]


async def train_after_a_run(pilot):
    screen = await open_train_screen(pilot)
    for event in recorded_events():
        screen.apply_event(event)
    await pilot.pause()
    return screen


async def test_smoothing_cycles_and_every_chart_says_it():
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await train_after_a_run(pilot)
        await pilot.press("tilde")
        assert screen.chart_view.smoothing == 0.6
        # In full where a chart has room beside its names, in the key's sign where it has
        # less, never cut.
        running = screen.query_one("#chart-running", LineChart).query_one(".chart-legend")
        assert plain(running).strip() == "smoothed 0.6"
        assert all(legend.endswith(("smoothed 0.6", "~0.6")) for legend in legends(screen))
        await pilot.press("tilde", "tilde", "tilde")
        assert screen.chart_view.smoothing == 0.0
        assert not any("smoothed" in legend or "~" in legend for legend in legends(screen))


async def test_the_legend_sits_beneath_the_plot_naming_train_and_test():
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await train_after_a_run(pilot)
        loss = screen.query_one("#chart-loss", LineChart)
        legend = loss.query_one(".chart-legend")
        assert legend.region.y >= loss.plot_widget.region.bottom  # outside the plot
        assert plain(legend).split() == ["━━", "train", "━━", "test"]


async def test_log_y_toggles():
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await train_after_a_run(pilot)
        await pilot.press("l")
        assert screen.chart_view.log_y and "log y" in legends(screen)[-1]
        await pilot.press("l")
        assert not screen.chart_view.log_y


async def test_zoom_and_pan_pause_the_view_until_follow_newest():
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await train_after_a_run(pilot)
        await pilot.press("plus")
        assert screen.chart_view.zoom == 1 and screen.chart_view.following
        await pilot.press("less_than_sign")
        assert not screen.chart_view.following and "paused" in legends(screen)[-1]
        await pilot.press("f")
        assert screen.chart_view.following and "paused" not in legends(screen)[-1]
        await pilot.press("minus")
        assert screen.chart_view.zoom == 0


async def test_the_metric_picker_shows_the_ticked_charts_in_order():
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await train_after_a_run(pilot)
        await pilot.press("m")
        picker = pilot.app.screen
        assert isinstance(picker, MetricPicker)
        # Untick loss (first), go down to samples/s (fourth) and tick it.
        await pilot.press("space", "down", "down", "down", "space", "enter")
        assert pilot.app.screen is screen
        assert screen.chart_view.metrics == ("accuracy", "running", "speed")
        assert [chart.id for chart in shown_charts(screen)] == [
            "chart-accuracy",
            "chart-running",
            "chart-speed",
        ]


async def test_the_metric_picker_refuses_to_show_no_chart_and_escape_keeps_them():
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await train_after_a_run(pilot)
        await pilot.press("m", "space", "down", "space", "down", "space", "enter")
        picker = pilot.app.screen
        assert isinstance(picker, MetricPicker)
        assert "at least one" in plain(picker.query_one("#picker-problem"))
        await pilot.press("escape")
        assert screen.chart_view.metrics == ("loss", "accuracy", "running")


async def test_a_started_run_says_its_first_epoch_is_running_not_press_s():
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        charts = screen.query_one(MetricCharts)
        assert "press s to train" in plain_chart(charts, "loss")
        screen.apply_event(recorded_events()[0])  # RunStarted
        await pilot.pause()
        assert "first epoch running" in plain_chart(charts, "loss")
        assert "press s" not in plain_chart(charts, "loss")


def plain_chart(charts: MetricCharts, key: str) -> str:
    plot = charts.query_one(f"#chart-{key}", LineChart).plot_widget
    return "\n".join(strip.text for strip in plot.build_strips())


def many_runs(count: int, identical: tuple[int, int] | None = None) -> None:
    """`count` runs with their own lr each; with `identical`, two of them the same curve."""
    with RunStore.open() as store:
        for n in range(count):
            config = TrainConfig(dataset="mnist", epochs=2, device="cpu", lr=0.001 * (n + 1))
            run = store.create(config.to_dict(), "tui", "cpu", "mnist", name=f"run{n:02d}")
            same = identical is not None and n in identical
            for epoch in range(2):
                acc = 0.9 + 0.01 * epoch + (0 if same else 0.001 * n)
                store.append_epoch(run.id, EpochEnd(epoch, 0.3, acc, 0.2, acc, 1.0, 1e4, None))
            store.finish(run.id, "finished", acc, epochs_done=2)


async def compare_all(pilot, count: int) -> CompareRunsScreen:
    runs = await open_runs_screen(pilot)
    runs.table.move_cursor(row=0)
    await pilot.press(*["space"] * count, "v")
    await settle(pilot)
    compare = pilot.app.screen
    assert isinstance(compare, CompareRunsScreen) and compare.loaded
    return compare


async def test_compare_takes_any_number_of_runs_each_its_own_colour_and_marker():
    many_runs(11)
    async with make_app().run_test(size=(120, 40)) as pilot:
        compare = await compare_all(pilot, 11)
        legend = compare.query_one(CompareCharts).legend
        assert len(legend) == 11
        assert len({(entry.colour, entry.marker) for entry in legend}) == 11


async def test_compare_says_which_runs_draw_identical_curves():
    many_runs(3, identical=(0, 2))
    async with make_app().run_test(size=(120, 40)) as pilot:
        compare = await compare_all(pilot, 3)
        assert "identical curves: run02, run00" in plain(compare.query_one("#compare-title"))


async def test_compare_shows_only_differing_settings_until_a_shows_all():
    many_runs(2)
    async with make_app().run_test(size=(120, 40)) as pilot:
        compare = await compare_all(pilot, 2)
        diff = compare.query_one(ConfigDiff)
        assert diff.fields == ["lr"] and "batch_size" not in plain(diff)
        await pilot.press("a")
        settings = [line.split()[0] for line in plain(diff).splitlines()[1:] if line.strip()]
        assert {"batch_size", "hidden", "lr", "epochs"} <= set(settings)
        assert settings.count("epochs") == 1
        await pilot.press("a")
        assert "batch_size" not in plain(diff)


async def test_runs_of_different_lengths_show_one_epochs_column():
    with RunStore.open() as store:
        for epochs in (2, 3):
            config = TrainConfig(dataset="mnist", epochs=epochs, device="cpu").to_dict()
            run = store.create(config, "tui", "cpu", "mnist", name=f"e{epochs}")
            store.append_epoch(run.id, EpochEnd(0, 0.3, 0.9, 0.2, 0.9, 1.0, 1e4, None))
            store.finish(run.id, "stopped", 0.9, epochs_done=1)
    async with make_app().run_test(size=(120, 40)) as pilot:
        compare = await compare_all(pilot, 2)
        header = plain(compare.query_one(ConfigDiff)).splitlines()[0].split()
        assert header.count("epochs") == 1  # done/total ("1/3"), not a second settings column


async def test_compare_names_the_run_a_continued_run_went_on_from():
    with RunStore.open() as store:
        config = TrainConfig(dataset="mnist", epochs=2, device="cpu").to_dict()
        parent = store.create(config, "tui", "cpu", "mnist", name="first")
        child = store.create(
            config, "tui", "cpu", "mnist", name="more", details={"parent": parent.id}
        )
        for run, start in ((parent, 0), (child, 2)):
            for epoch in range(start, start + 2):
                store.append_epoch(run.id, EpochEnd(epoch, 0.3, 0.9, 0.2, 0.9, 1.0, 1e4, None))
            store.finish(run.id, "finished", 0.9, epochs_done=2)
    async with make_app().run_test(size=(120, 40)) as pilot:
        compare = await compare_all(pilot, 2)
        lines = plain(compare.query_one(ConfigDiff)).splitlines()
        assert "continues" in lines[0]
        (more,) = [line for line in lines if "more" in line]
        assert "first" in more
        # The continued run's epochs go on from its parent's on the shared axis: 3 and 4.
        assert compare.query_one(CompareCharts).drawn["test_acc"][0][2] == [3, 4]


async def test_the_sweep_view_takes_the_chart_keys(monkeypatch):
    sweep_store(monkeypatch)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_sweep(pilot)
        await pilot.press("tilde", "l")
        assert screen.chart_view.smoothing == 0.6 and screen.chart_view.log_y
        assert all("smoothed 0.6 · log y" in legend for legend in legends(screen))


def test_diverged_runs_with_the_same_nan_figures_are_said_identical():
    from tui.widgets.runs.compare import identical_groups

    with RunStore.open() as store:
        config = TrainConfig(dataset="mnist", epochs=1, device="cpu").to_dict()
        runs = [store.create(config, "tui", "cpu", "mnist", name=f"nan{i}") for i in range(2)]
        for run in runs:
            nan = float("nan")
            store.append_epoch(run.id, EpochEnd(0, nan, 0.1, nan, 0.1, 1.0, 1e4, None))
        histories = {run.id: store.history(run.id) for run in runs}
    assert [[run.id for run in group] for group in identical_groups(runs, histories)] == [
        [run.id for run in runs]
    ]
