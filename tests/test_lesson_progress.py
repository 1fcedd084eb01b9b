"""The lesson's progress kept between sessions: the step, the steps seen, each verdict, the score;
an old or damaged file starts the score afresh with a one-line notice, never an exception."""

from __future__ import annotations

import json

import pytest

from core import lesson
from core.lesson import STEPS, Progress
from core.lesson.progress import all_exercises


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_TUI_STATE", str(tmp_path / "state"))
    return tmp_path / "state"


def test_verdicts_and_steps_seen_are_read_back_as_saved():
    progress = Progress(5, {"device", "video"}, {"video": "right", "transpose": "missed"})
    lesson.save_progress(progress)
    read, notice = lesson.load_progress()
    assert notice is None
    assert (read.step, read.seen, read.verdicts) == (5, progress.seen, progress.verdicts)


def test_the_summary_counts_steps_seen_and_exercises_right_of_all():
    progress = Progress(
        0, {"device", "video", "gone-step"}, {"video": "right", "review.3": "right"}
    )
    progress.verdicts["transpose"] = "revealed"
    total = len(all_exercises(STEPS))
    assert total >= len(STEPS[-1].exercises) + 20
    line = progress.summary(STEPS)
    assert line == f"seen 2 of {len(STEPS)} steps · 2 of {total} exercises right · 1 missed"


def test_missed_lists_twice_wrong_and_revealed_exercises_in_the_lessons_order():
    progress = Progress(verdicts={"review.2": "missed", "video": "revealed", "labels": "right"})
    missed = [(index, k, exercise_id) for index, k, exercise_id, _ in progress.missed(STEPS)]
    video = next(i for i, step in enumerate(STEPS) if step.key == "video")
    assert missed == [(video, 0, "video"), (len(STEPS) - 1, 1, "review.2")]


def test_saving_the_position_keeps_the_verdicts():
    lesson.save_progress(Progress(2, {"device"}, {"labels": "right"}))
    lesson.save_position(4)
    read, _ = lesson.load_progress()
    assert read.step == 4 and read.verdicts == {"labels": "right"}


def test_a_file_from_before_verdicts_keeps_its_step_quietly(state_dir):
    # It never held a score, so nothing is lost: an upgrade is no warning on every start.
    state_dir.mkdir()
    (state_dir / "lesson.json").write_text('{"step": 3}')
    read, notice = lesson.load_progress()
    assert read.step == 3 and read.verdicts == {} and read.seen == set()
    assert notice is None


@pytest.mark.parametrize(
    "saved",
    [
        {"version": 2, "step": 1, "seen": "device", "verdicts": {}},
        {"version": 2, "step": 1, "seen": [], "verdicts": {"video": "maybe"}},
        {"version": 2, "step": 1, "seen": [3], "verdicts": {}},
        {"version": 2, "step": 1, "seen": [], "verdicts": []},
    ],
)
def test_a_damaged_score_starts_afresh_with_a_notice(state_dir, saved):
    state_dir.mkdir()
    (state_dir / "lesson.json").write_text(json.dumps(saved))
    read, notice = lesson.load_progress()
    assert read.verdicts == {} and read.step == 1
    assert notice is not None and "damaged score" in notice


def test_a_corrupt_file_starts_afresh_with_a_notice(state_dir):
    state_dir.mkdir()
    (state_dir / "lesson.json").write_bytes(b"{not json")
    read, notice = lesson.load_progress()
    assert (read.step, read.verdicts) == (0, {})
    assert notice is not None and "\n" not in notice


def test_the_review_is_the_last_step_with_a_quiz_of_at_least_8_and_the_reading():
    from core.lesson.review import READING

    review = STEPS[-1]
    assert review.key == "review" and len(review.exercises) >= 8
    assert "Dive into Deep Learning" in READING and "2.1" in READING and "2.3" in READING
    lesson_questions = {s.exercise.question for s in STEPS[:-1] if s.exercise is not None}
    assert not lesson_questions & {e.question for e in review.exercises}  # new questions
    assert {e.form for e in review.exercises} >= {"number", "shape", "vector", "choice"}


def test_the_screen_names_the_review_step_as_the_lesson_does():
    # Spelled twice so that the screen's module does not import the steps at start-up.
    from core.lesson.review import REVIEW_KEY
    from tui.screens import lesson as screen

    assert screen.REVIEW_KEY == REVIEW_KEY
