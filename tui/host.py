"""What the screens and their helpers need of the app, as protocols.

The screens, the command palette (tui/commands.py) and the lesson's openings act on the running
app, and the app imports them. Typed against these protocols instead of MnistApp itself, they
need not import tui/app.py, and the imports keep one direction (a test holds every module of
core/ and tui/ to that); tui.app.conforms has mypy check that MnistApp is each of them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.dom import DOMNode
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen

    from core.config import TrainConfig
    from tui.state import Dataset, Options, TrainedModel


class ModeSwitcher(Protocol):
    """An app with named modes (screens) to switch between."""

    @property
    def screen(self) -> Screen[Any]: ...
    @property
    def focused(self) -> Widget | None: ...

    def switch_mode(self, mode: str) -> Any: ...  # awaitable, as Textual's App returns it


class PaletteHost(ModeSwitcher, Protocol):
    """What the command palette's commands read and call."""

    requested_dataset: str

    @property
    def MODES(self) -> Mapping[str, Any]: ...
    @property
    def dataset(self) -> Dataset | None: ...
    @property
    def training_running(self) -> bool: ...

    def switch_dataset(self, name: str) -> None: ...


class LessonHost(ModeSwitcher, Protocol):
    """What a lesson step needs to open another screen and be come back to with Escape."""

    lesson_return: Screen[Any] | None


class RunHost(Protocol):
    """The app's current run, and how a screen with none asks for the newest recorded one."""

    trained: TrainedModel | None

    def adopt_newest_run(self) -> None: ...

    async def evaluate_run(self, run_id: str) -> None: ...


class AppHost(PaletteHost, LessonHost, RunHost, Protocol):
    """Everything the screens read and ask of the app: its options, the dataset, the current
    run, the training workers' stop flags, and the moves between screens."""

    options: Options
    stop_events: set[threading.Event]
    data_problem: str | None  # why the dataset asked for could not be loaded, if it could not

    @property
    def loading_data(self) -> bool: ...

    def load_dataset(self, name: str, folder: str | None = None) -> Any: ...  # a worker

    def load_the_data_of(self, config: TrainConfig, who: str) -> None: ...

    async def follow_run(self, run_id: str) -> None: ...

    async def continue_run(self, run_id: str) -> None: ...


def app_host(node: DOMNode) -> AppHost:
    """`node.app` as what the screens use of it (Textual types it as a plain App)."""
    return cast("AppHost", node.app)
