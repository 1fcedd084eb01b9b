"""Which charts a screen shows: a list of its metrics to tick, Enter to apply."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList

from tui.widgets.chart.curves import Metric


class MetricPicker(ModalScreen[tuple[str, ...] | None]):
    """Space ticks a metric, Enter shows the ticked ones, Escape keeps the charts as they were."""

    DEFAULT_CSS = """
    MetricPicker { align: center middle; }
    MetricPicker > Vertical {
        width: 44; height: auto; max-height: 90%; border: round $accent; padding: 0 1;
        background: $surface;
    }
    MetricPicker SelectionList { height: auto; max-height: 12; border: none; }
    MetricPicker #picker-problem { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("enter", "apply", "Show these", id="apply", priority=True),
        Binding("escape", "cancel", "Cancel", key_display="Esc", id="cancel"),
    ]

    def __init__(self, metrics: Sequence[Metric], shown: Sequence[str]) -> None:
        super().__init__()
        self.metrics = list(metrics)
        self.shown = list(shown)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("[b]Charts to show[/b]\nspace ticks · Enter shows · Esc keeps")
            yield SelectionList[str](
                *((m.title, m.key, m.key in self.shown) for m in self.metrics), id="picker"
            )
            yield Label("", id="picker-problem")

    @on(SelectionList.SelectionToggled)
    def toggled(self) -> None:
        self.query_one("#picker-problem", Label).update("")

    def action_apply(self) -> None:
        ticked = set(self.query_one(SelectionList).selected)
        if not ticked:
            self.query_one("#picker-problem", Label).update("Tick at least one chart.")
            return
        self.dismiss(tuple(m.key for m in self.metrics if m.key in ticked))

    def action_cancel(self) -> None:
        self.dismiss(None)
