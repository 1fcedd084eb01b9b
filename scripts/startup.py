"""Start-up time to the first frame: `python -m scripts.startup [runs]` prints the figures.

Each run is a fresh interpreter that imports the app, composes the browser, paints one frame
headless and exits; the time includes Python's own start-up. Data loads after that frame, in a
worker, so it is timed separately.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

CHILD = """
import gc, sys, time
t0 = time.perf_counter()
gc.disable()  # as mnist-tui's own start does (tui/cli/open_app.py run_app)
from core.config import TrainConfig
from tui.app import MnistApp
from tui.state import Options
gc.freeze()  # then enabled, the collector never walks them
gc.enable()
t_import = time.perf_counter() - t0

class FirstFrame(MnistApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self.painted)

    def painted(self):
        heavy = [m for m in ("torch", "torchvision") if m in sys.modules]
        print(f"{t_import:.4f} {time.perf_counter() - t0:.4f} {','.join(heavy) or '-'}")
        self.exit()

FirstFrame(Options(TrainConfig(dataset="synthetic"))).run(headless=True)
"""


def measure(runs: int = 5) -> list[tuple[float, float, str]]:
    """(import seconds, seconds to first frame, heavy modules loaded) for each fresh process."""
    results = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD], check=True, capture_output=True)
        interpreter = time.perf_counter() - start  # whole process, for reference
        t_import, t_frame, heavy = out.stdout.decode().split()[-3:]
        results.append((float(t_import), float(t_frame), heavy, interpreter))
    return results


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    results = measure(runs)
    frames = [r[1] for r in results]
    imports = [r[0] for r in results]
    print(
        f"first frame after {runs} fresh starts: median {statistics.median(frames):.3f} s "
        f"(min {min(frames):.3f}, max {max(frames):.3f}) from the first import; "
        f"imports alone {statistics.median(imports):.3f} s"
    )
    print(f"torch imported before the first frame: {results[0][2] != '-'} ({results[0][2]})")


if __name__ == "__main__":
    main()
