"""Checkpoints round-trip, are written atomically, resume exactly, and never run code."""

import os

import pytest
import torch

from core.checkpoint import CheckpointError, load, save
from core.events import RunFailed, RunStarted
from core.train import fit
from tests.tiny import tiny_config, tiny_data


def train(config=None, **kwargs):
    events = []
    result = fit(config or tiny_config(), events.append, data=tiny_data(), **kwargs)
    assert isinstance(events[-1], RunFailed) or result.ok, events[-1]
    return result, events


def same_weights(a, b):
    return all(
        torch.equal(x, y)
        for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    )


def test_round_trip_keeps_model_optimizer_config_epoch_and_history(tmp_path):
    path = tmp_path / "run.pt"
    result, _ = train(save=path)
    saved = load(path)
    assert saved.epoch == 2
    assert saved.config == tiny_config().to_dict()
    assert [h["test_acc"] for h in saved.history] == [e.test_acc for e in result.history]
    assert all(torch.equal(saved.model[k], v) for k, v in result.model.state_dict().items())
    assert saved.optimizer["state"][0]["square_avg"].shape == (512, 784)


def test_resume_continues_from_the_saved_epoch_as_if_never_interrupted(tmp_path):
    straight, _ = train(tiny_config(epochs=3))
    path = tmp_path / "run.pt"
    train(tiny_config(epochs=1), save=path)
    resumed, events = train(tiny_config(epochs=3), resume=path)
    assert events[0].start_epoch == 1 and isinstance(events[0], RunStarted)
    assert [e.epoch for e in resumed.history] == [0, 1, 2]
    assert same_weights(resumed.model, straight.model)


def test_a_resumed_run_trains_with_the_learning_rate_its_config_records(tmp_path):
    path = tmp_path / "run.pt"
    train(tiny_config(epochs=1, lr=1e-3), save=path)
    kept, kept_events = train(tiny_config(epochs=2, lr=1e-3), resume=path)
    changed, changed_events = train(tiny_config(epochs=2, lr=0.05), resume=path)
    assert changed_events[0].config.lr == 0.05  # what the run records...
    assert "learning rate 0.05 from here on (the checkpoint trained with 0.001)" in (
        changed_events[0].notes
    )
    assert not any("learning rate" in note for note in kept_events[0].notes)
    # ...is what it trained with: the same start, another rate, other weights.
    assert kept.history[-1].train_loss != changed.history[-1].train_loss
    assert not same_weights(kept.model, changed.model)


def test_a_failed_write_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch):
    path = tmp_path / "run.pt"
    train(tiny_config(epochs=1), save=path)
    before = path.read_bytes()

    def disk_full(obj, file):
        file.write(b"half a checkpoint")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(CheckpointError, match="No space left on device"):
        save(path, load(path))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["run.pt"]  # no temp file left behind


class RunsCode:
    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_payload_with_code_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    RunsCode.marker = marker
    path = tmp_path / "evil.pt"
    torch.save({"format": "mnist-tui/checkpoint", "version": 1, "model": RunsCode()}, path)
    with pytest.raises(CheckpointError, match="refused to load it"):
        load(path)
    assert not marker.exists()


def test_a_foreign_torch_file_is_named_as_such(tmp_path):
    path = tmp_path / "weights.pt"
    torch.save({"fc1.weight": torch.zeros(2)}, path)
    with pytest.raises(CheckpointError, match="is not an mnist-tui checkpoint"):
        load(path)


@pytest.mark.parametrize("content", [b"", b"not a checkpoint at all"])
def test_a_corrupt_file_is_named_as_such(tmp_path, content):
    path = tmp_path / "run.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="is corrupt or not a torch file"):
        load(path)


def test_a_truncated_checkpoint_is_named_corrupt(tmp_path):
    path = tmp_path / "run.pt"
    train(tiny_config(epochs=1), save=path)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="is corrupt"):
        load(path)


def test_a_checkpoint_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "run.pt"
    torch.save({"format": "mnist-tui/checkpoint", "version": 99}, path)
    with pytest.raises(CheckpointError, match="is checkpoint version 99; this mnist-tui reads"):
        load(path)


def test_a_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint at"):
        load(tmp_path / "absent.pt")


def test_resuming_into_a_different_network_fails_the_run_clearly(tmp_path):
    path = tmp_path / "run.pt"
    train(tiny_config(epochs=1), save=path)
    result, events = train(tiny_config(hidden=64), resume=path)
    assert not result.ok
    assert events[-1].reason == f"{path} was trained with hidden=512; this run has hidden=64"


def test_resuming_a_finished_run_says_there_is_nothing_to_train(tmp_path):
    path = tmp_path / "run.pt"
    train(save=path)
    again, events = train(resume=path)
    assert not again.ok
    assert events[-1].reason == (
        f"nothing to train: {path} has done 2 epoch(s) and this run asks for 2; "
        "ask for more epochs to continue it"
    )


@pytest.mark.parametrize("content", [b"hello\n", b"PK\x03\x04garbage"], ids=["text", "bad-zip"])
def test_a_file_that_is_no_checkpoint_is_named_in_plain_words(tmp_path, content) -> None:
    from core.checkpoint import load

    path = tmp_path / "run.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as raised:
        load(path)
    assert str(raised.value) == f"{path} is corrupt or not a torch file"
