"""Where the run store lives: one folder holding runs.sqlite and each run's checkpoint."""

from __future__ import annotations

import os
import re
from pathlib import Path

RUNS_ENV = "MNIST_TUI_RUNS"
DB_NAME = "runs.sqlite"
RUN_ID = re.compile(r"[0-9a-f]{8}")  # secrets.token_hex(4): short to type, 4e9 ids per store


def runs_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The runs folder: `explicit` (--runs DIR), else $MNIST_TUI_RUNS, else the user data dir.

    The default is platformdirs' per-user data folder (it honours XDG_DATA_HOME): runs are
    data a user keeps, unlike the dataset cache. Nothing is created here.
    """
    if explicit is not None and str(explicit):
        return Path(explicit).expanduser()
    if os.environ.get(RUNS_ENV):
        return Path(os.environ[RUNS_ENV]).expanduser()
    try:
        import platformdirs  # deferred: only the default needs it
    except ImportError:  # a GPU box with only torch and rich: what platformdirs gives on Linux
        return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share") / "mnist-tui"
    return Path(platformdirs.user_data_dir("mnist-tui", appauthor=False))


def store_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database file in the runs folder that runs_dir(explicit) names."""
    return runs_dir(explicit) / DB_NAME


def is_run_id(text: str) -> bool:
    return RUN_ID.fullmatch(text) is not None


def checkpoint_path(run_id: str, folder: str | os.PathLike | None = None) -> Path:
    """Where run `run_id` keeps its checkpoint: `<id>.pt` in the runs folder."""
    if not is_run_id(run_id):  # the id becomes a file name: never a path of its own
        raise ValueError(f"{run_id!r} is not a run id (8 hex digits)")
    return (runs_dir() if folder is None else Path(folder)) / f"{run_id}.pt"


def shown(path: str | os.PathLike) -> str:
    """A path as messages show it, with the home folder written as ~."""
    text, home = str(path), str(Path.home())
    if home not in ("", "/") and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home) :]
    return text
