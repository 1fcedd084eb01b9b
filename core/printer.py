"""Training events as terminal lines: the notebook's epoch lines, a Rich progress bar on a tty.

No UI here: `mnist-tui train --headless` runs on machines (a GPU box, CI) with only torch and rich.
"""

from __future__ import annotations

from typing import Any

from core.events import BatchProgress, EpochEnd, Event, RunFailed, RunFinished, RunStarted
from core.wording import counted


class EventPrinter:
    """Turns events into the notebook's lines, with a Rich progress bar on a terminal."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console()
        self.progress: Any = None
        self.task: Any = None
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("epoch {task.fields[epoch]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]:.3f}  acc {task.fields[acc]:.3f}"),
                TextColumn("{task.fields[rate]:,.0f} samples/s"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._line(
                f"Training {event.parameters:,} parameters on {event.device}: "
                f"{event.config.dataset} {event.train_size:,} train / {event.test_size:,} test"
                + (f", resuming at epoch {event.start_epoch}" if event.start_epoch else "")
            )
            for note in event.notes:
                self._line(f"note: {note}")
        elif isinstance(event, BatchProgress) and self.progress is not None:
            if self.task is None:
                self.progress.start()
                self.task = self.progress.add_task(
                    "train", total=event.batches, epoch=event.epoch, loss=0.0, acc=0.0, rate=0.0
                )
            self.progress.update(
                self.task,
                completed=event.batch,
                epoch=event.epoch,
                loss=event.loss,
                acc=event.acc,
                rate=event.samples_per_s,
            )
        elif isinstance(event, EpochEnd):
            # The notebook's own line, so the two can be compared side by side.
            self._line(
                f"Epoch : {event.epoch}  Loss : {event.train_loss:.3f}  Acc : {event.train_acc:.3f}"
            )
            if self.task is not None:
                self.progress.reset(self.task)
        elif isinstance(event, RunFinished):
            self.close()
            if event.stopped:
                self._line(f"stopped after {counted(event.epochs_done, 'epoch')}")
            self._line(f"Test set Accuracy : {event.test_acc:.2%}")
        elif isinstance(event, RunFailed):
            self.close()

    def _line(self, text: str) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.console.print(text, highlight=False, markup=False)
        else:
            print(text, flush=True)

    def close(self) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.stop()
            self.task = None
