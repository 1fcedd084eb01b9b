"""mypy finds nothing in core/ or tui/: its baseline (tests/mypy-baseline.txt, the errors
`make typecheck` tolerates) may list errors of tests and scripts only, so `make
typecheck-baseline` cannot quietly accept a new one in the product's code."""

from pathlib import Path

BASELINE = Path(__file__).with_name("mypy-baseline.txt")


def test_the_baseline_tolerates_no_error_in_core_or_tui():
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    assert lines  # the file is read where make typecheck reads it
    assert [line for line in lines if line.startswith(("core/", "tui/"))] == []
