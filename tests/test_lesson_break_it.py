"""The break-it steps' short runs on real MNIST: each breakage does what its step says it does.

Every run is core's fit on the first 6,000 training images for one epoch (about a third of a
second each here); the recipe's run is shared through the session cache, as the screen does.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.data import Split, load_splits
from core.lesson import STEPS
from core.lesson.break_it import STEPS as BREAK_IT
from core.lesson.experiment import RunStep, take_frame
from core.lesson.short_runs import (
    HIDDEN_FOUR,
    LR_ONE,
    NO_BIASES,
    RECIPE,
    SHUFFLED_LABELS,
    RunResult,
    cached_run,
    short_run,
    which_choice,
)
from core.lesson.snippet import run_code
from core.lesson.watch import WATCH
from core.model import SimpleNN
from tests.datasets import mnist_dir

Pair = tuple[Split, Split]


@pytest.fixture(scope="module")
def mnist() -> Pair:
    return load_splits("mnist", str(mnist_dir()))


def figures(run: RunResult) -> tuple[float, float]:
    """(test accuracy, test loss) of a run that finished an epoch."""
    assert run.test_acc is not None and run.test_loss is not None, run.line()
    return run.test_acc, run.test_loss


@pytest.fixture(scope="module")
def recipe(mnist: Pair) -> RunResult:
    return cached_run(*mnist, RECIPE)


def test_the_recipe_learns_in_one_short_epoch(recipe: RunResult) -> None:
    assert recipe.failed is None and recipe.images == 6_000
    assert recipe.test_acc is not None and recipe.test_acc > 0.85


def test_shuffled_labels_leave_the_test_accuracy_near_chance(
    mnist: Pair, recipe: RunResult
) -> None:
    broken = cached_run(*mnist, SHUFFLED_LABELS)
    assert broken.test_acc is not None and broken.test_acc < 0.2
    assert which_choice(broken, recipe) == "c"


def test_learning_rate_one_blows_the_loss_up_and_costs_accuracy(
    mnist: Pair, recipe: RunResult
) -> None:
    broken = cached_run(*mnist, LR_ONE)
    if broken.failed is None:  # diverged to NaN is the other honest ending
        (accuracy, loss), (recipe_accuracy, recipe_loss) = figures(broken), figures(recipe)
        assert loss > 100 * recipe_loss
        assert accuracy < recipe_accuracy - 0.03
    assert which_choice(broken, recipe) == "d"


def test_four_hidden_units_learn_but_far_worse_than_512(mnist: Pair, recipe: RunResult) -> None:
    broken = cached_run(*mnist, HIDDEN_FOUR)
    assert 0.2 < figures(broken)[0] < figures(recipe)[0] - 0.1
    assert which_choice(broken, recipe) == "b"


def test_biases_kept_at_zero_stay_zero_through_training(mnist: Pair) -> None:
    biases: list[float] = []

    def after_epoch(epoch: int, model: SimpleNN) -> None:
        biases.append(float(model.fc1.bias.abs().sum() + model.fc2.bias.abs().sum()))

    result = short_run(*mnist, NO_BIASES, on_epoch=after_epoch)
    assert result.failed is None and biases == [0.0]


def test_biases_kept_at_zero_learn_about_as_well_as_the_recipe(
    mnist: Pair, recipe: RunResult
) -> None:
    broken = cached_run(*mnist, NO_BIASES)
    assert which_choice(broken, recipe) == "a"


@pytest.mark.parametrize("step", BREAK_IT, ids=lambda step: step.key)
def test_each_step_takes_as_right_what_its_run_shows(step: RunStep, mnist: Pair) -> None:
    runs = [cached_run(*mnist, recipe) for recipe in step.recipes]
    shown = which_choice(runs[1], runs[0])
    assert step.exercise is not None
    right, _ = step.exercise.check(shown)
    assert right, (step.key, shown, [run.line() for run in runs])


def test_a_run_is_kept_for_the_session_not_trained_again(mnist: Pair) -> None:
    assert cached_run(*mnist, RECIPE) is cached_run(*mnist, RECIPE)


def test_the_break_it_steps_follow_the_training_steps_in_the_lesson() -> None:
    keys = [step.key for step in STEPS]
    assert keys.index("training") < keys.index(WATCH.key) < keys.index(BREAK_IT[0].key)
    assert all(step.exercise and step.exercise.form == "choice" for step in BREAK_IT)


def test_the_watch_run_pictures_the_network_at_the_start_and_each_epoch_end(mnist: Pair) -> None:
    frames = []
    train, test = mnist

    def at_start(model: SimpleNN) -> None:
        frames.append(take_frame(model, test, 0, 2))

    def after_epoch(epoch: int, model: SimpleNN) -> None:
        frames.append(take_frame(model, test, epoch + 1, 2))

    short_run(train, test, RECIPE, images=1_000, epochs=2, on_start=at_start, on_epoch=after_epoch)
    assert [frame.epoch for frame in frames] == [0, 1, 2]
    assert frames[0].weights.shape == (4, 28, 28) and frames[0].points.shape == (500, 2)
    assert not np.array_equal(frames[0].weights, frames[1].weights)  # copies, not views
    assert frames[2].accuracy > frames[0].accuracy + 0.3  # from guessing to reading digits


@pytest.mark.parametrize("step", BREAK_IT, ids=lambda step: step.key)
def test_each_step_code_prints_the_results_its_key_shows(step: RunStep, mnist: Pair) -> None:
    train, test = mnist
    printed = run_code(step.code, {"train": train, "test": test})
    assert printed == "\n".join(cached_run(train, test, r).line() for r in step.recipes)


def test_an_options_own_words_read_as_its_letter() -> None:
    from core.lesson.break_it import STEPS as BREAK_IT
    from core.lesson.short_runs import CHOICES

    words = dict(CHOICES)
    (step,) = [s for s in BREAK_IT if s.key == "break-labels"]
    exercise = step.exercise
    assert exercise is not None and exercise.answer == "c"
    assert exercise.check(words["c"])[0] and exercise.check(f"c) {words['c']}")[0]
    right_letter, why_a = exercise.check("a")[0], exercise.check("a")[1]
    assert not right_letter and exercise.check(words["a"]) == (False, why_a)
