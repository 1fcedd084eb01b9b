import sys
from pathlib import Path

# `from tests.datasets import ...` and `import core` work without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


import pytest

# A test that takes longer than this on 2 cores is marked slow, with its reason: make test lists
# any that is not.
SLOW_S = 10.0
_seconds_unmarked: dict[str, float] = {}  # setup, call and teardown of tests not marked slow


def pytest_runtest_setup(item):
    """Every slow marker says why the test is slow, so a reader can judge whether it must be;
    every serial test is slow too, so that `make check` (-m "not slow") is one parallel pass.
    (Failed here, at the test, rather than at collection, where xdist's workers would end
    without saying why.)"""
    slow = list(item.iter_markers("slow"))
    if any(not (mark.kwargs.get("reason") or mark.args) for mark in slow):
        pytest.fail('@pytest.mark.slow needs reason="..." saying why the test takes seconds')
    if item.get_closest_marker("serial") and not slow:
        pytest.fail("a serial test is slow too: add @pytest.mark.slow(reason=...)")


def pytest_runtest_logreport(report):
    # Runs in the process that reports, the controller under xdist, where keywords still
    # name the test's markers.
    if "slow" not in report.keywords:
        seconds = _seconds_unmarked.get(report.nodeid, 0.0) + report.duration
        _seconds_unmarked[report.nodeid] = seconds


def pytest_terminal_summary(terminalreporter):
    unmarked = sorted(
        ((seconds, nodeid) for nodeid, seconds in _seconds_unmarked.items() if seconds > SLOW_S),
        reverse=True,
    )
    if unmarked:
        terminalreporter.section(f"over {SLOW_S:g} s and not marked slow: mark them, with a reason")
        for seconds, nodeid in unmarked:
            terminalreporter.line(f"{seconds:6.1f}s {nodeid}")


@pytest.fixture(autouse=True)
def runs_folder(tmp_path, monkeypatch):
    """Every test records its runs in a store of its own, never in the user's data folder.

    Its state folder too (the lesson's position, the chosen theme, screenshots): a theme the
    developer picked must not change a snapshot.
    """
    folder = tmp_path / "runs"
    monkeypatch.setenv("MNIST_TUI_RUNS", str(folder))
    monkeypatch.setenv("MNIST_TUI_STATE", str(tmp_path / "state"))
    return folder


@pytest.fixture(scope="session")
def synthetic_checkpoint():
    """A model trained on synthetic digits (3 epochs, seed 0): scripts/snapshot_model.py.

    Committed rather than trained here, so that the Evaluate snapshots drawn from it are the
    same on every CPU (training rounds differently with and without AVX-512).
    """
    from scripts.snapshot_model import MODEL

    return MODEL


@pytest.fixture(scope="session")
def mnist_splits():
    """The real MNIST, both splits, read once per test process for the tests that only read it
    (tests of the loader itself load it their own way)."""
    from core.data import load_splits
    from tests.datasets import mnist_dir

    return load_splits("mnist", mnist_dir())


@pytest.fixture(scope="session")
def ray_instance():
    """One local Ray instance on two CPUs for every Ray test of this process (its start takes
    seconds and a dozen processes); shut down after the last. Ray's tests are one xdist group,
    so one worker holds it."""
    import logging

    from tests.datasets import ray_or_skip

    ray = ray_or_skip()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    yield ray
    ray.shutdown()
