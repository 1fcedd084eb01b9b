"""fit(): the notebook's recipe (784-512-10, RMSprop, batch 64), run fast, reported as events.

Speed comes from keeping the data on the device (core.loaders.DeviceLoader),
never reading the loss back to the host between progress reports, on CUDA
replaying the whole training step as one captured CUDA graph, and on the CPU
running the step in C over each batch's non-zero pixels (core.cpu_step).
The "torchvision" loader instead runs the notebook's loop as written: its
DataLoader pipeline, torch.optim's RMSprop and the loss read back every step.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import torch
import torch.nn.functional as F

from core import checkpoint
from core.checkpoint import CheckpointError
from core.config import ConfigError, TrainConfig
from core.data import DataError, check_trainable, load_splits
from core.device import describe_run_device, resolve_device
from core.errors import first_line, os_error_reason
from core.events import (
    BatchProgress,
    EpochEnd,
    Event,
    JsonLinesWriter,
    MetricsWriteError,
    RunFailed,
    RunFinished,
    RunStarted,
)
from core.loaders import DeviceLoader, NotebookLoader
from core.model import SimpleNN, parameter_count
from core.optim import make_optimizer
from core.runs.errors import RunStoreError
from core.steps import EpochMetrics, make_step, step_kind

if TYPE_CHECKING:
    from core.runs import RunRecorder

PROGRESS_INTERVAL_S = 0.1  # at most ~10 BatchProgress events a second, each one host sync
EVAL_BATCH = 2000  # evaluation only: large batches, no gradients

EventHandler = Callable[[Event], None]


class SplitLike(Protocol):
    # Read-only, so that a frozen dataclass (core.data.Split) is one.
    @property
    def images(self) -> np.ndarray: ...
    @property
    def labels(self) -> np.ndarray: ...


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
    """How the run ended, the trained model (None if it failed) and every epoch's figures."""

    outcome: RunFinished | RunFailed
    model: SimpleNN | None
    history: tuple[EpochEnd, ...]

    @property
    def ok(self) -> bool:
        return isinstance(self.outcome, RunFinished)


