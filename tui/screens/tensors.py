"""Screen 2: the tensor lab. A list of panels on the left; each panel plays with one idea."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Header, Input, OptionList
from textual.widgets.option_list import Option

from tui.state import Dataset, TrainedModel
from tui.widgets.footer import AppFooter
from tui.widgets.lab.dense import DensePanel
from tui.widgets.lab.input import HistoryInput
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
    ("dense", "Dense layer", DensePanel),
    ("reshape", "Reshape", ReshapePanel),
    ("data", "Data tensors", DataTensorsPanel),
    ("geometry", "Geometry", GeometryPanel),
    ("uncrumple", "Uncrumpling", UncrumplePanel),
]
PANEL_IDS = [panel_id for panel_id, _, _ in PANELS]


class UnknownPanel(ValueError):
    """show_panel was given an id that is not one of PANEL_IDS."""


class TensorScreen(Screen):
    """The tensor lab: ↑/↓ in the list picks a panel, Enter goes into it, Escape comes back.

    Pushed over another screen (as the Lesson does), Escape from the panel list goes back to it.
    """

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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pending: tuple[str, str | None] | None = None  # show_panel called before mounting

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lab-main"):
            yield OptionList(
                *(Option(name, id=panel_id) for panel_id, name, _ in PANELS), id="panel-list"
            )
            with ContentSwitcher(initial="slicing", id="panels"):
                for panel_id, _, panel in PANELS:
                    yield panel(id=panel_id)
        yield AppFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "dataset", self.dataset_changed, init=False)
        self.watch(self.app, "trained", self.trained_changed, init=False)
        self.query_one("#panel-list", OptionList).highlighted = 0
        self.query_one("#panel-list").focus()
        if self.pending is not None:
            self.apply_panel(*self.pending)
            self.pending = None

    def on_screen_resume(self) -> None:
        # Back from training (screen 3): there may be a model to project or trace now.
        self.refresh_model_panels()

    def refresh_model_panels(self) -> None:
        """The panels that use a model recompute only while shown: they cost a worker each."""
        if self.panel == "uncrumple":
            self.query_one(UncrumplePanel).refresh_projection()
        elif self.panel == "dense":
            self.query_one(DensePanel).refresh_trace()

    def dataset_changed(self, dataset: Dataset | None) -> None:
        for panel in self.query(LessonPanel):
            panel.dataset_changed()
        self.query_one(UncrumplePanel).refresh_projection()
        if self.panel == "dense":
            self.query_one(DensePanel).refresh_trace()

    def trained_changed(self, trained: TrainedModel | None) -> None:
        self.refresh_model_panels()

    def show_panel(self, panel: str, expression: str | None = None) -> None:
        """Show `panel` (one of PANEL_IDS); with an expression, type it into the panel's input.

        The slicing panel (and any other with an input) evaluates it at once and keeps it in
        its history; the input gets the focus. Panels without an input ignore the expression.
        Callable before the screen is mounted: it is applied on mount.
        """
        if panel not in PANEL_IDS:
            raise UnknownPanel(
                f"no tensor lab panel {panel!r}: choose one of {', '.join(PANEL_IDS)}"
            )
        if self.is_mounted:
            self.apply_panel(panel, expression)
        else:
            self.pending = (panel, expression)

    def apply_panel(self, panel: str, expression: str | None) -> None:
        self.panel = panel
        if expression is None:
            return
        inputs = self.query_one(f"#{panel}").query(HistoryInput)
        if not inputs:
            return
        field = inputs.first()
        field.value = expression
        field.cursor_position = len(expression)
        field.remember(expression)
        self.query_one(f"#{panel}", LessonPanel).show(expression)
        field.focus()

    def watch_panel(self, panel: str) -> None:
        self.query_one("#panels", ContentSwitcher).current = panel
        panel_list = self.query_one("#panel-list", OptionList)
        if panel_list.highlighted != PANEL_IDS.index(panel):
            panel_list.highlighted = PANEL_IDS.index(panel)
        self.refresh_model_panels()

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
        panel_list = self.query_one("#panel-list")
        if self.app.focused is panel_list and self.is_pushed_over_another():
            self.dismiss()
            return
        panel_list.focus()

    def is_pushed_over_another(self) -> bool:
        """True when this screen was pushed on top of a mode's screen rather than being one."""
        stack = self.app.screen_stack
        return len(stack) > 1 and stack[-1] is self

    def action_step(self, step: int) -> None:
        self.panel = PANEL_IDS[(PANEL_IDS.index(self.panel) + step) % len(PANEL_IDS)]
