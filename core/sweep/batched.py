"""Members of a sweep trained together: one data batch read once and fed to all of them.

Members that share everything but the learning rate (same batch size and seed, so the same
data order and the same initial weights) form a group (group_key, groups). train_group trains
a group as one batched model and sends each member exactly the events a single fit() run
sends (RunStarted, BatchProgress, EpochEnd, then RunFinished or RunFailed), so recorders and
printers work unchanged. How the group trains:

- on the CPU with the C kernels (RMSprop): every member's step in C over one shared gather of
  the batch, whole members dealt to the threads (core.cpu_step.FusedMemberSteps); each
  member's numbers are exactly its single run's;
- otherwise the members' weights stacked on the device (core.sweep.stacked), on CUDA the
  stacked step captured as one CUDA graph; equal to single runs to float rounding;
- the notebook's loader (`loader=torchvision`) is the slow reference on purpose: its members
  run one after another with fit().

A member whose loss goes non-finite fails alone; `stop` ends every unfinished member as
stopped after the current step, with its finished epochs kept.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from typing import TYPE_CHECKING, Any

import torch

from core.config import ConfigError, TrainConfig
from core.data import DataError
from core.device import describe_run_device, resolve_device
from core.errors import first_line
from core.events import EpochEnd, Event, RunFailed, RunFinished, RunStarted
from core.loaders import DeviceLoader
from core.model import SimpleNN, parameter_count
from core.optim import make_optimizer
from core.steps import EpochMetrics, step_kind
from core.train import (
    EVAL_BATCH,
    PROGRESS_INTERVAL_S,
    FitResult,
    NonFiniteLoss,
    SplitLike,
    batch_progress,
    begin_epoch,
    checked_splits,
    end_of_run,
    epoch_end,
    first_non_finite,
    fit,
    make_loader,
    sync,
    weights_now,
)

if TYPE_CHECKING:
    from core.sweep.stacked import StackedStep

EventHandler = Callable[[Event], None]

# What members of one group may differ in: the batched steps take a learning rate per member.
PER_MEMBER = ("lr",)


def group_key(config: TrainConfig) -> tuple:
    """Equal for configs that can train as one batched model: every field but the lr."""
    return tuple(
        (f.name, getattr(config, f.name)) for f in fields(config) if f.name not in PER_MEMBER
    )


def groups(members: Sequence[Any]) -> list[list[Any]]:
    """The members (anything with .config, such as core.sweep.plan.Member) grouped by
    group_key: groups in order of their first member, members in their sweep order."""
    by_key: dict[tuple, list[Any]] = {}
    for member in members:
        by_key.setdefault(group_key(member.config), []).append(member)
    return list(by_key.values())


def train_group(
    configs: Sequence[TrainConfig],
    on_events: Sequence[EventHandler],
    stop: threading.Event | None = None,
    *,
    data: tuple[SplitLike, SplitLike] | None = None,
) -> list[FitResult]:
    """Train one group (equal group_key) together; one FitResult per member, in order.

    Expected failures (bad data or settings, out of memory) fail every member with the same
    one-line reason; anything else is a bug, re-raised after every unfinished member got
    its RunFailed, as fit() does for one run.
    """
    configs = list(configs)
    if not configs or len(configs) != len(on_events):
        raise ValueError("train_group needs one event callback per config, and a config")
    if any(group_key(c) != group_key(configs[0]) for c in configs):
        raise ValueError("train_group: the configs differ in more than the learning rate")
    stop = stop or threading.Event()
    if configs[0].loader == "torchvision":  # the notebook's pipeline, kept as written
        return [fit(c, e, stop, data=data) for c, e in zip(configs, on_events, strict=True)]
    threads_before = torch.get_num_threads()
    group: _Group | None = None
    try:
        group = _Group(configs, on_events, stop, data)
        return group.train()
    except (ConfigError, DataError, torch.cuda.OutOfMemoryError) as err:
        return _fail_all(configs, on_events, group, first_line(err))
    except Exception as err:
        _fail_all(configs, on_events, group, f"{type(err).__name__}: {first_line(err)}")
        raise
    finally:
        if group is not None:
            group.step.close()
        torch.set_num_threads(threads_before)


def _fail_all(
    configs: list[TrainConfig],
    on_events: Sequence[EventHandler],
    group: _Group | None,
    reason: str,
) -> list[FitResult]:
    """RunFailed to every member not ended yet; each member's result."""
    results: list[FitResult] = []
    for m, on_event in enumerate(on_events):
        ended = group.results[m] if group is not None else None
        if ended is not None:
            results.append(ended)
            continue
        failed = RunFailed(reason=reason)
        with contextlib.suppress(Exception):  # a callback that raised once may raise again
            on_event(failed)
        history = tuple(group.histories[m]) if group is not None else ()
        results.append(FitResult(failed, None, history))
    return results


