"""The evaluation screen under Pilot, on a checkpoint trained on synthetic digits (seed 0)."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input

from tests.tui_helpers import make_app, notifications, plain, wait_for_data, wait_until
from tui.app import MnistApp
from tui.screens.evaluate import EvaluateScreen
from tui.widgets.evaluate.draw_canvas import DrawCanvas
from tui.widgets.evaluate.prediction_view import PredictionView
from tui.widgets.evaluate.weight_grid import WeightGrid


def eval_app(checkpoint=None) -> MnistApp:
    return make_app("evaluate", checkpoint=str(checkpoint) if checkpoint else None)


def pressing(keys: list[str]):
    """A snapshot's run_before: evaluate the model, press `keys`, clear the notifications."""

    async def run_before(pilot) -> None:
        screen = await evaluated(pilot)
        await pilot.press(*keys)
        pilot.app.clear_notifications()
        await pilot.pause()
        assert screen.evaluation is not None
        assert np.trace(screen.evaluation.confusion) > 0

    return run_before


async def evaluated(pilot) -> EvaluateScreen:
    await wait_for_data(pilot)
    for _ in range(3):  # load the checkpoint, then evaluate: two workers one after the other
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, EvaluateScreen)
    return screen


async def test_without_a_model_it_says_how_to_get_one():
    async with eval_app().run_test(size=(100, 30)) as pilot:
        screen = await evaluated(pilot)
        assert "No model yet" in plain(screen.query_one("#eval-summary"))
        assert screen.evaluation is None


async def test_checkpoint_from_the_command_line_is_evaluated(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(100, 30)) as pilot:
        screen = await evaluated(pilot)
        evaluation = screen.evaluation
        assert evaluation.confusion.sum() == len(pilot.app.dataset.test)
        summary = plain(screen.query_one("#eval-summary"))
        assert f"{evaluation.accuracy:.2%}" in summary
        assert "synthetic.pt" in summary


async def test_arrows_and_enter_list_the_images_of_a_cell(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(100, 30)) as pilot:
        screen = await evaluated(pilot)
        await pilot.press("c", "down", "down", "right", "enter")
        grid_cursor = screen.query_one("#confusion").cursor
        assert grid_cursor == (2, 1)
        count = int(screen.evaluation.confusion[2, 1])
        assert f"true 2, predicted 1: {count:,} image(s)" in plain(screen.query_one("#cell-title"))
        await pilot.press("up", "up", "up", "enter")  # wraps round to row 9
        assert screen.query_one("#confusion").cursor == (9, 1)


async def test_prediction_browser_and_mistakes_filter(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(100, 30)) as pilot:
        screen = await evaluated(pilot)
        await pilot.press("p")
        view = screen.query_one(PredictionView)
        assert pilot.app.focused is view and view.index == 0
        await pilot.press("right", "right")
        assert view.index == 2
        await pilot.press("m")
        mistakes = screen.evaluation.mistakes()
        assert view.mistakes_only and view.index == mistakes[0]
        assert "wrong" in plain_render(view)


def plain_render(widget) -> str:
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.render())
    return console.export_text()


