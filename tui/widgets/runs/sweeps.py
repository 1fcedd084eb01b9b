"""A sweep as one row of the Runs table: its members grouped, summed up and ranked.

The Runs screen already reads every run; a sweep's row is built from its members' rows, so the
group and the runs under it always agree, and no second read of the store is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rich.text import Text

from tui.widgets.runs import columns
from tui.widgets.runs.columns import LIVE, STATUS_STYLES, RunRow, row_text

BEST = "★"  # the best member, readable without colour
OPEN, SHUT = "▾", "▸"  # a sweep row with its members listed under it, or hidden
SPREAD = "\u00d7"  # a times sign, as in "x4": the members' setting spreads over four values


def rank(row: RunRow) -> tuple:
    """Larger is better: a finished result, then a stopped one, then a running figure."""
    run = row.run
    acc = row.test_acc
    return (acc is not None, run.status == "finished", run.test_acc is not None, acc or 0.0)


def best_of(rows: Iterable[RunRow]) -> RunRow | None:
    """The member to mark best: the highest finished result, else the best figure so far."""
    scored = [row for row in rows if row.test_acc is not None]
    return max(scored, key=rank, default=None)


def ranked(rows: Sequence[RunRow]) -> list[RunRow]:
    """Best first by rank(); equals keep their order (the order they started)."""
    return sorted(rows, key=rank, reverse=True)


@dataclass(frozen=True)
class SweepRow:
    """One sweep in the Runs table; its members in the order the store listed them."""

    sweep: str
    members: tuple[RunRow, ...]

    @property
    def key(self) -> str:
        return f"sweep:{self.sweep}"  # run ids are hex, so no run's key looks like this

    @property
    def title(self) -> str:
        return f"sweep {self.sweep}"

    @cached_property
    def best(self) -> RunRow | None:
        return best_of(self.members)

    def count(self, status: str) -> int:
        return sum(row.run.status == status for row in self.members)

    @property
    def running(self) -> int:
        return self.count("running")

    @property
    def started_at(self) -> float:
        return min(row.run.started_at for row in self.members)

    def common(self, value: Callable[[RunRow], Any]) -> tuple[Any, int]:
        """The members' shared value and 1, or None and how many values they spread over."""
        values: dict[str, Any] = {}
        for row in self.members:
            found = value(row)
            values.setdefault(repr(found), found)
        return (next(iter(values.values())), 1) if len(values) == 1 else (None, len(values))

    def status_text(self) -> str:
        ended, total = len(self.members) - self.running, len(self.members)
        if self.running:
            return f"{LIVE}{ended}/{total} done"
        finished = self.count("finished")
        return "finished" if finished == total else f"{finished}/{total} finished"

    def summary(self) -> str:
        """One line, as the detail under the table shows it."""
        parts = [self.title, f"{len(self.members)} runs"]
        for status in ("finished", "running", "stopped", "failed", "interrupted"):
            if n := self.count(status):
                parts.append(f"{n} {status}")
        best = self.best
        if best is not None:
            parts.append(f"best {best.test_acc:.2%} {best.run.label}")
        return " · ".join(parts)


def group(rows: Sequence[RunRow]) -> list[RunRow | SweepRow]:
    """Runs outside a sweep as they are, each sweep's runs folded into one row in its place."""
    members: dict[str, list[RunRow]] = {}
    entries: list[RunRow | str] = []
    for row in rows:
        sweep = row.run.sweep
        if sweep is None:
            entries.append(row)
            continue
        if sweep not in members:
            members[sweep] = []
            entries.append(sweep)
        members[sweep].append(row)
    return [
        SweepRow(entry, tuple(members[entry])) if isinstance(entry, str) else entry
        for entry in entries
    ]


# What each column shows and sorts by for a sweep's row. --------------------------------------


def shared_cell(value: Callable[[RunRow], Any], shown: Callable[[Any], str] = str):
    """The members' common setting, or SPREAD and N when they spread over N values."""

    def cell(sweep: SweepRow) -> str:
        common, spread = sweep.common(value)
        if spread > 1:
            return f"{SPREAD}{spread}"
        return "" if common is None else shown(common)

    return cell


def shared_sort(value: Callable[[RunRow], Any]):
    return lambda sweep: sweep.common(value)[0]


def config(name: str) -> Callable[[RunRow], Any]:
    return lambda row: row.run.config.get(name)


