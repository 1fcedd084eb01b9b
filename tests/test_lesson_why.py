"""The lesson's why steps (core.lesson.why) and the lecture items it had left out, on real MNIST.

Each step's value is its own code run on the loaded data, so these tests run what the screen
shows: the network's class and training step as this app defines them, a gradient measured by
nudging a weight, backpropagation's shapes, RMSprop's update, epochs against steps, three short
real runs at three learning rates, the broadcast loops, the dot loops, tweets as a tensor and
torchvision's loading call.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from functools import cache

import pytest
import torch

import core.lesson as lesson
from core.data import load_splits
from core.model import SimpleNN
from core.steps import NotebookStep
from tests.datasets import mnist_dir
from tui.cli import main

STEPS = {step.key: step for step in lesson.STEPS}
WHY = (
    "network-code",
    "training-step-code",
    "gradient",
    "backprop",
    "rmsprop",
    "epochs-steps",
    "learning-rate",
)


@cache
def on_mnist() -> lesson.LessonContext:
    train, test = load_splits("mnist", mnist_dir())
    return lesson.LessonContext(train, test)


@cache
def value(key: str) -> str:
    outcome = STEPS[key].compute(on_mnist())
    assert "failed" not in (outcome.reason or ""), outcome.value
    return outcome.value


def numbers(line: str) -> list[float]:
    return [float(n) for n in re.findall(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", line)]


def step_number(key: str) -> str:
    return str(next(i for i, step in enumerate(lesson.STEPS, start=1) if step.key == key))


# --- Where they sit -----------------------------------------------------------------------------


def test_the_why_steps_come_after_the_network_steps_and_before_the_tensors():
    keys = [step.key for step in lesson.STEPS]
    first = keys.index(WHY[0])
    assert keys[first : first + len(WHY)] == list(WHY)
    assert keys.index("test-accuracy") < first < keys.index("rank-0")


# --- The project's own code ---------------------------------------------------------------------


def test_the_network_shown_is_the_class_every_run_trains():
    assert STEPS["network-code"].picture(on_mnist()) == inspect.getsource(SimpleNN).rstrip()


def test_the_network_code_runs_that_class_on_a_real_batch():
    shown = value("network-code")
    assert "class: SimpleNN from core.model" in shown
    assert "fc1 then ReLU -> (64, 512)  fc2 -> (64, 10)" in shown


def test_the_training_step_shown_is_the_step_the_code_runs():
    source = textwrap.dedent(inspect.getsource(NotebookStep.__call__)).rstrip()
    assert STEPS["training-step-code"].picture(on_mnist()) == source
    assert "loss.backward()" in source and "NotebookStep(" in STEPS["training-step-code"].code


def test_five_real_steps_on_one_batch_lower_its_loss():
    losses = [numbers(line)[1] for line in value("training-step-code").splitlines()]
    assert len(losses) == 5
    assert losses[0] == pytest.approx(2.3, abs=0.1)  # untrained: about ln 10
    assert losses[-1] < losses[0] / 2


# --- Gradient, backpropagation, RMSprop ---------------------------------------------------------


def test_the_nudged_weights_slope_is_autograds_gradient():
    lines = value("gradient").splitlines()
    measured, autograd = (
        numbers(next(line for line in lines if line.startswith(start)).split(":")[1])[0]
        for start in ("measured", "autograd")
    )
    assert autograd != 0
    assert measured == pytest.approx(autograd, rel=1e-4)


def test_backpropagation_gives_each_parameter_a_gradient_of_its_shape():
    shown = value("backprop")
    for name, shape in (
        ("fc1.weight", "(512, 784)"),
        ("fc1.bias", "(512,)"),
        ("fc2.weight", "(10, 512)"),
        ("fc2.bias", "(10,)"),
    ):
        assert f"{name}: gradient {shape}, like the parameter {shape}" in shown
    assert "407,050 gradient values from one batch of 64" in shown


def test_rmsprops_first_step_is_ten_times_lr_and_larger_than_sgds():
    rows = [numbers(line) for line in value("rmsprop").splitlines()[1:]]
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5]
    _, g, v, step, _ = rows[0]
    assert v == pytest.approx(0.01 * g * g, rel=1e-3)  # alpha 0.99, from 0
    assert abs(step) == pytest.approx(1e-2, rel=1e-3)  # lr / sqrt(0.01): 10 x lr
    assert all(abs(row[3]) > abs(row[4]) for row in rows if row[1])


# --- Epochs and the learning rate ---------------------------------------------------------------


def test_an_epoch_is_938_steps_and_five_are_4690():
    shown = value("epochs-steps")
    assert "938 steps an epoch: 937 of 64, last 32" in shown
    assert "5 epochs: 4,690 steps" in shown


def test_the_learning_rates_runs_show_too_high_and_too_low():
    lines = value("learning-rate").splitlines()
    assert [line.split(":")[0] for line in lines] == ["lr 1", "lr 0.001", "lr 1e-06"]
    high, good, low = (numbers(line.split("by epoch")[1].split(";")[0]) for line in lines)
    assert high[0] > 100 * good[0]  # too high: the loss blows up
    assert low[-1] > 2.0 and low[0] - low[-1] < 0.1  # too low: barely off ln 10 = 2.303
    assert good[-1] < good[0] < 1.0
    assert "fit(" in STEPS["learning-rate"].code  # the app's own training, no second loop


# --- The exercises: no answer before the guess, and checked from the command line ---------------


@pytest.mark.parametrize(
    ("key", "answer_forms"),
    [
        ("gradient", ("0.002",)),
        ("backprop", ("(512, 784)", "512, 784", "512 x 784")),
        ("rmsprop", ("10 times", "ten times", "10x")),
        ("epochs-steps", ("4690", "4,690")),
        ("tweets", ("(1000000, 280, 128)", "1,000,000, 280, 128")),
    ],
)
def test_no_answer_shows_before_the_guess(key, answer_forms):
    step = STEPS[key]
    before = f"{step.title}\n{step.explanation}\n{step.exercise.question}"
    if not step.code_reveals:
        before += "\n" + step.code
    for form in answer_forms:
        assert form not in before, form
    assert step.exercise.kind in ("number", "shape")


@pytest.mark.parametrize(
    ("key", "right", "wrong", "says"),
    [
        ("gradient", ["0.002", "0.2 * 0.01", "+0.002"], "0.2", "slope"),
        ("backprop", ["(512, 784)", "512 x 784"], "(64, 512)", "per weight"),
        ("rmsprop", ["10", "ten"], "100", "square root"),
        ("epochs-steps", ["4690", "4,690 steps", "938*5"], "4685", "938 steps"),
        ("tweets", ["(1000000, 280, 128)", "1,000,000 x 280 x 128"], "(280, 128)", "one tweet"),
    ],
)
def test_lesson_check_reads_the_new_exercises(capsys, key, right, wrong, says):
    assert main(["lesson", "--check", step_number(key), *right]) == 0
    assert all(line.startswith("right") for line in capsys.readouterr().out.splitlines())
    assert main(["lesson", "--check", step_number(key), wrong]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith("wrong") and says in line


# --- The lecture items that were missing ---------------------------------------------------------


def test_the_broadcast_loops_are_written_out_and_match_the_operator():
    code = STEPS["broadcast-loops"].code
    assert "for i in range(rows):" in code and "for j in range(cols):" in code
    shown = value("broadcast-loops")
    assert "loops: (32, 10)  equal to X + y: True" in shown
    assert "y read 320 times by the loops; it holds 10 values" in shown


def test_the_dot_loops_the_step_runs_are_shown():
    from core import tensorlab as lab

    picture = STEPS["tensor-product"].picture(on_mnist())
    for loop in (lab.naive_vector_dot, lab.naive_matrix_vector_dot, lab.naive_matrix_dot):
        assert inspect.getsource(loop).rstrip() in picture
    assert "naive_matrix_vector_dot" in STEPS["tensor-product"].code


def test_tweets_are_one_hot_characters_in_a_rank_3_tensor():
    shown = value("tweets")
    assert "2 tweets: (2, 280, 128)" in shown
    assert "a million tweets: (1000000, 280, 128), 35,840,000,000 values" in shown
    assert "as uint8, one byte a value: 33.4 GB" in shown
    assert "stay all zeros: True" in shown
    assert STEPS["tweets"].code_reveals  # the code works the shape out


def test_the_loading_step_uses_torchvision_and_names_both_torch_versions():
    step = STEPS["load-mnist"]
    assert "from torchvision import datasets" in step.code and "datasets.MNIST" in step.code
    outcome = step.compute(on_mnist())
    assert outcome.value.splitlines()[0] == repr(torch.__version__)
    assert step.lecture.splitlines()[0] == lesson.lecture.TORCH_VERSION
    assert outcome.agrees is True
    if torch.__version__ != "2.8.0+cu126":
        assert "2.8.0+cu126 in the lecture" in outcome.reason
        assert torch.__version__ in outcome.reason


def test_representations_and_manifolds_are_named_where_the_lecture_means_them():
    assert "representation" in STEPS["network"].explanation
    assert "manifold" in STEPS["paper-ball"].explanation
    hidden = STEPS["hidden-projection"].explanation
    assert "representation" in hidden and "manifold" in hidden


# --- On the Lesson screen -----------------------------------------------------------------------


@pytest.fixture
def state_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_TUI_STATE", str(tmp_path / "state"))


@pytest.mark.slow(reason="opens the lesson in the app and computes three steps there")
async def test_the_why_steps_on_screen_hold_back_then_show_the_real_values(state_folder):
    from textual.widgets import Input

    from tests.test_lesson_screen import open_lesson, settled
    from tests.tui_helpers import make_app, plain
    from tui.screens.lesson import HIDDEN
    from tui.widgets.lesson.exercise import ExerciseBox

    async def go_to(pilot, key: str):
        await pilot.press("g", *step_number(key), "enter")
        screen = await settled(pilot)  # computed on a worker thread, then shown
        assert screen.step is not None and screen.step.key == key
        return screen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot)
        screen = await go_to(pilot, "network-code")
        assert "class SimpleNN(nn.Module):" in plain(screen.query_one("#picture-below"))

        screen = await go_to(pilot, "backprop")
        assert plain(screen.query_one("#lesson-values")).strip() == HIDDEN
        box = screen.query_one(ExerciseBox)
        await pilot.press("a")
        box.query_one(Input).value = ""
        await pilot.press(*"512 x 784", "enter")
        assert box.settled and box.attempt.verdict == "right"
        assert "fc2.bias: gradient (10,)" in plain(screen.query_one("#lesson-values"))
        await pilot.press("escape")  # out of the answer field, where g would be typed

        screen = await go_to(pilot, "learning-rate")
        assert "lr 1e-06: loss by epoch" in plain(screen.query_one("#lesson-values"))
