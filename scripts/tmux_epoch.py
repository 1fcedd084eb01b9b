"""Training in the app against headless, in a real terminal: `python -m scripts.tmux_epoch`.

scripts.app_epoch times the app under Textual's headless driver; this one runs `mnist-tui` in
tmux as a user over SSH would (the real driver writing to a real terminal), presses `s` on the
Train screen and waits for the run's end, then runs `mnist-tui train --headless` in the same
terminal; round by round, so that a busy minute hurts both alike. Both record their runs in a
temporary run store, where the epoch times are read back. Also prints how much of one core the
app's UI thread and its training thread used while training (from /proc). Needs tmux; Linux.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core.runs import RunStore
from scripts.app_epoch import DEFAULT_DATA

SESSION = "mnist-tui-epoch"
TICKS = 100  # clock ticks a second, the unit of /proc's CPU times on Linux


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(text: str, timeout: float) -> None:
    start = time.monotonic()
    while text not in (shown := screen()):
        refusal = next((line for line in shown.splitlines() if line.startswith("mnist-tui:")), "")
        if refusal or time.monotonic() - start > timeout:
            tmux("kill-session", "-t", SESSION)
            raise SystemExit(refusal or f"tmux_epoch: {text!r} did not appear in {timeout:.0f} s")
        time.sleep(0.1)


def thread_cpu(pid: int) -> dict[int, float]:
    """Seconds of CPU each thread of the process has used so far."""
    times = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        times[int(task.name)] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return times


def app_round(command: list[str], options: list[str], size: str) -> tuple[float, float]:
    """One run on the Train screen; the UI and training threads' shares of a core."""
    columns, rows = size.split("x")
    app = [*command, *options, "--screen=train"]
    tmux("new-session", "-d", "-s", SESSION, "-x", columns, "-y", rows, " ".join(app))
    wait_for("SimpleNN", 120)  # the model summary: the screen is ready for `s`
    time.sleep(1)
    pane = int(tmux("display", "-p", "-t", SESSION, "#{pane_pid}"))
    children = subprocess.run(["pgrep", "-P", str(pane)], capture_output=True, text=True)
    pid = int(children.stdout.split()[0]) if children.stdout.split() else pane
    tmux("send-keys", "-t", SESSION, "s")
    wait_for("samples/s", 60)
    before, start = thread_cpu(pid), time.monotonic()
    wait_for("Run finished", 3600)
    after, wall = thread_cpu(pid), time.monotonic() - start
    tmux("kill-session", "-t", SESSION)
    ui = (after[pid] - before.get(pid, 0)) / wall
    others = [after[t] - before.get(t, 0) for t in after if t != pid]
    return ui, max(others, default=0) / wall


def headless_round(command: list[str], options: list[str]) -> None:
    run = [*command, "train", "--headless", *options]
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", " ".join(run) + "; sleep 60")
    wait_for("recorded as run", 3600)  # its last line
    tmux("kill-session", "-t", SESSION)


def epoch_seconds(store: RunStore, source: str) -> list[float]:
    return [
        epoch.seconds
        for run in store.list()
        if run.source == source
        for epoch in store.history(run.id)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA) if DEFAULT_DATA.is_dir() else None)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", default="120x40", help="the terminal, COLSxROWS")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux_epoch: tmux is not installed (apt-get install -y tmux)")
    runs = tempfile.TemporaryDirectory()
    state = tempfile.TemporaryDirectory()
    command = ["env", f"MNIST_TUI_RUNS={runs.name}", f"MNIST_TUI_STATE={state.name}"]
    command += [sys.executable, "-m", "tui"]
    options = ["--epochs", str(args.epochs)]
    options += ["--data-dir", args.data_dir] if args.data_dir else []
    ui_shares, training_shares = [], []
    for _ in range(args.rounds):
        ui, training = app_round(command, options, args.size)
        ui_shares.append(ui)
        training_shares.append(training)
        headless_round(command, options)
    with RunStore.open(runs.name) as store:
        app, headless = epoch_seconds(store, "tui"), epoch_seconds(store, "headless")
    a, h = statistics.median(app), statistics.median(headless)
    print(f"headless in tmux: median {h:.3f} s/epoch over {len(headless)} epochs")
    print(f"app in tmux at {args.size}: median {a:.3f} s/epoch over {len(app)} epochs")
    print(f"the app's cost: {100 * (a / h - 1):+.1f}% ({args.rounds} rounds)")
    print(
        f"while training, the app's UI thread used {statistics.median(ui_shares):.1%} of one "
        f"core and its training thread {statistics.median(training_shares):.1%}"
    )


if __name__ == "__main__":
    main()
