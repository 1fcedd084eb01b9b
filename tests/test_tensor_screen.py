"""The tensor lab screen from the keyboard: the slicing input, each panel, and their snapshots.

Timings are never in a snapshot: they run only on Enter in the element-wise and dot panels, and
those panels are photographed before Enter. Update baselines only after looking at the pictures:
`pytest tests/test_tensor_screen.py --snapshot-update`, then rsvg-convert the SVGs and view them.
"""

from __future__ import annotations

import pytest
import torch

from core.config import TrainConfig
from core.model import SimpleNN
from tests.tui_helpers import plain, wait_for_data
from tui.app import MnistApp
from tui.screens.tensors import PANEL_IDS, TensorScreen
from tui.state import Options, TrainedModel
from tui.widgets.lab.input import HistoryInput


class LabApp(MnistApp):
    """The app with the tensor lab on key 2 (as tui/app.py will have it)."""

    MODES = {**MnistApp.MODES, "tensors": TensorScreen}


def make_lab() -> LabApp:
    return LabApp(Options(TrainConfig(dataset="synthetic")))


def tiny_model() -> SimpleNN:
    torch.manual_seed(0)
    return SimpleNN(hidden=32)


async def open_lab(pilot, panel: str = "slicing") -> TensorScreen:
    await wait_for_data(pilot)
    await pilot.press("2")
    await pilot.pause()
    for _ in range(PANEL_IDS.index(panel)):
        await pilot.press("right_square_bracket")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TensorScreen)
    assert screen.panel == panel
    return screen


async def type_into(pilot, panel: str, text: str) -> HistoryInput:
    """Enter the panel from the list, clear its input and type `text` key by key."""
    await pilot.press("enter")
    field = pilot.app.screen.query_one(f"#{panel} HistoryInput", HistoryInput)
    assert pilot.app.focused is field
    field.value = ""
    await pilot.press(*text)
    await pilot.pause()
    return field


def shown(screen, selector: str) -> str:
    return plain(screen.query_one(selector))


# --- Slicing and the inspector ------------------------------------------------------------------


async def test_key_2_opens_the_lab_on_the_slicing_panel_with_the_list_focused():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot)
        assert pilot.app.focused is screen.query_one("#panel-list")
        result = shown(screen, "#slice-result")
        assert "torch.Size([90, 28, 28])" in result
        assert "torch.uint8" in result and "(784, 28, 1)" in result


async def test_typed_slice_shows_shape_and_the_crop_beside_the_original():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot)
        await type_into(pilot, "slicing", "train_images[:, 7:-7, 7:-7]")
        panel = screen.query_one("#slicing")
        assert panel.result_shape == (6000, 14, 14)
        assert "torch.Size([6000, 14, 14])" in shown(screen, "#slice-result")
        assert "the crop, 14x14" in shown(screen, "#slice-images")
        assert "train_images[0], cut marked" in shown(screen, "#slice-images")


async def test_refused_expression_says_why_and_draws_nothing():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot)
        await type_into(pilot, "slicing", "train_images.T")
        assert "refused" in shown(screen, "#slice-result")
        assert shown(screen, "#slice-images").strip() == ""


async def test_out_of_range_index_shows_numpys_message():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot)
        await type_into(pilot, "slicing", "train_images[6000]")
        assert "index 6000 is out of bounds for axis 0 with size 6000" in shown(
            screen, "#slice-result"
        )


async def test_up_and_down_walk_the_history_and_enter_adds_to_it():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        await open_lab(pilot)
        field = await type_into(pilot, "slicing", "test_labels[::2]")
        await pilot.press("enter")
        await pilot.press("up")
        assert field.value == "train_images[60000]"  # the last preset, before the new entry
        await pilot.press("down")
        assert field.value == "test_labels[::2]"
        await pilot.press("down")
        assert field.value == "train_images[10:100]"  # wraps to the first preset


async def test_escape_leaves_the_input_so_number_keys_switch_screens_again():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot)
        field = await type_into(pilot, "slicing", "train_labels[1")
        assert field.value == "train_labels[1"  # "1" typed, not a screen switch
        await pilot.press("escape")
        assert pilot.app.focused is screen.query_one("#panel-list")
        await pilot.press("1")
        await pilot.pause()
        assert pilot.app.current_mode == "browse"


async def test_brackets_and_the_list_switch_panels():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot)
        await pilot.press("left_square_bracket")
        assert screen.panel == "uncrumple"
        await pilot.press("down", "down")
        assert screen.panel == "rank"
        assert screen.query_one("#panels").current == "rank"


# --- Lessons ------------------------------------------------------------------------------------


async def test_rank_panel_shows_ndim_and_the_loader_batch():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "rank")
        assert "x.ndim = 3    x.shape = torch.Size([3, 3, 5])" in shown(
            screen, "#rank .lesson-result"
        )
        extra = shown(screen, "#rank .lesson-extra")
        assert "scalar" in extra and "torch.Size([])" in extra
        assert "torch.Size([64, 784]) float32" in extra
        await type_into(pilot, "rank", "()")
        assert "x.ndim = 0" in shown(screen, "#rank .lesson-result")


