"""The lesson for scripts and teachers: its exercises listed as data, and answers checked.

`mnist-tui lesson --list --json` prints listing(); `mnist-tui lesson --check STEP[.K] ANSWER...`
runs check_answers(). No torch and no data: every answer is the lecture's own shape, count or
word (the steps' computed values confirm them), so both start in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.lesson.types import Exercise, Step


class TargetError(ValueError):
    """STEP[.K] names no exercise: the one-line reason."""


def listing(steps: Sequence[Step]) -> list[dict]:
    """Every step, numbered from 1, with its exercises' questions and the kind each takes."""
    return [
        {
            "step": number,
            "title": step.title,
            "exercises": [
                {"question": exercise.question, "kind": exercise.form}
                for exercise in step.exercises
            ],
        }
        for number, step in enumerate(steps, start=1)
    ]


def find_exercise(steps: Sequence[Step], target: str) -> Exercise:
    """The exercise STEP or STEP.K names (K from 1; STEP alone is its first exercise)."""
    number, _, which = target.strip().partition(".")
    if not number.isdigit() or (which and not which.isdigit()):
        raise TargetError(f"{target!r} is not a step number such as 21 or 34.2")
    if not 1 <= int(number) <= len(steps):
        raise TargetError(f"there is no step {int(number)}: the lesson has steps 1 to {len(steps)}")
    step = steps[int(number) - 1]
    exercises = step.exercises
    if not exercises:
        raise TargetError(f"step {int(number)} ({step.title}) has no exercise")
    k = int(which) if which else 1
    if not 1 <= k <= len(exercises):
        count = "1 exercise" if len(exercises) == 1 else f"{len(exercises)} exercises"
        raise TargetError(f"step {int(number)} has {count}; there is no exercise {k}")
    return exercises[k - 1]


def check_answers(exercise: Exercise, answers: Sequence[str]) -> tuple[list[str], bool]:
    """One line per answer, `right: ...` or `wrong: ...` with the feedback; and if all were."""
    lines, all_right = [], True
    for given in answers:
        right, feedback = exercise.check(given)
        all_right &= right
        lines.append(f"{'right' if right else 'wrong'}: {' '.join(feedback.split())}")
    return lines, all_right
