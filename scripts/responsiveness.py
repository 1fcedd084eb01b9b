"""Key-press latency during training: `python -m scripts.responsiveness [--data-dir DIR]`.

The app runs headless with a real training run going on the Train screen; on the Browse screen
it presses `→` again and again and times each press until the screen shows the next sample.
Prints median, 95th percentile and worst case, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time

from textual import events

from core.config import TrainConfig
from tui.app import MnistApp
from tui.screens.browse import BrowseScreen
from tui.screens.train import TrainScreen
from tui.state import Options


async def until(pilot, condition, timeout: float = 60.0) -> None:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.001)


async def measure(app: MnistApp, presses: int, train_meanwhile: bool = True):
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("3")
        await app.workers.wait_for_complete()
        train = app.screen
        assert isinstance(train, TrainScreen)
        if train_meanwhile:
            await pilot.press("s")
            await until(pilot, lambda: len(train.batch_losses) > 0)
        await pilot.press("1")
        browse = app.screen
        assert isinstance(browse, BrowseScreen)
        latencies = []
        for _ in range(presses):
            before = browse.index
            start = time.perf_counter()
            # Posted as the terminal driver would; Pilot.press also waits for the process to go
            # idle, which never happens while training, so it would time the wait, not the app.
            app.post_message(events.Key("right", None))
            await until(pilot, lambda before=before: browse.index != before)
            latencies.append(time.perf_counter() - start)
            await asyncio.sleep(0.05)
        still_training = train.running
        outcome = train.outcome
        batches = len(train.batch_losses)
        app.stop_background_work()
        await until(pilot, lambda: not train.running)
    if train_meanwhile and not still_training:
        raise SystemExit(f"training ended before the measurement did ({outcome})")
    return latencies, batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--data-dir")
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--idle", action="store_true", help="baseline: no training meanwhile")
    args = parser.parse_args()
    # The measured run is recorded like any other: into a temp store, not the user's.
    runs = tempfile.TemporaryDirectory()
    os.environ.setdefault("MNIST_TUI_RUNS", runs.name)
    training = TrainConfig(
        dataset=args.dataset, data_dir=args.data_dir, device="cpu", epochs=args.epochs
    )
    options = Options(training)
    latencies, batches = asyncio.run(
        measure(MnistApp(options), args.presses, train_meanwhile=not args.idle)
    )
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    print(
        f"key press -> screen updated, {len(ms)} presses "
        f"{'idle' if args.idle else 'while training'} ({args.dataset}, cpu): "
        f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms; "
        f"{batches} progress updates reached the UI meanwhile"
    )


if __name__ == "__main__":
    main()
