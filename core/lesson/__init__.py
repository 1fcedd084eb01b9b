"""Lesson mode's content: the lecture's items in order, each computed live on the loaded data.

Headless (no Textual; torch only inside the steps that need it). The Lesson screen in tui/
draws a Step: its explanation, its code, what the lecture printed and what the code prints
now, with an exercise and a screen to open where the step has them.
"""

from core.lesson.data_tensors import STEPS_RANK, STEPS_REAL
from core.lesson.estimate import describe_estimate, training_estimate
from core.lesson.first_look import STEPS as FIRST_LOOK
from core.lesson.geometry import STEPS as GEOMETRY
from core.lesson.network import STEPS as NETWORK
from core.lesson.operations import STEPS as OPERATIONS
from core.lesson.position import read_position, write_position
from core.lesson.slicing import STEPS as SLICING
from core.lesson.snippet import PREAMBLE
from core.lesson.types import Exercise, LessonContext, Opens, Outcome, Step

STEPS: tuple[Step, ...] = (
    FIRST_LOOK + NETWORK + STEPS_RANK + SLICING + STEPS_REAL + OPERATIONS + GEOMETRY
)


def titles() -> list[str]:
    """The steps' titles, in order: what `mnist-tui lesson --list` prints."""
    return [step.title for step in STEPS]


def load_position() -> int:
    """The step reached last session, as an index into STEPS (0 if none or unreadable)."""
    return read_position(len(STEPS))


def save_position(k: int) -> None:
    """Remember step k for the next session (silently skipped if the folder is not writable)."""
    write_position(max(0, min(int(k), len(STEPS) - 1)))


__all__ = [
    "PREAMBLE",
    "STEPS",
    "Exercise",
    "LessonContext",
    "Opens",
    "Outcome",
    "Step",
    "describe_estimate",
    "load_position",
    "save_position",
    "titles",
    "training_estimate",
]
