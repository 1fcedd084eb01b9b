"""run_sweep(): train a plan's members as recorded runs that share a sweep id.

Members that can share one batched step are trained together (core.sweep.batched.groups and
train_group); each member's events go to its own RunRecorder, exactly as a single fit() run's
would, so the run store, the Runs screen and `runs list` see ordinary runs with source "sweep".

Stopping: the `stop` event, or a stop asked for through the store by another process (the Runs
screen's `s`), polled at most once a second from the members' events. Finished members stay
finished, running ones end as "stopped", and members whose group had not started are never
created in the store: the store holds only runs that trained.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from core.events import EpochEnd, Event, RunFailed, RunFinished, RunStarted
from core.runs import RunRecorder, RunStore, RunStoreError
from core.sweep.plan import MAX_LABEL, Member, SweepPlan

if TYPE_CHECKING:
    from core.train import Place, SplitLike

STOP_POLL_S = 1.0  # how often the store is asked whether someone stopped the sweep
NOT_STARTED = "not started"

MemberHandler = Callable[[Member, Event], None]
DataKey = tuple[str, str | None]  # (dataset, data_dir)


@dataclass(frozen=True)
class MemberResult:
    """How one member ended, as recorded; run_id is None for a member that never started."""

    member: Member
    run_id: str | None
    status: str  # a run status ("finished", "stopped", "failed", "interrupted") or NOT_STARTED
    test_acc: float | None
    epochs_done: int
    failure: str | None = None
    record_error: str | None = None  # the store failed while recording it; training went on


@dataclass(frozen=True)
class SweepResult:
    sweep_id: str
    members: tuple[MemberResult, ...]  # in plan order
    stopped: bool  # a stop was asked for (the event, or through the store)

    def ranked(self) -> list[MemberResult]:
        """Best test accuracy first; members without one last, in plan order."""
        return sorted(self.members, key=lambda r: (r.test_acc is None, -(r.test_acc or 0.0)))

    @property
    def best(self) -> MemberResult | None:
        """The finished member with the best test accuracy, else the best of those that have one."""
        ranked = [r for r in self.ranked() if r.test_acc is not None]
        finished = [r for r in ranked if r.status == "finished"]
        best = finished or ranked
        return best[0] if best else None

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.members)


def new_sweep_id(store: RunStore) -> str:
    """Eight hex digits like a run id, not yet used by a sweep in this store."""
    while True:
        sweep_id = secrets.token_hex(4)
        if not store.list(1, sweep=sweep_id) and not store.sweep_stop_requested(sweep_id):
            return sweep_id


class StopWatch:
    """Sets `stop` once the store says another process asked this sweep to stop."""

    def __init__(self, store: RunStore, sweep_id: str, stop: threading.Event) -> None:
        self.store, self.sweep_id, self.stop = store, sweep_id, stop
        self.last = -float("inf")
        self.requested = False

    def poll(self) -> None:
        if self.stop.is_set():
            return
        now = time.monotonic()
        if now - self.last < STOP_POLL_S:
            return
        self.last = now
        try:
            asked = self.store.sweep_stop_requested(self.sweep_id)
        except (RunStoreError, sqlite3.Error):  # a store that cannot be read must not end it
            return
        if asked:
            self.requested = True
            self.stop.set()


class MemberTrack:
    """One member's recorder and what its events said so far."""

    def __init__(self, member: Member, recorder: RunRecorder) -> None:
        self.member, self.recorder = member, recorder
        self.status = NOT_STARTED
        self.test_acc: float | None = None
        self.epochs = 0
        self.failure: str | None = None

    def __call__(self, event: Event) -> None:
        self.recorder(event)
        if isinstance(event, RunStarted):
            self.status = "running"
        elif isinstance(event, EpochEnd):
            self.epochs += 1
            self.test_acc = event.test_acc
        elif isinstance(event, RunFinished):
            self.status = "stopped" if event.stopped else "finished"
            self.test_acc, self.epochs = event.test_acc, event.epochs_done
        elif isinstance(event, RunFailed):
            self.status, self.failure = "failed", event.reason

    def result(self) -> MemberResult:
        status = "interrupted" if self.status == "running" else self.status
        return MemberResult(
            self.member,
            self.recorder.run_id,
            status,
            self.test_acc,
            self.epochs,
            self.failure,
            self.recorder.error,
        )


