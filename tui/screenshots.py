"""Regenerate screenshots/: `make screenshots` (or `python -m tui.screenshots screenshots`).

Synthetic digits, so the pictures are the same on every machine.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tui.app import MnistApp
from tui.state import Options

# (file name, terminal size, keys pressed after the data has loaded)
SHOTS = [
    ("browse-halfblock.svg", (100, 30), ["right", "right", "right"]),
    ("browse-ascii.svg", (80, 24), ["m", "down"]),
    ("browse-matrix.svg", (120, 40), ["right", "right", "right", "x"]),
    ("browse-binary-filter.svg", (100, 30), ["b", "f", "7"]),
]


async def take(folder: Path, name: str, size: tuple[int, int], keys: list[str]) -> None:
    app = MnistApp(Options(dataset="synthetic"))
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        app.save_screenshot(name, str(folder))


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    for name, size, keys in SHOTS:
        asyncio.run(take(folder, name, size, keys))
        print(folder / name)


if __name__ == "__main__":
    main()
