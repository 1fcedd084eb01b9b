"""A line or two under the table on the highlighted run: what the columns leave out."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from tui.widgets.runs.columns import RunRow, best_text
from tui.widgets.runs.sweeps import SweepRow
from tui.widgets.train.run_clock import duration


class RunDetail(Static):
    """The run's id (for `mnist-tui runs show ID`), origin, data, batch and seed, checkpoint;
    its best epoch, lowest loss, length and speed; its tags and note; for a sweep, its runs
    counted by status and its best."""

    DEFAULT_CSS = """
    RunDetail { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
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
        if run.best_test_acc is not None:
            figures = [f"best {best_text(run, ' at epoch ')}"]
            if run.min_test_loss is not None:
                figures.append(f"lowest test loss {run.min_test_loss:.4f}")
            figures.append(f"{'so far ' if run.running else ''}{duration(run.duration)}")
            if run.samples_per_s is not None:
                figures.append(f"{run.samples_per_s:,.0f} samples/s")
            text.append("\n" + " · ".join(figures))
        own = [f"tags {', '.join(run.tags)}"] if run.tags else []
        own += [f"note: {run.note}"] if run.note else []
        if own:
            text.append("\n" + " · ".join(own))
        if run.failure:
            text.append(f"\n{run.status}: {run.failure}", style="bold red")
        self.update(text)
