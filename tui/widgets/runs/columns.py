"""What the Runs table shows of a run: each column's text, how it sorts, and the filter's text."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from rich.text import Text

from core.runs import RunRecord
from tui.widgets.train.run_clock import duration

STATUS_STYLES = {
    "running": "bold green",
    "finished": "",
    "stopped": "yellow",
    "failed": "bold red",
    "interrupted": "magenta",
}
LIVE = "● "  # marks a running run, so it reads without colour too
MAX_NAME = 18
MAX_TAGS = 16  # the tags column; the filter and the detail line have them whole
R = TypeVar("R")


@dataclass(frozen=True)
class RunRow:
    """A run as the Runs screen lists it: the store's record and figures from its history."""

    run: RunRecord
    seconds_per_epoch: float | None  # mean over its epochs; None before the first one ends
    last_test_acc: float | None  # the newest epoch's, shown while no final figure exists

    @property
    def test_acc(self) -> float | None:
        return self.run.test_acc if self.run.test_acc is not None else self.last_test_acc


def when_text(seconds: float) -> str:
    """When a run started, in local time: month-day hour:minute this year, else the date."""
    moment = time.localtime(seconds)
    if moment.tm_year == time.localtime().tm_year:
        return time.strftime("%m-%d %H:%M", moment)
    return time.strftime("%Y-%m-%d", moment)


def status_cell(row: RunRow) -> Text:
    status = row.run.status
    return Text((LIVE if row.run.running else "") + status, style=STATUS_STYLES.get(status, ""))


def name_cell(row: RunRow) -> str:
    label = row.run.label
    return label if len(label) <= MAX_NAME else label[: MAX_NAME - 1] + "…"


def lr_cell(row: RunRow) -> str:
    lr = row.run.config.get("lr")
    return f"{lr:g}" if isinstance(lr, int | float) else ""


def epochs_cell(row: RunRow) -> str:
    return f"{row.run.epochs_done}/{row.run.config.get('epochs', '?')}"


def acc_cell(row: RunRow) -> Text:
    acc = row.test_acc
    if acc is None:
        return Text("")
    # A running run's figure is its newest epoch's: dim, because it will change.
    return Text(f"{acc:.2%}", style="dim" if row.run.test_acc is None else "")


def seconds_cell(row: RunRow) -> str:
    return "" if row.seconds_per_epoch is None else f"{row.seconds_per_epoch:.2f}"


def best_text(run: RunRecord, at: str = " @") -> str:
    """The best test accuracy of any epoch and that epoch, as in "97.02% @3"; "" before one."""
    if run.best_test_acc is None:
        return ""
    return f"{run.best_test_acc:.2%}{at}{run.best_epoch}"


def best_cell(row: RunRow) -> str:
    return best_text(row.run)


def loss_cell(row: RunRow) -> str:
    loss = row.run.min_test_loss
    return "" if loss is None else f"{loss:.3f}"


def duration_cell(row: RunRow) -> Text:
    # A running run's length is up to its newest write: dim, because it will grow.
    return Text(duration(row.run.duration), style="dim" if row.run.running else "")


def samples_cell(row: RunRow) -> str:
    """Samples a second, short: 980, 14.0k, 1.2M."""
    rate = row.run.samples_per_s
    if rate is None:
        return ""
    if rate >= 1e6:
        return f"{rate / 1e6:.1f}M"
    return f"{rate / 1e3:.1f}k" if rate >= 1e3 else f"{rate:.0f}"


def tags_cell(row: RunRow) -> str:
    tags = ",".join(row.run.tags)
    return tags if len(tags) <= MAX_TAGS else tags[: MAX_TAGS - 1] + "…"


def setting(name: str) -> Callable[[RunRow], Any]:
    return lambda row: row.run.config.get(name)


def setting_cell(name: str) -> Callable[[RunRow], str]:
    return lambda row: "" if (value := row.run.config.get(name)) is None else str(value)


def number_or_none(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Column:
    """One column of the table: its heading, its cell and what `o` sorts it by."""

    key: str
    label: str
    cell: Callable[[RunRow], str | Text]
    sort_key: Callable[[RunRow], Any]  # None sorts last in either direction
    descending: bool = False  # the direction a sort on this column starts in


COLUMNS: tuple[Column, ...] = (
    Column("name", "name", name_cell, lambda r: r.run.label.lower()),
    Column("status", "status", status_cell, lambda r: r.run.status),
    Column("when", "when", lambda r: when_text(r.run.started_at), lambda r: r.run.started_at, True),
    Column("dataset", "data", setting_cell("dataset"), setting("dataset")),
    Column("optimizer", "optim", setting_cell("optimizer"), setting("optimizer")),
    Column("lr", "lr", lr_cell, lambda r: number_or_none(setting("lr")(r))),
    Column("hidden", "hid", setting_cell("hidden"), setting("hidden")),
    Column("epochs", "ep", epochs_cell, lambda r: r.run.epochs_done, True),
    Column("test_acc", "test acc", acc_cell, lambda r: r.test_acc, True),
    Column("best", "best", best_cell, lambda r: r.run.best_test_acc, True),
    Column("min_loss", "min loss", loss_cell, lambda r: r.run.min_test_loss),
    Column("duration", "time", duration_cell, lambda r: r.run.duration, True),
    Column("seconds", "s/ep", seconds_cell, lambda r: r.seconds_per_epoch),
    Column("samples", "smp/s", samples_cell, lambda r: r.run.samples_per_s, True),
    Column("device", "device", lambda r: r.run.device, lambda r: r.run.device),
    Column("tags", "tags", tags_cell, lambda r: ",".join(r.run.tags) or None),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "when"  # newest first, as the store lists them


def sort_rows(
    rows: Sequence[R],
    key: str,
    descending: bool,
    value: Callable[[Column, R], Any] | None = None,
) -> list[R]:
    """Rows sorted on one column; rows without a value last; ties keep the store's order.

    `value` gives a row's sort value when the column's own sort_key cannot (a sweep's row).
    """
    column = BY_KEY[key]
    if value is None:

        def value(column: Column, row: Any) -> Any:  # rows of runs: the column's own key
            return column.sort_key(row)

    keyed = [(value(column, row), row) for row in rows]
    present = [(k, row) for k, row in keyed if k is not None]
    try:
        present.sort(key=lambda pair: pair[0], reverse=descending)
    except TypeError:  # a damaged config mixing types: compare them as text
        present.sort(key=lambda pair: str(pair[0]), reverse=descending)
    return [row for _, row in present] + [row for k, row in keyed if k is None]


def row_text(row: RunRow) -> str:
    """Everything a filter looks in: every cell, the whole name and tags (a cell may cut them),
    the id, the source, the sweep and the note, lowercased."""
    cells = [str(column.cell(row)) for column in COLUMNS]
    run = row.run
    words = [run.label, run.id, run.source, run.sweep or "", *run.tags, run.note or ""]
    return " ".join([*cells, *words]).lower()
