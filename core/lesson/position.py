"""Which step the lesson reached, kept between sessions in the user's state folder.

A convenience, never a reason to fail: a missing file reads as step 0, and so does a damaged
one (its one-line problem is there for the app to show); a position that cannot be written is
dropped, and the next one written replaces a damaged file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from core.files import StateFileError, atomic_write, read_small_json

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
    """The saved step, 0 <= step < count; 0 when there is none or it cannot be used."""
    return position_and_problem(count)[0]


def position_and_problem(count: int) -> tuple[int, str | None]:
    """The saved step (as read_position), and why the file could not be used, if it could not."""
    path = position_file()
    try:
        saved = read_small_json(path, MAX_BYTES)
    except StateFileError as err:
        return 0, str(err)
    if saved is None:
        return 0, None
    step = saved.get("step") if isinstance(saved, dict) else None
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < count:
        return 0, f"{path} holds no step of this lesson"
    return step, None


def write_position(step: int) -> bool:
    """Save the step reached; False (and nothing written) when the folder cannot be written."""
    payload = json.dumps({"step": int(step)}).encode()
    try:
        atomic_write(position_file(), lambda file: file.write(payload))
    except OSError:
        return False
    return True
