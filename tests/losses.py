"""A training loss made non-finite on purpose, through torch's own cross_entropy."""

from __future__ import annotations

import pytest
import torch.nn.functional as F

import core.cpu_step


def poison_loss_at(monkeypatch: pytest.MonkeyPatch, call: int) -> list[int]:
    """Make the `call`-th training loss (counted from 1) infinite; the list counts training
    losses so far. Only the plain step calls cross_entropy, so the C step is switched off."""
    monkeypatch.setattr(core.cpu_step, "kernels", None)
    original = F.cross_entropy
    calls: list[int] = []

    def cross_entropy(logits, labels, reduction="mean"):
        loss = original(logits, labels, reduction=reduction)
        if reduction == "mean":  # evaluation sums; training takes the mean
            calls.append(1)
            if len(calls) == call:
                return loss * float("inf")
        return loss

    monkeypatch.setattr(F, "cross_entropy", cross_entropy)
    return calls
