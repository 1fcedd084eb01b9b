"""Exercises under Pilot: a hint and a second try, the answer after two misses or on request,
the score and the steps seen kept across a restart, and the Review step at the end."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from core.lesson import STEPS, load_progress
from tests.test_lesson_screen import index_of, open_lesson, settled
from tests.tui_helpers import make_app, notifications, plain, wait_for_data, wait_until
from tui.screens.lesson import CODE_HIDDEN, HIDDEN
from tui.widgets.lesson.exercise import ExerciseBox

pytestmark = pytest.mark.slow(reason="walks the lesson in the app, computing its steps")

VIDEO = index_of(lambda step: step.key == "video")
RESHAPE_ERROR = index_of(lambda step: step.key == "reshape-error")
REVIEW = len(STEPS) - 1


@pytest.fixture(autouse=True)
def state_folder(tmp_path, monkeypatch):
    folder = tmp_path / "state"
    monkeypatch.setenv("MNIST_TUI_STATE", str(folder))
    return folder


async def go_to(pilot, index: int):
    await pilot.press("g", *str(index + 1), "enter")
    screen = await settled(pilot)
    assert screen.index == index
    return screen


async def guess(pilot, box: ExerciseBox, text: str) -> str:
    field = box.query_one(Input)
    field.value = ""
    if pilot.app.focused is not field:  # a, pressed in the field, would be typed
        await pilot.press("a")
    await pilot.press(*text, "enter")
    return plain(box.query_one("#exercise-verdict"))


async def test_a_wrong_guess_gets_a_hint_and_a_second_try_then_the_answer():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(pilot)
        screen = await go_to(pilot, VIDEO)
        box = screen.query_one(ExerciseBox)
        said = await guess(pilot, box, "424,673,280 values")
        assert "bytes" in said and "One more try" in said and "answer:" not in said
        assert plain(screen.query_one("#lesson-values")).strip() == HIDDEN
        assert "106,168,320" not in plain(screen.query_one("#lesson-explanation"))
        said = await guess(pilot, box, "10")
        assert "too small" in said and "answer: 106168320" in said
        assert box.settled and box.attempt.verdict == "missed"
        assert "106,168,320 values" in plain(screen.query_one("#lesson-explanation"))
        assert plain(screen.query_one("#lesson-values")).strip() != HIDDEN


async def test_r_shows_the_answer_and_the_code_that_would_have_given_it_away():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot)
        screen = await go_to(pilot, RESHAPE_ERROR)
        assert plain(screen.query_one("#lesson-code")).strip() == CODE_HIDDEN
        box = screen.query_one(ExerciseBox)
        said = await guess(pilot, box, "yes")
        assert "12 values" in said and "One more try" in said
        await pilot.press("escape", "r")
        assert box.attempt.verdict == "revealed"
        assert "answer: no" in plain(box.query_one("#exercise-verdict"))
        assert "ValueError" in plain(screen.query_one("#lesson-code"))


async def test_verdicts_and_steps_seen_survive_a_restart_on_the_progress_line():
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot)
        screen = await go_to(pilot, VIDEO)
        await guess(pilot, screen.query_one(ExerciseBox), "4 x 240 x 144 x 256 x 3")
        assert "1 of " in plain(screen.query_one("#lesson-progress"))
        await pilot.app.workers.wait_for_complete()
    progress, notice = load_progress()
    assert notice is None and progress.verdicts == {"video": "right"} and progress.step == VIDEO
    second = make_app("lesson")
    async with second.run_test(size=(80, 24)) as pilot:
        await wait_for_data(pilot)
        screen = await settled(pilot)
        line = plain(screen.query_one("#lesson-progress"))
        assert f"seen 2 of {len(STEPS)} steps · 1 of " in line and "exercises right" in line
        box = screen.query_one(ExerciseBox)
        assert box.settled and "Right last time" in plain(box.query_one("#exercise-verdict"))


async def test_a_damaged_score_keeps_the_step_with_a_one_line_notice(state_folder):
    state_folder.mkdir()
    (state_folder / "lesson.json").write_text(
        '{"step": 2, "version": 2, "seen": 5, "verdicts": {}}'
    )
    app = make_app("lesson")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_data(pilot)
        screen = await settled(pilot)
        assert screen.index == 2
        await wait_until(pilot, lambda: any("damaged score" in n for n in notifications(app)))
        (notice,) = [n for n in notifications(app) if "damaged score" in n]
        assert "\n" not in notice and notice.endswith("; starting fresh")


async def test_n_on_the_last_lecture_step_goes_to_the_review_and_m_retries_a_missed_one():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot)
        screen = await go_to(pilot, VIDEO)
        await pilot.press("r", "escape")  # given up: a missed exercise
        await go_to(pilot, REVIEW - 1)
        await pilot.press("n")
        screen = await settled(pilot)
        assert screen.index == REVIEW and screen.step.key == "review"
        text = plain(screen.query_one("#lesson-explanation"))
        assert "Score: 0 of " in text and "Missed" in text and f"step {VIDEO + 1}:" in text
        assert "Dive into Deep Learning" in text
        await pilot.press("escape", "m")
        assert screen.index == VIDEO
        box = screen.query_one(ExerciseBox)
        assert not box.settled and app.focused is box.query_one(Input)
        await pilot.press(*"106168320", "enter")
        assert box.attempt.verdict == "right"
        assert "1 of " in plain(screen.query_one("#lesson-progress"))


async def test_the_review_quiz_asks_its_questions_one_after_another():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot)
        screen = await go_to(pilot, REVIEW)
        box = screen.query_one(ExerciseBox)
        quiz = STEPS[REVIEW].exercises
        assert box.border_title == f"question 1 of {len(quiz)}"
        said = await guess(pilot, box, "60,000 + 10,000")
        assert "Right" in said and "Enter: the next question" in said
        await pilot.press("enter")
        assert box.border_title == f"question 2 of {len(quiz)}"
        assert plain(box.query_one("#exercise-question")).strip() == quiz[1].question
        await pilot.press(*"64 x 784", "enter")
        assert box.attempt.verdict == "right"
        assert "2 of " in plain(screen.query_one("#lesson-progress"))


async def test_a_puzzle_is_run_on_inputs_and_a_hard_coded_size_is_caught():
    puzzles = index_of(lambda step: step.key == "puzzles")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot)
        screen = await go_to(pilot, puzzles)
        box = screen.query_one(ExerciseBox)
        said = await guess(pilot, box, "x[:, 7]")
        assert "Right on (6, 8), but on a (5, 9) input" in said and not box.settled
        said = await guess(pilot, box, "x[..., -1]")
        assert "Right" in said and box.attempt.verdict == "right"
        await pilot.press("enter")
        assert box.border_title == f"question 2 of {len(STEPS[puzzles].exercises)}"
