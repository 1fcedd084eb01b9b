"""A run store written by an older mnist-tui (schema 2, before tags and notes) is brought up to
date in place the first time it is opened, with every run, epoch and sweep request kept.

tests/data/runs-schema2.sqlite was recorded by the schema-2 code through the store's own API:
"old baseline" (0a1b2c3d, three epochs, finished) and its continuation 0a1b2c3e (one epoch,
stopped, in sweep sw-old, whose stop was asked for).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from core.runs import SCHEMA_VERSION, RunStore
from core.runs.schema import MIGRATIONS

OLD_STORE = Path(__file__).parent / "data" / "runs-schema2.sqlite"
OLD_VERSION = 2


@pytest.fixture
def old_store(tmp_path) -> Path:
    """A copy of the schema-2 file: opening it writes to it."""
    path = tmp_path / "runs.sqlite"
    shutil.copyfile(OLD_STORE, path)
    return path


def pragma(path: Path, name: str) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        db.close()


def test_the_fixture_is_a_schema_2_store():
    assert pragma(OLD_STORE, "user_version") == OLD_VERSION < SCHEMA_VERSION == len(MIGRATIONS)


def test_an_old_store_is_upgraded_in_place_with_every_run_kept(old_store):
    with RunStore(old_store) as store:
        runs = {run.id: run for run in store.list()}
        assert pragma(old_store, "user_version") == SCHEMA_VERSION
        assert set(runs) == {"0a1b2c3d", "0a1b2c3e"}
        baseline, resumed = runs["0a1b2c3d"], runs["0a1b2c3e"]
        assert (baseline.name, baseline.status, baseline.epochs_done) == (
            "old baseline",
            "finished",
            3,
        )
        assert baseline.config["dataset"] == "mnist"
        assert [e.test_acc for e in store.history(baseline.id)] == [0.95, 0.97, 0.965]
        assert (resumed.parent, resumed.sweep, resumed.status) == (baseline.id, "sw-old", "stopped")
        assert store.sweep_stop_requested("sw-old")
        # What schema 3 adds starts empty, and the old runs' figures are summed up as any.
        assert (baseline.tags, baseline.note) == ((), None)
        assert (baseline.best_test_acc, baseline.best_epoch, baseline.min_test_loss) == (
            0.97,
            2,
            0.10,
        )
        assert resumed.best_epoch == 4  # its one epoch continues its parent's three


def test_an_upgraded_store_takes_tags_and_notes_and_keeps_them(old_store):
    with RunStore(old_store) as store:
        store.tag("0a1b2c3d", ["baseline"])
        store.set_note("0a1b2c3d", "the notebook's settings")
    with RunStore(old_store) as store:  # opened again: migrated once, nothing lost
        run = store.get("0a1b2c3d")
        assert (run.tags, run.note) == (("baseline",), "the notebook's settings")
        assert [r.id for r in store.list(tags=["baseline"])] == ["0a1b2c3d"]
    assert pragma(old_store, "user_version") == SCHEMA_VERSION
