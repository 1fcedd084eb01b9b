"""fit(): the notebook's recipe (784-512-10, RMSprop, batch 64), run fast, reported as events.

Speed comes from keeping the data on the device (core.loaders.DeviceLoader),
never reading the loss back to the host between progress reports, on CUDA
replaying the whole training step as one captured CUDA graph, and on the CPU
running the step in C over each batch's non-zero pixels (core.cpu_step).
The "torchvision" loader instead runs the notebook's loop as written: its
DataLoader pipeline, torch.optim's RMSprop and the loss read back every step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import torch

from core import checkpoint
from core.checkpoint import CheckpointError
from core.config import ConfigError, TrainConfig
from core.data import DataError, check_trainable, load_splits
from core.device import describe_run_device, resolve_device
from core.engine import (
    EVAL_BATCH,
    Engine,
    EpochData,
    EventHandler,
    FitResult,
    Member,
)
from core.errors import first_line, os_error_reason
from core.events import (
    CheckpointSaved,
    EpochEnd,
    Event,
    JsonLinesWriter,
    MetricsWriteError,
    RunFailed,
    RunStarted,
)
from core.loaders import DeviceLoader, NotebookLoader
from core.model import SimpleNN, parameter_count
from core.optim import make_optimizer
from core.runs.errors import RunStoreError
from core.steps import EpochMetrics, make_step, step_kind

if TYPE_CHECKING:
    from core.runs import RunRecorder


class SplitLike(Protocol):
    # Read-only, so that a frozen dataclass (core.data.Split) is one.
    @property
    def images(self) -> np.ndarray: ...
    @property
    def labels(self) -> np.ndarray: ...


def fit(
    config: TrainConfig,
    on_event: EventHandler | None = None,
    stop_event: threading.Event | None = None,
    *,
    data: tuple[SplitLike, SplitLike] | None = None,
    save: Place = None,
    resume: str | Path | None = None,
    metrics: str | Path | None = None,
    record: RunRecorder | None = None,
    prepare_model: Callable[[SimpleNN], None] | None = None,
    on_epoch_model: Callable[[int, SimpleNN], None] | None = None,
) -> FitResult:
    """Train as `config` says; every outcome, failures included, is also sent as an event.

    One member of core.engine's loop. Its events go to the subscribers composed here: a
    JSON Lines file (`metrics`), the run store (`record`, a core.runs.RunRecorder) and
    `on_event`. `data` (train, test) replaces loading `config.dataset`; `resume` continues
    from a checkpoint. After every epoch a checkpoint goes to `save` (a path, or a callable
    that names one once the run has started), else to the recorded run's place beside the
    store, and a CheckpointSaved event says where; FitResult.checkpoint is the last one:
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
    emit = fan_out(writer, record, on_event)

    threads_before = torch.get_num_threads()
    run: _Run | None = None
    try:
        run = _Run(config, emit, data, resume, prepare_model)
        return run.train(stop_event or threading.Event(), save, record, on_epoch_model)
    except (
        ConfigError,
        DataError,
        CheckpointError,
        MetricsWriteError,
        RunStoreError,
        torch.cuda.OutOfMemoryError,
    ) as err:
        failed = RunFailed(reason=first_line(err))
        emit(failed)
        if run is None:
            return FitResult(failed, None, ())
        return FitResult(failed, None, tuple(run.member.history), run.last_checkpoint)
    except Exception as err:
        emit(RunFailed(reason=f"{type(err).__name__}: {first_line(err)}"))
        raise
    finally:
        if run is not None:  # the step it built, whatever happened since
            run.step.close()
        torch.set_num_threads(threads_before)
        if writer is not None:
            writer.close()
        if record is not None:  # a run whose end was never sent (Ctrl-C) is interrupted
            record.close()


def fan_out(*handlers: EventHandler | None) -> EventHandler:
    """One handler that gives each event to every one of `handlers` (None ones left out),
    in order: the subscribers a caller composes for a run."""
    chosen = [handler for handler in handlers if handler is not None]

    def emit(event: Event) -> None:
        for handler in chosen:
            handler(event)

    return emit


