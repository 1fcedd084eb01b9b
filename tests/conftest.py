import sys
from pathlib import Path

# `from tests.datasets import ...` and `import core` work without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


import pytest


@pytest.fixture(autouse=True)
def runs_folder(tmp_path, monkeypatch):
    """Every test records its runs in a store of its own, never in the user's data folder.

    Its state folder too (the lesson's position, the chosen theme, screenshots): a theme the
    developer picked must not change a snapshot.
    """
    folder = tmp_path / "runs"
    monkeypatch.setenv("MNIST_TUI_RUNS", str(folder))
    monkeypatch.setenv("MNIST_TUI_STATE", str(tmp_path / "state"))
    return folder


@pytest.fixture(scope="session")
def synthetic_checkpoint():
    """A model trained on synthetic digits (3 epochs, seed 0): scripts/snapshot_model.py.

    Committed rather than trained here, so that the Evaluate snapshots drawn from it are the
    same on every CPU (training rounds differently with and without AVX-512).
    """
    from scripts.snapshot_model import MODEL

    return MODEL
