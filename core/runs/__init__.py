"""The run store: every training run recorded in an SQLite file beside its checkpoints.

Headless and light (no torch, no UI): `RunStore` is the typed API over runs.sqlite,
`RunRecorder` turns fit()'s events into its writes, and export_csv / export_jsonl write a run
out. The folder is runs_dir(): --runs DIR, else $MNIST_TUI_RUNS, else the user data folder.
"""

from __future__ import annotations

from core.runs.errors import RunStoreError, SweepIdError, UnknownRunError
from core.runs.export import TensorBoardMissingError, export_csv, export_jsonl, export_tensorboard
from core.runs.liveness import STALE_AFTER_S
from core.runs.paths import DB_NAME, RUNS_ENV, checkpoint_path, runs_dir, store_path
from core.runs.recorder import PROGRESS_EVERY_S, RunRecorder
from core.runs.records import (
    ENDED,
    SOURCES,
    STATUSES,
    Cursor,
    EpochRecord,
    JsonObject,
    ProgressRecord,
    RunRecord,
    RunUpdate,
    SweepSummary,
)
from core.runs.schema import SCHEMA_VERSION
from core.runs.store import RunStore, clean_note, clean_tag

__all__ = [
    "DB_NAME",
    "ENDED",
    "PROGRESS_EVERY_S",
    "RUNS_ENV",
    "SCHEMA_VERSION",
    "SOURCES",
    "STALE_AFTER_S",
    "STATUSES",
    "Cursor",
    "EpochRecord",
    "JsonObject",
    "ProgressRecord",
    "RunRecord",
    "RunRecorder",
    "RunStore",
    "RunStoreError",
    "RunUpdate",
    "SweepIdError",
    "SweepSummary",
    "TensorBoardMissingError",
    "UnknownRunError",
    "checkpoint_path",
    "clean_note",
    "clean_tag",
    "export_csv",
    "export_jsonl",
    "export_tensorboard",
    "runs_dir",
    "store_path",
]
