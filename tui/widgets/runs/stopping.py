"""`s` on a sweep, from the Runs list or the sweep view: a stop request through the run store.

The request is a row in the store, not a signal: the sweep's runner polls it between steps,
whether it trains in this app, in a headless `mnist-tui sweep` in another terminal, or on Ray.
"""

from __future__ import annotations

from textual import work
from textual.screen import Screen

from core.runs import RunStore, RunStoreError
from tui.host import app_host
from tui.widgets.runs.messages import SweepStopAsked
from tui.workers import reports_failure


def stop_text(sweep_id: str, running: int) -> str:
    """What the user is told once the request is written."""
    if running:
        runs = f"its {running} running runs end" if running != 1 else "its running run ends"
        return f"Asked sweep {sweep_id} to stop: {runs} as stopped; finished runs stay."
    return f"Sweep {sweep_id} has no run training now; it is marked to stop, so none starts."


class StopsSweeps(Screen):
    """For a screen: ask_sweep_stop() writes the request on a thread and notifies."""

    def ask_sweep_stop(self, sweep_id: str) -> None:
        self.write_sweep_stop(app_host(self).options.runs, sweep_id)

    @work(thread=True, group="sweep-stop", exit_on_error=False)
    @reports_failure("Sweep")
    def write_sweep_stop(self, folder: str | None, sweep_id: str) -> None:
        # A write may wait for a training process's lock: never on the UI thread.
        try:
            with RunStore.open(folder) as store:
                running = sum(run.running for run in store.sweep_members(sweep_id))
                store.request_sweep_stop(sweep_id)
        except RunStoreError as error:
            self.post_message(SweepStopAsked(str(error), failed=True))
        else:
            self.post_message(SweepStopAsked(stop_text(sweep_id, running)))

    def on_sweep_stop_asked(self, message: SweepStopAsked) -> None:
        if message.failed:
            self.notify(message.text, title="Sweep", severity="error", timeout=8)
        else:
            self.notify(message.text, title="Sweep", timeout=8)
