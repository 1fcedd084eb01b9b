"""core.runs.export_tensorboard: a real recorded run written as event files and read back with
TensorBoard's own reader; without the tensorboard package, one line saying how to install it.

Tests that read event files need tensorboard (the test extra has it): absent, they skip
locally and fail under CI=true, as tests/datasets.py does for data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.events import EpochEnd
from core.runs import RunRecorder, RunStore, RunStoreError
from core.runs.export import (
    FINAL_METRIC,
    TENSORBOARD_MISSING,
    TensorBoardMissingError,
    export_tensorboard,
)
from core.train import fit
from tests.datasets import ROOT
from tests.tiny import tiny_config, tiny_data

# Store field -> the tag its scalar is written under.
TAGS = {
    "train_loss": "loss/train",
    "test_loss": "loss/test",
    "train_acc": "accuracy/train",
    "test_acc": "accuracy/test",
    "seconds": "speed/seconds_per_epoch",
    "samples_per_s": "speed/samples_per_s",
}
FLOAT32 = {"rel": 1e-6, "abs": 1e-12}  # event files hold scalars as float32


@pytest.fixture
def accumulator():
    """TensorBoard's EventAccumulator class; skips without tensorboard, fails under CI=true."""
    try:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    except ImportError as err:
        reason = f"tensorboard is not installed ({err}): pip install 'mnist-tui[tensorboard]'"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must have it")
        pytest.skip(reason)
    return EventAccumulator


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        yield store


def read(accumulator, folder):
    events = accumulator(str(folder))
    events.Reload()
    return events


def text(events, tag: str) -> str:
    (event,) = events.Tensors(f"{tag}/text_summary")
    return event.tensor_proto.string_val[0].decode()


def test_a_real_run_reads_back_in_tensorboard_as_the_store_has_it(store, tmp_path, accumulator):
    recorder = RunRecorder(store, "python", name="tiny run/1")
    assert fit(tiny_config(), recorder, data=tiny_data()).ok
    run = store.get(recorder.run_id)
    history = store.history(run.id)
    assert [e.epoch for e in history] == [0, 1]

    folder = export_tensorboard(store, run.id[:4], tmp_path / "tb")

    assert folder == tmp_path / "tb" / f"tiny_run_1-{run.id}"
    events = read(accumulator, folder)
    for field, tag in TAGS.items():
        scalars = events.Scalars(tag)
        assert [s.step for s in scalars] == [e.epoch for e in history], tag
        assert [s.value for s in scalars] == pytest.approx(
            [getattr(e, field) for e in history], **FLOAT32
        ), tag
        assert [s.wall_time for s in scalars] == pytest.approx([e.at for e in history])
    assert "gpu/peak_mb" not in events.Tags()["scalars"]  # a CPU run measured no GPU memory

    assert json.loads(text(events, "config")) == tiny_config().to_dict()
    assert f"| id | {run.id} |" in text(events, "run")
    assert "| name | tiny run/1 |" in text(events, "run")
    (final,) = events.Scalars(FINAL_METRIC)
    assert final.value == pytest.approx(run.test_acc, **FLOAT32)
    assert run.test_acc == history[-1].test_acc
    assert "_hparams_/session_start_info" in events.PluginTagToContent("hparams")


def test_exporting_again_replaces_the_event_files_and_an_unnamed_run_is_its_id(
    store, tmp_path, accumulator
):
    run = store.create(tiny_config().to_dict(), "python", "cpu", "synthetic")
    for epoch in range(3):
        store.append_epoch(run.id, EpochEnd(epoch, 0.5, 0.8, 0.4, 0.9, 1.5, 1e4, 12.5))
    out = tmp_path / "tb"

    first = export_tensorboard(store, run.id, out)
    store.append_epoch(run.id, EpochEnd(3, 0.25, 0.9, 0.2, 0.95, 1.5, 1e4, 12.5))
    again = export_tensorboard(store, run.id, out)

    assert first == again == out / run.id
    assert len(list(again.glob("events.out.tfevents.*"))) == 1
    events = read(accumulator, again)
    assert [(s.step, s.value) for s in events.Scalars("loss/train")] == [
        (0, 0.5),
        (1, 0.5),
        (2, 0.5),
        (3, 0.25),
    ]
    assert [s.value for s in events.Scalars("gpu/peak_mb")] == [12.5] * 4
    assert FINAL_METRIC not in events.Tags()["scalars"]  # still running: no final accuracy


def test_a_folder_that_cannot_be_made_is_one_line(store, tmp_path, accumulator):
    run = store.create(tiny_config().to_dict(), "python", "cpu", "synthetic")
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(RunStoreError) as caught:
        export_tensorboard(store, run.id, tmp_path / "taken")
    assert "is a file, not a folder" in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1


# Runs export_tensorboard in a fresh interpreter where `import tensorboard` fails, as it does
# when the package is not installed, and prints what was raised.
WITHOUT_TENSORBOARD = """
import sys
sys.modules["tensorboard"] = None
from core.runs import RunStore, RunStoreError
from core.runs.export import TensorBoardMissingError, export_tensorboard
with RunStore(sys.argv[1]) as store:
    try:
        export_tensorboard(store, "00000000", sys.argv[2])
    except RunStoreError as err:
        print(type(err).__name__)
        print(err, end="")
"""


@pytest.mark.slow(reason="a fresh interpreter that imports torch")
def test_without_tensorboard_the_error_is_one_line_saying_how_to_install_it(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_TENSORBOARD, tmp_path / "runs.sqlite", tmp_path / "tb"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    name, message = result.stdout.split("\n", 1)
    assert name == TensorBoardMissingError.__name__
    assert message == TENSORBOARD_MISSING
    assert message == (
        "TensorBoard export needs the tensorboard package: pip install 'mnist-tui[tensorboard]'"
    )
    assert not (tmp_path / "tb").exists()


def test_the_export_module_imports_neither_torch_nor_tensorboard():
    check = (
        "import sys, core.runs.export; print(sorted({'torch', 'tensorboard'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
