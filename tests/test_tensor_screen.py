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
from tests.datasets import mnist_dir
from tests.tui_helpers import RecordingApp, notifications, plain, type_text, wait_for_data
from tui.app import MnistApp
from tui.screens.tensors import PANEL_IDS, TensorScreen, UnknownPanel
from tui.state import Options, TrainedModel
from tui.widgets.lab.dense import FRESH, DensePanel
from tui.widgets.lab.input import HistoryInput

pytestmark = pytest.mark.slow(
    reason="the tensor lab under Pilot: an app, typing and timings in each test"
)


class LabApp(RecordingApp):
    """The app with the tensor lab on key 2 (as tui/app.py has it), notifications recorded."""

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
    await type_text(pilot, field, text)
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


async def test_rank_panel_shows_the_lectures_values_ndim_and_shapes():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "rank")
        assert "x.ndim = 3    x.shape = (3, 3, 5)" in shown(screen, "#rank .lesson-result")
        extra = shown(screen, "#rank .lesson-extra")
        lines = [line.rstrip() for line in extra.splitlines()]
        for facts, first_value_line in [
            ("rank 0, scalar    x.ndim = 0    x.shape = ()", "  array(12)"),
            ("rank 1, vector    x.ndim = 1    x.shape = (5,)", "  array([12,  3,  6, 14,  5])"),
            ("rank 2, matrix    x.ndim = 2    x.shape = (3, 5)", "  array([[ 5, 78,  2, 34,  0],"),
            ("rank 3, 3-D    x.ndim = 3    x.shape = (3, 3, 5)", "  array([[[ 5, 78,  2, 34,  0],"),
        ]:
            assert lines[lines.index(facts) + 1] == first_value_line
        assert extra.count("[ 7, 80,  4, 36,  2]") == 4  # the matrix's last row, and 3 in 3-D
        await type_into(pilot, "rank", "()")
        assert "x.ndim = 0    x.shape = ()" in shown(screen, "#rank .lesson-result")


async def test_rank_panel_shows_the_datasets_attributes_labels_and_a_loader_batch():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "rank")
        labels = pilot.app.dataset.train.labels
        first, last = ", ".join(map(str, labels[:3])), ", ".join(map(str, labels[-3:]))
        extra = shown(screen, "#rank .lesson-extra")
        assert "train_images: ndim 3, shape (6000, 28, 28), dtype uint8" in extra
        assert f"train_labels = tensor([{first}, ..., {last}])    torch.Size([6000])" in extra
        assert "torch.Size([64, 784]) float32, values 0 to 1" in extra


async def test_rank_panel_prints_the_real_labels_as_the_lecture_does():
    app = LabApp(Options(TrainConfig(dataset="mnist", data_dir=str(mnist_dir()))))
    async with app.run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "rank")
        extra = shown(screen, "#rank .lesson-extra")
        assert "train_labels = tensor([5, 0, 4, ..., 5, 6, 8])    torch.Size([60000])" in extra
        assert "train_images: ndim 3, shape (60000, 28, 28), dtype uint8" in extra


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


async def test_reshape_panel_prints_integers_and_the_size_error_in_one_line():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "reshape")
        await type_into(pilot, "reshape", "(2, 3)")
        assert "[[0 1 2]\n [3 4 5]]" in shown(screen, "#reshape .lesson-result")  # print(x)
        await type_into(pilot, "reshape", "(6, 1)")
        assert "[[0]\n [1]\n [2]\n [3]\n [4]\n [5]]" in shown(screen, "#reshape .lesson-result")
        await type_into(pilot, "reshape", "(3, 4)")
        result = shown(screen, "#reshape .lesson-result").strip()
        assert result == "ValueError: cannot reshape array of size 6 into shape (3,4)"
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


