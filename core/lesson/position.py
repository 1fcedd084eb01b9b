"""Which step the lesson reached, kept between sessions in the user's state folder.

A convenience, never a reason to fail: a missing, unreadable or corrupt file reads as step 0,
and a position that cannot be written is dropped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from core.files import atomic_write

STATE_ENV = "MNIST_TUI_STATE"  # a folder to use instead of platformdirs' (tests set it)
FILE_NAME = "lesson.json"
MAX_BYTES = 4096  # the file holds one small object; anything bigger is not ours


def state_dir() -> Path:
    """$MNIST_TUI_STATE, else the per-user state folder (platformdirs; honours XDG_STATE_HOME)."""
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_state_dir("mnist-tui", appauthor=False))


def position_file() -> Path:
    return state_dir() / FILE_NAME


def read_position(count: int) -> int:
    """The saved step, 0 <= step < count; 0 when there is none or it cannot be read."""
    try:
        with position_file().open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            return 0
        step = json.loads(raw)["step"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < count:
        return 0
    return step


def write_position(step: int) -> bool:
    """Save the step reached; False (and nothing written) when the folder cannot be written."""
    payload = json.dumps({"step": int(step)}).encode()
    try:
        atomic_write(position_file(), lambda file: file.write(payload))
    except OSError:
        return False
    return True
