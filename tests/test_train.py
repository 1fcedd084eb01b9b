"""fit(): ordered events with the notebook's figures, stop in a step, NaN caught, determinism."""

import json
import time
from dataclasses import FrozenInstanceError

import pytest
import torch
import torch.nn.functional as F

import core.cpu_step
import core.engine
from core.config import TrainConfig
from core.events import (
    BatchProgress,
    EpochEnd,
    RunFailed,
    RunFinished,
    RunStarted,
    to_json,
)
from core.model import SimpleNN
from core.optim import ZeroSafeRMSprop
from core.train import fit
from tests.losses import poison_loss_at
from tests.tiny import tiny_config, tiny_data


def run(config=None, **kwargs):
    events = []
    result = fit(config or tiny_config(), events.append, data=tiny_data(), **kwargs)
    return result, events


def kinds(events):
    return [type(e).__name__ for e in events if not isinstance(e, BatchProgress)]


def test_events_arrive_in_order():
    _, events = run()
    assert kinds(events) == ["RunStarted", "EpochEnd", "EpochEnd", "RunFinished"]
    assert isinstance(events[1], BatchProgress)  # progress comes before the epoch it belongs to


def test_run_started_describes_the_run():
    _, events = run()
    started = events[0]
    assert started.parameters == 407_050
    assert (started.train_size, started.test_size, started.start_epoch) == (512, 256, 0)
    assert started.device == "cpu (1 thread)"
    assert started.config == tiny_config()


def test_epoch_end_carries_the_notebooks_train_figures_and_a_test_evaluation():
    result, events = run()
    ends = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in ends] == [0, 1]
    for end in ends:
        assert 0 < end.train_loss < 5 and 0 <= end.train_acc <= 1
        assert 0 < end.test_loss < 5 and 0 <= end.test_acc <= 1
        assert end.seconds > 0 and end.samples_per_s == pytest.approx(512 / end.seconds)
        assert end.peak_gpu_mb is None
    assert ends[1].train_loss < ends[0].train_loss  # it learns
    assert result.history == tuple(ends)


def test_each_epoch_reports_its_last_batch():
    _, events = run()
    last = [e for e in events if isinstance(e, BatchProgress) and e.batch == e.batches]
    assert [(e.epoch, e.batches, e.step) for e in last] == [(0, 8, 8), (1, 8, 16)]


def test_run_finished_reports_the_final_test_accuracy():
    result, events = run()
    finished = events[-1]
    assert isinstance(finished, RunFinished) and result.outcome == finished
    assert finished.test_acc == events[-2].test_acc
    assert (finished.epochs_done, finished.stopped) == (2, False)


def test_progress_is_sent_at_most_about_ten_times_a_second():
    config = tiny_config(epochs=1)
    started = time.perf_counter()
    events = []
    fit(config, events.append, data=tiny_data(train=6000))
    elapsed = time.perf_counter() - started
    progress = [e for e in events if isinstance(e, BatchProgress)]
    assert 1 <= len(progress) <= 10 * elapsed + 1


def test_events_are_frozen_plain_data_that_serialise_to_json():
    _, events = run()
    with pytest.raises(FrozenInstanceError):
        events[0].parameters = 1
    lines = [json.loads(json.dumps(to_json(e))) for e in events]
    assert lines[0]["event"] == "run_started" and lines[0]["config"]["lr"] == 1e-3
    assert lines[-1]["event"] == "run_finished"


def test_metrics_are_written_as_one_json_line_per_event(tmp_path):
    path = tmp_path / "metrics.jsonl"
    _, events = run(metrics=path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["event"] for line in lines] == [to_json(e)["event"] for e in events]
    assert lines[2 if len(lines) > 2 else 0]["event"] in {"batch_progress", "epoch_end"}


@pytest.fixture
def counted_steps(monkeypatch):
    """Counts optimizer steps and reports progress after every one of them."""
    steps = []
    original = torch.optim.RMSprop.step

    def step(self, *args, **kwargs):
        steps.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.RMSprop, "step", step)
    monkeypatch.setattr(core.engine, "PROGRESS_INTERVAL_S", 0.0)
    return steps


def test_stop_event_ends_the_run_within_one_step(counted_steps):
    stop = __import__("threading").Event()
    events = []

    def on_event(event):
        events.append(event)
        if isinstance(event, BatchProgress) and event.step == 3:
            stop.set()

    result = fit(tiny_config(cpu_kernels=False), on_event, stop, data=tiny_data())
    assert len(counted_steps) <= 3 + 1
    assert isinstance(result.outcome, RunFinished) and result.outcome.stopped
    assert result.outcome.epochs_done == 0 and not any(isinstance(e, EpochEnd) for e in events)