async def test_slicing_train_labels_prints_their_values_as_torch_does():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot)
        await type_into(pilot, "slicing", "train_labels")
        labels = pilot.app.dataset.train.labels
        first, last = ", ".join(map(str, labels[:3])), ", ".join(map(str, labels[-3:]))
        assert f"train_labels = tensor([{first}, ..., {last}])" in shown(screen, "#slice-result")
        await type_into(pilot, "slicing", "test_labels[:4]")
        values = ", ".join(map(str, pilot.app.dataset.test.labels[:4]))
        assert f"test_labels[:4] = tensor([{values}])" in shown(screen, "#slice-result")
        await type_into(pilot, "slicing", "train_images[4]")
        assert " = tensor(" not in shown(screen, "#slice-result")  # 784 numbers: facts only


# --- Stale timings ------------------------------------------------------------------------------


async def time_now(pilot) -> None:
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize(
    ("panel", "timed", "other"),
    [("elementwise", "(20, 100)", "(100, 100)"), ("dot", "(4, 3), (3, 5)", "(4, 3), (3,)")],
)
async def test_a_timing_for_other_shapes_than_those_typed_is_marked_stale(panel, timed, other):
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, panel)
        field = await type_into(pilot, panel, timed)
        await time_now(pilot)
        timing = shown(screen, f"#{panel} .lesson-timing")
        assert "x faster" in timing and "stale" not in timing
        await retype(pilot, field, other)
        timing = shown(screen, f"#{panel} .lesson-timing")
        assert f"stale: timed for {timed}, not {other}; Enter times what is typed now" in timing
        assert "x faster" in timing  # the old table is still there, marked, not hidden
        assert screen.query_one(f"#{panel}").stale
        await retype(pilot, field, timed.replace(" ", ""))  # the same shapes, spelled otherwise
        assert "stale" not in shown(screen, f"#{panel} .lesson-timing")
        await retype(pilot, field, other)
        await time_now(pilot)  # timing the shapes typed now makes the table current again
        assert "stale" not in shown(screen, f"#{panel} .lesson-timing")
        await retype(pilot, field, "(")  # not a shape at all: the table is stale too
        assert "stale: timed for" in shown(screen, f"#{panel} .lesson-timing")


# --- show_panel: how the Lesson opens a panel ---------------------------------------------------


async def test_show_panel_fills_the_slicing_expression_and_evaluates_it():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "rank")
        screen.show_panel("slicing", "train_images[:, 7:-7, 7:-7]")
        await pilot.pause()
        assert screen.panel == "slicing"
        assert screen.query_one("#panels").current == "slicing"
        field = screen.query_one("#slice-input", HistoryInput)
        assert field.value == "train_images[:, 7:-7, 7:-7]" and pilot.app.focused is field
        assert screen.query_one("#slicing").result_shape == (6000, 14, 14)
        assert "the crop, 14x14" in shown(screen, "#slice-images")
        assert field.history[-1] == "train_images[:, 7:-7, 7:-7]"


async def test_show_panel_selects_other_panels_and_refuses_an_unknown_id():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot)
        screen.show_panel("reshape", "(3, 4)")
        await pilot.pause()
        assert "cannot reshape array of size 6 into shape (3,4)" in shown(
            screen, "#reshape .lesson-result"
        )
        screen.show_panel("geometry", "ignored: no input")
        await pilot.pause()
        assert screen.panel == "geometry"
        with pytest.raises(UnknownPanel, match="no tensor lab panel 'nope': choose one of slicing"):
            screen.show_panel("nope")
        assert screen.panel == "geometry"


async def test_show_panel_before_mounting_and_escape_back_to_the_screen_below():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        await wait_for_data(pilot)
        below = pilot.app.screen
        lab_screen = TensorScreen()
        lab_screen.show_panel("slicing", "train_labels[:10]")  # not mounted yet: kept for later
        await pilot.app.push_screen(lab_screen)
        await pilot.pause()
        assert lab_screen.panel == "slicing"
        assert "train_labels[:10] = tensor([" in shown(lab_screen, "#slice-result")
        await pilot.press("escape")  # out of the input, to the panel list
        assert pilot.app.screen is lab_screen
        await pilot.press("escape")  # from the list: back to the screen it was pushed over
        await pilot.pause()
        assert pilot.app.screen is below


async def test_escape_on_the_list_of_the_tensors_mode_stays_there():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot)
        await pilot.press("escape", "escape")
        assert pilot.app.screen is screen and pilot.app.current_mode == "tensors"