class _Group:
    """One group's training state; only train_group sees it."""

    step: _CMembersStep | StackedStep  # set by _c_members or _stacked_members

    def __init__(
        self,
        configs: list[TrainConfig],
        on_events: Sequence[EventHandler],
        stop: threading.Event,
        data: tuple[SplitLike, SplitLike] | None,
    ) -> None:
        self.configs, self.on_events, self.stop = configs, list(on_events), stop
        self.count = len(configs)
        self.results: list[FitResult | None] = [None] * self.count
        self.histories: list[list[EpochEnd]] = [[] for _ in configs]
        config = self.config = configs[0]
        self.device = resolve_device(config)
        torch.set_num_threads(config.threads)

        train, test, self.data_source = checked_splits(config, data)
        self.train_size, self.test_size = len(train.labels), len(test.labels)

        kind, slower_because = step_kind(config, self.device)
        self.notes = [slower_because] if slower_because else []
        self.models = []
        for member in configs:  # each exactly as its single run initialises it
            torch.manual_seed(member.seed)
            self.models.append(SimpleNN(member.hidden).to(self.device))
        self.loader = make_loader(config, train, self.device)
        self.test_loader = DeviceLoader(
            test.images, test.labels, EVAL_BATCH, self.device, shuffle=False
        )
        self.batches = len(self.loader)
        self.live = list(range(self.count))
        if kind == "c" and not _members_kernel_built():
            kind = "eager"
            self.notes.append(
                "the CPU step in C was built before it could train a sweep's members together: "
                "reinstall (pip install -e .) to train them in C; stacked torch ops instead"
            )
        if kind == "c":
            self._c_members(configs)
        else:
            self._stacked_members(configs, kind)
        self.notes.append(
            f"trained with {self.count - 1} other member(s) of its sweep in one batched step"
            if self.count > 1
            else "trained as a batched group of one"
        )

    def _c_members(self, configs: list[TrainConfig]) -> None:
        """Each member its own FusedCpuStep buffers; one gather a batch serves them all."""
        from core import cpu_step

        self.metrics = [EpochMetrics.zeros(self.batches, self.device) for _ in configs]
        steps = []
        for model, config, metrics in zip(self.models, configs, self.metrics, strict=True):
            optimizer = make_optimizer(config.optimizer, model.parameters(), config.lr, cpu=True)
            images, labels = self.loader.images, self.loader.labels
            losses, corrects = metrics.losses, metrics.corrects
            steps.append(
                cpu_step.FusedCpuStep(
                    model, optimizer, images, labels, config.batch_size, losses, corrects, 1
                )
            )
        self.step = _CMembersStep(steps, self.config.threads)
        self.notes.append(
            "CPU step in C for the sweep's members: each thread trains its share of them, "
            "reading each batch's pixels once for all of its members"
        )

    def _stacked_members(self, configs: list[TrainConfig], kind: str) -> None:
        from core.sweep.stacked import StackedGraphStep, StackedMembers, StackedStep

        members = StackedMembers(
            self.models, [c.lr for c in configs], self.config.optimizer, self.batches,
            self.device,
        )  # fmt: skip
        self.metrics = [
            EpochMetrics(members.losses[m], members.corrects[m]) for m in range(self.count)
        ]
        self.stacked = members
        self.step = StackedStep(members, self.loader)
        if kind == "graph":
            try:
                self.step = StackedGraphStep(members, self.loader)
                self.notes.append("every member's step stacked and captured as one CUDA graph")
            except Exception as err:  # a capture failure costs speed, never correctness
                self.notes.append(f"CUDA graph capture failed, training eagerly ({err})")
        else:
            self.notes.append("every member's step stacked into batched matrix products")

    # ---- events ----

    def _emit(self, m: int, event: Event) -> None:
        self.on_events[m](event)

    def _finish(self, m: int, outcome: RunFinished | RunFailed) -> None:
        self._emit(m, outcome)
        model = self.models[m] if isinstance(outcome, RunFinished) else None
        self.results[m] = FitResult(outcome, model, tuple(self.histories[m]))

    def _fail(self, m: int, err: NonFiniteLoss) -> None:
        """Member m's loss went non-finite: it ends failed, the others go on."""
        self.live.remove(m)
        self.step.drop(m)
        self._finish(m, RunFailed(reason=first_line(err), epoch=err.epoch, step=err.step))

    # ---- the loop, as fit's ----

    def train(self) -> list[FitResult]:
        for m, config in enumerate(self.configs):
            self._emit(
                m,
                RunStarted(
                    config=config,
                    device=describe_run_device(self.device, config.threads),
                    parameters=parameter_count(self.models[m]),
                    train_size=self.train_size,
                    test_size=self.test_size,
                    start_epoch=0,
                    data_source=self.data_source,
                    notes=tuple(self.notes),
                ),
            )
        started = time.perf_counter()
        stopped = False
        kept = [weights_now(model) for model in self.models]  # see end_of_run
        for epoch in range(self.config.epochs):
            if not self.live:
                break
            seconds = None if self.stop.is_set() else self._train_epoch(epoch)
            if seconds is None:
                stopped = True
                break
            for m in list(self.live):
                end = epoch_end(
                    self.models[m],
                    self.metrics[m],
                    epoch,
                    seconds,
                    self.test_loader,
                    self.train_size,
                    self.device,
                )
                self.histories[m].append(end)
                self._emit(m, end)
                kept[m] = weights_now(self.models[m])
        seconds = time.perf_counter() - started
        for m in list(self.live):
            ending = end_of_run(self.models[m], kept[m], self.histories[m], seconds, stopped)
            self._finish(m, ending)
        if hasattr(self, "stacked"):
            self.stacked.detach_models()  # each result's model its own, not a view of the stack
        return [result for result in self.results if result is not None]

    def _train_epoch(self, epoch: int) -> float | None:
        """Train one epoch for every live member; its seconds, or None if stopped."""
        begin_epoch(self.device)
        t0 = last = time.perf_counter()
        try:
            for b, batch in enumerate(self.loader.epoch()):
                if self.stop.is_set():
                    self.step.discard()  # stop now, not a queued chunk later
                    return None
                self.step(batch, b)
                if time.perf_counter() - last >= PROGRESS_INTERVAL_S:
                    self._progress(epoch, b + 1, t0)
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
                self.metrics[m],
                epoch,
                done,
                self.batches,
                self.config.batch_size,
                self.train_size,
                t0,
            )
            if not math.isfinite(event.loss) and self._check_finite(m, epoch, done):
                continue
            self._emit(m, event)

    def _check_finite(self, m: int, epoch: int, done: int) -> bool:
        """Fail member m if one of its first `done` losses is not finite; whether it did."""
        error = first_non_finite(self.metrics[m], epoch, done, self.batches)
        if error is not None:
            self._fail(m, error)
        return error is not None


