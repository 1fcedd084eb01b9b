"""`mnist-tui sweep`: one-line refusals that train and record nothing, a real sweep end to end,
Ctrl-C in the middle, and --bench's ratio."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from core.config import settings
from core.runs import RunStore
from tests.datasets import ROOT
from tests.pipes import first_line_then_leave
from tui.cli import main

TINY = ["--dataset", "synthetic", "--epochs", "1", "--threads", "1", "--device", "cpu"]


def sweep(argv: list[str]) -> int:
    """The command in this process; argparse's refusals return their exit status too."""
    try:
        return main(["sweep", *argv])
    except SystemExit as exit:
        return int(exit.code)


def command() -> list[str]:
    """The command as a process."""
    return [sys.executable, "-m", "tui", "sweep"]


def recorded(folder) -> list:
    if not (folder / "runs.sqlite").exists():
        return []
    with RunStore.open(folder) as store:
        return store.list()


def cuda_present() -> bool:
    import torch

    return torch.cuda.is_available()


def numbers(start: int, stop: int) -> str:
    return ",".join(str(i) for i in range(start, stop))


BAD = [
    (["--lr", "0,1e-3"], "--lr: lr must be a finite number > 0, got 0.0"),
    (["--lr", ""], "--lr: an empty list; give values like 1e-4,1e-3"),
    (["--hidden", "64,"], "--hidden: an empty item in '64,'; give values like 1,2"),
    (["--optimizer", "adam,lbfgs"], "--optimizer: unknown optimizer 'lbfgs'; choose one of"),
    (["--lr", "1e-2:1e-4", "--random", "4"], "--lr: the range '1e-2:1e-4' has its minimum above"),
    (["--lr", "1e-4:1e-2:log"], "--lr: a range (0.0001:0.01:log) is drawn from only with --random"),
    (["--seed", numbers(0, 17), "--hidden", numbers(1, 18)], "the grid has 289 members (more than"),
    (["--random", "300", "--lr", "1e-4:1e-2"], "the random sweep has 300 members (more than 256)"),
    (["--epochs", "2"], "nothing to sweep: give a field two or more values"),
    (["--lr", "1e-3,1e-2", "--ray-address", "a:6379"], "--ray-address: works only with --backend"),
    (["--lr", "1e-3,1e-2", "--early-stop"], "--early-stop: works only with --backend ray"),
    (["--lr", "1e-3,1e-2", "--name", "two\nlines"], "--name: one line of printable characters"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "message"), BAD)
