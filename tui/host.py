"""What the app's helper modules need of the app, as protocols.

The command palette (tui/commands.py) and the lesson's openings (tui/widgets/lesson/opening.py)
act on the running app, and the app imports them. Typed against these protocols instead of
MnistApp itself, they need not import tui/app.py, and the imports keep one direction (a test
holds every module of core/ and tui/ to that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.state import Dataset, TrainedModel


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
