"""core.sweep.runner: members trained on synthetic digits and recorded in a real SQLite store."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from core.config import TrainConfig
from core.events import EpochEnd, RunStarted
from core.runs import RunStore
from core.sweep.plan import grid, parse_axis
from core.sweep.runner import NOT_STARTED, new_sweep_id, run_sweep

BASE = TrainConfig(dataset="synthetic", epochs=1, threads=1, device="cpu")


@pytest.fixture(scope="module")
def synthetic():
    """The synthetic splits, drawn once for the module: the runner takes them already loaded."""
    from core.data import load_splits

    return {("synthetic", None): load_splits("synthetic")}


@pytest.fixture
def store(tmp_path):
    with RunStore.open(tmp_path / "store") as opened:
        yield opened


def plan_of(base: TrainConfig = BASE, **flags: str):
    return grid(base, {name: parse_axis(name, text) for name, text in flags.items()})


def test_every_member_is_a_recorded_run_of_the_sweep(store, synthetic):
    plan = plan_of(lr="1e-3,3e-3", hidden="16,32")
    seen = []
    result = run_sweep(
        plan,
        store=store,
        data=synthetic,
        name="widths",
        on_member_event=lambda member, event: seen.append((member.index, type(event))),
    )
    runs = store.list(sweep=result.sweep_id)
    assert len(runs) == 4 and len(result.sweep_id) == 8
    assert {run.source for run in runs} == {"sweep"}
    assert {run.status for run in runs} == {"finished"}
    by_id = {run.id: run for run in runs}
    for member_result in result.members:
        run = by_id[member_result.run_id]
        assert run.name == f"widths {member_result.member.label}"
        assert run.config["lr"] == member_result.member.config.lr
        assert run.config["hidden"] == member_result.member.config.hidden
        assert run.test_acc == member_result.test_acc and run.epochs_done == 1
        assert len(store.history(run.id)) == 1
    # Each member's callback saw a whole run: started, one epoch, finished.
    for index in range(4):
        kinds = [kind for i, kind in seen if i == index]
        assert kinds[0] is RunStarted and kinds.count(EpochEnd) == 1
        assert kinds[-1].__name__ == "RunFinished"
    ranked = result.ranked()
    assert [r.test_acc for r in ranked] == sorted((r.test_acc for r in ranked), reverse=True)
    assert result.best == ranked[0] and not result.stopped


def test_every_member_keeps_its_checkpoint_beside_the_store_as_a_run_does(store, synthetic):
    from core.evaluation import classify_split, load_model

    result = run_sweep(plan_of(lr="1e-3,3e-3", optimizer="rmsprop,adam"), store=store,
                       data=synthetic)  # fmt: skip
    _, test = synthetic[("synthetic", None)]
    for member in result.members:
        run = store.get(member.run_id)
        assert run.checkpoint == str(store.checkpoint_path(run.id))
        model, config = load_model(run.checkpoint)  # the checks a resume makes, passed
        assert config["lr"] == member.member.config.lr
        assert classify_split(model, test.images, test.labels).accuracy == run.test_acc


def test_two_sweeps_have_different_ids(store, synthetic):
    plan = plan_of(lr="1e-3,3e-3", epochs="1")
    first = run_sweep(plan, store=store, data=synthetic)
    second = run_sweep(plan, store=store, data=synthetic)
    assert first.sweep_id != second.sweep_id
    assert len(store.list(sweep=first.sweep_id)) == len(store.list(sweep=second.sweep_id)) == 2


def test_a_stop_in_the_middle_keeps_finished_members_and_stops_running_ones(store, synthetic):
    """Two groups (hidden differs); the stop comes during the first member's second epoch."""
    plan = plan_of(replace(BASE, epochs=3), hidden="16,32", lr="1e-3,2e-3")
    stop = threading.Event()

    def stop_after_first_epoch(member, event):
        if isinstance(event, EpochEnd):
            stop.set()

    result = run_sweep(
        plan, store=store, data=synthetic, stop=stop, on_member_event=stop_after_first_epoch
    )
    assert result.stopped
    runs = {run.id: run for run in store.list(sweep=result.sweep_id)}
    statuses = {r.status for r in result.members}
    assert statuses <= {"finished", "stopped", NOT_STARTED}
    assert "stopped" in statuses
    for r in result.members:
        if r.status == NOT_STARTED:
            assert r.run_id is None  # never created in the store
        else:
            assert runs[r.run_id].status == r.status
            assert runs[r.run_id].epochs_done == r.epochs_done
    # The second group (hidden=32) never started: the stop came before it.
    assert {r.status for r in result.members if r.member.config.hidden == 32} == {NOT_STARTED}
    assert len(runs) == sum(r.status != NOT_STARTED for r in result.members)


def test_a_stop_asked_for_through_the_store_stops_the_sweep(store, synthetic):
    plan = plan_of(replace(BASE, epochs=50), lr="1e-3,2e-3")
    sweep_id = new_sweep_id(store)

    def ask_once_started(member, event):
        if isinstance(event, EpochEnd) and event.epoch == 0:
            with RunStore.open(store.folder) as other:  # as another process would
                other.request_sweep_stop(sweep_id)

    result = run_sweep(
        plan, store=store, data=synthetic, sweep_id=sweep_id, on_member_event=ask_once_started
    )
    assert result.stopped
    assert all(r.epochs_done < 50 for r in result.members)
    assert {run.status for run in store.list(sweep=result.sweep_id)} == {"stopped"}


def test_a_crash_records_the_running_member_as_interrupted(store, synthetic):
    plan = plan_of(lr="1e-3,2e-3")

    def crash(member, event):
        if isinstance(event, EpochEnd):
            raise KeyboardInterrupt  # what a second Ctrl-C raises inside training

    with pytest.raises(KeyboardInterrupt):
        run_sweep(plan, store=store, data=synthetic, on_member_event=crash)
    runs = store.list()  # one member, or both when they train as one batched group
    assert runs and {run.status for run in runs} == {"interrupted"}


def test_missing_data_is_an_error_before_anything_is_recorded(store, tmp_path):
    from core.data import DataError

    plan = plan_of(replace(BASE, dataset="mnist", data_dir=str(tmp_path / "none")), lr="1e-3,1e-2")
    with pytest.raises(DataError):
        run_sweep(plan, store=store)
    assert store.list() == []


def test_with_early_stopping_each_member_is_a_group_of_its_own():
    """ASHA stops whole trials: members batched as one could only be stopped together."""
    from core.sweep.runner import make_groups

    members = grid(TrainConfig(dataset="synthetic"), {"lr": parse_axis("lr", "1e-4,1e-3,1e-2")})
    assert [len(group) for group in make_groups(members.members)] == [3]  # one batched group
    assert [len(group) for group in make_groups(members.members, early_stop=True)] == [1, 1, 1]
