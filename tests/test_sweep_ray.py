"""Sweeps on Ray: a real local Ray instance (2 CPUs) trains the groups as Tune trials.

No mocks: the trials run in Ray worker processes, their results come back through Tune, and
RunRecorders write them to a real run store (a temp folder per test, tests/conftest.py).
Ray is an optional extra; without it these tests skip, except under CI=true, where the
Makefile installs it and a missing Ray fails.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from core.config import TrainConfig
from core.data import load_splits
from core.events import (
    BatchProgress,
    EpochEnd,
    RunFailed,
    RunFinished,
    RunStarted,
    from_json,
    to_json,
)
from core.runs import RunRecorder, RunStore
from core.sweep import ray_backend
from core.sweep.plan import Member
from core.sweep.ray_backend import (
    RayUnavailable,
    Relay,
    TrialReporter,
    run_groups_on_ray,
    split_address,
    trial_resources,
)
from core.train import fit
from tests.datasets import ray_or_skip

ROOT = Path(__file__).resolve().parents[1]


def on_ray(test):
    """A test on the local Ray instance (tests/conftest.py ray_instance): Ray's own processes
    and its two CPUs would compete with the other workers, so it runs after the parallel pass."""
    slow = pytest.mark.slow(reason="trials in Ray's worker processes; Ray starts in seconds")
    return pytest.mark.serial(slow(test))


@pytest.fixture(scope="module")
def synthetic():
    return load_splits("synthetic")


def member(index: int, label: str, **overrides) -> Member:
    fields = {"dataset": "synthetic", "device": "cpu", "epochs": 1, "hidden": 32} | overrides
    return Member(index, TrainConfig(**fields), label)


def recorded_sweep(groups, sweep_id, **options):
    """Run the groups on Ray with a RunRecorder per member, as core.sweep.runner does."""
    store = RunStore.open()
    members = [m for group in groups for m in group]
    recorders = {
        m.index: RunRecorder(store, "sweep", name=m.label, sweep=sweep_id) for m in members
    }
    seen = []

    def on_member_event(m: Member, event) -> None:
        seen.append((m.index, event, threading.current_thread() is threading.main_thread()))
        recorders[m.index](event)

    options = {"stop": None, "address": None, "early_stop": False, "data_dir": None} | options
    run_groups_on_ray(groups, on_member_event=on_member_event, **options)
    for recorder in recorders.values():
        assert recorder.error is None
    return store, seen


@on_ray
def test_a_sweep_on_local_ray_is_recorded_like_a_local_one(ray_instance, synthetic):
    groups = [
        [member(0, "lr=0.001", lr=1e-3), member(1, "lr=0.003", lr=3e-3)],
        [member(2, "hidden=64", hidden=64)],
    ]
    started = time.monotonic()
    store, seen = recorded_sweep(groups, "ray00001", data={("synthetic", None): synthetic})
    print(
        f"\n2 trials (3 members, 1 epoch) on a local 2-CPU Ray: {time.monotonic() - started:.1f} s"
    )

    runs = store.list(sweep="ray00001")
    assert sorted(r.name for r in runs) == ["hidden=64", "lr=0.001", "lr=0.003"]
    for run in runs:
        assert (run.source, run.sweep, run.status, run.epochs_done) == (
            "sweep",
            "ray00001",
            "finished",
            1,
        )
        [epoch] = store.history(run.id)
        assert 0.1 < epoch.test_acc <= 1 and epoch.train_loss > 0 and epoch.seconds > 0
        assert run.test_acc == epoch.test_acc
        assert any("Ray node" in note for note in run.details["notes"])
        # Two CPUs shared by two trials: each trained its members with one thread.
        assert run.config["threads"] == 1
    # Every member's events arrived on the driver's own thread, in fit()'s order.
    assert all(on_main for _, _, on_main in seen)
    for index in range(3):
        kinds = [type(e) for i, e, _ in seen if i == index and not isinstance(e, BatchProgress)]
        assert kinds == [RunStarted, EpochEnd, RunFinished]

    # The figures are the ones training that member alone gives (to float rounding).
    alone = fit(TrainConfig(**(groups[0][1].config.to_dict() | {"threads": 1})), data=synthetic)
    [ray_run] = [r for r in runs if r.name == "lr=0.003"]
    assert ray_run.test_acc == pytest.approx(alone.history[-1].test_acc, abs=0.003)


@on_ray
def test_cpu_trials_share_the_cores_and_each_trains_with_its_share(ray_instance):
    cpu = [TrainConfig(dataset="synthetic", device="cpu")]
    auto = [TrainConfig(dataset="synthetic", device="auto")]
    # The module's Ray has 2 CPUs and no GPU: a group that could use a GPU gets cores too.
    assert trial_resources(ray_instance, [cpu]) == [{"CPU": 2}]
    assert trial_resources(ray_instance, [cpu, auto]) == [{"CPU": 1}, {"CPU": 1}]
    assert trial_resources(ray_instance, [cpu, cpu, cpu]) == [{"CPU": 1}] * 3


@on_ray
def test_stop_from_another_thread_ends_the_trial_and_records_its_members_stopped(
    ray_instance, synthetic
):
    """The sweep runs on a worker thread, as in the app; the UI thread asks it to stop."""
    stop, first_epoch = threading.Event(), threading.Event()
    store = RunStore.open()
    recorder = RunRecorder(store, "sweep", name="long", sweep="ray00002")
    threads = set()

    def on_member_event(m: Member, event) -> None:
        threads.add(threading.current_thread().name)
        recorder(event)
        if isinstance(event, EpochEnd):
            first_epoch.set()

    def sweep() -> None:
        run_groups_on_ray(
            [[member(0, "long", epochs=200)]],
            on_member_event=on_member_event,
            stop=stop,
            address=None,
            early_stop=True,  # ASHA alongside: it never stops the only trial
            data_dir=None,
            data={("synthetic", None): synthetic},
        )

    worker = threading.Thread(target=sweep, name="sweep-worker")
    worker.start()
    assert first_epoch.wait(120)
    stop.set()  # as Ctrl-C or the Runs screen's `s` would
    worker.join(60)
    assert not worker.is_alive()
    assert threads == {"sweep-worker"}  # the driver's events stay on the sweep's thread
    [run] = store.list(sweep="ray00002")
    assert run.status == "stopped"
    assert 1 <= run.epochs_done < 200
    assert run.test_acc == store.history(run.id)[-1].test_acc


@on_ray
def test_early_stop_ends_a_group_that_trails_at_a_rung(ray_instance, synthetic):
    """ASHA halves at 1, 2, 4, 8 epochs: a group that cannot learn (lr 1e-7) and trains slowly
    (2048 units, about 2 s an epoch here) reaches some rung after the fast, learning one, and
    trailing it there is stopped. The leader is never stopped, whatever the order."""
    groups = [
        [member(0, "learns", lr=3e-3, hidden=16, epochs=16)],
        [member(1, "stalls", lr=1e-7, hidden=2048, epochs=16)],
    ]
    store, _ = recorded_sweep(
        groups, "ray00004", early_stop=True, data={("synthetic", None): synthetic}
    )
    runs = {run.name: run for run in store.list(sweep="ray00004")}
    assert (runs["learns"].status, runs["learns"].epochs_done) == ("finished", 16)
    assert runs["stalls"].status == "stopped"
    assert 1 <= runs["stalls"].epochs_done < 16


class DataThatBreaks:
    """A split whose images cannot be read: fit() sends RunFailed, then the trial crashes."""

    labels = list(range(10))

    @property
    def images(self):
        raise RuntimeError("the disk went away")


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@on_ray
def test_a_crashing_trial_ends_its_members_failed_in_one_line(ray_instance):
    got = []
    # What reaches Ray's own handler is what the terminal would show.
    shown = Records()
    logging.getLogger("ray").addHandler(shown)
    try:
        run_groups_on_ray(
            [[member(0, "doomed")]],
            on_member_event=lambda m, event: got.append(event),
            stop=None,
            address=None,
            early_stop=False,
            data_dir=None,
            data={("synthetic", None): (DataThatBreaks(), DataThatBreaks())},
        )
    finally:
        logging.getLogger("ray").removeHandler(shown)
    assert got == [RunFailed("RuntimeError: the disk went away")]
    assert [r.getMessage() for r in shown.records if r.levelno >= logging.WARNING] == []


def run_driver(script: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """A separate Python process, as `mnist-tui sweep --backend ray` would be."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


