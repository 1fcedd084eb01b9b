"""Commands run as real processes: one whose reader leaves early, as `| head -1` does, and one
on a terminal of its own (a pty), as a user runs it."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
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


def spawn_on_terminal(argv: list[str], columns: int = 100, rows: int = 30) -> tuple[int, int]:
    """Start `python -m tui ARGV...` on a new pty: its pid, and the fd of the pty's other side."""
    import fcntl
    import pty
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the command, on a terminal of its own
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-m", "tui", *argv])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    return pid, fd


def read_until_closed(fd: int, until: bytes | None = None, timeout: float = 60) -> bytes:
    """What the command wrote to its terminal: up to `until`, or until it closes its side."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (until is None or until not in seen):
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the command's side of the terminal is closed
            break
        if not chunk:
            break
        seen += chunk
    return seen
