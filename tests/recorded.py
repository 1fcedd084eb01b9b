"""Replaying a recorded training run (JSON Lines written by core's `metrics=`)."""

from __future__ import annotations

import json
from pathlib import Path

from core.config import TrainConfig
from core.events import BatchProgress, EpochEnd, RunFailed, RunFinished, RunStarted

RECORDED_RUN = Path(__file__).parent / "data" / "synthetic-run.jsonl"
TYPES = {
    "run_started": RunStarted,
    "batch_progress": BatchProgress,
    "epoch_end": EpochEnd,
    "run_finished": RunFinished,
    "run_failed": RunFailed,
}


def event_from_json(data: dict):
    data = dict(data)
    kind = TYPES[data.pop("event")]
    if kind is RunStarted:
        data["config"] = TrainConfig.from_dict(data["config"])
        data["notes"] = tuple(data["notes"])
    return kind(**data)


def recorded_events(path: Path = RECORDED_RUN) -> list:
    return [event_from_json(json.loads(line)) for line in path.read_text().splitlines()]