TINY_SWEEP = """
    import sys, time
    import numpy as np
    from types import SimpleNamespace
    from core.config import TrainConfig
    from core.sweep import ray_backend
    from core.sweep.plan import Member
    if len(sys.argv) > 2:
        ray_backend.INIT_TIMEOUT_S = float(sys.argv[2])
    split = SimpleNamespace(images=np.zeros((8, 28, 28), np.uint8), labels=np.arange(8) % 10)
    group = [Member(0, TrainConfig(dataset="synthetic", device="cpu", epochs=1), "m")]
    started = time.monotonic()
    try:
        ray_backend.run_groups_on_ray(
            [group], on_member_event=print, stop=None, address=sys.argv[1], early_stop=False,
            data_dir=None, data={("synthetic", None): (split, split)})
    except ray_backend.RayUnavailable as err:
        print(f"{time.monotonic() - started:.1f}")
        print(err)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_address_nobody_listens_on_is_refused_in_one_line_quickly():
    ray_or_skip()
    port = free_port()
    result = run_driver(TINY_SWEEP, f"127.0.0.1:{port}")
    assert result.returncode == 0, result.stderr
    seconds, message = result.stdout.strip().splitlines()
    assert float(seconds) < 15
    assert message.startswith(f"no Ray cluster at 127.0.0.1:{port}: connection refused;")
    assert "`ray status` on the head node" in message and f"port {port} is open" in message
    assert "Traceback" not in result.stderr


@pytest.mark.slow(reason="waits out the 10 s it gives a silent port to answer as a Ray head")
def test_a_port_that_is_not_a_ray_head_is_given_up_after_the_init_timeout():
    """ray.init keeps retrying a port that accepts but never answers; the sweep does not."""
    ray_or_skip()
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        result = run_driver(TINY_SWEEP, f"127.0.0.1:{port}", "10")
    assert result.returncode == 0, result.stderr
    seconds, message = result.stdout.strip().splitlines()[-2:]
    assert 10 <= float(seconds) < 25
    assert result.stderr == ""  # Ray's retries are not logged over the terminal
    assert message == (
        f"no Ray cluster at 127.0.0.1:{port}: it did not answer as a Ray head within 10 s; "
        f"check that `ray status` on the head node shows it running and that port {port} "
        "is open to this machine"
    )


@pytest.mark.parametrize("address", ["headnode", "head:", ":6379", "head:99999", "head:63x9"])
def test_a_malformed_address_is_named(address):
    with pytest.raises(RayUnavailable, match="is not HOST:PORT"):
        split_address(address)


def test_addresses_are_split_into_host_and_port():
    assert split_address("10.0.0.5:6379") == ("10.0.0.5", 6379)
    assert split_address("ray://head.lan:10001") == ("head.lan", 10001)
    assert split_address("[::1]:6379") == ("::1", 6379)


def test_without_ray_installed_the_sweep_says_what_to_install():
    script = """
        import sys
        sys.modules["ray"] = None  # as if Ray were not installed
        from core.sweep.plan import Member
        from core.config import TrainConfig
        from core.sweep.ray_backend import RayUnavailable, run_groups_on_ray
        group = [Member(0, TrainConfig(dataset="synthetic", device="cpu"), "m")]
        try:
            run_groups_on_ray([group], on_member_event=print, stop=None, address=None,
                              early_stop=False, data_dir=None)
        except RayUnavailable as err:
            print(err)
    """
    result = run_driver(script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Ray is not installed: pip install 'mnist-tui[ray]'"


@on_ray
def test_joining_a_running_cluster_by_address_records_the_sweep(ray_instance, runs_folder):
    """A second process joins the fixture's Ray by its address, as --ray-address does."""
    address = ray_instance.get_runtime_context().gcs_address
    script = """
        import sys
        from core.config import TrainConfig
        from core.runs import RunStore
        from core.sweep.plan import Member, SweepPlan
        from core.sweep.runner import run_sweep
        config = TrainConfig(dataset="synthetic", device="cpu", epochs=1, hidden=16)
        plan = SweepPlan((Member(0, config, "joined"),), ("hidden",))
        result = run_sweep(plan, store=RunStore.open(), sweep_id="ray00003", backend="ray",
                           ray_address=sys.argv[1])
        print(result.members[0].status)
    """
    started = time.monotonic()
    result = run_driver(script, address)
    print(f"\na second driver joined by address: {time.monotonic() - started:.1f} s")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "finished"
    [run] = RunStore.open().list(sweep="ray00003")
    assert (run.name, run.status, run.epochs_done) == ("joined", "finished", 1)


