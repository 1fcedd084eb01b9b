"""The one training loop: epochs of M >= 1 networks fed the same batches, told as events.

A single run (core.train.fit) is one member; a sweep's batched group (core.sweep.batched) is
several, trained by one step over each shared batch. Whoever builds the members chooses the
step (core.steps.step_kind, once) and sends each member's RunStarted; the engine trains and
sends the rest to the member's own handler: BatchProgress, EpochEnd, then RunFinished or
RunFailed. It writes no file and knows no store. What happens with the events is the
subscribers' business (a metrics file, the run store, a screen), and `after_epoch` is where a
caller acts on the weights of a finished epoch (fit saves its checkpoint there).

A member whose loss goes non-finite fails alone: the step stops training it, the others go
on. A set stop event ends every member still training as its last finished epoch.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

from core.errors import first_line
from core.events import BatchProgress, EpochEnd, Event, RunFailed, RunFinished
from core.loaders import DeviceLoader
from core.model import SimpleNN
from core.steps import EpochMetrics, Step

PROGRESS_INTERVAL_S = 0.1  # at most ~10 BatchProgress events a second, each one host sync
EVAL_BATCH = 2000  # evaluation only: large batches, no gradients

EventHandler = Callable[[Event], None]


class NonFiniteLoss(Exception):
    """The training loss became NaN or infinite."""

    def __init__(self, value: float, epoch: int, step: int) -> None:
        super().__init__(
            f"loss became {value} at epoch {epoch}, step {step}; the learning rate is "
            "probably too high"
        )
        self.epoch = epoch
        self.step = step


@dataclass(frozen=True)
class FitResult:
    """How a run ended, the trained model (None if it failed), every epoch's figures, and
    the checkpoint last saved (None when none was)."""

    outcome: RunFinished | RunFailed
    model: SimpleNN | None
    history: tuple[EpochEnd, ...]
    checkpoint: str | None = None

    @property
    def ok(self) -> bool:
        return isinstance(self.outcome, RunFinished)


@dataclass(eq=False)
class Member:
    """One network the engine trains: its weights, its per-batch figures (which the step
    fills), where its events go, the epochs it has done (a resumed run's earlier ones
    included) and, once it ended, its result."""

    model: SimpleNN
    metrics: EpochMetrics
    emit: EventHandler
    history: list[EpochEnd] = field(default_factory=list)
    result: FitResult | None = None


@dataclass(frozen=True)
class EpochData:
    """The engine's view of the data: the training loader its step reads, the test split
    it evaluates after every epoch, and their sizes."""

    loader: Any  # DeviceLoader, or NotebookLoader for the notebook's own pipeline
    test: DeviceLoader
    train_size: int
    batch_size: int


class Engine:
    """Trains `members` with `step` over `epochs` (a range: a resumed run starts later)."""

    def __init__(
        self,
        members: Sequence[Member],
        step: Step,
        data: EpochData,
        device: torch.device,
        stop: threading.Event,
        epochs: range,
        after_epoch: Callable[[Member, int], None] | None = None,
    ) -> None:
        self.members, self.step, self.data = list(members), step, data
        self.device, self.stop, self.epochs = device, stop, epochs
        self.after_epoch = after_epoch
        self.batches = len(data.loader)
        self.live = list(range(len(self.members)))  # the members still training

    def train(self) -> list[FitResult]:
        """Every member's result, in order. The step stays open: whoever built it closes it."""
        self._train()
        return [member.result for member in self.members if member.result is not None]

    def _train(self) -> None:
        started = time.perf_counter()
        stopped = False
        kept = [weights_now(member.model) for member in self.members]  # see end_of_run
        for epoch in self.epochs:
            if not self.live:
                break
            seconds = None if self.stop.is_set() else self._train_epoch(epoch)
            if seconds is None:
                stopped = True
                break
            for m in list(self.live):
                member = self.members[m]
                end = epoch_end(member, epoch, seconds, self.data, self.device)
                member.history.append(end)
                member.emit(end)
                if self.after_epoch is not None:
                    self.after_epoch(member, epoch)
                kept[m] = weights_now(member.model)
        seconds = time.perf_counter() - started
        for m in list(self.live):
            member = self.members[m]
            ending = end_of_run(member.model, kept[m], member.history, seconds, stopped)
            self._finish(member, ending)

    def _train_epoch(self, epoch: int) -> float | None:
        """Train one epoch of every live member; its seconds, or None if the stop ended it."""
        begin_epoch(self.device)
        t0 = last = time.perf_counter()
        batches, b = iter(self.data.loader.epoch()), 0
        try:
            while self.live:
                if self.stop.is_set():
                    self.step.discard()  # stop now, not after a queued chunk
                    return None
                done = self.step.take(batches, b)
                if not done:
                    break
                b += done
                if time.perf_counter() - last >= PROGRESS_INTERVAL_S:
                    self._progress(epoch, b, t0)
                    last = time.perf_counter()
        finally:
            self.step.epoch_done()
        for m in list(self.live):
            self._check_finite(m, epoch, self.batches)
        sync(self.device)
        seconds = time.perf_counter() - t0
        self._progress(epoch, self.batches, t0)
        return seconds

    def _progress(self, epoch: int, done: int, t0: float) -> None:
        self.step.flush()  # the figures of every batch queued so far
        for m in list(self.live):
            event = batch_progress(
                self.members[m].metrics, epoch, done, self.batches, self.data, t0
            )
            if not math.isfinite(event.loss) and self._check_finite(m, epoch, done):
                continue
            self.members[m].emit(event)

    def _check_finite(self, m: int, epoch: int, done: int) -> bool:
        """Fail member m if one of its first `done` losses is not finite; whether it did."""
        error = first_non_finite(self.members[m].metrics, epoch, done, self.batches)
        if error is not None:
            self.live.remove(m)
            self.step.drop(m)
            failed = RunFailed(reason=first_line(error), epoch=error.epoch, step=error.step)
            self._finish(self.members[m], failed)
        return error is not None

    @staticmethod
    def _finish(member: Member, outcome: RunFinished | RunFailed) -> None:
        member.emit(outcome)
        model = member.model if isinstance(outcome, RunFinished) else None
        member.result = FitResult(outcome, model, tuple(member.history))


