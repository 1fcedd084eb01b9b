"""The Textual application: six screens on number keys, data loaded off the UI thread."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import threading
from collections.abc import Iterable
from pathlib import Path

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import get_current_worker

from core.config import TrainConfig
from core.data import DataError, load_splits, needs_download
from tui.commands import app_commands, dataset_title
from tui.host import AppHost
from tui.messages import (
    AdoptedRun,
    DataFailed,
    DataLoaded,
    DataNotice,
    ModelOpened,
    WorkerFailed,
)
from tui.screens.browse import BrowseScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.evaluate import EvaluateScreen
from tui.screens.help import HelpScreen
from tui.screens.lesson import LessonScreen
from tui.screens.runs import RunsScreen
from tui.screens.tensors import TensorScreen
from tui.screens.too_small import TooSmallScreen, too_small
from tui.screens.train import TrainScreen
from tui.settings import save_theme, saved_theme, screenshot_dir, state_problems
from tui.state import Dataset, Options, TrainedModel
from tui.workers import reports_failure


class MnistApp(App):
    """mnist-tui: browse the data, play with tensors, train, evaluate."""

    TITLE = "mnist-tui"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere work
    MODES = {
        "browse": BrowseScreen,
        "tensors": TensorScreen,
        "train": TrainScreen,
        "evaluate": EvaluateScreen,
        "runs": RunsScreen,
        "lesson": LessonScreen,
    }
    BINDINGS = [
        Binding("1", "switch_mode('browse')", "Browse", id="browse"),
        Binding("2", "switch_mode('tensors')", "Tensors", id="tensors"),
        Binding("3", "switch_mode('train')", "Train", id="train"),
        Binding("4", "switch_mode('evaluate')", "Evaluate", id="evaluate"),
        Binding("5", "switch_mode('runs')", "Runs", id="runs"),
        Binding("6", "switch_mode('lesson')", "Lesson", id="lesson"),
        # Only while a screen opened from the lesson (o, t) is on top: see check_action.
        Binding("escape", "back_to_lesson", "Back to lesson", priority=True, id="back-to-lesson"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    # None until the loader worker reports; screens watch it.
    dataset: reactive[Dataset | None] = reactive(None)
    # The model the Evaluate and Tensors screens show: the last run's, or an opened checkpoint.
    trained: reactive[TrainedModel | None] = reactive(None)

    def __init__(self, options: Options | None = None, start_mode: str = "browse") -> None:
        super().__init__()
        self.options = options or Options()
        self.start_mode = start_mode
        # The dataset last asked for, and why it could not be loaded (None when it was).
        self.requested_dataset = self.options.dataset
        self.data_problem: str | None = None
        # The current run came before the first data: its data is loaded once that arrives.
        self.run_awaits_its_data = False
        # Stop flags of running training workers: set on quit so no thread outlives the app.
        self.stop_events: set[threading.Event] = set()
        # The screen the lesson opened (its `o` and `t`): Escape there goes back to the lesson.
        self.lesson_return: Screen | None = None
        # --theme, else the theme picked last time; a name this Textual lacks is passed over.
        theme = self.options.theme or saved_theme()
        if theme in self.available_themes:
            self.theme = theme

    def on_resize(self, event: events.Resize) -> None:
        self.fit_notice(event.size)  # the event's: self.size may not have caught up yet

    def fit_notice(self, size: tuple[int, int]) -> None:
        """Below 80x24, one notice covers the screens; it goes when the terminal grows back."""
        showing = isinstance(self.screen, TooSmallScreen)
        small = too_small(*size)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif not small and showing:
            self.pop_screen()

    async def on_mount(self) -> None:
        # Subscribed after __init__ applied --theme: only a theme picked in the app is kept.
        self.theme_changed_signal.subscribe(self, self.remember_theme)
        self.check_saved_state()
        # `kill`, a closed SSH session: leave as `q` does, so the terminal is given back as it
        # was (main screen, echo on) instead of left in the app's alternate screen.
        loop = asyncio.get_running_loop()
        for signum in END_SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:  # `nohup mnist-tui` keeps going
                loop.add_signal_handler(signum, self.end_by_signal, signum)
        await self.switch_mode(self.start_mode)
        self.load_dataset(self.options.dataset)
        # A terminal that starts small sends no resize: look once the first screen is up.
        self.fit_notice(self.size)

    def on_unmount(self) -> None:
        # Every way out (quit, crash, ctrl+c) passes here: no training thread may outlive us.
        self.stop_background_work()

    @property
    def loading_data(self) -> bool:
        return any(w.group == "data" and not w.is_finished for w in self.workers)

    @work(thread=True, exclusive=True, group="data", exit_on_error=False)
    def load_dataset(self, name: str, folder: str | None = None) -> None:
        """Read both splits (from `folder`, else where the options say); fall back to
        synthetic digits, saying why, if the real ones fail."""
        worker = get_current_worker()
        data_dir, download = folder or self.data_dir_for(name), self.options.download
        notice = None
        try:
            if download and needs_download(name, data_dir):
                self.post_message(DataNotice(f"No {name} files here: downloading them…"))
            train, test = load_splits(name, data_dir, download, lambda: worker.is_cancelled)
        except Exception as error:  # whatever went wrong, the app opens on synthetic digits
            reason = str(error) if isinstance(error, DataError) else repr(error)
            if worker.is_cancelled:
                return
            if name == "synthetic":
                self.post_message(DataFailed(reason))
                return
            in_use = self.dataset
            if in_use is not None:  # another dataset asked for later: keep the one in use
                self.post_message(DataFailed(kept_dataset_says(name, reason, in_use)))
                return
            notice = f"{reason}. Showing synthetic digits instead."
            train, test = load_splits("synthetic")
        self.post_message(DataLoaded(train, test, notice, requested=name))

    def data_dir_for(self, name: str) -> str | None:
        """--data-dir names the folder of the dataset asked for at start, not of the others."""
        return self.options.data_dir if name == self.options.dataset else None

    def switch_dataset(self, name: str) -> None:
        """Load another dataset for every screen (the command palette's Dataset commands)."""
        if self.training_running:
            self.notify("Stop the training run first (s on Train).", severity="warning")
            return
        self.notify(f"Loading {name}…", title="Data", timeout=4)
        self.load_dataset(name)

    @on(DataLoaded)
    def data_loaded(self, message: DataLoaded) -> None:
        self.dataset = Dataset(message.train, message.test)
        self.requested_dataset = message.requested
        self.data_problem = message.notice
        quiet_garbage_collector()
        self.sub_title = self.dataset.name + (" (not MNIST)" if message.train.is_synthetic else "")
        # Files unlike the official downloads are said in Browse's facts, not over the screens.
        if message.notice:
            self.notify(message.notice, title="No real data", severity="warning", timeout=12)
        if self.run_awaits_its_data:  # a run became current before the first data came
            self.run_awaits_its_data = False
            self.load_the_data_of_the_current_run()

    def watch_trained(self) -> None:
        self.load_the_data_of_the_current_run()

    def load_the_data_of_the_current_run(self) -> None:
        """A run is shown and judged on the data it trained on (an opened checkpoint, a run
        adopted after a restart): see load_the_data_of. Only when the current run changes:
        data chosen afterwards (the palette, the Train form, a run to continue) is kept."""
        trained = self.trained
        if trained is None or trained.config is None:
            return
        if self.dataset is None:
            self.run_awaits_its_data = True
            return
        self.load_the_data_of(trained.config, trained.source)

    def load_the_data_of(self, config: TrainConfig, who: str) -> None:
        """When `config`'s dataset is not the one loaded, load it, from the folder it trained
        from when this machine has that folder, saying so. A load that fails keeps the data
        in use and says why, so this cannot repeat itself. Nothing while the first data is
        still on its way (its arrival looks again) or while a run trains on the data."""
        loaded, wanted = self.dataset, config.dataset
        if loaded is None or loaded.name == wanted or self.training_running:
            return
        from core.config import data_dir_here

        self.notify(
            f"Loading {dataset_title(wanted)}, the data {who} trained on…", title="Data", timeout=6
        )
        self.load_dataset(wanted, data_dir_here(config.to_dict()))

    @on(DataNotice)
    def data_notice(self, message: DataNotice) -> None:
        self.notify(message.text, title="Data", timeout=8)

    @on(DataFailed)
    def data_failed(self, message: DataFailed) -> None:
        self.notify(message.reason, title="Data", severity="error", timeout=12)

    @on(ModelOpened)
    def use_model(self, message: ModelOpened) -> None:
        """The one place the current run changes hands (Train's own runs aside): screens watch
        `trained` and show and act on it."""
        self.trained = message.trained
        if message.said:
            self.notify(message.said)

    @on(AdoptedRun)
    def adopt_run(self, message: AdoptedRun) -> None:
        if self.trained is None:
            self.trained = message.trained
            self.notify(message.said, title="Runs")

    def adopt_newest_run(self) -> None:
        """With no current run (a fresh start), take the newest finished run from the store."""
        if self.trained is None:
            self.read_newest_run(self.options.runs)

    @work(thread=True, exclusive=True, group="adopt", exit_on_error=False)
    @reports_failure("Runs")
    def read_newest_run(self, folder: str | None) -> None:
        from tui.current_run import newest_recorded

        trained = newest_recorded(folder)
        # Cancelled: a run picked on purpose (read_run, the same group) replaced this read.
        if trained is not None and not get_current_worker().is_cancelled:
            said = f"Showing {trained.source}, the newest finished run in the store"
            self.post_message(AdoptedRun(trained, said))

    @on(WorkerFailed)
    def worker_failed(self, message: WorkerFailed) -> None:
        error = message.error
        self.notify(f"{type(error).__name__}: {error}", title=message.title, severity="error")

    @work(thread=True, group="saved-state", exit_on_error=False)
    def check_saved_state(self) -> None:
        """Say what was wrong with lesson.json or settings.json, once, after the first frame:
        checking the lesson's position takes its steps, which the first frame need not wait
        for."""
        from core.lesson import all_steps

        for problem in state_problems(len(all_steps())):
            self.call_from_thread(
                self.notify, problem, title="Saved state", severity="warning", timeout=10
            )

    @property
    def training_running(self) -> bool:
        return bool(self.stop_events)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from app_commands(self)
        yield from super().get_system_commands(screen)

    def remember_theme(self, theme: Theme) -> None:
        save_theme(theme.name)

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Textual's screenshot, saved where it can be: ~/Downloads may not exist here."""
        if path is None:
            try:
                path = str(screenshot_dir())
            except OSError as error:
                self.notify(f"Cannot save a screenshot: {error}", severity="error")
                return None
        return super().deliver_screenshot(filename, path, time_format)

    def end_by_signal(self, signum: int) -> None:
        """Give the terminal back, then end as the signal would have, at once.

        Not through exit(): that waits for a training thread to finish its run, and a run cut
        off by a signal should read as interrupted (its process gone), not as stopped.
        """
        if self._driver is not None:
            self._driver.stop_application_mode()  # main screen, cursor, echo, as `q` leaves them
            self._driver.close()  # waits for the writer thread to send all of that
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    async def action_quit(self) -> None:
        """Quit; while a run of ours trains, only once the user says so and it has stopped."""
        training = self.training_screen()
        if training is None:
            self.stop_background_work()
            self.exit()
            return
        if any(worker.group == "quit" for worker in self.workers):
            return  # stopping the run to quit already: a second q changes nothing

        def answered(yes: bool | None) -> None:
            if yes:  # in a worker: the screen keeps painting while the run stops
                self.run_worker(self.quit_after_stopping(training), group="quit", exclusive=True)

        await self.push_screen(ConfirmScreen(QUIT_QUESTION), answered)

    async def quit_after_stopping(self, training: TrainScreen) -> None:
        """Stop the run as `s` does, wait for it to be recorded as stopped, then quit."""
        self.notify("Stopping the run, then quitting…", title="Quit")
        training.stop_run()
        await training.run_ended()
        self.stop_background_work()  # a followed run, say: it records nothing
        self.exit()

    def training_screen(self) -> TrainScreen | None:
        """The Train screen while a run of this app's own trains on it, whichever screen is
        shown; None when nothing trains (following another process's run is not training)."""
        try:
            stack = self.get_screen_stack("train")
        except KeyError:  # the Train screen was never opened
            return None
        return next((s for s in stack if isinstance(s, TrainScreen) and s.training), None)

    def stop_background_work(self) -> None:
        """Ask every training worker to stop; each returns within one step (textual#3966)."""
        for flag in list(self.stop_events):
            flag.set()

    async def follow_run(self, run_id: str) -> None:
        """The Train dashboard on a recorded run: live while it trains, in any process."""
        await self.switch_mode("train")
        screen = self.screen
        if isinstance(screen, TrainScreen):
            screen.follow(run_id)

    async def continue_run(self, run_id: str) -> None:
        """Train a recorded run for more epochs, from its checkpoint, on the Train screen."""
        await self.switch_mode("train")
        screen = self.screen
        if isinstance(screen, TrainScreen):
            screen.continue_run(run_id)

    async def evaluate_run(self, run_id: str) -> None:
        """The Evaluate screen on a recorded run, which becomes the current run."""
        await self.switch_mode("evaluate")
        self.read_run(self.options.runs, run_id)

    @work(thread=True, exclusive=True, group="adopt", exit_on_error=False)
    @reports_failure("Runs")
    def read_run(self, folder: str | None, run_id: str) -> None:
        from core.checkpoint import CheckpointError
        from core.config import ConfigError
        from core.runs import RunStoreError
        from tui.current_run import recorded

        try:
            trained = recorded(folder, run_id)
        except (RunStoreError, CheckpointError, ConfigError) as error:
            self.call_from_thread(self.notify, str(error), title="Runs", severity="error")
            return
        if not get_current_worker().is_cancelled:  # a newer pick replaced this one
            self.post_message(ModelOpened(trained, f"Evaluating {trained.source}"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back_to_lesson":  # otherwise Escape belongs to the screen, as before
            return self.lesson_return is not None and self.screen is self.lesson_return
        if action in ("switch_mode", "help"):  # the notice stays until the terminal grows
            return not isinstance(self.screen, TooSmallScreen)
        return True

    async def action_back_to_lesson(self) -> None:
        self.lesson_return = None
        await self.switch_mode("lesson")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))


def kept_dataset_says(name: str, reason: str, in_use: Dataset) -> str:
    """One line: the dataset asked for could not be loaded, and which one stays."""
    return (
        f"{dataset_title(name)} could not be loaded, so {dataset_title(in_use.name)} stays: "
        f"{reason}"
    )


def quiet_garbage_collector() -> None:
    """Keep full collections short while a worker allocates: measured by scripts.responsiveness.

    The app and the dataset live for the whole session; frozen, the collector stops walking
    them, and a larger first generation makes collections rarer. Without this a full collection
    set off by the training thread held the GIL for 100-250 ms and key presses waited.
    """
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


END_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
QUIT_QUESTION = (
    "A run is training. Quit? It will be recorded as stopped, at its last finished epoch. (y/N)"
)


def run_app(options: Options, start_mode: str = "browse") -> int:
    app = MnistApp(options, start_mode=start_mode)
    try:
        app.run()
    finally:
        app.stop_background_work()  # also after a crash: the interpreter joins worker threads
    return app.return_code or 0


def conforms(app: MnistApp) -> AppHost:
    """Never called: mypy checks here that the app is what the screens' protocol describes
    (AppHost; the palette's, the lesson's and the current run's are parts of it)."""
    return app
