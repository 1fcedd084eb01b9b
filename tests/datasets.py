"""Where the tests find real data; absent data skips locally and fails under CI=true."""

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