def test_stop_event_ends_a_c_step_run_before_its_next_group_of_batches(counted_steps):
    """The C step trains several batches a call (core.steps.CALL_S); the stop is looked at
    between calls, and the first call is a single batch."""
    stop = __import__("threading").Event()
    progress, notes = [], []

    def on_event(event):
        if isinstance(event, RunStarted):
            notes.extend(event.notes)
        if isinstance(event, BatchProgress):
            progress.append(event.step)
            stop.set()

    result = fit(tiny_config(), on_event, stop, data=tiny_data())
    assert any("CPU step in C" in note for note in notes)
    assert progress == [1]
    assert isinstance(result.outcome, RunFinished) and result.outcome.stopped
    assert result.outcome.epochs_done == 0


def test_a_stop_set_before_the_run_trains_nothing(counted_steps):
    stop = __import__("threading").Event()
    stop.set()
    result = fit(tiny_config(), None, stop, data=tiny_data())
    assert counted_steps == [] and result.outcome.stopped


def test_a_stop_inside_an_epoch_ends_the_run_as_its_last_finished_epoch(counted_steps, tmp_path):
    """The headline, the record, the table's last row and the checkpoint: one set of weights."""
    from core.checkpoint import load
    from core.engine import loss_and_accuracy
    from core.loaders import DeviceLoader

    stop = __import__("threading").Event()

    def on_event(event):
        if isinstance(event, BatchProgress) and event.epoch == 1 and event.batch >= 3:
            stop.set()  # inside the second epoch, after a few of its steps

    path = tmp_path / "run.pt"
    config = tiny_config(epochs=3, cpu_kernels=False)
    result = fit(config, on_event, stop, data=tiny_data(), save=path)
    outcome = result.outcome
    assert isinstance(outcome, RunFinished) and outcome.stopped and outcome.epochs_done == 1
    assert outcome.test_acc == result.history[-1].test_acc
    _, test = tiny_data()
    loader = DeviceLoader(test.images, test.labels, 1000, torch.device("cpu"), shuffle=False)
    assert loss_and_accuracy(result.model, loader)[1] == outcome.test_acc  # these weights
    saved = load(path)
    assert saved.epoch == 1
    assert all(torch.equal(saved.model[k], v) for k, v in result.model.state_dict().items())


def test_a_stop_inside_the_first_epoch_has_no_test_accuracy(counted_steps):
    stop = __import__("threading").Event()
    torch.manual_seed(0)
    untrained = SimpleNN(tiny_config().hidden).state_dict()

    def on_event(event):
        if isinstance(event, BatchProgress) and event.batch >= 3:
            stop.set()

    result = fit(tiny_config(cpu_kernels=False), on_event, stop, data=tiny_data())
    assert result.outcome.stopped and result.outcome.test_acc is None
    # Back to the weights it started from (seed 0), not three steps into training.
    assert all(torch.equal(untrained[k], v) for k, v in result.model.state_dict().items())


def test_a_diverging_loss_fails_the_run_naming_epoch_and_step():
    # RMSprop normalises the step, so only an absurd rate overflows within 16 steps.
    result, events = run(tiny_config(lr=1e30))
    failed = events[-1]
    assert isinstance(failed, RunFailed) and result.outcome == failed and not result.ok
    assert failed.epoch == 0 and failed.step >= 1
    assert f"at epoch 0, step {failed.step}" in failed.reason
    assert "nan" in failed.reason or "inf" in failed.reason
    assert not any(isinstance(e, RunFinished) for e in events)


def test_the_first_non_finite_loss_is_named_even_when_read_later(monkeypatch):
    poison_loss_at(monkeypatch, 11)  # epoch 1, its 3rd batch
    result, _ = run()
    assert (result.outcome.epoch, result.outcome.step) == (1, 11)
    assert result.outcome.reason.startswith("loss became inf at epoch 1, step 11")
    assert len(result.history) == 1  # the first epoch had finished and is kept


def test_missing_data_fails_with_the_data_layers_message(tmp_path):
    events = []
    result = fit(tiny_config(dataset="mnist", data_dir=str(tmp_path / "absent")), events.append)
    assert not result.ok
    assert events == [RunFailed(reason=f"data folder {tmp_path / 'absent'} does not exist")]


