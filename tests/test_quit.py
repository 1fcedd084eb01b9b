"""`q` during a training run asks first, and a yes stops the run cleanly (recorded as stopped)
before the app ends; with nothing training, `q` quits at once."""

from __future__ import annotations

import contextlib

from core.runs import RunStore
from tests.tui_helpers import hold_training, make_app, open_train_screen, plain, wait_until
from tui.screens.confirm import ConfirmScreen


@contextlib.asynccontextmanager
async def held_run(monkeypatch, **training):
    """The app with a real run on its Train screen, held at the end of its first epoch: the
    pilot, the screen, and the hold's release (released at the end in any case)."""
    released = hold_training(monkeypatch)
    app = make_app(**training)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_train_screen(pilot)
            await pilot.press("s")
            await wait_until(pilot, lambda: len(screen.history) == 1)
            yield pilot, screen, released
    finally:
        released.set()


def question(app) -> str:
    assert isinstance(app.screen, ConfirmScreen), app.screen
    return plain(app.screen.query_one("#confirm-question"))


async def test_q_with_nothing_training_quits_at_once():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_train_screen(pilot)
        await pilot.press("q")
        assert app.return_code == 0


async def test_q_during_a_run_asks_and_says_the_run_will_be_recorded_as_stopped(monkeypatch):
    async with held_run(monkeypatch, epochs=3) as (pilot, screen, _released):
        app = pilot.app
        await pilot.press("q")
        assert "recorded as stopped" in question(app)
        assert "(y/N)" in question(app)
        await pilot.press("n")
        assert app.screen is screen and screen.running and app.return_code is None
        await pilot.press("q")
        await pilot.press("escape")
        assert app.screen is screen and screen.running and app.return_code is None


async def test_yes_stops_the_run_records_it_stopped_and_then_quits(monkeypatch):
    async with held_run(monkeypatch, epochs=3) as (pilot, screen, released):
        app = pilot.app
        first_epoch = screen.history[0]
        await pilot.press("q")
        await pilot.press("y")
        assert app.return_code is None  # not before the run has ended
        released.set()
        await wait_until(pilot, lambda: app.return_code is not None)
        assert not screen.running
    with RunStore.open() as store:
        (run,) = store.list()
    assert run.status == "stopped" and run.epochs_done == 1
    assert run.test_acc == first_epoch.test_acc


async def test_q_on_another_screen_while_the_train_screen_trains_asks_too(monkeypatch):
    async with held_run(monkeypatch, epochs=3) as (pilot, screen, _released):
        app = pilot.app
        await pilot.press("1")
        await wait_until(pilot, lambda: app.current_mode == "browse")
        browse = app.screen
        await pilot.press("q")
        assert "recorded as stopped" in question(app)
        await pilot.press("escape")
        assert app.screen is browse and screen.running and app.return_code is None


async def test_q_while_stopping_to_quit_asks_nothing_more(monkeypatch):
    async with held_run(monkeypatch, epochs=3) as (pilot, _screen, released):
        app = pilot.app
        await pilot.press("q", "y")  # the run is held: it is still stopping
        await pilot.press("q")
        assert not isinstance(app.screen, ConfirmScreen)
        released.set()
        await wait_until(pilot, lambda: app.return_code == 0)
