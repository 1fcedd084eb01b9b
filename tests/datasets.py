"""What the tests need from outside the project: real data, Ray. Absent, a test that needs it
skips locally and fails under CI=true, where .ci/run and the Makefile install it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


def require(folder: Path, what: str) -> Path:
    if (folder / "train-images-idx3-ubyte.gz").exists():
        return folder
    reason = f"{what} not found at {folder}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must have it")
    pytest.skip(reason)


def mnist_dir() -> Path:
    """../shared/data/mnist: the real MNIST IDX files (training images reconstructed)."""
    return require(MNIST_DIR, "MNIST (../shared/data/mnist)")


def fashion_dir() -> Path:
    """Debian's dataset-fashion-mnist package."""
    return require(FASHION_DIR, "Fashion-MNIST (apt-get install dataset-fashion-mnist)")


def ray_or_skip():
    """The `ray` module, with Tune (the ray extra that `make test` installs)."""
    try:
        import ray
        from ray import tune  # noqa: F401
    except ImportError:
        from core.sweep.ray_backend import INSTALL_HINT

        reason = f"Ray is not installed ({INSTALL_HINT})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI installs the ray extra (make test)")
        pytest.skip(reason)
    return ray
