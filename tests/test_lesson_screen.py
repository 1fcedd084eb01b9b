"""Lesson mode (screen 6) under Pilot: moving through the steps, jumping, remembering, guessing,
opening a step's screen and coming back, training from a step; every step walked at both sizes.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from core.lesson import STEPS, load_position
from tests.datasets import mnist_dir
from tests.tui_helpers import make_app, notifications, plain, wait_for_data, wait_until
from tui.screens.browse import BrowseScreen
from tui.screens.help import HelpScreen
from tui.screens.lesson import HIDDEN, LessonScreen
from tui.screens.tensors import TensorScreen
from tui.screens.train import TrainScreen
from tui.widgets.lesson.exercise import ExerciseBox
from tui.widgets.lesson.goto import GoToStepScreen

pytestmark = pytest.mark.slow(reason="walks the lesson's steps in the app, computing each")

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def state_folder(tmp_path, monkeypatch):
    """The step reached is remembered in a folder of this test's own, never the user's."""
    folder = tmp_path / "state"
    monkeypatch.setenv("MNIST_TUI_STATE", str(folder))
    return folder


def index_of(predicate) -> int:
    """The first step for which predicate(step) holds (the lesson has one: asserted)."""
    found = [i for i, step in enumerate(STEPS) if predicate(step)]
    assert found, "the lesson has no such step"
    return found[0]


async def settled(pilot) -> LessonScreen:
    """The lesson on screen with its steps loaded and the current step's value computed."""
    screen = pilot.app.screen
    assert isinstance(screen, LessonScreen)
    await wait_until(pilot, lambda: bool(screen.steps) and screen.outcome is not None)
    await pilot.pause()
    return screen


async def open_lesson(pilot, at: int = 0) -> LessonScreen:
    """Data loaded, key 6 pressed, then the steps walked with n up to step `at`."""
    await wait_for_data(pilot)
    await pilot.press("6")
    screen = await settled(pilot)
    for _ in range(at - screen.index):
        await pilot.press("n")
    screen = await settled(pilot)
    assert screen.index == at
    return screen


async def test_key_6_opens_the_lesson_from_browse_and_from_tensors():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, BrowseScreen)
        screen = await open_lesson(pilot)
        assert screen.title == f"Lesson 1/{len(STEPS)} · {STEPS[0].title}"
        await pilot.press("2")
        assert isinstance(app.screen, TensorScreen)
        await pilot.press("6")
        assert app.screen is screen


async def test_next_and_back_by_letter_arrow_and_page_keys():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(pilot)
        for key, expected in [
            ("n", 1),
            ("right", 2),
            ("pagedown", 3),
            ("p", 2),
            ("left", 1),
            ("pageup", 0),
            ("p", 0),  # the first step stays the first
        ]:
            await pilot.press(key)
            assert screen.index == expected, key
        assert screen.title.startswith(f"Lesson 1/{len(STEPS)} · ")
        await pilot.press("g", *str(len(STEPS)), "enter", "n")
        assert screen.index == len(STEPS) - 1  # and the last stays the last


async def test_page_keys_move_from_inside_an_exercise_field_while_letters_are_typed():
    exercise = index_of(lambda step: step.exercise is not None)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(pilot, at=exercise)
        await pilot.press("a")
        field = screen.query_one("#exercise-input", Input)
        assert app.focused is field
        await pilot.press("n", "p", "left", "right")  # text and cursor keys belong to the field
        assert screen.index == exercise and field.value == "np"
        await pilot.press("pagedown")
        assert screen.index == exercise + 1
        await pilot.press("pageup")
        assert screen.index == exercise
        assert app.focused is field
        await pilot.press("escape", "n")  # Escape leaves the field; n moves again
        assert app.focused is None and screen.index == exercise + 1


async def test_g_then_a_number_and_enter_jumps_to_that_step():
    target = min(12, len(STEPS))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(pilot)
        await pilot.press("g")
        assert isinstance(app.screen, GoToStepScreen)
        await pilot.press(*str(target), "enter")
        assert app.screen is screen and screen.index == target - 1
        assert screen.title == f"Lesson {target}/{len(STEPS)} · {STEPS[target - 1].title}"
        # A number that is no step is refused in the prompt, in one line; Escape keeps the step.
        await pilot.press("g", "9", "9", "9", "enter")
        prompt = app.screen
        assert isinstance(prompt, GoToStepScreen)
        assert "'999' is not a step from 1" in str(prompt.query_one("#goto-error").render())
        await pilot.press("escape")
        assert app.screen is screen and screen.index == target - 1


