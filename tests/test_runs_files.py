"""Where the run store lives, and files it must refuse: each is named in one line and left
byte for byte as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from core.runs import (
    DB_NAME,
    RUNS_ENV,
    SCHEMA_VERSION,
    RunStore,
    RunStoreError,
    checkpoint_path,
    runs_dir,
    store_path,
)
from core.runs.schema import APPLICATION_ID


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(path: Path) -> str:
    """Open `path` as a store, expecting a refusal that changes nothing; the message."""
    before = digest(path)
    neighbours = sorted(os.listdir(path.parent))
    with pytest.raises(RunStoreError) as caught:
        RunStore(path)
    assert digest(path) == before
    assert sorted(os.listdir(path.parent)) == neighbours  # no -wal or -shm left beside it
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def sqlite_file(path: Path, *statements: str) -> Path:
    db = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        db.execute(statement)
    db.close()
    return path


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path):
    path = tmp_path / DB_NAME
    path.write_bytes(b"these are my notes, not a database\n" * 100)
    assert refused(path) == f"{path} is not an SQLite database, so not a run store"


def test_a_corrupt_sqlite_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / DB_NAME
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4080))
    assert refused(path).startswith(f"{path} cannot be used as a run store: ")


def test_another_programs_database_is_refused_and_left_alone(tmp_path):
    path = sqlite_file(
        tmp_path / DB_NAME,
        "CREATE TABLE notes (body TEXT)",
        "INSERT INTO notes VALUES ('keep me')",
    )
    assert refused(path) == (
        f"{path} is another program's SQLite database (tables notes), not an mnist-tui run store"
    )


def test_a_database_with_a_runs_table_but_another_owner_is_refused(tmp_path):
    path = sqlite_file(
        tmp_path / DB_NAME,
        "CREATE TABLE runs (id TEXT)",
        "PRAGMA user_version = 1",
        "PRAGMA application_id = 42",
    )
    assert "is another program's SQLite database (tables runs)" in refused(path)


def test_a_store_from_a_newer_version_is_refused_and_left_alone(tmp_path):
    path = tmp_path / DB_NAME
    with RunStore(path) as store:
        store.create({"epochs": 1}, "python", "cpu", "synthetic")
    newer = SCHEMA_VERSION + 1
    sqlite_file(path, f"PRAGMA user_version = {newer}")  # in WAL mode, as a newer one leaves it
    assert refused(path) == (
        f"{path} was written by a newer mnist-tui (schema {newer}; "
        f"this one reads up to {SCHEMA_VERSION})"
    )


def test_a_folder_where_the_file_should_be_is_refused(tmp_path):
    (tmp_path / DB_NAME).mkdir()
    with pytest.raises(RunStoreError, match=r"runs\.sqlite cannot be a run store: it is a folder"):
        RunStore(tmp_path / DB_NAME)


def test_a_file_where_the_folder_should_be_is_one_line(tmp_path):
    (tmp_path / "runs").write_text("a file")
    with pytest.raises(
        RunStoreError,
        match=r"^cannot create the runs folder .*runs: .*runs is a file, not a folder$",
    ):
        RunStore(tmp_path / "runs" / DB_NAME)


def test_an_empty_file_becomes_a_store(tmp_path):
    path = tmp_path / DB_NAME
    path.touch()
    with RunStore(path) as store:
        assert store.list() == []


def test_a_new_store_is_marked_as_ours_in_wal_mode(tmp_path):
    path = tmp_path / "deep" / "er" / DB_NAME
    RunStore(path).close()
    db = sqlite3.connect(path)
    pragmas = [db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("application_id", "user_version")]
    assert pragmas == [APPLICATION_ID, SCHEMA_VERSION]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_reopening_a_store_keeps_its_runs(tmp_path):
    with RunStore(tmp_path / DB_NAME) as store:
        run = store.create({"epochs": 1}, "headless", "cpu", "synthetic")
    with RunStore(tmp_path / DB_NAME) as store:
        assert [r.id for r in store.list()] == [run.id]


def test_an_explicit_folder_comes_first(tmp_path, monkeypatch):
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "from-env"))
    assert runs_dir(tmp_path / "given") == tmp_path / "given"
    assert store_path(str(tmp_path / "given")) == tmp_path / "given" / DB_NAME


def test_the_environment_variable_comes_next(tmp_path, monkeypatch):
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "from-env"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert runs_dir() == tmp_path / "from-env"
    assert checkpoint_path("0123abcd") == tmp_path / "from-env" / "0123abcd.pt"


def test_otherwise_the_user_data_folder_honours_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.delenv(RUNS_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert runs_dir() == tmp_path / "xdg" / "mnist-tui"
    with RunStore.open() as store:
        assert store.path == tmp_path / "xdg" / "mnist-tui" / DB_NAME
    assert store.path.is_file()


def test_a_refusal_names_the_home_folder_as_a_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / ".local" / "share" / "mnist-tui" / DB_NAME
    path.parent.mkdir(parents=True)
    path.write_text("not sqlite")
    with pytest.raises(RunStoreError) as caught:
        RunStore(path)
    assert str(caught.value).startswith("~/.local/share/mnist-tui/runs.sqlite is not an SQLite")


def test_a_store_damaged_inside_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / DB_NAME
    with RunStore(path) as store:
        for seed in range(20):
            store.create({"seed": seed}, "python", "cpu", "synthetic", name="x" * 90)
    sqlite_file(path, "PRAGMA wal_checkpoint(TRUNCATE)")
    damaged = bytearray(path.read_bytes())
    page = 4096
    assert len(damaged) >= 3 * page
    for start in range(page, len(damaged), page):  # every page past the header's
        damaged[start + 8 : start + 64] = b"\xab" * 56
    path.write_bytes(bytes(damaged))
    message = refused(path)
    assert message.startswith(f"{path} is a damaged run store (")
    assert message.endswith("move it aside to start a new one")
