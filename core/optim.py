"""The optimizers fit() builds by name, with a faster exact RMSprop for the CPU, and the one
description of each (RULES) that checkpoint validation, the C step and the stacked step read."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

import torch


@dataclass(frozen=True)
class OptimizerRules:
    """One optimizer as this app trains it, as torch keeps it."""

    state: tuple[str, ...]  # the tensors torch keeps per parameter ("step" apart)
    has_step: bool  # whether torch keeps a per-parameter step count
    # Param-group settings that pick the algorithm: this app trains with these values only
    # (any other needs state it never saves, and the C step implements plain RMSprop only).
    fixed: Mapping[str, Any]
    numbers: Mapping[str, tuple[float, float]]  # settings the step reads, and their ranges

    def is_plain(self, group: Mapping[str, Any]) -> bool:
        """Whether a param group has this optimizer's fixed settings (a missing one counts)."""
        return all(group.get(key, value) == value for key, value in self.fixed.items())


RULES: dict[str, OptimizerRules] = {
    "rmsprop": OptimizerRules(
        state=("square_avg",),
        has_step=True,
        fixed={"momentum": 0, "centered": False, "weight_decay": 0, "maximize": False},
        numbers={"lr": (0, math.inf), "alpha": (0, 1), "eps": (0, math.inf)},
    ),
    "adam": OptimizerRules(
        state=("exp_avg", "exp_avg_sq"),
        has_step=True,
        fixed={"weight_decay": 0, "amsgrad": False, "maximize": False},
        numbers={"lr": (0, math.inf), "eps": (0, math.inf)},
    ),
    "sgd": OptimizerRules(
        state=(),
        has_step=False,
        fixed={
            "momentum": 0,
            "dampening": 0,
            "nesterov": False,
            "weight_decay": 0,
            "maximize": False,
        },
        numbers={"lr": (0, math.inf)},
    ),
}
# How torch may run an optimizer; any of them, as a bool, or None for torch's choice.
FLAG_SETTINGS = ("foreach", "capturable", "differentiable", "fused")


class ZeroSafeRMSprop(torch.optim.RMSprop):
    """torch.optim.RMSprop's update, bit for bit, without taking square roots of zero.

    On the x86 CPU measured here sqrt is ~8x slower on exact zeros (1,169 vs 152 us for
    401,408 floats), and about a fifth of MNIST's square averages stay exactly zero: border
    pixels never get a gradient. Clamping to the smallest normal float first changes nothing
    once eps is added: sqrt(1.2e-38) = 1.1e-19 is far below half an ULP of eps = 1e-8.
    Only the plain configuration the notebook uses (no momentum, centering or weight decay).
    """

    TINY = torch.finfo(torch.float32).tiny

    def __init__(self, params: Any, lr: float) -> None:
        super().__init__(params, lr=lr)

    # torch's stubs overload step: given a closure it returns its loss; this step calls none
    @torch.no_grad()
    def step(self, closure: Any = None) -> None:  # type: ignore[override]
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad, state = param.grad, self.state[param]
                if not state:  # the same state, so checkpoints load into either class
                    state["step"] = torch.zeros((), dtype=torch.float32)
                    state["square_avg"] = torch.zeros_like(param)
                state["step"] += 1
                square_avg = state["square_avg"]
                square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
                avg = square_avg.clamp_min(self.TINY).sqrt_().add_(eps)
                param.addcdiv_(grad, avg, value=-lr)


class GraphOptions(TypedDict, total=False):
    """The keywords a captured step's Adam or RMSprop is built with."""

    capturable: bool
    foreach: bool


def make_optimizer(
    name: str, params: Any, lr: float, capturable: bool = False, cpu: bool = False
) -> torch.optim.Optimizer:
    """The optimizer by name, with the library defaults the notebook used."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "rmsprop" and cpu:
        return ZeroSafeRMSprop(params, lr=lr)
    # capturable keeps the step count on the device so a CUDA graph can replay the update.
    # foreach=False: inside a graph launches cost nothing, and the per-tensor kernels fill
    # the GPU where the foreach ones (one block per 65,536 elements) left it mostly idle.
    # On an H200 that took a step from ~164 to ~123 us (0.154 -> 0.115 s an epoch).
    extra: GraphOptions = {"capturable": True, "foreach": False} if capturable else {}
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, **extra)
    return torch.optim.RMSprop(params, lr=lr, **extra)
