"""A screen that goes on receiving messages while the palette or a dialog covers it."""

from __future__ import annotations

from textual.screen import Screen


class CoverableScreen(Screen):
    """Stops Textual 8.2 from repainting a covered screen, in full, at every message it gets.

    Covered by a modal screen, a screen that changes passes its dirty regions to the screen in
    front and marks itself for a full repaint. Its next Idle, after any message it handles,
    does that repaint, which passes the whole screen up and marks it again. So each message
    re-rendered the dimmed screen under the palette: about 80 ms for the Train screen, at
    every progress report and epoch of a run (17 a second on synthetic digits), which made
    the palette take seconds a key in tests. The regions passed up already bring the front
    screen up to date, and a screen repaints in full when it is uncovered (Textual's
    ScreenResume), so the mark can go.
    """

    def _compositor_refresh(self) -> None:
        super()._compositor_refresh()
        if self.is_attached and self is not self.app.screen:
            self._repaint_required = False
