"""The run store's tables, how a file is checked before anything is written, and migrations.

A file is only ever written once it is known to be a run store this code can read, or a new,
empty file: anything else (not SQLite, another program's database, a newer schema) is refused
with RunStoreError and left byte for byte as it was. Nothing is written until the checks pass;
even WAL mode, which rewrites the header, waits for them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.errors import first_line, os_error_reason
from core.files import NotAFileError, open_regular
from core.runs.busy import BUSY_TIMEOUT_MS, retrying, transaction
from core.runs.errors import RunStoreError
from core.runs.paths import shown

MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite 3 database
# PRAGMA application_id: marks the file as ours in its header, so another program's database
# that happens to have a "runs" table, or none, is never taken for a run store.
APPLICATION_ID = int.from_bytes(b"MNRS", "big")

# MIGRATIONS[v] takes a store from schema v to v + 1, in one transaction. Append, never edit:
# a file written by an older mnist-tui is brought up to date step by step.
# Statuses and sources are checked in Python, not with CHECK constraints: SQLite cannot alter a
# constraint without rebuilding the table, and a new status should be one line of code.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE runs (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT,
            source TEXT NOT NULL,
            sweep TEXT,
            status TEXT NOT NULL,
            config TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '{}',
            device TEXT NOT NULL,
            data_source TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_at REAL NOT NULL,
            ended_at REAL,
            heartbeat_at REAL NOT NULL,
            test_acc REAL,
            failure TEXT,
            checkpoint TEXT,
            epochs_done INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX runs_newest ON runs (started_at DESC, id DESC)",
        "CREATE INDEX runs_by_sweep ON runs (sweep, started_at DESC) WHERE sweep IS NOT NULL",
        # The integer keys of epochs and progress only grow, so they are follow()'s cursor.
        # Figures may be NULL: SQLite stores a NaN as NULL.
        """CREATE TABLE epochs (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            epoch INTEGER NOT NULL,
            train_loss REAL,
            train_acc REAL,
            test_loss REAL,
            test_acc REAL,
            seconds REAL,
            samples_per_s REAL,
            peak_gpu_mb REAL,
            at REAL NOT NULL,
            UNIQUE (run_id, epoch)
        )""",
        """CREATE TABLE progress (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            epoch INTEGER NOT NULL,
            batch INTEGER NOT NULL,
            batches INTEGER NOT NULL,
            step INTEGER NOT NULL,
            loss REAL,
            acc REAL,
            samples_per_s REAL,
            at REAL NOT NULL
        )""",
        "CREATE INDEX progress_by_run ON progress (run_id)",
    ),
    # 1 -> 2: what is known of a sweep besides its member runs. For now only a stop that any
    # process may ask for and the sweep's runner, wherever it runs, reads between epochs.
    (
        """CREATE TABLE sweeps (
            id TEXT PRIMARY KEY NOT NULL,
            stop_requested_at REAL
        )""",
    ),
    # 2 -> 3: what the user says of a run: a note, and tags (one word each) to find it by.
    # A table, not a column of text: `runs list --tag T` is then one indexed lookup.
    (
        "ALTER TABLE runs ADD COLUMN note TEXT",
        """CREATE TABLE tags (
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (run_id, tag)
        ) WITHOUT ROWID""",
        "CREATE INDEX tags_by_tag ON tags (tag)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
# Each store file this process found undamaged, with the (mtime, size) it had: see check_intact.
_intact: dict[Path, tuple[int, int]] = {}


def connect(path: Path, patience: float) -> sqlite3.Connection:
    """An open connection to the run store at `path`, created or migrated as needed.

    Raises RunStoreError, with the file untouched, when `path` is not a run store this code
    can read.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        reason = os_error_reason(path, err)
        raise RunStoreError(
            f"cannot create the runs folder {shown(path.parent)}: {reason}"
        ) from None
    check_header(path)
    try:
        # isolation_level=None: transactions are begun and ended explicitly, never implicitly.
        db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as err:
        raise RunStoreError(f"cannot open {shown(path)}: {first_line(err)}") from None
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        retrying(lambda: prepare(db, path), path, patience)
    except sqlite3.Error as err:
        db.close()
        raise RunStoreError(
            f"{shown(path)} cannot be used as a run store: {first_line(err)}"
        ) from None
    except BaseException:
        db.close()
        raise
    return db


