"""core.engine: one loop for a single run and a sweep's group, and the subscribers fit composes."""

import threading

import pytest
import torch

import core.cpu_step
import core.engine
from core.checkpoint import load
from core.config import TrainConfig
from core.engine import Engine, EpochData, Member
from core.events import (
    BatchProgress,
    CheckpointSaved,
    EpochEnd,
    Event,
    MetricsWriteError,
    RunFailed,
    RunFinished,
    RunStarted,
    from_json,
    to_json,
)
from core.loaders import DeviceLoader
from core.model import SimpleNN
from core.optim import make_optimizer
from core.runs import RunRecorder, RunStore
from core.steps import EagerStep, EpochMetrics, Step, step_kind
from core.train import fan_out, fit
from tests.losses import poison_loss_at
from tests.tiny import tiny_config, tiny_data

CPU = torch.device("cpu")


def test_a_run_whose_loss_goes_non_finite_trains_no_step_after_it(monkeypatch) -> None:
    """One member failing alone leaves no member: the epoch ends there, not at its last batch."""
    losses = poison_loss_at(monkeypatch, 3)
    monkeypatch.setattr(core.engine, "PROGRESS_INTERVAL_S", 0.0)  # a look after every batch
    result = fit(tiny_config(epochs=1), data=tiny_data())
    assert isinstance(result.outcome, RunFailed) and result.outcome.step == 3
    assert len(losses) == 3  # of 8 batches


def test_a_checkpoint_event_follows_each_epoch_and_names_the_file(tmp_path) -> None:
    path = tmp_path / "run.pt"
    events: list = []
    result = fit(tiny_config(), events.append, data=tiny_data(), save=path)
    ends = [e for e in events if not isinstance(e, BatchProgress)]
    assert [type(e) for e in ends] == [
        RunStarted, EpochEnd, CheckpointSaved, EpochEnd, CheckpointSaved, RunFinished
    ]  # fmt: skip
    assert [(e.path, e.epochs_done) for e in ends if isinstance(e, CheckpointSaved)] == [
        (str(path), 1),
        (str(path), 2),
    ]
    assert result.checkpoint == str(path) and path.is_file()


def test_a_run_saves_no_checkpoint_unless_asked() -> None:
    result = fit(tiny_config(epochs=1), data=tiny_data())
    assert result.ok and result.checkpoint is None


def test_a_recorded_run_saves_beside_the_store_and_the_store_learns_where_from_the_event(
    tmp_path,
) -> None:
    with RunStore.open(tmp_path) as store:
        recorder = RunRecorder(store, "python")
        result = fit(tiny_config(epochs=1), data=tiny_data(), record=recorder)
        assert recorder.run_id is not None
        recorded = store.get(recorder.run_id)
    assert result.checkpoint == recorded.checkpoint == str(tmp_path / f"{recorder.run_id}.pt")


def test_a_run_that_fails_later_names_the_checkpoint_of_its_last_finished_epoch(
    monkeypatch, tmp_path
) -> None:
    poison_loss_at(monkeypatch, 11)  # epoch 1, its 3rd batch
    path = tmp_path / "run.pt"
    result = fit(tiny_config(), data=tiny_data(), save=path)
    assert not result.ok and result.checkpoint == str(path)
    assert load(path).epoch == len(result.history) == 1


def test_every_event_comes_back_from_its_json_form() -> None:
    events: list[Event] = [
        RunStarted(TrainConfig(hidden=32), "cpu", 25_450, 6000, 1000, 0, "drawn", ("a",)),
        BatchProgress(0, 3, 94, 3, 0.6, 0.7, 5000.0),
        EpochEnd(0, 0.5, 0.8, 0.4, 0.9, 1.0, 6000.0, None),
        CheckpointSaved("/tmp/run.pt", 1),
        RunFinished(0.9, 2.0, 1, False),
        RunFailed("loss became nan", 1, 20),
    ]
    assert [from_json(to_json(event)) for event in events] == events


def test_fan_out_gives_each_event_to_every_handler_in_order() -> None:
    seen: list = []
    emit = fan_out(lambda e: seen.append(("a", e)), None, lambda e: seen.append(("b", e)))
    emit(RunFailed("x"))
    assert seen == [("a", RunFailed("x")), ("b", RunFailed("x"))]


def test_frozen_weights_choose_the_plain_step_with_the_reason() -> None:
    if core.cpu_step.unavailable_reason("rmsprop") is not None:
        pytest.skip("the C step is not built here, so nothing is passed over")
    assert step_kind(TrainConfig(device="cpu"), CPU) == ("c", None)
    kind, why = step_kind(TrainConfig(device="cpu"), CPU, frozen=True)
    assert kind == "eager" and why is not None and "frozen" in why


