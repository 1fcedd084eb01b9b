"""Screen 3: configure the lesson's training, run it in a thread worker, watch it live."""

from __future__ import annotations

import gc
import os
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
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Digits, Footer, Header, ProgressBar, Static
from textual.worker import Worker, WorkerState

from core.config import ConfigError, TrainConfig
from core.events import BatchProgress, EpochEnd, RunFailed, RunFinished, RunStarted
from tui.messages import BatchUpdate, SystemInfo, TrainingEvent
from tui.screens.save_checkpoint import SaveCheckpointScreen
from tui.widgets.metric_charts import MetricCharts
from tui.widgets.train_form import TrainForm

DEFAULTS = {
    "epochs": 5,
    "batch_size": 64,
    "lr": 1e-3,
    "optimizer": "rmsprop",
    "hidden": 512,
    "seed": 0,
}


class TrainScreen(Screen):
    """Settings, summary and device; then live progress and charts; then the verdict."""

    TITLE = "mnist-tui · Train"
    # Nothing focused on arrival ("" - None would mean the app's "*"), so `s` reaches the screen
    # until the user tabs into a field.
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("s", "start_stop", "Start/stop", id="start_stop"),
        Binding("w", "save", "Save checkpoint", id="save"),
        Binding("e", "evaluate", "Evaluate", id="evaluate"),
        Binding("escape", "leave_field", "Leave field", show=False, id="leave_field"),
    ]

    running: reactive[bool] = reactive(False)

    def __init__(self) -> None:
        super().__init__()
        self.stop_flag = threading.Event()
        self.history: list[EpochEnd] = []
        self.batch_losses: list[float] = []
        self.started: RunStarted | None = None
        self.outcome: RunFinished | RunFailed | None = None
        # Each run checkpoints here after every epoch, for `w` to copy where the user wants it.
        # A temp folder per app: two apps never share it, and no user folder must be writable.
        self.autosave: Path | None = None
        self.autosave_folder: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="train-main"):
            with VerticalScroll(id="train-left", can_focus=False):
                yield TrainForm(self.defaults(), id="train-form")
                yield Static("Reading the device and model…", id="system")
            with Vertical(id="train-right"):
                yield Static("Press s to train.", id="run-status")
                # A total from the start: an indeterminate bar animates, and snapshots would vary.
                yield ProgressBar(total=1, show_eta=True, id="epoch-progress")
                with Horizontal(id="result"):
                    yield Digits("", id="final-acc")
                    yield Static("", id="verdict")
                yield DataTable(id="epochs", cursor_type="none", zebra_stripes=True)
                yield MetricCharts(id="charts")
        yield Footer(compact=True)

    def defaults(self) -> dict:
        options = self.app.options
        values = {**DEFAULTS, **options.training}
        values["device"] = options.device
        values["dataset"] = options.dataset
        return values

    def on_mount(self) -> None:
        table = self.query_one("#epochs", DataTable)
        table.add_columns("epoch", "loss", "acc", "test loss", "test acc", "seconds")
        self.query_one("#result").display = False
        self.describe_system()

    # Before a run --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="system-info", exit_on_error=False)
    def describe_system(self) -> None:
        """Import torch off the UI thread (seconds on a small machine), then report."""
        from core.model import SimpleNN, summarize

        hidden = self.defaults()["hidden"]
        summary = summarize(SimpleNN(hidden))
        rows = [(r.name, str(list(r.output_shape)), r.parameters) for r in summary.rows]
        device = system_description(self.defaults()["device"])
        self.post_message(SystemInfo(device, rows, summary.total_parameters))

    @on(SystemInfo)
    def show_system(self, message: SystemInfo) -> None:
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
            self.stop_flag.set()
            self.query_one("#run-status", Static).update("Stopping after this step…")
            return
        config = self.config_from_form()
        if config is None:
            return
        dataset = self.app.dataset
        if dataset is None or dataset.name != config.dataset:
            self.ask_for_dataset(config.dataset)
            return
        self.reset_run()
        gc.freeze()  # what the UI built since start-up is long-lived too (see app.py)
        self.running = True
        self.stop_flag = threading.Event()
        self.app.stop_events.add(self.stop_flag)
        self.train_in_background(
            config, dataset.train, dataset.test, self.stop_flag, self.autosave_path()
        )

    def ask_for_dataset(self, name: str) -> None:
        """The form names another dataset than the one loaded: load it, or say why not."""
        if self.app.loading_data:
            self.notify("Still loading data; press s again when it is ready.")
        elif self.app.requested_dataset == name and self.app.data_problem:
            self.notify(
                f"{name} could not be loaded, so synthetic digits are loaded instead: choose "
                "dataset synthetic to train on them, or restart with --data-dir DIR.",
                title="Cannot start",
                severity="error",
                timeout=10,
            )
        else:
            self.app.load_dataset(name)
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
        settings, problem = self.query_one(TrainForm).values()
        if problem:
            self.notify(problem, title="Cannot start", severity="error")
            return None
        try:
            return TrainConfig(**settings)
        except ConfigError as error:
            self.notify(str(error), title="Cannot start", severity="error")
            return None

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def train_in_background(
        self, config, train, test, stop_flag: threading.Event, save: Path | None
    ) -> object:
        from core.train import fit

        def forward(event) -> None:
            # Called on the training thread: only messages cross to the UI.
            message = BatchUpdate(event) if isinstance(event, BatchProgress) else None
            self.post_message(message or TrainingEvent(event))

        return fit(config, forward, stop_flag, data=(train, test), save=save)

    @on(Worker.StateChanged)
    def worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "training" and event.worker.group != "system-info":
            return
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{type(error).__name__}: {error}", title="Training", severity="error")
        if event.worker.group != "training" or not event.worker.is_finished:
            return
        self.running = False
        self.app.stop_events.discard(self.stop_flag)
        result = event.worker.result
        if result is not None and result.ok and result.model is not None:
            self.app.trained_model = result.model
            outcome = result.outcome
            self.app.model_source = (
                f"the last run ({outcome.epochs_done} epochs, {outcome.test_acc:.2%})"
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

    def reset_run(self) -> None:
        self.history.clear()
        self.batch_losses.clear()
        self.started = None
        self.outcome = None
        self.query_one("#epochs", DataTable).clear()
        self.query_one("#result").display = False
        self.query_one(MetricCharts).show(self.history, self.batch_losses)

    def apply_event(self, event) -> None:
        """Update the screen for one core event; recorded streams replay through here too."""
        status = self.query_one("#run-status", Static)
        progress = self.query_one("#epoch-progress", ProgressBar)
        if isinstance(event, RunStarted):
            self.reset_run()
            self.started = event
            status.update(
                f"Training {event.parameters:,} parameters on {event.device} · "
                f"{event.train_size:,} train / {event.test_size:,} test"
            )
            for note in event.notes:  # how the step runs: C, CUDA graph, or a slower fallback
                self.notify(note, title="Training")
        elif isinstance(event, BatchProgress):
            progress.update(total=event.batches, progress=event.batch)
            self.batch_losses.append(event.loss)
            total_epochs = self.started.config.epochs if self.started else "?"
            status.update(
                f"Epoch {event.epoch + 1}/{total_epochs}  batch {event.batch}/{event.batches}  "
                f"loss {event.loss:.4f}  acc {event.acc:.4f}  "
                f"{event.samples_per_s:,.0f} samples/s"
            )
            self.query_one(MetricCharts).show_batches(self.batch_losses)
        elif isinstance(event, EpochEnd):
            self.history.append(event)
            self.query_one("#epochs", DataTable).add_row(
                str(event.epoch),
                f"{event.train_loss:.4f}",
                f"{event.train_acc:.4f}",
                f"{event.test_loss:.4f}",
                f"{event.test_acc:.4f}",
                f"{event.seconds:.2f}",
            )
            memory = f"  peak GPU memory {event.peak_gpu_mb:,.0f} MB" if event.peak_gpu_mb else ""
            status.update(
                f"Epoch {event.epoch + 1} done in {event.seconds:.2f} s, "
                f"{event.samples_per_s:,.0f} samples/s{memory}"
            )
            self.query_one(MetricCharts).show(self.history, self.batch_losses)
        elif isinstance(event, RunFinished):
            self.outcome = event
            self.show_result(event)
        elif isinstance(event, RunFailed):
            self.outcome = event
            where = f" (epoch {event.epoch}, step {event.step})" if event.epoch is not None else ""
            status.update(f"[b red]Failed[/]{where}: {event.reason}")
            self.notify(event.reason, title="Training failed", severity="error", timeout=10)

    def show_result(self, event: RunFinished) -> None:
        self.query_one("#result").display = True
        self.query_one("#final-acc", Digits).update(f"{event.test_acc * 100:.2f}%")
        how = "stopped" if event.stopped else "finished"
        self.query_one("#run-status", Static).update(
            f"Run {how}: {event.epochs_done} epoch(s) in {event.seconds:.1f} s. "
            "w saves a checkpoint, e evaluates the model."
        )
        self.query_one("#verdict", Static).update(verdict(self.history))

    # After a run -------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.running or self.autosave is None or not self.autosave.exists() or not self.history:
            self.notify("Nothing to save yet: train a model first (s).", severity="warning")
            return
        default = Path.cwd() / f"mnist-{time.strftime('%Y%m%d-%H%M%S')}.pt"
        self.app.push_screen(SaveCheckpointScreen(self.autosave, default))

    def action_evaluate(self) -> None:
        if getattr(self.app, "trained_model", None) is None:
            self.notify("No trained model yet: press s to train one.", severity="warning")
            return
        self.app.switch_mode("evaluate")


def system_description(choice: str) -> str:
    """The GPU's name and memory, or the CPU and the threads training will use."""
    import torch

    from core.config import default_threads

    if choice != "cpu" and torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        return f"{props.name}, {props.total_memory / 2**30:.0f} GiB"
    if choice == "cuda":
        return "cuda asked for, but no CUDA GPU is available"
    cores = os.cpu_count() or 1
    return f"CPU, {default_threads()} of {cores} cores for training"


def verdict(history: list[EpochEnd]) -> str:
    """The lesson's reading of the last epoch: how far test accuracy trails training accuracy."""
    if not history:
        return "No epoch finished."
    last = history[-1]
    gap = (last.train_acc - last.test_acc) * 100
    line = f"test accuracy\ntrain {last.train_acc:.2%} · test {last.test_acc:.2%}\n"
    if gap > 0:
        return line + (
            f"The network does {gap:.2f} points better on images it trained on than on new "
            "ones: that gap is overfitting."
        )
    return line + "Test accuracy is not below training accuracy: no sign of overfitting yet."
