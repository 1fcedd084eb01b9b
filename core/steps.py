"""The training step, in its kinds, chosen once by step_kind() and built beside its engine.

Every kind trains its members (one network for a single run, several for a sweep's batched
group) on one batch, and writes each batch's loss and correct count into the epoch's buffers
on the device, so the epoch loop (core.engine) never waits on it. For one network, built by
make_step():

- NotebookStep: the notebook's loop body, host reads included (the baseline the bench times);
- EagerStep: autograd and the optimizer launched from Python, any device, any optimizer;
- CudaGraphStep: the whole step replayed as one captured CUDA graph (core.graph);
- CStep: on the CPU, the RMSprop step in C over each batch's non-zero pixels (core.cpu_step).

For several (core.sweep.batched): their weights stacked (core.sweep.stacked, captured as one
CUDA graph on CUDA), or their C steps dealt to threads.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from core import cpu_step
from core.config import TrainConfig
from core.graph import CapturedStep
from core.loaders import Batch, DeviceLoader
from core.model import SimpleNN

# The C step trains batches in groups lasting about this long: a twentieth of a second
# between the epoch loop's looks at the stop flag, well inside its tenth between reports.
CALL_S = 0.05
MAX_PER_CALL = 256


@dataclass(frozen=True)
class EpochMetrics:
    """Per-batch loss and correct count of the current epoch, filled on the device."""

    losses: torch.Tensor
    corrects: torch.Tensor

    @classmethod
    def zeros(cls, batches: int, device: torch.device) -> EpochMetrics:
        return cls(
            torch.zeros(batches, device=device),
            torch.zeros(batches, dtype=torch.int64, device=device),
        )


class Step:
    """What the engine asks of every kind: train the next batch(es), and the few moments
    around them. Only `__call__` is each kind's own; the rest do nothing unless a kind needs
    them (one that queues batches, or trains several members)."""

    def __call__(self, batch: Any, b: int) -> None:
        raise NotImplementedError

    def take(self, batches: Iterator[Any], b: int) -> int:
        """Train on the next batch of `batches`, batch b of the epoch: how many batches that
        was (0 when the epoch is over). Kinds that can, take several in one call."""
        batch = next(batches, None)
        if batch is None:
            return 0
        self(batch, b)
        return 1

    def flush(self) -> None:
        """Train the batches queued so far, before their figures are read."""

    def discard(self) -> None:
        """Forget the batches queued so far: the epoch is being abandoned."""

    def epoch_done(self) -> None:
        """Once after each epoch's last batch."""

    def drop(self, member: int) -> None:
        """Stop training member `member` (its loss went non-finite); the others go on."""

    def close(self) -> None:
        """Release what the step holds (threads), once training is over."""


class NotebookStep(Step):
    """The notebook's loop body, host reads included: it prints from these every epoch."""

    def __init__(self, model: SimpleNN, optimizer: torch.optim.Optimizer, metrics: EpochMetrics):
        self.model, self.optimizer, self.metrics = model, optimizer, metrics

    def __call__(self, batch: tuple[torch.Tensor, torch.Tensor], b: int) -> None:
        x, y = batch
        self.optimizer.zero_grad()
        outputs = self.model(x)
        loss = F.cross_entropy(outputs, y)
        loss.backward()
        self.optimizer.step()
        self.metrics.losses[b] = loss.item()
        _, predicted = torch.max(outputs, 1)
        self.metrics.corrects[b] = (predicted == y).sum().item()


class EagerStep(Step):
    """Forward, backward and the optimizer's update, launched from Python; no host sync."""

    def __init__(
        self,
        model: SimpleNN,
        optimizer: torch.optim.Optimizer,
        loader: DeviceLoader,
        metrics: EpochMetrics,
        keep_grads: bool = False,
    ) -> None:
        self.model, self.optimizer, self.loader, self.metrics = model, optimizer, loader, metrics
        # A CUDA graph replays into the gradient tensors it captured: they must stay allocated.
        self.keep_grads = keep_grads

    def __call__(self, batch: Batch, b: int) -> None:
        x, y = self.loader.batch(batch.index)
        self.optimizer.zero_grad(set_to_none=not self.keep_grads)
        logits = self.model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        self.optimizer.step()
        self.metrics.losses[b] = loss.detach()
        self.metrics.corrects[b] = (logits.argmax(1) == y).sum()


