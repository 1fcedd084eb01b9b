"""The charts' view arithmetic: smoothing, ticks, the zoom window, pan and follow newest."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.widgets.chart.curves import Curve, style_of
from tui.widgets.chart.line_chart import x_window
from tui.widgets.chart.view import (
    ChartView,
    even_ticks,
    smoothed,
    tick_labels,
    whole_ticks,
)

VIEW = ChartView(metrics=("loss",))


def test_smoothing_cycles_off_then_the_three_weights_then_off():
    weights = []
    view = VIEW
    for _ in range(5):
        weights.append(view.smoothing)
        view = view.next_smoothing()
    assert weights == [0.0, 0.6, 0.9, 0.99, 0.0]


def test_smoothed_starts_at_the_first_value_not_pulled_to_zero():
    # Debiased like TensorBoard's: a constant curve stays constant from its first point.
    assert smoothed([2.0, 2.0, 2.0], 0.9) == pytest.approx([2.0, 2.0, 2.0])
    assert smoothed([1.0, 0.0], 0.5) == pytest.approx([1.0, 1 / 3])


def test_smoothing_off_returns_the_raw_values_and_a_nan_passes_through():
    assert smoothed([3.0, 1.0], 0.0) == [3.0, 1.0]
    out = smoothed([1.0, math.nan, 1.0], 0.9)
    assert out[0] == 1.0 and math.isnan(out[1]) and out[2] == pytest.approx(1.0)


def test_whole_ticks_label_every_epoch_that_fits_and_never_a_fraction():
    assert whole_ticks(1, 3, 3) == [1, 2, 3]
    assert whole_ticks(6, 9, 10) == [6, 7, 8, 9]  # a continued run keeps its own numbers
    assert whole_ticks(10.5, 29.5, 4) == [11, 29]  # never 10.5 … 29.5
    assert whole_ticks(1, 30, 4) == [10, 20, 30]


@given(st.integers(0, 5000), st.integers(1, 5000), st.integers(2, 12))
def test_whole_ticks_are_whole_within_range_and_fit_the_room(low, span, room):
    ticks = whole_ticks(low, low + span, room)
    assert all(isinstance(t, int) for t in ticks)
    assert all(low <= t <= low + span for t in ticks)
    assert 1 <= len(ticks) <= room and ticks == sorted(set(ticks))


@given(
    st.floats(-1e3, 1e3, allow_nan=False),
    st.floats(1e-3, 1e3, allow_nan=False),
    st.integers(2, 10),
)
def test_even_ticks_are_evenly_spaced_within_range_and_fit_the_room(low, span, room):
    ticks = even_ticks(low, low + span, room)
    assert 2 <= len(ticks) <= max(room, 2) * 2 + 1
    assert all(low - 1e-9 * span <= t <= low + span + 1e-9 * span for t in ticks)
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) <= 1 or max(steps) - min(steps) < 1e-6 * span


def test_even_ticks_at_80x24_rows_give_two_round_labels_with_the_same_decimals():
    # 0.151 then 0.090 crowded 7 labels into 6 rows; now a few round ones.
    ticks = even_ticks(0.264, 1.269, 3)
    assert ticks == [0.5, 1.0] and tick_labels(ticks) == ["0.5", "1.0"]
    assert tick_labels([0.1, 0.15, 0.2]) == ["0.10", "0.15", "0.20"]


def test_zooming_in_keeps_the_newest_point_in_view_while_following():
    view = VIEW.zoomed_in()
    assert view.window(0, 100) == (50, 100) and view.following
    assert view.zoomed_in().window(0, 100) == (75, 100)


def test_panning_moves_by_half_a_window_and_stops_following_until_f():
    view = VIEW.zoomed_in().panned(-1)  # 50 wide, a quarter of the range older
    assert view.window(0, 100) == (25, 75) and not view.following
    assert "paused" in view.describe()
    assert view.panned(-5).window(0, 100) == (0, 50)  # never past the oldest point
    assert view.follow().window(0, 100) == (50, 100)


def test_a_zoom_never_shows_fewer_than_two_epochs():
    view = VIEW
    for _ in range(6):
        view = view.zoomed_in()
    assert view.window(1, 5) == (3, 5)


def test_zooming_out_all_the_way_shows_the_whole_range_again():
    view = VIEW.zoomed_in().zoomed_in().panned(-1).zoomed_out().zoomed_out()
    assert view.window(0, 100) == (0, 100)


def test_describe_says_what_differs_from_the_plain_view():
    assert VIEW.describe() == ""
    view = VIEW.next_smoothing().toggle_log().zoomed_in()
    assert view.describe() == "smoothed 0.6 · log y · zoom x2"


def test_every_run_of_many_gets_its_own_colour_and_marker_pair():
    pairs = [style_of(i) for i in range(40)]
    assert len(set(pairs)) == 40


def test_zoom_follows_the_live_run_not_the_end_of_a_longer_last_run():
    last_run = Curve("last run", list(range(1, 21)), [0.5] * 20, faint=True)
    this_run = Curve("test", [1, 2, 3, 4], [0.4] * 4)
    assert x_window([last_run, this_run], VIEW) == (1, 20)  # whole: the true axis of both
    assert x_window([last_run, this_run], VIEW.zoomed_in()) == (2, 4)
    assert x_window([last_run], VIEW.zoomed_in()) == (10.5, 20)  # nothing live yet
