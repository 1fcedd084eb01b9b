"""The network's first layer as the tensor operations it is: dot, broadcast add, relu.

One batch of images is pushed through `fc1` by hand, step by step, each step's shape kept, and
the result checked against the layer's own forward pass. torch is imported inside the function.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BATCH_SIZE = 64  # the lecture's training loader hands the network 64 images at a time


@dataclass(frozen=True)
class Stage:
    """One step of the layer: what was computed, its shape, and a word about its values."""

    expression: str
    shape: tuple[int, ...]
    note: str


@dataclass(frozen=True)
class DenseTrace:
    """A batch through fc1 and relu, step by step, checked against the model's own layers."""

    stages: tuple[Stage, ...]
    largest_difference: float  # |by hand - model.relu(model.fc1(x))|, at most
    zero_fraction: float  # share of relu's outputs that are exactly 0
    bias_strides: tuple[int, ...]  # the broadcast bias's strides: 0 along the batch axis


def value_range(t) -> str:
    return f"{t.min().item():.3g} to {t.max().item():.3g}" if t.numel() else "empty"


def dense_trace(model, images: np.ndarray, batch_size: int = BATCH_SIZE) -> DenseTrace:
    """The first `batch_size` images through model.fc1 then relu, by hand.

    PyTorch stores a Linear layer's weight as (out, in) and computes x @ weight.T + bias, which
    is the lecture's relu(dot(W, input) + b) with the batch on the rows.
    """
    import torch

    device = next(model.parameters()).device
    batch = np.asarray(images[:batch_size])
    weight, bias = model.fc1.weight, model.fc1.bias
    with torch.no_grad():
        pixels = torch.as_tensor(batch, device=device)
        x = pixels.reshape(len(batch), -1).float() / 255
        w = weight.T  # a view: (in, out)
        xw = x @ w
        b = bias.expand_as(xw)  # the broadcast, made visible: no copy, stride 0 on the rows
        z = xw + b
        h = torch.relu(z)
        reference = model.relu(model.fc1(x))
        zeros = (h == 0).float().mean().item() if h.numel() else 0.0
    stages = (
        Stage(f"images[:{len(batch)}]", tuple(pixels.shape), f"uint8, {value_range(pixels)}"),
        Stage("x = flat / 255", tuple(x.shape), f"float32, {value_range(x)}"),
        Stage("W = fc1.weight.T", tuple(w.shape), f"stored {tuple(weight.shape)}"),
        Stage("x @ W", tuple(xw.shape), value_range(xw)),
        Stage("b = fc1.bias", tuple(bias.shape), value_range(bias)),
        Stage("b broadcast", tuple(b.shape), "stride 0: no copy"),
        Stage("z = x @ W + b", tuple(z.shape), value_range(z)),
        Stage("relu(z)", tuple(h.shape), f"{zeros:.0%} are 0"),
    )
    return DenseTrace(
        stages=stages,
        largest_difference=(h - reference).abs().max().item() if h.numel() else 0.0,
        zero_fraction=zeros,
        bias_strides=tuple(b.stride()),
    )


def fresh_model(seed: int = 0):
    """An untrained SimpleNN, seeded, without disturbing torch's global random state."""
    import torch

    from core.model import SimpleNN

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return SimpleNN()
