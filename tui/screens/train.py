"""Screen 3: configure the lesson's training, run it in a thread worker, watch it live."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import shutil
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.reactive import reactive
from textual.widgets import Digits, Header, Input, Static
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from core.config import ConfigError, TrainConfig
from core.data import Split
from core.events import BatchProgress, EpochEnd, Event, RunFailed, RunFinished, RunStarted
from core.wording import counted
from tui.host import app_host
from tui.messages import (
    BatchUpdate,
    CheckpointFailed,
    ContinueReady,
    FollowingRun,
    LineageRead,
    ModelOpened,
    RunRecorded,
    SystemInfo,
    TrainingEvent,
)
from tui.screens.covered import CoverableScreen
from tui.screens.save_checkpoint import SaveCheckpointScreen
from tui.state import TrainedModel, run_source
from tui.widgets.chart.curves import ONE_RUN_METRICS
from tui.widgets.chart.keys import CHART_BINDINGS, ChartKeys
from tui.widgets.footer import AppFooter
from tui.widgets.train.charts import MetricCharts
from tui.widgets.train.epoch_bar import EpochBar
from tui.widgets.train.epoch_table import EpochTable
from tui.widgets.train.form import TrainForm
from tui.widgets.train.run_status import RunStatus
from tui.widgets.train.system_panel import SystemPanel
from tui.workers import reports_failure

# Core reports progress ten times a second; five repaints a second read as smooth.
PROGRESS_REPAINT_S = 0.2

# Below this the screen folds into its compact layout (80x24 is the size it must work at).
COMPACT_BELOW = (100, 30)


class TrainScreen(ChartKeys, CoverableScreen):
    """Settings, summary and device; then live progress and charts; then the verdict."""

    # Screen CSS, not DEFAULT_CSS: it has to win over the app's stylesheet for these ids.
    # Wide: settings, system and model in a column on the left, the run and its charts on the
    # right. Compact: settings and the run share the top rows, the charts take the full width
    # below them, so each of the three keeps its title and legend.
    CSS = """
    TrainScreen #train-main {
        layout: grid; grid-size: 2 2; grid-columns: 38 1fr; grid-rows: auto 1fr;
    }
    TrainScreen #train-left { row-span: 2; height: 100%; }
    TrainScreen #train-right { height: auto; }
    TrainScreen #charts { height: 100%; padding: 0 1; }
    TrainScreen #run-status { height: 3; }
    TrainScreen #system-panel { margin-top: 1; }
    TrainScreen.-compact #train-main { grid-columns: 32 1fr; grid-rows: 12 1fr; }
    TrainScreen.-compact #train-left { row-span: 1; width: 32; overflow-y: hidden; }
    TrainScreen.-compact TrainForm { width: 32; }
    TrainScreen.-compact #train-right { height: 100%; }
    TrainScreen.-compact #system { padding: 0 1; }
    TrainScreen.-compact #system-panel { margin-top: 0; }
    TrainScreen.-compact #charts { column-span: 2; padding: 0; }
    TrainScreen.-compact.-finished #epoch-progress { display: none; }
    """

    TITLE = "mnist-tui · Train"
    # Nothing focused on arrival ("" - None would mean the app's "*"), so `s` reaches the screen
    # until the user tabs into a field.
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("s", "start_stop", "Start/stop", id="start_stop"),
        Binding("w", "save", "Save checkpoint", id="save"),
        Binding("e", "evaluate", "Evaluate", id="evaluate"),
        Binding("escape", "leave_field", "Leave field", show=False, id="leave_field"),
        *CHART_BINDINGS,
    ]
    CHART_METRICS = ONE_RUN_METRICS
    CHARTS = MetricCharts

    running: reactive[bool] = reactive(False)

    def __init__(self) -> None:
        super().__init__()
        self.stop_flag = threading.Event()
        self.started: RunStarted | None = None
        self.outcome: RunFinished | RunFailed | None = None
        self.system_info: SystemInfo | None = None  # device and model summary, from a worker
        # Where the last run's checkpoint is, for `w` to copy where the user wants it: beside
        # the run in the run store, or, when the store cannot be used, in a temp folder of
        # this app's own (two apps never share it, and no user folder must be writable).
        self.checkpoint: Path | None = None
        self.recorded_id: str | None = None  # the shown run's id in the run store
        # A recorded run that `s` continues: its checkpoint, and its id (the new run's parent).
        self.resume_from: tuple[str, str] | None = None
        self.autosave: Path | None = None
        self.autosave_folder: Path | None = None
        self.progress_painted = 0.0  # time.monotonic() of the last repaint of the progress
        self.table_backlog: list[EpochEnd] = []  # epochs that ended while the screen was covered

    def compose(self) -> ComposeResult:
        yield Header()
        with Grid(id="train-main"):
            with VerticalScroll(id="train-left", can_focus=False):
                yield TrainForm(app_host(self).options.training, id="train-form")
                yield SystemPanel(id="system-panel")
                yield Static("Reading the device and model…", id="system")
            with Vertical(id="train-right"):
                yield RunStatus("Press s to train.", id="run-status")
                # A total from the start: an indeterminate bar animates, and snapshots would vary.
                # No ETA of the bar's own: the status line above says elapsed and both ETAs,
                # and says "done in" once the run is over, where the bar would show --:--:--.
                yield EpochBar(id="epoch-progress")
                with Horizontal(id="result"):
                    yield Digits("", id="final-acc")
                    yield Static("", id="verdict")
                yield EpochTable(id="epochs")
            yield MetricCharts(id="charts")
        yield AppFooter()

    @property
    def history(self) -> list[EpochEnd]:
        """The finished epochs of the current or last run."""
        return self.query_one(MetricCharts).history

    @property
    def batch_losses(self) -> list[float]:
        return self.query_one(MetricCharts).batch_losses

    def on_mount(self) -> None:
        self.query_one("#result").display = False
        self.query_one(EpochTable).plan(app_host(self).options.training.epochs)
        self.describe_system(app_host(self).options.training)

    @on(Input.Changed, "#field-epochs")
    def plan_epochs(self, event: Input.Changed) -> None:
        """Before a run the table lays out the rows the form's epochs will fill: the run's
        start then leaves the charts' size alone (a resize re-draws them while it trains)."""
        if not self.running and event.value.strip().isdigit():
            self.query_one(EpochTable).plan(int(event.value))

    @on(Resize)
    def fold_or_unfold(self, event: Resize) -> None:
        width, height = COMPACT_BELOW
        compact = event.size.width < width or event.size.height < height
        if compact == self.has_class("-compact"):
            return
        self.set_class(compact, "-compact")
        for widget in (self.query_one(SystemPanel), self.query_one(MetricCharts)):
            widget.set_class(compact, "-compact")
        self.query_one(SystemPanel).draw()
        self.call_after_refresh(self.query_one(MetricCharts).redraw)  # at their new size
        self.show_system_info()
        if self.outcome is not None and self.history:
            self.query_one("#verdict", Static).update(verdict(self.history, brief=compact))

    # Before a run --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="system-info", exit_on_error=False)
    @reports_failure("Train")
    def describe_system(self, config: TrainConfig) -> None:
        """Import torch off the UI thread (seconds on a small machine), then report."""
        from core.device import describe_device
        from core.model import SimpleNN, summarize

        summary = summarize(SimpleNN(config.hidden))
        rows = [(r.name, str(list(r.output_shape)), r.parameters) for r in summary.rows]
        device = describe_device(config.device)
        self.post_message(SystemInfo(device, rows, summary.total_parameters))

    @on(SystemInfo)
    def show_system(self, message: SystemInfo) -> None:
        self.system_info = message
        self.show_system_info()

    def show_system_info(self) -> None:
        message = self.system_info
        if message is None:
            return
        if self.has_class("-compact"):  # two lines: the rows of the full table do not fit
            self.query_one("#system", Static).update(
                Text.assemble(
                    ("SimpleNN ", "bold"),
                    f"{message.total_parameters:,} parameters\n",
                    message.device,
                )
            )
            return
        table = Table(box=None, padding=(0, 1), show_edge=False, title_justify="left")
        table.title = "SimpleNN (torchinfo, batch 64)"
        table.add_column("layer")
        table.add_column("output")
        table.add_column("params", justify="right")
        for name, shape, parameters in message.summary_rows:
            table.add_row(name, shape, f"{parameters:,}")
        table.add_row("[b]total[/b]", "", f"[b]{message.total_parameters:,}[/b]")
        device = Text.assemble(("Device ", "bold"), message.device)
        self.query_one("#system", Static).update(Group(device, Text(""), table))

    # Start and stop ----------------------------------------------------------------------

    def action_start_stop(self) -> None:
        if self.running:
            self.stop_run()
            return
        config = self.config_from_form()
        if config is None:
            return
        dataset = app_host(self).dataset
        if dataset is None or dataset.name != config.dataset:
            self.ask_for_dataset(config.dataset)
            return
        self.reset_run()
        gc.freeze()  # what the UI built since start-up is long-lived too (see app.py)
        self.start_worker()
        resume, self.resume_from = self.resume_from, None
        self.train_in_background(
            config, dataset.train, dataset.test, self.stop_flag, self.autosave_path(), resume
        )

    @property
    def training(self) -> bool:
        """A run of this app's own trains here (not one followed from elsewhere)."""
        return self.running and self.query_one(RunStatus).following is None

    def stop_run(self) -> None:
        """Stop the run after its current step: it ends as its last finished epoch."""
        self.stop_flag.set()
        following = self.query_one(RunStatus).following
        self.query_one(RunStatus).say(
            f"Stopped following run {following}." if following else "Stopping after this step…"
        )

    async def run_ended(self) -> None:
        """Return once the training worker has ended (its run recorded as it ended)."""
        for worker in [w for w in self.workers if w.group == "training" and w.node is self]:
            # Failed or cancelled, it has ended all the same (and said why).
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await worker.wait()

    def start_worker(self, following: str | None = None) -> None:
        self.running = True
        self.query_one(RunStatus).following = following
        self.stop_flag = threading.Event()
        app_host(self).stop_events.add(self.stop_flag)

    # A run recorded elsewhere ------------------------------------------------------------

    def follow(self, run_id: str) -> None:
        """Show a recorded run here, live while it trains, whichever process records it."""
        if self.running:
            self.notify("Stop this run (s) before following another.", severity="warning")
            return
        self.reset_run()
        # From here `w` and `e` belong to this run: its weights once they are read, else none.
        self.recorded_id, self.checkpoint = run_id, None
        self.start_worker(following=run_id)
        self.follow_in_background(run_id, self.stop_flag)

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    @reports_failure("Runs")
    def follow_in_background(self, run_id: str, stop_flag: threading.Event) -> None:
        from core.runs import RunStore, RunStoreError
        from core.runs.follow import follow_events
        from core.runs.lineage import lineage_history

        try:
            with RunStore.open(app_host(self).options.runs) as store:
                run = store.get(run_id)
                config = run.train_config()
                self.post_message(FollowingRun(run.id, run.source, run.host, config))
                earlier = lineage_history(store, run.parent) if run.parent else []
                for event in follow_events(store, run.id, stop_flag):
                    message = BatchUpdate(event) if isinstance(event, BatchProgress) else None
                    self.post_message(message or TrainingEvent(event))
                    if isinstance(event, RunStarted) and earlier:
                        self.post_message(LineageRead(earlier))
                    if isinstance(event, RunFinished) and event.test_acc is not None:
                        self.take_followed_run(store, run.id)
        except RunStoreError as error:
            self.post_message(TrainingEvent(RunFailed(reason=str(error))))

    def take_followed_run(self, store, run_id: str) -> None:
        """A followed run that ended: it becomes the current run, so `w` and `e` act on it."""
        from core.checkpoint import CheckpointError
        from core.config import ConfigError
        from core.runs import RunStoreError
        from tui.current_run import from_record

        try:
            trained = from_record(store, store.get(run_id))
        except (CheckpointError, ConfigError, RunStoreError) as error:  # deleted as it ended
            self.post_message(CheckpointFailed(str(error)))
            return
        self.post_message(ModelOpened(trained))

    @on(FollowingRun)
    def following_run(self, message: FollowingRun) -> None:
        """The form shows the followed run's own settings (read-only while it is followed)."""
        self.query_one(TrainForm).load(message.config)
        self.query_one(
            RunStatus
        ).following = f"{message.run_id} ({message.source} on {message.host})"

    @on(ModelOpened)
    def followed_run_taken(self, message: ModelOpened) -> None:
        if message.trained.checkpoint is not None:
            self.checkpoint = Path(message.trained.checkpoint)  # `w` copies the followed run's
            self.recorded_id = message.trained.run_id

    def continue_run(self, run_id: str) -> None:
        """Load a recorded run's settings into the form; `s` then trains it on."""
        if self.running:
            self.notify("Stop this run (s) before continuing another.", severity="warning")
            return
        self.read_run_to_continue(run_id)

    @work(thread=True, exclusive=True, group="runs-read", exit_on_error=False)
    @reports_failure("Runs")
    def read_run_to_continue(self, run_id: str) -> None:
        from core.runs import RunStore, RunStoreError

        try:
            with RunStore.open(app_host(self).options.runs) as store:
                run = store.get(run_id)
        except RunStoreError as error:
            self.post_message(CheckpointFailed(str(error)))
            return
        if run.checkpoint is None:
            because = run.no_checkpoint_because()
            self.post_message(
                CheckpointFailed(f"run {run.id} has no checkpoint to continue: {because}")
            )
            return
        config = run.train_config()
        more = dataclasses.replace(config, epochs=max(config.epochs, run.epochs_done) + 5)
        self.post_message(ContinueReady(run.id, more, run.checkpoint))

    @on(ContinueReady)
    def continue_ready(self, message: ContinueReady) -> None:
        self.query_one(TrainForm).load(message.config)
        self.resume_from = (message.checkpoint, message.run_id)
        app_host(self).load_the_data_of(message.config, f"run {message.run_id}")
        self.notify(
            f"Run {message.run_id} is in the form with {counted(message.config.epochs, 'epoch')}: "
            "change them if you like, then press s to continue it.",
            title="Continue",
        )

    @on(CheckpointFailed)
    def checkpoint_failed(self, message: CheckpointFailed) -> None:
        self.notify(message.reason, title="Runs", severity="error")

    def ask_for_dataset(self, name: str) -> None:
        """The form names another dataset than the one loaded: load it, or say why not."""
        if app_host(self).loading_data:
            self.notify("Still loading data; press s again when it is ready.")
        elif app_host(self).requested_dataset == name and app_host(self).data_problem:
            self.notify(
                f"{name} could not be loaded, so synthetic digits are loaded instead: choose "
                "dataset synthetic to train on them, or restart with --data-dir DIR.",
                title="Cannot start",
                severity="error",
                timeout=10,
            )
        else:
            app_host(self).load_dataset(name)
            self.notify(f"Loading {name}; press s again when it is ready.")

    def autosave_path(self) -> Path | None:
        if self.autosave is None:
            try:
                self.autosave_folder = Path(tempfile.mkdtemp(prefix="mnist-tui-"))
            except OSError as error:
                self.notify(f"Runs will not be saved: {error}", severity="warning")
                return None
            self.autosave = self.autosave_folder / "last-run.pt"
        return self.autosave

    def on_unmount(self) -> None:
        if self.autosave_folder is not None:
            shutil.rmtree(self.autosave_folder, ignore_errors=True)

    def config_from_form(self) -> TrainConfig | None:
        try:
            return self.query_one(TrainForm).config()
        except ConfigError as error:
            self.notify(str(error), title="Cannot start", severity="error")
            return None

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    @reports_failure("Training")
    def train_in_background(
        self,
        config: TrainConfig,
        train: Split,
        test: Split,
        stop_flag: threading.Event,
        fallback_save: Path | None,
        resume: tuple[str, str] | None = None,  # (checkpoint, the run it belongs to)
    ) -> object:
        from core.runs import RunRecorder, RunStore, RunStoreError
        from core.runs.lineage import lineage_history
        from core.train import fit

        path, parent = resume if resume is not None else (None, None)
        earlier: list = []  # the epochs of the run this one continues, and of its ancestors

        def forward(event: Event) -> None:
            # Called on the training thread: only messages cross to the UI.
            message = BatchUpdate(event) if isinstance(event, BatchProgress) else None
            self.post_message(message or TrainingEvent(event))
            if isinstance(event, RunStarted) and earlier:  # after it: a start clears the charts
                self.post_message(LineageRead(earlier))

        try:
            store = RunStore.open(app_host(self).options.runs)
            earlier = lineage_history(store, parent) if parent else []
        except RunStoreError as error:  # the run still trains; it is only not recorded
            self.post_message(RunRecorded(None, fallback_save, str(error)))
            return fit(
                config, forward, stop_flag, data=(train, test), save=fallback_save, resume=path
            )
        with store:
            recorder = RunRecorder(store, "tui", parent=parent)
            result = fit(
                config, forward, stop_flag, data=(train, test), resume=path, record=recorder
            )
            saved = Path(result.checkpoint) if result.checkpoint else None
            self.post_message(RunRecorded(recorder.run_id, saved, recorder.error))
        return result

    @on(LineageRead)
    def lineage_read(self, message: LineageRead) -> None:
        self.query_one(MetricCharts).show_earlier(message.epochs)

    @on(RunRecorded)
    def run_recorded(self, message: RunRecorded) -> None:
        self.checkpoint, self.recorded_id = message.checkpoint, message.run_id
        if message.problem:
            self.notify(
                f"This run is not recorded: {message.problem}", title="Runs", severity="warning"
            )

    @on(Worker.StateChanged)
    def worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "training" or not event.worker.is_finished:
            return
        self.running = False
        app_host(self).stop_events.discard(self.stop_flag)
        result = event.worker.result
        if result is None or not result.ok or result.model is None or self.started is None:
            return  # a failed run, or a followed one (it becomes current once its file is read)
        outcome = result.outcome
        if outcome.test_acc is None:
            return  # stopped before its first epoch ended: nothing trained to show
        app_host(self).trained = TrainedModel(
            result.model,
            run_source(self.recorded_id, outcome.epochs_done, outcome.test_acc),
            run_id=self.recorded_id,
            checkpoint=str(self.checkpoint) if self.checkpoint else None,
            config=self.started.config,
            history=tuple(result.history),
        )

    def watch_running(self, running: bool) -> None:
        self.query_one(TrainForm).set_enabled(not running)

    def action_leave_field(self) -> None:
        self.set_focus(None)

    # Events from the run -----------------------------------------------------------------

    @on(BatchUpdate)
    def batch_update(self, message: BatchUpdate) -> None:
        self.apply_event(message.event)

    @on(TrainingEvent)
    def training_event(self, message: TrainingEvent) -> None:
        self.apply_event(message.event)

    def on_screen_resume(self) -> None:
        """Paint what the run did while the screen was covered (by the palette, a dialog or
        another screen). Covered, the live widgets keep their data but do not paint: Textual
        redraws the whole covered screen, dimmed, under the one in front whenever anything on
        it changes, and with progress five times a second that kept the UI thread so busy that
        typing in the palette during a run took seconds a key."""
        self.fill_table_backlog()
        self.query_one(RunStatus).repaint()
        self.query_one(EpochBar).refresh()
        self.query_one(SystemPanel).draw()
        self.query_one(MetricCharts).catch_up()

    def fill_table_backlog(self) -> None:
        """The epochs that ended while the screen was covered, into the table."""
        table = self.query_one(EpochTable)
        for event in self.table_backlog:
            table.add_epoch(event)
        self.table_backlog.clear()

    def reset_run(self) -> None:
        self.table_backlog.clear()
        self.started = None
        self.outcome = None
        self.query_one(EpochTable).clear_run()
        self.query_one(EpochBar).set_progress(0, 0)
        self.query_one(SystemPanel).set_torch_peak(None)  # the last run's peak is not this one's
        self.query_one("#result").display = False
        self.remove_class("-finished")
        self.query_one(MetricCharts).clear()

    def progress_due(self, event: BatchProgress) -> bool:
        """Whether the bar and status line repaint for this report: at most every
        PROGRESS_REPAINT_S, and always at an epoch's end. Each repaint is a frame composed on
        the UI thread, which shares the GIL and the cores with training."""
        now = time.monotonic()
        if event.batch < event.batches and now - self.progress_painted < PROGRESS_REPAINT_S:
            return False
        self.progress_painted = now
        return True

    def apply_event(self, event: Event) -> None:
        """Hand one core event to the widgets it concerns; recorded runs replay through here."""
        match event:
            case RunStarted():
                self.reset_run()
                self.started = event
                self.query_one(EpochTable).reserve(event.start_epoch, event.config.epochs)
                self.query_one(MetricCharts).begin(event.config.lr)
                for note in event.notes:  # how the step runs: C, CUDA graph, or a slower fallback
                    self.notify(note, title="Training")
            case BatchProgress():
                self.query_one(MetricCharts).add_batch(event.loss, event.step)
                if not self.progress_due(event):
                    return  # the sample is kept for the chart; the bar and status wait
                self.query_one(EpochBar).set_progress(event.batch, event.batches)
            case EpochEnd():
                if self.is_active:
                    self.query_one(EpochTable).add_epoch(event)
                else:
                    self.table_backlog.append(event)
                self.query_one(MetricCharts).add_epoch(event)
                if event.peak_gpu_mb:
                    self.query_one(SystemPanel).set_torch_peak(event.peak_gpu_mb)
            case RunFinished():
                self.outcome = event
                self.fill_table_backlog()
                self.query_one(EpochTable).trim()
                self.query_one(MetricCharts).end()  # the last epochs and samples, at once
                self.query_one("#result").display = True
                self.add_class("-finished")
                acc = "-" if event.test_acc is None else f"{event.test_acc * 100:.2f}%"
                self.query_one("#final-acc", Digits).update(acc)
                brief = self.has_class("-compact")
                self.query_one("#verdict", Static).update(verdict(self.history, brief))
            case RunFailed():
                self.outcome = event
                self.fill_table_backlog()
                self.query_one(EpochTable).trim()
                self.query_one(MetricCharts).end()
                self.notify(event.reason, title="Training failed", severity="error", timeout=10)
        self.query_one(RunStatus).show(event)

    # After a run -------------------------------------------------------------------------

    def action_save(self) -> None:
        saved = self.checkpoint
        if self.running or saved is None or not saved.exists() or not self.history:
            shown = self.shown_without_weights()
            self.notify(
                f"Run {shown} has no checkpoint to save."
                if shown
                else "Nothing to save yet: train a model first (s).",
                severity="warning",
            )
            return
        default = Path.cwd() / f"mnist-{time.strftime('%Y%m%d-%H%M%S')}.pt"
        self.app.push_screen(SaveCheckpointScreen(saved, default))

    async def action_evaluate(self) -> None:
        shown = self.shown_without_weights()
        if shown is not None and self.checkpoint is not None and self.checkpoint.exists():
            # A failed run kept its last finished epoch's weights: evaluate those, its own.
            await app_host(self).evaluate_run(shown)
            return
        if shown is not None:
            self.notify(f"Run {shown} has no checkpoint to evaluate.", severity="warning")
            return
        if app_host(self).trained is None:
            self.notify("No trained model yet: press s to train one.", severity="warning")
            return
        self.app.switch_mode("evaluate")

    def shown_without_weights(self) -> str | None:
        """The id of the ended run this screen shows when it is not the current run (a sweep
        member or a failed run has no weights to take): `w` and `e` must then refuse, not
        act on the current run, which is another. None when they may act."""
        shown, trained = self.recorded_id, app_host(self).trained
        if self.running or shown is None or (trained is not None and trained.run_id == shown):
            return None
        return shown


