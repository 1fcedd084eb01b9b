"""Both loaders give the network the same thing: float32 pixels in [0, 1], flattened to 784."""

import numpy as np
import pytest
import torch

from core.loaders import DeviceLoader, notebook_dataset, notebook_loader


@pytest.fixture
def arrays():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(200, 28, 28), dtype=np.uint8)
    images[0] = 0
    images[1] = 255
    labels = rng.integers(0, 10, size=200).astype(np.int64)
    return images, labels


def test_torchvision_loader_yields_the_notebooks_batches(arrays):
    x, y = next(iter(notebook_loader(*arrays, batch_size=64)))
    assert x.shape == (64, 784) and x.dtype == torch.float32
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert y.shape == (64,) and y.dtype == torch.int64


def test_torchvision_dataset_runs_torchvisions_own_getitem(arrays):
    from torchvision import datasets

    dataset = notebook_dataset(*arrays)
    assert isinstance(dataset, datasets.MNIST)
    image, label = dataset[1]
    assert torch.equal(image, torch.ones(784)) and label == arrays[1][1]


def test_torchvision_loader_keeps_the_last_partial_batch(arrays):
    sizes = [len(y) for _, y in notebook_loader(*arrays, batch_size=64)]
    assert sizes == [64, 64, 64, 8]


def test_device_loader_keeps_the_split_as_uint8_rows(arrays):
    loader = DeviceLoader(*arrays, batch_size=64, device="cpu")
    assert loader.images.dtype == torch.uint8 and loader.images.shape == (200, 784)
    assert loader.labels.dtype == torch.int64


def test_device_loader_batches_match_totensor_exactly(arrays):
    images, labels = arrays
    loader = DeviceLoader(images, labels, batch_size=64, device="cpu")
    dataset = notebook_dataset(images, labels)
    x, y = loader.batch(torch.tensor([5, 7]))
    assert torch.equal(x[0], dataset[5][0]) and torch.equal(x[1], dataset[7][0])
    assert y.tolist() == [labels[5], labels[7]]


def test_device_loader_visits_every_sample_once_per_epoch_with_a_partial_last_batch(arrays):
    loader = DeviceLoader(*arrays, batch_size=64, device="cpu", seed=1)
    batches = list(loader)
    assert [len(y) for _, y in batches] == [64, 64, 64, 8] and len(loader) == 4
    first, second = loader.permutation(), loader.permutation()
    assert sorted(first.tolist()) == list(range(200))
    assert not torch.equal(first, second)


def test_device_loader_shuffle_is_reproducible_from_the_seed(arrays):
    a = DeviceLoader(*arrays, batch_size=64, device="cpu", seed=3)
    b = DeviceLoader(*arrays, batch_size=64, device="cpu", seed=3)
    assert torch.equal(a.permutation(), b.permutation())


def test_unshuffled_device_loader_keeps_the_order(arrays):
    loader = DeviceLoader(*arrays, batch_size=64, device="cpu", shuffle=False)
    assert torch.equal(torch.cat([y for _, y in loader]), torch.from_numpy(arrays[1]))