def test_same_seed_gives_identical_weights():
    first, _ = run()
    second, _ = run()
    second_state = second.model.state_dict()
    for name, tensor in first.model.state_dict().items():
        assert torch.equal(tensor, second_state[name]), name


def test_another_seed_gives_other_weights():
    first, _ = run()
    other, _ = run(tiny_config(seed=1))
    assert not torch.equal(first.model.fc1.weight, other.model.fc1.weight)


def test_the_notebooks_torchvision_pipeline_trains_too():
    result, events = run(tiny_config(loader="torchvision"))
    assert result.ok and kinds(events)[-1] == "RunFinished"
    assert result.outcome.test_acc > 0.3  # ten classes: chance is 0.1


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_other_optimizers_train(optimizer):
    result, _ = run(tiny_config(optimizer=optimizer, lr=0.05 if optimizer == "sgd" else 1e-3))
    assert result.ok and result.history[-1].train_loss < result.history[0].train_loss


def test_threads_are_set_for_the_run_and_restored_after():
    before = torch.get_num_threads()
    seen = []
    fit(
        tiny_config(threads=1 if before > 1 else 2, epochs=1),
        lambda e: seen.append(torch.get_num_threads()) if isinstance(e, RunStarted) else None,
        data=tiny_data(),
    )
    assert seen == [1 if before > 1 else 2]
    assert torch.get_num_threads() == before


def test_default_config_is_accepted_by_fit_signature():
    # fit(config, on_event, stop_event) is the whole API a UI worker needs.
    assert list(__import__("inspect").signature(fit).parameters)[:3] == [
        "config",
        "on_event",
        "stop_event",
    ]
    assert isinstance(TrainConfig(), TrainConfig)


def test_cpu_rmsprop_matches_torchs_bit_for_bit_including_never_touched_weights():
    train, _ = tiny_data()
    images = torch.from_numpy(train.images[:256]).float().div(255).reshape(-1, 784)
    images[:, :100] = 0  # pixels that are always blank: their square averages stay exactly 0
    labels = torch.from_numpy(train.labels[:256])
    torch.manual_seed(0)
    ours, theirs = SimpleNN(), SimpleNN()
    theirs.load_state_dict(ours.state_dict())
    optimizers = (
        ZeroSafeRMSprop(ours.parameters(), lr=1e-3),
        torch.optim.RMSprop(theirs.parameters(), lr=1e-3),
    )
    for start in range(0, 256, 32):
        for model, optimizer in zip((ours, theirs), optimizers, strict=True):
            optimizer.zero_grad()
            F.cross_entropy(
                model(images[start : start + 32]), labels[start : start + 32]
            ).backward()
            optimizer.step()
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert torch.equal(a, b)
    assert (
        optimizers[0].state_dict()["state"][0].keys()
        == optimizers[1].state_dict()["state"][0].keys()
    )


@pytest.mark.parametrize(
    ("images", "labels", "message"),
    [
        (None, lambda y: y + 10, "train labels must be whole numbers 0..9, got 10..19"),
        (lambda x: x.astype("float32") / 255, None, "train images must be uint8 28x28"),
        (lambda x: x[:, :20, :20], None, "train images must be uint8 28x28 (784 pixels)"),
        (lambda x: x[:0], lambda y: y[:0], "the train split has no images"),
        (None, lambda y: y[:10], "train has 512 images but 10 labels"),
    ],
)
def test_data_the_network_cannot_take_fails_in_one_line(images, labels, message):
    from dataclasses import replace

    train, test = tiny_data()
    train = replace(
        train,
        images=images(train.images) if images else train.images,
        labels=labels(train.labels) if labels else train.labels,
    )
    events = []
    result = fit(tiny_config(), events.append, data=(train, test))
    assert not result.ok and events == [result.outcome]
    assert result.outcome.reason.startswith(message)


def test_frozen_weights_move_a_run_off_the_c_step_which_would_train_them() -> None:
    from core.events import RunStarted
    from core.lesson.short_runs import freeze_biases_at_zero

    events: list = []
    result = fit(
        tiny_config(epochs=1), events.append, data=tiny_data(), prepare_model=freeze_biases_at_zero
    )
    assert result.model is not None
    assert result.model.fc1.bias.abs().max() == 0 and result.model.fc2.bias.abs().max() == 0
    (started,) = [e for e in events if isinstance(e, RunStarted)]
    if core.cpu_step.unavailable_reason("rmsprop", 64) is None:  # the C step was there to take
        assert any("frozen" in note for note in started.notes)
