"""The command palette's own commands, the theme kept between sessions, screenshots saved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.command import CommandInput, CommandList, CommandPalette

from core.runs import RunStore
from tests.tui_helpers import (
    hold_training,
    make_app,
    notifications,
    type_text,
    wait_for_data,
    wait_until,
)
from tui.app import MnistApp
from tui.screens.evaluate import EvaluateScreen
from tui.screens.open_checkpoint import OpenCheckpointScreen
from tui.screens.tensors import TensorScreen
from tui.screens.train import TrainScreen
from tui.settings import SCREENSHOTS_ENV, saved_theme, screenshot_dir, settings_file
from tui.state import Options


async def run_command(pilot, title: str, wait: bool = True) -> None:
    """ctrl+p, type the command's title, Enter once the palette lists it first: as a user does.

    The palette searches in a worker: on a busy machine Enter pressed at once would pick
    nothing, so wait for the hit. Then wait for the workers the command started.
    """
    await pilot.press("ctrl+p")
    await pilot.pause()
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    await type_text(pilot, palette.query_one(CommandInput), title)
    results = palette.query_one(CommandList)

    def listed_first() -> bool:
        first = results.get_option_at_index(0) if results.option_count else None
        return first is not None and str(first.prompt).startswith(title)

    # The limit is only a hang guard. Pilot's press waits (up to 1 s, twice) for the process
    # to go idle, which a training run never lets it: tests hold their run (hold_training).
    await wait_until(pilot, listed_first, timeout=60)
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(pilot.app.screen, CommandPalette))
    if wait:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def palette_titles(pilot) -> list[str]:
    return [command.title for command in pilot.app.get_system_commands(pilot.app.screen)]


async def test_palette_lists_the_apps_commands():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        titles = await palette_titles(pilot)
    for expected in (
        "Go to Browse",
        "Go to Tensors",
        "Go to Train",
        "Go to Evaluate",
        "Go to Runs",
        "Go to Lesson",
        "Start training",
        "Save checkpoint",
        "Open checkpoint",
        "Dataset: MNIST",
        "Dataset: Fashion-MNIST",
        "Theme",
        "Screenshot",
    ):
        assert expected in titles
    assert "Dataset: synthetic digits" not in titles  # the one loaded is not offered


async def test_palette_goes_to_a_screen():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        await run_command(pilot, "Go to Tensors")
        assert isinstance(app.screen, TensorScreen)


@pytest.mark.slow(reason="starts a real run from the palette: an epoch, torch's optimizer import")
async def test_palette_starts_and_stops_training(monkeypatch):
    # The run is held at the end of its first epoch (hold_training), so it is still going
    # when "Stop training", which the palette only offers during a run, is typed.
    held = hold_training(monkeypatch)
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await wait_for_data(pilot)
            await run_command(pilot, "Start training", wait=False)
            assert isinstance(app.screen, TrainScreen)
            assert app.training_running
            assert "Stop training" in await palette_titles(pilot)
            await run_command(pilot, "Stop training", wait=False)
        finally:
            held.set()
        # A stop asked for while the worker still imports torch (seconds, cold) lands after it.
        await wait_until(pilot, lambda: not app.training_running)
        with RunStore.open() as store:
            (run,) = store.list()
        assert run.status == "stopped" and run.epochs_done < 3


async def test_palette_opens_the_checkpoint_dialog_on_evaluate():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        await run_command(pilot, "Open checkpoint")
        assert isinstance(app.screen, OpenCheckpointScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, EvaluateScreen)


async def test_palette_save_before_a_run_says_why_not():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        await run_command(pilot, "Save checkpoint")
        assert isinstance(app.screen, TrainScreen)
        assert any("Nothing to save yet" in text for text in notifications(app))


async def test_palette_switches_the_dataset(tmp_path):
    """Fashion-MNIST from the command palette; without its files here, one line and the
    synthetic digits kept."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        app.options = Options(training=app.options.training, download=False)
        await run_command(pilot, "Dataset: Fashion-MNIST")
        if not any("could not be loaded" in t for t in notifications(app)):
            assert app.requested_dataset == "fashion" and app.dataset.name == "fashion"
            assert app.dataset.train.classes[0] == "T-shirt/top"
        else:  # no Debian package here: the app says so, and keeps the synthetic digits
            assert app.dataset.name == "synthetic"
            assert any("could not be loaded" in t for t in notifications(app))


