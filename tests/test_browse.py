"""The dataset browser under Pilot: every binding moves the state it should."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.datasets import mnist_dir
from tests.tui_helpers import make_app, notifications, plain, wait_for_data
from tui.screens.browse import BrowseScreen
from tui.screens.help import HelpScreen
from tui.screens.jump import JumpScreen


async def browser(pilot) -> BrowseScreen:
    await wait_for_data(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BrowseScreen)
    return screen


async def test_opens_on_the_browser_with_synthetic_data_labelled():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await browser(pilot)
        assert screen.index == 0
        assert app.dataset.train.is_synthetic
        assert "synthetic" in app.sub_title
        info = plain(screen.query_one("#sample-info"))
        assert "synthetic" in info


@pytest.mark.slow(reason="dozens of key presses, each waiting for the app to go idle")
async def test_next_previous_and_tens_wrap_around():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await browser(pilot)
        await pilot.press("right", "right", "l")
        assert screen.index == 3
        await pilot.press("left", "h")
        assert screen.index == 1
        await pilot.press("down", "j")
        assert screen.index == 21
        await pilot.press("up")
        assert screen.index == 11
        await pilot.press("left", "left", "left", "left", "left", "left", "left", "left")
        await pilot.press("left", "left", "left", "left")
        assert screen.index == len(app.dataset.train) - 1


async def test_random_moves_somewhere_else():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await browser(pilot)
        await pilot.press("r")
        assert screen.index != 0


async def test_jump_accepts_a_valid_index_and_refuses_junk():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await browser(pilot)
        await pilot.press("g")
        assert isinstance(app.screen, JumpScreen)
        await pilot.press(*"99999", "enter")
        assert isinstance(app.screen, JumpScreen)
        assert "is not an index from 0 to 5,999" in plain(app.screen.query_one("#jump-error"))
        app.screen.query_one(Input).value = ""
        await pilot.press(*"1234", "enter")
        assert app.screen is screen and screen.index == 1234
        await pilot.press("g", "escape")
        assert app.screen is screen and screen.index == 1234


async def test_filter_by_label_then_all():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await browser(pilot)
        labels = app.dataset.train.labels
        await pilot.press("f", "7")
        assert screen.label_filter == 7 and labels[screen.index] == 7
        await pilot.press("right", "right")
        assert labels[screen.index] == 7
        assert len(screen.indices) == int((labels == 7).sum())
        await pilot.press("f", "a")
        assert screen.label_filter is None and len(screen.indices) == len(labels)


async def test_train_test_toggle():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await browser(pilot)
        await pilot.press("t")
        assert screen.split == "test" and len(screen.indices) == len(app.dataset.test)
        await pilot.press("t")
        assert screen.split == "train"


async def test_render_mode_matrix_and_palette_keys():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await browser(pilot)
        assert screen.mode == "halfblock"
        await pilot.press("m")
        assert screen.mode == "ascii"
        await pilot.press("m")
        assert screen.mode == "braille"
        await pilot.press("m")
        assert screen.mode == "halfblock"
        await pilot.press("x")
        assert screen.show_matrix
        digit = plain(screen.query_one("#digit"))
        assert "255" in digit or "  0" in digit
        await pilot.press("x", "b")
        assert not screen.show_matrix and screen.palette == "binary"


async def test_help_lists_keys_and_closes():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await browser(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, BrowseScreen)


@pytest.mark.slow(reason="opens every screen, torch's import for the Train screen among them")
async def test_number_keys_switch_screens_and_back():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await browser(pilot)
        for key, mode in (("2", "tensors"), ("3", "train"), ("4", "evaluate"), ("1", "browse")):
            await pilot.press(key)
            assert app.current_mode == mode
        assert isinstance(app.screen, BrowseScreen)


async def test_q_quits():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await browser(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_missing_real_data_falls_back_to_synthetic_with_a_notice(tmp_path):
    app = make_app(dataset="mnist", data_dir=str(tmp_path / "nowhere"))
    async with app.run_test(size=(80, 24)) as pilot:
        await browser(pilot)
        assert app.dataset.train.is_synthetic
        notices = notifications(app)
        assert any("does not exist" in n and "synthetic" in n for n in notices)


async def test_real_mnist_in_the_browser():
    app = make_app(dataset="mnist", data_dir=str(mnist_dir()))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await browser(pilot)
        assert len(app.dataset.train) == 60000
        await pilot.press("g", "1", "0", "enter")
        assert screen.index == 10 and app.dataset.train.labels[10] == 3


async def test_resize_keeps_the_state():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await browser(pilot)
        await pilot.press("right")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert screen.index == 1
        assert screen.query_one("#thumbnails").capacity() > 4


def test_the_app_starts_without_importing_torch():
    """torch costs seconds to import on 2 cores: the first frame must not wait for it."""
    import subprocess
    import sys

    from tests.datasets import ROOT

    code = "import sys, tui.app; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


async def test_a_named_folder_unlike_the_official_files_is_said_in_the_facts_not_a_toast(
    tmp_path,
):
    from tests.test_data import write_dataset

    write_dataset(tmp_path / "d")
    app = make_app(dataset="mnist", data_dir=str(tmp_path / "d"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_data(pilot)
        assert len(app.dataset.train) == 12 and not app.dataset.train.is_synthetic
        assert not any("official" in n or "md5" in n for n in notifications(app))
        facts = plain(app.screen.query_one("#sample-info"))
        assert "4 of its 4 files" in facts and "differ from the official MNIST files" in facts
        await pilot.press("t")  # the test split: the folder's one verdict, said once
        facts = plain(app.screen.query_one("#sample-info"))
        assert facts.count("differ from the official MNIST files") == 1


async def test_the_facts_say_nothing_of_checksums_for_data_not_named_by_the_user():
    app = make_app()  # synthetic digits: nothing to compare
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_data(pilot)
        assert "md5" not in plain(app.screen.query_one("#sample-info"))
