"""Lesson mode's steps (core.lesson): each value computed on the real data against the lecture's.

The steps' code is what computes their values, so running a step here runs the code shown on
screen. Real MNIST is ../shared/data/mnist (skipped without it, a failure under CI=true); the
training-dependent steps use the committed synthetic model, a tiny real run, or (marked slow)
the lecture's five epochs on MNIST.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import cache

import pytest

import core.lesson as lesson
from core.data import load_splits
from core.evaluation import load_model
from core.events import EpochEnd
from core.lesson import lecture
from core.lesson.first_look import ink_rows
from core.lesson.snippet import PREAMBLE, namespace, run_code, squeeze
from core.train import fit
from scripts.snapshot_model import MODEL
from tests.datasets import ROOT, mnist_dir
from tests.tiny import tiny_config, tiny_data

STEPS = {step.key: step for step in lesson.STEPS}

# What each step's value should do on real MNIST with a model that is not the lecture's (the
# committed synthetic one): True, agree; None, cannot compare (with a reason). Every step is
# listed, so a new step must say what it expects.
ON_MNIST = {
    "device": None,  # no CUDA here; a CUDA machine agrees (test below)
    "load-mnist": True,
    "train-image-10": True,
    "train-image-10-digit": None,
    "labels": True,
    "network": True,
    "loss-optimizer": None,
    "pipeline": None,
    "training": None,  # no run in this context: "(train first)"
    "test-accuracy": False,  # a model trained on synthetic digits is far from 97.97% on MNIST
    "watch-it-learn": None,  # the short runs: nothing computed until the learner asks
    "break-biases": None,
    "break-labels": None,
    "break-lr": None,
    "break-hidden": None,
    "network-code": None,  # the why steps: the lecture printed none of it
    "training-step-code": None,
    "gradient": None,
    "backprop": None,
    "rmsprop": None,
    "epochs-steps": None,
    "learning-rate": None,
    "rank-0": True,
    "rank-1": True,
    "rank-2": True,
    "rank-3": True,
    "attributes": True,
    "slicing": True,
    "crop-corner": True,
    "negative-indices": True,
    "batches": None,
    "data-tensors": None,
    "tweets": None,
    "video": True,
    "elementwise": None,
    "broadcasting": None,  # the lecture printed a random vector
    "broadcast-loops": None,
    "tensor-product": True,
    "reshape": True,
    "reshape-error": True,
    "transpose": True,
    "dense-layer": True,
    "geometry": None,
    "rotation-order": True,
    "affine-relu": True,
    "paper-ball": None,
    "hidden-projection": None,
    "puzzles": None,  # the puzzles: the lecture has none to compare with
    "review": None,  # the score and the quiz: nothing printed by the lecture to compare
}


@cache
def mnist() -> tuple:
    return load_splits("mnist", mnist_dir())


@cache
def synthetic_model():
    return load_model(MODEL)[0]


def mnist_context(**changes) -> lesson.LessonContext:
    train, test = mnist()
    return replace(lesson.LessonContext(train, test, model=synthetic_model()), **changes)


def synthetic_context(**changes) -> lesson.LessonContext:
    train, test = load_splits("synthetic")
    return replace(lesson.LessonContext(train, test, model=synthetic_model()), **changes)


def epoch_events(figures) -> tuple[EpochEnd, ...]:
    return tuple(
        EpochEnd(i, loss, acc, 0.0, 0.0, seconds=1.0, samples_per_s=60000.0, peak_gpu_mb=None)
        for i, (loss, acc) in enumerate(figures)
    )


# --- The list of steps --------------------------------------------------------------------------


def test_at_least_26_steps_with_unique_keys_and_titles_that_fit_the_header():
    assert len(lesson.STEPS) >= 26
    keys = [step.key for step in lesson.STEPS]
    assert len(set(keys)) == len(keys)
    assert len(set(lesson.titles())) == len(keys)
    assert all(0 < len(title) <= 48 for title in lesson.titles())


def test_every_step_says_what_it_expects_on_mnist():
    assert list(ON_MNIST) == [step.key for step in lesson.STEPS]


def test_the_steps_follow_the_lecture():
    keys = [step.key for step in lesson.STEPS]
    lecture_order = [
        "device",
        "load-mnist",
        "train-image-10",
        "labels",
        "network",
        "loss-optimizer",
        "pipeline",
        "training",
        "test-accuracy",
        "rank-0",
        "rank-3",
        "attributes",
        "slicing",
        "negative-indices",
        "batches",
        "data-tensors",
        "video",
        "elementwise",
        "broadcasting",
        "tensor-product",
        "reshape",
        "transpose",
        "geometry",
        "affine-relu",
        "paper-ball",
        "hidden-projection",
    ]
    positions = [keys.index(key) for key in lecture_order]
    assert positions == sorted(positions)


def test_titles_is_what_lesson_list_prints():
    assert lesson.titles()[0] == STEPS["device"].title
    assert "The network: 407,050 parameters" in lesson.titles()


def test_the_lecture_values_are_the_notebooks_own_outputs():
    path = ROOT.parent / "shared" / "lecture" / "notebook.txt"
    if not path.exists():
        pytest.skip(f"the lecture is not at {path}")
    notebook = squeeze(path.read_text())
    printed = [
        lecture.LABELS.splitlines()[0],
        lecture.SCALAR.splitlines()[0],
        lecture.VECTOR.splitlines()[0],
        lecture.RESHAPE_ERROR,
        lecture.TEST_ACCURACY,
        *(f"{loss:.6f}" for loss, _ in lecture.EPOCH_FIGURES),  # the figures, not the wording
        *(f"{acc:.6f}" for _, acc in lecture.EPOCH_FIGURES),
        *lecture.MATRIX.splitlines()[:3],
    ]
    for line in printed:
        assert squeeze(line) in notebook, line


def test_no_step_repeats_ten_words_of_the_lecture():
    """Facts and numbers carry over from the lecture; its sentences and code do not."""
    path = ROOT.parent / "shared" / "lecture" / "notebook.txt"
    if not path.exists():
        pytest.skip(f"the lecture is not at {path}")

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9_']+", text.lower())

    lecture_words = words(path.read_text())
    runs = {tuple(lecture_words[i : i + 10]) for i in range(len(lecture_words) - 9)}
    for step in lesson.STEPS:
        ours = words(f"{step.explanation}\n{step.code}")
        shared = [
            " ".join(run)
            for run in (tuple(ours[i : i + 10]) for i in range(len(ours) - 9))
            # Runs mostly of numbers are the lecture's arrays, written out as data.
            if run in runs and sum(word.isdigit() for word in run) < 7
        ]
        assert not shared, (step.key, shared)


# --- Values on real MNIST -----------------------------------------------------------------------


@pytest.mark.parametrize("key", list(ON_MNIST))
def test_each_step_on_mnist_agrees_or_says_why_not(key):
    outcome = STEPS[key].compute(mnist_context())
    assert outcome.value
    assert outcome.agrees is ON_MNIST[key], (outcome.value, outcome.reason)
    if outcome.agrees is not True:
        assert outcome.reason and "\n" not in outcome.reason


def test_the_network_has_the_lectures_407_050_parameters():
    value = STEPS["network"].compute(mnist_context()).value
    assert "401,920" in value and "5,130" in value and "total 407,050" in value


def test_the_splits_have_the_lectures_shapes():
    value = STEPS["load-mnist"].compute(mnist_context()).value
    assert "torch.Size([60000, 28, 28]), 60000 samples" in value
    assert "torch.Size([10000, 28, 28]), 10000 samples" in value
    assert STEPS["attributes"].compute(mnist_context()).value == "3\n(60000, 28, 28)\nuint8"


def test_image_10_is_the_lectures_3_within_a_pixel():
    outcome = STEPS["train-image-10"].compute(mnist_context())
    assert outcome.agrees is True
    assert "within 1" in outcome.reason  # the shared files are a reconstruction, off by one
    assert "torch.Size([28, 28])" in outcome.value
    assert len(ink_rows(outcome.value)) == len(ink_rows(lecture.IMAGE_10)) == 20
    # The lecture's printout is of a 3 (its plot is titled with the label), not a 5.
    assert STEPS["train-image-10-digit"].compute(mnist_context()).value.endswith("label: 3")


def test_the_labels_print_as_the_lecture_prints_them():
    value = STEPS["labels"].compute(mnist_context()).value
    assert squeeze(value) == "tensor([5, 0, 4, ..., 5, 6, 8]) torch.Size([60000])"


def test_the_rank_examples_are_the_lectures_arrays():
    ctx = mnist_context()
    assert STEPS["rank-1"].compute(ctx).value == "array([12,  3,  6, 14,  5])\n1"
    assert STEPS["rank-2"].compute(ctx).value.endswith("2\n(3, 5)")
    assert STEPS["rank-3"].compute(ctx).value == "3\n(3, 3, 5)"
    cube = STEPS["rank-3"].picture(ctx)
    assert cube.count("[ 5, 78,  2, 34,  0]") == 3


def test_the_video_holds_106_168_320_values_in_405_mb():
    value = STEPS["video"].compute(mnist_context()).value
    assert value == "(4, 240, 144, 256, 3): 106,168,320 values; as float32, 405 MB"


def test_reshaping_six_integers_to_3_by_4_fails_with_numpys_message():
    outcome = STEPS["reshape-error"].compute(mnist_context())
    assert outcome.value == "ValueError: cannot reshape array of size 6 into shape (3,4)"
    # The lecture's array is integer, and so is ours: no "0." anywhere.
    assert "." not in STEPS["reshape"].compute(mnist_context()).value


def test_the_crops_are_drawn_as_my_slice_4():
    ctx = mnist_context()
    for key in ("crop-corner", "negative-indices"):
        picture = STEPS[key].picture(ctx)
        assert picture.startswith("my_slice[4]: 14x14, label 9")
        assert len(picture.splitlines()) == 1 + 2 + 14  # title, two rules, 14 pixel rows


def test_broadcasting_shows_the_repetition_as_a_virtual_copy():
    ctx = mnist_context()
    value = STEPS["broadcasting"].compute(ctx).value
    assert "Y (32, 10)" in value and "strides: (0, 8)" in value
    assert "(64, 3, 32, 10)" in value
    assert "virtual" in STEPS["broadcasting"].picture(ctx)


def test_the_dense_layer_by_hand_is_the_layer():
    value = STEPS["dense-layer"].compute(mnist_context()).value
    assert "x (64, 784) . W.T (784, 512) -> (64, 512)" in value
    assert "+ b (512,) broadcast -> (64, 512)" in value
    assert value.endswith("by hand == fc1 then ReLU: True")


def test_the_element_wise_timing_names_its_shapes_beside_the_loops():
    ctx = mnist_context()
    value = STEPS["elementwise"].compute(ctx).value
    assert value.count("on (100, 100)") == 2 and value.count("same result: True") == 2
    assert "def naive_relu" in STEPS["elementwise"].picture(ctx)


def test_the_device_agrees_where_cuda_is_available():
    import torch

    outcome = STEPS["device"].compute(mnist_context())
    if torch.cuda.is_available():
        assert outcome == lesson.Outcome("Current device is cuda", True)
    else:
        assert outcome.value == "Current device is cpu"
        assert "Tesla T4" in outcome.reason


# --- Other data, no model, training -------------------------------------------------------------


def test_data_steps_on_synthetic_digits_say_so_instead_of_agreeing():
    ctx = synthetic_context()
    for key in ("load-mnist", "train-image-10", "labels", "attributes", "slicing"):
        outcome = STEPS[key].compute(ctx)
        assert outcome.agrees is None
        assert outcome.reason == "synthetic digits, not MNIST"
    assert STEPS["rank-1"].compute(ctx).agrees is True  # the lecture's own arrays still agree


def test_steps_that_need_a_model_say_so_without_one():
    ctx = synthetic_context(model=None)
    for step in lesson.STEPS:
        if step.needs == "model":
            outcome = step.compute(ctx)
            assert outcome.value == "(train first)"
            assert outcome.agrees is None and outcome.reason
    assert STEPS["hidden-projection"].picture(ctx).startswith("(train first")


def test_the_training_step_says_how_long_training_takes_here():
    outcome = STEPS["training"].compute(synthetic_context(seconds_per_epoch=2.0))
    assert outcome.reason == "no run yet: training takes about 10 s on this device (5 epochs)"


def test_epochs_like_the_lectures_agree_and_epochs_far_from_them_do_not():
    close = [(loss + 0.002, acc - 0.004) for loss, acc in lecture.EPOCH_FIGURES]
    outcome = STEPS["training"].compute(mnist_context(epochs=epoch_events(close)))
    assert outcome.agrees is True and "within 0.01" in outcome.reason
    assert outcome.value.splitlines()[0] == "epoch 1: training loss 0.215554, accuracy 0.933883"

    far = [(loss, acc - 0.05) for loss, acc in lecture.EPOCH_FIGURES]
    assert STEPS["training"].compute(mnist_context(epochs=epoch_events(far))).agrees is False

    three = epoch_events(lecture.EPOCH_FIGURES[:3])
    outcome = STEPS["training"].compute(mnist_context(epochs=three))
    assert outcome.agrees is None and "3 epochs" in outcome.reason


def test_a_tiny_real_run_gives_epoch_lines_in_the_lectures_form():
    result = fit(tiny_config(), data=tiny_data())
    assert result.ok
    train, test = tiny_data()
    ctx = lesson.LessonContext(train, test, model=result.model, epochs=result.history)
    outcome = STEPS["training"].compute(ctx)
    assert len(outcome.value.splitlines()) == 2
    assert outcome.value.startswith("epoch 1: training loss ")
    assert (outcome.agrees, outcome.reason) == (None, "synthetic digits, not MNIST")


def test_training_estimate_uses_the_last_run_when_there_is_one():
    assert lesson.training_estimate("cuda:0") < lesson.training_estimate("cpu")
    measured = epoch_events(lecture.EPOCH_FIGURES)  # 1.0 s each
    assert lesson.training_estimate("cpu", measured) == pytest.approx(1.3)


@pytest.mark.slow(reason="trains the lecture's five epochs on the real MNIST")
def test_the_lectures_five_epochs_on_mnist_agree_with_its_figures():
    """The training step's own code, run as is: epoch lines, test accuracy, uncrumpling."""
    names = namespace(mnist_context(model=None))
    lines = run_code(STEPS["training"].code, names)
    assert len(lines.splitlines()) == 5
    train, test = mnist()
    history = names["result"].history
    ctx = lesson.LessonContext(train, test, model=names["model"], epochs=history)
    assert STEPS["training"].compute(ctx).value == lines
    assert STEPS["training"].compute(ctx).agrees is True
    outcome = STEPS["test-accuracy"].compute(ctx)
    assert outcome.agrees is True, outcome.value
    projection = STEPS["hidden-projection"].compute(ctx).value.splitlines()
    pixels, hidden = (int(line.rstrip("%").split()[-1]) for line in projection)
    assert hidden > pixels


