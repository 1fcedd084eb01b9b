"""Which device a run uses, and how it is described to the user (imports torch)."""

from __future__ import annotations

import os

import torch

from core.config import TrainConfig, default_threads


def resolve_device(config: TrainConfig) -> torch.device:
    """The torch device for `config.device`, with the CUDA index made explicit."""
    device = torch.device(config.resolved_device())
    if device.type == "cuda":
        return torch.device("cuda", torch.cuda.current_device())
    return device


def describe_run_device(device: torch.device, threads: int) -> str:
    """What a run trains on, as RunStarted reports it: "cuda:0 (NVIDIA H200)", "cpu (1 thread)"."""
    if device.type == "cuda":
        return f"cuda:{torch.cuda.current_device()} ({torch.cuda.get_device_name(device)})"
    return f"cpu ({threads} thread{'s' if threads != 1 else ''})"


def describe_device(choice: str) -> str:
    """Before a run: the GPU's name and memory, or the CPU and the threads training will use."""
    if choice != "cpu" and torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        return f"{props.name}, {props.total_memory / 2**30:.0f} GiB"
    if choice == "cuda":
        return "cuda asked for, but no CUDA GPU is available"
    return f"CPU, {default_threads()} of {os.cpu_count() or 1} cores for training"
