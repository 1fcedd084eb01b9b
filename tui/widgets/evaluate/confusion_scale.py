"""How a confusion cell looks: mistakes binned on a log2 scale, one colour or shade per bin.

Mistakes range from 1 to a few dozen per cell; a linear scale makes 14 and 18 look alike and
1 almost invisible. Doubling bins (1, 2, 3-4, 5-8, ...) keep each step readable. The colours
are exact xterm-256 palette entries, so a 256-colour terminal shows the same eight steps
instead of rounding several of them to one red. Without colour, shade glyphs carry the bin.
"""

from __future__ import annotations

from rich.text import Text

# Upper edges of the bins: counts (images) and row shares (percent of the true class).
COUNT_EDGES = (1, 2, 4, 8, 16, 32, 64)
SHARE_EDGES = (0.5, 1, 2, 4, 8, 16, 32)
COUNT_NAMES = ("1", "2", "3-4", "5-8", "9-16", "17-32", "33-64", "65+")
SHARE_NAMES = ("<.5", ".5-1", "1-2", "2-4", "4-8", "8-16", "16-32", "32+")
# Dark red to yellow: xterm colours 52, 88, 124, 160, 196, 202, 208, 220.
BIN_COLOURS = (
    "#5f0000",
    "#870000",
    "#af0000",
    "#d70000",
    "#ff0000",
    "#ff5f00",
    "#ff8700",
    "#ffd700",
)
# Without colour two neighbouring bins share a shade: four steps a reader can still tell apart.
BIN_GLYPHS = ("░", "░", "▒", "▒", "▓", "▓", "█", "█")
COUNT_SHADES = ("1-2", "3-8", "9-32", "33+")
SHARE_SHADES = ("<1", "1-4", "4-16", "16+")
RIGHT_COLOUR = "#00af00"  # xterm 34
CELL_WIDTH = 5  # a blank, and four characters of number or of glyph and number


def error_bin(value: float, normalised: bool) -> int:
    """The bin (0-7) of a mistake cell: its count, or its share of the row in percent."""
    edges = SHARE_EDGES if normalised else COUNT_EDGES
    for i, edge in enumerate(edges):
        if value <= edge:
            return i
    return len(edges)


def cell_value(count: int, row_total: int, normalised: bool) -> float:
    if not normalised:
        return float(count)
    return 100.0 * count / row_total if row_total else 0.0


def cell_number(value: float, normalised: bool) -> str:
    """Counts as they are; shares with one decimal below 10%, whole from there ("84", "100").

    A share takes three characters at most, so a space always parts it from the cell on its
    left, even without colour, where that cell ends in a shade glyph.
    """
    if not normalised:
        return f"{int(value)}"
    if value == 0:
        return "0"
    return f"{value:.1f}" if value < 9.95 else f"{value:.0f}"


def cell_text(count: int, row_total: int, on_diagonal: bool, normalised: bool, color: bool) -> Text:
    """One cell, CELL_WIDTH wide and right-aligned; without colour a mistake's shade glyph
    comes just before its number ("  ▓14"), so a blank or a glyph parts every two numbers."""
    value = cell_value(count, row_total, normalised)
    number = cell_number(value, normalised)
    if count == 0:
        return Text(f"{number:>{CELL_WIDTH}}", style="dim")
    if on_diagonal:
        style = f"bold black on {RIGHT_COLOUR}" if color else "bold"
        return Text(f"{number:>{CELL_WIDTH}}", style=style)
    level = error_bin(value, normalised)
    if not color:
        return Text(f"{BIN_GLYPHS[level] + number:>{CELL_WIDTH}}", style="bold")
    ink = "black" if level >= 5 else "white"
    return Text(f"{number:>{CELL_WIDTH}}", style=f"bold {ink} on {BIN_COLOURS[level]}")


def legend(normalised: bool, color: bool) -> Text:
    """The scale the cells use, in the current mode, as one line (about 76 columns)."""
    names = SHARE_NAMES if normalised else COUNT_NAMES
    what = "row %" if normalised else "counts"
    text = Text.assemble((what, "bold"), f" · errors{' (%)' if normalised else ''}, log2 bins: ")
    if color:
        for level, name in enumerate(names):
            ink = "black" if level >= 5 else "white"
            text.append(f"{name} ", style=f"{ink} on {BIN_COLOURS[level]}")
        text.append(" · ")
        text.append(" right ", style=f"black on {RIGHT_COLOUR}")
        return text
    spans = SHARE_SHADES if normalised else COUNT_SHADES
    for level, span in zip(range(0, len(names), 2), spans, strict=True):
        text.append(BIN_GLYPHS[level], style="bold")
        text.append(f" {span}  ")
    text.append("bold: right")
    return text
