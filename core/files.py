"""Files: written so that a crash never leaves half of one, read only when they are files."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # not on Windows: temps are then judged by their age alone
    fcntl = None

# A save removes the temp files that earlier saves to the same target left behind when they
# were killed (kill -9, a power cut) before their rename. A live write holds an flock on its
# temp file until it is written; the kernel drops the lock when the writer dies, however it
# dies. A temp file younger than FRESH_TEMP_S is never touched (its writer may not have taken
# the lock yet), and without flock one must be older than STALE_TEMP_S.
FRESH_TEMP_S = 2.0
STALE_TEMP_S = 600.0
TEMP_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")  # tempfile's alphabet


class NotAFileError(OSError):
    """The path exists but is a folder, a FIFO, a device or a socket: reading it could hang."""

    def __init__(self, text: str) -> None:
        super().__init__(errno.EINVAL, text)  # strerror is the text, as for any OSError

    def __str__(self) -> str:
        return str(self.strerror)


def describe_kind(mode: int) -> str:
    """What kind of thing a stat mode says a path is, as a user would call it."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike) -> io.BufferedReader:
    """Open `path` for reading in binary mode, but only if it is a regular file.

    A FIFO would block the open until a writer came, /dev/zero would never end and a folder
    cannot be read, so each is refused at once with NotAFileError ("it is a named pipe
    (FIFO), not a regular file"). The stat before the open names the problem; the open is
    non-blocking and checked again with fstat, so a FIFO swapped in between cannot hang it.
    Other failures are the OSError that os.stat or os.open raised.
    """
    _check_regular(os.stat(path))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_regular(os.fstat(fd))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class StateFileError(Exception):
    """One of the app's own small files is there but cannot be used; the message names it."""


def read_small_json(path: Path, max_bytes: int) -> object:
    """The JSON in one of the app's own small state files, or None when there is no file.

    Read as data files are: a FIFO or a device in its place, a file over `max_bytes`, an
    unreadable or non-JSON one raises StateFileError in one line, never hangs or floods memory.
    """
    try:
        with open_regular(path) as file:
            raw = file.read(max_bytes + 1)
    except FileNotFoundError:
        return None
    except NotAFileError as err:
        raise StateFileError(f"{path}: {err}") from None
    except OSError as err:
        raise StateFileError(f"cannot read {path}: {err.strerror or err}") from None
    if len(raw) > max_bytes:
        raise StateFileError(f"{path} is over {max_bytes} bytes, so not one of ours")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # 4,000 "[" nest past the parser's limit
        raise StateFileError(f"{path} is not the JSON this app writes") from None


def _check_regular(info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise NotAFileError(f"it is {describe_kind(info.st_mode)}, not a regular file")


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> Path:
    """Call `write` on a temp file beside `path`, fsync it, then rename it over `path`.

    The previous file stays as it was until the rename, and the rename itself is made durable
    by syncing the folder. Raises OSError (or whatever `write` raises) with the temp file gone.
    Temp files that earlier writes to `path` left behind when they were killed are removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as file:
            if fcntl is not None:  # "a live write uses this file", until it is closed
                fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)
    return path


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def is_temp_of(name: str, path: Path) -> bool:
    """Whether `name` is one that tempfile.mkstemp gives atomic_write's temp files for `path`:
    ".<name>." + 8 characters of tempfile's alphabet + ".tmp", and nothing else."""
    prefix, suffix = temp_prefix(path), ".tmp"
    middle = name[len(prefix) : -len(suffix)]
    return (
        name.startswith(prefix)
        and name.endswith(suffix)
        and len(name) == len(prefix) + 8 + len(suffix)
        and set(middle) <= TEMP_LETTERS
    )


def remove_stale_temps(path: str | os.PathLike) -> list[Path]:
    """Remove the temp files of earlier writes to `path` whose writers are gone.

    Only regular files of this user named as is_temp_of says, older than FRESH_TEMP_S, and
    whose flock can be taken (no live writer holds it); anything that cannot be checked or
    removed is left alone. Returns what was removed.
    """
    path = Path(path)
    try:
        names = [name for name in os.listdir(path.parent) if is_temp_of(name, path)]
    except OSError:
        return []
    removed = []
    for name in names:
        temp = path.parent / name
        try:
            if _remove_if_abandoned(temp):
                removed.append(temp)
        except OSError:
            continue
    return removed


def _remove_if_abandoned(temp: Path) -> bool:
    info = os.lstat(temp)
    age = time.time() - info.st_mtime
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or age < FRESH_TEMP_S:
        return False
    if fcntl is None:
        if age < STALE_TEMP_S:
            return False
        temp.unlink()
        return True
    fd = os.open(temp, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a live write holds it
        temp.unlink()
        return True
    finally:
        os.close(fd)


def copy_atomically(source: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Copy `source` to `target` through atomic_write: never half a file at `target`."""
    with open_regular(source) as src:
        return atomic_write(target, lambda out: shutil.copyfileobj(src, out))


def _fsync_folder(folder: Path) -> None:
    # Makes a rename durable; not every platform can open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # best effort: the data itself is already synced
            os.fsync(fd)
    finally:
        os.close(fd)
