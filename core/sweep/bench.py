"""How much a batched sweep gains: its members trained together against one after another.

Both sides train the same configs on the same data in the same process on the same device,
each member's evaluation included, so the ratio is throughput (members a second) gained.
Prints nothing; the command line formats the figures (`NN.Nx`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from core.config import TrainConfig
from core.data import load_splits
from core.device import resolve_device
from core.events import Event
from core.sweep.batched import groups, train_group
from core.train import SplitLike, fit


class SweepBenchError(RuntimeError):
    """A member failed while it was timed; the message is its reason, one line."""


@dataclass(frozen=True)
class SweepBench:
    members: int
    epochs: int
    device: str
    batched_s: float  # wall time of train_group over the members' groups
    sequential_s: float  # wall time of fit() on each member, one after another

    @property
    def ratio(self) -> float:
        """Throughput of the batched sweep over the sequential one."""
        return self.sequential_s / self.batched_s


def bench_sweep(
    configs: Sequence[TrainConfig],
    data: tuple[SplitLike, SplitLike] | None = None,
    epochs: int = 1,
    repeats: int = 1,
    sequential_threads: int | None = None,
) -> SweepBench:
    """Time train_group (per group of the configs) against fit() on each config in turn.

    Every config trains for `epochs`; with repeats > 1 both sides run that many times,
    alternating, and the fastest of each counts (the least disturbed by other work).
    sequential_threads: the sequential runs' threads instead of the configs' own (on a
    busy machine one thread a run can beat two; compare against the better of both).
    Raises SweepBenchError if a member fails, ValueError for no configs.
    """
    if not configs:
        raise ValueError("bench_sweep needs at least one config")
    configs = [replace(config, epochs=epochs) for config in configs]
    data = data if data is not None else _load(configs[0])
    batched, sequential = [], []
    for _ in range(max(1, repeats)):
        batched.append(_time_batched(configs, data))
        alone = configs
        if sequential_threads is not None:
            alone = [replace(config, threads=sequential_threads) for config in configs]
        sequential.append(_time_sequential(alone, data))
    return SweepBench(
        members=len(configs),
        epochs=epochs,
        device=str(resolve_device(configs[0])),
        batched_s=min(batched),
        sequential_s=min(sequential),
    )


def members_per_second(
    counts: Sequence[int] = (1, 4, 16, 64),
    base: TrainConfig | None = None,
    *,
    data: tuple[SplitLike, SplitLike] | None = None,
    epochs: int = 1,
) -> list[tuple[int, float]]:
    """For each count, `count` members of `base` (learning rates spread around its lr)
    trained as one batched group: (count, members trained a second), epochs included."""
    base = replace(base or TrainConfig(), epochs=epochs)
    data = data if data is not None else _load(base)
    curve = []
    for count in counts:
        seconds = _time_batched(spread_lrs(base, count), data)
        curve.append((count, count / seconds))
    return curve


def spread_lrs(base: TrainConfig, count: int) -> list[TrainConfig]:
    """`count` copies of base whose learning rates run from half to twice its lr."""
    if count < 1:
        raise ValueError("a sweep needs at least one member")
    if count == 1:
        return [base]
    return [replace(base, lr=base.lr * 4 ** (k / (count - 1)) / 2) for k in range(count)]


def _load(config: TrainConfig) -> tuple[SplitLike, SplitLike]:
    return load_splits(config.dataset, config.data_dir)


def _ignore(event: Event) -> None:
    """Timing only: the events are not looked at."""


def _time_batched(configs: list[TrainConfig], data: Any) -> float:
    started = time.perf_counter()
    members = [SimpleNamespace(config=config) for config in configs]
    for group in groups(members):
        group_configs = [member.config for member in group]
        results = train_group(group_configs, [_ignore] * len(group), data=data)
        _check(results)
    return time.perf_counter() - started


def _time_sequential(configs: list[TrainConfig], data: Any) -> float:
    started = time.perf_counter()
    for config in configs:
        _check([fit(config, data=data)])
    return time.perf_counter() - started


def _check(results: list[Any]) -> None:
    for result in results:
        if not result.ok:
            raise SweepBenchError(f"a member failed while timed: {result.outcome.reason}")