async def test_the_step_reached_is_remembered_by_the_next_app(state_folder):
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot, at=3)
        await pilot.app.workers.wait_for_complete()  # the position is written on a thread
    assert load_position() == 3
    assert (state_folder / "lesson.json").exists()
    second = make_app("lesson")
    async with second.run_test(size=(80, 24)) as pilot:
        await wait_for_data(pilot)
        screen = await settled(pilot)
        assert screen.index == 3
        assert screen.title.startswith(f"Lesson 4/{len(STEPS)} · ")


async def walk_every_step(pilot) -> list[tuple[object, str]]:
    """n through the whole lesson: each step's computed value and the values box as shown."""
    screen = await open_lesson(pilot)
    seen = []
    for index, step in enumerate(STEPS):
        screen = await settled(pilot)
        assert screen.index == index
        assert screen.title == f"Lesson {index + 1}/{len(STEPS)} · {step.title}"
        outcome = screen.outcome
        assert not outcome.value.startswith("(could not compute"), (step.key, outcome.reason)
        if outcome.agrees is not True:
            assert outcome.reason, f"{step.key}: no reason why it cannot agree"
        seen.append((outcome, plain(screen.query_one("#lesson-values"))))
        await pilot.press("n")
    return seen


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_walk_through_every_step_on_synthetic_digits(size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        seen = await walk_every_step(pilot)
        assert len(seen) == len(STEPS) >= 10
        assert app.screen.has_class("wide") == (size[0] >= 100)
        assert not [n for n in notifications(app) if "Error" in n]


async def test_walk_through_every_step_on_real_mnist():
    app = make_app(dataset="mnist", data_dir=str(mnist_dir()))
    async with app.run_test(size=(80, 24)) as pilot:
        seen = await walk_every_step(pilot)
        assert not app.dataset.train.is_synthetic
        shown = [(outcome, values) for outcome, values in seen if values.strip() != HIDDEN]
        agreeing = [values for outcome, values in shown if outcome.agrees is True]
        assert agreeing, "on the real data some steps agree with the lecture"
        assert all("✓" in values for values in agreeing)
        assert all("✓" not in values for outcome, values in shown if outcome.agrees is not True)


async def test_an_exercise_hides_the_values_then_explains_a_wrong_and_a_right_guess():
    exercise = index_of(lambda step: step.exercise is not None)
    answer = STEPS[exercise].exercise.answer
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(pilot, at=exercise)
        values = screen.query_one("#lesson-values")
        assert plain(values).strip() == HIDDEN  # the computed value would give the answer away
        box = screen.query_one(ExerciseBox)
        await pilot.press("a", "enter")  # an empty guess reveals nothing
        assert box.verdict is None and plain(values).strip() == HIDDEN
        await pilot.press(*"12345", "enter")
        assert box.verdict is not None and not box.verdict.right and not box.settled
        verdict = plain(box.query_one("#exercise-verdict"))
        assert "Not quite" in verdict and "answer:" not in verdict  # a second try first
        assert box.verdict.why in verdict.replace("\n", " ") or box.verdict.why[:20] in verdict
        assert plain(values).strip() == HIDDEN
        box.query_one(Input).value = ""
        await pilot.press(*answer, "enter")
        assert box.verdict.right
        assert "Right" in plain(box.query_one("#exercise-verdict"))
        assert "lecture" in plain(values)  # the values show once the exercise is settled
        # Back and forth: the guess and its verdict are still there.
        await pilot.press("pagedown", "pageup")
        assert box.verdict.right and box.query_one(Input).value == answer


async def test_o_opens_browse_at_the_image_and_escape_returns_to_the_same_step():
    step = index_of(lambda s: s.opens is not None and s.opens.mode == "browse")
    opens = STEPS[step].opens
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(pilot, at=step)
        await pilot.press("o")
        browse = app.screen
        assert isinstance(browse, BrowseScreen)
        assert browse.split == "train" and browse.index == opens.index
        await pilot.press("right")  # the browser's own keys work there
        assert browse.index == opens.index + 1
        await pilot.press("escape")
        assert app.screen is screen and screen.index == step
        # Escape is the browser's own again once back: no return pending.
        assert app.lesson_return is None
        await pilot.press("1", "escape")
        assert app.screen is browse


async def test_o_opens_the_tensor_panel_with_the_expression_and_escape_returns():
    step = index_of(lambda s: s.opens is not None and s.opens.mode == "tensors")
    opens = STEPS[step].opens
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(pilot, at=step)
        await pilot.press("o")
        lab = app.screen
        assert isinstance(lab, TensorScreen) and lab.panel == opens.panel
        if opens.expression is not None:
            fields = lab.query_one(f"#{opens.panel}").query(Input)
            assert any(field.value == opens.expression for field in fields)
        await pilot.press("escape")
        assert app.screen is screen and screen.index == step


async def test_a_model_step_says_how_long_training_takes_and_t_trains_then_it_computes():
    step = index_of(lambda s: s.needs == "model")
    app = make_app(epochs=1, device="cpu")  # the estimate names the device: the same everywhere
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lesson(pilot, at=step)
        needs = screen.query_one("#lesson-needs")
        assert needs.display
        text = plain(needs)
        assert "press t to train" in text and "(1 epoch on cpu, about " in text
        assert " s here)" in text  # the estimate for this device
        await pilot.press("t")
        train = app.screen
        assert isinstance(train, TrainScreen)
        await wait_until(pilot, lambda: app.trained is not None and not train.running, 120)
        # The run is the app's current run, with its epochs: the lesson reads them there.
        assert app.trained.run_id is not None and len(app.trained.history) == 1
        await pilot.press("escape")
        assert app.screen is screen and screen.index == step
        screen = await settled(pilot)
        assert not screen.query_one("#lesson-needs").display
        assert screen.outcome.value != "(train first)"


async def test_after_a_restart_a_model_step_uses_the_newest_recorded_run(runs_folder):
    from core.runs import RunRecorder, RunStore
    from core.train import fit
    from tests.tiny import tiny_config

    with RunStore.open() as store:
        recorder = RunRecorder(store, "python")
        fit(tiny_config(epochs=1), record=recorder)
    step = index_of(lambda s: s.needs == "model")
    app = make_app(epochs=1, device="cpu")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lesson(pilot, at=step)
        await wait_until(pilot, lambda: app.trained is not None)
        assert app.trained.run_id == recorder.run_id and len(app.trained.history) == 1
        await wait_until(pilot, lambda: not screen.query_one("#lesson-needs").display)
        screen = await settled(pilot)
        assert screen.outcome.value != "(train first)"


async def test_help_lists_the_lesson_keys():
    # Help lists the keys that act now: a step with a screen to open and an exercise to answer.
    step = index_of(lambda s: s.opens is not None and s.exercise is not None)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot, at=step)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = " ".join(plain(widget) for widget in app.screen.query(Static))
        for words in [
            "n, →  ",
            "p, ←  ",
            "PgDn",
            "PgUp",
            "Next, also in a field",
            "Go to",
            "Open",
            "Answer",
            "Reveal",
            "Lesson",  # "Back to lesson" acts, and is listed, only on a screen a step opened
        ]:
            assert words in listed, words


async def test_o_opens_train_and_escape_returns_while_escape_elsewhere_stays_the_screens():
    step = index_of(lambda s: s.opens is not None and s.opens.mode == "train")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lesson(pilot, at=step)
        await pilot.press("o")
        train = app.screen
        assert isinstance(train, TrainScreen) and app.lesson_return is train
        await pilot.press("question_mark")  # a modal on top keeps its own Escape
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.screen is train
        await pilot.press("escape")
        assert app.screen is screen and screen.index == step


async def test_every_step_that_opens_a_screen_opens_it_and_escape_comes_back():
    modes = {"browse": BrowseScreen, "tensors": TensorScreen, "train": TrainScreen}
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lesson(pilot)
        for index, step in enumerate(STEPS):
            if step.opens is None:
                continue
            screen.index = index
            await pilot.press("o")
            await pilot.pause()
            assert app.screen is not screen and app.current_mode == step.opens.mode, step.key
            if step.opens.mode in modes:
                assert isinstance(app.screen, modes[step.opens.mode])
            if step.opens.panel is not None:
                assert app.screen.panel == step.opens.panel, step.key
            await pilot.press("escape")
            assert app.screen is screen and screen.index == index, step.key
        assert not [n for n in notifications(app) if "Error" in n]
