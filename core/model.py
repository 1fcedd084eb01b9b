"""The lesson's network and a summary of it computed from the module itself."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

INPUT_SIZE = 28 * 28
NUM_CLASSES = 10


class SimpleNN(nn.Module):
    """Linear(784, hidden) -> ReLU -> Linear(hidden, 10), as in the notebook."""

    def __init__(self, hidden: int = 512) -> None:
        super().__init__()
        self.hidden = hidden
        self.fc1 = nn.Linear(INPUT_SIZE, hidden)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden, NUM_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Accepts (B, 784) from the notebook's flatten transform or raw (B, 28, 28) images.
        return self.fc2(self.relu(self.fc1(x.flatten(1))))


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@dataclass(frozen=True)
class LayerRow:
    name: str
    output_shape: tuple[int, ...]
    parameters: int


@dataclass(frozen=True)
class ModelSummary:
    """Per-layer rows and the total, as torchinfo measured them with a forward pass."""

    rows: tuple[LayerRow, ...]
    total_parameters: int


def summarize(model: nn.Module, batch_size: int = 64) -> ModelSummary:
    """Run torchinfo on the model with a (batch_size, 784) input."""
    # Imported here: torchinfo is only needed for the summary, and some
    # machines (the GPU box) run training without it.
    import torchinfo

    stats = torchinfo.summary(
        model,
        input_size=(batch_size, INPUT_SIZE),
        col_names=("output_size", "num_params"),
        verbose=0,
    )
    rows = tuple(
        LayerRow(
            name=f"{info.class_name} ({info.var_name})",
            output_shape=tuple(info.output_size),
            parameters=info.num_params,
        )
        for info in stats.summary_list
        if info.depth == 1
    )
    return ModelSummary(
        rows=rows,
        total_parameters=stats.total_params,
    )
