"""A screen whose feature has not landed yet: says so, keeps the app's navigation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class ComingScreen(Screen):
    def __init__(self, title: str, feature: str) -> None:
        super().__init__()
        self.title = f"mnist-tui · {title}"
        self.title_text = title
        self.feature = feature

    def compose(self) -> ComposeResult:
        yield Header()
        with Middle(), Center():
            yield Static(f"{self.title_text}: {self.feature} is coming.", classes="coming")
        yield Footer(compact=True)
