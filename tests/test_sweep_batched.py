"""Members trained together (core.sweep.batched) against each member trained alone with fit()."""

import os
import threading
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from core import cpu_step
from core.events import BatchProgress, EpochEnd, RunFailed, RunFinished, RunStarted
from core.sweep.batched import group_key, groups, train_group
from core.train import fit
from tests.tiny import tiny_config, tiny_data

LRS = (1e-3, 2e-3, 5e-4)


@pytest.fixture
def kernels_built():
    if cpu_step.kernels is None:
        if os.environ.get("CI") == "true":
            pytest.fail("core._cpu_kernels was not built by the install")
        pytest.skip("core._cpu_kernels is not built here (no C compiler at install time)")


def train_members(configs, data=None, stop=None, callbacks=None):
    """train_group over configs; each member's results and the events it received."""
    events = [[] for _ in configs]
    handlers = callbacks or [e.append for e in events]
    results = train_group(configs, handlers, stop, data=data or tiny_data())
    return results, events


def alone(config, data=None):
    events = []
    result = fit(config, events.append, data=data or tiny_data())
    return result, events


def epochs_that_take_a_while():
    """The tiny splits with the training one sixteen times over: long enough epochs that a
    stop lands inside one."""
    train, test = tiny_data()
    big = replace(train, images=np.concatenate([train.images] * 16),
                  labels=np.concatenate([train.labels] * 16))  # fmt: skip
    return big, test


def shape(events):
    """The event types in order, a run of BatchProgress counted as one."""
    kinds = []
    for event in events:
        kind = type(event).__name__
        if not (kinds and kind == kinds[-1] == "BatchProgress"):
            kinds.append(kind)
    return kinds


def assert_figures_close(ours, theirs, rel):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a.epoch == b.epoch
        assert a.train_loss == pytest.approx(b.train_loss, rel=rel)
        assert a.test_loss == pytest.approx(b.test_loss, rel=rel)
        assert a.train_acc == pytest.approx(b.train_acc, abs=2 / 512)
        assert a.test_acc == pytest.approx(b.test_acc, abs=2 / 256)


# ---- groups ----


def test_group_key_ignores_the_learning_rate_only():
    base = tiny_config()
    assert group_key(base) == group_key(replace(base, lr=0.05))
    for change in ({"seed": 1}, {"batch_size": 32}, {"hidden": 128}, {"optimizer": "adam"},
                   {"epochs": 3}, {"threads": 2}, {"cpu_kernels": False}):  # fmt: skip
        assert group_key(base) != group_key(replace(base, **change)), change


def test_groups_keep_sweep_order_and_split_on_what_cannot_be_shared():
    def member(index, **overrides):
        return SimpleNamespace(index=index, config=tiny_config(**overrides))

    members = [
        member(0, lr=1e-3, hidden=128),
        member(1, lr=1e-3, hidden=512),
        member(2, lr=3e-3, hidden=128),
        member(3, lr=1e-3, hidden=128, seed=1),
        member(4, lr=3e-3, hidden=512),
    ]
    assert [[m.index for m in group] for group in groups(members)] == [[0, 2], [1, 4], [3]]
    assert groups([]) == []


def test_groups_take_the_sweep_plans_members():
    plan = pytest.importorskip("core.sweep.plan")
    sweep = plan.grid(tiny_config(), {"lr": [1e-3, 3e-3], "hidden": [64, 128]})
    grouped = groups(sweep.members)
    assert sorted(len(group) for group in grouped) == [2, 2]
    for group in grouped:
        assert len({m.config.hidden for m in group}) == 1
        assert [m.index for m in group] == sorted(m.index for m in group)


def test_train_group_refuses_members_that_cannot_share_a_step():
    with pytest.raises(ValueError, match="differ in more than the learning rate"):
        train_group([tiny_config(), tiny_config(hidden=64)], [print, print])
    with pytest.raises(ValueError, match="one event callback per config"):
        train_group([tiny_config()], [])


# ---- batched equals single, member by member ----


@pytest.mark.parametrize("threads", [1, 2])
def test_c_step_members_equal_their_single_runs_exactly(kernels_built, threads):
    configs = [tiny_config(lr=lr, threads=threads) for lr in LRS]
    results, events = train_members(configs)
    assert "CPU step in C for the sweep's members" in " ".join(events[0][0].notes)
    for config, result in zip(configs, results, strict=True):
        single, _ = alone(config)
        assert result.ok and single.ok
        # The same kernels over the same pixel lists: not close, equal.
        assert result.history == tuple(
            replace(end, seconds=ours.seconds, samples_per_s=ours.samples_per_s)
            for end, ours in zip(single.history, result.history, strict=True)
        )
        for (name, ours), theirs in zip(
            result.model.state_dict().items(), single.model.state_dict().values(), strict=True
        ):
            assert torch.equal(ours, theirs), name


