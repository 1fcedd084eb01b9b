"""The batched-against-sequential bench (core.sweep.bench) on a tiny run: figures, not speed."""

import pytest

from core.sweep.bench import (
    SweepBench,
    SweepBenchError,
    bench_sweep,
    members_per_second,
    spread_lrs,
)
from tests.tiny import tiny_config, tiny_data


@pytest.mark.parametrize("cpu_kernels", [True, False])
def test_bench_sweep_times_both_sides(cpu_kernels):
    configs = spread_lrs(tiny_config(cpu_kernels=cpu_kernels), 2)
    bench = bench_sweep(configs, tiny_data(), epochs=1)
    assert isinstance(bench, SweepBench)
    assert (bench.members, bench.epochs, bench.device) == (2, 1, "cpu")
    assert bench.batched_s > 0 and bench.sequential_s > 0
    assert bench.ratio == bench.sequential_s / bench.batched_s


def test_bench_sweep_takes_the_best_of_its_repeats_and_any_groups():
    # Two hidden sizes: two groups, each trained batched.
    configs = [tiny_config(lr=1e-3), tiny_config(lr=2e-3), tiny_config(lr=1e-3, hidden=64)]
    bench = bench_sweep(configs, tiny_data(), epochs=1, repeats=2)
    assert bench.members == 3 and bench.ratio > 0


def test_members_per_second_gives_one_rate_per_count():
    curve = members_per_second((1, 3), tiny_config(), data=tiny_data())
    assert [count for count, _ in curve] == [1, 3]
    assert all(rate > 0 for _, rate in curve)


def test_spread_lrs_runs_from_half_to_twice_the_base():
    lrs = [c.lr for c in spread_lrs(tiny_config(lr=1e-3), 3)]
    assert lrs == pytest.approx([5e-4, 1e-3, 2e-3])
    assert spread_lrs(tiny_config(), 1) == [tiny_config()]
    with pytest.raises(ValueError):
        spread_lrs(tiny_config(), 0)


def test_a_failing_member_is_reported_not_timed():
    with pytest.raises(SweepBenchError, match="loss became"):
        bench_sweep([tiny_config(lr=1e38)], tiny_data(), epochs=1)
    with pytest.raises(ValueError):
        bench_sweep([], tiny_data())