# --- The code shown is real ---------------------------------------------------------------------


def test_every_steps_code_runs_in_a_fresh_namespace():
    """On tiny synthetic data (so the training snippet trains in a second) with a model."""
    train, test = tiny_data()
    ctx = lesson.LessonContext(train, test, model=synthetic_model())
    for step in lesson.STEPS:
        names = namespace(ctx)
        printed = run_code(step.code, names)
        assert printed, step.key
        if step.key == "training":
            assert names["model"] is not None


def test_a_snippets_output_is_its_own_even_on_threads_at_once(capsys):
    """The Lesson screen computes on worker threads: no snippet may swap sys.stdout."""
    stdout = sys.stdout
    code = "import time\nfor _ in range(20):\n    print(tag)\n    time.sleep(0.001)\n"
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(pool.map(lambda tag: run_code(code, {"tag": tag}), "abcd"))
    assert outputs == ["\n".join(tag * 20) for tag in "abcd"]
    assert sys.stdout is stdout
    assert capsys.readouterr().out == ""


def test_the_preamble_runs_on_its_own_and_a_step_runs_after_it(monkeypatch):
    monkeypatch.setenv("MNIST_TUI_DATA", str(mnist_dir()))
    names: dict[str, object] = {}
    exec(PREAMBLE, names)
    assert names["train_images"].shape == (60000, 28, 28)
    assert run_code(STEPS["negative-indices"].code, names) == lecture.NEGATIVE


