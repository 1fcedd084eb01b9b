"""The footer every screen shows, fitted to the terminal's width.

Textual's footer lays every key out in a row and lets the row run off the right edge, where the
command palette's key, docked over it, leaves a stray character ("…^p palettee"). This one
chooses what fits instead: `?` and `q` always, the app's screen keys folded into one item
("1-6 screens") unless each fits by name, then the screen's own keys in the order the screen
declares them (its most used first) for as long as they fit, and the palette's key last if
there is room. `?` lists every key, so nothing dropped here is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# The app's bindings that switch screens: shown together as one item.
SCREEN_KEY_IDS = ("browse", "tensors", "train", "evaluate", "runs", "lesson")


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
        screen_items: list[Item] = []
        app_items: dict[str, Item] = {}
        seen_actions: set[str] = set()
        screen_keys = []
        for node, binding, enabled, tooltip in self.screen.active_bindings.values():
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
            else:
                screen_items.append(item)
        fixed = []
        if screen_keys:
            first, last = screen_keys[0], screen_keys[-1]
            span = f"{app.get_key_display(first)}-{app.get_key_display(last)}"
            fixed.append(Item("question_mark", span, "screens", "app.help", True, "? lists them"))
        fixed += [item for item in app_items.values()]
        palette = self.palette_item()
        width = self.app.size.width
        shown = fit(screen_items, fixed, width)
        if screen_keys and len(shown) == len(screen_items):
            # Room to spare: each screen by name reads better than "1-6 screens".
            named = [
                Item(b.key, app.get_key_display(b), b.description, b.action) for b in screen_keys
            ]
            spare = width - sum(i.width for i in [*fixed, *shown]) + fixed[0].width
            if sum(i.width for i in named) <= spare:
                fixed[0:1] = named
        if palette is not None and len(shown) == len(screen_items):
            room = width - sum(i.width for i in [*fixed, *shown])
            if palette.width <= room:
                fixed.append(palette)
        for item in [*shown, *fixed]:
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