# --- The Dense layer ----------------------------------------------------------------------------

DENSE_SHAPES = ["(64, 28, 28)", "(64, 784)", "(784, 512)", "(64, 512)", "(512,)", "(64, 512)"]


async def open_dense(pilot) -> TensorScreen:
    screen = await open_lab(pilot, "dense")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_dense_panel_runs_a_batch_through_a_fresh_fc1_when_nothing_is_trained():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_dense(pilot)
        panel = screen.query_one(DensePanel)
        assert panel.which == FRESH
        assert "freshly initialised SimpleNN (seed 0, untrained" in shown(screen, "#dense-status")
        result = shown(screen, "#dense-result")
        rows = [line.split() for line in result.splitlines() if line.strip()[:1].isdigit()]
        steps = [" ".join(row[1:]) for row in rows]
        for step, shape in zip(steps, [*DENSE_SHAPES, "(64, 512)", "(64, 512)"], strict=True):
            assert shape in step
        assert "(64, 784) · (784, 512) + bias -> (64, 512)" in result
        assert "strides (0, 1)" in result
        assert "Checked against model.relu(model.fc1(x))" in result


async def test_dense_panel_uses_the_trained_model_once_there_is_one():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_dense(pilot)
        pilot.app.trained = TrainedModel(tiny_model(), "a test model")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        panel = screen.query_one(DensePanel)
        assert panel.which == "the trained model: a test model"
        assert panel.traced_for[0] is pilot.app.trained
        result = shown(screen, "#dense-result")
        assert "(784, 32)" in result and "(64, 784) · (784, 32) + bias -> (64, 32)" in result


# --- Uncrumpling: the paper ball and the legend -------------------------------------------------


async def test_uncrumpling_explains_the_paper_ball_and_labels_every_class():
    async with make_lab().run_test(size=(120, 40)) as pilot:
        screen = await open_lab(pilot, "uncrumple")
        assert "crushed into one ball" in shown(screen, "#uncrumple-paper")
        assert not screen.query_one("#uncrumple-legend").display  # no plots, no legend
        pilot.app.trained = TrainedModel(tiny_model(), "a test model")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        legend_text = shown(screen, "#uncrumple-legend")
        assert [f"■ {digit}" in legend_text for digit in range(10)] == [True] * 10
        colours = {span.style for span in screen.query_one("#uncrumple-legend").content.spans}
        assert len(colours - {"dim"}) == 10  # one colour per class, besides the glyph


async def test_uncrumpling_redraws_its_classes_in_light_colours_under_a_light_theme():
    from tui.widgets.lab.plots import class_colors, rich_color

    async with make_lab().run_test(size=(120, 40)) as pilot:
        pilot.app.trained = TrainedModel(tiny_model(), "a test model")
        screen = await open_lab(pilot, "uncrumple")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

        def legend_colours() -> set[str]:
            spans = screen.query_one("#uncrumple-legend").content.spans
            return {str(span.style).split()[-1].lower() for span in spans} - {"dim"}

        assert legend_colours() == {rich_color(c) for c in class_colors(dark=True)}
        pilot.app.theme = "textual-light"
        await pilot.pause()
        assert legend_colours() == {rich_color(c) for c in class_colors(dark=False)}
        assert screen.query_one("#uncrumple").projected_for is pilot.app.trained


def test_the_fashion_legend_names_each_class_beside_its_glyph():
    from core.data import FASHION_CLASSES
    from tui.widgets.lab.plots import legend

    text = legend(FASHION_CLASSES).plain
    assert "■ 0 T-shirt/top" in text and "■ 9 Ankle boot" in text


# --- Hostile input: every panel answers in one line, the app keeps running ----------------------

FORTY_ONES = "(" + ", ".join(["1"] * 40) + ")"
LONG = "train_images[" + "1, " * 80 + "]"  # 253 characters
NESTED = "train_images[" + "(" * 80 + "1" + ")" * 80 + "]"  # deep, but under the length cap
FULLWIDTH_FOUR = "\N{FULLWIDTH DIGIT FOUR}"  # not a digit Python reads