def test_a_group_without_the_members_kernel_chooses_stacked_ops_with_the_reason(
    monkeypatch,
) -> None:
    if core.cpu_step.unavailable_reason("rmsprop") is not None:
        pytest.skip("the C step is not built here: no group takes it")
    assert step_kind(TrainConfig(device="cpu"), CPU, group=True) == ("c", None)
    built = core.cpu_step.kernels

    class OlderKernels:  # the module as built before it had the members' kernel
        def __getattr__(self, name):
            if name == "members_step":
                raise AttributeError(name)
            return getattr(built, name)

    monkeypatch.setattr(core.cpu_step, "kernels", OlderKernels())
    kind, why = step_kind(TrainConfig(device="cpu"), CPU, group=True)
    assert kind == "eager" and why is not None and "reinstall" in why
    assert step_kind(TrainConfig(device="cpu"), CPU) == ("c", None)  # a single run still can


class RecordingStep(Step):
    """The real eager step, with everything the engine asked of it written down."""

    def __init__(self, inner: Step) -> None:
        self.inner = inner
        self.calls: list[tuple] = []

    def __call__(self, batch, b) -> None:
        self.calls.append(("batch", b, batch.start, len(batch)))
        self.inner(batch, b)

    def flush(self) -> None:
        self.calls.append(("flush",))

    def discard(self) -> None:
        self.calls.append(("discard",))

    def epoch_done(self) -> None:
        self.calls.append(("epoch done",))

    def drop(self, member: int) -> None:
        self.calls.append(("drop", member))

    def close(self) -> None:
        self.calls.append(("close",))


def recorded_engine(on_event, lr: float = 1e-3) -> tuple[Engine, RecordingStep]:
    """One member on 500 synthetic digits (8 batches, the last of 52) in 2 epochs, its step
    recorded; the step is closed by whoever built it, as fit and the sweep do."""
    train, test = tiny_data(500, 256)
    torch.manual_seed(0)
    model = SimpleNN()
    loader = DeviceLoader(train.images, train.labels, 64, CPU)
    metrics = EpochMetrics.zeros(len(loader), CPU)
    optimizer = make_optimizer("rmsprop", model.parameters(), lr, cpu=True)
    step = RecordingStep(EagerStep(model, optimizer, loader, metrics))
    data = EpochData(loader, DeviceLoader(test.images, test.labels, 256, CPU, shuffle=False),
                     500, 64)  # fmt: skip
    stop = threading.Event()
    member = Member(model, metrics, lambda event: on_event(event, stop))
    return Engine([member], step, data, CPU, stop, range(2)), step


def test_the_engine_hands_its_step_every_batch_in_order_from_the_start_of_each_epoch() -> None:
    """What a captured CUDA graph counts on (it resets its batch counter at start 0 and
    replays full batches only), checked here on the CPU through the real eager step."""
    events: list = []
    engine, step = recorded_engine(lambda event, stop: events.append(event))
    (result,) = engine.train()
    epoch = [("batch", b, b * 64, 64 if b < 7 else 500 - 7 * 64) for b in range(8)]
    assert [c for c in step.calls if c != ("flush",)] == [*epoch, ("epoch done",)] * 2
    # The figures are read only after a flush: one for each progress report.
    progress = [e for e in events if isinstance(e, BatchProgress)]
    assert step.calls.count(("flush",)) == len(progress) >= 2
    assert [type(e) for e in events if not isinstance(e, BatchProgress)] == [
        EpochEnd, EpochEnd, RunFinished
    ]  # fmt: skip
    assert result.ok and result.model is engine.members[0].model and len(result.history) == 2


def test_a_stop_discards_what_the_step_queued_and_ends_its_epoch(monkeypatch) -> None:
    monkeypatch.setattr(core.engine, "PROGRESS_INTERVAL_S", 0.0)  # a look after every batch

    def stop_at_step_3(event, stop) -> None:
        if isinstance(event, BatchProgress) and event.step == 3:
            stop.set()

    engine, step = recorded_engine(stop_at_step_3)
    (result,) = engine.train()
    trained = [c for c in step.calls if c[0] == "batch"]
    assert len(trained) == 3 and step.calls[-2:] == [("discard",), ("epoch done",)]
    assert isinstance(result.outcome, RunFinished) and result.outcome.stopped


def test_a_non_finite_loss_drops_the_member_from_the_step() -> None:
    engine, step = recorded_engine(lambda event, stop: None, lr=1e30)
    (result,) = engine.train()
    assert isinstance(result.outcome, RunFailed) and ("drop", 0) in step.calls
    dropped = step.calls.index(("drop", 0))
    assert not [c for c in step.calls[dropped:] if c[0] == "batch"]  # nothing trained after


def test_a_subscriber_that_fails_later_leaves_the_run_naming_its_last_checkpoint(
    tmp_path,
) -> None:
    path = tmp_path / "run.pt"

    def full_disk_at_the_second_epoch(event) -> None:
        if isinstance(event, EpochEnd) and event.epoch == 1:
            raise MetricsWriteError("cannot write metrics to m.jsonl: No space left on device")

    result = fit(tiny_config(), full_disk_at_the_second_epoch, data=tiny_data(), save=path)
    assert isinstance(result.outcome, RunFailed) and "No space left" in result.outcome.reason
    assert result.checkpoint == str(path) and load(path).epoch == 1
