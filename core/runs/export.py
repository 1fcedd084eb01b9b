"""A recorded run written out for other tools: CSV for spreadsheets, JSON Lines for scripts.

Both take an open text file (a file, sys.stdout, io.StringIO) and return the epochs written.
A TensorBoard export belongs here too, as export_tensorboard(store, run_id, logdir): it will
need torch.utils.tensorboard (or tensorboardX), imported inside it so this module stays light.
"""

from __future__ import annotations

import csv
import json
from typing import TextIO

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


def export_csv(store: RunStore, run_id: str, file: TextIO) -> int:
    """One header line, then one line per epoch (EPOCH_FIELDS; an empty cell for None)."""
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(EPOCH_FIELDS)
    history = store.history(run_id)
    for record in history:
        row = record.to_json()
        writer.writerow(["" if row[name] is None else row[name] for name in EPOCH_FIELDS])
    return len(history)


def export_jsonl(store: RunStore, run_id: str, file: TextIO) -> int:
    """A first line describing the run ("record": "run"), then one line per epoch."""
    run = store.get(run_id)
    history = store.history(run.id)
    file.write(json.dumps({"record": "run", **run.to_json()}) + "\n")
    for record in history:
        file.write(json.dumps({"record": "epoch", "run_id": run.id, **record.to_json()}) + "\n")
    return len(history)
