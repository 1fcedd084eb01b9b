"""Writing files so that a crash or a full disk never leaves half of one where a whole one was."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


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
    with Path(source).open("rb") as src:
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