CHANCE_LEVEL = 0.2  # accuracy below this on both splits: ten classes, and nothing learned


def verdict(history: list[EpochEnd], brief: bool = False) -> str:
    """The lesson's reading of the last epoch: how far test accuracy trails training accuracy.

    `brief` is two short lines, for the compact layout's narrow column beside the big digits.
    """
    if not history:
        return "No epoch finished."
    last = history[-1]
    gap = (last.train_acc - last.test_acc) * 100
    # Ten classes: a network near 10% on both splits learned nothing, so it cannot overfit.
    guessing = max(last.train_acc, last.test_acc) < CHANCE_LEVEL
    if brief:
        reading = f"gap {gap:.2f} points: overfitting" if gap > 0 else "no overfitting yet"
        reading = "about chance: it learned nothing" if guessing else reading
        return f"train {last.train_acc:.2%} · test {last.test_acc:.2%}\n{reading}"
    line = f"test accuracy\ntrain {last.train_acc:.2%} · test {last.test_acc:.2%}\n"
    if guessing:
        return line + (
            "Both are about what guessing among ten digits gets: the network learned nothing, "
            "so there is no gap to read (a learning rate far too high, say)."
        )
    if gap > 0:
        return line + (
            f"The network does {gap:.2f} points better on images it trained on than on new "
            "ones: that gap is overfitting."
        )
    return line + "Test accuracy is not below training accuracy: no sign of overfitting yet."
