"""Modal: the keys that act on the screen underneath, read from its bindings as they are now.

The list is read from the live widget tree, not written by hand, so it cannot drift, and each
key is asked whether it acts now (its `check_action`), so a key that would do nothing here is
not listed: the screen's own keys, then each kind of widget on it that has keys (a table's
arrows, a panel's shortcuts), then the keys that work everywhere, the command palette's among
them. A key appears once, where it acts: a widget's key that hides the screen's, or one of the
app's that takes a key first, is listed in that one place.
"""

from __future__ import annotations

import re
from collections.abc import Set

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.keys import key_to_character
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static, TextArea

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

# How the help names some of Textual's own descriptions.
DESCRIPTIONS = {"command_palette": "Command palette", "quit": "Quit"}


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


def acts(node: DOMNode, binding: Binding, ours: bool) -> bool:
    """Whether the binding does something on `node` now: its check_action allows it, and a
    table's own keys move a cursor it has (a row cursor has no left and right; no cursor, no
    moves) or choose something that someone listens for (only our own Enter says what)."""
    if not node.app._check_action_state(binding.action, node):
        return False
    if isinstance(node, DataTable) and not ours:
        if binding.action == "select_cursor" or node.cursor_type == "none":
            return False
        if node.cursor_type == "row" and binding.action in ("cursor_left", "cursor_right"):
            return False
        if node.cursor_type == "column" and binding.action in ("cursor_up", "cursor_down"):
            return False
    if binding.action.removeprefix("app.") in ("focus_next", "focus_previous"):
        return not isinstance(node, Screen) or bool(node.focus_chain)  # nothing to move to
    return True


def node_bindings(node: DOMNode, taken: Set[str] = frozenset()) -> list[Binding]:
    """The keys that act on a node now: ours, Textual's moving and choosing keys on widgets,
    and all of the app's; less the keys in `taken` (acted on first elsewhere)."""
    ours = declared_here(node)
    edits_text = isinstance(node, (Input, TextArea))
    every_key = node is node.app  # the app's own keys (palette, ctrl+q) all act everywhere
    seen: set[tuple[str, str]] = set()
    found = []
    ours_first = 0  # ours before Textual's, each in the order declared: "q" before "ctrl+q"
    for key, bindings in node._bindings.key_to_bindings.items():
        if key in taken:
            continue
        for binding in bindings:
            if binding.system or (key, binding.action) in seen:
                continue
            own = (key, binding.action) in ours
            built_in = not own and not every_key
            if built_in and (edits_text or key not in BUILT_IN_KEYS or is_scroll(binding)):
                continue
            if not acts(node, binding, own or every_key):
                continue
            seen.add((key, binding.action))
            description = binding.description or DESCRIPTIONS.get(binding.action, "")
            if every_key and not own:
                description = DESCRIPTIONS.get(binding.action, description)
            found.append(Binding(key, binding.action, description, binding.show))
            if own:
                ours_first += 1
                found.insert(ours_first - 1, found.pop())
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


def keys_of(bindings: list[Binding]) -> set[str]:
    return {key.strip() for binding in bindings for key in binding.key.split(",")}


def displayed(widget: Widget, screen: Screen) -> bool:
    """Shown on the screen: neither it nor any container it is in is hidden (a switcher's
    other panels are)."""
    return all(node.display for node in widget.ancestors_with_self if node is not screen)


def screen_sections(screen: Screen) -> list[tuple[str, list[Binding]]]:
    """The keys that act on the screen now, one section each: the screen's, the focused
    widget's, those of each other kind of widget on it (they act once it has focus), then the
    app's ("Everywhere"). A key that one place takes first is not listed in the others."""
    app = screen.app
    focused = screen.focused
    chain = [node for node in focused.ancestors_with_self] if focused is not None else []
    inner = chain[: chain.index(screen)] if screen in chain else []
    # The app's priority keys (Escape back to the lesson, the palette) act before any widget.
    priority = {
        key
        for key, bindings in app._bindings.key_to_bindings.items()
        for binding in bindings
        if binding.priority and not binding.system and acts(app, binding, True)
    }
    # What the focused widget and its containers take, and what a field types instead.
    focus_sections = []
    taken = set(priority)
    for node in inner:
        keys = node_bindings(node, taken)
        if keys and isinstance(node, Widget):
            focus_sections.append((widget_title(node), keys))
        taken |= keys_of(keys)
    typing = focused if isinstance(focused, (Input, TextArea)) else None

    def typed(key: str) -> bool:
        return typing is not None and typing.check_consume_key(key, key_to_character(key))

    screen_keys = [
        b for b in node_bindings(screen, taken) if not any(typed(k) for k in keys_of([b]))
    ]
    taken |= keys_of(screen_keys)
    sections = [("This screen", screen_keys), *focus_sections]
    seen_kinds = {type(node) for node in inner}
    for widget in screen.walk_children(Widget, with_self=False):
        kind = type(widget)
        if kind in seen_kinds or not displayed(widget, screen):
            continue
        seen_kinds.add(kind)
        keys = node_bindings(widget, priority)
        if keys:
            sections.append((widget_title(widget), keys))
    everywhere = [
        b for b in node_bindings(app, taken - priority) if not any(typed(k) for k in keys_of([b]))
    ]
    sections.append(("Everywhere", everywhere))
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
        # Read now, while the screen underneath is the app's screen: its checks ask that.
        self.sections = screen_sections(under)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            for title, keys in self.sections:
                yield Static(bindings_table(title, keys))
            yield Static("Escape or ? closes this help.", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
