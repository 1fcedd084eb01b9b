"""Uncrumpling's ten class colours read on the plots' background in every built-in theme."""

from __future__ import annotations

import itertools

import pytest
from textual.color import Color
from textual.theme import BUILTIN_THEMES

from tui.widgets.lab.plots import class_colors

MIN_CONTRAST = 3.0  # WCAG's floor for large text and graphics: each point is a drawn digit


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2's relative luminance of an sRGB colour, 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def plot_backgrounds(dark: bool) -> dict[str, tuple[int, int, int]]:
    """Each built-in theme's surface (what the plots are drawn on), for dark or light themes.

    The ANSI themes leave the terminal's own background: black or white is assumed for them.
    """
    backgrounds = {}
    for name, theme in BUILTIN_THEMES.items():
        if theme.dark != dark:
            continue
        surface = theme.to_color_system().generate()["surface"]
        if surface.startswith("#"):
            backgrounds[name] = Color.parse(surface).rgb
        else:
            backgrounds[name] = (0, 0, 0) if dark else (255, 255, 255)
    return backgrounds


@pytest.mark.parametrize("dark", [False, True], ids=["light themes", "dark themes"])
def test_every_class_colour_has_3_to_1_contrast_on_every_theme_of_its_kind(dark):
    backgrounds = plot_backgrounds(dark)
    assert "textual-light" in backgrounds or dark
    assert "textual-dark" in backgrounds or not dark
    too_faint = [
        (label, theme, round(contrast(colour, background), 2))
        for label, colour in enumerate(class_colors(dark))
        for theme, background in backgrounds.items()
        if contrast(colour, background) < MIN_CONTRAST
    ]
    assert too_faint == []


def test_the_brightened_colours_would_fail_on_a_light_theme():
    """The check has teeth: the dark themes' set (7 and 9 were the complaint) fails there."""
    light = plot_backgrounds(dark=False)["textual-light"]
    faint = [label for label, c in enumerate(class_colors(True)) if contrast(c, light) < 3]
    assert {5, 7, 9} <= set(faint)


@pytest.mark.parametrize("dark", [False, True], ids=["light themes", "dark themes"])
def test_the_ten_colours_of_each_set_are_all_different(dark):
    colours = class_colors(dark)
    assert len(colours) == 10
    closest = min(
        sum(abs(x - y) for x, y in zip(a, b, strict=True))
        for a, b in itertools.combinations(colours, 2)
    )
    assert closest >= 60  # summed over R, G and B: no two classes a near-copy of each other
