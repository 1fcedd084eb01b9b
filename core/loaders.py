"""Two ways to feed batches: the fast on-device loader and the notebook's torchvision pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Batch:
    """Samples start..stop of an epoch's order: what a step trains on next."""

    order: torch.Tensor  # the whole epoch's sample order, on the device
    start: int
    stop: int

    @property
    def index(self) -> torch.Tensor:
        return self.order[self.start : self.stop]

    def __len__(self) -> int:
        return self.stop - self.start


class DeviceLoader:
    """A whole split kept on the device as uint8, shuffled there, converted per batch.

    Nothing crosses the host/device boundary after construction: an epoch is one
    randperm on the device and a slice per batch (the cifar10-airbench recipe).
    """

    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        batch_size: int,
        device: torch.device | str,
        shuffle: bool = True,
        seed: int = 0,
    ) -> None:
        self.device = torch.device(device)
        # A copy: core.data's arrays are read-only views of the file, which torch warns about.
        pixels = torch.as_tensor(np.array(images, dtype=np.uint8))
        # uint8 keeps MNIST's 60,000 images at 47 MB on the device instead of 188 MB as float.
        self.images = pixels.reshape(len(pixels), -1).to(self.device, torch.uint8)
        self.labels = torch.as_tensor(np.array(labels, dtype=np.int64)).to(self.device)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(seed)

    def __len__(self) -> int:
        return -(-len(self.labels) // self.batch_size)

    @property
    def num_samples(self) -> int:
        return len(self.labels)

    def permutation(self) -> torch.Tensor:
        """The sample order of the next epoch (advances the generator when shuffling)."""
        n = self.num_samples
        if self.shuffle:
            return torch.randperm(n, device=self.device, generator=self.generator)
        return torch.arange(n, device=self.device)

    def epoch(self) -> Iterator[Batch]:
        """The next epoch's batches, in a fresh order; the last one may be partial."""
        order, n = self.permutation(), self.num_samples
        for start in range(0, n, self.batch_size):
            yield Batch(order, start, min(start + self.batch_size, n))

    def batch(self, index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Images as float in [0, 1] (what ToTensor gives) and labels for the given indices."""
        return self.images[index].float().div_(255), self.labels[index]

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for batch in self.epoch():
            yield self.batch(batch.index)


def notebook_dataset(images: np.ndarray, labels: np.ndarray, train: bool = True):
    """torchvision's MNIST dataset over in-memory arrays, with the notebook's transform.

    Its own __getitem__ (uint8 -> PIL image -> ToTensor -> flatten) runs per
    sample, so timing it measures the notebook's pipeline, not an imitation.
    """
    # Imported here: torchvision needs Pillow, which the fast path does not.
    from torchvision import datasets, transforms

    class ArrayMNIST(datasets.MNIST):
        """datasets.MNIST that reads its tensors from arrays instead of IDX files on disk."""

        def _check_legacy_exist(self) -> bool:
            return False

        def _check_exists(self) -> bool:
            return True

        def _load_data(self) -> tuple[torch.Tensor, torch.Tensor]:
            # Copies, as torchvision's reader makes: core.data's arrays are read-only.
            return torch.from_numpy(np.array(images, dtype=np.uint8)), torch.from_numpy(
                np.array(labels, dtype=np.int64)
            )

    transform = transforms.Compose([transforms.ToTensor(), transforms.Lambda(torch.flatten)])
    return ArrayMNIST(root="", train=train, transform=transform)


def notebook_loader(
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    shuffle: bool = True,
    pin_memory: bool = False,
    seed: int = 0,
) -> torch.utils.data.DataLoader:
    """The notebook's DataLoader: shuffle, num_workers=0, pin_memory, last batch kept."""
    generator = torch.Generator()
    generator.manual_seed(seed)
    return torch.utils.data.DataLoader(
        notebook_dataset(images, labels),
        batch_size=batch_size,
        shuffle=shuffle,
        num_workers=0,
        pin_memory=pin_memory,
        generator=generator,
    )


class NotebookLoader:
    """notebook_loader() with DeviceLoader's face (epoch(), len(), generator) for fit()."""

    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        batch_size: int,
        device: torch.device,
        seed: int = 0,
    ) -> None:
        self.device = device
        self.data = notebook_loader(
            images, labels, batch_size, pin_memory=device.type == "cuda", seed=seed
        )
        self.generator = self.data.generator

    def __len__(self) -> int:
        return len(self.data)

    def epoch(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The notebook's batches, copied to the device as its loop does."""
        for x, y in self.data:
            yield x.to(self.device, non_blocking=True), y.to(self.device)
