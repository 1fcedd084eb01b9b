"""One row per finished epoch: the notebook's train figures beside a full test evaluation."""

from __future__ import annotations

from textual.widgets import DataTable

from core.events import EpochEnd


class EpochTable(DataTable):
    """Epochs numbered from 1 in the app; the headless printer keeps the notebook's `Epoch : 0`.

    Narrow on purpose: six columns in 42 cells, so none hides behind a scrollbar at 80x24.
    Accuracies are percentages with one decimal (what the verdict compares), losses three
    decimals.
    """

    DEFAULT_CSS = """
    EpochTable { scrollbar-size-vertical: 1; overflow-x: hidden; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="none", zebra_stripes=True, cell_padding=1, **kwargs)

    def on_mount(self) -> None:
        self.add_columns("ep", "loss", "acc", "test loss", "test acc", "s")

    def add_epoch(self, end: EpochEnd) -> None:
        self.add_row(
            str(end.epoch + 1),  # counted from 1, as the progress line and the charts count
            f"{end.train_loss:.3f}",
            f"{end.train_acc:.1%}",
            f"{end.test_loss:.3f}",
            f"{end.test_acc:.1%}",
            f"{end.seconds:.1f}",
        )
        self.scroll_end(animate=False)  # the newest epoch in view on a long run
