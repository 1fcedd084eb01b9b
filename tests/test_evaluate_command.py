"""`mnist-tui evaluate`: a recorded run or a checkpoint file judged on the test split, headless."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tui.cli import main

TINY = ["--dataset", "synthetic", "--epochs", "2", "--threads", "1", "--device", "cpu"]


@pytest.fixture
def recorded_run(capsys, runs_folder):
    """A short real run in the test's own store: its record."""
    from core.runs import RunStore

    assert main(["train", "--headless", *TINY]) == 0
    capsys.readouterr()
    with RunStore.open() as store:
        (run,) = store.list()
    return run


def test_a_recorded_run_scores_what_its_record_says(capsys, recorded_run):
    assert main(["evaluate", "--run", recorded_run.id[:5], "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["run"] == recorded_run.id and report["checkpoint"] == recorded_run.checkpoint
    assert report["test_acc"] == pytest.approx(recorded_run.test_acc, abs=1e-9)
    confusion = np.array(report["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == report["total"]
    assert np.trace(confusion) == report["correct"]
    for row, scores in zip(confusion, report["per_class"], strict=True):
        assert scores["support"] == row.sum()
        assert scores["recall"] == pytest.approx(row[scores["class"]] / row.sum())


def test_the_text_report_names_the_accuracy_the_classes_and_the_confusion(capsys, recorded_run):
    assert main(["evaluate", "--checkpoint", recorded_run.checkpoint]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{recorded_run.checkpoint}: 784-512-10 on synthetic test"
    assert out[1].startswith(f"test accuracy {recorded_run.test_acc:.2%} (")
    assert out[3].split() == ["class", "precision", "recall", "f1", "images"]
    assert "confusion: a row per true class, a column per predicted class" in out


def test_a_run_trained_from_a_named_folder_is_judged_on_that_folder(capsys, runs_folder):
    from core.runs import RunStore
    from tests.datasets import mnist_dir

    folder = str(mnist_dir())  # skips without the real files, fails without them under CI
    recipe = ["--epochs", "1", "--threads", "1", "--device", "cpu", "--data-dir", folder]
    assert main(["train", "--headless", *recipe]) == 0
    with RunStore.open() as store:
        (run,) = store.list()
    capsys.readouterr()
    assert main(["evaluate", "--run", run.id, "--json"]) == 0  # no --data-dir: the run's own
    report = json.loads(capsys.readouterr().out)
    assert report["data_source"].startswith(folder) and report["total"] == 10_000
    assert report["test_acc"] == pytest.approx(run.test_acc, abs=1e-9)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--checkpoint", "/nonexistent/run.pt"],
            "mnist-tui: no checkpoint at /nonexistent/run.pt",
        ),
        (["--run", "ffffffff"], "mnist-tui: no run ffffffff in "),
    ],
)
def test_what_cannot_be_evaluated_is_one_line(capsys, runs_folder, argv, message):
    assert main(["evaluate", *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize("argv", [[], ["--run", "ab12", "--checkpoint", "x.pt"]])
def test_one_network_must_be_named(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        main(["evaluate", *argv])
    assert exit_.value.code == 2
    assert "--checkpoint" in capsys.readouterr().err
