"""The line above the progress bar: what the run is doing now, in words."""

from __future__ import annotations

from textual.widgets import Static

from core.events import BatchProgress, EpochEnd, Event, RunFailed, RunFinished, RunStarted
from core.wording import counted


class RunStatus(Static):
    """Shows the newest event; `epochs` is the run's total, for "Epoch 2/5"."""

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(text, **kwargs)
        self.epochs: int | str = "?"
        self.following: str | None = None  # the id of a run recorded elsewhere, shown live

    def show(self, event: Event) -> None:
        match event:
            case RunStarted():
                self.epochs = event.config.epochs
                where = f"Following run {self.following}: " if self.following else "Training "
                self.update(
                    f"{where}{event.parameters:,} parameters on {event.device} · "
                    f"{event.train_size:,} train / {event.test_size:,} test"
                )
            case BatchProgress():
                # Up to ten times a second: a repaint of this line only. A layout pass (the
                # default) re-renders the whole screen, charts included, and cost the training
                # thread about half its speed (python -m scripts.app_epoch).
                self.update(
                    f"Epoch {event.epoch + 1}/{self.epochs}  "
                    f"batch {event.batch}/{event.batches}  "
                    f"loss {event.loss:.4f}  acc {event.acc:.4f}  "
                    f"{event.samples_per_s:,.0f} samples/s",
                    layout=False,
                )
            case EpochEnd():
                memory = (
                    f"  peak GPU memory {event.peak_gpu_mb:,.0f} MB" if event.peak_gpu_mb else ""
                )
                self.update(
                    f"Epoch {event.epoch + 1} done in {event.seconds:.2f} s, "
                    f"{event.samples_per_s:,.0f} samples/s{memory}"
                )
            case RunFinished():
                how = "stopped" if event.stopped else "finished"
                self.update(
                    f"Run {how}: {counted(event.epochs_done, 'epoch')} in {event.seconds:.1f} s. "
                    "w saves a checkpoint, e evaluates the model."
                )
            case RunFailed():
                where = (
                    f" (epoch {event.epoch}, step {event.step})" if event.epoch is not None else ""
                )
                self.update(f"[b red]Failed[/]{where}: {event.reason}")
