"""Downloads through torchvision: its mirrors, md5 sums and gzip extraction, nothing re-written."""

from __future__ import annotations

from pathlib import Path


def download_dataset(name: str, target: Path) -> None:
    """Fetch the four IDX files of `name` into `target/<Name>/raw`, md5-checked, with progress."""
    from torchvision import datasets

    dataset_class = {"mnist": datasets.MNIST, "fashion": datasets.FashionMNIST}[name]
    target.mkdir(parents=True, exist_ok=True)
    # Constructing with download=True runs torchvision's own download(): it tries each mirror,
    # checks each file's md5, extracts it under <target>/<Name>/raw and shows progress.
    dataset_class(root=str(target), train=True, download=True)