# --- Exercises ----------------------------------------------------------------------------------

EXERCISES = [step.exercise for step in lesson.STEPS if step.exercise is not None]


def test_there_are_at_least_six_exercises():
    assert len(EXERCISES) >= 6


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.question[:40])
def test_each_exercise_accepts_its_answer_and_explains_its_mistakes(exercise):
    right, why = exercise.check(exercise.answer)
    assert right and why
    for wrong, explanation in exercise.mistakes:
        assert exercise.check(wrong) == (False, explanation)
    assert exercise.check("   ")[0] is False
    assert exercise.check("   ")[1].startswith("Type an answer first")


def exercise_about(text: str) -> lesson.Exercise:
    return next(e for e in EXERCISES if text in e.question)


@pytest.mark.parametrize(
    "given",
    [
        "(60000, 14, 14)",
        "60000x14x14",
        "60000 x 14 x 14",
        "60000 \u00d7 14 \u00d7 14",
        "[60000, 14, 14]",
        "60000, 14, 14,",
        "(60000,14,14)",
        "torch.Size([60000, 14, 14])",
        "(60_000, 14, 14)",
        "(60000, 2*7, 14)",
    ],
)
def test_a_shape_may_be_written_in_any_usual_form(given):
    assert exercise_about("7:-7").check(given)[0] is True


