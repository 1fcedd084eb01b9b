"""`mnist-tui train --headless` and `bench`: the notebook's lines, one-line failures, exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipes import first_line_then_leave, read_until_closed, spawn_on_terminal
from tui.cli import main
from tui.cli.config_flags import config_from_args
from tui.cli.parser import build_parser


def train(argv):
    return main(["train", "--headless", *argv])


def bench(argv):
    return main(["bench", *argv])


SEEDS = "a whole number in 0..9223372036854775807"
TINY = ["--dataset", "synthetic", "--epochs", "2", "--threads", "1", "--device", "cpu"]


def test_prints_the_notebooks_epoch_lines_then_the_test_accuracy(capsys):
    assert train(TINY) == 0
    lines = capsys.readouterr().out.splitlines()
    epochs = [line for line in lines if line.startswith("Epoch : ")]
    assert len(epochs) == 2
    assert epochs[0].startswith("Epoch : 0  Loss : ") and "  Acc : 0." in epochs[0]
    assert lines[-2].startswith("Test set Accuracy : ") and lines[-2].endswith("%")
    assert lines[-1].startswith("recorded as run ")


def test_every_headless_run_is_recorded_unless_asked_not_to(capsys, runs_folder):
    from core.runs import RunStore

    assert train([*TINY, "--name", "first"]) == 0
    assert train([*TINY, "--no-record"]) == 0
    assert "recorded as run" not in capsys.readouterr().out.splitlines()[-1]
    with RunStore.open() as store:
        (run,) = store.list()
    assert (run.name, run.source, run.status, run.epochs_done) == (
        "first",
        "headless",
        "finished",
        2,
    )
    assert run.checkpoint == str(runs_folder / f"{run.id}.pt")


def test_runs_list_show_and_resume_by_id(capsys, tmp_path):
    assert train([*TINY, "--epochs", "1", "--runs", str(tmp_path / "store")]) == 0
    capsys.readouterr()
    assert main(["runs", "list", "--json", "--runs", str(tmp_path / "store")]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (
        listed["config"]["lr"] == 1e-3 and listed["epochs"] == 1 and listed["status"] == "finished"
    )
    assert 0 <= listed["test_acc"] <= 1
    run_id = listed["id"]
    assert train([*TINY, "--resume", run_id[:4], "--runs", str(tmp_path / "store")]) == 0
    assert "resuming at epoch 1" in capsys.readouterr().out
    assert main(["runs", "show", run_id, "--json", "--runs", str(tmp_path / "store")]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["epoch"] for e in shown["history"]] == [0]
    assert set(shown["history"][0]) >= {
        "train_loss",
        "train_acc",
        "test_loss",
        "test_acc",
        "seconds",
    }


def test_a_reader_that_leaves_runs_list_early_ends_it_quietly(tmp_path):
    """`mnist-tui runs list --json | head -1`: the shell's 141 and nothing on stderr. It ended
    with "cannot write None: Broken pipe" and status 1 about one time in five; here the output
    outgrows the pipe's buffer, so the reader's leaving breaks the pipe every time."""
    from core.runs import RunStore

    folder = tmp_path / "store"
    with RunStore.open(folder) as store:
        for _ in range(200):  # about 150 KB of JSON, past the pipe's 64 KiB
            store.create({"epochs": 1}, "python", "cpu", "synthetic")
    argv = [sys.executable, "-m", "tui", "runs", "list", "--json", "--runs", str(folder)]
    first, err, status = first_line_then_leave(argv)
    assert status == 141
    assert first.startswith("[") and err == ""


def test_a_corrupt_run_store_is_named_and_left_as_it_was(capsys, tmp_path):
    store = tmp_path / "runs.sqlite"
    store.write_bytes(b"not a database, but somebody's notes" * 100)
    before = store.read_bytes()
    assert main(["runs", "list", "--runs", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mnist-tui: ") and str(store) in err and err.count("\n") == 1
    assert train([*TINY, "--runs", str(tmp_path)]) == 1
    assert "--no-record" in capsys.readouterr().err
    assert store.read_bytes() == before


def test_a_store_damaged_inside_is_refused_before_the_first_epoch(capsys, tmp_path):
    import sqlite3

    assert train([*TINY, "--epochs", "1", "--runs", str(tmp_path)]) == 0
    store = tmp_path / "runs.sqlite"
    sqlite3.connect(store).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    damaged = bytearray(store.read_bytes())
    for start in range(4096, len(damaged), 4096):  # valid header, pages overwritten
        damaged[start + 8 : start + 64] = b"\xab" * 56
    store.write_bytes(bytes(damaged))
    capsys.readouterr()
    assert train([*TINY, "--runs", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "Epoch" not in out
    assert err.startswith(f"mnist-tui: {store} is a damaged run store (") and err.count("\n") == 1
    assert store.read_bytes() == bytes(damaged)


def test_a_run_the_store_stops_recording_fails_and_names_its_checkpoint(capsys, tmp_path):
    import sqlite3

    assert train([*TINY, "--epochs", "1", "--runs", str(tmp_path)]) == 0
    db = sqlite3.connect(tmp_path / "runs.sqlite")  # the store refuses epochs, as a full disk
    db.execute("CREATE TRIGGER full BEFORE INSERT ON epochs BEGIN SELECT RAISE(ABORT, 'full'); END")
    db.close()
    capsys.readouterr()
    assert train([*TINY, "--runs", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out.count("Epoch : ") == 2  # the training itself went on
    (line,) = err.splitlines()
    assert line.startswith("mnist-tui: the run trained but was not fully recorded (")
    kept = Path(line.split("its checkpoint is ")[1])
    assert kept.parent == tmp_path and kept.stat().st_size > 0


def test_flags_become_the_config():
    args = build_parser().parse_args(
        [
            "train",
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
    config = config_from_args(args)
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
        (["--resume", "/nonexistent/run.pt"], 1, "mnist-tui: no checkpoint at /nonexistent/run.pt"),
        (["--lr", "1e30"], 1, "mnist-tui: loss became nan at epoch 0, step"),
    ],
)
def test_failures_exit_non_zero_with_one_line_and_no_traceback(capsys, argv, code, message):
    assert train([*TINY, *argv]) == code
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err


def test_metrics_under_a_file_say_so(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert train([*TINY, "--metrics", str(tmp_path / "file" / "m.jsonl")]) == 1
    err = capsys.readouterr().err
    target, parent = tmp_path / "file" / "m.jsonl", tmp_path / "file"
    assert err == f"mnist-tui: cannot write metrics to {target}: {parent} is a file, not a folder\n"


FULL_DISK = Path("/dev/full")  # every write to it fails with ENOSPC, as a full disk does


@pytest.mark.skipif(not FULL_DISK.exists(), reason="needs Linux's /dev/full")
def test_metrics_on_a_full_disk_name_the_file(capsys):
    assert train([*TINY, "--metrics", str(FULL_DISK)]) == 1
    err = capsys.readouterr().err
    assert err == f"mnist-tui: cannot write metrics to {FULL_DISK}: No space left on device\n"


@pytest.mark.skipif(not FULL_DISK.exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize(
    "argv",
    [
        ["show", "--dataset", "synthetic"],
        ["lesson", "--list"],
        pytest.param(
            ["train", "--headless", *TINY],
            marks=pytest.mark.slow(reason="a process that imports torch and trains: 5-16 s"),
        ),
        ["runs", "list", "--json"],
    ],
    ids=["show", "lesson", "train", "runs"],
)
def test_standard_output_on_a_full_disk_is_named_in_one_line(argv, runs_folder):
    with FULL_DISK.open("w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "tui", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert done.stderr == "mnist-tui: cannot write standard output: No space left on device\n"


def test_save_under_a_file_says_so(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert train([*TINY, "--epochs", "1", "--save", str(tmp_path / "file" / "run.pt")]) == 1
    err = capsys.readouterr().err
    target, parent = tmp_path / "file" / "run.pt", tmp_path / "file"
    assert err == f"mnist-tui: cannot write checkpoint {target}: {parent} is a file, not a folder\n"


def test_missing_data_dir_is_one_line(capsys, tmp_path):
    assert train(["--data-dir", str(tmp_path / "absent"), "--threads", "1"]) == 1
    err = capsys.readouterr().err
    assert err == f"mnist-tui: data folder {tmp_path / 'absent'} does not exist\n"


def test_bench_prints_the_speedup_and_writes_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    argv = ["--dataset", "synthetic", "--epochs", "1", "--threads", "1", "--json", str(path)]
    assert bench(argv) == 0
    out = capsys.readouterr().out
    assert "speed-up per epoch: " in out and "x\n" in out
    assert json.loads(path.read_text())["fast"]["epochs"] == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lr", "0"], "argument --lr: must be a finite number > 0, got '0'"),
        (["--lr", "nan"], "argument --lr: must be a finite number > 0, got 'nan'"),
        (["--epochs", "0"], "argument --epochs: must be a whole number in 1..1000, got '0'"),
        (["--hidden", "9223372036854775808"], "argument --hidden: must be a whole number in 1.."),
        (["--seed", "18446744073709551616"], f"argument --seed: must be {SEEDS}"),
        (["--seed", "1e30"], f"argument --seed: must be {SEEDS}, got '1e30'"),
        (["--threads", "99999"], "argument --threads: must be a whole number in 1..4096"),
        (["--optimizer", "lbfgs"], "argument --optimizer: invalid choice: 'lbfgs'"),
    ],
)  # fmt: skip
def test_a_bad_number_is_refused_at_the_flag_before_torch_is_imported(argv, message):
    # In a fresh interpreter, so that this test session's own torch import does not count.
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        "try:\n"
        f"    main(['train', '--headless', *{argv!r}])\n"
        "except SystemExit as exit:\n"
        "    print(exit.code, 'torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2", "False", "False"] or done.stdout.split()[:2] == [
        "2",
        "False",
    ]
    assert done.stderr.startswith(f"mnist-tui: {message}")
    assert done.stderr.endswith("(see mnist-tui train --help)\n") and done.stderr.count("\n") == 1


def test_more_threads_than_cores_are_capped_with_a_note(capsys):
    import os

    args = build_parser().parse_args(["train", "--headless", "--threads", "999"])
    assert config_from_args(args).threads == (os.cpu_count() or 1)
    assert "is more than the" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--notebook-epochs", "-1"], "argument --notebook-epochs: must be a whole number in 0"),
        (["--epochs", "0"], "argument --epochs: must be a whole number in 1..1000, got '0'"),
    ],
)  # fmt: skip
def test_bench_names_the_option_that_is_wrong(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        bench(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith(f"mnist-tui: {message}")


def test_bench_can_skip_the_notebook_pipeline(tmp_path, capsys):
    path = tmp_path / "bench.json"
    argv = ["--dataset", "synthetic", "--epochs", "1", "--threads", "1", "--notebook-epochs", "0"]
    assert bench([*argv, "--json", str(path)]) == 0
    figures = json.loads(path.read_text())
    assert figures["notebook"] is None and figures["speedup"] is None
    assert "speed-up" not in capsys.readouterr().out


def test_bench_writes_its_figures_beside_the_runs_not_where_it_is_run(
    tmp_path, capsys, monkeypatch, runs_folder
):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    argv = ["--dataset", "synthetic", "--epochs", "1", "--threads", "1", "--notebook-epochs", "0"]
    assert bench(argv) == 0
    assert list(here.iterdir()) == []  # no ./runs left behind
    written = runs_folder / "bench-cpu.json"
    assert json.loads(written.read_text())["notebook"] is None
    assert f"figures written to {written}" in capsys.readouterr().out


def test_runs_commands_take_a_runs_name_where_they_take_an_id(tmp_path, capsys):
    from core.runs import RunStore

    folder = str(tmp_path / "store")
    with RunStore.open(folder) as store:
        run = store.create({"epochs": 1}, "python", "cpu", "synthetic", name="first try")
    assert main(["runs", "show", "first try", "--json", "--runs", folder]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == run.id
    assert main(["runs", "rename", "first try", "kept", "--runs", folder]) == 0
    assert capsys.readouterr().out == f"{run.id} is now 'kept'\n"


def test_a_resumed_run_keeps_its_checkpoints_settings_and_records_its_parent(tmp_path, capsys):
    folder = str(tmp_path / "store")
    base = [*TINY, "--runs", folder]
    assert train([*base, "--epochs", "1", "--hidden", "32", "--lr", "3e-3", "--name", "first"]) == 0
    assert train(["--resume", "first", "--epochs", "2", "--runs", folder, "--name", "second"]) == 0
    assert main(["runs", "show", "second", "--json", "--runs", folder]) == 0
    child = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert (child["config"]["hidden"], child["config"]["lr"]) == (32, 3e-3)  # no flags: kept
    assert child["lineage"] == [child["parent"], child["id"]]
    assert [e["epoch"] for e in child["history"]] == [1]
    assert main(["runs", "show", "second", "--runs", folder]) == 0
    table = capsys.readouterr().out.splitlines()[-3:]
    assert table[0].split()[:2] == ["run", "epoch"]
    assert [row.split()[:2] for row in table[1:]] == [[child["parent"], "1"], [child["id"], "2"]]


def test_a_run_resumes_from_the_data_folder_it_trained_from(tmp_path, capsys, monkeypatch):
    from tests.datasets import mnist_dir

    folder = str(mnist_dir())  # skips without the real files, fails without them under CI
    store = str(tmp_path / "store")
    recipe = ["--threads", "1", "--device", "cpu", "--runs", store]
    assert train([*recipe, "--epochs", "1", "--data-dir", folder, "--name", "first"]) == 0
    monkeypatch.chdir(tmp_path)  # nowhere near the data: only the run can say where it is
    assert train([*recipe, "--resume", "first", "--epochs", "2"]) == 0
    capsys.readouterr()
    assert main(["runs", "list", "--json", "--limit", "1", "--runs", store]) == 0
    (resumed,) = json.loads(capsys.readouterr().out)
    assert resumed["status"] == "finished" and resumed["config"]["data_dir"] == folder


def test_a_copied_checkpoint_beside_the_store_names_no_parent_by_its_file_name(tmp_path, capsys):
    import shutil

    folder = tmp_path / "store"
    assert train([*TINY, "--epochs", "1", "--runs", str(folder), "--name", "best"]) == 0
    from core.runs import RunStore

    with RunStore.open(folder) as store:
        (run,) = store.list()
    copy = folder / "best.pt"  # the file's name is the other run's name, not an id
    shutil.copy(run.checkpoint, copy)
    assert train(["--resume", str(copy), "--epochs", "2", "--runs", str(folder)]) == 0
    with RunStore.open(folder) as store:
        newest = store.list()[0]
    assert newest.id != run.id and newest.parent is None


def test_a_learning_rate_given_on_resume_is_used_said_and_recorded(tmp_path, capsys):
    folder = str(tmp_path / "store")
    assert train([*TINY, "--epochs", "1", "--runs", folder, "--name", "first"]) == 0
    losses = {}
    for lr in ("0.5", "3e-4"):
        capsys.readouterr()
        assert train(["--resume", "first", "--epochs", "2", "--lr", lr, "--runs", folder]) == 0
        out = capsys.readouterr().out
        assert (
            f"note: learning rate {float(lr):g} from here on (the checkpoint trained with 0.001)"
            in out
        )
        (epoch_line,) = [line for line in out.splitlines() if line.startswith("Epoch : 1")]
        losses[lr] = epoch_line
        assert main(["runs", "list", "--json", "--limit", "1", "--runs", folder]) == 0
        assert json.loads(capsys.readouterr().out)[0]["config"]["lr"] == float(lr)
    assert losses["0.5"] != losses["3e-4"]  # the flag changed the training, not only the record


def test_runs_export_takes_several_runs_into_one_table_or_stream(tmp_path, capsys):
    import csv
    import io

    folder = str(tmp_path / "store")
    assert train([*TINY, "--epochs", "1", "--runs", folder, "--name", "first"]) == 0
    assert train([*TINY, "--epochs", "2", "--runs", folder, "--name", "second"]) == 0
    capsys.readouterr()
    assert (
        main(["runs", "export", "first", "second", "first", "--format", "csv", "--runs", folder])
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 3 and len({row["run_id"] for row in rows}) == 2  # "first" once
    out = tmp_path / "both.jsonl"
    assert (
        main(
            [
                "runs",
                "export",
                "second",
                "first",
                "--format",
                "jsonl",
                "--out",
                str(out),
                "--runs",
                folder,
            ]
        )
        == 0
    )
    kinds = [json.loads(line)["record"] for line in out.read_text().splitlines()]
    assert kinds == ["run", "epoch", "epoch", "run", "epoch"]
    assert capsys.readouterr().err == f"3 epochs of 2 runs written to {out}\n"


def test_on_a_terminal_train_says_what_it_does_before_its_first_line_then_draws_a_bar(
    runs_folder,
):
    pid, fd = spawn_on_terminal(["train", "--headless", *TINY, "--epochs", "30"])
    try:
        first = read_until_closed(fd, until=b"importing torch", timeout=30)
        assert b"Training " not in first  # said before the run's own first line
        rest = read_until_closed(fd)
        assert b"loading synthetic" in first + rest
        assert b"\xe2\x94\x81" in rest and b"/94" in rest  # a bar over the 94 batches
        assert b"Test set Accuracy" in rest
    finally:
        os.waitpid(pid, 0)
        os.close(fd)


def test_resuming_a_run_without_a_checkpoint_says_why_and_no_more(tmp_path, capsys):
    from core.config import TrainConfig
    from core.events import EpochEnd
    from core.runs import RunStore

    folder = tmp_path / "store"
    with RunStore.open(folder) as store:  # as a Ray sweep member records it: no weights
        run = store.create(TrainConfig(dataset="synthetic").to_dict(), "sweep", "cpu", "drawn")
        store.append_epoch(run.id, EpochEnd(0, 2.3, 0.1, 2.3, 0.1, 1.0, 500.0, None))
        store.finish(run.id, "finished", 0.1, epochs_done=1)
    assert train(["--resume", run.id, "--epochs", "2", "--runs", str(folder)]) == 1
    assert capsys.readouterr().err == (
        f"mnist-tui: run {run.id} has no checkpoint to continue from: none was kept for it "
        "(a sweep member trained on Ray, or by an earlier version)\n"
    )


def test_a_recorded_run_is_resumed_by_name_without_recording_the_new_one(tmp_path, capsys):
    from core.runs import RunStore

    folder = str(tmp_path / "store")
    assert train([*TINY, "--epochs", "1", "--runs", folder, "--name", "first"]) == 0
    capsys.readouterr()
    assert train(["--resume", "first", "--epochs", "2", "--no-record", "--runs", folder]) == 0
    assert "resuming at epoch 1" in capsys.readouterr().out
    with RunStore.open(folder) as store:
        assert [run.name for run in store.list()] == ["first"]  # nothing more recorded


def test_a_run_whose_parent_was_deleted_says_so(tmp_path, capsys):
    folder = str(tmp_path / "store")
    base = [*TINY, "--runs", folder]
    assert train([*base, "--epochs", "1", "--name", "first"]) == 0
    assert train(["--resume", "first", "--epochs", "2", "--runs", folder, "--name", "second"]) == 0
    assert main(["runs", "show", "second", "--json", "--runs", folder]) == 0
    parent = json.loads(capsys.readouterr().out.splitlines()[-1])["parent"]
    assert main(["runs", "rm", "first", "--yes", "--runs", folder]) == 0
    capsys.readouterr()
    assert main(["runs", "show", "second", "--runs", folder]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"continues    {parent} (deleted since)" in lines


def test_resuming_a_sweep_id_says_it_is_a_sweep(tmp_path, capsys):
    from core.runs import RunStore

    folder = tmp_path / "store"
    with RunStore.open(folder) as store:
        store.create({"lr": 1e-3}, "sweep", "cpu", "drawn", sweep="5eed0a11")
    assert train(["--resume", "5eed0a11", "--epochs", "2", "--runs", str(folder)]) == 1
    assert capsys.readouterr().err == (
        "mnist-tui: 5eed0a11 is a sweep, not a run: runs list --sweep 5eed0a11 lists its runs\n"
    )
