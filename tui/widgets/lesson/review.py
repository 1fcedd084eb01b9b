"""The review step's own text: the score, the exercises missed, and the reading assigned."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from core.lesson import Progress, Step

MAX_LISTED = 8  # missed exercises named; the rest are counted (m goes through them all)


def review_text(progress: Progress, steps: Sequence[Step]) -> Text:
    from core.lesson.progress import all_exercises
    from core.lesson.review import READING

    total = len(all_exercises(steps))
    text = Text.assemble(
        ("Score: ", "bold"),
        f"{progress.right(steps)} of {total} exercises right, ",
        f"{len(progress.seen & {s.key for s in steps})} of {len(steps)} steps seen.",
    )
    missed = progress.missed(steps)
    if missed:
        text.append("\n\nMissed (m asks the first again):", style="bold")
        for index, k, _id, exercise in missed[:MAX_LISTED]:
            where = f"step {index + 1}" + (f", question {k + 1}" if k else "")
            text.append(f"\n  {where}: {exercise.question}")
        if len(missed) > MAX_LISTED:
            text.append(f"\n  and {len(missed) - MAX_LISTED} more")
    else:
        text.append("\n\nNothing missed so far.", style="dim")
    text.append("\n\nReading: ", style="bold")
    text.append(READING)
    return text