def test_a_wrong_crop_shape_is_explained_specifically():
    exercise = exercise_about("7:-7")
    right, why = exercise.check("60000x28x28")
    assert not right and "before cropping" in why and "7 pixels from each side" in why
    right, why = exercise.check("(60000, 14, 15)")
    assert not right and "axis 2 is off" in why
    right, why = exercise.check("(14, 14, 14, 14)")
    assert not right and "4 axes" in why
    right, why = exercise.check("banana")
    assert not right and "does not read as a shape" in why
    right, why = exercise.check("(" * 100_000)
    assert not right and "100,000 characters" in why


def test_symbolic_counted_and_yes_no_answers():
    dot = exercise_about("(a, b, c, d) · (d, e)")
    assert dot.check("(A, B, C, E)")[0] and dot.check("a,b,c,e")[0]
    assert "summed over" in dot.check("(a, b, c, d, e)")[1]
    video = exercise_about("(4, 240, 144, 256, 3)")
    for given in ("106,168,320", "106168320", "106_168_320", "106168320 values"):
        assert video.check(given)[0], given
    assert "colour channels" in video.check("35,389,440")[1]
    assert "too large" in video.check("999999999")[1]
    reshape = exercise_about("reshaped to (3, 4)")
    assert reshape.check("No")[0] and reshape.check("error")[0]
    assert "12 values" in reshape.check("yes")[1]
    assert exercise_about("reshape((60000, 28 * 28))").check("(60000, 28*28)")[0]
    assert exercise_about("quarter turn").check("(0, 2)")[0]
    assert "clockwise" in exercise_about("quarter turn").check("0, -2")[1]


