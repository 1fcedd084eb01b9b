"""What a lesson step is made of: the step, its computed outcome, its exercise, what it opens.

Plain frozen dataclasses, no torch and no Textual: `mnist-tui lesson --list` reads the titles
without paying for either, and the Lesson screen (tui/) draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from core.lesson.answers import MAX_ANSWER, check_answer, kind_of

if TYPE_CHECKING:
    import torch

    from core.data import Split


@dataclass(frozen=True)
class Outcome:
    """The value computed now, and whether it agrees with what the lecture printed."""

    value: str  # formatted the way the lecture prints it
    agrees: bool | None  # True: matches (✓); False: differs; None: cannot be compared
    # One line whenever agrees is not True; also set when True if the match is within a
    # tolerance rather than exact (it then says which tolerance).
    reason: str | None = None


class PropertyCheck(Protocol):
    """Checks an answer by running it (core.lesson.puzzles.Puzzle), not by reading it."""

    def check(self, given: str, why: str) -> tuple[bool, str]: ...


@dataclass(frozen=True)
class Exercise:
    """A guess the lecture invites: a question, its answer, and what common wrong answers miss."""

    question: str  # "Predict the shape of train_images[:, 7:-7, 7:-7]"
    answer: str  # canonical: "(60000, 14, 14)", "106168320", "(a, b, c, e)", "error"
    hint: str = ""  # "write a tuple: (a, b, c)"
    why: str = ""  # said after a right answer: why it is right
    # Wrong answers people give, each with what it gets wrong (normalised as answers are).
    mistakes: tuple[tuple[str, str], ...] = ()
    accept: tuple[str, ...] = ()  # other right forms that normalising alone would not reach
    # number, shape, vector, choice or puzzle (answers.KINDS); "" reads it off the answer:
    # a tuple is a shape, a count a number, a word a choice.
    kind: str = ""
    puzzle: PropertyCheck | None = None  # a puzzle's answer is run on inputs, not read

    def check(self, given: str) -> tuple[bool, str]:
        """(right?, one or two sentences: why it is right, or what the given answer misses)."""
        if self.puzzle is not None and given.strip() and len(given) <= MAX_ANSWER:
            right, said = self.puzzle.check(given.strip(), self.why)
            return right, said if right else f"{said} Hint: {self.hint}."
        return check_answer(self, given)

    @property
    def form(self) -> str:
        """Which kind of answer it takes (answers.KINDS)."""
        return kind_of(self)


@dataclass(frozen=True)
class Opens:
    """The screen (or Tensors panel) a step can open, with what to show there."""

    mode: Literal["browse", "tensors", "train", "evaluate"]
    label: str  # for the key hint: "Browse at image 10"
    index: int | None = None  # browse: the train image to select
    panel: str | None = None  # tensors: the panel's id (tui/screens/tensors.py PANELS)
    expression: str | None = None  # tensors: the text for that panel's input


@dataclass(frozen=True)
class LessonContext:
    """What a step computes from: the loaded splits, and the trained model if there is one."""

    train: Split  # as loaded: may be synthetic or Fashion-MNIST (steps then say so)
    test: Split
    model: torch.nn.Module | None = None  # the trained SimpleNN, if any
    epochs: tuple = ()  # the last run's core.events.EpochEnd events, in order
    device: str = "cpu"  # resolved torch device string of the last/next run
    seconds_per_epoch: float | None = None  # estimate for this device (training_estimate)


@dataclass(frozen=True)
class Step:
    """One lecture item: our explanation, runnable code, the lecture's value and ours."""

    key: str  # stable slug: "train-image-10"
    title: str  # fits "Lesson k/N · <title>" at 80 columns (<= 48 characters)
    explanation: str  # plain text in our words; paragraphs separated by blank lines
    code: str  # runs in snippet.namespace(ctx): train_images, train_labels, ..., model
    lecture: str | None  # what the lecture printed (None when it printed nothing)
    needs: Literal["none", "data", "model"]  # "model": needs a trained network
    compute: Callable[[LessonContext], Outcome]  # fast (< ~1 s on CPU) unless it says
    exercise: Exercise | None = None
    opens: Opens | None = None
    digit_index: int | None = None  # a train image to draw beside the step
    picture: Callable[[LessonContext], str] | None = None  # an extra text drawing
    # Paragraphs that would give the exercise away: shown once it is answered or given up.
    after: str = ""
    code_reveals: bool = False  # the code itself gives the answer: hidden until then too
    quiz: tuple[Exercise, ...] = ()  # more exercises after the first (the review's quiz)

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        """Every exercise of the step, in order: `lesson --check STEP.K` numbers them from 1."""
        return ((self.exercise,) if self.exercise is not None else ()) + self.quiz