def _members_kernel_built() -> bool:
    from core import cpu_step

    return hasattr(cpu_step.kernels, "members_step")


class _CMembersStep:
    """The members' C steps, dealt to worker threads that run free for a chunk of batches.

    Each worker owns a share of the members (FusedMemberSteps: one gather a batch for its
    share) and trains them on the next CHUNK batches on its own; the C code releases the GIL,
    so the shares run at once on separate cores. They meet only once a chunk, not once a
    batch: on a busy machine a thread that waits for another at every batch waits for the
    scheduler too (OpenMP's per-batch barriers measured 2x slower than one thread there).
    Batches are queued by __call__ and trained by flush(), which the epoch loop calls before
    it reads the figures.
    """

    CHUNK = 16

    def __init__(self, steps: list[Any], threads: int) -> None:
        from core import cpu_step

        workers = max(1, min(threads, len(steps)))
        # One worker: its loops may use the threads, as a single run's do; several: one each.
        inner = threads if workers == 1 else 1
        self.shares = [cpu_step.FusedMemberSteps(steps[k::workers], inner) for k in range(workers)]
        self.owner = {id(step): share for share in self.shares for step in share.steps}
        self.steps = steps
        self.pool = ThreadPoolExecutor(workers - 1) if workers > 1 else None
        self.pending: list[tuple[torch.Tensor, int]] = []

    def __call__(self, batch: Any, b: int) -> None:
        self.pending.append((batch.index, b))
        if len(self.pending) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        batches, self.pending = self.pending, []
        if not batches:
            return

        def train(share: Any) -> None:
            for index, b in batches:
                share.step(index, b)

        others = [self.pool.submit(train, share) for share in self.shares[1:]] if self.pool else []
        try:
            train(self.shares[0])
        finally:
            for future in others:
                future.result()

    def discard(self) -> None:
        """Forget the queued batches: the epoch is being abandoned."""
        self.pending = []

    def epoch_done(self) -> None:
        self.flush()
        for share in self.shares:
            share.record_steps()

    def drop(self, member: int) -> None:
        step = self.steps[member]
        share = self.owner[id(step)]
        share.drop(share.steps.index(step))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
