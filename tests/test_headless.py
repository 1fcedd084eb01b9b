"""`mnist-tui train --headless` and `bench`: the notebook's lines, one-line failures, exit codes."""

import argparse
import json

import pytest

from core import headless


def parse(adder, argv):
    parser = argparse.ArgumentParser()
    adder(parser)
    return parser.parse_args(argv)


def train(argv):
    return headless.run_train(parse(headless.add_train_arguments, ["--headless", *argv]))


TINY = ["--dataset", "synthetic", "--epochs", "2", "--threads", "1", "--device", "cpu"]


def test_prints_the_notebooks_epoch_lines_then_the_test_accuracy(capsys):
    assert train(TINY) == 0
    lines = capsys.readouterr().out.splitlines()
    epochs = [line for line in lines if line.startswith("Epoch : ")]
    assert len(epochs) == 2
    assert epochs[0].startswith("Epoch : 0  Loss : ") and "  Acc : 0." in epochs[0]
    assert lines[-1].startswith("Test set Accuracy : ") and lines[-1].endswith("%")


def test_flags_become_the_config():
    args = parse(
        headless.add_train_arguments,
        [
            "--headless",
            "--epochs",
            "3",
            "--batch-size",
            "32",
            "--lr",
            "0.01",
            "--optimizer",
            "adam",
            "--hidden",
            "128",
            "--seed",
            "7",
            "--loader",
            "torchvision",
            "--no-cuda-graph",
            "--no-cpu-kernels",
        ],
    )
    config = headless.config_from_args(args)
    assert config.cpu_kernels is False
    assert (config.epochs, config.batch_size, config.lr, config.optimizer) == (3, 32, 0.01, "adam")
    assert (config.hidden, config.seed, config.loader, config.cuda_graph) == (
        128,
        7,
        "torchvision",
        False,
    )


def test_save_metrics_and_resume(tmp_path, capsys):
    checkpoint, metrics = tmp_path / "run.pt", tmp_path / "metrics.jsonl"
    assert train([*TINY, "--epochs", "1", "--save", str(checkpoint)]) == 0
    assert train([*TINY, "--resume", str(checkpoint), "--metrics", str(metrics)]) == 0
    out = capsys.readouterr().out
    assert "resuming at epoch 1" in out and "Epoch : 1  " in out
    events = [json.loads(line)["event"] for line in metrics.read_text().splitlines()]
    assert events[0] == "run_started" and events[-1] == "run_finished"


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--lr", "0"], 2, "error: lr must be a finite number > 0, got 0.0"),
        (["--epochs", "0"], 2, "error: epochs must be a whole number in 1..1000, got 0"),
        (["--resume", "/nonexistent/run.pt"], 1, "error: no checkpoint at /nonexistent/run.pt"),
        (["--lr", "1e30"], 1, "error: loss became nan at epoch 0, step"),
    ],
)
def test_failures_exit_non_zero_with_one_line_and_no_traceback(capsys, argv, code, message):
    assert train([*TINY, *argv]) == code
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err


def test_missing_data_dir_is_one_line(capsys, tmp_path):
    assert train(["--data-dir", str(tmp_path / "absent"), "--threads", "1"]) == 1
    assert capsys.readouterr().err == f"error: data folder {tmp_path / 'absent'} does not exist\n"


def test_bench_prints_the_speedup_and_writes_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    args = parse(
        headless.add_bench_arguments,
        ["--dataset", "synthetic", "--epochs", "1", "--threads", "1", "--json", str(path)],
    )
    assert headless.run_bench(args) == 0
    out = capsys.readouterr().out
    assert "speed-up per epoch: " in out and "x\n" in out
    assert json.loads(path.read_text())["fast"]["epochs"] == 1


def test_a_bad_option_is_reported_before_torch_is_imported(capsys):
    # In a fresh interpreter, so that this test session's own torch import does not count.
    import subprocess
    import sys

    code = (
        "import sys; from core import headless; import argparse; p = argparse.ArgumentParser();"
        "headless.add_train_arguments(p);"
        "rc = headless.run_train(p.parse_args(['--headless', '--lr', '-1']));"
        "print(rc, 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2", "False"]
    assert done.stderr == "error: lr must be a finite number > 0, got -1.0\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--notebook-epochs", "-1"],
            "error: --notebook-epochs must be 0 (skip) or more, got -1\n",
        ),
        (["--epochs", "0"], "error: epochs must be a whole number in 1..1000, got 0\n"),
    ],
)
def test_bench_names_the_option_that_is_wrong(capsys, argv, message):
    assert headless.run_bench(parse(headless.add_bench_arguments, argv)) == 2
    assert capsys.readouterr().err == message


def test_bench_can_skip_the_notebook_pipeline(tmp_path, capsys):
    path = tmp_path / "bench.json"
    argv = ["--dataset", "synthetic", "--epochs", "1", "--threads", "1", "--notebook-epochs", "0"]
    args = parse(headless.add_bench_arguments, [*argv, "--json", str(path)])
    assert headless.run_bench(args) == 0
    figures = json.loads(path.read_text())
    assert figures["notebook"] is None and figures["speedup"] is None
    assert "speed-up" not in capsys.readouterr().out
