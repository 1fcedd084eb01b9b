"""The epoch's progress as one line of text: a bar and a percentage, repainted without layout.

Textual's ProgressBar updates its percentage label with a layout pass, which re-renders the
whole screen, charts included; ten times a second that cost the training thread about a tenth
of its speed on 2 cores (python -m scripts.app_epoch). This line only repaints itself.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

DONE, TO_DO = "━", "─"  # heavy and light: the bar reads without colour too


class EpochBar(Widget):
    DEFAULT_CSS = "EpochBar { height: 1; width: 1fr; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.done = 0
        self.total = 0

    def set_progress(self, done: int, total: int) -> None:
        if (done, total) != (self.done, self.total):
            self.done, self.total = done, total
            if self.screen.is_active:  # covered, the screen repaints it on resume
                self.refresh()  # a repaint of this line only: the widget's size never changes

    def render(self) -> Content:
        share = self.done / self.total if self.total > 0 else 0.0
        label = f" {share:4.0%}" if self.total > 0 else ""
        width = max(0, self.size.width - len(label))
        filled = round(share * width)
        return Content.assemble(
            (DONE * filled, "bold $accent"), (TO_DO * (width - filled), "dim"), label
        )
