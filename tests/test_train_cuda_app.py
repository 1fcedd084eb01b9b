"""The Train screen on a real GPU: the recipe trains on CUDA from the app, and the system panel
shows the GPU through NVML beside torch's peak memory.

Skipped without a GPU; scripts/gpu_check.sh runs it on a lent machine (data from MNIST_TUI_DATA,
textual carried there as wheels).
"""

from __future__ import annotations

import os

import pytest
import torch

from core.events import EpochEnd, RunFinished
from tests.tui_helpers import make_app, open_train_screen, plain, wait_until
from tui.widgets.train.system_panel import SystemPanel

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def mnist_folder() -> str:
    folder = os.environ.get("MNIST_TUI_DATA")
    if folder is None:
        from tests.datasets import mnist_dir

        folder = str(mnist_dir())
    return folder


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_app_trains_on_cuda_and_its_panel_watches_the_gpu(size):
    # Enough epochs that the panel's one-second timer samples the GPU while it is busy.
    app = make_app(dataset="mnist", data_dir=mnist_folder(), device="cuda", epochs=12)
    async with app.run_test(size=size) as pilot:
        screen = await open_train_screen(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running, 300)
        await pilot.pause(1.2)  # one more sample after the run, with the peak beside it
        assert isinstance(screen.outcome, RunFinished), screen.outcome
        assert screen.outcome.test_acc >= 0.975
        epochs = [e for e in screen.history if isinstance(e, EpochEnd)]
        assert len(epochs) == 12 and all(e.peak_gpu_mb > 0 for e in epochs)
        panel = screen.query_one(SystemPanel)
        sample = panel.samples[-1]
        assert sample.gpu is not None, sample.gpu_problem
        assert 0 < sample.gpu.memory_used_mb <= sample.gpu.memory_total_mb
        text = plain(panel)
        assert "GPU" in text and "no NVIDIA GPU" not in text
        assert "peak" in text and ("VRAM" in text or size == (80, 24))
        assert panel.torch_peak_mb == epochs[-1].peak_gpu_mb
