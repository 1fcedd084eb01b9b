"""The status line's elapsed time and ETAs, fed real event objects at chosen times."""

from __future__ import annotations

from core.config import TrainConfig
from core.events import BatchProgress, EpochEnd, RunFailed, RunFinished, RunStarted
from tui.widgets.train.run_clock import RunClock, clock, duration

STARTED = RunStarted(TrainConfig(epochs=3, batch_size=100), "cpu", 10, 6000, 1000, 0, "test")


def batch(epoch: int, done: int, per_s: float = 1000.0) -> BatchProgress:
    return BatchProgress(epoch, done, 60, epoch * 60 + done, 0.5, 0.8, per_s)


def end(epoch: int) -> EpochEnd:
    return EpochEnd(epoch, 0.4, 0.9, 0.5, 0.88, 6.0, 1000.0, None)


def test_clock_and_duration_read_like_a_stopwatch():
    assert clock(7.4) == "0:07" and clock(725) == "12:05" and clock(3723) == "1:02:03"
    assert duration(12.34) == "12.3 s" and duration(125) == "2:05"


def test_etas_for_the_epoch_and_the_run_while_it_trains():
    run = RunClock()
    assert run.text(0.0) == ""
    run.feed(STARTED, 100.0)
    assert run.text(101.0).startswith("elapsed 0:01")
    run.feed(batch(0, 30), 103.0)  # 30 of 60 batches of 100 at 1,000 samples/s: 3 s left
    assert run.text(103.0) == "elapsed 0:03 · ETA epoch 0:03 · run 0:15"
    run.feed(end(0), 108.0)  # the epoch took 8 s of wall time, evaluation included
    run.feed(batch(1, 30), 111.0)
    assert run.text(111.0) == "elapsed 0:11 · ETA epoch 0:03 · run 0:11"


def test_no_eta_is_left_standing_after_the_run():
    run = RunClock()
    run.feed(STARTED, 0.0)
    run.feed(batch(0, 30), 3.0)
    run.feed(RunFinished(0.9, 12.34, 3, stopped=False), 13.0)
    assert run.text(99.0) == "done in 12.3 s"
    run.feed(STARTED, 0.0)
    run.feed(RunFinished(0.5, 4.06, 0, stopped=True), 4.0)
    assert run.text(50.0) == "stopped after 4.1 s"
    run.feed(STARTED, 0.0)
    run.feed(RunFailed("loss became nan"), 2.5)
    assert run.text(50.0) == "failed after 2.5 s"


def test_a_followed_run_counts_elapsed_from_its_own_start():
    """Joined 95 s into a run recorded elsewhere: elapsed says 1:35, not 0:00."""
    import dataclasses

    followed = dataclasses.replace(STARTED, began_at=1_000_000.0)
    run = RunClock()
    run.feed(followed, 50.0, wall_now=1_000_095.0)
    assert run.text(50.0).startswith("elapsed 1:35")
    assert run.text(55.0).startswith("elapsed 1:40")
    # A start time ahead of this machine's clock (another machine's clock) is not negative.
    run.feed(dataclasses.replace(STARTED, began_at=2_000_000.0), 50.0, wall_now=1_000_000.0)
    assert run.text(50.0).startswith("elapsed 0:00")
