"""The footer every screen shows, fitted to the terminal's width.

Textual's footer lays every key out in a row and lets the row run off the right edge, where the
command palette's key, docked over it, leaves a stray character ("…^p palettee"). This one
chooses what fits instead. The current screen's keys come first, in the order the screen
declares them (its most important first), then those of the widget that has the focus, then
the app's. `?` and `q` are always there. When not everything fits, the footer gives up room in
this order until it does: the screens by name become one item ("1-6 screens"), descriptions
shorten to their first word ("Save checkpoint" → "Save"), the screens' item goes (the app's
keys come after the screen's), and last the screen's least important keys, from the end. `?`
lists every key, so nothing dropped here is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# The app's bindings that switch screens: shown together as one item.
SCREEN_KEY_IDS = ("browse", "tensors", "train", "evaluate", "runs", "lesson")

# Descriptions this short stay whole when descriptions shorten ("Go to" stays "Go to").
SHORT_ENOUGH = 6


@dataclass(frozen=True)
class Item:
    key: str
    display: str
    description: str
    action: str
    enabled: bool = True
    tooltip: str = ""

    @property
    def width(self) -> int:
        """Columns in the compact footer: key, a space, description, then a one-column gap."""
        return len(self.display) + (1 + len(self.description) if self.description else 0) + 1

    def shortened(self) -> Item:
        """The item with its description cut to the first word; the whole one in its tooltip."""
        words = self.description.split()
        if len(self.description) <= SHORT_ENOUGH or len(words) < 2:
            return self
        return replace(self, description=words[0], tooltip=self.tooltip or self.description)


def fit(screen_items: list[Item], fixed: list[Item], width: int) -> list[Item]:
    """The screen's items that fit beside the fixed ones, dropped from the end first."""
    room = width - sum(item.width for item in fixed)
    kept = []
    for item in screen_items:
        if item.width > room:
            break
        kept.append(item)
        room -= item.width
    return kept


def shortened(items: list[Item]) -> list[Item]:
    """Each item's description cut to its first word, unless that would make two read alike
    ("Zoom in" and "Zoom out" stay whole)."""
    short = [item.shortened() for item in items]
    words = [item.description for item in short]
    return [s if words.count(s.description) == 1 else i for s, i in zip(short, items, strict=True)]


def span(items: list[Item]) -> int:
    return sum(item.width for item in items)


def choose(
    view: list[Item],
    named_screens: list[Item],
    screens: Item | None,
    always: list[Item],
    palette: Item | None,
    width: int,
) -> list[Item]:
    """What the footer shows, left to right: the view's keys, then the app's.

    `view` is the screen's and the focused widget's keys, most important first; `always` the
    app's keys that every footer has (`?`, `q`); `screens` the one item standing for the
    screen keys, `named_screens` each of them by name.
    """
    folded = [screens] if screens is not None else []
    if span(view) + span(folded) + span(always) <= width:
        app_items = folded + always
        if named_screens and span(view) + span(named_screens) + span(always) <= width:
            app_items = named_screens + always  # room to spare: each screen by name reads better
        if palette is not None and span(view) + span(app_items) + palette.width <= width:
            app_items = [*app_items, palette]
        return view + app_items
    short = shortened(view)
    if span(short) + span(folded) + span(always) <= width:
        return short + folded + always
    # The screen's keys before the app's: `?` lists the screens too.
    return fit(short, always, width) + always


class AppFooter(Footer):
    """A compact footer that never runs past the right edge."""

    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, show_command_palette=False, **kwargs)

    def on_resize(self) -> None:
        self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        app = self.app
        screen = self.screen
        screen_items: list[Item] = []
        widget_items: list[Item] = []
        app_items: dict[str, Item] = {}
        seen_actions: set[str] = set()
        screen_keys = []
        for node, binding, enabled, tooltip in screen.active_bindings.values():
            if not binding.show or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            item = Item(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                enabled,
                tooltip or binding.description,
            )
            if node is app and binding.id in SCREEN_KEY_IDS:
                screen_keys.append(binding)
            elif node is app:
                app_items[binding.id or binding.action] = item
            elif node is screen:
                screen_items.append(item)
            else:
                widget_items.append(item)
        folded = None
        named = []
        if screen_keys:
            first, last = screen_keys[0], screen_keys[-1]
            keys = f"{app.get_key_display(first)}-{app.get_key_display(last)}"
            folded = Item("question_mark", keys, "screens", "app.help", True, "? lists them")
            named = [
                Item(b.key, app.get_key_display(b), b.description, b.action) for b in screen_keys
            ]
        shown = choose(
            screen_items + widget_items,
            named,
            folded,
            list(app_items.values()),
            self.palette_item(),
            app.size.width,
        )
        for item in shown:
            yield FooterKey(
                item.key,
                item.display,
                item.description,
                item.action,
                disabled=not item.enabled,
                tooltip=item.tooltip,
            ).data_bind(compact=Footer.compact)

    def palette_item(self) -> Item | None:
        app = self.app
        if not app.ENABLE_COMMAND_PALETTE:
            return None
        found = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        if found is None:
            return None
        _node, binding, enabled, _tooltip = found
        return Item(binding.key, app.get_key_display(binding), "palette", binding.action, enabled)
