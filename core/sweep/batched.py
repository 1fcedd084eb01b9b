"""Members of a sweep trained together: one data batch read once and fed to all of them.

Members that share everything but the learning rate (same batch size and seed, so the same
data order and the same initial weights) form a group (group_key, groups). train_group trains
a group as one batched model through the one epoch loop (core.engine) and sends each member
the events a single fit() run sends (RunStarted, BatchProgress, EpochEnd, then RunFinished or
RunFailed, and CheckpointSaved after each epoch when given a place for its checkpoint), so
recorders and printers work unchanged. How the group trains:

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
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from typing import TYPE_CHECKING, Any

import torch

from core.checkpoint import CheckpointError
from core.config import ConfigError, TrainConfig
from core.data import DataError
from core.engine import Engine, FitResult, Member
from core.errors import first_line
from core.events import Event, RunFailed
from core.model import SimpleNN
from core.optim import make_optimizer
from core.steps import EpochMetrics, Step, step_kind
from core.train import Place, SplitLike, fit, save_checkpoint, set_up, where

if TYPE_CHECKING:
    from core.sweep.stacked import StackedMembers

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
    checkpoints: Sequence[Place] | None = None,
) -> list[FitResult]:
    """Train one group (equal group_key) together; one FitResult per member, in order.

    `checkpoints`, one Place per member (core.train.Place: a recorder's checkpoint_place, say),
    is where each member's checkpoint goes after every epoch, as a single run's does; a
    CheckpointSaved event says where. Expected failures (bad data or settings, out of memory,
    a checkpoint that cannot be written) fail every member with the same one-line reason;
    anything else is a bug, re-raised after every unfinished member got its RunFailed, as
    fit() does for one run.
    """
    configs = list(configs)
    if not configs or len(configs) != len(on_events):
        raise ValueError("train_group needs one event callback per config, and a config")
    if any(group_key(c) != group_key(configs[0]) for c in configs):
        raise ValueError("train_group: the configs differ in more than the learning rate")
    stop = stop or threading.Event()
    places: list[Place] = list(checkpoints) if checkpoints is not None else [None] * len(configs)
    if len(places) != len(configs):
        raise ValueError("train_group needs one checkpoint place per config, or none")
    if configs[0].loader == "torchvision":  # the notebook's pipeline, kept as written
        return [
            fit(c, e, stop, data=data, save=place)
            for c, e, place in zip(configs, on_events, places, strict=True)
        ]
    threads_before = torch.get_num_threads()
    group: _Group | None = None
    try:
        group = _Group(configs, on_events, stop, data, places)
        return group.train()
    except (ConfigError, DataError, CheckpointError, torch.cuda.OutOfMemoryError) as err:
        return _fail_all(configs, on_events, group, first_line(err))
    except Exception as err:
        _fail_all(configs, on_events, group, f"{type(err).__name__}: {first_line(err)}")
        raise
    finally:
        if group is not None:  # the step it built, whatever happened since
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
    members = group.members if group is not None else []
    for m, on_event in enumerate(on_events):
        ended = members[m].result if members else None
        if ended is not None:
            results.append(ended)
            continue
        failed = RunFailed(reason=reason)
        with contextlib.suppress(Exception):  # a callback that raised once may raise again
            on_event(failed)
        history = tuple(members[m].history) if members else ()
        results.append(FitResult(failed, None, history))
    return results


class _Group:
    """One group built for the engine: the members' models, their step and the data; only
    train_group sees it."""

    def __init__(
        self,
        configs: list[TrainConfig],
        on_events: Sequence[EventHandler],
        stop: threading.Event,
        data: tuple[SplitLike, SplitLike] | None,
        places: list[Place],
    ) -> None:
        self.configs, self.stop, self.places = configs, stop, places
        self.count = len(configs)
        config = self.config = configs[0]
        self.setup = set_up(config, data)
        self.device, self.data = self.setup.device, self.setup.data
        self.loader = self.data.loader

        kind, slower_because = step_kind(config, self.device, group=True)
        self.notes = [slower_because] if slower_because else []
        models = []
        for member in configs:  # each exactly as its single run initialises it
            torch.manual_seed(member.seed)
            models.append(SimpleNN(member.hidden).to(self.device))
        self.stacked: StackedMembers | None = None
        self.optimizers: list[torch.optim.Optimizer] = []  # the C step's, one a member
        self.step: Step
        metrics = self._c_members(models) if kind == "c" else self._stacked(models, kind)
        self.members = [
            Member(model, own, on_event)
            for model, own, on_event in zip(models, metrics, on_events, strict=True)
        ]
        self.notes.append(
            f"trained with {self.count - 1} other member(s) of its sweep in one batched step"
            if self.count > 1
            else "trained as a batched group of one"
        )

    def _c_members(self, models: list[SimpleNN]) -> list[EpochMetrics]:
        """Each member its own FusedCpuStep buffers; one gather a batch serves them all."""
        from core import cpu_step

        metrics = [EpochMetrics.zeros(len(self.loader), self.device) for _ in models]
        steps = []
        for model, config, own in zip(models, self.configs, metrics, strict=True):
            optimizer = make_optimizer(config.optimizer, model.parameters(), config.lr, cpu=True)
            self.optimizers.append(optimizer)
            images, labels = self.loader.images, self.loader.labels
            losses, corrects = own.losses, own.corrects
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
        return metrics

    def _stacked(self, models: list[SimpleNN], kind: str) -> list[EpochMetrics]:
        from core.sweep.stacked import StackedGraphStep, StackedMembers, StackedStep

        members = StackedMembers(
            models, [c.lr for c in self.configs], self.config.optimizer, len(self.loader),
            self.device,
        )  # fmt: skip
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
        return [EpochMetrics(members.losses[m], members.corrects[m]) for m in range(self.count)]

    def train(self) -> list[FitResult]:
        for member, config in zip(self.members, self.configs, strict=True):
            member.emit(self.setup.started(config, member.model, 0, self.notes))
        engine = Engine(
            self.members,
            self.step,
            self.data,
            self.device,
            self.stop,
            range(self.config.epochs),
            self.save if any(place is not None for place in self.places) else None,
        )
        results = engine.train()
        if self.stacked is not None:
            self.stacked.detach_models()  # each result's model its own, not a view of the stack
        return results

    def save(self, member: Member, epoch: int) -> None:
        """Member's checkpoint after `epoch`, where its place says (after each EpochEnd)."""
        m = self.members.index(member)
        path = where(self.places[m])
        if path is None:
            return
        rng = self.loader.generator.get_state()
        save_checkpoint(path, member, self.configs[m], self.optimizer_state(m, epoch), rng)

    def optimizer_state(self, m: int, epoch: int) -> dict[str, Any]:
        """Member m's optimizer state as its single run's torch optimizer would save it."""
        if self.stacked is None:  # the C step: each member has a torch optimizer of its own
            return self.optimizers[m].state_dict()
        config, model = self.configs[m], self.members[m].model
        optimizer = make_optimizer(
            config.optimizer, model.parameters(), config.lr, cpu=self.device.type == "cpu"
        )
        # Every member trains every batch from the first: its step count is the group's.
        steps = (epoch + 1) * len(self.loader)
        states = self.stacked.torch_state(m, steps)
        for param, state in zip(model.parameters(), states, strict=True):
            optimizer.state[param] = state
        return optimizer.state_dict()


class _CMembersStep(Step):
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
