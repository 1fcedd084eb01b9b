"""What the app keeps between sessions (the theme) and where its screenshots go.

Like the lesson's position, a convenience and never a reason to fail: a missing settings file
reads as no choice, and so does a damaged one (the app shows its one-line problem once); a
choice that cannot be written is dropped, and the next one written replaces a damaged file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from core.files import StateFileError, atomic_write, read_small_json
from core.lesson.position import position_and_problem, state_dir

SETTINGS_FILE = "settings.json"
MAX_BYTES = 4096  # one small object; anything bigger is not ours
SCREENSHOTS_ENV = "MNIST_TUI_SCREENSHOTS"  # a folder for screenshots, before any guess


def settings_file() -> Path:
    return state_dir() / SETTINGS_FILE


def read_settings() -> dict[str, object]:
    return settings_and_problem()[0]


def settings_and_problem() -> tuple[dict[str, object], str | None]:
    """The saved settings ({} when none), and why the file could not be used, if it could not."""
    path = settings_file()
    try:
        settings = read_small_json(path, MAX_BYTES)
    except StateFileError as err:
        return {}, str(err)
    if settings is None:
        return {}, None
    if not isinstance(settings, dict):
        return {}, f"{path} holds no settings object"
    return settings, None


def state_problems(step_count: int) -> list[str]:
    """One line for each of the app's own state files that is there but could not be used."""
    problems = [settings_and_problem()[1], position_and_problem(step_count)[1]]
    return [f"{problem}; starting fresh" for problem in problems if problem]


def saved_theme() -> str | None:
    theme = read_settings().get("theme")
    return theme if isinstance(theme, str) else None


def save_theme(name: str) -> bool:
    """Remember the theme for the next start; False when the state folder cannot be written."""
    settings = read_settings()
    if settings.get("theme") == name:
        return True
    settings["theme"] = name
    payload = json.dumps(settings).encode()
    try:
        atomic_write(settings_file(), lambda file: file.write(payload))
    except OSError:
        return False
    return True


def writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def screenshot_dir() -> Path:
    """A folder a screenshot can be written to, the most expected first.

    Textual's default is ~/Downloads, which a server rarely has ("Failed to save screenshot").
    So: $MNIST_TUI_SCREENSHOTS, else ~/Downloads when it exists, else the folder the app was
    started in, else a screenshots folder in the state folder, else the temp folder.
    """
    override = os.environ.get(SCREENSHOTS_ENV)
    if override:
        folder = Path(override).expanduser()
        folder.mkdir(parents=True, exist_ok=True)  # an OSError here names the folder asked for
        return folder
    import platformdirs

    for folder in (platformdirs.user_downloads_path(), Path.cwd()):
        if writable(folder):
            return folder
    folder = state_dir() / "screenshots"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path(tempfile.gettempdir())
    return folder if writable(folder) else Path(tempfile.gettempdir())
