"""Screen 6: the lecture, one step at a time, computed live on the loaded data and model."""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.reactive import reactive
from textual.widgets import Header, Input, Static

from tui.host import app_host
from tui.screens.covered import CoverableScreen
from tui.state import Dataset, TrainedModel
from tui.widgets.digit_view import DigitView
from tui.widgets.footer import AppFooter
from tui.widgets.lesson.code import HangingCode
from tui.widgets.lesson.context import AppState, build_context
from tui.widgets.lesson.exercise import ExerciseBox
from tui.widgets.lesson.goto import GoToStepScreen
from tui.widgets.lesson.live import LiveRun
from tui.widgets.lesson.messages import LessonLoaded, StepComputed
from tui.widgets.lesson.opening import open_target, start_training
from tui.widgets.lesson.review import review_text
from tui.widgets.lesson.values import values_table
from tui.workers import reports_failure

if TYPE_CHECKING:
    from core.lesson import Progress, Step

WIDE = 100  # columns from which explanation and code sit side by side
HIDDEN = "Guess first (a, type, Enter) or reveal (r): the values would give the answer away."
CODE_HIDDEN = "The code shows once the exercise is answered: it would give the answer away."
REVIEW_KEY = "review"  # core.lesson.review.REVIEW_KEY, without importing the steps here