async def test_a_dataset_that_cannot_load_keeps_the_one_in_use_and_says_why_in_one_line(
    tmp_path, monkeypatch
):
    from tests.test_data import write_dataset

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no Fashion-MNIST there
    monkeypatch.delenv("MNIST_TUI_DATA", raising=False)
    monkeypatch.setattr("core.data.DEBIAN_FASHION", tmp_path / "no-debian")
    write_dataset(tmp_path / "mnist")
    app = make_app(dataset="mnist", data_dir=str(tmp_path / "mnist"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(pilot)
        mnist = app.dataset
        assert mnist.name == "mnist"
        app.options = Options(training=app.options.training, download=False)
        await run_command(pilot, "Dataset: Fashion-MNIST")
        assert app.dataset is mnist and app.requested_dataset == "mnist"
        (said,) = [t for t in notifications(app) if "could not be loaded" in t]
        assert said.startswith("Fashion-MNIST could not be loaded, so MNIST stays: ")
        assert "\n" not in said
        assert app.sub_title == "mnist"


async def test_a_theme_picked_in_the_app_is_kept_for_the_next_start():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_data(pilot)
        app.theme = "textual-light"
        await pilot.pause()
    assert saved_theme() == "textual-light"
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        assert again.theme == "textual-light"


async def test_theme_flag_wins_over_the_saved_one_and_is_not_saved():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "nord"
        await pilot.pause()
    flagged = MnistApp(Options(theme="gruvbox"))
    async with flagged.run_test(size=(80, 24)) as pilot:
        assert flagged.theme == "gruvbox"
    assert saved_theme() == "nord"


@pytest.mark.parametrize("content", [b"{not json", b'{"theme": 12}', b'["theme"]', b"x" * 5000])
async def test_a_damaged_settings_file_starts_on_the_default_theme(content):
    settings_file().parent.mkdir(parents=True, exist_ok=True)
    settings_file().write_bytes(content)
    app = make_app()
    default = app.theme
    async with app.run_test(size=(80, 24)):
        assert app.theme == default == "textual-dark"


async def test_a_fifo_in_place_of_the_state_files_is_named_and_replaced_not_waited_on():
    import os

    from core.lesson.position import position_file

    settings_file().parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(settings_file())  # opened plainly, each would block until a writer came
    os.mkfifo(position_file())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        lines = [
            f"{path}: it is a named pipe (FIFO), not a regular file; starting fresh"
            for path in (settings_file(), position_file())
        ]
        # Said after the first frame, once the lesson's steps are counted on a thread.
        await wait_until(pilot, lambda: all(line in notifications(app) for line in lines))
        app.theme = "nord"
        await pilot.pause()
    assert settings_file().is_file() and saved_theme() == "nord"


async def test_a_saved_theme_this_textual_lacks_is_passed_over():
    settings_file().parent.mkdir(parents=True, exist_ok=True)
    settings_file().write_text('{"theme": "no-such-theme"}')
    app = make_app()
    async with app.run_test(size=(80, 24)):
        assert app.theme == "textual-dark"


async def test_screenshot_from_the_palette_is_saved_and_its_path_shown(tmp_path, monkeypatch):
    folder = tmp_path / "shots"
    monkeypatch.setenv(SCREENSHOTS_ENV, str(folder))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_data(pilot)
        await run_command(pilot, "Screenshot")
        # Saved on a worker; the notification naming the file comes once it is written.
        await wait_until(pilot, lambda: any(str(folder) in text for text in notifications(app)))
        saved = list(folder.glob("*.svg"))
        assert len(saved) == 1 and "<svg" in saved[0].read_text()
        shown = notifications(app)
    assert any(str(saved[0]) in text for text in shown)


def test_screenshots_go_to_the_start_folder_when_there_is_no_downloads_folder(
    tmp_path, monkeypatch
):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    monkeypatch.delenv(SCREENSHOTS_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    start = tmp_path / "start"
    start.mkdir()
    monkeypatch.chdir(start)
    assert screenshot_dir() == start
    (home / "Downloads").mkdir()
    assert screenshot_dir() == home / "Downloads"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only folder anyway")
def test_screenshots_fall_back_to_the_state_folder(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv(SCREENSHOTS_ENV, raising=False)
    start = tmp_path / "start"
    start.mkdir(mode=0o555)
    monkeypatch.chdir(start)
    assert screenshot_dir() == Path(os.environ["MNIST_TUI_STATE"]) / "screenshots"