def weights_now(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A copy of the weights as they are now (at the start, then at each epoch's end): what a
    stop goes back to. 1.6 MB at the recipe's size."""
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def end_of_run(
    model: torch.nn.Module,
    kept: dict[str, torch.Tensor],
    history: list[EpochEnd],
    seconds: float,
    stopped: bool,
) -> RunFinished:
    """How a run ends: as its last finished epoch, weights and figures alike.

    A stop inside an epoch puts back the weights of the last finished epoch (`kept`), so the
    accuracy shown, the one recorded, the epoch table's last row and the checkpoint (saved at
    epoch ends) are one figure of one set of weights. Stopped before any epoch ended: the
    starting weights, and no test accuracy.
    """
    if stopped:
        model.load_state_dict(kept)
    return RunFinished(
        test_acc=history[-1].test_acc if history else None,
        seconds=seconds,
        epochs_done=len(history),
        stopped=stopped,
    )


def begin_epoch(device: torch.device) -> None:
    """Before an epoch's clock starts: the GPU idle and its peak memory counted afresh."""
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    sync(device)


def sync(device: torch.device) -> None:
    """Wait for the GPU: an epoch's clock stops when the GPU has finished, not when Python has."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def peak_gpu_mb(device: torch.device) -> float | None:
    if device.type != "cuda":
        return None
    return torch.cuda.max_memory_allocated(device) / 2**20


def first_non_finite(
    metrics: EpochMetrics, epoch: int, done: int, batches: int
) -> NonFiniteLoss | None:
    """The first of an epoch's first `done` losses that is NaN or infinite, as the error that
    names its epoch and step; None when every one is finite."""
    losses = metrics.losses
    bad = (~torch.isfinite(losses[:done])).nonzero()
    if not len(bad):
        return None
    b = int(bad[0])
    return NonFiniteLoss(losses[b].item(), epoch, epoch * batches + b + 1)


def epoch_end(
    member: Member, epoch: int, seconds: float, data: EpochData, device: torch.device
) -> EpochEnd:
    """An epoch's figures: the training ones its step accumulated, and the test split's now."""
    test_loss, test_acc = loss_and_accuracy(member.model, data.test)
    metrics = member.metrics
    batches = len(metrics.losses)
    return EpochEnd(
        epoch=epoch,
        train_loss=metrics.losses.sum().item() / batches,
        train_acc=metrics.corrects.sum().item() / data.train_size,
        test_loss=test_loss,
        test_acc=test_acc,
        seconds=seconds,
        samples_per_s=data.train_size / seconds,
        peak_gpu_mb=peak_gpu_mb(device),
    )


def batch_progress(
    metrics: EpochMetrics, epoch: int, done: int, batches: int, data: EpochData, t0: float
) -> BatchProgress:
    """The running figures after `done` batches of an epoch that began at perf_counter `t0`."""
    loss_sum = metrics.losses[:done].sum().item()  # the host sync, once per report
    correct = metrics.corrects[:done].sum().item()
    seen = min(done * data.batch_size, data.train_size)
    elapsed = max(time.perf_counter() - t0, 1e-9)
    return BatchProgress(
        epoch=epoch,
        batch=done,
        batches=batches,
        step=epoch * batches + done,
        loss=loss_sum / done,
        acc=correct / seen,
        samples_per_s=seen / elapsed,
    )


@torch.no_grad()
def loss_and_accuracy(model: torch.nn.Module, loader: DeviceLoader) -> tuple[float, float]:
    """Mean cross-entropy and accuracy over the whole split, summed on the device."""
    model.eval()
    loss_sum = torch.zeros((), dtype=torch.float64, device=loader.device)
    correct = torch.zeros((), dtype=torch.int64, device=loader.device)
    for x, y in loader:
        logits = model(x)
        loss_sum += F.cross_entropy(logits, y, reduction="sum")
        correct += (logits.argmax(1) == y).sum()
    model.train()
    n = loader.num_samples
    return loss_sum.item() / n, correct.item() / n
