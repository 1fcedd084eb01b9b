"""RunStore: the typed API over runs.sqlite. The SQL stays in this module; callers see records.

Every call is one short transaction on the store's own connection (writes take the write lock
at BEGIN, so a write never fails half way for want of it). One RunStore may be shared between
threads; a process that forks must open its own.
"""

from __future__ import annotations

import builtins
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from core.errors import first_line
from core.events import BatchProgress, EpochEnd
from core.runs import schema
from core.runs.busy import PATIENCE_S, retrying, transaction
from core.runs.errors import RunStoreError, SweepIdError, UnknownRunError
from core.runs.liveness import STALE_AFTER_S, abandoned, this_host
from core.runs.paths import DB_NAME, checkpoint_path, shown, store_path
from core.runs.records import (
    ENDED,
    SOURCES,
    Cursor,
    EpochRecord,
    JsonObject,
    ProgressRecord,
    RunRecord,
    RunUpdate,
    SweepSummary,
    json_object,
    number,
)

T = TypeVar("T")

RUN_COLUMNS = (
    "id, name, source, sweep, status, config, details, device, data_source, host, pid, "
    "started_at, ended_at, heartbeat_at, test_acc, failure, checkpoint, epochs_done"
)
# What a read gives of a run: its stored columns, the user's note and tags, and figures summed
# up from its epochs. Correlated subqueries answer from epochs' (run_id, epoch) index (25 ms for
# 1,000 runs of 30 epochs), so every listing has them without reading each run's history.
RUN_SELECT = f"""{RUN_COLUMNS}, note,
    (SELECT group_concat(tag, ',') FROM tags WHERE tags.run_id = runs.id),
    (SELECT max(test_acc) FROM epochs WHERE epochs.run_id = runs.id),
    (SELECT epoch + 1 FROM epochs WHERE epochs.run_id = runs.id AND test_acc IS NOT NULL
        ORDER BY test_acc DESC, epoch LIMIT 1),
    (SELECT min(test_loss) FROM epochs WHERE epochs.run_id = runs.id),
    (SELECT avg(samples_per_s) FROM epochs WHERE epochs.run_id = runs.id)"""
EPOCH_COLUMNS = (
    "id, run_id, epoch, train_loss, train_acc, test_loss, test_acc, seconds, samples_per_s, "
    "peak_gpu_mb, at"
)
PROGRESS_COLUMNS = "id, run_id, epoch, batch, batches, step, loss, acc, samples_per_s, at"
# A write from the run's own process proves it alive, and brings back a run that a reader
# marked interrupted while the process was only paused (SIGSTOP, a suspended laptop).
ALIVE = (
    "heartbeat_at = :now, "
    "status = CASE status WHEN 'interrupted' THEN 'running' ELSE status END, "
    "ended_at = CASE status WHEN 'interrupted' THEN NULL ELSE ended_at END"
)
# One row per sweep from its members, newest first; runs_by_sweep serves the grouping.
SWEEPS_SQL = """
    SELECT r.sweep, min(r.started_at), max(r.heartbeat_at), count(*),
        sum(r.status = 'finished'), sum(r.status = 'running'), sum(r.status = 'stopped'),
        sum(r.status = 'failed'), sum(r.status = 'interrupted'),
        (SELECT stop_requested_at FROM sweeps WHERE sweeps.id = r.sweep)
    FROM runs AS r WHERE r.sweep IS NOT NULL
    GROUP BY r.sweep ORDER BY min(r.started_at) DESC, r.sweep DESC LIMIT ?
"""
# Each sweep's best member: the finished one with the highest final test accuracy, else (none
# finished) the best of those stopped with a figure; the earliest of equals.
BEST_SQL = """
    SELECT sweep, id, test_acc FROM (
        SELECT sweep, id, test_acc, row_number() OVER (
            PARTITION BY sweep ORDER BY status = 'finished' DESC, test_acc DESC, started_at, id
        ) AS place
        FROM runs WHERE sweep IS NOT NULL AND test_acc IS NOT NULL
    ) WHERE place = 1
"""
HEX = frozenset("0123456789abcdef")
MAX_LABEL = 100  # run and sweep names: one line in a listing
MAX_TAG = 40
MAX_NOTE = 500
MAX_FAILURE = 500