class _Run:
    """One run built for the engine: its model, optimizer, data and step; only fit() sees
    it, so callers never hold a mutable trainer."""

    def __init__(
        self,
        config: TrainConfig,
        emit: EventHandler,
        data: tuple[SplitLike, SplitLike] | None,
        resume: str | Path | None,
        prepare_model: Callable[[SimpleNN], None] | None = None,
    ) -> None:
        self.config, self.emit = config, emit
        self.setup = set_up(config, data)
        self.device, self.data = self.setup.device, self.setup.data
        self.loader = self.data.loader

        torch.manual_seed(config.seed)
        self.model = SimpleNN(config.hidden).to(self.device)
        if prepare_model is not None:
            prepare_model(self.model)
        frozen = not all(p.requires_grad for p in self.model.parameters())
        kind, slower_because = step_kind(config, self.device, frozen=frozen)
        self.notes = [slower_because] if slower_because else []
        self.optimizer = make_optimizer(
            config.optimizer,
            self.model.parameters(),
            config.lr,
            capturable=kind == "graph",
            cpu=kind != "notebook" and self.device.type == "cpu",
        )
        self.member = Member(self.model, EpochMetrics.zeros(len(self.loader), self.device), emit)
        self.last_checkpoint: str | None = None  # the newest file saved, kept even on failure
        self.start_epoch = 0
        if resume is not None:
            self._resume(resume)
        # After resuming: the C step and the graph take the weights and state as they are now.
        self.step = make_step(
            kind,
            self.model,
            self.optimizer,
            self.loader,
            self.member.metrics,
            config.threads,
            self.notes,
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
        self.member.history = [EpochEnd(**entry) for entry in saved.history]
        self.start_epoch = saved.epoch
        if self.start_epoch >= self.config.epochs:
            raise ConfigError(
                f"nothing to train: {path} has done {saved.epoch} epoch(s) and this run asks "
                f"for {self.config.epochs}; ask for more epochs to continue it"
            )

    def train(
        self,
        stop: threading.Event,
        save: Place,
        record: RunRecorder | None,
        on_epoch_model: Callable[[int, SimpleNN], None] | None,
    ) -> FitResult:
        self.emit(self.setup.started(self.config, self.model, self.start_epoch, self.notes))
        if record is not None and record.run_id is None:
            # The store refused the run: stop before training weights with nowhere to go.
            raise RunStoreError(f"cannot record the run: {record.error}")
        # The one place that chooses where checkpoints go: the caller's, else the store's.
        place = where(save if save is not None else record.checkpoint_place if record else None)

        def after_epoch(member: Member, epoch: int) -> None:
            if on_epoch_model is not None:
                on_epoch_model(epoch, self.model)
            if place is not None:
                state = self.optimizer.state_dict()
                rng = self.loader.generator.get_state()
                self.last_checkpoint = save_checkpoint(place, member, self.config, state, rng)

        engine = Engine(
            [self.member],
            self.step,
            self.data,
            self.device,
            stop,
            range(self.start_epoch, self.config.epochs),
            after_epoch,
        )
        (result,) = engine.train()
        return replace(result, checkpoint=self.last_checkpoint)


# Where a run's checkpoints go: a path, or what names one once the run has started (a
# recorder's checkpoint_place: the file is named by the run's id), or None for nowhere.
Place = str | Path | Callable[[], str | Path | None] | None


def where(place: Place) -> str | Path | None:
    """The path a Place names now."""
    return place() if callable(place) else place


def save_checkpoint(
    path: str | Path,
    member: Member,
    config: TrainConfig,
    optimizer_state: dict[str, Any],
    rng: torch.Tensor,
) -> str:
    """Save a member after its newest epoch (its weights copied out: a sweep member's are a
    view of its group's stack) and say where with a CheckpointSaved event; the path."""
    weights = {name: value.detach().clone() for name, value in member.model.state_dict().items()}
    checkpoint.save(
        path,
        checkpoint.Checkpoint(
            model=weights,
            optimizer=optimizer_state,
            config=config.to_dict(),
            epoch=len(member.history),
            history=[asdict(e) for e in member.history],
            rng=rng,
        ),
    )
    member.emit(CheckpointSaved(str(path), len(member.history)))
    return str(path)


@dataclass(frozen=True)
class Setup:
    """What every run stands on, built once from its config by set_up(): the device (torch's
    threads set for it), the data as the engine reads it, and where that data came from."""

    device: torch.device
    data: EpochData
    data_source: str
    test_size: int

    def started(
        self, config: TrainConfig, model: SimpleNN, start_epoch: int, notes: list[str]
    ) -> RunStarted:
        """The RunStarted of a member trained on this footing."""
        return RunStarted(
            config=config,
            device=describe_run_device(self.device, config.threads),
            parameters=parameter_count(model),
            train_size=self.data.train_size,
            test_size=self.test_size,
            start_epoch=start_epoch,
            data_source=self.data_source,
            notes=tuple(notes),
        )


def set_up(config: TrainConfig, data: tuple[SplitLike, SplitLike] | None) -> Setup:
    """The device, threads and data of a run (or of a sweep group, from its first member's
    config): the splits loaded unless given, and refused in one line if the network cannot
    take them."""
    device = resolve_device(config)
    torch.set_num_threads(config.threads)
    train, test, source = checked_splits(config, data)
    test_loader = DeviceLoader(test.images, test.labels, EVAL_BATCH, device, shuffle=False)
    loader = make_loader(config, train, device)
    epoch_data = EpochData(loader, test_loader, len(train.labels), config.batch_size)
    return Setup(device, epoch_data, source, len(test.labels))


def checked_splits(
    config: TrainConfig, data: tuple[SplitLike, SplitLike] | None
) -> tuple[SplitLike, SplitLike, str]:
    """(train, test), loaded unless given and refused in one line if the network cannot take
    them, and where they came from, as RunStarted names it."""
    train, test = data if data is not None else load_splits(config.dataset, config.data_dir)
    check_trainable(train.images, train.labels, "train")
    check_trainable(test.images, test.labels, "test")
    return train, test, str(getattr(train, "source", "arrays passed to fit()"))


def make_loader(config: TrainConfig, train: SplitLike, device: torch.device) -> Any:
    """The fast on-device loader, or the notebook's DataLoader pipeline when asked for."""
    if config.loader == "torchvision":
        return NotebookLoader(train.images, train.labels, config.batch_size, device, config.seed)
    return DeviceLoader(train.images, train.labels, config.batch_size, device, seed=config.seed)