def test_a_group_of_one_is_fit_exactly(kernels_built):
    """The recipe's member trained by the group loop and the same run by fit(): the same
    numbers, bit for bit (both take the C kernels over the same pixel lists)."""
    config = tiny_config()
    (result,), (events,) = train_members([config])
    single, single_events = alone(config)
    assert result.history == tuple(
        replace(end, seconds=ours.seconds, samples_per_s=ours.samples_per_s)
        for end, ours in zip(single.history, result.history, strict=True)
    )
    assert result.outcome.test_acc == single.outcome.test_acc
    assert shape(events) == shape(single_events)
    for (name, ours), theirs in zip(
        result.model.state_dict().items(), single.model.state_dict().values(), strict=True
    ):
        assert torch.equal(ours, theirs), name


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_a_group_of_one_with_another_optimizer_is_fit_to_rounding(optimizer):
    """Adam and SGD members train stacked (one batched matmul for all): the same run as fit()
    up to float rounding in the order of the sums."""
    config = tiny_config(optimizer=optimizer)
    (result,), (events,) = train_members([config])
    single, single_events = alone(config)
    assert_figures_close(result.history, single.history, rel=1e-4)
    assert shape(events) == shape(single_events)


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam", "sgd"])
def test_stacked_members_match_their_single_runs_to_rounding(optimizer):
    configs = [tiny_config(lr=lr, optimizer=optimizer, cpu_kernels=False, epochs=1) for lr in LRS]
    results, events = train_members(configs)
    assert "stacked" in " ".join(events[0][0].notes)
    for config, result in zip(configs, results, strict=True):
        single, _ = alone(config)
        assert result.ok and single.ok
        assert_figures_close(result.history, single.history, rel=1e-4)
        for ours, theirs in zip(
            result.model.state_dict().values(), single.model.state_dict().values(), strict=True
        ):
            # RMSprop divides a gradient by its own size: where one is a near-total
            # cancellation, its rounding (the second layer's batched product sums in another
            # order) decides the sign of a step of up to ~10 lr. Such weights are rare and
            # stay within a step; the rest agree to float rounding.
            difference = (ours - theirs).abs()
            assert float(difference.max()) < config.lr
            assert int((difference > 1e-6).sum()) <= max(2, difference.numel() // 200)
        # The result's weights are its own, not a view of the stack.
        assert result.model.fc1.weight.untyped_storage().nbytes() == 4 * 784 * 512


def test_each_member_gets_the_event_stream_of_a_single_run(kernels_built):
    configs = [tiny_config(lr=lr) for lr in LRS[:2]]
    _results, events = train_members(configs)
    for config, member_events in zip(configs, events, strict=True):
        _, single_events = alone(config)
        assert shape(member_events) == shape(single_events)
        assert shape(member_events) == [
            "RunStarted", "BatchProgress", "EpochEnd", "BatchProgress", "EpochEnd", "RunFinished"
        ]  # fmt: skip
        started = member_events[0]
        assert isinstance(started, RunStarted) and started.config == config
        assert started.parameters == single_events[0].parameters
        # Each epoch's last progress covers the whole epoch, as fit's does.
        ends = [e for e in member_events if isinstance(e, BatchProgress) and e.batch == e.batches]
        assert [e.epoch for e in ends] == [0, 1]
        finished = member_events[-1]
        assert finished == replace(single_events[-1], seconds=finished.seconds)


# ---- failure and stop ----


def test_a_member_whose_loss_goes_non_finite_fails_alone(kernels_built):
    # lr 1e38: the first update is ~1e39, past float32's range, so the weights become inf.
    configs = [tiny_config(lr=1e-3), tiny_config(lr=1e38), tiny_config(lr=2e-3)]
    results, events = train_members(configs)
    assert [r.ok for r in results] == [True, False, True]
    _single_failed, single_events = alone(configs[1])
    failed = events[1][-1]
    assert isinstance(failed, RunFailed) and "loss became" in failed.reason
    assert (failed.reason, failed.epoch, failed.step) == (
        single_events[-1].reason, single_events[-1].epoch, single_events[-1].step,
    )  # fmt: skip
    assert results[1].model is None
    for m in (0, 2):  # the others trained on, exactly as they would have alone
        single, _ = alone(configs[m])
        assert [e.test_loss for e in results[m].history] == [e.test_loss for e in single.history]
        assert isinstance(events[m][-1], RunFinished) and not events[m][-1].stopped


def test_a_non_finite_member_of_a_stacked_group_fails_alone():
    configs = [tiny_config(lr=1e-3, cpu_kernels=False), tiny_config(lr=1e38, cpu_kernels=False)]
    results, events = train_members(configs)
    assert [r.ok for r in results] == [True, False]
    assert isinstance(events[1][-1], RunFailed)
    single, _ = alone(configs[0])
    assert_figures_close(results[0].history, single.history, rel=1e-4)


@pytest.mark.parametrize("cpu_kernels", [True, False])
def test_stop_after_an_epoch_keeps_it_and_ends_every_member_stopped(cpu_kernels):
    if cpu_kernels and cpu_step.kernels is None:
        pytest.skip("core._cpu_kernels is not built here")
    configs = [tiny_config(lr=lr, epochs=3, cpu_kernels=cpu_kernels) for lr in LRS[:2]]
    stop = threading.Event()
    events = [[], []]

    def first(event):  # the first member's first EpochEnd asks the whole group to stop
        events[0].append(event)
        if isinstance(event, EpochEnd):
            stop.set()

    results, _ = train_members(configs, stop=stop, callbacks=[first, events[1].append])
    for config, result, member_events in zip(configs, results, events, strict=True):
        finished = member_events[-1]
        assert isinstance(finished, RunFinished)
        assert finished.stopped and finished.epochs_done == 1
        assert result.ok and len(result.history) == 1
        single, _ = alone(replace(config, epochs=1))
        assert_figures_close(result.history, single.history, rel=1e-4)
        assert shape(member_events) == ["RunStarted", "BatchProgress", "EpochEnd", "RunFinished"]


def test_stop_from_another_thread_mid_epoch(kernels_built):
    big, test = epochs_that_take_a_while()
    configs = [tiny_config(lr=lr, epochs=50) for lr in LRS[:2]]
    stop = threading.Event()
    seen = threading.Event()

    def watch(event):
        if isinstance(event, BatchProgress):
            seen.set()

    timer = threading.Thread(target=lambda: seen.wait(30) and stop.set())
    timer.start()
    results = train_group(configs, [watch, lambda e: None], stop, data=(big, test))
    timer.join()
    for result in results:
        assert result.ok and result.outcome.stopped
        assert result.outcome.epochs_done < 50


def test_members_stopped_inside_an_epoch_end_as_their_last_finished_epoch(kernels_built):
    big, test = epochs_that_take_a_while()
    configs = [tiny_config(lr=lr, epochs=50) for lr in LRS[:2]]
    stop = threading.Event()
    events: list[list] = [[], []]

    def watch(event):  # stop a little way into the second epoch
        events[0].append(event)
        if isinstance(event, BatchProgress) and event.epoch == 1:
            stop.set()

    results = train_group(configs, [watch, events[1].append], stop, data=(big, test))
    for result, member_events in zip(results, events, strict=True):
        ends = [e for e in member_events if isinstance(e, EpochEnd)]
        assert result.outcome.stopped and result.outcome.epochs_done == len(ends) >= 1
        assert result.outcome.test_acc == ends[-1].test_acc
        pixels = torch.from_numpy(test.images).reshape(len(test.images), -1).float() / 255
        with torch.no_grad():
            predicted = result.model(pixels).argmax(1).numpy()
        model_acc = (predicted == test.labels).mean()
        assert model_acc == pytest.approx(ends[-1].test_acc, abs=1e-9)  # the epoch's weights


def test_stop_before_the_start_trains_nothing(kernels_built):
    stop = threading.Event()
    stop.set()
    results, events = train_members([tiny_config(lr=lr) for lr in LRS[:2]], stop=stop)
    for result, member_events in zip(results, events, strict=True):
        assert result.outcome.stopped and result.outcome.epochs_done == 0
        assert shape(member_events) == ["RunStarted", "RunFinished"]


def test_bad_data_fails_every_member_in_one_line():
    train, test = tiny_data()
    bad = replace(train, labels=np.full_like(train.labels, 12))
    results, events = train_members([tiny_config(lr=lr) for lr in LRS[:2]], data=(bad, test))
    for result, member_events in zip(results, events, strict=True):
        assert not result.ok
        assert [type(e) for e in member_events] == [RunFailed]
        assert "\n" not in member_events[0].reason and "label" in member_events[0].reason


def test_the_notebook_loader_runs_its_members_one_after_another():
    configs = [tiny_config(lr=lr, loader="torchvision", epochs=1) for lr in LRS[:2]]
    results, _events = train_members(configs)
    for config, result in zip(configs, results, strict=True):
        single, _ = alone(config)
        assert [e.test_loss for e in result.history] == [e.test_loss for e in single.history]


# ---- CUDA (skipped without a GPU) ----

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("graph", [True, False])
@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
def test_cuda_members_match_their_single_runs(graph, optimizer):
    configs = [
        tiny_config(lr=lr, device="cuda", cuda_graph=graph, optimizer=optimizer, epochs=2)
        for lr in LRS
    ]
    results, events = train_members(configs)
    notes = " ".join(events[0][0].notes)
    assert ("CUDA graph" in notes) == graph
    for config, result in zip(configs, results, strict=True):
        single, _ = alone(config)
        assert result.ok and single.ok
        assert_figures_close(result.history, single.history, rel=1e-3)
        assert result.history[-1].peak_gpu_mb > 0


@pytest.mark.cuda
@needs_cuda
def test_cuda_non_finite_member_fails_alone_inside_the_graph():
    configs = [tiny_config(lr=1e-3, device="cuda"), tiny_config(lr=1e38, device="cuda")]
    results, _events = train_members(configs)
    assert [r.ok for r in results] == [True, False]
    single, _ = alone(configs[0])
    assert_figures_close(results[0].history, single.history, rel=1e-3)


# ---- each member's checkpoint ----


def members_saved(configs, tmp_path):
    """train_group with a checkpoint place per member; the files and each member's events."""
    paths = [tmp_path / f"member-{m}.pt" for m in range(len(configs))]
    events = [[] for _ in configs]
    results = train_group(configs, [e.append for e in events], data=tiny_data(), checkpoints=paths)
    return results, paths, events


def test_each_c_member_saves_a_checkpoint_that_continues_as_its_single_run_would(
    kernels_built, tmp_path
):
    """A member saved after epoch 1 and continued alone for epoch 2 is the single run of two
    epochs, bit for bit: its weights, optimizer state, history and shuffle were all kept."""
    configs = [tiny_config(lr=lr, epochs=1) for lr in LRS[:2]]
    results, paths, events = members_saved(configs, tmp_path)
    assert all(result.ok for result in results)
    for config, path, member_events in zip(configs, paths, events, strict=True):
        saved = [e for e in member_events if type(e).__name__ == "CheckpointSaved"]
        assert [(e.path, e.epochs_done) for e in saved] == [(str(path), 1)]
        continued = fit(replace(config, epochs=2), data=tiny_data(), resume=path)
        whole, _ = alone(replace(config, epochs=2))
        assert continued.ok and whole.ok
        assert [e.test_loss for e in continued.history] == [e.test_loss for e in whole.history]
        for (name, ours), theirs in zip(
            continued.model.state_dict().items(), whole.model.state_dict().values(), strict=True
        ):
            assert torch.equal(ours, theirs), name


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_each_stacked_member_saves_a_checkpoint_a_single_run_continues(optimizer, tmp_path):
    """Stacked members keep their optimizer state in the stack: saved in torch's own form,
    a single run takes it up and trains on as the whole run does, to float rounding."""
    configs = [tiny_config(optimizer=optimizer, lr=lr, epochs=1) for lr in LRS[:2]]
    _results, paths, _events = members_saved(configs, tmp_path)
    for config, path in zip(configs, paths, strict=True):
        assert torch.load(path, weights_only=True)["model"]["fc1.weight"].shape == (512, 784)
        continued = fit(replace(config, epochs=2), data=tiny_data(), resume=path)
        whole, _ = alone(replace(config, epochs=2))
        assert continued.ok, continued.outcome
        assert_figures_close(continued.history, whole.history, rel=1e-3)


def test_a_member_checkpoint_holds_its_own_weights_not_the_whole_stack(tmp_path):
    configs = [tiny_config(optimizer="adam", lr=lr, epochs=1) for lr in LRS]
    _results, paths, _events = members_saved(configs, tmp_path)
    sizes = {path.stat().st_size for path in paths}
    one_network = 4 * 407_050  # float32 parameters of 784-512-10
    assert max(sizes) < 1.2 * 3 * one_network  # its weights and two Adam states, no more


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
def test_cuda_members_save_checkpoints_a_single_cuda_run_continues(optimizer, tmp_path):
    """The stacked state written from the captured graph's tensors, taken up by a single run
    that captures its own graph."""
    configs = [tiny_config(optimizer=optimizer, lr=lr, epochs=1, device="cuda") for lr in LRS]
    results, paths, _events = members_saved(configs, tmp_path)
    assert all(result.ok for result in results)
    for config, path in zip(configs, paths, strict=True):
        continued = fit(replace(config, epochs=2), data=tiny_data(), resume=path)
        whole, _ = alone(replace(config, epochs=2))
        assert continued.ok, continued.outcome
        assert_figures_close(continued.history, whole.history, rel=1e-3)
