"""SVG snapshots of the browser on synthetic digits, each paired with checks on the state.

Update baselines only after looking at the new picture: `make test PYTEST_ARGS=--snapshot-update`
then view tests/__snapshots__/ (rsvg-convert -o x.png FILE.svg).
"""

from __future__ import annotations

import pytest

from tests.tui_helpers import make_app, wait_for_data
from tui.screens.browse import BrowseScreen

SIZES = [(80, 24), (120, 40)]


def check_then(keys: list[str], expect: dict):
    """run_before: load, press keys, then assert the browser's state before the picture."""

    async def run_before(pilot) -> None:
        await wait_for_data(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, BrowseScreen)
        for name, value in expect.items():
            assert getattr(screen, name) == value, name

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    ("keys", "expect"),
    [
        ([], {"mode": "halfblock", "index": 0}),
        (["m", "right"], {"mode": "ascii", "index": 1}),
        (["m", "m", "down"], {"mode": "braille", "index": 10}),
    ],
    ids=["halfblock", "ascii", "braille"],
)
def test_browser_render_modes(snap_compare, size, keys, expect):
    """Each render mode draws the digit, its facts and neighbouring thumbnails at this size."""
    assert snap_compare(make_app(), terminal_size=size, run_before=check_then(keys, expect))


def test_browser_pixel_matrix_binary_palette(snap_compare):
    """The pixel matrix replaces the digit; the binary palette darkens ink on light paper."""
    expect = {"show_matrix": True, "palette": "binary", "index": 3}
    keys = ["right", "right", "right", "b", "x"]
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=check_then(keys, expect))


def test_browser_filtered_test_split(snap_compare):
    """Test split, only the 4s: the info panel says so and the thumbnails are all 4s."""
    expect = {"split": "test", "label_filter": 4}
    assert snap_compare(
        make_app(), terminal_size=(80, 24), run_before=check_then(["t", "f", "4"], expect)
    )


@pytest.mark.parametrize(
    ("size", "keys", "expect"),
    [
        ((80, 24), [], {"mode": "halfblock", "palette": "dark"}),
        ((120, 40), ["b"], {"mode": "halfblock", "palette": "binary"}),
    ],
    ids=["80x24-dark", "120x40-binary"],
)
def test_browser_without_colour(snap_compare, monkeypatch, size, keys, expect):
    """NO_COLOR: the digit and thumbnails in ink-or-paper glyphs, the current one in reverse.

    Textual reads (and removes) NO_COLOR when the app is built, so it is set before.
    """
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color
    assert snap_compare(app, terminal_size=size, run_before=check_then(keys, expect))
