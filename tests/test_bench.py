"""The benchmark times both pipelines on the same data and reports comparable figures."""

import json

import pytest

from core import cpu_step
from core.bench import BenchResult, run_benchmark, write_json
from tests.tiny import tiny_config

# One worker for the module (make test runs xdist with --dist loadgroup): its module fixture
# times both pipelines, seconds each time it runs.
pytestmark = [
    pytest.mark.xdist_group("bench"),
    pytest.mark.slow(reason="its module fixture times both pipelines, an epoch each"),
]


@pytest.fixture(scope="module")
def bench() -> tuple[BenchResult, list[str]]:
    lines: list[str] = []
    return run_benchmark(tiny_config(epochs=1), notebook_epochs=1, say=lines.append), lines


@pytest.fixture(scope="module")
def result(bench) -> BenchResult:
    return bench[0]


def test_both_pipelines_are_timed_on_the_same_data(result):
    assert result.notebook is not None and result.notebook_error is None
    assert (result.notebook.name, result.fast.name) == ("notebook", "fast")
    assert result.notebook.epochs == result.fast.epochs == 1
    assert result.notebook.samples_per_s == pytest.approx(6000 / result.notebook.seconds_per_epoch)
    assert result.fast.samples_per_s == pytest.approx(6000 / result.fast.seconds_per_epoch)


def test_speedup_is_the_ratio_of_seconds_per_epoch(bench):
    result, lines = bench
    expected = result.notebook.seconds_per_epoch / result.fast.seconds_per_epoch
    assert result.speedup == pytest.approx(expected)
    assert any(line == f"speed-up per epoch: {expected:.1f}x" for line in lines)


def test_on_the_cpu_the_plain_step_splits_the_speedup(bench):
    result, lines = bench
    if cpu_step.kernels is None:  # nothing to split: the fast path is the plain step
        assert result.plain_step is None
        return
    assert result.plain_step is not None and result.plain_step.epochs == 1
    assert not any("CPU step in C" in note for note in result.plain_step.notes)
    data_part = result.notebook.seconds_per_epoch / result.plain_step.seconds_per_epoch
    step_part = result.plain_step.seconds_per_epoch / result.fast.seconds_per_epoch
    assert (
        f"  of which: the device loader and plain loop {data_part:.1f}x, "
        f"then the step in C {step_part:.1f}x"
    ) in lines


def test_the_recipe_reports_its_test_accuracy(result):
    assert 0.1 < result.test_acc <= 1
    assert (result.dataset, result.batch_size, result.optimizer) == ("synthetic", 64, "rmsprop")
    assert result.device == "cpu (1 thread)"


def test_figures_are_written_as_json(result, tmp_path):
    path = write_json(result, tmp_path / "bench.json")
    figures = json.loads(path.read_text())
    assert figures["speedup"] == pytest.approx(result.speedup)
    assert figures["fast"]["seconds_per_epoch"] == pytest.approx(result.fast.seconds_per_epoch)


def test_recording_is_timed_against_the_same_run_unrecorded(bench):
    result, lines = bench
    assert result.recorded is not None and result.recorded.epochs == result.fast.epochs
    assert result.recorded_run_seconds > 0
    assert 0 < result.recording_share < 1
    assert any(line.startswith("  recording costs ") for line in lines)
