"""Building the app for tests: synthetic data, loaded before the test looks."""

from __future__ import annotations

import threading
import time

from core.config import TrainConfig
from tui.app import MnistApp
from tui.state import Options


class RecordingApp(MnistApp):
    """The app, keeping the text of every notification, so tests read them through `notify`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.notified: list[str] = []

    def notify(self, message: str, **kwargs) -> None:
        self.notified.append(message)
        super().notify(message, **kwargs)


def make_app(start_mode: str = "browse", checkpoint: str | None = None, **training) -> RecordingApp:
    """The app on synthetic digits unless told otherwise; `training` overrides the recipe."""
    training.setdefault("dataset", "synthetic")
    options = Options(training=TrainConfig(**training), checkpoint=checkpoint)
    return RecordingApp(options, start_mode=start_mode)


def notifications(app: RecordingApp) -> list[str]:
    """Every message the app was asked to show as a notification, oldest first."""
    return list(app.notified)


async def wait_until(pilot, condition, timeout: float = 60.0) -> None:
    """Poll while the app runs; the timeout only guards against a hang."""
    start = time.perf_counter()
    while not condition():
        assert time.perf_counter() - start < timeout, "timed out"
        await pilot.pause(0.02)


async def type_text(pilot, field, text: str) -> None:
    """Type `text` at the end of the focused input `field` as a terminal sends a burst of keys
    (fast typing, a paste): one key event a character, each handled by the app as Pilot's own
    would be, without Pilot's wait for an idle process between keys (at least 40 ms a key, up
    to 2 s when a worker keeps the process busy). Returns once the field holds the text and
    every message the keys caused has been handled."""
    from textual import events
    from textual.keys import _character_to_key

    expected = field.value + text
    for char in text:
        key = char if char.isalnum() else _character_to_key(char)
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        pilot.app._driver.send_message(event)
    await wait_until(pilot, lambda: field.value == expected, timeout=30)
    await pilot.pause()


def hold_training(monkeypatch) -> threading.Event:
    """Hold every run the app starts at the end of its first epoch until the returned event is
    set: a test that needs a run in progress gets one that stays, without training hundreds of
    epochs to outlast it, and with the process idle (Pilot waits for that at every key).
    The run is core's real one; only its thread waits, after the epoch's event has gone out.
    The hold gives up after 60 s, a hang guard should a test end without releasing it."""
    import core.train
    from core.events import EpochEnd

    released = threading.Event()
    real_fit = core.train.fit

    def held_fit(config, on_event=None, stop_event=None, **options):
        def forward(event) -> None:
            if on_event is not None:
                on_event(event)
            if isinstance(event, EpochEnd):
                released.wait(timeout=60)

        return real_fit(config, forward, stop_event, **options)

    monkeypatch.setattr(core.train, "fit", held_fit)
    return released


async def wait_for_data(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_train_screen(pilot):
    """Screen 3 with its device and model summary filled in."""
    from tui.screens.train import TrainScreen

    await wait_for_data(pilot)
    await pilot.press("3")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TrainScreen)
    return screen


def plain(widget) -> str:
    """What a Static shows, as plain text."""
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


def screen_text(app) -> str:
    """Every character on the terminal, as the user sees it (Textual has no public reader)."""
    return "\n".join(
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()
    )


def export_in_256_colours(app, *, title: str | None = None, simplify: bool = False) -> str:
    """The app's SVG screenshot as a 256-colour terminal shows it: every colour downgraded to
    the xterm palette the way Rich downgrades it for such a terminal. Set on an app as its
    export_screenshot, snapshot tests take the 256-colour picture."""
    import io

    from rich.color import ColorSystem
    from rich.console import Console
    from rich.segment import Segment, Segments
    from rich.style import Style

    def downgraded(style: Style | None) -> Style | None:
        if style is None or (style.color is None and style.bgcolor is None):
            return style
        colours = {}
        if style.color is not None:
            colours["color"] = style.color.downgrade(ColorSystem.EIGHT_BIT)
        if style.bgcolor is not None:
            colours["bgcolor"] = style.bgcolor.downgrade(ColorSystem.EIGHT_BIT)
        return style + Style(**colours)

    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=simplify
    )
    segments = [Segment(s.text, downgraded(s.style), s.control) for s in console.render(update)]
    console.print(Segments(segments), end="")
    return console.export_svg(title=title or app.title)
