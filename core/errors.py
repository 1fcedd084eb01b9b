"""How an exception becomes the one line a user reads."""

from __future__ import annotations

import os
from pathlib import Path


def first_line(err: BaseException) -> str:
    """The first non-empty line of the error's text, or its type's name when it has none."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def last_line(err: BaseException) -> str:
    """The most specific line of a chained, multi-line error (torchvision names the cause last)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[-1] if lines else type(err).__name__


def os_error_reason(path: str | os.PathLike, err: OSError) -> str:
    """Why `path` cannot be written, in words: a parent that is a file says so, not "Errno 17"."""
    for parent in Path(path).parents:
        if parent.exists():
            if not parent.is_dir():
                return f"{parent} is a file, not a folder"
            break
    return err.strerror or str(err)
