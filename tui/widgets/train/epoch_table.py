"""One row per finished epoch: the notebook's train figures beside a full test evaluation."""

from __future__ import annotations

from textual.widgets import DataTable

from core.events import EpochEnd


class EpochTable(DataTable):
    """Epochs numbered from 1 in the app; the headless printer keeps the notebook's `Epoch : 0`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="none", zebra_stripes=True, **kwargs)

    def on_mount(self) -> None:
        self.add_columns("epoch", "loss", "acc", "test loss", "test acc", "seconds")

    def add_epoch(self, end: EpochEnd) -> None:
        self.add_row(
            str(end.epoch + 1),  # counted from 1, as the progress line and the charts count
            f"{end.train_loss:.4f}",
            f"{end.train_acc:.4f}",
            f"{end.test_loss:.4f}",
            f"{end.test_acc:.4f}",
            f"{end.seconds:.2f}",
        )
