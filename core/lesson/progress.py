"""How far a learner got: the step reached, the steps seen, and each exercise's verdict.

Plain data, kept by position.py between sessions. An exercise is named by its step's key,
with `.K` after it for the K-th exercise of a step that has several (the review's quiz), so a
verdict survives steps being added or reordered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from core.lesson.types import Exercise, Step

Verdict = Literal["right", "missed", "revealed"]
VERDICTS: tuple[str, ...] = ("right", "missed", "revealed")
TRIES = 2  # a wrong guess gets a hint and one more try; the answer shows after the second


def exercise_id(step_key: str, k: int) -> str:
    """k counts from 0: the first exercise is the step's key itself, the next `key.2`."""
    return step_key if k == 0 else f"{step_key}.{k + 1}"


def all_exercises(steps: Sequence[Step]) -> list[tuple[int, int, str, Exercise]]:
    """(step index, k, exercise id, exercise) for every exercise of the lesson, in order."""
    return [
        (index, k, exercise_id(step.key, k), exercise)
        for index, step in enumerate(steps)
        for k, exercise in enumerate(step.exercises)
    ]


@dataclass
class Progress:
    step: int = 0
    seen: set[str] = field(default_factory=set)  # step keys
    verdicts: dict[str, Verdict] = field(default_factory=dict)  # by exercise id

    def right(self, steps: Sequence[Step]) -> int:
        ids = {id_ for _, _, id_, _ in all_exercises(steps)}
        return sum(1 for id_, v in self.verdicts.items() if v == "right" and id_ in ids)

    def missed(self, steps: Sequence[Step]) -> list[tuple[int, int, str, Exercise]]:
        """The exercises answered wrongly twice or given up, in the lesson's order."""
        return [
            entry
            for entry in all_exercises(steps)
            if self.verdicts.get(entry[2]) in ("missed", "revealed")
        ]

    def summary(self, steps: Sequence[Step]) -> str:
        """The progress line: steps seen, exercises right of all, and how many were missed."""
        keys = {step.key for step in steps}
        seen = len(self.seen & keys)
        total = len(all_exercises(steps))
        missed = len(self.missed(steps))
        line = f"seen {seen} of {len(steps)} steps · {self.right(steps)} of {total} exercises right"
        return line + (f" · {missed} missed" if missed else "")

    def as_json(self) -> dict:
        return {
            "version": 2,
            "step": int(self.step),
            "seen": sorted(self.seen),
            "verdicts": dict(sorted(self.verdicts.items())),
        }