# panel: [(typed, what the result shows, whether it is a refusal: one line)]
HOSTILE = {
    "slicing": [
        ("train_images[::0]", "slice step cannot be zero", True),
        ("train_images[::99999999999999999999999]", "torch.Size([1, 28, 28])", False),
        ("train_images[::-99999999999999999999999]", "torch.Size([1, 28, 28])", False),
        ("train_images[10**30]", "only whole numbers", True),
        ("train_images[99999999999999999999999]", "out of bounds", True),
        ("train_images[-99999999999999999999999]", "out of bounds", True),
        ("train_images[99999999999999999999999:]", "torch.Size([0, 28, 28])", False),
        (NESTED, "train_images[1].shape", False),
        ("train_images" + "[" * 60, "not valid Python syntax", True),
        (LONG, "too long: at most 200 characters", True),
        (f"train_images[{FULLWIDTH_FOUR}]", "invalid character", True),
        ("train_images[é]", "only whole numbers", True),
        ("", "empty", True),
        ("train_images[()]", "torch.Size([6000, 28, 28])", False),
        ("train_images[..., ...]", "single ellipsis", True),
        ("train_images[0, 0, 0, 0]", "too many indices", True),
        ("train_images['[bold]x']", "not `'[bold]x'`", True),  # shown as typed, not as markup
    ],
    "rank": [
        (FORTY_ONES, "40 dimensions is more than this lab takes (8)", True),
        ("(99999999999, 3)", "more than this lab allocates (10,000,000)", True),
        ("(0, 99999999999999999999999999)", "longer than NumPy allows", True),
        ("(-1, 2)", "non-negative", True),
        ("(0, 5)", "x.ndim = 2    x.shape = (0, 5)", False),
        ("()", "x.ndim = 0", False),
        ("", "empty: type a shape", True),
        ("9" * 250, "too long", True),
        (f"({FULLWIDTH_FOUR},)", "invalid character", True),
        ("(é,)", "non-negative whole numbers", True),
    ],
    "elementwise": [
        (FORTY_ONES, "more than this lab takes (8)", True),
        ("(1000000, 1000000)", "more than this lab allocates (200,000)", True),
        ("(0, 5)", "0 elements each", False),
        ("()", "random arrays of shape ()", False),
        ("", "empty", True),
    ],
    "broadcast": [
        (f"{FORTY_ONES}, (1,)", "more than this lab takes (8)", True),
        ("(99999999999, 3), (4, 5)", "cannot be broadcast", True),
        ("(200000000, 3), (4, 2)", "cannot be broadcast", True),
        ("(0,), (100000000, 1)", "result shape (100000000, 0)", False),
        ("(99999999999, 1), (1, 99999999999)", "result shape (99999999999, 99999999999)", False),
        ("(2, 3)", "expected 2 shapes", True),
        ("", "empty", True),
    ],
    "dot": [
        ("(99999999999, 3), (4, 5)", "shapes (99999999999,3) and (4,5) not aligned", True),
        ("(200000000, 3), (4, 2)", "not aligned", True),
        ("(99999999999, 7), (7, 99999999999)", "(99999999999, 99999999999)", False),
        (f"{FORTY_ONES}, (1,)", "more than this lab takes (8)", True),
        ("(), ()", "a scalar multiplies every element", False),
        ("", "empty", True),
    ],
    "reshape": [
        ("(99999999999999999999999999,)", "longer than NumPy allows", True),
        ("(1000000, 1000000)", "cannot reshape array of size 6 into shape (1000000,1000000)", True),
        ("(0,)", "cannot reshape array of size 6 into shape (0,)", True),
        (FORTY_ONES, "more than this lab takes (8)", True),
        ("(6, 1, 1, 1, 1, 1, 1, 1)", "x.reshape((6, 1, 1, 1, 1, 1, 1, 1))", False),
        ("", "empty", True),
    ],
    "data": [
        ("(9999999999, 9999999999)", "more than NumPy can index", True),
        ("(3000000000, 3000000000)", "9,000,000,000,000,000,000 values", False),
        (FORTY_ONES, "more than this lab takes (8)", True),
        ("(0, 5)", "rank 2, 0 values: 0 B as float32", False),
        ("", "empty", True),
    ],
}


