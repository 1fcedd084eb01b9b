"""The first layer's hidden units as 28x28 weight images, a page at a time."""

from __future__ import annotations

import numpy as np
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget

from core.render import diverging_halfblocks

THUMB_COLUMNS = 16  # 14 cells of half-size weights plus a gap


def pool(values: np.ndarray, factor: int = 2) -> np.ndarray:
    h, w = values.shape
    return values.reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


class WeightGrid(Widget, can_focus=True):
    """←/→ turn pages; red weights excite a unit, blue ones inhibit it."""

    DEFAULT_CSS = """
    WeightGrid { height: 1fr; width: 1fr; }
    """
    BINDINGS = [
        Binding("right,pagedown", "page(1)", "Next page"),
        Binding("left,pageup", "page(-1)", "Prev page"),
    ]

    page: reactive[int] = reactive(0)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.weights: np.ndarray | None = None

    def show(self, weights: np.ndarray) -> None:
        self.weights = weights
        self.page = 0
        self.refresh()

    def layout_size(self) -> tuple[int, int]:
        columns = max(1, (self.size.width or 80) // THUMB_COLUMNS)
        rows = max(1, ((self.size.height or 16) - 1) // 8)
        return rows, columns

    @property
    def per_page(self) -> int:
        rows, columns = self.layout_size()
        return rows * columns

    def render(self):
        if self.weights is None:
            return Text("No model yet.")
        _, columns = self.layout_size()
        pages = self.page_count()
        page = min(self.page, pages - 1)  # a resize can leave fewer, larger pages
        first = page * self.per_page
        units = range(first, min(first + self.per_page, len(self.weights)))
        # One scale for the page, so brightness compares across units.
        shown = self.weights[first : first + self.per_page]
        limit = float(np.nanmax(np.abs(shown))) if shown.size else 1.0
        limit = limit if np.isfinite(limit) and limit > 0 else 1.0
        grid = Table.grid(padding=(0, 2))
        for _ in range(columns):
            grid.add_column()
        cells = []
        for unit in units:
            picture = diverging_halfblocks(pool(self.weights[unit]), limit)
            cells.append(Text(f"unit {unit}", style="dim") + "\n" + picture)
        for r in range(0, len(cells), columns):
            grid.add_row(*cells[r : r + columns])
        title = Text(
            f"hidden units {units.start}-{units.stop - 1} of {len(self.weights)}"
            f"  (page {page + 1}/{pages}; red excites, blue inhibits)",
            style="bold",
        )
        table = Table.grid()
        table.add_row(title)
        table.add_row(grid)
        return table

    def page_count(self) -> int:
        return max(1, -(-len(self.weights) // self.per_page)) if self.weights is not None else 1

    def on_resize(self) -> None:
        self.page = min(self.page, self.page_count() - 1)

    def action_page(self, step: int) -> None:
        if self.weights is not None:
            self.page = (min(self.page, self.page_count() - 1) + step) % self.page_count()