async def test_weights_are_paged(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(100, 30)) as pilot:
        screen = await evaluated(pilot)
        await pilot.press("u")
        grid = screen.query_one(WeightGrid)
        assert grid.weights.shape == (512, 28, 28)
        await pilot.press("right")
        assert grid.page == 1
        assert f"hidden units {grid.per_page}-" in plain_render(grid)
        await pilot.press("left", "left")
        assert grid.page == -(-512 // grid.per_page) - 1


@pytest.mark.slow(reason="draws a digit with hundreds of mouse events")
async def test_a_digit_drawn_stroke_by_stroke_is_recognised(synthetic_checkpoint):
    async with eval_app(synthetic_checkpoint).run_test(size=(100, 30)) as pilot:
        screen = await evaluated(pilot)
        await pilot.press("d")
        canvas = screen.query_one(DrawCanvas)
        assert pilot.app.focused is canvas and screen.drawn_class is None
        # A "7": the bar across the top, then the stroke down and to the left.
        await pilot.press(*["up"] * 8, *["left"] * 6, "space")
        await pilot.press(*["shift+right"] * 12)
        for _ in range(16):
            await pilot.press("shift+down", "left" if _ % 3 == 0 else "down", "space")
        assert canvas.pixels.sum() > 0
        assert screen.drawn_class == 7
        assert "prediction 7" in plain(screen.query_one("#draw-result"))
        await pilot.press("x")
        assert not canvas.pixels.any() and screen.drawn_class is None


async def test_a_bad_checkpoint_is_named_and_the_app_stays_up(tmp_path):
    (tmp_path / "bad.pt").write_bytes(b"\x80\x04junk")
    async with eval_app().run_test(size=(100, 30)) as pilot:
        screen = await evaluated(pilot)
        await pilot.press("o")
        pilot.app.screen.query_one(Input).value = str(tmp_path / "missing.pt")
        await pilot.press("enter")
        assert "No file at" in plain(pilot.app.screen.query_one("#open-error"))
        pilot.app.screen.query_one(Input).value = str(tmp_path / "bad.pt")
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert pilot.app.screen is screen
        assert any("corrupt" in n for n in notifications(pilot.app))
        assert pilot.app.trained is None


@pytest.mark.parametrize(
    ("keys", "size"),
    [
        ([], (80, 24)),
        (
            ["down", "down", "down", "down", "down", "left", "left", "enter"],  # true 5, said 8
            (120, 40),
        ),
        (["p", "m"], (100, 30)),
        (["u"], (120, 40)),
    ],
    ids=["confusion-80x24", "confusion-cell-120x40", "mistakes-100x30", "weights-120x40"],
)
def test_evaluate_snapshots(snap_compare, synthetic_checkpoint, keys, size):
    """Confusion grid with its scale and scores, a cell's images, the worst mistake, weights."""

    assert snap_compare(
        eval_app(synthetic_checkpoint), terminal_size=size, run_before=pressing(keys)
    )


async def test_after_a_restart_the_newest_finished_run_is_the_one_evaluated(runs_folder):
    from core.runs import RunRecorder, RunStore
    from core.train import fit
    from tests.tiny import tiny_config

    with RunStore.open() as store:
        ids = []
        for seed in (0, 1):  # the second is the newer
            recorder = RunRecorder(store, "python")
            fit(tiny_config(seed=seed), record=recorder)
            ids.append(recorder.run_id)
        newest = store.get(ids[1])
    app = eval_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await evaluated(pilot)
        await wait_until(pilot, lambda: screen.evaluation is not None)
        assert app.trained.run_id == newest.id and app.trained.checkpoint == newest.checkpoint
        assert screen.evaluation.accuracy == newest.test_acc  # the full synthetic test split
        assert f"run {newest.id}" in plain(screen.query_one("#eval-summary"))
        assert any("the newest finished run in the store" in n for n in notifications(app))


async def test_a_checkpoint_trained_on_other_data_is_judged_on_that_data(tmp_path):
    """The app starts on synthetic digits; the checkpoint says MNIST, from a folder here."""
    from core.train import fit
    from tests.datasets import mnist_dir
    from tests.tiny import tiny_config

    folder = str(mnist_dir())  # skips without the real files, fails without them under CI
    path = tmp_path / "mnist-run.pt"
    assert fit(tiny_config(dataset="mnist", data_dir=folder, epochs=1), save=path).ok
    app = eval_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.dataset is not None and app.dataset.name == "mnist")
        screen = app.screen
        assert isinstance(screen, EvaluateScreen)
        await wait_until(pilot, lambda: screen.evaluated_for == (app.trained, app.dataset.test))
        await wait_until(pilot, lambda: screen.test is app.dataset.test)
        assert screen.evaluation is not None and screen.evaluation.confusion.sum() == 10_000
        assert "10,000 mnist test images" in plain(screen.query_one("#eval-summary"))
        assert any("Loading MNIST, the data mnist-run.pt" in n for n in notifications(app))