# --- Where steps lead ---------------------------------------------------------------------------


def test_steps_open_browse_at_10_the_slicing_panel_and_train():
    assert STEPS["train-image-10"].opens == lesson.Opens("browse", "Browse at image 10", index=10)
    assert STEPS["training"].opens.mode == "train"
    slicing = STEPS["negative-indices"].opens
    assert (slicing.mode, slicing.panel, slicing.expression) == (
        "tensors",
        "slicing",
        "train_images[:, 7:-7, 7:-7]",
    )


def test_every_tensors_panel_a_step_opens_exists_and_takes_its_expression():
    from core.tensorlab.index_expr import apply_index
    from tui.screens.tensors import PANELS

    panels = {panel_id: panel for panel_id, _, panel in PANELS}
    train = mnist()[0]
    tensors = {"train_images": train.images, "train_labels": train.labels}
    for step in lesson.STEPS:
        opens = step.opens
        if opens is None or opens.mode != "tensors":
            continue
        assert opens.panel in panels, step.key
        if opens.expression is None:
            continue
        if opens.panel == "slicing":
            apply_index(opens.expression, tensors)  # raises if the panel would refuse it
        else:
            assert opens.expression in panels[opens.panel].PRESETS, step.key


# --- The position between sessions --------------------------------------------------------------


