"""SVG snapshots of the training dashboard, before a run and after a recorded one.

The finished state is fed from tests/data/synthetic-run.jsonl (a real run's events, recorded with
`fit(..., metrics=PATH)`), so the picture does not depend on timing.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.recorded import recorded_events
from tests.tui_helpers import make_app, open_train_screen, plain


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_train_screen_before_a_run(snap_compare, size):
    """Settings from the command line, the 407,050-parameter summary, the device; no run yet."""

    async def run_before(pilot) -> None:
        screen = await open_train_screen(pilot)
        assert not screen.running and screen.outcome is None
        assert "407,050" in plain(screen.query_one("#system"))

    app = make_app(epochs=5)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_train_screen_after_a_recorded_run(snap_compare, size):
    """Epoch rows, charts, the final accuracy large and the overfitting verdict."""

    async def run_before(pilot) -> None:
        screen = await open_train_screen(pilot)
        for event in recorded_events():
            screen.apply_event(event)
        await pilot.pause()
        assert screen.query_one("#epochs", DataTable).row_count == 3
        assert screen.outcome.test_acc == pytest.approx(0.947)
        assert "overfitting" in plain(screen.query_one("#verdict"))

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