def fit(
    config: TrainConfig,
    on_event: EventHandler | None = None,
    stop_event: threading.Event | None = None,
    *,
    data: tuple[SplitLike, SplitLike] | None = None,
    save: str | Path | None = None,
    resume: str | Path | None = None,
    metrics: str | Path | None = None,
    record: RunRecorder | None = None,
    prepare_model: Callable[[SimpleNN], None] | None = None,
    on_epoch_model: Callable[[int, SimpleNN], None] | None = None,
) -> FitResult:
    """Train as `config` says; every outcome, failures included, is also sent as an event.

    `data` (train, test) replaces loading `config.dataset`; `save` writes a checkpoint
    after every epoch; `resume` continues from one; `metrics` appends JSON Lines.
    `record` (core.runs.RunRecorder) records the run in its store, with a checkpoint in the
    store's folder after every epoch when `save` names no other place:
    `fit(config, record=RunRecorder(RunStore.open(), "python"))`.
    `prepare_model` sees the seeded, freshly built model before the optimizer does (the
    lesson freezes its biases at zero with it; frozen weights move the run from the C step,
    which trains every parameter, to torch's own); `on_epoch_model(epoch, model)` sees the
    model after each EpochEnd, in the training thread, uncopied: a caller takes what it needs,
    and callers that pass nothing pay nothing.
    Expected failures (bad data, checkpoint, NaN loss, out of memory, a metrics file or run
    store that cannot be written) end as RunFailed;
    anything else is a bug and is re-raised after its RunFailed is sent.
    """
    try:
        writer = JsonLinesWriter(metrics) if metrics is not None else None
    except OSError as err:
        assert metrics is not None  # only JsonLinesWriter(metrics) raises here
        failed = RunFailed(
            reason=f"cannot write metrics to {metrics}: {os_error_reason(metrics, err)}"
        )
        if on_event is not None:
            on_event(failed)
        return FitResult(failed, None, ())

    def emit(event: Event) -> None:
        if writer is not None:
            writer(event)
        if record is not None:
            record(event)
        if on_event is not None:
            on_event(event)

    threads_before = torch.get_num_threads()
    run: _Run | None = None
    try:
        run = _Run(
            config,
            emit,
            stop_event or threading.Event(),
            data,
            save,
            resume,
            record,
            prepare_model,
            on_epoch_model,
        )
        return run.train()
    except (
        ConfigError,
        DataError,
        CheckpointError,
        NonFiniteLoss,
        MetricsWriteError,
        RunStoreError,
        torch.cuda.OutOfMemoryError,
    ) as err:
        failed = RunFailed(
            reason=first_line(err),
            epoch=getattr(err, "epoch", None),
            step=getattr(err, "step", None),
        )
        emit(failed)
        return FitResult(failed, None, tuple(run.history) if run else ())
    except Exception as err:
        emit(RunFailed(reason=f"{type(err).__name__}: {first_line(err)}"))
        raise
    finally:
        torch.set_num_threads(threads_before)
        if writer is not None:
            writer.close()
        if record is not None:  # a run whose end was never sent (Ctrl-C) is interrupted
            record.close()


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
    starting weights, and no test accuracy. The one ending for fit() and batched sweep groups.
    """
    if stopped:
        model.load_state_dict(kept)
    return RunFinished(
        test_acc=history[-1].test_acc if history else None,
        seconds=seconds,
        epochs_done=len(history),
        stopped=stopped,
    )


# The pieces of an epoch that a single run (fit) and a batched sweep group share, written once.


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
    model: torch.nn.Module,
    metrics: EpochMetrics,
    epoch: int,
    seconds: float,
    test_loader: DeviceLoader,
    train_size: int,
    device: torch.device,
) -> EpochEnd:
    """An epoch's figures: the training ones its step accumulated, and the test split's now."""
    test_loss, test_acc = loss_and_accuracy(model, test_loader)
    batches = len(metrics.losses)
    return EpochEnd(
        epoch=epoch,
        train_loss=metrics.losses.sum().item() / batches,
        train_acc=metrics.corrects.sum().item() / train_size,
        test_loss=test_loss,
        test_acc=test_acc,
        seconds=seconds,
        samples_per_s=train_size / seconds,
        peak_gpu_mb=peak_gpu_mb(device),
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


class _Run:
    """One training run's state; only fit() sees it, so callers never hold a mutable trainer."""

    def __init__(
        self,
        config: TrainConfig,
        emit: EventHandler,
        stop: threading.Event,
        data: tuple[SplitLike, SplitLike] | None,
        save: str | Path | None,
        resume: str | Path | None,
        record: RunRecorder | None = None,
        prepare_model: Callable[[SimpleNN], None] | None = None,
        on_epoch_model: Callable[[int, SimpleNN], None] | None = None,
    ) -> None:
        self.config, self.emit, self.stop, self.save_path = config, emit, stop, save
        self.record, self.on_epoch_model = record, on_epoch_model
        self.device = resolve_device(config)
        torch.set_num_threads(config.threads)

        train, test, self.data_source = checked_splits(config, data)
        self.train_size, self.test_size = len(train.labels), len(test.labels)

        kind, slower_because = step_kind(config, self.device)
        self.notes = [slower_because] if slower_because else []
        torch.manual_seed(config.seed)
        self.model = SimpleNN(config.hidden).to(self.device)
        if prepare_model is not None:
            prepare_model(self.model)
            if kind == "c" and not all(p.requires_grad for p in self.model.parameters()):
                # The C step updates every parameter: frozen ones need torch's own step.
                kind = "eager"
                self.notes.append("some weights are frozen: the plain torch step leaves them be")
        self.optimizer = make_optimizer(
            config.optimizer,
            self.model.parameters(),
            config.lr,
            capturable=kind == "graph",
            cpu=kind != "notebook" and self.device.type == "cpu",
        )
        self.loader = make_loader(config, train, self.device)
        self.test_loader = DeviceLoader(
            test.images, test.labels, EVAL_BATCH, self.device, shuffle=False
        )
        self.batches = len(self.loader)
        self.metrics = EpochMetrics.zeros(self.batches, self.device)
        self.history: list[EpochEnd] = []
        self.start_epoch = 0
        if resume is not None:
            self._resume(resume)
        # After resuming: the C step and the graph take the weights and state as they are now.
        self.step = make_step(
            kind, self.model, self.optimizer, self.loader, self.metrics, config.threads, self.notes
        )

    def _resume(self, path: str | Path) -> None:
        saved = checkpoint.load(path)
        checkpoint.check_compatible(saved, self.config, path)
        # How this run's optimizer runs on its device (a CUDA graph needs capturable state),
        # whatever the device that wrote the checkpoint had.
        own = {
            key: value
            for key, value in self.optimizer.param_groups[0].items()
            if key in ("capturable", "foreach", "fused", "differentiable")
        }
        try:
            self.model.load_state_dict(saved.model)
            self.optimizer.load_state_dict(saved.optimizer)
            self.optimizer.param_groups[0].update(own)
        except (RuntimeError, ValueError, KeyError) as err:
            raise CheckpointError(f"{path} does not fit this model: {first_line(err)}") from err
        # The optimizer state brings back the learning rate it was saved with; the config's is
        # the one this run records, so it is the one it trains with.
        saved_lr = self.optimizer.param_groups[0]["lr"]
        for group in self.optimizer.param_groups:
            group["lr"] = self.config.lr
        if saved_lr != self.config.lr:
            self.notes.append(
                f"learning rate {self.config.lr:g} from here on (the checkpoint trained with "
                f"{saved_lr:g})"
            )
        if saved.rng is not None:
            try:
                self.loader.generator.set_state(saved.rng)
            except (RuntimeError, TypeError):
                self.notes.append("saved shuffle state is for another device; reshuffling")
        self.history = [EpochEnd(**entry) for entry in saved.history]
        self.start_epoch = saved.epoch
        if self.start_epoch >= self.config.epochs:
            raise ConfigError(
                f"nothing to train: {path} has done {saved.epoch} epoch(s) and this run asks "
                f"for {self.config.epochs}; ask for more epochs to continue it"
            )

    def train(self) -> FitResult:
        self.emit(
            RunStarted(
                config=self.config,
                device=describe_run_device(self.device, self.config.threads),
                parameters=parameter_count(self.model),
                train_size=self.train_size,
                test_size=self.test_size,
                start_epoch=self.start_epoch,
                data_source=self.data_source,
                notes=tuple(self.notes),
            )
        )
        if self.record is not None and self.record.run_id is None:
            # The store refused the run: stop before training weights with nowhere to go.
            raise RunStoreError(f"cannot record the run: {self.record.error}")
        if self.save_path is None and self.record is not None and self.record.run_id:
            self.save_path = self.record.store.checkpoint_path(self.record.run_id)
        started = time.perf_counter()
        stopped = False
        kept = weights_now(self.model)  # what a stop inside the first epoch goes back to
        for epoch in range(self.start_epoch, self.config.epochs):
            seconds = None if self.stop.is_set() else self._train_epoch(epoch)
            if seconds is None:
                stopped = True
                break
            end = epoch_end(
                self.model,
                self.metrics,
                epoch,
                seconds,
                self.test_loader,
                self.train_size,
                self.device,
            )
            self.history.append(end)
            self.emit(end)
            if self.on_epoch_model is not None:
                self.on_epoch_model(epoch, self.model)
            if self.save_path is not None:
                self._save(self.save_path, epoch + 1)
            kept = weights_now(self.model)
        finished = end_of_run(
            self.model, kept, self.history, time.perf_counter() - started, stopped
        )
        self.emit(finished)
        return FitResult(finished, self.model, tuple(self.history))

    def _train_epoch(self, epoch: int) -> float | None:
        """Train one epoch; its seconds, or None if the stop event ended it."""
        begin_epoch(self.device)
        t0 = last = time.perf_counter()
        batches, b = iter(self.loader.epoch()), 0
        try:
            while True:
                if self.stop.is_set():
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
        self._check_finite(epoch, self.batches)
        sync(self.device)
        seconds = time.perf_counter() - t0
        self._progress(epoch, self.batches, t0)
        return seconds

    def _progress(self, epoch: int, done: int, t0: float) -> None:
        event = batch_progress(
            self.metrics, epoch, done, self.batches, self.config.batch_size, self.train_size, t0
        )
        if not math.isfinite(event.loss):
            self._check_finite(epoch, done)
        self.emit(event)

    def _check_finite(self, epoch: int, done: int) -> None:
        error = first_non_finite(self.metrics, epoch, done, self.batches)
        if error is not None:
            raise error

    def _save(self, path: str | Path, epochs_done: int) -> None:
        checkpoint.save(
            path,
            checkpoint.Checkpoint(
                model=self.model.state_dict(),
                optimizer=self.optimizer.state_dict(),
                config=self.config.to_dict(),
                epoch=epochs_done,
                history=[asdict(e) for e in self.history],
                rng=self.loader.generator.get_state(),
            ),
        )
        if self.record is not None:
            self.record.checkpoint_saved(path)


