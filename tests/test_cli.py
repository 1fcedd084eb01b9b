"""The command line refuses what argparse would silently drop."""

from __future__ import annotations

import os

import pytest

from tui.__main__ import main


def test_options_before_a_command_are_refused_with_the_fixed_order(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--dataset", "fashion", "show", "--index", "3"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "put options after the command: mnist-tui show --dataset fashion --index 3" in err


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--resume", "run.pt"], "--resume"),
        (["--threads", "2", "--no-cpu-kernels"], "--threads, --no-cpu-kernels"),
        (["--loader", "torchvision", "--no-cuda-graph"], "--loader, --no-cuda-graph"),
    ],
)
def test_headless_only_flags_without_headless_are_refused(capsys, argv, named):
    with pytest.raises(SystemExit) as exit_:
        main(["train", *argv])
    assert exit_.value.code == 2
    assert f"{named}: these work only with train --headless" in capsys.readouterr().err


def test_show_with_a_bad_folder_is_one_line_on_stderr(capsys, tmp_path):
    assert main(["show", "--data-dir", str(tmp_path / ("x" * 300))]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("mnist-tui: ")


def test_show_prints_a_synthetic_digit(capsys):
    assert main(["show", "--dataset", "synthetic", "--index", "2", "--mode", "ascii"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("synthetic train[2]")
    assert len(out.splitlines()) == 29


def test_the_app_without_a_terminal_exits_at_once_with_one_line():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "tui", "--dataset", "synthetic"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"},
    )
    assert done.returncode == 1
    assert done.stderr.startswith("mnist-tui: the app needs a terminal")
    assert done.stderr.count("\n") == 1 and done.stdout == ""
