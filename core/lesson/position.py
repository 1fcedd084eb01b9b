"""Which step the lesson reached, with the steps seen and the exercises' verdicts, kept
between sessions in the user's state folder.

A convenience, never a reason to fail: a missing file reads as a fresh start, and so does a
damaged one (its one-line problem is there for the app to show); a file from before verdicts
were kept gives its step and a fresh score; a state that cannot be written is dropped, and the
next one written replaces a damaged file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from core.files import StateFileError, atomic_write, read_small_json
from core.lesson.progress import VERDICTS, Progress

STATE_ENV = "MNIST_TUI_STATE"  # a folder to use instead of platformdirs' (tests set it)
FILE_NAME = "lesson.json"
MAX_BYTES = 65536  # one small object: a step, a few dozen keys and verdicts; bigger is not ours


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
    progress, problem = read_progress(count)
    return progress.step, problem


def read_progress(count: int) -> tuple[Progress, str | None]:
    """The saved progress, 0 <= step < count, and a one-line notice when it starts fresh."""
    path = position_file()
    try:
        saved = read_small_json(path, MAX_BYTES)
    except StateFileError as err:
        return Progress(), str(err)
    if saved is None:
        return Progress(), None
    step = saved.get("step") if isinstance(saved, dict) else None
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < count:
        return Progress(), f"{path} holds no step of this lesson"
    assert isinstance(saved, dict)  # as the step's check above says
    if "version" not in saved:  # written before verdicts were kept: the step is still good,
        return Progress(step), None  # and there was no score to lose: nothing to say
    seen, verdicts = saved.get("seen"), saved.get("verdicts")
    if (
        not isinstance(seen, list)
        or not all(isinstance(key, str) for key in seen)
        or not isinstance(verdicts, dict)
        or not all(isinstance(v, str) and v in VERDICTS for v in verdicts.values())
    ):
        return Progress(step), f"{path} holds a damaged score"
    return Progress(step, set(seen), dict(verdicts)), None


def write_position(step: int) -> bool:
    """Save the step reached alone (no verdicts); False when the folder cannot be written."""
    return write_progress(Progress(step))


def write_progress(progress: Progress) -> bool:
    """Save the progress; False (and nothing written) when the folder cannot be written."""
    payload = json.dumps(progress.as_json()).encode()
    try:
        atomic_write(position_file(), lambda file: file.write(payload))
    except OSError:
        return False
    return True