# --- the pieces on either side of Tune, with real events --------------------------------------


def epoch(n: int, acc: float) -> EpochEnd:
    return EpochEnd(n, 0.5, 0.8, 0.4, acc, 1.0, 6000.0, None)


def progress(n: int) -> BatchProgress:
    return BatchProgress(0, n, 94, n, 0.6, 0.7, 5000.0)


def test_events_survive_the_trip_through_tune_results_as_json():
    started = RunStarted(TrainConfig(hidden=32), "cpu", 25_450, 6000, 1000, 0, "drawn", ("a",))
    events = [
        started,
        progress(3),
        epoch(0, 0.9),
        RunFinished(0.9, 2.0, 1, False),
        RunFailed("loss became nan", 1, 20),
    ]
    for event in events:
        assert from_json(json.loads(json.dumps(to_json(event)))) == event


def test_the_trial_reports_an_epoch_once_every_live_member_has_finished_it(monkeypatch):
    monkeypatch.setattr(ray_backend, "REPORT_EVERY_S", 3600.0)  # only epochs send, here
    reports = []
    reporter = TrialReporter(3, reports.append, "trained on Ray node 10.0.0.7", epochs=5)
    a, b, c = (reporter.handler(slot) for slot in range(3))
    a(RunStarted(TrainConfig(), "cpu", 1, 1, 1, 0, "x"))
    for slot in (a, b, c):
        slot(progress(1))
        slot(progress(2))
    a(epoch(0, 0.91))
    b(RunFailed("loss became inf at epoch 0, step 3", 0, 3))  # a failed member waits for no one
    assert reports == []  # c has not finished epoch 0 yet
    c(epoch(0, 0.93))
    [report] = reports
    assert (report["epochs"], report["test_acc"]) == (1, 0.93)
    sent = [(slot, e["event"]) for slot, e in report["events"]]
    # c's progress was superseded by its epoch's end; a's and b's ended with them
    assert sent == [(0, "run_started"), (0, "epoch_end"), (1, "run_failed"), (2, "epoch_end")]
    assert from_json(report["events"][0][1]).notes == ("trained on Ray node 10.0.0.7",)


