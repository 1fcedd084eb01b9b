"""Telling a run whose process died from one still training, so none stays "running" forever.

A process that is killed, or interrupted before it could say how the run ended, leaves its run
"running". Readers judge such a run by the writer's host, pid and heartbeat: on this host the
pid answers for the process; on another host only the heartbeat can.
"""

from __future__ import annotations

import functools
import os
import socket
import sys

from core.runs.records import RunRecord

# A live run writes a heartbeat with every progress sample (a few a second) and every epoch,
# so a minute of silence from another host means it is gone.
STALE_AFTER_S = 60.0
# On this host the pid says whether the writer lives. The heartbeat still counts after ten
# minutes, because pids are reused (a container's training process is often pid 1 again).
SAME_HOST_STALE_AFTER_S = 600.0


@functools.cache
def this_host() -> str:
    return socket.gethostname()


def process_exists(pid: int) -> bool:
    """Whether a process with this pid lives on this machine (a zombie does not)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return True  # os.kill would terminate it on Windows; the heartbeat decides there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # PermissionError: it lives, as another user's process
    return not is_zombie(pid)


def is_zombie(pid: int) -> bool:
    # A killed child stays a zombie until its parent waits for it; it trains no more.
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            stat = file.read()
    except OSError:
        return False
    # The state follows the command name, which is in parentheses and may hold any byte.
    state = stat[stat.rfind(b")") + 2 : stat.rfind(b")") + 3]
    return state in (b"Z", b"X")


def abandoned(run: RunRecord, now: float, stale_after: float = STALE_AFTER_S) -> bool:
    """Whether a "running" run's writer is gone, so the run should read as "interrupted"."""
    if not run.running:
        return False
    silent = now - run.heartbeat_at
    if run.host == this_host():
        return not process_exists(run.pid) or silent > max(stale_after, SAME_HOST_STALE_AFTER_S)
    return silent > stale_after
