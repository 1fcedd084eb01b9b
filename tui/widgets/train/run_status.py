"""The lines above the progress bar: what the run is doing now, and its elapsed time and ETAs."""

from __future__ import annotations

import time

from textual.widgets import Static

from core.events import BatchProgress, EpochEnd, Event, RunFailed, RunFinished, RunStarted
from core.wording import counted
from tui.widgets.train.run_clock import RunClock


class RunStatus(Static):
    """Shows the newest event; `epochs` is the run's total, for "Epoch 2/5"."""

    # A fixed height, so the per-batch repaint never needs a layout pass (see `show`).
    DEFAULT_CSS = "RunStatus { height: 3; }"

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(text, **kwargs)
        self.epochs: int | str = "?"
        # The run recorded elsewhere that is shown live: "1a2b3c4d (headless on gpu-box)".
        self.following: str | None = None
        self.clock = RunClock()
        self.headline = text

    def on_mount(self) -> None:
        # Elapsed time moves on while no batch arrives (the test set is being evaluated).
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        if self.clock.started_at is not None and self.clock.final is None:
            self.repaint()

    def repaint(self, layout: bool = False) -> None:
        if not self.screen.is_active:  # covered: the screen repaints it on resume (TrainScreen)
            return
        timing = self.clock.text(time.monotonic())
        self.update(f"{self.headline}\n{timing}" if timing else self.headline, layout=layout)

    def show(self, event: Event) -> None:
        self.clock.feed(event, time.monotonic())
        match event:
            case RunStarted():
                self.epochs = event.config.epochs
                where = f"Following run {self.following}: " if self.following else "Training "
                self.headline = (
                    f"{where}{event.parameters:,} parameters on {event.device} · "
                    f"{event.train_size:,} train / {event.test_size:,} test"
                )
            case BatchProgress():
                # Up to ten times a second: a repaint of these lines only. A layout pass (the
                # default) re-renders the whole screen, charts included, and cost the training
                # thread about half its speed (python -m scripts.app_epoch).
                following = f"Following run {self.following} · " if self.following else ""
                self.headline = (
                    f"{following}Epoch {event.epoch + 1}/{self.epochs} · "
                    f"batch {event.batch}/{event.batches}"
                    f" · loss {event.loss:.4f} · acc {event.acc:.2%}"
                    f" · {event.samples_per_s:,.0f} samples/s"
                )
                self.repaint()
                return
            case EpochEnd():
                peak = event.peak_gpu_mb
                memory = f" · peak GPU memory {peak:,.0f} MB" if peak else ""
                self.headline = (
                    f"Epoch {event.epoch + 1} trained in {event.seconds:.2f} s, "
                    f"{event.samples_per_s:,.0f} samples/s{memory}"
                )
            case RunFinished() if event.test_acc is None:
                self.headline = "Run stopped before its first epoch ended: nothing to keep."
            case RunFinished():
                how = "stopped" if event.stopped else "finished"
                # A stop inside an epoch keeps the last finished epoch: say which figures these are.
                which = f" (as after epoch {event.epochs_done})" if event.stopped else ""
                who = f"Run {self.following}" if self.following else "Run"
                self.headline = (
                    f"{who} {how}: {counted(event.epochs_done, 'epoch')}, test accuracy "
                    f"{event.test_acc:.2%}{which}. w saves a checkpoint, e evaluates."
                )
            case RunFailed():
                where = (
                    f" (epoch {event.epoch}, step {event.step})" if event.epoch is not None else ""
                )
                self.headline = f"[b red]Failed[/]{where}: {event.reason}"
        self.repaint(layout=False)

    def say(self, text: str) -> None:
        """A message of the screen's own (stopping, following) above the run's timing."""
        self.headline = text
        self.repaint()