def run_sweep(
    plan: SweepPlan,
    *,
    store: RunStore,
    sweep_id: str | None = None,
    stop: threading.Event | None = None,
    on_member_event: MemberHandler | None = None,
    backend: Literal["local", "ray"] = "local",
    ray_address: str | None = None,
    early_stop: bool = False,
    name: str | None = None,
    data: dict[DataKey, tuple[SplitLike, SplitLike]] | None = None,
) -> SweepResult:
    """Train every member of `plan`, each recorded as a run of source "sweep" in `store`.

    `name` prefixes each member's run name (its label). `data` maps (dataset, data_dir) to
    (train, test) already loaded; what is missing is loaded here once, before any member is
    recorded, so a data error (core.data.DataError) leaves the store untouched. On Ray,
    core.sweep.ray_backend loads what is missing once, here on the driver, and ships it to the
    trials through Ray's object store. A crash records the running members as interrupted.
    """
    sweep_id = sweep_id or new_sweep_id(store)
    stop = stop or threading.Event()
    if backend == "local":
        data = load_data(plan.members, data)
    watch = StopWatch(store, sweep_id, stop)
    tracks = {
        m.index: MemberTrack(m, RunRecorder(store, "sweep", name=run_name(name, m), sweep=sweep_id))
        for m in plan.members
    }

    def handler(member: Member) -> Callable[[Event], None]:
        track = tracks[member.index]

        def on_event(event: Event) -> None:
            track(event)
            if on_member_event is not None:
                on_member_event(member, event)
            watch.poll()

        return on_event

    handlers = {m.index: handler(m) for m in plan.members}

    try:
        member_groups = make_groups(plan.members, early_stop)
        if backend == "ray":
            from core.sweep.ray_backend import run_groups_on_ray

            run_groups_on_ray(
                member_groups,
                on_member_event=lambda member, event: handlers[member.index](event),
                stop=stop,
                address=ray_address,
                early_stop=early_stop,
                data_dir=plan.members[0].config.data_dir if plan.members else None,
                data=data,
            )
        else:
            assert data is not None
            for group in member_groups:
                watch.poll()
                if stop.is_set():
                    break
                key = data_key(group[0].config)
                # Each member's checkpoint beside the store, named by its run id, as a run's.
                places = [tracks[m.index].recorder.checkpoint_place for m in group]
                on_events = [handlers[m.index] for m in group]
                train_one_group(group, on_events, stop, data[key], places)
    finally:
        for track in tracks.values():  # a member whose end was never sent is interrupted
            track.recorder.close()
    results = tuple(tracks[m.index].result() for m in plan.members)
    return SweepResult(sweep_id, results, stop.is_set() or watch.requested)


def run_name(prefix: str | None, member: Member) -> str:
    text = f"{prefix} {member.label}" if prefix else member.label
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def data_key(config: Any) -> DataKey:
    return (config.dataset, config.data_dir)


def load_data(
    members: Sequence[Member], given: dict[DataKey, tuple[SplitLike, SplitLike]] | None
) -> dict[DataKey, tuple[SplitLike, SplitLike]]:
    """Each dataset the members train on, loaded once and shared by all their groups."""
    from core.data import load_splits

    data = dict(given or {})
    for member in members:
        key = data_key(member.config)
        if key not in data:
            data[key] = load_splits(*key)
    return data


def make_groups(members: Sequence[Member], early_stop: bool = False) -> list[list[Member]]:
    """The batched trainer's groups; with `early_stop`, a member each.

    Tune's ASHA stops whole trials, and a batched group is one trial: members batched together
    could only be stopped together, and a sweep over the learning rate alone is one group, so
    ASHA would have nothing to stop. With early stopping each member is a trial of its own.
    """
    from core.sweep.batched import groups  # torch: imported when a sweep is planned, not before

    if early_stop:
        return [[member] for member in members]
    return groups(members)


def train_one_group(
    group: Sequence[Member],
    on_events: Sequence[Callable[[Event], None]],
    stop: threading.Event,
    data: tuple[SplitLike, SplitLike],
    checkpoints: Sequence[Place],
) -> None:
    """One group as one batched model (core.sweep.batched)."""
    from core.sweep.batched import train_group

    configs = [member.config for member in group]
    train_group(configs, on_events, stop, data=data, checkpoints=checkpoints)