def test_the_last_epoch_waits_for_the_members_ends(monkeypatch):
    """ASHA stops a trial at its last epoch; the ends must travel in that same result."""
    monkeypatch.setattr(ray_backend, "REPORT_EVERY_S", 3600.0)
    reports = []
    reporter = TrialReporter(1, reports.append, "node", epochs=2)
    reporter.on_event(0, epoch(0, 0.5))
    assert [r["epochs"] for r in reports] == [1]
    reporter.on_event(0, epoch(1, 0.6))
    assert len(reports) == 1  # held back
    reporter.on_event(0, RunFinished(0.6, 1.0, 2, False))
    reporter.flush(final=True)  # what train_trial does when training returns
    assert reports[-1]["epochs"] == 2
    assert [e["event"] for _, e in reports[-1]["events"]] == ["epoch_end", "run_finished"]


def test_progress_alone_is_sent_about_once_a_second_newest_only(monkeypatch):
    monkeypatch.setattr(ray_backend, "REPORT_EVERY_S", 60.0)  # a slow machine is not "later"
    reports = []
    reporter = TrialReporter(1, reports.append, "node", epochs=5)
    reporter.last = time.monotonic() - 120  # the last report was long ago
    reporter.on_event(0, progress(7))
    [report] = reports
    assert [from_json(e) for _, e in report["events"]] == [progress(7)]
    reporter.on_event(0, progress(8))  # within the second: held back
    reporter.on_event(0, progress(9))
    assert len(reports) == 1
    reporter.flush(final=True)
    assert [from_json(e) for _, e in reports[-1]["events"]] == [progress(9)]