def test_bad_input_is_one_line_naming_the_flag_and_nothing_is_recorded(
    argv, message, capsys, runs_folder
):
    assert sweep([*TINY, *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"mnist-tui: {message}")
    assert captured.err.count("\n") == 1 and captured.out == ""
    assert recorded(runs_folder) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--warmup", "1,2"], "unrecognized arguments: --warmup 1,2"),
        (["--random", "0", "--lr", "1e-3:1e-2"], "argument --random: must be a whole number"),
        (["--backend", "spark"], "argument --backend: invalid choice: 'spark'"),
    ],
)  # fmt: skip
def test_argparse_refusals_are_one_line_too(argv, message, capsys, runs_folder):
    assert sweep([*TINY, "--lr", "1e-3,1e-2", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mnist-tui: {message}") and err.count("\n") == 1
    assert recorded(runs_folder) == []


def test_a_bad_value_is_refused_before_torch_is_imported():
    # A fresh interpreter, so that this session's own torch import does not count.
    run = "from tui.cli import main\nsys.exit(main(['sweep', *sys.argv[1:]]))\n"
    code = (
        "import sys\n"
        f"sys.argv = ['sweep', *{TINY!r}, '--lr', '1e-3,-1']\n"
        "try:\n" + textwrap.indent(run, "    ") + "except SystemExit as exit:\n"
        "    print(exit.code, 'torch' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["2", "False"], (done.stdout, done.stderr)
    assert done.stderr == "mnist-tui: --lr: lr must be a finite number > 0, got -1.0\n"


def test_cuda_without_a_gpu_is_refused_before_anything_trains(capsys, runs_folder):
    if cuda_present():
        pytest.skip("this machine has a CUDA GPU")
    assert sweep([*TINY, "--lr", "1e-3,1e-2", "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mnist-tui: --device: device 'cuda' was asked for but no CUDA GPU")
    assert err.count("\n") == 1 and recorded(runs_folder) == []


def test_missing_data_is_one_line_and_records_nothing(capsys, runs_folder, tmp_path):
    argv = ["--dataset", "mnist", "--data-dir", str(tmp_path / "nowhere"), "--lr", "1e-3,1e-2"]
    assert sweep([*argv, "--threads", "1", "--device", "cpu"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mnist-tui: ") and err.count("\n") == 1 and "nowhere" in err
    assert recorded(runs_folder) == []


def test_help_offers_every_config_field_as_a_sweep_flag(capsys):
    assert sweep(["--help"]) == 0
    out = capsys.readouterr().out
    for setting in settings():
        assert f"{setting.flag} LIST" in out
    assert "--random K" in out and "--yes" in out and "--bench" in out


def test_the_grid_nests_in_the_order_the_flags_were_typed():
    from tui.cli.parser import Parser
    from tui.cli.sweep import add_sweep_arguments, plan_from_args

    parser = Parser(prog="sweep")
    add_sweep_arguments(parser)
    one = plan_from_args(parser.parse_args(["--lr", "1e-3,1e-2", "--hidden", "16,32"]))
    other = plan_from_args(parser.parse_args(["--hidden", "16,32", "--lr", "1e-3,1e-2"]))
    assert [m.label for m in one.members][:2] == ["lr=0.001 hidden=16", "lr=0.001 hidden=32"]
    assert [m.label for m in other.members][:2] == ["hidden=16 lr=0.001", "hidden=16 lr=0.01"]
    drawn = ["--random", "5", "--random-seed", "3", "--lr", "1e-4:1e-2:log", "--seed", "0:99"]
    first = plan_from_args(parser.parse_args(drawn))
    again = plan_from_args(parser.parse_args(drawn))
    assert len(first) == 5 and [m.config for m in first.members] == [
        m.config for m in again.members
    ]


@pytest.mark.slow(reason="trains every member of a sweep")
def test_a_sweep_end_to_end_records_its_members_and_ranks_them(runs_folder):
    argv = [*TINY, "--lr", "1e-3,3e-3", "--hidden", "16,32", "--name", "e2e"]
    done = subprocess.run(
        [*command(), *argv], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert re.match(r"sweep [0-9a-f]{8}: 4 members \(a grid over lr, hidden\)", lines[0])
    epoch_lines = [line for line in lines if "  epoch 0  " in line]
    assert len(epoch_lines) == 4
    assert epoch_lines[0].startswith("[1/4] lr=0.001 hidden=16  epoch 0  loss ")

    header = lines.index(next(line for line in lines if line.startswith("rank")))
    rows = [line.split() for line in lines[header + 1 : header + 5]]
    accs = [float(row[-1].rstrip("%")) for row in rows]
    assert accs == sorted(accs, reverse=True)
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    best = rows[0][1]
    assert lines[header + 5].startswith(f"best: run {best} (")

    from tui.cli import main

    listed = run_json(main, ["runs", "list", "--json"])
    assert len(listed) == 4
    sweep_id = lines[0].split()[1].rstrip(":")
    assert {run["sweep"] for run in listed} == {sweep_id}
    assert {run["source"] for run in listed} == {"sweep"}
    assert {run["status"] for run in listed} == {"finished"}
    assert {run["name"] for run in listed} == {
        "e2e lr=0.001 hidden=16",
        "e2e lr=0.001 hidden=32",
        "e2e lr=0.003 hidden=16",
        "e2e lr=0.003 hidden=32",
    }
    by_id = {run["id"]: run for run in listed}
    assert by_id[best]["test_acc"] == max(run["test_acc"] for run in listed)


def run_json(main, argv: list[str]):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return json.loads(out.getvalue())


@pytest.mark.slow(reason="a sweep in a subprocess, interrupted mid-run")
def test_ctrl_c_in_the_middle_stops_running_members_and_exits_130(runs_folder):
    # Long members, so that the first epoch line comes well before any member could finish.
    argv = [*TINY, "--epochs", "1000", "--lr", "1e-3,2e-3", "--hidden", "16,32"]
    process = subprocess.Popen(
        [*command(), *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(240, process.kill)  # never hang the suite
    watchdog.start()
    try:
        seen = []
        for line in process.stdout:
            seen.append(line)
            if "  epoch 0  " in line:
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        watchdog.cancel()
    assert process.returncode == 130, (seen, out, err)
    assert "Traceback" not in err and err.count("\n") == 1
    assert re.fullmatch(r"mnist-tui: sweep [0-9a-f]{8} stopped by Ctrl-C: .*\n", err)
    runs = recorded(runs_folder)
    assert runs, "the member that was training is in the store"
    assert {run.status for run in runs} == {"stopped"}
    assert all(run.epochs_done >= 1 for run in runs)
    # Members of the second group (hidden=32) never started, so they were never created.
    assert {run.config["hidden"] for run in runs} == {16}
    assert "stopping the sweep after the current step" in out
    assert "stopped after" in out and "rank" in out


@pytest.mark.slow(reason="a sweep in a subprocess stopped from another")
def test_a_stop_asked_for_by_another_process_ends_the_sweep_with_one_line(runs_folder):
    argv = [*TINY, "--epochs", "1000", "--lr", "1e-3,2e-3"]
    process = subprocess.Popen(
        [*command(), *argv], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watchdog = threading.Timer(240, process.kill)
    watchdog.start()
    try:
        sweep_id = process.stdout.readline().split()[1].rstrip(":")
        for line in process.stdout:
            if "  epoch 0  " in line:
                break
        with RunStore.open(runs_folder) as store:  # what the Runs screen's `s` does
            store.request_sweep_stop(sweep_id)
        out, err = process.communicate(timeout=120)
    finally:
        watchdog.cancel()
    assert process.returncode == 1, (out, err)
    assert err.startswith(f"mnist-tui: sweep {sweep_id} was stopped from the run store: ")
    assert err.count("\n") == 1
    assert {run.status for run in recorded(runs_folder)} == {"stopped"}


def test_bench_prints_the_batched_to_sequential_ratio(capsys, runs_folder):
    pytest.importorskip("core.sweep.bench")
    assert sweep([*TINY, "--lr", "1e-3,2e-3,3e-3", "--bench"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"batched \d+\.\d\d s, sequential \d+\.\d\d s, \d+\.\dx$", out.strip())
    assert recorded(runs_folder) == []


def test_ray_backend_without_ray_is_one_line(capsys, runs_folder, monkeypatch):
    for name in ("ray", "ray.tune", "core.sweep.ray_backend"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    assert sweep([*TINY, "--lr", "1e-3,1e-2", "--backend", "ray"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mnist-tui: ") and err.count("\n") == 1 and "ray" in err.lower()
    assert "Traceback" not in err
    assert recorded(runs_folder) == []


def test_a_member_whose_loss_diverges_fails_alone_and_ranks_last(capsys, runs_folder):
    assert sweep([*TINY, "--lr", "1e30,1e-3", "--optimizer", "sgd"]) == 0
    out = capsys.readouterr().out
    assert "[1/2] lr=1e+30  failed: loss became nan" in out
    runs = {run.config["lr"]: run for run in recorded(runs_folder)}
    assert (runs[1e-3].status, runs[1e30].status) == ("finished", "failed")
    table = out[out.index("rank") :].splitlines()
    assert table[1].split()[1:3] == [runs[1e-3].id, "finished"]
    assert table[2].split()[1:3] == [runs[1e30].id, "failed"]


def test_a_ray_cluster_that_cannot_be_reached_is_one_line(capsys, runs_folder):
    pytest.importorskip("ray")
    argv = [*TINY, "--lr", "1e-3,1e-2", "--backend", "ray", "--ray-address", "127.0.0.1:1"]
    assert sweep(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("mnist-tui: no Ray cluster at 127.0.0.1:1") and err.count("\n") == 1
    assert recorded(runs_folder) == []


def test_runs_names_the_store_the_members_go_to(capsys, runs_folder, tmp_path):
    other = tmp_path / "elsewhere"
    assert sweep([*TINY, "--hidden", "8,16", "--runs", str(other)]) == 0
    assert recorded(runs_folder) == []
    members = recorded(other)
    assert sorted(run.name for run in members) == ["hidden=16", "hidden=8"]
    assert len({run.sweep for run in members}) == 1 and members[0].sweep is not None
    assert f"best: run {max(members, key=lambda r: r.test_acc).id} " in capsys.readouterr().out


@pytest.mark.slow(reason="a sweep in a subprocess (torch's import, training)")
def test_a_reader_that_leaves_early_ends_the_sweep_quietly(runs_folder):
    """`mnist-tui sweep ... | head -1`: no traceback and no error line, the shell's 141."""
    argv = [*command(), *TINY, "--lr", "1e-3,3e-3"]
    first, err, status = first_line_then_leave(argv, cwd=ROOT, timeout=300)
    assert status == 141
    assert first.startswith("sweep ") and err == ""


def test_on_a_terminal_the_sweep_draws_a_bar_per_member_in_training(runs_folder):
    import os

    from tests.pipes import read_until_closed, spawn_on_terminal

    pid, fd = spawn_on_terminal(
        ["sweep", "--lr", "1e-3,1e-2", "--epochs", "20", "--dataset", "synthetic", "--hidden", "64"]
    )
    try:
        said = read_until_closed(fd)
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    assert b"importing torch" in said.split(b"sweep ")[0]  # said before the sweep's first line
    bars = [line for line in said.split(b"\r") if b"\xe2\x94\x81" in line]  # lines with a bar
    assert any(b"[1/2] lr=0.001" in line for line in bars)
    assert any(b"[2/2] lr=0.01 " in line for line in bars)