def lr_text(lr: Any) -> str:
    return f"{lr:g}" if isinstance(lr, int | float) else str(lr)


def epochs_done(sweep: SweepRow) -> int:
    return sum(row.run.epochs_done for row in sweep.members)


def epochs_cell(sweep: SweepRow) -> str:
    planned = [row.run.config.get("epochs") for row in sweep.members]
    total = sum(p for p in planned if isinstance(p, int))
    return f"{epochs_done(sweep)}/{total or '?'}"


def acc_value(sweep: SweepRow) -> float | None:
    best = sweep.best
    return None if best is None else best.test_acc


def acc_cell(sweep: SweepRow) -> Text:
    acc = acc_value(sweep)
    return Text("" if acc is None else f"{acc:.2%}", style="bold")


def seconds_value(sweep: SweepRow) -> float | None:
    figures = [r.seconds_per_epoch for r in sweep.members if r.seconds_per_epoch is not None]
    return sum(figures) / len(figures) if figures else None


def seconds_cell(sweep: SweepRow) -> str:
    seconds = seconds_value(sweep)
    return "" if seconds is None else f"{seconds:.2f}"


def status_cell(sweep: SweepRow) -> Text:
    text = sweep.status_text()
    if sweep.running:
        style = STATUS_STYLES["running"]
    elif text == "finished":
        style = ""
    else:
        style = STATUS_STYLES["stopped"]
    return Text(text, style=style)


def best_member(sweep: SweepRow) -> RunRow | None:
    """The member with the best test accuracy at any of its epochs."""
    scored = [row for row in sweep.members if row.run.best_test_acc is not None]
    return max(scored, key=lambda row: row.run.best_test_acc or 0.0, default=None)


def min_loss_value(sweep: SweepRow) -> float | None:
    losses = [row.run.min_test_loss for row in sweep.members]
    return min((loss for loss in losses if loss is not None), default=None)


def duration_value(sweep: SweepRow) -> float:
    """From the first member's start to the last one's end (or newest write, while running)."""
    end = max(row.run.started_at + row.run.duration for row in sweep.members)
    return end - sweep.started_at


SWEEP_CELLS: dict[str, Callable[[SweepRow], str | Text]] = {
    "status": status_cell,
    "when": lambda sweep: columns.when_text(sweep.started_at),
    "dataset": shared_cell(config("dataset")),
    "optimizer": shared_cell(config("optimizer")),
    "lr": shared_cell(config("lr"), lr_text),
    "hidden": shared_cell(config("hidden")),
    "epochs": epochs_cell,
    "test_acc": acc_cell,
    "seconds": seconds_cell,
    "device": shared_cell(lambda row: row.run.device),
    "best": lambda sweep: "" if (row := best_member(sweep)) is None else columns.best_cell(row),
    "min_loss": lambda sweep: "" if (loss := min_loss_value(sweep)) is None else f"{loss:.3f}",
    "duration": lambda sweep: Text(
        columns.duration(duration_value(sweep)), style="dim" if sweep.running else ""
    ),
}
SWEEP_SORT: dict[str, Callable[[SweepRow], Any]] = {
    "name": lambda sweep: sweep.title,
    "status": lambda sweep: sweep.status_text(),
    "when": lambda sweep: sweep.started_at,
    "dataset": shared_sort(config("dataset")),
    "optimizer": shared_sort(config("optimizer")),
    "lr": shared_sort(config("lr")),
    "hidden": shared_sort(config("hidden")),
    "epochs": epochs_done,
    "test_acc": acc_value,
    "seconds": seconds_value,
    "device": shared_sort(lambda row: row.run.device),
    "best": lambda sweep: None if (row := best_member(sweep)) is None else row.run.best_test_acc,
    "min_loss": min_loss_value,
    "duration": duration_value,
}


def sweep_name_cell(sweep: SweepRow, expanded: bool) -> Text:
    return Text(f"{OPEN if expanded else SHUT} {sweep.title}", style="bold")


def sweep_text(sweep: SweepRow) -> str:
    """What the filter looks in for the sweep's own row (its members are looked in apart)."""
    cells = [str(cell(sweep)) for cell in SWEEP_CELLS.values()]
    return " ".join([sweep.title, *cells]).lower()


def matches(entry: RunRow | SweepRow, needle: str) -> bool:
    text = sweep_text(entry) if isinstance(entry, SweepRow) else row_text(entry)
    return needle in text