class FakeTrial:
    """What the relay reads from a Tune trial: its config and its error."""

    def __init__(self, group: int, error: Exception | None = None) -> None:
        self.config, self.error = {"group": group}, error

    def get_error(self):
        return self.error


def test_members_of_a_trial_that_ends_without_their_end_are_closed_on_the_driver():
    groups = [[member(0, "a", epochs=3), member(1, "b", epochs=3)], [member(2, "c")]]
    got = []
    relay = Relay(groups, lambda m, e: got.append((m.index, e)))
    start = to_json(RunStarted(TrainConfig(), "cpu", 1, 1, 1, 0, "x"))
    relay.on_trial_result(0, [], FakeTrial(0), {"events": [[0, start], [1, start]]})
    relay.on_trial_result(0, [], FakeTrial(0), {"events": [[0, to_json(epoch(0, 0.9))]]})
    relay.on_trial_result(0, [], FakeTrial(1), {"events": [[0, start]]})
    relay.on_trial_complete(0, [], FakeTrial(0))  # stopped by ASHA or by `stop`
    relay.on_trial_error(0, [], FakeTrial(1, MemoryError("worker ran out of memory")))
    ends = {index: e for index, e in got if isinstance(e, RunFinished | RunFailed)}
    assert ends[0].stopped and ends[0].epochs_done == 1 and ends[0].test_acc == 0.9
    assert ends[1].stopped and ends[1].epochs_done == 0 and ends[1].test_acc is None
    assert ends[2] == RunFailed("Ray trial failed: MemoryError: worker ran out of memory", 0)
    relay.close_unfinished(stopped=True)  # nothing is ended twice
    assert len([e for _, e in got if isinstance(e, RunFinished | RunFailed)]) == 3


def test_a_member_cut_off_after_its_last_epoch_is_finished_not_stopped():
    got = []
    relay = Relay([[member(0, "a", epochs=1)]], lambda m, e: got.append(e))
    start = to_json(RunStarted(TrainConfig(), "cpu", 1, 1, 1, 0, "x"))
    events = [[0, start], [0, to_json(epoch(0, 0.8))]]
    relay.on_trial_result(0, [], FakeTrial(0), {"events": events})
    relay.on_trial_complete(0, [], FakeTrial(0))
    end = got[-1]
    assert (end.stopped, end.epochs_done, end.test_acc) == (False, 1, 0.8)


def test_a_member_whose_trial_never_started_is_never_recorded():
    got = []
    relay = Relay([[member(0, "a")]], lambda m, e: got.append(e))
    relay.close_unfinished(stopped=True)
    assert got == []


