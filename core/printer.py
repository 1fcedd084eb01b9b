"""Training events as terminal lines: the notebook's epoch lines, Rich progress bars on a tty.

No UI here: `mnist-tui train --headless`, `bench` and `sweep` run on machines (a GPU box, CI)
with only torch and rich. Bars and the starting status are drawn only on a terminal and vanish
when done; in a pipe or a log only the lines are written.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from core.events import BatchProgress, EpochEnd, Event, RunFailed, RunFinished, RunStarted
from core.wording import counted


class ProgressBars:
    """One bar per run within its epoch (a sweep has one per member in training), with lines
    printed above them. Shared by the train, bench and sweep printers."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console()
        self.progress: Any = None
        self.tasks: dict[Hashable, Any] = {}
        self.status: Any = None  # what a command is doing before its first event
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("{task.description}epoch {task.fields[epoch]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]:.3f}  acc {task.fields[acc]:.3f}"),
                TextColumn("{task.fields[rate]:,.0f} samples/s"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )

    def starting(self, text: str) -> None:
        """Say what happens before the first event (importing torch, loading the data)."""
        if not self.console.is_terminal:
            return
        if self.status is None:
            self.status = self.console.status(text)
            self.status.start()
        else:
            self.status.update(text)

    def update(self, key: Hashable, label: str, event: BatchProgress) -> None:
        """Move the bar of run `key`; a new key gets a bar led by `label` ("" for none)."""
        if self.progress is None:
            return
        self.end_status()
        if key not in self.tasks:
            if not self.tasks:
                self.progress.start()
            self.tasks[key] = self.progress.add_task(
                f"{label}  " if label else "",
                total=event.batches,
                epoch=event.epoch,
                loss=0.0,
                acc=0.0,
                rate=0.0,
            )
        self.progress.update(
            self.tasks[key],
            total=event.batches,
            completed=event.batch,
            epoch=event.epoch,
            loss=event.loss,
            acc=event.acc,
            rate=event.samples_per_s,
        )

    def epoch_done(self, key: Hashable) -> None:
        if key in self.tasks:
            self.progress.reset(self.tasks[key])

    def remove(self, key: Hashable) -> None:
        """The run ended: its bar goes, and the bars stop when none is left."""
        task = self.tasks.pop(key, None)
        if task is not None:
            self.progress.remove_task(task)
            if not self.tasks:
                self.progress.stop()

    def line(self, text: str) -> None:
        """A line of output, above the bars while they are shown."""
        self.end_status()
        if self.tasks:
            self.progress.console.print(text, highlight=False, markup=False)
        else:
            print(text, flush=True)

    def close(self) -> None:
        self.end_status()
        for key in list(self.tasks):
            self.remove(key)

    def end_status(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


class EventPrinter:
    """Turns a run's events into the notebook's lines, with a progress bar on a terminal.

    `lines=False` draws only the bar: `bench` says what it times in lines of its own.
    """

    def __init__(self, lines: bool = True) -> None:
        self.bars = ProgressBars()
        self.lines = lines

    def starting(self, text: str) -> None:
        self.bars.starting(text)

    def __call__(self, event: Event) -> None:
        if isinstance(event, BatchProgress):
            self.bars.update(None, "", event)
            return
        self.bars.end_status()  # the run has started
        if isinstance(event, EpochEnd):
            self.bars.epoch_done(None)
        elif isinstance(event, (RunFinished, RunFailed)):
            self.bars.close()
        if not self.lines:
            return
        if isinstance(event, RunStarted):
            self.line(
                f"Training {event.parameters:,} parameters on {event.device}: "
                f"{event.config.dataset} {event.train_size:,} train / {event.test_size:,} test"
                + (f", resuming at epoch {event.start_epoch}" if event.start_epoch else "")
            )
            for note in event.notes:
                self.line(f"note: {note}")
        elif isinstance(event, EpochEnd):
            # The notebook's own line, so the two can be compared side by side.
            self.line(
                f"Epoch : {event.epoch}  Loss : {event.train_loss:.3f}  Acc : {event.train_acc:.3f}"
            )
        elif isinstance(event, RunFinished):
            if event.stopped:
                self.line(f"stopped after {counted(event.epochs_done, 'epoch')}")
            if event.test_acc is None:
                self.line("no test accuracy: stopped before the first epoch ended")
            else:
                self.line(f"Test set Accuracy : {event.test_acc:.2%}")

    def line(self, text: str) -> None:
        """A line of the caller's own, above the bar while it is shown."""
        self.bars.line(text)

    def close(self) -> None:
        self.bars.close()
