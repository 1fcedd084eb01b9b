"""A command whose reader leaves early, as `| head -1` does, run as a real process."""

from __future__ import annotations

import subprocess
from pathlib import Path


def first_line_then_leave(
    argv: list[str], cwd: Path | None = None, timeout: float = 60
) -> tuple[str, str, int]:
    """Read the command's first line, close the pipe as head does after it, and wait: the line,
    what the command said on stderr, and its exit status."""
    child = subprocess.Popen(
        argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stderr is not None  # both piped above
    first = child.stdout.readline()
    child.stdout.close()
    err = child.stderr.read()
    return first, err, child.wait(timeout=timeout)