def check_header(path: Path) -> None:
    """Refuse a path that is not a regular file starting as SQLite does; a new path is fine."""
    try:
        with open_regular(path) as file:
            head = file.read(len(MAGIC))
    except FileNotFoundError:
        return
    except NotAFileError as err:
        raise RunStoreError(f"{shown(path)} cannot be a run store: {err}") from None
    except OSError as err:
        raise RunStoreError(f"cannot read {shown(path)}: {err.strerror or err}") from None
    if head and head != MAGIC:  # an empty file is what SQLite itself makes first
        raise RunStoreError(f"{shown(path)} is not an SQLite database, so not a run store")


def prepare(db: sqlite3.Connection, path: Path) -> None:
    """Check the file is ours (or empty), then switch on WAL and migrate to SCHEMA_VERSION."""
    # In one read transaction: another process may be creating the tables meanwhile, and
    # separate reads could see its tables but not yet its application id.
    transaction(db, "BEGIN", lambda db: check_ours(db, path))
    # WAL: readers never wait for the writer and the writer never waits for readers.
    # synchronous=NORMAL: in WAL mode, still safe against a crash of the process.
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    if read_version(db) != SCHEMA_VERSION:
        transaction(db, "BEGIN IMMEDIATE", lambda db: migrate(db, path))


def migrate(db: sqlite3.Connection, path: Path) -> None:
    # Checked again under the write lock: another process may have migrated it meanwhile.
    check_ours(db, path)
    for step in MIGRATIONS[read_version(db) :]:
        for statement in step:
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def read_version(db: sqlite3.Connection) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def check_ours(db: sqlite3.Connection, path: Path) -> None:
    """Raise RunStoreError unless the file is an empty database or a run store we can read."""
    app = db.execute("PRAGMA application_id").fetchone()[0]
    version = read_version(db)
    objects = [
        (kind, name)
        for kind, name in db.execute("SELECT type, name FROM sqlite_master ORDER BY name")
        if not name.startswith("sqlite_")
    ]
    tables = [name for kind, name in objects if kind == "table"]
    where = shown(path)
    if app == 0 and version == 0 and not objects:
        return  # a new, empty database
    if app != APPLICATION_ID:
        listed = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        what = f"tables {listed}" if tables else "no tables"
        raise RunStoreError(
            f"{where} is another program's SQLite database ({what}), not an mnist-tui run store"
        )
    if version > SCHEMA_VERSION:
        raise RunStoreError(
            f"{where} was written by a newer mnist-tui (schema {version}; "
            f"this one reads up to {SCHEMA_VERSION})"
        )
    if version > 0 and "runs" not in tables:
        raise RunStoreError(f"{where} is a damaged run store: it has no runs table")
    check_intact(db, path)


def check_intact(db: sqlite3.Connection, path: Path) -> None:
    """Refuse a store whose pages are damaged, a valid header notwithstanding.

    Checked on open, so a damaged store is found out before a run trains, not when its first
    epoch cannot be written. quick_check reads every page (about 50 ms for 2,000 runs), so a
    file found intact is not checked again until it changes: the screens reopen the store
    every second, and the main file changes only when SQLite folds the WAL into it.
    """
    stat = path.stat()
    key, state = path.resolve(), (stat.st_mtime_ns, stat.st_size)
    if _intact.get(key) == state:
        return
    problem = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    if problem == "ok":
        _intact[key] = state
    else:
        detail = " ".join(problem.replace("*** in database main ***", "").split())
        raise RunStoreError(
            f"{shown(path)} is a damaged run store ({detail}); move it aside to start a new one"
        )
