"""Screen 2: the tensor lab. A list of panels on the left; each panel plays with one idea."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer, Header, Input, OptionList
from textual.widgets.option_list import Option

from tui.state import Dataset
from tui.widgets.lab.lessons import (
    BroadcastPanel,
    DataTensorsPanel,
    DotPanel,
    ElementwisePanel,
    LessonPanel,
    RankPanel,
    ReshapePanel,
)
from tui.widgets.lab.plots import GeometryPanel, UncrumplePanel
from tui.widgets.lab.slicing import SlicingPanel

# (id, name in the list, panel class), in the lesson's order.
PANELS: list[tuple[str, str, type[Widget]]] = [
    ("slicing", "Inspect & slice", SlicingPanel),
    ("rank", "Rank", RankPanel),
    ("elementwise", "Element-wise", ElementwisePanel),
    ("broadcast", "Broadcasting", BroadcastPanel),
    ("dot", "Dot product", DotPanel),
    ("reshape", "Reshape", ReshapePanel),
    ("data", "Data tensors", DataTensorsPanel),
    ("geometry", "Geometry", GeometryPanel),
    ("uncrumple", "Uncrumpling", UncrumplePanel),
]
PANEL_IDS = [panel_id for panel_id, _, _ in PANELS]


class TensorScreen(Screen):
    """The tensor lab: ↑/↓ in the list picks a panel, Enter goes into it, Escape comes back."""

    TITLE = "mnist-tui · Tensors"
    DEFAULT_CSS = """
    TensorScreen #lab-main { height: 1fr; }
    TensorScreen #panel-list { width: 19; height: 1fr; border: none; }
    TensorScreen #panels { width: 1fr; height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "to_list", "Panels", id="to-list"),
        Binding("right_square_bracket", "step(1)", "Next panel", key_display="]", id="next-panel"),
        Binding(
            "left_square_bracket", "step(-1)", "Prev", key_display="[", show=False, id="prev-panel"
        ),
    ]

    panel: reactive[str] = reactive("slicing")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lab-main"):
            yield OptionList(
                *(Option(name, id=panel_id) for panel_id, name, _ in PANELS), id="panel-list"
            )
            with ContentSwitcher(initial="slicing", id="panels"):
                for panel_id, _, panel in PANELS:
                    yield panel(id=panel_id)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.watch(self.app, "dataset", self.dataset_changed, init=False)
        self.query_one("#panel-list", OptionList).highlighted = 0
        self.query_one("#panel-list").focus()

    def on_screen_resume(self) -> None:
        # Back from training (screen 3): there may be a model to project now.
        if self.panel == "uncrumple":
            self.query_one(UncrumplePanel).refresh_projection()

    def dataset_changed(self, dataset: Dataset | None) -> None:
        for panel in self.query(LessonPanel):
            panel.dataset_changed()
        self.query_one(UncrumplePanel).refresh_projection()

    def watch_panel(self, panel: str) -> None:
        self.query_one("#panels", ContentSwitcher).current = panel
        panel_list = self.query_one("#panel-list", OptionList)
        if panel_list.highlighted != PANEL_IDS.index(panel):
            panel_list.highlighted = PANEL_IDS.index(panel)
        if panel == "uncrumple":
            self.query_one(UncrumplePanel).refresh_projection()

    @on(OptionList.OptionHighlighted, "#panel-list")
    def panel_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.panel = event.option.id or "slicing"

    @on(OptionList.OptionSelected, "#panel-list")
    def panel_selected(self, event: OptionList.OptionSelected) -> None:
        self.panel = event.option.id or "slicing"
        self.action_enter_panel()

    def action_enter_panel(self) -> None:
        """Focus the panel's input (or its list, or the panel itself)."""
        panel = self.query_one(f"#{self.panel}")
        for widget in (*panel.query(Input), *panel.query(OptionList), panel):
            if widget.focusable:
                widget.focus()
                return

    def action_to_list(self) -> None:
        self.query_one("#panel-list").focus()

    def action_step(self, step: int) -> None:
        self.panel = PANEL_IDS[(PANEL_IDS.index(self.panel) + step) % len(PANEL_IDS)]