class LessonScreen(CoverableScreen):
    """A step's explanation beside its code, the lecture's value beside today's, and a guess."""

    TITLE = "mnist-tui · Lesson"
    AUTO_FOCUS = ""  # nothing focused on arrival: n, p and the arrows reach the screen
    DEFAULT_CSS = """
    LessonScreen #lesson-progress { height: 1; color: $text-muted; padding: 0 1; }
    LessonScreen #lesson-scroll { height: 1fr; }
    LessonScreen #lesson-columns { layout: vertical; height: auto; }
    LessonScreen.wide #lesson-columns { layout: horizontal; }
    LessonScreen #lesson-left, LessonScreen #lesson-right { height: auto; padding: 0 1; }
    LessonScreen.wide #lesson-left { width: 2fr; }
    LessonScreen.wide #lesson-right { width: 3fr; min-width: 70; }  /* a 28x28 grid: 55 + 15 */
    LessonScreen #lesson-explanation { height: auto; }
    LessonScreen #lesson-needs { height: auto; color: $warning; margin-top: 1; }
    LessonScreen #lesson-opens { height: auto; color: $text-muted; margin-top: 1; }
    LessonScreen #lesson-code { height: auto; border: round $primary; border-title-align: left;
                                 padding: 0 1; }
    LessonScreen #lesson-values { height: auto; border: round $secondary;
                                   border-title-align: left; padding: 0 1; }
    LessonScreen #lesson-top { height: auto; }
    LessonScreen #lesson-explanation { width: 1fr; }
    LessonScreen .lesson-digit { display: none; }
    LessonScreen #digit-narrow { margin-left: 1; }
    LessonScreen #digit-wide { margin-top: 1; }
    LessonScreen.has-digit #digit-narrow { display: block; }
    LessonScreen.has-digit.wide #digit-narrow { display: none; }
    LessonScreen.has-digit.wide #digit-wide { display: block; }
    LessonScreen .lesson-picture { height: auto; margin-top: 1; }
    LessonScreen #picture-below { padding: 0 1; }
    """
    BINDINGS = [
        Binding("n,right", "step(1)", "Next", id="lesson-next"),
        Binding("p,left", "step(-1)", "Back", id="lesson-back"),
        # Priority: ahead of the scroll container's own PageDown/PageUp, and from inside an
        # exercise's field too (an Input has no use for them).
        Binding(
            "pagedown", "step(1)", "Next, also in a field", show=False, priority=True, id="pgdn"
        ),
        Binding(
            "pageup", "step(-1)", "Back, also in a field", show=False, priority=True, id="pgup"
        ),
        Binding("g", "goto", "Go to", id="lesson-goto"),
        # The next three show in the footer only on steps they serve (check_action).
        Binding("o", "open", "Open", id="lesson-open"),
        Binding("t", "train", "Train now", id="lesson-train"),
        Binding("a", "answer", "Answer", id="lesson-answer"),
        Binding("r", "reveal", "Reveal", id="lesson-reveal"),
        Binding("m", "retry", "Retry a missed one", id="lesson-retry"),
        Binding("x", "run_experiment", "Run it", id="lesson-run"),  # a step with a short run
        Binding("down", "scroll(3)", "Scroll down", key_display="↓", show=False, id="lesson-down"),
        Binding("up", "scroll(-3)", "Scroll up", key_display="↑", show=False, id="lesson-up"),
        Binding("end", "scroll_to(1)", "Scroll to the end", show=False, id="lesson-end"),
        Binding("home", "scroll_to(0)", "Scroll to the top", show=False, id="lesson-home"),
        Binding("escape", "leave_field", "Leave the field", show=False, id="lesson-leave"),
    ]

    index: reactive[int] = reactive(0, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.steps: tuple[Step, ...] = ()
        # Values computed for the current data and model, by step; a new dataset or model
        # starts a new generation and empties it.
        self.computed: dict[int, StepComputed] = {}
        self.generation = 0
        self.device = "cpu"
        self.seconds_per_epoch: float | None = None
        self.progress: Progress | None = None  # steps seen and verdicts, saved with the step
        self.progress_to_save: Progress | None = None
        self.save_lock = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="lesson-progress")  # steps seen, exercises right
        # Not focusable: the arrow keys belong to the steps; ↑/↓ scroll it through the screen.
        with VerticalScroll(id="lesson-scroll", can_focus=False):
            with Container(id="lesson-columns"):
                with Vertical(id="lesson-left"):
                    with Horizontal(id="lesson-top"):
                        yield Static("Loading the lesson…", id="lesson-explanation")
                        # Narrow: the digit beside the text, so 80x24 shows it at once.
                        yield DigitView(id="digit-narrow", classes="lesson-digit")
                    yield Static(id="lesson-needs")
                    yield Static(id="lesson-opens")
                    # Wide: under the text, where the left column has room to spare.
                    yield DigitView(id="digit-wide", classes="lesson-digit")
                    # Wide, and narrow enough for the column: the picture beside the code.
                    yield Static(id="picture-left", classes="lesson-picture")
                # Values first, then the guess, then the code: narrow, this column follows the
                # text, and at 80x24 the lecture against now is on the first screen.
                with Vertical(id="lesson-right"):
                    yield Static(id="lesson-values")
                    yield ExerciseBox(id="lesson-exercise")  # the guess before any drawing
                    yield LiveRun(id="lesson-live")  # a step's short run: x, then its pictures
                    yield Static(id="lesson-code")
            # Below both columns: a drawing gets the whole width.
            yield Static(id="picture-below", classes="lesson-picture")
        yield AppFooter()

    def on_mount(self) -> None:
        self.title = "Lesson · loading…"
        self.sub_title = ""  # the header line is the step's; the dataset is named in the values
        self.query_one("#lesson-code").border_title = "code"
        self.query_one("#lesson-values").border_title = "printed by the lecture · computed now"
        self.query_one(ExerciseBox).display = False
        self.watch(self.app, "dataset", self.data_or_model_changed, init=False)
        self.watch(self.app, "trained", self.data_or_model_changed, init=False)
        self.load_lesson()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width >= WIDE, "wide")
        self.call_after_refresh(self.show_computed)  # the picture's place depends on the width

    def on_screen_resume(self) -> None:
        # Back here: Escape on the other screens is theirs again.
        app_host(self).lesson_return = None

    # Loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="lesson-load", exit_on_error=False)
    def load_lesson(self) -> None:
        """Import the steps off the UI thread (their module may import torch)."""
        try:
            from core.lesson import STEPS, load_progress

            steps = tuple(STEPS)
            # Why a saved progress could not be used whole is said once, as the app starts.
            progress, _ = load_progress()
            position = min(max(0, progress.step), max(0, len(steps) - 1))
        except Exception as error:  # the other screens still work: say why, in one line
            self.post_message(LessonLoaded((), 0, f"The lesson could not be loaded: {error!r}"))
            return
        self.post_message(LessonLoaded(steps, position, None, progress))

    @on(LessonLoaded)
    def lesson_loaded(self, message: LessonLoaded) -> None:
        if message.problem or not message.steps:
            self.title = "Lesson"
            problem = message.problem or "The lesson has no steps."
            self.query_one("#lesson-explanation", Static).update(problem)
            return
        self.steps = message.steps
        self.progress = message.progress
        if self.progress is not None:
            self.exercise.remember(self.progress.verdicts)
        self.set_reactive(LessonScreen.index, message.position)
        self.show_step()

    # The step on screen ------------------------------------------------------------------

    @property
    def step(self) -> Step | None:
        return self.steps[self.index] if self.steps else None

    @property
    def outcome(self):
        """The value computed now for the step on screen, or None while it computes."""
        computed = self.computed.get(self.index)
        return computed.outcome if computed is not None else None

    def watch_index(self) -> None:
        self.show_step()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        step = self.step
        if action == "open":
            return step is not None and step.opens is not None
        if action == "train":
            return step is not None and step.needs == "model" and app_host(self).trained is None
        if action == "answer":
            return step is not None and step.exercise is not None
        if action == "reveal":
            return step is not None and step.exercise is not None and not self.exercise.settled
        if action == "run_experiment":
            return self.query_one(LiveRun).serves(step)
        if action == "retry":
            return step is not None and step.key == REVIEW_KEY and bool(self.missed())
        return True

    def show_step(self) -> None:
        step = self.step
        if step is None:
            return
        self.title = f"Lesson {self.index + 1}/{len(self.steps)} · {step.title}"
        self.remember_position(step)  # first: the progress shown counts this step as seen
        self.query_one(ExerciseBox).show(step)
        self.show_text(step)
        self.show_opens(step)
        self.show_digit(step)
        self.show_computed()
        self.query_one("#lesson-scroll", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()  # o, t and a come and go with the step
        if self.index not in self.computed:
            self.compute_current()

    def show_opens(self, step: Step) -> None:
        opens = self.query_one("#lesson-opens", Static)
        opens.display = step.opens is not None
        if step.opens is not None:
            opens.update(f"o opens {step.opens.label}; Escape there comes back to this step.")

    def show_digit(self, step: Step) -> None:
        """The step's training image, beside the text (narrow) or under it (wide)."""
        dataset: Dataset | None = app_host(self).dataset
        index = step.digit_index
        shown = index is not None and dataset is not None and 0 <= index < len(dataset.train)
        self.set_class(shown, "has-digit")
        if shown and dataset is not None and index is not None:  # as `shown` says; for mypy
            for view in self.query(".lesson-digit").results(DigitView):
                view.show(dataset.train.images[index], "halfblock", "dark")

    def show_computed(self) -> None:
        """The values, the picture and the training notice, from what is computed so far."""
        step = self.step
        if step is None:
            return
        computed = self.computed.get(self.index)
        dataset: Dataset | None = app_host(self).dataset
        source = dataset.name if dataset is not None else "no data"
        if dataset is not None and dataset.train.is_synthetic:
            source = "synthetic digits (not MNIST)"
        values = self.query_one("#lesson-values", Static)
        hidden = self.answer_hidden
        if dataset is None:
            values.update(Text("Waiting for the data to load…", style="italic dim"))
        elif hidden:
            values.update(Text(HIDDEN, style="italic"))
        else:
            values.update(values_table(step.lecture, self.outcome, source))
        self.show_picture(None if hidden or computed is None else computed.picture)
        self.query_one(LiveRun).show(step, dataset, hidden)
        self.show_needs(step)

    def show_picture(self, picture: str | None) -> None:
        """In the left column when wide and it fits there, else below both columns."""
        left = self.query_one("#picture-left", Static)
        below = self.query_one("#picture-below", Static)
        room = self.query_one("#lesson-left").content_size.width
        widest = max((len(line) for line in (picture or "").splitlines()), default=0)
        fits_left = self.has_class("wide") and 0 < widest <= room
        left.display = bool(picture) and fits_left
        below.display = bool(picture) and not fits_left
        if picture:  # wrapped where it must be, never cut
            (left if fits_left else below).update(Text(picture, overflow="fold"))

    @property
    def answer_hidden(self) -> bool:
        """An exercise not settled yet keeps the values to itself: they would give it away."""
        step = self.step
        if step is None or step.exercise is None or step.quiz:
            return False  # a step of many questions (puzzles, the review) gives none away
        return not self.exercise.settled

    @property
    def exercise(self) -> ExerciseBox:
        return self.query_one(ExerciseBox)

    def show_text(self, step: Step) -> None:
        """The explanation, with what gives the answer away once the exercise is settled; the
        code, unless it gives the answer away itself; the review's score and missed list."""
        hidden = self.answer_hidden
        text = Text(step.explanation)
        if step.after and not hidden:
            text.append(f"\n\n{step.after}")
        if step.key == REVIEW_KEY and self.progress is not None:
            text.append("\n\n")
            text.append_text(review_text(self.progress, self.steps))
        self.query_one("#lesson-explanation", Static).update(text)
        code_box = self.query_one("#lesson-code", Static)
        if hidden and step.code_reveals:
            code_box.update(Text(CODE_HIDDEN, style="italic"))
        else:
            code_box.update(HangingCode(step.code.strip("\n")))
        self.show_progress()

    def show_progress(self) -> None:
        line = self.query_one("#lesson-progress", Static)
        if self.progress is not None and self.steps:
            line.update(self.progress.summary(self.steps))

    def missed(self) -> list:
        return self.progress.missed(self.steps) if self.progress is not None else []

    @on(ExerciseBox.Checked)
    def exercise_checked(self, message: ExerciseBox.Checked) -> None:
        if self.progress is not None and message.verdict is not None:
            self.progress.verdicts[message.exercise_id] = message.verdict
            self.save_progress()
        step = self.step
        if step is not None:
            self.show_text(step)
        self.show_computed()
        self.refresh_bindings()  # r has nothing left to reveal; m may have one less to retry

    def show_needs(self, step: Step) -> None:
        needs = self.query_one("#lesson-needs", Static)
        trained: TrainedModel | None = app_host(self).trained
        needs.display = step.needs == "model" and trained is None
        if needs.display:  # after a restart, the newest recorded run may do: it is looked for
            app_host(self).adopt_newest_run()
            needs.update(training_notice(self.device, self.seconds_per_epoch, self.epochs))

    @property
    def epochs(self) -> int:
        return app_host(self).options.training.epochs

    def remember_position(self, step: Step) -> None:
        if self.progress is None:
            return
        self.progress.step = self.index
        self.progress.seen.add(step.key)
        self.save_progress()

    def save_progress(self) -> None:
        """A copy of the progress as it is now, written on a thread."""
        if self.progress is None:
            return
        progress = self.progress
        self.progress_to_save = dataclasses.replace(
            progress, seen=set(progress.seen), verdicts=dict(progress.verdicts)
        )
        self.save_progress_in_background()

    @work(thread=True, group="lesson-position", exit_on_error=False)
    def save_progress_in_background(self) -> None:
        """Write the progress (two fsyncs: not on the UI thread); never raises.

        Under the lock each writer takes the newest copy asked for, so the last one to run
        writes the last state, whatever order the threads run in.
        """
        from core.lesson import save_progress

        with self.save_lock:
            if self.progress_to_save is not None:
                save_progress(self.progress_to_save)

    # Computing off the UI thread ---------------------------------------------------------

    def data_or_model_changed(self, _value: object) -> None:
        self.generation += 1
        self.computed.clear()
        self.refresh_bindings()
        if self.step is not None:
            self.show_digit(self.step)
            self.show_computed()
            self.compute_current()

    def compute_current(self) -> None:
        dataset: Dataset | None = app_host(self).dataset
        step = self.step
        if dataset is None or step is None:
            return
        trained: TrainedModel | None = app_host(self).trained
        history = trained.history if trained is not None else ()  # the current run's epochs
        state = AppState(dataset, trained, history, app_host(self).options.training)
        self.compute_step(self.index, step, state, self.generation)

    @work(thread=True, exclusive=True, group="lesson", exit_on_error=False)
    @reports_failure("Lesson")  # a step's own failure is its value's reason; this is the rest
    def compute_step(self, index: int, step: Step, state: AppState, generation: int) -> None:
        """Compute one step's value and picture; a failure becomes the value's one-line reason."""
        from core.lesson import Outcome

        context = build_context(state)
        try:
            outcome = step.compute(context)
        except Exception as error:  # one step failing must not take the lesson down
            outcome = Outcome("(could not compute)", None, f"{type(error).__name__}: {error}")
        picture = None
        if step.picture is not None:
            try:
                picture = step.picture(context)
            except Exception as error:
                picture = f"(no picture: {type(error).__name__}: {error})"
        self.post_message(
            StepComputed(
                index, generation, outcome, picture, context.device, context.seconds_per_epoch
            )
        )

    @on(StepComputed)
    def step_computed(self, message: StepComputed) -> None:
        if message.generation != self.generation:
            return  # computed from data or a model that has been replaced since
        self.computed[message.index] = message
        self.device = message.device
        self.seconds_per_epoch = message.seconds_per_epoch
        if message.index == self.index:
            self.show_computed()

    # Actions -----------------------------------------------------------------------------

    def action_step(self, step: int) -> None:
        if self.steps:
            self.index = min(max(0, self.index + step), len(self.steps) - 1)

    def go_to(self, index: int | None) -> None:
        if index is not None and self.steps:
            self.index = min(max(0, index), len(self.steps) - 1)

    def action_goto(self) -> None:
        if self.steps:
            titles = [step.title for step in self.steps]
            self.app.push_screen(GoToStepScreen(titles, self.index), self.go_to)

    async def action_open(self) -> None:
        step = self.step
        if step is not None and step.opens is not None:
            await open_target(app_host(self), step.opens)

    async def action_train(self) -> None:
        await start_training(app_host(self))

    def action_answer(self) -> None:
        self.query_one("#exercise-input", Input).focus()

    def action_reveal(self) -> None:
        self.exercise.reveal()

    def action_retry(self) -> None:
        """Back to the first missed exercise, asked afresh."""
        missed = self.missed()
        if not missed or self.progress is None:
            return
        index, _k, exercise_id, _exercise = missed[0]
        self.progress.verdicts.pop(exercise_id, None)
        self.index = index  # shows the step (a no-op when it is the review itself)
        self.exercise.retry(exercise_id)
        step = self.step
        if step is not None:
            self.show_text(step)
        self.show_computed()
        self.refresh_bindings()
        self.save_progress()
        self.query_one("#exercise-input", Input).focus()

    def action_run_experiment(self) -> None:
        self.query_one(LiveRun).start(app_host(self).dataset)

    def action_leave_field(self) -> None:
        self.set_focus(None)

    def action_scroll(self, lines: int) -> None:
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        scroll.scroll_relative(y=lines, animate=False)

    def action_scroll_to(self, end: int) -> None:
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        if end:
            scroll.scroll_end(animate=False)
        else:
            scroll.scroll_home(animate=False)


def training_notice(device: str, seconds_per_epoch: float | None, epochs: int) -> str:
    """What a model step says before a network is trained: how long, and the key that starts it."""
    cost = f"{epochs} epoch{'s' if epochs != 1 else ''} on {device}"
    if seconds_per_epoch is not None:
        cost += f", about {duration(seconds_per_epoch * epochs)} here"
    return (
        "This step needs a trained network, and none is loaded yet: press t to train the "
        f"lesson's recipe on the Train screen ({cost}). Escape there comes back here."
    )


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    return f"{seconds / 60:.0f} min"
