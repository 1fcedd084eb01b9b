"""Regenerate screenshots/: `make screenshots` (or `python -m scripts.screenshots screenshots`).

Synthetic digits, so the pictures are the same on every machine.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

from core.config import TrainConfig
from core.lesson import STEPS
from scripts.snapshot_model import MODEL
from tui.app import MnistApp
from tui.state import Options


def step_keys(key: str) -> list[str]:
    """Keys that open Lesson mode at the step named `key`: found by key, not by number, so a
    step added before it does not move the picture."""
    number = str(1 + [step.key for step in STEPS].index(key))
    return ["6", "g", *number, "enter"]


NO_COLOR = {"NO_COLOR": "1"}

# (file name, terminal size, keys pressed after the data has loaded[, environment])
SHOTS = [
    ("browse-halfblock.svg", (100, 30), ["right", "right", "right"]),
    ("browse-large.svg", (120, 40), ["right", "right", "right"]),
    ("browse-no-colour.svg", (80, 24), ["right", "right", "right"], NO_COLOR),
    ("palette.svg", (100, 30), ["ctrl+p"]),
    ("browse-ascii.svg", (80, 24), ["m", "down"]),
    ("browse-matrix.svg", (120, 40), ["right", "right", "right", "x"]),
    ("browse-binary-filter.svg", (100, 30), ["b", "f", "7"]),
    ("tensors-slicing.svg", (120, 40), ["2", "enter", "up", "up", "up", "up", "up", "up"]),
    ("tensors-broadcast.svg", (100, 30), ["2", "]", "]", "]", "enter", "down"]),
    ("tensors-geometry.svg", (100, 30), ["2", "[", "[", "enter", "end"]),
    ("train-before.svg", (120, 40), ["3"]),
    ("train-after.svg", (120, 40), ["3", "s"]),
    ("train-after-80x24.svg", (80, 24), ["3", "s"]),
    ("train-after-no-colour.svg", (100, 30), ["3", "s"], NO_COLOR),
    ("evaluate-confusion.svg", (100, 30), ["4", *["down"] * 5, "left", "left"]),
    ("evaluate-confusion-no-colour.svg", (80, 24), ["4", *["down"] * 5, "left", "left"], NO_COLOR),
    ("evaluate-confusion-share.svg", (120, 40), ["4", *["down"] * 5, "left", "left", "n"]),
    ("evaluate-mistakes.svg", (100, 30), ["4", "p", "m"]),
    ("evaluate-weights.svg", (120, 40), ["4", "u"]),
    ("evaluate-weights-no-colour.svg", (100, 30), ["4", "u"], NO_COLOR),
    (
        "evaluate-draw.svg",
        (100, 30),
        [
            "4",
            "d",
            *["up"] * 8,
            *["left"] * 6,
            "space",
            *["shift+right"] * 12,
            *["shift+down", "left", "shift+down", "shift+down"] * 5,
        ],
    ),
    # the broadcasting step, its exercise answered right, the field left
    (
        "lesson-broadcasting.svg",
        (120, 40),
        [*step_keys("broadcasting"), "a", *"(32, 10)", "enter", "escape"],
    ),
    ("lesson-digit.svg", (80, 24), step_keys("train-image-10-digit")),
]


async def take(
    folder: Path,
    name: str,
    size: tuple[int, int],
    keys: list[str],
    checkpoint: Path,
    environment: dict[str, str] | None = None,
) -> None:
    opened = str(checkpoint) if name.startswith("evaluate") else None
    before = dict(os.environ)
    os.environ.update(environment or {})  # Textual reads NO_COLOR as the app is made
    try:
        app = MnistApp(Options(TrainConfig(dataset="synthetic"), checkpoint=opened))
    finally:
        os.environ.clear()
        os.environ.update(before)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await app.workers.wait_for_complete()
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()
        app.save_screenshot(name, str(folder))


# The Runs screen needs runs with fixed ids, times and figures: its snapshot baselines are drawn
# from such a store (tests/test_runs_screen.py), so they are the pictures.
RUNS_SHOTS = {
    "runs-list.svg": "test_runs_list_snapshot[120x40].svg",
    "runs-compare.svg": "test_compare_snapshot[120x40].svg",
    "runs-sweep-list.svg": "test_runs_grouped_snapshot[80x24].svg",
}
RUNS_BASELINES = Path(__file__).resolve().parents[1] / "tests/__snapshots__/test_runs_screen"
SWEEP_SHOTS = {"runs-sweep.svg": "test_sweep_view_snapshot[120x40].svg"}
SWEEP_BASELINES = RUNS_BASELINES.parent / "test_sweep_screen"


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as runs, tempfile.TemporaryDirectory() as state:
        os.environ["MNIST_TUI_RUNS"] = runs  # the pictures' training runs are not the user's
        os.environ["MNIST_TUI_STATE"] = state  # nor is the lesson step they reach
        for name, size, keys, *environment in SHOTS:
            asyncio.run(take(folder, name, size, keys, MODEL, *environment))
            print(folder / name)
    for name, baseline in RUNS_SHOTS.items():
        shutil.copyfile(RUNS_BASELINES / baseline, folder / name)
        print(folder / name)
    for name, baseline in SWEEP_SHOTS.items():
        shutil.copyfile(SWEEP_BASELINES / baseline, folder / name)
        print(folder / name)


if __name__ == "__main__":
    main()
