"""Regenerate screenshots/: `make screenshots` (or `python -m scripts.screenshots screenshots`).

Synthetic digits, so the pictures are the same on every machine.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from core.config import TrainConfig
from scripts.snapshot_model import MODEL
from tui.app import MnistApp
from tui.state import Options

# (file name, terminal size, keys pressed after the data has loaded)
SHOTS = [
    ("browse-halfblock.svg", (100, 30), ["right", "right", "right"]),
    ("browse-ascii.svg", (80, 24), ["m", "down"]),
    ("browse-matrix.svg", (120, 40), ["right", "right", "right", "x"]),
    ("browse-binary-filter.svg", (100, 30), ["b", "f", "7"]),
    ("tensors-slicing.svg", (120, 40), ["2", "enter", "up", "up", "up", "up", "up", "up"]),
    ("tensors-broadcast.svg", (100, 30), ["2", "]", "]", "]", "enter", "down"]),
    ("tensors-geometry.svg", (100, 30), ["2", "[", "[", "enter", "end"]),
    ("train-before.svg", (120, 40), ["3"]),
    ("train-after.svg", (120, 40), ["3", "s"]),
    ("evaluate-confusion.svg", (100, 30), ["4", "down", "down", "down", "down", "right", "enter"]),
    ("evaluate-mistakes.svg", (100, 30), ["4", "p", "m"]),
    ("evaluate-weights.svg", (120, 40), ["4", "u"]),
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
]


async def take(
    folder: Path, name: str, size: tuple[int, int], keys: list[str], checkpoint: Path
) -> None:
    opened = str(checkpoint) if name.startswith("evaluate") else None
    app = MnistApp(Options(TrainConfig(dataset="synthetic"), checkpoint=opened))
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


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    for name, size, keys in SHOTS:
        asyncio.run(take(folder, name, size, keys, MODEL))
        print(folder / name)


if __name__ == "__main__":
    main()
