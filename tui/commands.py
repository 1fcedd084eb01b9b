"""The app's own commands in the command palette (ctrl+p), beside Textual's (theme, keys, quit).

Each one does what a key does on its screen, after going to that screen, so the palette is a
way to find a key rather than a second implementation of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from core.data import DATASET_TITLES, DATASETS

if TYPE_CHECKING:
    from tui.host import PaletteHost

SCREENS = (  # mode, title, key, what it is for
    ("browse", "Browse", "1", "the digits, one by one, drawn in text"),
    ("tensors", "Tensors", "2", "the tensor lab: rank, shape, slicing, broadcasting, dot"),
    ("train", "Train", "3", "train the 784-512-10 network and watch it learn"),
    ("evaluate", "Evaluate", "4", "what the trained network gets right and wrong"),
    ("runs", "Runs", "5", "every recorded run, compared and followed live"),
    ("lesson", "Lesson", "6", "the lesson, step by step, in the lecture's order"),
)


def dataset_title(name: str) -> str:
    return DATASET_TITLES.get(name, "synthetic digits")


def app_commands(app: PaletteHost) -> Iterator[SystemCommand]:
    for mode, title, key, purpose in SCREENS:
        yield SystemCommand(f"Go to {title}", f"{purpose} (key {key})", go_to(app, mode))
    if app.training_running:
        yield SystemCommand(
            "Stop training",
            "stop the run after this step (s on Train)",
            on_screen(app, "train", "action_start_stop"),
        )
    else:
        yield SystemCommand(
            "Start training",
            "train with the Train screen's recipe (s on Train)",
            on_screen(app, "train", "action_start_stop"),
        )
    yield SystemCommand(
        "Save checkpoint",
        "copy the last run's weights to a file (w on Train)",
        on_screen(app, "train", "action_save"),
    )
    yield SystemCommand(
        "Open checkpoint",
        "evaluate the model in a .pt file (o on Evaluate)",
        on_screen(app, "evaluate", "action_open"),
    )
    loaded = app.dataset.name if app.dataset is not None else app.requested_dataset
    for name in DATASETS:
        if name != loaded:
            yield SystemCommand(
                f"Dataset: {dataset_title(name)}",
                f"load {dataset_title(name)} for every screen",
                lambda name=name: app.switch_dataset(name),
            )


def go_to(app: PaletteHost, mode: str):
    async def go() -> None:
        await app.switch_mode(mode)

    return go


def on_screen(app: PaletteHost, mode: str, action: str):
    """Go to `mode`'s screen, then run its action, as if its key had been pressed there."""

    async def run() -> None:
        await app.switch_mode(mode)
        if isinstance(app.screen, app.MODES[mode]):  # not the too-small notice, say
            await app.screen.run_action(action.removeprefix("action_"))

    return run