def checked_splits(
    config: TrainConfig, data: tuple[SplitLike, SplitLike] | None
) -> tuple[SplitLike, SplitLike, str]:
    """(train, test), loaded unless given and refused in one line if the network cannot take
    them, and where they came from, as RunStarted names it."""
    train, test = data if data is not None else load_splits(config.dataset, config.data_dir)
    check_trainable(train.images, train.labels, "train")
    check_trainable(test.images, test.labels, "test")
    return train, test, str(getattr(train, "source", "arrays passed to fit()"))


def batch_progress(
    metrics: EpochMetrics,
    epoch: int,
    done: int,
    batches: int,
    batch_size: int,
    train_size: int,
    t0: float,
) -> BatchProgress:
    """The running figures after `done` batches of an epoch that began at perf_counter `t0`."""
    loss_sum = metrics.losses[:done].sum().item()  # the host sync, once per report
    correct = metrics.corrects[:done].sum().item()
    seen = min(done * batch_size, train_size)
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


def make_loader(config: TrainConfig, train: SplitLike, device: torch.device) -> Any:
    """The fast on-device loader, or the notebook's DataLoader pipeline when asked for."""
    if config.loader == "torchvision":
        return NotebookLoader(train.images, train.labels, config.batch_size, device, config.seed)
    return DeviceLoader(train.images, train.labels, config.batch_size, device, seed=config.seed)
