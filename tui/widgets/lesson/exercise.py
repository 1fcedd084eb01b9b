"""An exercise: a question, a field for the guess, and the verdict once Enter checks it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

if TYPE_CHECKING:
    from core.lesson import Exercise


@dataclass(frozen=True)
class Answer:
    """What was typed for one exercise, and what the check said about it."""

    given: str  # "" when the answer was revealed without a guess
    right: bool
    why: str


class ExerciseBox(Vertical):
    """Guess first, then see: the answer stays hidden until a guess is checked."""

    DEFAULT_CSS = """
    ExerciseBox { height: auto; border: round $warning; border-title-color: $warning;
                  padding: 0 1; margin-top: 1; }
    ExerciseBox #exercise-question { height: auto; }
    ExerciseBox #exercise-row { height: 1; }
    ExerciseBox #exercise-prompt { width: auto; color: $warning; }
    ExerciseBox #exercise-verdict { height: auto; }
    """

    class Checked(Message):
        """A guess was checked: the answer may now be shown elsewhere too (the step's values)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "your guess"
        self.exercise: Exercise | None = None
        self.key = ""
        # Every checked guess, by step key: coming back to a step shows what was said.
        self.answers: dict[str, Answer] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="exercise-question")
        with Horizontal(id="exercise-row"):
            yield Static("guess: ", id="exercise-prompt")
            yield Input(placeholder="a: type here, Enter checks", compact=True, id="exercise-input")
        yield Static(id="exercise-verdict")

    def show(self, key: str, exercise: Exercise | None) -> None:
        """Show this step's exercise (or hide the box), with its earlier answer if any."""
        self.display = exercise is not None
        if exercise is None or (key == self.key and exercise is self.exercise):
            return
        self.key, self.exercise = key, exercise
        question = Text(exercise.question, style="bold")
        if exercise.hint:
            question.append(f"\n{exercise.hint}", style="dim")
        self.query_one("#exercise-question", Static).update(question)
        answer = self.answers.get(key)
        self.query_one("#exercise-input", Input).value = answer.given if answer else ""
        self.show_verdict(answer)

    @property
    def verdict(self) -> Answer | None:
        return self.answers.get(self.key)

    @on(Input.Submitted, "#exercise-input")
    def check(self, event: Input.Submitted) -> None:
        event.stop()
        if self.exercise is None:
            return
        given = event.value.strip()
        if not given:  # an empty Enter is not a guess: the answer stays hidden
            verdict = self.query_one("#exercise-verdict", Static)
            verdict.display = True
            verdict.update(Text("Type a guess first; the answer shows once it is checked.", "dim"))
            return
        right, why = self.exercise.check(given)
        self.answers[self.key] = Answer(given, right, why)
        self.show_verdict(self.answers[self.key])
        self.post_message(self.Checked())

    def reveal(self) -> None:
        """Show the answer without a guess (for reading the lesson straight through)."""
        if self.exercise is None or self.verdict is not None:
            return
        self.answers[self.key] = Answer("", False, "")
        self.show_verdict(self.answers[self.key])
        self.post_message(self.Checked())

    def show_verdict(self, answer: Answer | None) -> None:
        verdict = self.query_one("#exercise-verdict", Static)
        verdict.display = answer is not None and self.exercise is not None
        if answer is None or self.exercise is None:
            return
        if not answer.given:
            text = Text("Revealed without a guess.", style="dim")
        elif answer.right:
            text = Text.assemble(("✓ Right. ", "bold green"), answer.why)
        else:
            text = Text.assemble(("✗ Not quite. ", "bold red"), answer.why)
        text.append("\nanswer: ", style="dim")
        text.append(self.exercise.answer, style="bold")
        verdict.update(text)