@pytest.fixture
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_TUI_STATE", str(tmp_path / "state"))
    return tmp_path / "state"


def test_the_position_is_saved_and_read_back(state_dir):
    assert lesson.load_position() == 0
    lesson.save_position(7)
    assert lesson.load_position() == 7
    assert json.loads((state_dir / "lesson.json").read_text())["step"] == 7
    assert sorted(p.name for p in state_dir.iterdir()) == ["lesson.json"]  # no temp left
    lesson.save_position(10_000)  # past the end: the last step
    assert lesson.load_position() == len(lesson.STEPS) - 1


@pytest.mark.parametrize(
    "content",
    [
        *(b"", b"{", b"null", b'{"step": "3"}', b'{"step": -1}', b'{"step": 999}', b"\xff\xfe"),
        *(b"[]", b"[" * 4000),  # the last nests past the JSON parser's limit, under the size cap
    ],
)
def test_an_unreadable_position_reads_as_the_first_step(state_dir, content):
    state_dir.mkdir()
    (state_dir / "lesson.json").write_bytes(content)
    assert lesson.load_position() == 0


def test_a_position_file_that_is_a_folder_or_huge_reads_as_0(state_dir):
    (state_dir / "lesson.json").mkdir(parents=True)
    assert lesson.load_position() == 0
    lesson.save_position(3)  # cannot replace a folder: dropped, no exception
    (state_dir / "lesson.json").rmdir()
    (state_dir / "lesson.json").write_text('{"step": 3}' + " " * 100_000)
    assert lesson.load_position() == 0


def test_a_fifo_in_place_of_the_position_is_named_and_replaced_not_waited_on(state_dir):
    import os

    from core.lesson.position import position_and_problem

    state_dir.mkdir()
    os.mkfifo(state_dir / "lesson.json")  # a plain open() would wait for a writer forever
    step, problem = position_and_problem(len(lesson.STEPS))
    assert step == 0
    assert problem == f"{state_dir / 'lesson.json'}: it is a named pipe (FIFO), not a regular file"
    lesson.save_position(5)
    assert lesson.load_position() == 5


def test_saving_where_the_state_folder_cannot_be_made_is_dropped(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MNIST_TUI_STATE", str(blocker / "state"))
    lesson.save_position(4)
    assert lesson.load_position() == 0


# --- Headless ------------------------------------------------------------------------------------


def test_importing_the_lesson_loads_neither_textual_nor_torch():
    """`mnist-tui lesson --list` prints titles without the UI or torch."""
    check = (
        "import sys, core.lesson as l\n"
        "assert len(l.titles()) >= 26\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'tui', 'torch'}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_import_boundary_test_walks_the_lesson_package():
    from tests.test_import_boundary import core_modules

    names = {"core.lesson", *(f"core.lesson.{m}" for m in ("types", "snippet", "position"))}
    assert names <= set(core_modules())


def test_pictures_are_plain_text():
    ctx = mnist_context()
    for step in lesson.STEPS:
        if step.picture is not None:
            drawing = step.picture(ctx)
            assert isinstance(drawing, str) and drawing.strip(), step.key
