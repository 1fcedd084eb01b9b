"""From a lesson step to the screen that plays with it, and back with Escape."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input

if TYPE_CHECKING:
    from core.lesson import Opens
    from tui.host import LessonHost


async def open_target(app: LessonHost, opens: Opens) -> None:
    """Switch to the step's screen, set it up as the step says, and let Escape come back."""
    from tui.screens.browse import BrowseScreen
    from tui.screens.tensors import PANEL_IDS, TensorScreen

    await app.switch_mode(opens.mode)
    screen = app.screen
    if isinstance(screen, BrowseScreen) and opens.index is not None:
        show_train_image(screen, opens.index)
    elif isinstance(screen, TensorScreen) and opens.panel in PANEL_IDS:
        if hasattr(screen, "show_panel"):  # the lab's own way in, where it has one
            screen.show_panel(opens.panel, opens.expression)
        else:
            screen.panel = opens.panel
            screen.action_enter_panel()
            field = app.focused
            if opens.expression is not None and isinstance(field, Input):
                field.value = opens.expression
                await field.action_submit()
    app.lesson_return = screen


def show_train_image(screen, index: int) -> None:
    """Browse at a training image: the train split, that index, whatever the filter was."""
    dataset = screen.dataset
    if dataset is None or not 0 <= index < len(dataset.train):
        return
    if screen.split != "train":
        screen.action_toggle_split()
    screen.jump_to(index)


async def start_training(app: LessonHost) -> None:
    """The Train screen with the recipe running: started now, or the run already going."""
    from tui.screens.train import TrainScreen

    await app.switch_mode("train")
    screen = app.screen
    app.lesson_return = screen
    if isinstance(screen, TrainScreen) and not screen.running:
        screen.action_start_stop()
