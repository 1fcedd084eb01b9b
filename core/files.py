"""Files: written so that a crash never leaves half of one, read only when they are files."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


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


def open_regular(path: str | os.PathLike) -> BinaryIO:
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


def _check_regular(info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise NotAFileError(f"it is {describe_kind(info.st_mode)}, not a regular file")


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """Call `write` on a temp file beside `path`, fsync it, then rename it over `path`.

    The previous file stays as it was until the rename, and the rename itself is made durable
    by syncing the folder. Raises OSError (or whatever `write` raises) with the temp file gone.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)
    return path


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
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
