"""A recorded run written out for other tools: CSV for spreadsheets, JSON Lines for scripts,
TensorBoard event files for TensorBoard.

export_csv and export_jsonl take an open text file (a file, sys.stdout, io.StringIO) and return
the epochs written. export_tensorboard writes a folder of event files and returns its path; it
needs the optional tensorboard package, and imports torch.utils.tensorboard inside it so this
module stays light.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from typing import Any, TextIO

from core.errors import first_line, os_error_reason
from core.runs.errors import RunStoreError
from core.runs.records import EpochRecord, RunRecord, json_object
from core.runs.store import RunStore

EPOCH_FIELDS = (
    "epoch",
    "train_loss",
    "train_acc",
    "test_loss",
    "test_acc",
    "seconds",
    "samples_per_s",
    "peak_gpu_mb",
)

TENSORBOARD_MISSING = (
    "TensorBoard export needs the tensorboard package: pip install 'mnist-tui[tensorboard]'"
)
# Each epoch's figures as TensorBoard scalars: tag, then the EpochRecord field. Tags share a
# prefix where their curves belong in one section (train and test loss side by side).
SCALARS = (
    ("loss/train", "train_loss"),
    ("loss/test", "test_loss"),
    ("accuracy/train", "train_acc"),
    ("accuracy/test", "test_acc"),
    ("speed/seconds_per_epoch", "seconds"),
    ("speed/samples_per_s", "samples_per_s"),
    ("gpu/peak_mb", "peak_gpu_mb"),  # written only for epochs that measured it
)
FINAL_METRIC = "hparam/final_test_acc"  # the hparams dashboard's metric; no scalar shares it
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def export_csv(store: RunStore, run_id: str, file: TextIO, header: bool = True) -> int:
    """A header line (unless `header` is False: a further run into the same file), then one
    line per epoch: the run's id, then EPOCH_FIELDS (an empty cell for None). The id column
    keeps the rows of several runs apart in one table."""
    writer = csv.writer(file, lineterminator="\n")
    if header:
        writer.writerow(("run_id", *EPOCH_FIELDS))
    run = store.get(run_id)
    history = store.history(run.id)
    for record in history:
        row = record.to_json()
        writer.writerow(
            [run.id, *("" if row[name] is None else row[name] for name in EPOCH_FIELDS)]
        )
    return len(history)


def export_jsonl(store: RunStore, run_id: str, file: TextIO) -> int:
    """A first line describing the run ("record": "run"), then one line per epoch."""
    run = store.get(run_id)
    history = store.history(run.id)
    file.write(json.dumps({"record": "run", **run.to_json()}) + "\n")
    for record in history:
        file.write(json.dumps({"record": "epoch", "run_id": run.id, **record.to_json()}) + "\n")
    return len(history)


class TensorBoardMissingError(RunStoreError):
    """The optional tensorboard package is not installed; the message says how to install it."""


def export_tensorboard(store: RunStore, run_id: str, out_dir: str | os.PathLike[str]) -> Path:
    """Write the run as TensorBoard event files in out_dir/<folder>/ and return that folder.

    The folder is the run's id, or "<name>-<id>" for a named run (TensorBoard lists runs by
    folder). Each epoch's figures are scalars at step = epoch (0-based, as the store counts),
    at the time the epoch was recorded; the config is text, and a run with a final test
    accuracy also goes to the hparams dashboard. Exporting a run again replaces the event
    files it wrote before, so TensorBoard never shows an epoch twice.

    Raises TensorBoardMissingError without the tensorboard package, RunStoreError when the
    folder cannot be written (and UnknownRunError for an unknown id), each with one line.
    """
    try:
        from torch.utils.tensorboard import SummaryWriter
        from torch.utils.tensorboard.summary import hparams
    except ImportError as err:
        if (err.name or "").partition(".")[0] == "tensorboard":
            raise TensorBoardMissingError(TENSORBOARD_MISSING) from None
        raise RunStoreError(
            f"TensorBoard export cannot load tensorboard: {first_line(err)}"
        ) from err

    run = store.get(run_id)
    history = store.history(run.id)
    folder = Path(out_dir).expanduser() / tensorboard_folder(run)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("events.out.tfevents.*"):
            if old.is_file():
                old.unlink()
        with SummaryWriter(log_dir=str(folder)) as writer:
            for record in history:
                for tag, value in epoch_scalars(record):
                    writer.add_scalar(tag, value, record.epoch, walltime=record.at)
            writer.add_text("config", config_markdown(run), 0, walltime=run.started_at)
            writer.add_text("run", run_markdown(run), 0, walltime=run.started_at)
            if run.test_acc is not None:
                ended = run.ended_at or run.heartbeat_at
                for summary in hparams(hparam_values(run), {FINAL_METRIC: run.test_acc}):
                    writer.file_writer.add_summary(summary, 0, walltime=ended)
                writer.add_scalar(FINAL_METRIC, run.test_acc, 0, walltime=ended)
    except OSError as err:
        raise RunStoreError(
            f"cannot write TensorBoard files in {folder}: {os_error_reason(folder, err)}"
        ) from err
    return folder


def tensorboard_folder(run: RunRecord) -> str:
    """The run's folder name: its id, after its name (made safe for a path) if it has one."""
    name = UNSAFE.sub("_", run.name or "").strip("._-")
    return f"{name}-{run.id}" if name else run.id


def epoch_scalars(record: EpochRecord) -> list[tuple[str, float]]:
    values = [(tag, getattr(record, field)) for tag, field in SCALARS]
    return [(tag, float(value)) for tag, value in values if value is not None]


def config_markdown(run: RunRecord) -> str:
    """The config as indented JSON: a code block in TensorBoard's Markdown."""
    text = json.dumps(json_object(run.config).to_dict(), indent=2, sort_keys=True)
    return "\n".join("    " + line for line in text.splitlines())


def run_markdown(run: RunRecord) -> str:
    facts = {
        "id": run.id,
        "name": run.name,
        "status": run.status,
        "source": run.source,
        "sweep": run.sweep,
        "device": run.device,
        "data": run.data_source,
        "epochs": run.epochs_done,
        "final test accuracy": run.test_acc,
    }
    rows = [f"| {key} | {cell(value)} |" for key, value in facts.items() if value is not None]
    return "\n".join(["| | |", "|---|---|", *rows])


def cell(value: object) -> str:
    """A value in one Markdown table cell: a | in a run's name must not end the cell."""
    return str(value).replace("|", "\\|")


def hparam_values(run: RunRecord) -> dict[str, Any]:
    """The config as hparams: numbers and text as they are, flags as "True" / "False" (not the
    1 / 0 that add_hparams would make of them), None left out, anything else as JSON."""
    values: dict[str, Any] = {}
    for key, value in json_object(run.config).to_dict().items():
        if isinstance(value, bool):
            values[key] = str(value)
        elif value is None or isinstance(value, int | float | str):
            values[key] = value
        else:
            values[key] = json.dumps(value, sort_keys=True)
    return values