async def retype(pilot, field: HistoryInput, text: str) -> None:
    """Replace the input's text, typed key by key."""
    field.value = ""
    await type_text(pilot, field, text)


def assert_still_running(pilot) -> None:
    assert pilot.app.is_running
    assert pilot.app.return_code is None
    assert notifications(pilot.app) == []  # said in the panel, not by a notification


@pytest.mark.parametrize("panel", list(HOSTILE))
async def test_hostile_input_is_answered_in_the_panel_and_the_app_keeps_running(panel):
    selector = "#slice-result" if panel == "slicing" else f"#{panel} .lesson-result"
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, panel)
        field = await type_into(pilot, panel, "")
        for text, expected, refused in HOSTILE[panel]:
            await retype(pilot, field, text)
            assert_still_running(pilot)
            result = shown(screen, selector).strip()
            assert expected in result, (text, result)
            if refused:
                assert len(result.splitlines()) == 1, (text, result)
                if panel == "slicing":
                    assert shown(screen, "#slice-images").strip() == ""  # no crop for a refusal


@pytest.mark.parametrize(
    ("panel", "text", "expected"),
    [
        pytest.param("elementwise", FORTY_ONES, "more than this lab takes (8)", id="40-dims"),
        pytest.param(
            "elementwise", "(1000000, 1000000)", "more than this lab allocates (200,000)", id="huge"
        ),
        pytest.param("elementwise", "()", "x faster", id="scalar"),  # a 0-d array, timed
        pytest.param("elementwise", "(0, 5)", "x faster", id="empty"),
        pytest.param("dot", "(200000000, 3), (4, 2)", "not aligned", id="dot-misaligned"),
        pytest.param(
            "dot", "(10000000, 0), (0,)", "more than this lab allocates (200,000)", id="dot-zero"
        ),
        pytest.param(
            "dot", "(100, 1000), (1000, 100)", "more than the Python loops take", id="dot-steps"
        ),
        pytest.param("dot", "(3,), (3, 4)", "the naive loops cover", id="dot-uncovered"),
    ],
)
async def test_hostile_timing_is_answered_in_the_panel(panel, text, expected):
    """Enter runs the timing in a thread; whatever it raises is the panel's one-line answer."""
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, panel)
        await type_into(pilot, panel, text)
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert_still_running(pilot)
        timing = shown(screen, f"#{panel} .lesson-timing").strip()
        assert expected in timing, timing
        if "faster" not in expected:
            assert len(timing.splitlines()) == 1


async def test_enter_held_down_while_timing_says_so_in_the_panel_not_in_notifications():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "elementwise")
        await type_into(pilot, "elementwise", "(200, 1000)")
        await pilot.press(*["enter"] * 10)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert_still_running(pilot)
        assert "x faster" in shown(screen, "#elementwise .lesson-timing")


async def test_geometry_and_every_panel_survive_key_mashing_and_tiny_terminals():
    async with make_lab().run_test(size=(100, 34)) as pilot:
        screen = await open_lab(pilot, "geometry")
        await pilot.press("enter")  # into the transforms list
        await pilot.press(*["end", "home", "pagedown", "pageup", "up", "x", "enter", "down"] * 3)
        for panel in PANEL_IDS:
            screen.panel = panel
            for width, height in [(20, 6), (1, 1), (300, 3), (100, 34)]:
                await pilot.resize_terminal(width, height)
                await pilot.pause()
            assert_still_running(pilot)
        screen.panel = "geometry"
        await pilot.pause()
        assert "rotation · x = [0, 2]" in shown(screen, "#geometry-facts")


# --- Snapshots ----------------------------------------------------------------------------------


def lab_then(panel: str, text: str | None = None, model: bool = False):
    """run_before: open the lab on `panel`, optionally type into its input, check the state."""

    async def run_before(pilot) -> None:
        if model:
            pilot.app.trained = TrainedModel(tiny_model(), "a test model")
        screen = await open_lab(pilot, panel)
        if text is not None:
            await type_into(pilot, panel, text)
        for field in screen.query(HistoryInput):
            field.cursor_blink = False  # a blinking cursor would be in some pictures, not others
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
            ("dense", None),
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