def some(ids: list[str]) -> str:
    """The first three of several ids a lookup matched (it fetches four), for its message."""
    return ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")


class RunStore:
    """Training runs, their epochs and progress, in the SQLite file at `path`.

    Opening creates the file (and its folder) or migrates it; a file that is not a run store
    this code can read raises RunStoreError and is left as it was.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        stale_after: float = STALE_AFTER_S,
        patience: float = PATIENCE_S,
    ) -> None:
        self.path = Path(path).expanduser()
        self.folder = self.path.parent  # also holds each run's checkpoint
        self.stale_after = stale_after
        self.patience = patience
        self._lock = threading.RLock()  # one connection; the UI and a training thread share it
        self._db = schema.connect(self.path, patience)

    @classmethod
    def open(cls, explicit: str | os.PathLike | None = None, **options: Any) -> RunStore:
        """The store in runs_dir(explicit): --runs DIR, $MNIST_TUI_RUNS or the user data dir."""
        return cls(store_path(explicit), **options)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def checkpoint_path(self, run_id: str) -> Path:
        """Where run `run_id` keeps its checkpoint: `<id>.pt` beside the database."""
        return checkpoint_path(run_id, self.folder)

    # Writes from the run's process.

    def create(
        self,
        config: Mapping[str, Any],
        source: str,
        device: str,
        data_source: str,
        name: str | None = None,
        sweep: str | None = None,
        *,
        details: Mapping[str, Any] | None = None,
    ) -> RunRecord:
        """Record a new run, "running" in this process; its id is drawn here."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
        now = time.time()
        record = RunRecord(
            id="",
            name=clean_label(name, "run name"),
            source=source,
            sweep=clean_label(sweep, "sweep name"),
            status="running",
            config=JsonObject.of(config),
            details=JsonObject.of(details or {}),
            device=device,
            data_source=data_source,
            host=this_host(),
            pid=os.getpid(),
            started_at=now,
            ended_at=None,
            heartbeat_at=now,
            test_acc=None,
            failure=None,
            checkpoint=None,
            epochs_done=0,
        )
        row = run_row(record)[1:]

        def insert(db: sqlite3.Connection) -> str:
            for _ in range(8):
                run_id = secrets.token_hex(4)
                try:
                    db.execute(
                        f"INSERT INTO runs ({RUN_COLUMNS}) VALUES ({qmarks(18)})", (run_id, *row)
                    )
                except sqlite3.IntegrityError as err:
                    if "runs.id" not in str(err):
                        raise  # not a taken id: a trigger or check of another program's
                    continue  # the id is taken: draw another
                return run_id
            raise RunStoreError(f"{shown(self.path)}: could not draw an unused run id")

        return replace(record, id=self._write(insert))

    def append_epoch(self, run_id: str, end: EpochEnd) -> None:
        """Record a finished epoch (again, if a resumed run repeats it) and a heartbeat."""
        now = time.time()

        def work(db: sqlite3.Connection) -> None:
            self._touch(
                db, run_id, now, "epochs_done = max(epochs_done, :done)", done=end.epoch + 1
            )
            db.execute(
                "INSERT OR REPLACE INTO epochs (run_id, epoch, train_loss, train_acc, test_loss, "
                "test_acc, seconds, samples_per_s, peak_gpu_mb, at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    run_id,
                    end.epoch,
                    end.train_loss,
                    end.train_acc,
                    end.test_loss,
                    end.test_acc,
                    end.seconds,
                    end.samples_per_s,
                    end.peak_gpu_mb,
                    now,
                ),
            )

        self._write(work)

    def add_progress(self, run_id: str, progress: BatchProgress) -> None:
        """Record a progress sample and a heartbeat. Callers keep this to a few a second."""
        now = time.time()
        p = progress

        def work(db: sqlite3.Connection) -> None:
            self._touch(db, run_id, now)
            db.execute(
                "INSERT INTO progress (run_id, epoch, batch, batches, step, loss, acc, "
                "samples_per_s, at) VALUES (?,?,?,?,?,?,?,?,?)",
                (run_id, p.epoch, p.batch, p.batches, p.step, p.loss, p.acc, p.samples_per_s, now),
            )

        self._write(work)

    def heartbeat(self, run_id: str) -> None:
        """Say that the run's process still lives."""
        now = time.time()
        self._write(lambda db: self._touch(db, run_id, now))

    def finish(
        self,
        run_id: str,
        status: str,
        test_acc: float | None = None,
        failure: str | None = None,
        *,
        epochs_done: int | None = None,
    ) -> None:
        """Record how the run ended: finished, stopped, failed or interrupted."""
        if status not in ENDED:
            raise ValueError(f"a run ends as one of {', '.join(ENDED)}, not {status!r}")
        now = time.time()
        values = {
            "status": status,
            "acc": test_acc,
            "failure": one_line(failure),
            "done": epochs_done,
        }
        sets = (
            "status = :status, ended_at = :now, heartbeat_at = :now, test_acc = :acc, "
            "failure = :failure, epochs_done = coalesce(:done, epochs_done)"
        )
        self._write(lambda db: self._update(db, run_id, sets, now=now, **values))

    def set_checkpoint(self, run_id: str, path: str | os.PathLike) -> None:
        """Remember where the run's checkpoint is (absolute, so any folder can open it)."""
        where = str(Path(path).expanduser().absolute())
        self._write(lambda db: self._update(db, run_id, "checkpoint = :where", where=where))

    # What a user asks for: ids may be given as a unique prefix, or a run by its name.

    def get(self, run_id: str) -> RunRecord:
        """The run with this id, or the only one whose id starts with it."""
        record = self._read(lambda db: self._fetch(db, self._resolve(db, run_id)))
        return self._settle([record])[0]

    def history(self, run_id: str) -> list[EpochRecord]:
        """The run's epochs in order."""

        def work(db: sqlite3.Connection) -> list[Any]:
            key = self._resolve(db, run_id)
            sql = f"SELECT {EPOCH_COLUMNS} FROM epochs WHERE run_id = ? ORDER BY epoch"
            return db.execute(sql, (key,)).fetchall()

        return [epoch_from_row(row) for row in self._read(work)]

    def progress(self, run_id: str) -> list[ProgressRecord]:
        """The run's progress samples in the order they were written."""

        def work(db: sqlite3.Connection) -> list[Any]:
            key = self._resolve(db, run_id)
            sql = f"SELECT {PROGRESS_COLUMNS} FROM progress WHERE run_id = ? ORDER BY id"
            return db.execute(sql, (key,)).fetchall()

        return [progress_from_row(row) for row in self._read(work)]

    def follow(self, run_id: str, since: Cursor | None = None) -> RunUpdate:
        """The run now, with the epochs and progress written after `since` (all, if None).

        For a viewer in another process: poll it (twice a second costs one short read each)
        and pass back the cursor it returns. An epoch that a resumed run repeats comes again.
        """
        since = since or Cursor()

        def work(db: sqlite3.Connection) -> tuple[RunRecord, list[Any], list[Any]]:
            key = self._resolve(db, run_id)
            epochs = db.execute(
                f"SELECT {EPOCH_COLUMNS} FROM epochs WHERE run_id = ? AND id > ? ORDER BY id",
                (key, since.epochs),
            ).fetchall()
            progress = db.execute(
                f"SELECT {PROGRESS_COLUMNS} FROM progress WHERE run_id = ? AND id > ? ORDER BY id",
                (key, since.progress),
            ).fetchall()
            return self._fetch(db, key), epochs, progress

        run, epochs, progress = self._read(work)
        cursor = Cursor(
            epochs=epochs[-1][0] if epochs else since.epochs,
            progress=progress[-1][0] if progress else since.progress,
        )
        return RunUpdate(
            run=self._settle([run])[0],
            epochs=tuple(epoch_from_row(row) for row in epochs),
            progress=tuple(progress_from_row(row) for row in progress),
            cursor=cursor,
        )

    def rename(self, run_id: str, name: str | None) -> RunRecord:
        """Give the run a name (None or blank clears it); the run as it now is."""
        label = clean_label(name, "run name")

        def work(db: sqlite3.Connection) -> RunRecord:
            key = self._resolve(db, run_id)
            db.execute("UPDATE runs SET name = ? WHERE id = ?", (label, key))
            return self._fetch(db, key)

        return self._settle([self._write(work)])[0]

    def tag(self, run_id: str, tags: Iterable[str]) -> RunRecord:
        """Add tags to the run (one it has already stays once); the run as it now is."""
        return self.change_tags(run_id, add=tags)

    def untag(self, run_id: str, tags: Iterable[str]) -> RunRecord:
        """Take tags off the run (one it does not have is no error); the run as it now is."""
        return self.change_tags(run_id, remove=tags)

    def change_tags(
        self, run_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> RunRecord:
        """Add some tags and take others off, in one transaction; tags neither names stay (one
        added meanwhile by another process too). The run as it now is."""
        added, removed = [clean_tag(t) for t in add], [clean_tag(t) for t in remove]

        def work(db: sqlite3.Connection) -> RunRecord:
            key = self._resolve(db, run_id)
            db.executemany(
                "DELETE FROM tags WHERE run_id = ? AND tag = ?", [(key, t) for t in removed]
            )
            db.executemany(
                "INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)", [(key, t) for t in added]
            )
            return self._fetch(db, key)

        return self._settle([self._write(work)])[0]

    def set_note(self, run_id: str, note: str | None) -> RunRecord:
        """Write the run's note (None or blank clears it); the run as it now is."""
        text = clean_note(note)

        def work(db: sqlite3.Connection) -> RunRecord:
            key = self._resolve(db, run_id)
            db.execute("UPDATE runs SET note = ? WHERE id = ?", (text, key))
            return self._fetch(db, key)

        return self._settle([self._write(work)])[0]

    def delete(self, *run_ids: str) -> list[RunRecord]:
        """Delete runs (all or none) and their checkpoints inside the runs folder.

        A run that is still training is refused: its process would go on writing to it.
        """

        def work(db: sqlite3.Connection) -> list[RunRecord]:
            keys = list(dict.fromkeys(self._resolve(db, text) for text in run_ids))
            records = [self._fetch(db, key) for key in keys]
            now = time.time()
            for r in records:
                if r.running and not abandoned(r, now, self.stale_after):
                    raise RunStoreError(
                        f"run {r.id} is still running (pid {r.pid} on {r.host}); "
                        "stop it before deleting it"
                    )
            for table in ("progress", "epochs", "tags"):
                db.executemany(f"DELETE FROM {table} WHERE run_id = ?", [(k,) for k in keys])
            db.executemany("DELETE FROM runs WHERE id = ?", [(k,) for k in keys])
            # A sweep whose last member went forgets its stop request too.
            emptied = (
                "DELETE FROM sweeps WHERE id = ?1 "
                "AND NOT EXISTS (SELECT 1 FROM runs WHERE sweep = ?1)"
            )
            db.executemany(emptied, [(s,) for s in {r.sweep for r in records if r.sweep}])
            return records

        records = self._write(work)
        self._remove_checkpoints(records)
        return records

    # Sweeps: runs that share a sweep id, and the sweep's own row (its stop request).

    def sweeps(self, limit: int | None = None) -> list[SweepSummary]:
        """Sweeps newest first (by their first member's start), each summed up from its runs."""
        params = [-1 if limit is None else max(limit, 0)]

        def work(db: sqlite3.Connection) -> tuple[list[Any], dict[str, tuple[str, float]]]:
            rows = db.execute(SWEEPS_SQL, params).fetchall()
            best = {sweep: (run_id, acc) for sweep, run_id, acc in db.execute(BEST_SQL)}
            return rows, best

        rows, best = self._read(work)
        summaries = []
        for sweep, started, last, *counts, stop_at in rows:
            finished, running, stopped, failed, interrupted = counts[1:]
            if running:  # a member whose process is gone counts as interrupted, as in list()
                gone = sum(not r.running for r in self._settle(self._running_members(sweep)))
                running, interrupted = running - gone, interrupted + gone
            run_id, acc = best.get(sweep, (None, None))
            summaries.append(
                SweepSummary(
                    *(sweep, started, last, counts[0], finished, running, stopped, failed),
                    *(interrupted, run_id, acc, stop_at),
                )
            )
        return summaries

    def sweep_members(self, sweep_id: str) -> list[RunRecord]:
        """The runs of one sweep in the order they started; its id may be a unique prefix."""

        def work(db: sqlite3.Connection) -> list[Any]:
            key = self._resolve_sweep(db, sweep_id)
            sql = f"SELECT {RUN_SELECT} FROM runs WHERE sweep = ? ORDER BY started_at, id"
            return db.execute(sql, (key,)).fetchall()

        return self._settle([run_from_row(row) for row in self._read(work)])

    def request_sweep_stop(self, sweep_id: str) -> None:
        """Ask the sweep to stop; its runner, in whichever process, stops its members.

        Any process may ask, before or while the sweep trains; asking again keeps the first time.
        """
        key = clean_label(sweep_id, "sweep id")
        if key is None:
            raise RunStoreError("a sweep id cannot be blank")
        now = time.time()
        sql = (
            "INSERT INTO sweeps (id, stop_requested_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE "
            "SET stop_requested_at = coalesce(stop_requested_at, excluded.stop_requested_at)"
        )
        self._write(lambda db: db.execute(sql, (key, now)))

    def sweep_stop_requested(self, sweep_id: str) -> bool:
        """Whether some process asked the sweep to stop: one read by key, for polling."""
        sql = "SELECT stop_requested_at IS NOT NULL FROM sweeps WHERE id = ?"
        row = self._read(lambda db: db.execute(sql, (sweep_id,)).fetchone())
        return bool(row and row[0])

    def newest_finished(self) -> RunRecord | None:
        """The most recently started run that finished and has a checkpoint, if any: what the
        app evaluates after a restart, before anything is trained in it."""
        sql = (
            f"SELECT {RUN_SELECT} FROM runs WHERE status = 'finished' AND checkpoint IS NOT NULL "
            "ORDER BY started_at DESC, id DESC LIMIT 1"
        )
        rows = self._read(lambda db: db.execute(sql).fetchall())
        return run_from_row(rows[0]) if rows else None

    def list(
        self, limit: int | None = None, *, sweep: str | None = None, tags: Iterable[str] = ()
    ) -> list[RunRecord]:
        """Runs newest first: all of them, the newest `limit`, those of one sweep, and only
        those with every one of `tags`.

        Defined last: inside the class body, the name `list` is this method from here on.
        """
        params: list[str | int] = []  # the sweep's id, the tags, then the limit
        conditions = []
        if sweep is not None:
            conditions.append("sweep = ?")
            params.append(sweep)
        wanted = sorted({clean_tag(t) for t in tags})
        if wanted:
            conditions.append(
                f"id IN (SELECT run_id FROM tags WHERE tag IN ({qmarks(len(wanted))}) "
                f"GROUP BY run_id HAVING count(*) = {len(wanted)})"
            )
            params += wanted
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = f"SELECT {RUN_SELECT} FROM runs {where} ORDER BY started_at DESC, id DESC LIMIT ?"
        params.append(-1 if limit is None else max(limit, 0))
        rows = self._read(lambda db: db.execute(sql, params).fetchall())
        return self._settle([run_from_row(row) for row in rows])

    # Inside.

    def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return self._transact(work, "BEGIN")

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        # IMMEDIATE takes the write lock first: in WAL mode a read that later turns into a
        # write fails at once with "database is locked" when another writer came between.
        return self._transact(work, "BEGIN IMMEDIATE")

    def _transact(self, work: Callable[[sqlite3.Connection], T], begin: str) -> T:
        with self._lock:
            try:
                return retrying(
                    lambda: transaction(self._db, begin, work), self.path, self.patience
                )
            except sqlite3.Error as err:
                raise RunStoreError(f"{shown(self.path)}: {first_line(err)}") from err

    def _update(self, db: sqlite3.Connection, run_id: str, sets: str, **values: Any) -> None:
        cursor = db.execute(f"UPDATE runs SET {sets} WHERE id = :id", {"id": run_id, **values})
        if cursor.rowcount == 0:
            raise UnknownRunError(f"no run {run_id} in {shown(self.path)}")

    def _touch(
        self, db: sqlite3.Connection, run_id: str, now: float, sets: str = "", **values: Any
    ) -> None:
        self._update(db, run_id, f"{sets}, {ALIVE}" if sets else ALIVE, now=now, **values)

    def _resolve(self, db: sqlite3.Connection, text: str) -> str:
        """The full id of the one run whose id is `text` or starts with it, or else of the one
        run named `text` (the names `runs list` shows): an id's prefix wins over a name."""
        key = text.strip().lower()
        may_be_id = bool(key) and len(key) <= 8 and set(key) <= HEX
        if may_be_id:
            # Ids are hex, so every id that starts with `key` sorts between key and key + "g".
            sql = "SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT 4"
            found = [row[0] for row in db.execute(sql, (key, key + "g"))]
            if len(found) == 1:
                return found[0]
            if found:
                raise RunStoreError(
                    f"{key} is the start of several runs' ids ({some(found)}); give more"
                )
        name = text.strip()
        sql = "SELECT id FROM runs WHERE name = ? ORDER BY started_at LIMIT 4"
        named = [row[0] for row in db.execute(sql, (name,))] if name else []
        if len(named) == 1:
            return named[0]
        if named:
            raise RunStoreError(f"several runs are named {name!r} ({some(named)}); give an id")
        if may_be_id:
            sweep = "SELECT 1 FROM runs WHERE sweep >= ? AND sweep < ? LIMIT 1"
            if db.execute(sweep, (key, key + "g")).fetchone():  # `sweep` printed it first
                raise SweepIdError(
                    f"{key} is a sweep, not a run: runs list --sweep {key} lists its runs"
                )
            raise UnknownRunError(f"no run {key} in {shown(self.path)}")
        raise UnknownRunError(
            f"{text!r} is neither a run's id (8 hex digits, or the first few) nor a run's name "
            f"in {shown(self.path)}"
        )

    def _resolve_sweep(self, db: sqlite3.Connection, text: str) -> str:
        """The sweep id that is `text`, or the only one that starts with it."""
        key = text.strip()
        if db.execute("SELECT 1 FROM runs WHERE sweep = ? LIMIT 1", (key,)).fetchone():
            return key
        # Every id that starts with `key` sorts between key and key followed by the last
        # character there is; runs_by_sweep answers it as a range.
        sql = (
            "SELECT DISTINCT sweep FROM runs WHERE sweep >= ? AND sweep < ? ORDER BY sweep LIMIT 4"
        )
        found = [row[0] for row in db.execute(sql, (key, key + "\U0010ffff"))] if key else []
        if len(found) == 1:
            return found[0]
        if not found:
            raise UnknownRunError(f"no sweep {text.strip()!r} in {shown(self.path)}")
        raise RunStoreError(f"{key} is the start of several sweeps' ids ({some(found)}); give more")

    def _running_members(self, sweep: str) -> builtins.list[RunRecord]:
        sql = f"SELECT {RUN_SELECT} FROM runs WHERE sweep = ? AND status = 'running'"
        rows = self._read(lambda db: db.execute(sql, (sweep,)).fetchall())
        return [run_from_row(row) for row in rows]

    def _fetch(self, db: sqlite3.Connection, key: str) -> RunRecord:
        row = db.execute(f"SELECT {RUN_SELECT} FROM runs WHERE id = ?", (key,)).fetchone()
        if row is None:
            raise UnknownRunError(f"no run {key} in {shown(self.path)}")
        return run_from_row(row)

    def _settle(self, records: builtins.list[RunRecord]) -> builtins.list[RunRecord]:
        """The records, with each "running" run whose process is gone marked "interrupted".

        The mark is written back at once; a heartbeat that came in between wins (the update
        checks it is still the one that was judged stale).
        """
        now = time.time()
        gone = [r for r in records if abandoned(r, now, self.stale_after)]
        if not gone:
            return records

        def mark(db: sqlite3.Connection) -> set[str]:
            sql = (
                "UPDATE runs SET status = 'interrupted', ended_at = heartbeat_at "
                "WHERE id = ? AND status = 'running' AND heartbeat_at = ?"
            )
            return {r.id for r in gone if db.execute(sql, (r.id, r.heartbeat_at)).rowcount}

        try:
            marked = self._write(mark)
        except RunStoreError:
            marked = {r.id for r in gone}  # a read-only store: still report the truth
        changed = {
            r.id: replace(r, status="interrupted", ended_at=r.heartbeat_at)
            for r in gone
            if r.id in marked
        }
        return [changed.get(r.id, r) for r in records]

    def _remove_checkpoints(self, records: builtins.list[RunRecord]) -> None:
        """Remove the deleted runs' checkpoints, but only files inside the runs folder."""
        folder = self.folder.resolve()
        failed = []
        for r in records:
            candidates = {self.checkpoint_path(r.id)}
            if r.checkpoint:
                candidates.add(Path(r.checkpoint))
            for candidate in candidates:
                # The folder part is resolved, not the file: a link is removed, not its target.
                path = Path(os.path.abspath(candidate))
                if path.name.startswith(DB_NAME):
                    continue
                try:
                    if not path.parent.resolve().is_relative_to(folder):
                        continue
                    path.unlink(missing_ok=True)
                except OSError as err:
                    failed.append(f"{shown(path)}: {err.strerror or err}")
        if failed:
            raise RunStoreError(f"deleted the runs, but could not remove {failed[0]}")


def qmarks(n: int) -> str:
    return ", ".join("?" * n)


def run_row(r: RunRecord) -> tuple[Any, ...]:
    """The run as a row of RUN_COLUMNS."""
    return (
        r.id,
        r.name,
        r.source,
        r.sweep,
        r.status,
        json_object(r.config).text,
        json_object(r.details).text,
        r.device,
        r.data_source,
        r.host,
        r.pid,
        r.started_at,
        r.ended_at,
        r.heartbeat_at,
        r.test_acc,
        r.failure,
        r.checkpoint,
        r.epochs_done,
    )


def run_from_row(row: tuple[Any, ...]) -> RunRecord:
    """A run from a row of RUN_SELECT."""
    run_id, name, source, sweep, status, config, details, device, data_source, host, pid = row[:11]
    started, ended, heartbeat, test_acc, failure, checkpoint, epochs_done = row[11:18]
    note, tags, best_acc, best_epoch, min_loss, rate = row[18:]
    return RunRecord(
        *(run_id, name, source, sweep, status, JsonObject(config), JsonObject(details)),
        *(device, data_source, host, pid, started, ended, heartbeat, test_acc, failure),
        *(checkpoint, epochs_done),
        note=note,
        tags=tuple(sorted(tags.split(","))) if tags else (),
        best_test_acc=best_acc,
        best_epoch=best_epoch,
        min_test_loss=min_loss,
        samples_per_s=rate,
    )


def epoch_from_row(row: tuple[Any, ...]) -> EpochRecord:
    _, run_id, epoch, *figures, peak, at = row
    train_loss, train_acc, test_loss, test_acc, seconds, rate = (number(f) for f in figures)
    return EpochRecord(
        run_id, epoch, train_loss, train_acc, test_loss, test_acc, seconds, rate, peak, at
    )


def progress_from_row(row: tuple[Any, ...]) -> ProgressRecord:
    _, run_id, epoch, batch, batches, step, loss, acc, rate, at = row
    return ProgressRecord(
        run_id, epoch, batch, batches, step, number(loss), number(acc), number(rate), at
    )


def clean_label(text: str | None, what: str) -> str | None:
    """A run or sweep name as stored: stripped, None when blank; one printable line."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if len(text) > MAX_LABEL or not text.isprintable():
        raise RunStoreError(f"a {what} is one line of at most {MAX_LABEL} printable characters")
    return text


def clean_tag(text: str) -> str:
    """A tag as stored: one word (no spaces, no commas) of printable characters, in lower
    case, so that `Baseline` and `baseline` are one tag in the app's filter and in `--tag`."""
    tag = text.strip().lower()
    if not tag:
        raise RunStoreError("a tag cannot be empty")
    if any(c.isspace() or c == "," for c in tag) or not tag.isprintable():
        raise RunStoreError(f"a tag is one word without spaces or commas, not {tag!r}")
    if len(tag) > MAX_TAG:
        raise RunStoreError(f"a tag is at most {MAX_TAG} characters, not {len(tag)}")
    return tag


def clean_note(text: str | None) -> str | None:
    """A note as stored: stripped, None when blank; one printable line."""
    if text is None or not text.strip():
        return None
    note = text.strip()
    if len(note) > MAX_NOTE or not note.isprintable():
        raise RunStoreError(f"a note is one line of at most {MAX_NOTE} printable characters")
    return note


def one_line(text: str | None) -> str | None:
    """The first non-blank line of `text`, cut to MAX_FAILURE characters; None if none."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[0][:MAX_FAILURE] if lines else None
