"""One row per epoch: the notebook's train figures beside a full test evaluation."""

from __future__ import annotations

from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from core.events import EpochEnd

# Labels and widths: six columns in 42 cells, so none hides behind a scrollbar at 80x24. The
# widths are fixed because a table that changes size re-lays out the whole screen (below).
COLUMNS = (("ep", 2), ("loss", 5), ("acc", 5), ("test loss", 9), ("test acc", 8), ("s", 3))
# A longer run scrolls within this many rows, the newest finished epoch in view.
MAX_RESERVED_ROWS = 10
# Planned rows follow the form as it is typed; a run of more epochs lays out its own at start.
MAX_PLANNED_EPOCHS = 1000


class EpochTable(DataTable):
    """Epochs numbered from 1 in the app; the headless printer keeps the notebook's `Epoch : 0`.

    A run's rows are laid out when it starts, numbered and empty, and filled in as its epochs
    end. A table that grew by a row at each epoch's end re-laid out the screen and re-drew
    every chart with it, on the UI thread, while the next epoch trained: that cost the app's
    epochs time against headless (python -m scripts.app_epoch). Test accuracy has two decimals,
    as every other place that shows it; training accuracy one (its column is narrower), losses
    three decimals.
    """

    DEFAULT_CSS = """
    EpochTable { scrollbar-size-vertical: 1; overflow-x: hidden; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="none", zebra_stripes=True, cell_padding=1, **kwargs)
        self.filled: set[int] = set()  # the epochs whose row has its figures

    def on_mount(self) -> None:
        for label, width in COLUMNS:
            self.add_column(label, width=width, key=label)

    def clear_run(self) -> None:
        self.clear()
        self.filled.clear()

    def plan(self, epochs: int) -> None:
        """The rows a run of `epochs` would fill, while no run's figures are shown."""
        if not self.filled and 1 <= epochs <= MAX_PLANNED_EPOCHS:
            self.reserve(0, epochs)

    def reserve(self, first_epoch: int, end_epoch: int) -> None:
        """Lay out the rows of epochs first_epoch..end_epoch-1 (counted from 0), empty."""
        self.clear_run()
        for epoch in range(first_epoch, end_epoch):
            self.add_row(str(epoch + 1), *[""] * (len(COLUMNS) - 1), key=str(epoch))
        self.styles.height = min(max(self.row_count, 1), MAX_RESERVED_ROWS) + 1  # and header

    def add_epoch(self, end: EpochEnd) -> None:
        key = str(end.epoch)
        cells = (
            str(end.epoch + 1),  # counted from 1, as the progress line and the charts count
            f"{end.train_loss:.3f}",
            f"{end.train_acc:.1%}",
            f"{end.test_loss:.3f}",
            f"{end.test_acc:.2%}",  # as the headline, the run store and evaluate give it
            f"{end.seconds:.1f}",
        )
        if key not in self.rows:  # an epoch no RunStarted announced (a run joined late)
            self.add_row(*cells, key=key)
        else:
            for (label, _), cell in zip(COLUMNS, cells, strict=True):
                # Only a figure wider than its column (a loss of 10 or more, 100.0%, an epoch
                # of 10 s or more) widens it, at the cost of one layout.
                column = self.columns[ColumnKey(label)]
                wider = len(cell) > column.width
                if wider:  # a column given a width keeps it unless told otherwise
                    column.width = len(cell)
                self.update_cell(key, label, cell, update_width=wider)
        self.filled.add(end.epoch)
        # The newest finished epoch as the last row in view.
        row = self.get_row_index(key)
        self.scroll_to(y=max(0, row + 2 - self.size.height), animate=False)

    def trim(self) -> None:
        """The run is over: drop the rows of epochs it never reached (stopped or failed). If
        it reached none, its numbered rows stay as the plan for the next run."""
        if not self.filled:
            return
        for key in [key for key in self.rows if int(key.value or -1) not in self.filled]:
            self.remove_row(key)
        self.styles.height = min(self.row_count, MAX_RESERVED_ROWS) + 1