def test_lab_uncrumpling_in_a_light_theme_at_120x40(snap_compare):
    """textual-light: the deeper set of class colours, every digit readable on the pale plot."""
    lab_run = lab_then("uncrumple", model=True)

    async def run_before(pilot) -> None:
        pilot.app.theme = "textual-light"
        await lab_run(pilot)

    assert snap_compare(make_lab(), terminal_size=(120, 40), run_before=run_before)


def test_lab_opens_on_slicing_at_120x40(snap_compare):
    """Key 2 at 120x40: the first preset's facts side by side, the image it starts at drawn."""
    assert snap_compare(make_lab(), terminal_size=(120, 40), run_before=lab_then("slicing"))


def no_colour_lab(monkeypatch) -> LabApp:
    """The lab as NO_COLOR=1 starts it: Textual reads (and removes) the variable at init."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_lab()
    assert app.no_color
    return app


def test_lab_uncrumpling_without_colour_at_120x40(snap_compare, monkeypatch):
    """NO_COLOR: every class still told apart, by the digit its points are drawn with."""
    app = no_colour_lab(monkeypatch)
    run_before = lab_then("uncrumple", model=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_lab_slicing_without_colour_at_120x40(snap_compare, monkeypatch):
    """NO_COLOR: a dashed frame marks the cut (the dimmed rest would vanish with it)."""
    app = no_colour_lab(monkeypatch)
    run_before = lab_then("slicing", "train_images[:, 7:-7, 7:-7]")
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


async def test_without_colour_the_cut_is_framed_and_the_crop_drawn_in_glyphs(monkeypatch):
    app = no_colour_lab(monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_lab(pilot, "slicing")
        await type_into(pilot, "slicing", "train_images[:, 7:-7, 7:-7]")
        drawn = shown(pilot.app.screen, "#slice-images")
        assert "train_images[0], cut framed" in drawn and "the crop, 14x14" in drawn
        rows = drawn.splitlines()[1:]
        assert set("".join(rows)) <= set(" ▀▄█")
        # The frame's dashes: pixel rows 6 and 21 are the top and bottom halves of lines 3
        # and 10 (the other halves are inside the cut); above the frame is paper.
        assert all(cell in "▀█" for cell in rows[3][6:22:2])
        assert all(cell in "▄█" for cell in rows[10][6:22:2])
        assert rows[0][:28].strip() == "" and rows[13][:28].strip() == ""


def test_framed_marks_the_cut_with_dashes_just_outside_it():
    import numpy as np

    from core.tensorlab import crop_of
    from tui.widgets.lab.slicing import framed

    image = np.full((28, 28), 200, dtype=np.uint8)
    crop = crop_of((0, slice(7, -7), slice(7, -7)), (1, 28, 28))
    out = framed(image, crop)
    assert (out[7:21, 7:21] == 200).all()  # the cut, as it is
    assert list(out[6, 6:22]) == [255, 0] * 7 + [255, 255]  # dashes along the top, both corners
    assert list(out[6:22, 6]) == [255, 0] * 7 + [255, 255]  # and down the left side
    assert out[21, 21] == 255  # the far corner
    assert out[0:5].max() == 0 and out[:, 23:].max() == 0  # the rest is paper


def test_lab_geometry_without_colour_at_80x24(snap_compare, monkeypatch):
    """NO_COLOR: the points before (•) and after (x) the transform differ by their marker."""
    app = no_colour_lab(monkeypatch)
    assert snap_compare(app, terminal_size=(80, 24), run_before=lab_then("geometry"))


async def test_without_colour_the_legend_and_points_are_digits_alone(monkeypatch):
    app = no_colour_lab(monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(pilot, "uncrumple")
        pilot.app.trained = TrainedModel(tiny_model(), "a test model")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        legend_text = shown(screen, "#uncrumple-legend")
        assert "■" not in legend_text  # a coloured square says nothing without colour
        assert "classes: 0  1  2  3  4  5  6  7  8  9" in legend_text
        assert "drawn as their class's digit" in shown(screen, "#uncrumple-status")
