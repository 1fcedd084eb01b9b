"""Elapsed time and the two ETAs (this epoch, the whole run), from the run's own events.

Plain Python, no Textual: the status line asks it for text at its bounded repaint rate.
"""

from __future__ import annotations

import time

from core.events import BatchProgress, EpochEnd, Event, RunFailed, RunFinished, RunStarted


def clock(seconds: float) -> str:
    """0:07, 12:05, 1:02:03: whole seconds, so a line repainted ten times a second holds still."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration(seconds: float) -> str:
    """A finished span: tenths of a second below a minute, a clock above."""
    return f"{seconds:.1f} s" if seconds < 60 else clock(seconds)


class RunClock:
    """Feeds on events with the time each arrived; `text(now)` says where the run stands."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the last run: a new one starts."""
        self.started_at: float | None = None
        self.epochs = 0
        self.batch_size = 1
        self.epoch_started_at = 0.0
        self.epoch_walls: list[float] = []  # wall time of each finished epoch, evaluation included
        self.last: BatchProgress | None = None
        self.final: str | None = None  # once the run is over, the one thing left to say

    def feed(self, event: Event, now: float, wall_now: float | None = None) -> None:
        """`now` on the clock `text` is asked with; `wall_now` is time.time() (by default),
        against which a followed run's RunStarted says when it began."""
        match event:
            case RunStarted():
                self.reset()
                self.started_at = self.epoch_started_at = now
                if event.began_at is not None:  # followed: elapsed counts from its real start
                    wall_now = time.time() if wall_now is None else wall_now
                    self.started_at = now - max(0.0, wall_now - event.began_at)
                self.epochs, self.batch_size = event.config.epochs, event.config.batch_size
            case BatchProgress():
                self.last = event
            case EpochEnd():
                # A followed run's recorded epochs arrive in a burst, a moment apart: then the
                # epoch's own training time is the better measure of how long one takes.
                self.epoch_walls.append(max(now - self.epoch_started_at, event.seconds))
                self.epoch_started_at = now
                self.last = None
            case RunFinished():
                how = "stopped after" if event.stopped else "done in"
                self.final = f"{how} {duration(event.seconds)}"
            case RunFailed():
                began = self.started_at
                self.final = "failed" if began is None else f"failed after {duration(now - began)}"

    def text(self, now: float) -> str:
        if self.final is not None:
            return self.final
        if self.started_at is None:
            return ""
        elapsed = f"elapsed {clock(now - self.started_at)}"
        last = self.last
        if last is None or last.samples_per_s <= 0:
            return f"{elapsed} · ETA after the first batches"
        epoch_left = (last.batches - last.batch) * self.batch_size / last.samples_per_s
        if self.epoch_walls:
            per_epoch = sum(self.epoch_walls) / len(self.epoch_walls)
        else:  # no epoch measured yet: training time only, the evaluation is not known
            per_epoch = last.batches * self.batch_size / last.samples_per_s
        later_epochs = max(0, self.epochs - last.epoch - 1)
        run_left = epoch_left + later_epochs * per_epoch
        return f"{elapsed} · ETA epoch {clock(epoch_left)} · run {clock(run_left)}"
