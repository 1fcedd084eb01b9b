"""Waiting out other processes' locks, so that a busy store is never "database is locked".

SQLite's busy_timeout makes most statements wait for a lock, but some give up at once (a WAL
file being recovered, a journal mode changing, two openers migrating a new file); those are
retried here with a short, jittered backoff until PATIENCE_S has passed.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from core.runs.errors import RunStoreError
from core.runs.paths import shown

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5_000  # SQLite's own wait for one statement
PATIENCE_S = 30.0  # the whole wait before telling the user; a write holds the lock for ~1 ms
BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (primary codes; extended ones add high bits)


def is_busy(err: sqlite3.Error) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in BUSY_CODES
    text = str(err).lower()
    return "locked" in text or "busy" in text


def retrying(work: Callable[[], T], path: Path, patience: float = PATIENCE_S) -> T:
    """`work()`, tried again while SQLite says the file is busy or locked; RunStoreError after
    `patience` seconds. `work` must leave no transaction open when it raises."""
    deadline = time.monotonic() + patience
    delay = 0.002
    while True:
        try:
            return work()
        except sqlite3.OperationalError as err:
            if not is_busy(err):
                raise
            if time.monotonic() + delay > deadline:
                raise RunStoreError(
                    f"{shown(path)} stayed locked by another process for {patience:g} s; "
                    "try again when it has finished"
                ) from None
        # Jitter, so that two writers that collided do not wake up together and collide again.
        time.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 0.1)


def transaction(db: sqlite3.Connection, begin: str, work: Callable[[sqlite3.Connection], T]) -> T:
    """`work(db)` inside `begin` ... COMMIT; rolled back if anything, even Ctrl-C, stops it."""
    db.execute(begin)
    try:
        result = work(db)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise
    return result