def test_without_ray_the_sweep_command_refuses_before_its_first_line(runs_folder):
    script = """
        import sys
        sys.modules["ray"] = None  # as if Ray were not installed
        from tui.cli import main
        raise SystemExit(main(["sweep", "--backend", "ray", "--lr", "1e-3,1e-2", "--epochs", "1",
                               "--dataset", "synthetic"]))
    """
    result = run_driver(script)
    assert result.returncode == 1
    assert result.stdout == ""  # no "sweep ... on Ray" header before the refusal
    assert result.stderr == "mnist-tui: Ray is not installed: pip install 'mnist-tui[ray]'\n"


def test_a_version_mismatch_is_said_with_both_sides_versions():
    ray_or_skip()
    from ray._private.utils import check_version_info

    with pytest.raises(RuntimeError) as raised:  # Ray's own check, with a cluster of 2.9.0
        check_version_info({"ray_version": "2.9.0", "python_version": "3.10.1"}, "this node")
    err = raised.value
    line = f"{type(err).__name__}: {' '.join(str(err).split())}"  # as the probe prints it
    here = sys.version.split()[0]
    import ray

    assert ray_backend.probe_cause(line, "10.0.0.5:6379") == (
        "the Ray cluster at 10.0.0.5:6379 runs Ray 2.9.0 on Python 3.10.1 and this machine "
        f"Ray {ray.__version__} on Python {here}; install the same on both"
    )


@pytest.mark.serial
@pytest.mark.slow(reason="starts a Ray head of its own, with token authentication: about 10 s")
def test_a_head_that_refuses_this_machines_token_is_named_as_the_cause(tmp_path):
    """`ray start --head` with a token this machine lacks: the probe says so, not "no cluster"."""
    import secrets
    import shutil
    import signal
    import tempfile

    ray_or_skip()
    home = tmp_path / "home"
    (home / ".ray").mkdir(parents=True)
    (home / ".ray" / "auth_token").write_text(secrets.token_hex(32))
    # A short temp folder of its own: Ray's socket paths must stay under 108 characters, and
    # its "current cluster" file must not send other tests' ray.init() to this head.
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
    port = free_port()
    head = subprocess.Popen(
        [str(Path(sys.executable).with_name("ray")), "start", "--head", f"--port={port}",
         "--num-cpus=1", "--include-dashboard=false", f"--temp-dir={temp}", "--block"],
        env=os.environ | {"HOME": str(home), "RAY_AUTH_MODE": "token"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert head.poll() is None, "ray start --head ended"
            time.sleep(0.2)  # polling for the head's port to open
        for auth_mode in ("", "token"):  # this machine not asked to send a token, or asked
            started = time.monotonic()
            with pytest.MonkeyPatch.context() as env:
                env.setenv("HOME", str(tmp_path))  # no ~/.ray/auth_token here
                env.setenv("RAY_AUTH_MODE", auth_mode)
                with pytest.raises(RayUnavailable) as refused:
                    ray_backend.probe(f"127.0.0.1:{port}")
            assert str(refused.value).startswith(
                f"the Ray cluster at 127.0.0.1:{port} refused this machine's token"
            )
            assert "RAY_AUTH_MODE=token" in str(refused.value)
            assert time.monotonic() - started < ray_backend.INIT_TIMEOUT_S  # said when seen
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        head.wait(timeout=60)
        shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.serial
@pytest.mark.slow(reason="a Ray sweep in a process of its own: Ray starts in seconds")
def test_a_sweep_started_in_a_folder_with_its_own_core_package_trains(tmp_path, runs_folder):
    """Ray puts the driver's folder first on its workers' sys.path; ours must still win."""
    for package in ("core", "tui"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(f"raise ImportError('not our {package}')")
    ray_or_skip()
    result = subprocess.run(
        [sys.executable, "-P", "-m", "tui", "sweep", "--backend", "ray", "--lr", "1e-3,1e-2",
         "--epochs", "1", "--hidden", "16", "--dataset", "synthetic"],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "not our" not in result.stdout + result.stderr
    assert result.stdout.count(" finished ") == 2
