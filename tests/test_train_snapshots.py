"""SVG snapshots of the training dashboard, before a run and after a recorded one.

The finished state is fed from tests/data/synthetic-run.jsonl (a real run's events, recorded with
`fit(..., metrics=PATH)`), so the picture does not depend on timing: its elapsed time is the
recorded run's own ("done in 1.0 s"). The system panel's live readings are frozen to fixed
samples (`SystemPanel.freeze`), so the machine's load never shows in a picture.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from core.system import SystemSample
from tests.recorded import recorded_events
from tests.tui_helpers import make_app, open_train_screen, plain
from tui.widgets.train.system_panel import SystemPanel

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
# A made-up minute of a 2-core machine without an NVIDIA GPU.
FIXED_SAMPLES = [
    SystemSample(cpu, 480.0, 3200.0, 7900.0, None, "no NVIDIA GPU")
    for cpu in (5, 12, 48, 97, 99, 100, 98, 95, 60, 30, 99, 97, 100, 99, 96, 100, 51, 12, 8, 6)
]


async def open_frozen_train_screen(pilot):
    screen = await open_train_screen(pilot)
    screen.query_one(SystemPanel).freeze(FIXED_SAMPLES)
    return screen


async def replay_recorded_run(pilot) -> None:
    screen = await open_frozen_train_screen(pilot)
    for event in recorded_events():
        screen.apply_event(event)
    await pilot.pause()
    assert screen.query_one("#epochs", DataTable).row_count == 3
    assert screen.outcome.test_acc == pytest.approx(0.947)
    assert "overfitting" in plain(screen.query_one("#verdict"))
    assert "done in 1.0 s" in plain(screen.query_one("#run-status"))


@SIZES
def test_train_screen_before_a_run(snap_compare, size):
    """Settings from the command line, the 407,050-parameter summary, the device, the system
    panel (CPU sparkline, memory, no GPU); no run yet."""

    async def run_before(pilot) -> None:
        screen = await open_frozen_train_screen(pilot)
        assert not screen.running and screen.outcome is None
        assert "407,050" in plain(screen.query_one("#system"))
        assert "no NVIDIA GPU" in plain(screen.query_one(SystemPanel))

    app = make_app(epochs=5)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_train_screen_after_a_recorded_run(snap_compare, size):
    """Epoch rows with every column, three charts each with title and legend, the final
    accuracy large, the overfitting verdict and "done in" where an ETA was."""
    assert snap_compare(make_app(), terminal_size=size, run_before=replay_recorded_run)


def test_train_screen_after_a_recorded_run_without_colour(snap_compare, monkeypatch):
    """NO_COLOR: train and test are told apart by their markers (• and x), named in legends."""
    monkeypatch.setenv("NO_COLOR", "1")  # read (and removed) when the app is built
    app = make_app()
    assert app.no_color
    assert snap_compare(app, terminal_size=(80, 24), run_before=replay_recorded_run)
