"""Uncrumpling: 2-D projections of pixels and of a model's hidden activations.

torch is imported inside the functions, so that importing the lab does not load it.
"""

from __future__ import annotations

import numpy as np


def pca_2d(x):
    """The first two principal components of the rows of a torch tensor, signs made definite.

    An exact SVD rather than torch.pca_lowrank: its randomness would move the picture on every
    run, and a (1000, 784) SVD takes milliseconds.
    """
    import torch

    centered = x - x.mean(dim=0, keepdim=True)
    _, _, vh = torch.linalg.svd(centered, full_matrices=False)
    components = vh[:2]
    # Each component's largest entry positive, so the same data always gives the same picture.
    signs = torch.sign(components.gather(1, components.abs().argmax(dim=1, keepdim=True)))
    return centered @ (components * signs).T


def project_representations(
    model, images: np.ndarray, labels: np.ndarray, n: int = 1000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2-D projections of the first n images' pixels and of the model's hidden activations."""
    import torch

    device = next(model.parameters()).device
    pixels = torch.as_tensor(np.array(images[:n]), device=device).reshape(-1, 784).float() / 255
    was_training = model.training
    model.eval()
    with torch.no_grad():
        hidden = model.relu(model.fc1(pixels))
    model.train(was_training)
    return (
        pca_2d(pixels).cpu().numpy(),
        pca_2d(hidden).cpu().numpy(),
        np.asarray(labels[: len(pixels)]),
    )


def centroid_accuracy(points: np.ndarray, labels: np.ndarray) -> float:
    """How separable the classes are in a projection: nearest-class-centroid accuracy."""
    classes = np.unique(labels)
    centroids = np.stack([points[labels == c].mean(axis=0) for c in classes])
    distances = ((points[:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    return float((classes[distances.argmin(axis=1)] == labels).mean())