class CudaGraphStep(Step):
    """Full batches replay the captured graph; the last, partial one runs eagerly."""

    def __init__(
        self,
        model: SimpleNN,
        optimizer: torch.optim.Optimizer,
        loader: DeviceLoader,
        metrics: EpochMetrics,
    ) -> None:
        self.graph = CapturedStep(model, optimizer, loader, metrics.losses, metrics.corrects)
        self.eager = EagerStep(model, optimizer, loader, metrics, keep_grads=True)
        self.batch_size = loader.batch_size

    def __call__(self, batch: Batch, b: int) -> None:
        if batch.start == 0:  # the graph reads the epoch's order from its own buffer
            self.graph.start_epoch(batch.order)
        if len(batch) == self.batch_size:
            self.graph.replay()
        else:
            self.eager(batch, b)


class CStep(Step):
    """The CPU step in C; the optimizer's step counts are brought up to date once an epoch."""

    def __init__(
        self,
        model: SimpleNN,
        optimizer: torch.optim.Optimizer,
        loader: DeviceLoader,
        metrics: EpochMetrics,
        threads: int,
    ) -> None:
        self.per_call = 1  # batches a call to take() trains; it adapts to the step's speed
        self.fused = cpu_step.FusedCpuStep(
            model,
            optimizer,
            loader.images,
            loader.labels,
            loader.batch_size,
            metrics.losses,
            metrics.corrects,
            threads,
        )

    def __call__(self, batch: Batch, b: int) -> None:
        self.fused.step(batch.index, b)

    def take(self, batches: Iterator[Batch], b: int) -> int:
        """As many batches as C trains in about CALL_S, in one call: the epoch loop's Python
        (and any wait for the GIL, which a UI thread holds while it draws) comes once per
        call, not once per batch, yet a stop or a progress report is never far off."""
        group = list(itertools.islice(batches, self.per_call))
        if not group:
            return 0
        first, size = group[0], len(self.fused.y)
        # C reads batch b of the order at b * batch_size: what DeviceLoader.epoch() yields.
        if first.start != b * size or any(later.order is not first.order for later in group):
            raise ValueError("the batches of one call must be the next ones of one epoch's order")
        t0 = time.perf_counter()
        self.fused.steps(first.order, b, len(group))
        per_batch = (time.perf_counter() - t0) / len(group)
        self.per_call = max(1, min(MAX_PER_CALL, int(CALL_S / max(per_batch, 1e-6))))
        return len(group)

    def epoch_done(self) -> None:
        self.fused.record_steps()


def step_kind(
    config: TrainConfig, device: torch.device, *, frozen: bool = False, group: bool = False
) -> tuple[str, str | None]:
    """Which step fits this run: "notebook", "graph", "c" or "eager", and why not a faster one.

    `frozen`: some weights take no gradient (the C step updates every parameter). `group`:
    the members of a sweep's batched group (their C step needs the members' kernel).
    The reason is None when nothing faster was passed over, or when the slower step is what
    the configuration asked for (another optimizer than the C step covers, for example).
    """
    if config.loader == "torchvision":
        return "notebook", None
    if device.type == "cuda":
        return ("graph", None) if config.cuda_graph else ("eager", None)
    if not config.cpu_kernels:
        return "eager", None
    reason = cpu_step.unavailable_reason(config.optimizer, config.batch_size)
    if reason is not None:
        # The recipe itself runs slower than it could: say so; other optimizers expect it.
        return "eager", reason if config.optimizer == "rmsprop" else None
    if frozen:
        return "eager", "some weights are frozen: the plain torch step leaves them be"
    if group and not hasattr(cpu_step.kernels, "members_step"):
        return "eager", (
            "the CPU step in C was built before it could train a sweep's members together: "
            "reinstall (pip install -e .) to train them in C; stacked torch ops instead"
        )
    return "c", None


def make_step(
    kind: str,
    model: SimpleNN,
    optimizer: torch.optim.Optimizer,
    loader: Any,
    metrics: EpochMetrics,
    threads: int,
    notes: list[str],
) -> Step:
    """The step of `kind` (from step_kind), appending to `notes` how the run will train."""
    if kind == "notebook":
        return NotebookStep(model, optimizer, metrics)
    if kind == "c":
        notes.append("CPU step in C, over each batch's non-zero pixels")
        return CStep(model, optimizer, loader, metrics, threads)
    if kind == "graph":
        try:
            step = CudaGraphStep(model, optimizer, loader, metrics)
        except Exception as err:  # a capture failure costs speed, never correctness
            notes.append(f"CUDA graph capture failed, training eagerly ({err})")
            return EagerStep(model, optimizer, loader, metrics)
        notes.append("training step captured as a CUDA graph")
        return step
    return EagerStep(model, optimizer, loader, metrics)
