import sys
from pathlib import Path

# `from tests.datasets import ...` and `import core` work without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


import pytest


@pytest.fixture(scope="session")
def synthetic_checkpoint(tmp_path_factory):
    """A checkpoint trained on synthetic digits with a fixed seed (3 epochs, about a second)."""
    from core.config import TrainConfig
    from core.data import load_splits
    from core.train import fit

    path = tmp_path_factory.mktemp("checkpoint") / "synthetic.pt"
    # The plain torch step, so the snapshot baselines drawn from this model do not depend on
    # whether the install could build the C step (its sums round differently).
    config = TrainConfig(
        dataset="synthetic", epochs=3, device="cpu", threads=1, seed=0, cpu_kernels=False
    )
    result = fit(config, data=load_splits("synthetic"), save=path)
    assert result.ok, result.outcome
    return path
