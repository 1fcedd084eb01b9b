"""Training in the app against headless: `python -m scripts.app_epoch [--data-dir DIR]`.

One run of this script times both sides on the same machine, interleaved round by round so
that a busy minute hurts both alike: `mnist-tui train --headless` in a child process (the
command a user types, its Rich printer included), and the app's Train screen at 120x40 with
the charts live (Textual's headless driver renders every frame, it just writes them nowhere).
Prints the median seconds per epoch of each side, the app's cost as a percentage, and how
much of one core the UI thread used while training (what drawing takes; on 2 cores training
has the other core, and what it loses is the GIL waits the UI thread causes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core.config import TrainConfig
from core.events import EpochEnd, RunFinished
from tui.app import MnistApp
from tui.screens.train import TrainScreen
from tui.state import Options

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def headless_epochs(config: TrainConfig, runs: str) -> list[float]:
    """Seconds per epoch of `train --headless`, read back from its --metrics file."""
    with tempfile.TemporaryDirectory() as folder:
        metrics = Path(folder) / "events.jsonl"
        command = [sys.executable, "-m", "tui", "train", "--headless", "--metrics", str(metrics)]
        command += ["--runs", runs, "--epochs", str(config.epochs), "--device", config.device]
        command += ["--dataset", config.dataset]
        if config.data_dir:
            command += ["--data-dir", config.data_dir]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        events = [json.loads(line) for line in metrics.read_text().splitlines()]
    return [e["seconds"] for e in events if e.get("event") == "epoch_end"]


async def app_epochs(
    config: TrainConfig, size: tuple[int, int], screenshot: str | None = None
) -> tuple[list[float], float]:
    """Seconds per epoch of the same recipe started with `s` on the Train screen, and the
    share of one core the UI thread used meanwhile (what it took from training)."""
    app = MnistApp(Options(training=config, download=False), start_mode="train")
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        await pilot.press("s")
        start, ui_start = time.monotonic(), time.thread_time()  # this is the UI thread
        while not isinstance(screen.outcome, RunFinished):
            if time.monotonic() - start > 3600 or screen.outcome is not None:
                raise SystemExit(f"the app's run did not finish: {screen.outcome}")
            await asyncio.sleep(0.05)
        ui_share = (time.thread_time() - ui_start) / (time.monotonic() - start)
        if screenshot:
            await pilot.pause(1.2)  # the system panel's next sample, after the run
            path = Path(screenshot)
            path.parent.mkdir(parents=True, exist_ok=True)
            app.save_screenshot(filename=path.name, path=str(path.parent.resolve()))
        return [e.seconds for e in screen.history if isinstance(e, EpochEnd)], ui_share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA) if DEFAULT_DATA.is_dir() else None)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--size", default="120x40", help="the app's terminal, COLSxROWS")
    parser.add_argument("--screenshot", help="save the app's last screen here (SVG)")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    config = TrainConfig(
        dataset=args.dataset, data_dir=args.data_dir, device=args.device, epochs=args.epochs
    )
    runs = tempfile.TemporaryDirectory()  # both sides record their runs, as a user's would
    os.environ["MNIST_TUI_RUNS"] = runs.name
    headless, app, ui_shares = [], [], []
    for _ in range(args.rounds):
        headless += headless_epochs(config, runs.name)
        last = len(ui_shares) == args.rounds - 1
        epochs, ui_share = asyncio.run(app_epochs(config, size, args.screenshot if last else None))
        app += epochs
        ui_shares.append(ui_share)
    h, a = statistics.median(headless), statistics.median(app)
    print(f"headless: median {h:.3f} s/epoch over {len(headless)} epochs")
    print(f"app at {args.size}, charts live: median {a:.3f} s/epoch over {len(app)} epochs")
    print(f"the app's cost: {100 * (a / h - 1):+.1f}% ({args.device}, {args.rounds} rounds)")
    print(f"the UI thread used {statistics.median(ui_shares):.1%} of one core while training")


if __name__ == "__main__":
    main()
