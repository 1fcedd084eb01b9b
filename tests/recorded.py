"""Replaying a recorded training run (JSON Lines written by core's `metrics=`)."""

from __future__ import annotations

import json
from pathlib import Path

from core.events import from_json

RECORDED_RUN = Path(__file__).parent / "data" / "synthetic-run.jsonl"


def recorded_events(path: Path = RECORDED_RUN) -> list:
    return [from_json(json.loads(line)) for line in path.read_text().splitlines()]
