"""Modal: every key of the screen underneath and of the app, from the bindings themselves.

The list is read from the live widget tree, not written by hand, so it cannot drift: the
screen's own keys, then each kind of widget on it that has keys (a table's arrows and Enter, a
panel's shortcuts), then the keys that work everywhere.
"""

from __future__ import annotations

import re

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static, TextArea

# Key names as a person reads them; the rest are shown as Textual names them.
KEY_NAMES = {
    "question_mark": "?",
    "space": "space",
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "backspace": "Backspace",
    "delete": "Del",
}


# Of the keys Textual's own widgets bind, the ones a person uses to work a screen: moving,
# choosing and focus. Scrolling and text-editing keys work as in any program and would bury
# the screen's own keys.
BUILT_IN_KEYS = {
    "enter",
    "space",
    "tab",
    "shift+tab",
    *(f"{shift}{arrow}" for shift in ("", "shift+") for arrow in ("up", "down", "left", "right")),
}


def key_names(binding: Binding) -> str:
    """Every key of a binding ("right,l" → "→, l"), with shift/ctrl spelled out."""
    names = []
    for key in binding.key.split(","):
        key = key.strip()
        if key in KEY_NAMES:
            names.append(KEY_NAMES[key])
            continue
        *mods, last = key.split("+")
        shown = KEY_NAMES.get(last, last.replace("_", " "))
        names.append("+".join([*(m.capitalize() for m in mods), shown]))
    return ", ".join(names)


def bindings_table(title: str, bindings: list[Binding]) -> Table:
    table = Table(title=title, show_header=False, box=None, padding=(0, 2), title_justify="left")
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for binding in bindings:
        table.add_row(key_names(binding), binding.description or binding.action)
    return table


def declared_here(node: DOMNode) -> set[tuple[str, str]]:
    """(key, action) of the bindings this project's classes declare on the node."""
    ours = set()
    for cls in type(node).__mro__:
        if cls.__module__.startswith("tui.") and "BINDINGS" in cls.__dict__:
            for binding in cls.__dict__["BINDINGS"]:
                if isinstance(binding, Binding):
                    for key in binding.key.split(","):
                        ours.add((key.strip(), binding.action))
    return ours


def node_bindings(node: DOMNode) -> list[Binding]:
    """The keys that work on a node: all of ours, and Textual's moving and choosing keys."""
    ours = declared_here(node)
    edits_text = isinstance(node, (Input, TextArea))
    seen: set[tuple[str, str]] = set()
    found = []
    for key, bindings in node._bindings.key_to_bindings.items():
        for binding in bindings:
            if binding.system or (key, binding.action) in seen:
                continue
            built_in = (key, binding.action) not in ours
            if built_in and (edits_text or key not in BUILT_IN_KEYS or is_scroll(binding)):
                continue
            seen.add((key, binding.action))
            found.append(Binding(key, binding.action, binding.description, binding.show))
    return merge_keys(found)


def is_scroll(binding: Binding) -> bool:
    return binding.action.startswith(("scroll_", "page_"))


def merge_keys(bindings: list[Binding]) -> list[Binding]:
    """One row per action: "up" and "k" for the same move read as one line."""
    rows: dict[tuple[str, str], Binding] = {}
    for binding in bindings:
        row = (binding.action, binding.description)
        if row in rows:
            first = rows[row]
            rows[row] = Binding(f"{first.key},{binding.key}", first.action, first.description)
        else:
            rows[row] = binding
    return list(rows.values())


def screen_sections(screen: Screen) -> list[tuple[str, list[Binding]]]:
    """The screen's keys, then one section per kind of widget on it that has keys."""
    sections = [("This screen", node_bindings(screen))]
    seen_kinds: set[type] = set()
    for widget in screen.walk_children(with_self=False):
        kind = type(widget)
        if kind in seen_kinds or not widget.display:
            continue
        seen_kinds.add(kind)
        keys = node_bindings(widget)
        if keys:
            sections.append((widget_title(widget), keys))
    return [(title, keys) for title, keys in sections if keys]


def widget_title(widget: DOMNode) -> str:
    """How the help names a widget: its border title, else its class in words."""
    title = getattr(widget, "border_title", None)
    if title:
        return f"In {title}"
    words = re.findall(r"[A-Z][a-z]*|[a-z]+", type(widget).__name__)
    return "In the " + " ".join(word.lower() for word in words)


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of ?, Escape or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            for title, keys in screen_sections(self.under):
                yield Static(bindings_table(title, keys))
            yield Static(bindings_table("Everywhere", node_bindings(self.app)))
            yield Static("Escape or ? closes this help.", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
