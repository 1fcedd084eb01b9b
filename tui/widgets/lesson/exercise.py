"""An exercise: a question, a field for the guess, and the verdict once Enter checks it.

A wrong guess gets what it misses and a hint, and one more try; the answer shows after the
second miss, or at once on request (r). A step with several exercises (the review's quiz)
asks them one at a time: Enter after a verdict moves to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from core.lesson.progress import TRIES, Verdict, exercise_id

if TYPE_CHECKING:
    from core.lesson import Exercise, Step


@dataclass(frozen=True)
class Answer:
    """What was typed for one exercise, and what the check said about it."""

    given: str
    right: bool
    why: str


@dataclass
class Attempt:
    """One exercise's guesses this session, and its verdict once it is settled."""

    answers: list[Answer] = field(default_factory=list)
    verdict: Verdict | None = None  # right, missed (twice wrong) or revealed; None: still open

    @property
    def misses(self) -> int:
        return sum(1 for answer in self.answers if not answer.right)


class ExerciseBox(Vertical):
    """Guess first, then see: the answer stays hidden until the exercise is settled."""

    DEFAULT_CSS = """
    ExerciseBox { height: auto; border: round $warning; border-title-color: $warning;
                  padding: 0 1; margin-top: 1; }
    ExerciseBox #exercise-question { height: auto; }
    ExerciseBox #exercise-row { height: 1; }
    ExerciseBox #exercise-prompt { width: auto; color: $warning; }
    ExerciseBox #exercise-verdict { height: auto; }
    """

    @dataclass
    class Checked(Message):
        """A guess was checked, or the answer revealed: verdict is set once it is settled."""

        exercise_id: str
        verdict: Verdict | None

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "your guess"
        self.step_key = ""
        self.exercises: tuple[Exercise, ...] = ()
        self.current = 0  # which of the step's exercises is asked
        # Every exercise's attempt, by exercise id: coming back to a step shows what was said.
        self.attempts: dict[str, Attempt] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="exercise-question")
        with Horizontal(id="exercise-row"):
            yield Static("guess: ", id="exercise-prompt")
            yield Input(placeholder="a: type here, Enter checks", compact=True, id="exercise-input")
        yield Static(id="exercise-verdict")

    # What is asked -----------------------------------------------------------------------

    def remember(self, verdicts: dict[str, Verdict]) -> None:
        """Verdicts from an earlier session: those exercises show as settled, with the answer."""
        for key, verdict in verdicts.items():
            self.attempts.setdefault(key, Attempt(verdict=verdict))

    def show(self, step: Step) -> None:
        """Show this step's exercises (or hide the box), at the first one still open."""
        self.display = bool(step.exercises)
        if not step.exercises or (step.key == self.step_key and step.exercises == self.exercises):
            return
        self.step_key, self.exercises = step.key, step.exercises
        open_ones = [k for k in range(len(self.exercises)) if not self.settled_at(k)]
        self.ask(open_ones[0] if open_ones else 0)

    def ask(self, k: int) -> None:
        self.current = k
        exercise = self.exercises[k]
        count = len(self.exercises)
        self.border_title = "your guess" if count == 1 else f"question {k + 1} of {count}"
        self.query_one("#exercise-question", Static).update(Text(exercise.question, "bold"))
        attempt = self.attempts.get(self.exercise_id)
        last = attempt.answers[-1] if attempt and attempt.answers else None
        self.query_one("#exercise-input", Input).value = last.given if last else ""
        self.show_verdict()

    @property
    def exercise(self) -> Exercise | None:
        return self.exercises[self.current] if self.exercises else None

    @property
    def exercise_id(self) -> str:
        return exercise_id(self.step_key, self.current)

    def id_at(self, k: int) -> str:
        return exercise_id(self.step_key, k)

    def settled_at(self, k: int) -> bool:
        attempt = self.attempts.get(self.id_at(k))
        return attempt is not None and attempt.verdict is not None

    @property
    def attempt(self) -> Attempt | None:
        return self.attempts.get(self.exercise_id)

    @property
    def verdict(self) -> Answer | None:
        """The last checked guess of the exercise asked, if any."""
        attempt = self.attempt
        return attempt.answers[-1] if attempt and attempt.answers else None

    @property
    def settled(self) -> bool:
        """The exercise asked is right, missed twice or revealed: its answer may show."""
        attempt = self.attempt
        return attempt is not None and attempt.verdict is not None

    # Guessing ----------------------------------------------------------------------------

    @on(Input.Submitted, "#exercise-input")
    def check(self, event: Input.Submitted) -> None:
        event.stop()
        exercise = self.exercise
        if exercise is None:
            return
        if self.settled:  # Enter after a verdict: the next question, if the step has one
            self.next_question()
            return
        given = event.value.strip()
        if not given:  # an empty Enter is not a guess: the answer stays hidden
            verdict = self.query_one("#exercise-verdict", Static)
            verdict.display = True
            verdict.update(Text("Type a guess first; the answer shows once it is checked.", "dim"))
            return
        right, why = exercise.check(given)
        attempt = self.attempts.setdefault(self.exercise_id, Attempt())
        attempt.answers.append(Answer(given, right, why))
        if right:
            attempt.verdict = "right"
        elif attempt.misses >= TRIES:
            attempt.verdict = "missed"
        self.show_verdict()
        self.post_message(self.Checked(self.exercise_id, attempt.verdict))

    def next_question(self) -> None:
        later = [k for k in range(self.current + 1, len(self.exercises)) if not self.settled_at(k)]
        if later:
            self.ask(later[0])
            self.query_one("#exercise-input", Input).focus()

    def reveal(self) -> None:
        """Show the answer without guessing further (for reading the lesson straight through)."""
        if self.exercise is None or self.settled:
            return
        attempt = self.attempts.setdefault(self.exercise_id, Attempt())
        attempt.verdict = "revealed"
        self.show_verdict()
        self.post_message(self.Checked(self.exercise_id, "revealed"))

    def retry(self, exercise_id_: str) -> None:
        """Forget an exercise's guesses and ask it again (from the review's missed list)."""
        self.attempts.pop(exercise_id_, None)
        for k in range(len(self.exercises)):
            if self.id_at(k) == exercise_id_:
                self.ask(k)

    # The verdict -------------------------------------------------------------------------

    def show_verdict(self) -> None:
        verdict = self.query_one("#exercise-verdict", Static)
        attempt, exercise = self.attempt, self.exercise
        verdict.display = attempt is not None and exercise is not None
        if attempt is None or exercise is None:
            return
        verdict.update(verdict_text(attempt, exercise, self.has_next()))

    def has_next(self) -> bool:
        return any(not self.settled_at(k) for k in range(self.current + 1, len(self.exercises)))


def verdict_text(attempt: Attempt, exercise: Exercise, has_next: bool) -> Text:
    last = attempt.answers[-1] if attempt.answers else None
    if attempt.verdict is None:  # a first miss: what it misses, a hint, one more try
        assert last is not None
        text = Text.assemble(("✗ Not quite. ", "bold red"), last.why)
        if exercise.hint and exercise.hint not in last.why:
            text.append(" ")
            text.append(f"Hint: {exercise.hint}.", style="italic")
        text.append("\nOne more try; r shows the answer.", style="dim")
        return text
    if attempt.verdict == "revealed":
        text = Text("Shown without a right guess.", style="dim")
    elif last is None:  # settled in an earlier session
        said = "Right" if attempt.verdict == "right" else "Missed"
        text = Text(f"{said} last time.", style="dim")
    elif last.right:
        text = Text.assemble(("✓ Right. ", "bold green"), last.why)
    else:
        text = Text.assemble(("✗ Not quite, twice. ", "bold red"), last.why)
    text.append("\nanswer: ", style="dim")
    text.append(exercise.answer, style="bold")
    if has_next:
        text.append("\nEnter: the next question.", style="dim")
    return text
