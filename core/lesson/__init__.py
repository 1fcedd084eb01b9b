"""Lesson mode's content: the lecture's items in order, each computed live on the loaded data.

Headless (no Textual; torch only inside the steps that need it). The Lesson screen in tui/
draws a Step: its explanation, its code, what the lecture printed and what the code prints
now, with an exercise and a screen to open where the step has them.
"""

from functools import cache

from core.lesson.estimate import describe_estimate, training_estimate
from core.lesson.position import read_progress, write_progress
from core.lesson.progress import Progress
from core.lesson.snippet import PREAMBLE
from core.lesson.types import Exercise, LessonContext, Opens, Outcome, Step


@cache
def all_steps() -> tuple[Step, ...]:
    """The steps in the lecture's order, their modules imported on first use: the app reads
    its saved position (core.lesson.position) at start-up without paying for them."""
    from core.lesson.break_it import STEPS as BREAK_IT
    from core.lesson.data_tensors import STEPS_RANK, STEPS_REAL
    from core.lesson.first_look import STEPS as FIRST_LOOK
    from core.lesson.geometry import STEPS as GEOMETRY
    from core.lesson.network import STEPS as NETWORK
    from core.lesson.operations import STEPS as OPERATIONS
    from core.lesson.puzzles import PUZZLES_STEP
    from core.lesson.review import REVIEW
    from core.lesson.slicing import STEPS as SLICING
    from core.lesson.watch import WATCH
    from core.lesson.why import STEPS as WHY

    return (
        FIRST_LOOK
        + NETWORK
        # Short real runs, on request: watch it learn, then break it. Before the why: a
        # learner predicts what lr 1.0 does before the learning-rate step shows it.
        + (WATCH, *BREAK_IT)
        + WHY
        + STEPS_RANK
        + SLICING
        + STEPS_REAL
        + OPERATIONS
        + GEOMETRY
        + (PUZZLES_STEP, REVIEW)
    )


def __getattr__(name: str) -> tuple[Step, ...]:
    """`core.lesson.STEPS`, built on first use (PEP 562)."""
    if name == "STEPS":
        return all_steps()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def titles() -> list[str]:
    """The steps' titles, in order: what `mnist-tui lesson --list` prints."""
    return [step.title for step in all_steps()]


def load_position() -> int:
    """The step reached last session, as an index into STEPS (0 if none or unreadable)."""
    return read_progress(len(all_steps()))[0].step


def load_progress() -> tuple[Progress, str | None]:
    """The progress saved last session, and a one-line notice when it could not be used."""
    return read_progress(len(all_steps()))


def save_progress(progress: Progress) -> None:
    """Remember the progress for the next session (skipped if the folder is not writable)."""
    progress.step = max(0, min(int(progress.step), len(all_steps()) - 1))
    write_progress(progress)


def save_position(k: int) -> None:
    """Remember step k for the next session, keeping the verdicts saved with it."""
    progress, _ = load_progress()
    progress.step = k
    save_progress(progress)


__all__ = [
    "PREAMBLE",
    "STEPS",
    "Exercise",
    "LessonContext",
    "Opens",
    "Outcome",
    "Progress",
    "Step",
    "all_steps",
    "describe_estimate",
    "load_position",
    "load_progress",
    "save_position",
    "save_progress",
    "titles",
    "training_estimate",
]