async def test_elementwise_enter_times_loops_against_numpy_in_a_worker():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "elementwise")
        assert "Enter times" in shown(screen, "#elementwise .lesson-timing")
        await pilot.press("enter", "enter")  # into the input, then submit (20, 100)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        timing = shown(screen, "#elementwise .lesson-timing")
        assert "relu" in timing and "add" in timing and "x faster" in timing
        assert "True" in timing


async def test_elementwise_refuses_shapes_too_big_for_python_loops():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "elementwise")
        await type_into(pilot, "elementwise", "(1000, 1000)")
        assert "more than this lab allocates" in shown(screen, "#elementwise .lesson-result")


async def test_broadcast_panel_shows_added_axes_and_numpys_error():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "broadcast")
        await type_into(pilot, "broadcast", "(64, 3, 32, 10), (10,)")
        result = shown(screen, "#broadcast .lesson-result")
        assert "y (1, 1, 1, 10) (+3)" in result and "result shape (64, 3, 32, 10)" in result
        await type_into(pilot, "broadcast", "(32, 10), (3,)")
        assert "cannot be broadcast" in shown(screen, "#broadcast .lesson-result")


async def test_dot_panel_shape_rule_error_and_order():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "dot")
        await type_into(pilot, "dot", "(2, 3, 4, 5), (5, 6)")
        assert "np.dot(x, y).shape = (2, 3, 4, 6)" in shown(screen, "#dot .lesson-result")
        await type_into(pilot, "dot", "(4, 3), (4, 5)")
        assert "not aligned" in shown(screen, "#dot .lesson-result")
        assert "dot(x, y) != dot(y, x)" in shown(screen, "#dot .lesson-extra")


async def test_reshape_panel_shows_values_and_the_size_error():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "reshape")
        await type_into(pilot, "reshape", "(2, 3)")
        assert "[[0., 1., 2.]," in shown(screen, "#reshape .lesson-result")
        await type_into(pilot, "reshape", "(3, 4)")
        assert "cannot reshape array of size 6 into shape (3,4)" in shown(
            screen, "#reshape .lesson-result"
        )
        assert "x.shape = (20, 300)" in shown(screen, "#reshape .lesson-extra")


async def test_data_tensors_are_counted_for_the_video_example():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "data")
        extra = shown(screen, "#data .lesson-extra")
        assert "106,168,320" in extra and "405 MB" in extra
        await type_into(pilot, "data", "(4, 240, 144, 256, 3)")
        assert "106,168,320 values: 405 MB as float32" in shown(screen, "#data .lesson-result")


async def test_geometry_panel_switches_transforms_and_shows_composition():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "geometry")
        assert "rotation · x = [0, 2]" in shown(screen, "#geometry-facts")
        assert "x · rotation = [0, -2]" in shown(screen, "#geometry-facts")
        await pilot.press("enter")  # into the transforms list
        await pilot.press("end")
        await pilot.pause()
        assert "one affine map" in shown(screen, "#geometry-facts")


async def test_uncrumpling_asks_for_a_model_then_projects_one():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "uncrumple")
        assert "Train a model on screen 3 first" in shown(screen, "#uncrumple-status")
        pilot.app.trained = TrainedModel(tiny_model(), "a test model")
        await pilot.press("1", "2")  # back from another screen: the lab sees the model
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        panel = screen.query_one("#uncrumple")
        assert panel.projected_for is pilot.app.trained
        assert "Nearest class centroid" in shown(screen, "#uncrumple-status")


# --- Snapshots ----------------------------------------------------------------------------------


def lab_then(panel: str, text: str | None = None, model: bool = False):
    """run_before: open the lab on `panel`, optionally type into its input, check the state."""

    async def run_before(pilot) -> None:
        if model:
            pilot.app.trained = TrainedModel(tiny_model(), "a test model")
        screen = await open_lab(pilot, panel)
        if text is not None:
            await type_into(pilot, panel, text)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.query_one("#panels").current == panel

    return run_before


@pytest.mark.parametrize(
    ("panel", "text"),
    [
        pytest.param(panel, text, id=panel)
        for panel, text in [
            ("slicing", "train_images[:, 7:-7, 7:-7]"),
            ("rank", None),
            ("elementwise", None),
            ("broadcast", "(64, 3, 32, 10), (10,)"),
            ("dot", "(4, 3), (4, 5)"),
            ("reshape", "(3, 4)"),
            ("data", None),
            ("geometry", None),
            ("uncrumple", None),
        ]
    ],
)
def test_lab_panels_at_80x24(snap_compare, panel, text):
    """Each panel fits 80x24 with its list beside it; where text is given, its result shows.

    slicing: the crop's shape, facts and drawing; broadcast: the added axes; dot and reshape:
    NumPy's own error; uncrumpling without a model: the request to train one first.
    """
    assert snap_compare(make_lab(), terminal_size=(80, 24), run_before=lab_then(panel, text))


def test_lab_slicing_at_120x40(snap_compare):
    """At 120x40 the inspector table and both drawings (original with the cut marked, crop) fit."""
    run_before = lab_then("slicing", "train_images[3, 4:20, ::2]")
    assert snap_compare(make_lab(), terminal_size=(120, 40), run_before=run_before)


def test_lab_uncrumpling_with_a_model_at_120x40(snap_compare):
    """With a (seeded, untrained) model on the app, both projections are plotted by class."""
    run_before = lab_then("uncrumple", model=True)
    assert snap_compare(make_lab(), terminal_size=(120, 40), run_before=run_before)
