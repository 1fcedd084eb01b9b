"""The fast path on CUDA: data stays on the device, the step replays as a graph, times are true.

Skipped without a GPU; scripts/gpu_check.sh runs it on a lent machine (data from MNIST_TUI_DATA).
"""

import os
from pathlib import Path

import pytest
import torch

from core.config import TrainConfig
from core.data import load_splits
from core.events import EpochEnd, RunStarted
from core.loaders import DeviceLoader
from core.train import fit

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


@pytest.fixture(scope="module")
def mnist():
    folder = os.environ.get("MNIST_TUI_DATA")
    if folder is None:
        from tests.datasets import mnist_dir

        folder = mnist_dir()
    return load_splits("mnist", Path(folder))


def run(mnist, save=None, resume=None, **overrides):
    events = []
    config = TrainConfig(**{"dataset": "mnist", "device": "cuda"} | overrides)
    result = fit(config, events.append, data=mnist, save=save, resume=resume)
    assert result.ok, result.outcome
    return result, events


def test_the_recipe_on_cuda_reaches_97_5_percent_with_a_captured_graph(mnist):
    result, events = run(mnist)
    assert "training step captured as a CUDA graph" in events[0].notes
    assert result.outcome.test_acc >= 0.975
    assert all(e.peak_gpu_mb > 0 for e in result.history)


def test_the_captured_graph_trains_like_the_eager_step(mnist):
    graph, _ = run(mnist, epochs=1)
    eager, events = run(mnist, epochs=1, cuda_graph=False)
    assert events[0].notes == ()
    for a, b in zip(graph.model.parameters(), eager.model.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-4)


def test_device_loader_keeps_the_split_on_the_gpu_as_uint8(mnist):
    loader = DeviceLoader(mnist[0].images, mnist[0].labels, 64, "cuda")
    assert loader.images.device.type == "cuda" and loader.images.dtype == torch.uint8
    assert loader.images.shape == (60_000, 784)
    x, y = next(iter(loader))
    assert x.device.type == "cuda" and x.dtype == torch.float32 and y.device.type == "cuda"


def test_epoch_times_are_taken_after_synchronising(mnist, monkeypatch):
    calls = []
    original = torch.cuda.synchronize
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a: calls.append(1) or original(*a))
    _, events = run(mnist, epochs=1)
    assert len(calls) >= 2  # before the clock starts and before it stops
    epoch = next(e for e in events if isinstance(e, EpochEnd))
    assert epoch.seconds > 0 and epoch.samples_per_s == pytest.approx(60_000 / epoch.seconds)


def test_a_cuda_checkpoint_resumes_into_a_recaptured_graph(mnist, tmp_path):
    path = tmp_path / "run.pt"
    first, _ = run(mnist, epochs=1, save=path)
    resumed, events = run(mnist, epochs=2, resume=path)
    assert isinstance(events[0], RunStarted) and events[0].start_epoch == 1
    assert "training step captured as a CUDA graph" in events[0].notes
    assert resumed.outcome.test_acc > first.outcome.test_acc - 0.01


def test_the_notebook_pipeline_runs_on_cuda(mnist):
    pytest.importorskip("PIL", reason="torchvision's MNIST needs Pillow")
    result, _ = run(mnist, epochs=1, loader="torchvision")
    assert result.outcome.test_acc > 0.9
