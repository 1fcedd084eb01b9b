"""The first layer's hidden units as 28x28 weight images, a page at a time.

Each weight is put in one of seven steps of strength per sign (0 to 6), against the 99th
percentile of the page's magnitudes, so that one outlier does not darken every other unit.
In colour the steps are exact xterm-256 reds and blues: a 256-colour terminal shows the same
picture instead of rounding nearby shades together into blotches. Without colour, glyphs
carry the sign and strength (shades for positive weights, dashes for negative ones).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget

THUMB_COLUMNS = 16  # 14 cells of half-size weights plus a gap
STEPS = 6  # strengths per sign, 0 (about nothing) excluded
# Strength 0 to 6: black, then xterm 52, 88, 124, 160, 196, 203 (reds) and 17-21, 63 (blues).
REDS = ("#000000", "#5f0000", "#870000", "#af0000", "#d70000", "#ff0000", "#ff5f5f")
BLUES = ("#000000", "#00005f", "#000087", "#0000af", "#0000d7", "#0000ff", "#5f5fff")
# Without colour: blank near 0, then weak, middling and strong, for each sign.
POSITIVE_GLYPHS = (" ", " ", "░", "░", "▒", "▓", "█")
NEGATIVE_GLYPHS = (" ", " ", "·", "·", "-", "=", "≡")


def strengths(values: np.ndarray, limit: float) -> np.ndarray:
    """Signed steps -6..6 of each value against `limit` (which maps to the strongest step)."""
    scaled = np.clip(np.nan_to_num(np.asarray(values, np.float64)) / limit, -1, 1)
    return np.rint(scaled * STEPS).astype(np.int64)


def page_limit(pictures: list[np.ndarray]) -> float:
    """The 99th percentile of the page's magnitudes: the strongest step, shared by its units."""
    if not pictures:
        return 1.0
    limit = float(np.nanpercentile(np.abs(np.stack(pictures)), 99))
    return limit if np.isfinite(limit) and limit > 0 else 1.0


def step_colour(step: int) -> str:
    return REDS[step] if step >= 0 else BLUES[-step]


def coloured_weights(steps: np.ndarray) -> Text:
    """Two rows per line with half blocks: the top row's colour over the bottom row's."""
    text = Text(no_wrap=True, overflow="crop")
    for r in range(0, steps.shape[0], 2):
        for top, bottom in zip(steps[r].tolist(), steps[r + 1].tolist(), strict=True):
            text.append("▀", Style(color=step_colour(top), bgcolor=step_colour(bottom)))
        if r + 2 < steps.shape[0]:
            text.append("\n")
    return text


def row_pairs(values: np.ndarray) -> np.ndarray:
    """The mean of each pair of rows: one glyph a cell, the half-block picture's size."""
    return values.reshape(values.shape[0] // 2, 2, values.shape[1]).mean(axis=1)


def glyph_weights(pairs: np.ndarray, limit: float) -> Text:
    lines = []
    for row in strengths(pairs, limit).tolist():
        lines.append("".join(POSITIVE_GLYPHS[s] if s >= 0 else NEGATIVE_GLYPHS[-s] for s in row))
    return Text("\n".join(lines), no_wrap=True, overflow="crop")


def legend(color: bool) -> Text:
    """What the picture's colours or glyphs mean, in the mode they are drawn in."""
    text = Text("scale: ", style="dim")
    if color:
        for step in range(-STEPS, STEPS + 1):
            text.append(" ", Style(bgcolor=step_colour(step)))
        text.append("   blue inhibits ← 0 → red excites; brighter = stronger", style="dim")
        return text
    text.append("█▓▒░ excite (strong to weak) · ≡=-· inhibit · blank about 0", style="dim")
    return text


def pool(values: np.ndarray, factor: int = 2) -> np.ndarray:
    h, w = values.shape
    return values.reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


class WeightGrid(Widget, can_focus=True):
    """←/→ turn pages; red weights (or shades) excite a unit, blue ones (or dashes) inhibit it."""

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
        rows = max(1, ((self.size.height or 16) - 2) // 8)
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
        color = not self.app.no_color
        grid = units_grid(self.weights, units, columns, color)
        title = Text(
            f"hidden units {units.start}-{units.stop - 1} of {len(self.weights)}"
            f"  (page {page + 1}/{pages})",
            style="bold",
        )
        table = Table.grid()
        table.add_row(title)
        table.add_row(legend(color))
        table.add_row(grid)
        return table

    def page_count(self) -> int:
        return max(1, -(-len(self.weights) // self.per_page)) if self.weights is not None else 1

    def on_resize(self) -> None:
        self.page = min(self.page, self.page_count() - 1)

    def action_page(self, step: int) -> None:
        if self.weights is not None:
            self.page = (min(self.page, self.page_count() - 1) + step) % self.page_count()


def units_grid(weights: np.ndarray, units: Sequence[int], columns: int, color: bool) -> Table:
    """Hidden units' incoming weights as 28x28 pictures, `columns` a row, each named. One
    scale for them all, so that strength compares across units."""
    pictures = [pool(weights[unit]) for unit in units]
    if not color:  # glyphs stand for two rows each: scale against those means
        pictures = [row_pairs(picture) for picture in pictures]
    limit = page_limit(pictures)
    grid = Table.grid(padding=(0, 2))
    for _ in range(columns):
        grid.add_column()
    cells = []
    for unit, values in zip(units, pictures, strict=True):
        if color:
            picture = coloured_weights(strengths(values, limit))
        else:
            picture = glyph_weights(values, limit)
        cells.append(Text(f"unit {unit}", style="dim") + "\n" + picture)
    for r in range(0, len(cells), columns):
        grid.add_row(*cells[r : r + columns])
    return grid
