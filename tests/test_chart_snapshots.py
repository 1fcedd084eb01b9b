"""SVG snapshots of each chart control on the Train screen after a recorded run (at 80x24 and
120x40), and of Compare showing every setting."""

from __future__ import annotations

import pytest

from tests.test_chart_keys import compare_all, many_runs
from tests.test_train_snapshots import replay_recorded_run
from tests.tui_helpers import make_app

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
CONTROLS = pytest.mark.parametrize(
    "keys",
    [
        ("tilde", "tilde"),  # smoothed 0.9: the raw points faint behind the smoothed line
        ("l",),  # log y
        ("plus", "less_than_sign"),  # zoomed to half the run, moved back: "paused"
        ("m",),  # the metric picker over the charts
    ],
    ids=["smoothing", "log-y", "zoom-pan", "metric-picker"],
)


@SIZES
@CONTROLS
def test_a_chart_control_on_the_train_screen(snap_compare, size, keys):
    """The control acts on every chart at once and the line under each chart says how."""

    async def run_before(pilot) -> None:
        await replay_recorded_run(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@SIZES
def test_compare_with_every_setting(snap_compare, size):
    """`a` on Compare: a row a setting, a column a run, the differing ones in bold."""

    async def run_before(pilot) -> None:
        many_runs(3)
        await compare_all(pilot, 3)
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
