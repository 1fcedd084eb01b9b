"""A line or two under the table on the highlighted run: what the columns leave out."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from tui.widgets.runs.columns import RunRow
from tui.widgets.runs.sweeps import SweepRow


class RunDetail(Static):
    """The run's id (for `mnist-tui runs show ID`), origin, data, batch and seed, checkpoint;
    for a sweep, its runs counted by status and its best."""

    DEFAULT_CSS = """
    RunDetail { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """

    def show(self, row: RunRow | SweepRow | None) -> None:
        if row is None:
            self.update("")
            return
        if isinstance(row, SweepRow):
            self.update(f"{row.summary()}\nEnter opens the sweep · x lists its runs here")
            return
        run, config = row.run, row.run.config
        origin = run.source + (f", sweep {run.sweep}" if run.sweep else "")
        parts = [
            f"run {run.id} from {origin}",
            f"data {run.data_source}",
            f"batch {config.get('batch_size', '?')}, seed {config.get('seed', '?')}",
            f"checkpoint {Path(run.checkpoint).name}" if run.checkpoint else "no checkpoint",
        ]
        text = Text(" · ".join(parts))
        if run.failure:
            text.append(f"\n{run.status}: {run.failure}", style="bold red")
        self.update(text)
