"""A sweep as terminal lines: one per member epoch and per member end, each led by the member's
place and label, with a progress bar per member in training on a terminal."""

from __future__ import annotations

import threading

from core.events import BatchProgress, EpochEnd, Event, RunFailed, RunFinished
from core.printer import ProgressBars
from core.sweep.plan import Member, SweepPlan
from core.wording import counted


class SweepPrinter:
    """One line per member epoch and per member end, each led by the member's place and label;
    on a terminal, a progress bar per member in training above them."""

    def __init__(self, plan: SweepPlan) -> None:
        self.total = len(plan)
        self.width = len(str(self.total))
        self.lock = threading.Lock()  # Ray's driver may call from more than one thread
        self.bars = ProgressBars()
        self.label_width = max(len(m.label) for m in plan.members)  # the bars line up

    def starting(self, text: str) -> None:
        with self.lock:
            self.bars.starting(text)

    def __call__(self, member: Member, event: Event) -> None:
        tag = f"[{member.index + 1:>{self.width}}/{self.total}] {member.label}"
        with self.lock:
            if isinstance(event, BatchProgress):
                self.bars.update(
                    member.index, tag.ljust(len(tag) - len(member.label) + self.label_width), event
                )
                return
            if isinstance(event, EpochEnd):
                self.bars.epoch_done(member.index)
                line = (
                    f"{tag}  epoch {event.epoch}  loss {event.train_loss:.3f}  acc "
                    f"{event.train_acc:.3f}  test acc {event.test_acc:.2%}  {event.seconds:.2f} s"
                )
            elif isinstance(event, RunFinished):
                self.bars.remove(member.index)
                ended = (
                    f"stopped after {counted(event.epochs_done, 'epoch')}"
                    if event.stopped
                    else "finished"
                )
                line = f"{tag}  {ended}: test acc {percent(event.test_acc)}"
            elif isinstance(event, RunFailed):
                self.bars.remove(member.index)
                line = f"{tag}  failed: {event.reason}"
            else:
                return
            self.bars.line(line)

    def close(self) -> None:
        with self.lock:
            self.bars.close()


def percent(fraction: float | None) -> str:
    """A test accuracy, or "-" for a member stopped before its first epoch ended."""
    return "-" if fraction is None else f"{fraction:.2%}"
