"""A sweep's groups as Ray Tune trials, on a local Ray instance or an existing cluster.

Each group (members that share one batched step) is one trial with one GPU, or a share of the
CPU cores where the cluster has no GPU. The trial sends its members' events back inside Tune
results (`tune.report`, about once a second and at every epoch); a Tune callback on the driver
turns them back into core.events objects and calls `on_member_event(member, event)` there, so
the caller's RunRecorders record a Ray sweep exactly as they record a local one.

The data is loaded once on the driver and handed to Tune with `tune.with_parameters`, which puts
it in Ray's object store once; every trial on a node maps the same arrays, so worker machines
need the project installed but not the dataset files.

Ray is optional (`pip install 'mnist-tui[ray]'`) and imported only when a Ray sweep starts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.config import TrainConfig
from core.errors import first_line
from core.events import (
    BatchProgress,
    EpochEnd,
    Event,
    RunFailed,
    RunFinished,
    RunStarted,
    from_json,
    to_json,
)

if TYPE_CHECKING:
    from core.sweep.plan import Member
    from core.train import SplitLike

INSTALL_HINT = "pip install 'mnist-tui[ray]'"
CONNECT_TIMEOUT_S = 5.0  # a plain TCP connect to the head's port answers within this or never
# ray.init(address=...) retries a head that does not answer for minutes (measured with Ray
# 2.60: over 2 minutes); joining a cluster is given up after this instead. Importing Ray comes
# on top (2-7 s on a 2-core machine), so a bad address is named within about 15 s.
INIT_TIMEOUT_S = 12.0
REPORT_EVERY_S = 1.0  # how often a trial sends its members' events back between epochs
# ASHA halves the trials at each rung (1, 2, 4, ... epochs): with the few groups a sweep has,
# Tune's default of keeping a quarter would stop nearly everything at the first rung.
ASHA_REDUCTION = 2

DataKey = tuple[str, str | None]  # (dataset, data_dir), as core.sweep.runner keys loaded data
MemberHandler = Callable[["Member", Event], None]


class RayUnavailable(Exception):
    """Ray cannot be used: not installed, or the cluster cannot be reached; one line."""


def run_groups_on_ray(
    groups: Sequence[Sequence[Member]],
    *,
    on_member_event: MemberHandler,
    stop: threading.Event | None,
    address: str | None,
    early_stop: bool,
    data_dir: str | None,
    data: dict[DataKey, tuple[SplitLike, SplitLike]] | None = None,
) -> None:
    """Train every group as one Ray Tune trial; each member's events reach `on_member_event`.

    Without `address` a local Ray instance is started on this machine's cores (and shut down
    at the end); with one ("HOST:PORT" of a `ray start --head`) the sweep joins that cluster.
    If Ray is already initialised in this process, that instance is used as it is.
    `data_dir` is used for members whose config names none; `data` maps (dataset, data_dir)
    to (train, test) already loaded. `stop` set: the running trials end and their members are
    recorded as stopped. `early_stop`: Tune's ASHA scheduler ends the groups whose best test
    accuracy trails at 1, 2, 4, ... epochs; their members end as stopped.
    Raises RayUnavailable (one line) and core.data.DataError before anything is recorded.
    """
    groups = [list(group) for group in groups if group]
    if not groups:
        return
    stop = stop or threading.Event()
    ray, tune = import_ray()
    configs = [[with_data_dir(m.config, data_dir) for m in group] for group in groups]
    loaded = load_group_data(configs, data)
    started_here = connect(ray, address)
    storage = tempfile.mkdtemp(prefix="mnist-tui-ray-")
    relay = tune_class(Relay, tune.Callback)(groups, on_member_event)
    try:
        resources = trial_resources(ray, configs)
        trainable = tune.with_resources(
            tune.with_parameters(
                train_trial,
                groups=[[c.to_dict() for c in group] for group in configs],
                data=loaded,
                threads=[r["CPU"] for r in resources],
            ),
            lambda trial_config: tune.PlacementGroupFactory([resources[trial_config["group"]]]),
        )
        scheduler = None
        if early_stop:
            scheduler = tune.schedulers.ASHAScheduler(
                time_attr="epochs",
                metric="test_acc",
                mode="max",
                max_t=max(c.epochs for group in configs for c in group),
                grace_period=1,
                reduction_factor=ASHA_REDUCTION,
            )
        tuner = tune.Tuner(
            trainable,
            param_space={"group": tune.grid_search(list(range(len(groups))))},
            tune_config=tune.TuneConfig(
                scheduler=scheduler,
                num_samples=1,
                trial_dirname_creator=lambda trial: f"group-{trial.config['group']}",
            ),
            run_config=tune.RunConfig(
                name="sweep",
                storage_path=storage,  # a temp folder: nothing lands in ~/ray_results
                stop=tune_class(StopWhenSet, tune.Stopper)(stop),
                callbacks=[relay],
                failure_config=tune.FailureConfig(max_failures=0),
                verbose=0,  # no trial tables in the terminal: the caller prints the sweep
            ),
        )
        tuner.fit()
    finally:
        relay.close_unfinished(stopped=stop.is_set())
        if started_here:
            ray.shutdown()
        shutil.rmtree(storage, ignore_errors=True)


def import_ray() -> tuple[Any, Any]:
    """Ray and Ray Tune, quietened; RayUnavailable with the install command when missing."""
    # Tune's default loggers would write every result (the members' events) as CSV, JSON and
    # TensorBoard files; the run store is where a sweep is recorded.
    os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")
    # The caller owns Ctrl-C (it sets `stop`, which ends the trials as stopped); Tune's own
    # handler would end the run its way and print a hint about pressing it again.
    os.environ.setdefault("TUNE_DISABLE_SIGINT_HANDLER", "1")
    # Tune's newer console output prints a configuration table even at verbose=0.
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    try:
        import ray
        from ray import tune
        from ray.tune import schedulers  # noqa: F401  (tune.schedulers.ASHAScheduler)
    except ImportError as err:
        raise RayUnavailable(f"Ray is not installed: {INSTALL_HINT}") from err
    for name in ("ray", "ray.train", "ray.air"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # A trial that crashes is logged by Tune with its traceback; the sweep reports it as its
    # members' RunFailed, in one line (the traceback stays in the worker's log under /tmp/ray).
    logging.getLogger("ray.tune").setLevel(logging.CRITICAL)
    return ray, tune


def with_data_dir(config: TrainConfig, data_dir: str | None) -> TrainConfig:
    if data_dir is None or config.data_dir is not None:
        return config
    return dataclasses.replace(config, data_dir=data_dir)


def load_group_data(
    configs: Sequence[Sequence[TrainConfig]],
    given: dict[DataKey, tuple[SplitLike, SplitLike]] | None,
) -> dict[DataKey, tuple[SplitLike, SplitLike]]:
    """Each dataset the groups train on, loaded once here on the driver."""
    from core.data import load_splits

    data: dict[DataKey, tuple[SplitLike, SplitLike]] = {}
    for group in configs:
        key = (group[0].dataset, group[0].data_dir)
        if key in data:
            continue
        data[key] = given[key] if given and key in given else load_splits(*key)
    return data


# --- connecting -----------------------------------------------------------------------------


def connect(ray: Any, address: str | None) -> bool:
    """Start or join Ray; True when this call started it (and so must shut it down)."""
    if ray.is_initialized():
        return False
    quiet = {"log_to_driver": False, "logging_level": logging.ERROR, "include_dashboard": False}
    if address is None:
        with started_from(PROJECT_FOLDER):
            ray.init(num_cpus=os.cpu_count(), **quiet)
        return True
    address = address.strip()
    check_address(address)
    probe(address)
    with started_from(PROJECT_FOLDER):
        ray.init(address=address, **quiet)
    return True


def check_address(address: str) -> None:
    """RayUnavailable in seconds for a malformed, unknown or refused address ("auto" aside)."""
    if address.strip() != "auto":
        host, port = split_address(address.strip())
        check_reachable(host, port, address.strip())


# Ray puts the driver's current folder first on every worker's sys.path (ray/_private/worker.py
# in Ray 2.60), ahead of site-packages: a `core/` or `tui/` package in the folder a sweep was
# started from would stand in for this project's in the trials. So Ray is started from the
# folder that holds this project's own packages.
PROJECT_FOLDER = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def started_from(folder: Path) -> Iterator[None]:
    """Run the body with `folder` as the current folder. Only around ray.init: nothing else in
    the sweep runs meanwhile, and every path it uses was made absolute or opened before."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


def split_address(address: str) -> tuple[str, int]:
    """HOST:PORT (or ray://HOST:PORT for Ray Client) as its parts; one line when malformed."""
    bare = address.removeprefix("ray://")
    host, sep, port = bare.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise RayUnavailable(
            f"--ray-address {address!r} is not HOST:PORT (the head's `ray start --head` "
            "prints it, e.g. 10.0.0.5:6379)"
        )
    return host.strip("[]"), int(port)


def unreachable(address: str, why: str) -> RayUnavailable:
    port = address.rpartition(":")[2]
    return RayUnavailable(
        f"no Ray cluster at {address}: {why}; check that `ray status` on the head node "
        f"shows it running and that port {port} is open to this machine"
    )


def check_reachable(host: str, port: int, address: str) -> None:
    """Fail in seconds on a refused, unroutable or misspelled address, before ray.init."""
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except socket.gaierror:
        raise unreachable(address, f"the host name {host!r} is not known") from None
    except TimeoutError:
        raise unreachable(address, f"no answer within {CONNECT_TIMEOUT_S:g} s") from None
    except OSError as err:
        raise unreachable(address, (err.strerror or str(err)).lower()) from None


# Run in a child process: a head that does not answer keeps ray.init retrying (and Ray's C++
# core logging each retry to stderr, which would land on a terminal UI) for minutes; a child
# can be given up on and killed cleanly. An exception's whole text goes on one line: Ray puts
# the versions of a version mismatch on the lines after the first.
PROBE = """
import sys
try:
    import ray
    ray.init(address=sys.argv[1], log_to_driver=False, include_dashboard=False, logging_level=40)
    ray.shutdown()
except Exception as err:
    print(type(err).__name__ + ": " + " ".join(str(err).split()), flush=True)
    sys.exit(1)
"""
# A head that refuses the token sent is said only in Ray's C++ core's log, once a second while
# it retries; a client told to send one (RAY_AUTH_MODE=token) that has none raises at once.
AUTH_REFUSED = ("InvalidAuthToken", "Unauthenticated", "AuthenticationError")
VERSIONS = re.compile(r"Ray: (\S+) Python: (\S+) .* Ray: (\S+) Python: (\S+)")


def probe(address: str) -> None:
    """Join the cluster once from a child process; RayUnavailable naming the cause if it cannot:
    a refused token, Ray or Python versions that differ, or no answer within INIT_TIMEOUT_S."""
    said: list[str] = []
    deadline = time.monotonic() + INIT_TIMEOUT_S
    with subprocess.Popen(  # closes the pipe and waits for the child, however this ends
        # -P: a `ray/` or `core/` folder where the sweep was started must not stand in.
        [sys.executable, "-P", "-c", PROBE, address],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    ) as child:
        assert child.stdout is not None  # piped above
        try:
            for line in lines_until(child.stdout.fileno(), deadline):
                said.append(line)
                cause = probe_cause(line, address)
                if cause is not None:  # a refused token is retried for 20 s: no need to wait
                    raise RayUnavailable(cause)
        finally:
            child.kill()
    if child.returncode == 0:
        return
    if time.monotonic() >= deadline:
        why = f"it did not answer as a Ray head within {INIT_TIMEOUT_S:g} s"
        raise unreachable(address, why)
    raise unreachable(address, said[-1] if said else f"exit status {child.returncode}")


def lines_until(fd: int, deadline: float) -> Iterator[str]:
    """The lines a child writes to `fd`, until it closes it or the deadline passes."""
    pending = b""
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        *whole, pending = (pending + chunk).split(b"\n")
        yield from (line.decode(errors="replace").strip() for line in whole)
    if pending:
        yield pending.decode(errors="replace").strip()


def probe_cause(line: str, address: str) -> str | None:
    """The whole message for one line of the probe's output that names a cause a user can act
    on: a refused token, or Ray or Python versions that differ."""
    if any(marker in line for marker in AUTH_REFUSED):
        return (
            f"the Ray cluster at {address} refused this machine's token (Ray token "
            "authentication): set RAY_AUTH_MODE=token and give this machine the head's token "
            "(`ray get-auth-token` there) in ~/.ray/auth_token or RAY_AUTH_TOKEN"
        )
    if "Version mismatch" in line:
        found = VERSIONS.search(line)
        if found is None:
            return f"the Ray cluster at {address} runs other Ray or Python versions than here"
        ray_there, python_there, ray_here, python_here = found.groups()
        return (
            f"the Ray cluster at {address} runs Ray {ray_there} on Python {python_there} and "
            f"this machine Ray {ray_here} on Python {python_here}; install the same on both"
        )
    return None


def trial_resources(ray: Any, configs: Sequence[Sequence[TrainConfig]]) -> list[dict[str, int]]:
    """What each group's trial asks for: one GPU (and a CPU) where the cluster has GPUs and the
    group may use one, else a share of the cores.

    CPU trials share the cluster's cores evenly (at least one each, and no more than the
    largest machine has, since a trial runs on one machine); their members train with that
    many threads.
    """
    total = ray.cluster_resources()
    has_gpu = total.get("GPU", 0) >= 1
    on_gpu = [has_gpu and any(c.device != "cpu" for c in group) for group in configs]
    largest = max(
        (node["Resources"].get("CPU", 0) for node in ray.nodes() if node.get("Alive")),
        default=1,
    )
    cpu_groups = on_gpu.count(False)
    spare = int(total.get("CPU", 1)) - on_gpu.count(True)
    cores = max(1, min(int(largest), spare // max(cpu_groups, 1)))
    return [{"CPU": 1, "GPU": 1} if gpu else {"CPU": cores} for gpu in on_gpu]


# --- the trial, on a Ray worker -------------------------------------------------------------


def train_trial(
    config: dict[str, Any],
    groups: list[list[dict[str, Any]]],
    data: dict[DataKey, tuple[SplitLike, SplitLike]],
    threads: list[int],
) -> None:
    """One group's members trained together; their events go back in Tune results."""
    from ray import tune

    from core.sweep.batched import train_group

    group = config["group"]
    members = [TrainConfig.from_dict({**f, "threads": threads[group]}) for f in groups[group]]
    split = data[(members[0].dataset, members[0].data_dir)]
    reporter = TrialReporter(len(members), tune.report, node_note(), members[0].epochs)
    try:
        train_group(members, [reporter.handler(i) for i in range(len(members))], data=split)
    finally:  # what was sent before a crash still reaches the driver
        reporter.flush(final=True)


def node_note() -> str:
    try:
        import ray

        return f"trained on Ray node {ray.util.get_node_ip_address()}"
    except Exception:  # a note is not worth failing the trial for
        return "trained on Ray"


class TrialReporter:
    """Collects a trial's member events and sends them to the driver in Tune results.

    Every result carries `epochs` (epochs every live member has finished) and `test_acc` (the
    group's best test accuracy at that epoch), which ASHA compares between trials, and
    `events`: [member slot, event as JSON] since the last result; of the BatchProgress events
    only each member's newest is kept, as the recorder keeps no more than two a second.
    """

    def __init__(
        self, members: int, report: Callable[[dict], None], note: str, epochs: int
    ) -> None:
        self.report, self.note = report, note
        self.last_epoch = epochs  # the group's members share their epochs (one batched step)
        self.pending: list[tuple[int, dict[str, Any]]] = []
        self.progress: dict[int, BatchProgress] = {}
        self.accs: list[list[float]] = [[] for _ in range(members)]
        self.ended = [False] * members
        self.failed = [False] * members
        self.reported_epochs = 0
        self.last = time.monotonic()

    def handler(self, slot: int) -> Callable[[Event], None]:
        return lambda event: self.on_event(slot, event)

    def on_event(self, slot: int, event: Event) -> None:
        if isinstance(event, BatchProgress):
            self.progress[slot] = event
        else:
            if isinstance(event, RunStarted):
                event = dataclasses.replace(event, notes=(*event.notes, self.note))
            elif isinstance(event, EpochEnd):
                self.progress.pop(slot, None)  # the epoch's end supersedes its last sample
                self.accs[slot].append(event.test_acc)
            elif isinstance(event, RunFinished | RunFailed):
                self.ended[slot] = True
                self.failed[slot] = isinstance(event, RunFailed)
            self.pending.append((slot, to_json(event)))
        # The last epoch is sent with the members' ends: ASHA stops a trial that reports its
        # last epoch, and a stopped trial sends nothing more.
        epochs = self.epochs()
        advanced = self.reported_epochs < epochs < self.last_epoch
        if advanced or time.monotonic() - self.last >= REPORT_EVERY_S:
            self.flush()

    def epochs(self) -> int:
        live = [len(a) for a, failed in zip(self.accs, self.failed, strict=True) if not failed]
        return min(live) if live else max(len(a) for a in self.accs)

    def best_acc(self, epochs: int) -> float:
        reached = [a[epochs - 1] for a in self.accs if len(a) >= epochs and epochs > 0]
        finite = [acc for acc in reached if math.isfinite(acc)]
        return max(finite, default=0.0)

    def flush(self, final: bool = False) -> None:
        for slot, event in sorted(self.progress.items()):
            if not self.ended[slot]:
                self.pending.append((slot, to_json(event)))
        self.progress.clear()
        if not self.pending and not final:
            return
        epochs = self.epochs()
        events, self.pending = self.pending, []
        self.reported_epochs, self.last = epochs, time.monotonic()
        self.report({"epochs": epochs, "test_acc": self.best_acc(epochs), "events": events})


# --- back on the driver ---------------------------------------------------------------------


@dataclasses.dataclass
class MemberState:
    started_at: float | None = None  # when its RunStarted reached the driver
    epochs: int = 0
    test_acc: float | None = None  # none until an epoch ended, as RunFinished says it
    ended: bool = False


class NotSaved:
    """Left out of the state Tune pickles for Tuner.restore, which a sweep never uses.

    The live object holds the caller's callbacks and the stop event, neither of which pickles;
    Tune keeps using the live object, so the saved copy is never called.
    """

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        pass


class Relay(NotSaved):
    """Tune callback on the driver: trial results become each member's events.

    A trial that ends without its members' ends (stopped by `stop`, by ASHA, or crashed)
    has them closed here: RunFinished(stopped=True) with the last test accuracy, or RunFailed
    with the trial's error. Members whose trial never started send nothing, as locally.
    """

    def __init__(self, groups: Sequence[Sequence[Member]], on_member_event: MemberHandler):
        self.groups, self.on_member_event = groups, on_member_event
        self.states = [[MemberState() for _ in group] for group in groups]
        self.errors: dict[int, str] = {}

    def on_trial_result(self, iteration: int, trials: list, trial: Any, result: dict, **info):
        group = trial.config["group"]
        for slot, fields in result.get("events", ()):
            self.send(group, slot, from_json(fields))

    def on_trial_error(self, iteration: int, trials: list, trial: Any, **info):
        self.errors[trial.config["group"]] = trial_error(trial)
        self.close_group(trial.config["group"], stopped=False)

    def on_trial_complete(self, iteration: int, trials: list, trial: Any, **info):
        self.close_group(trial.config["group"], stopped=True)

    def send(self, group: int, slot: int, event: Event) -> None:
        state = self.states[group][slot]
        if isinstance(event, RunStarted):
            state.started_at = time.monotonic()
        elif isinstance(event, EpochEnd):
            state.epochs, state.test_acc = state.epochs + 1, event.test_acc
        elif isinstance(event, RunFinished | RunFailed):
            state.ended = True
        self.on_member_event(self.groups[group][slot], event)

    def close_group(self, group: int, stopped: bool) -> None:
        for slot, state in enumerate(self.states[group]):
            if state.started_at is None or state.ended:
                continue
            done = state.epochs >= self.groups[group][slot].config.epochs
            if group in self.errors:
                end: Event = RunFailed(reason=self.errors[group], epoch=state.epochs)
            else:
                end = RunFinished(
                    test_acc=state.test_acc,
                    seconds=time.monotonic() - state.started_at,
                    epochs_done=state.epochs,
                    stopped=stopped and not done,  # every epoch trained: finished, however cut
                )
            self.send(group, slot, end)

    def close_unfinished(self, stopped: bool) -> None:
        for group in range(len(self.groups)):
            self.close_group(group, stopped)


def trial_error(trial: Any) -> str:
    """The trial's error as one line: the exception's own message, not Ray's wrapping."""
    with contextlib.suppress(Exception):
        error = trial.get_error()
        if error is not None:
            cause = getattr(error, "cause", None) or error
            return f"Ray trial failed: {type(cause).__name__}: {first_line(cause)}"
    return "Ray trial failed (see the Ray logs on the worker node)"


class StopWhenSet(NotSaved):
    """Tune stopper: every trial ends once the sweep's stop event is set."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop

    def __call__(self, trial_id: str, result: dict) -> bool:
        return self.stop.is_set()

    def stop_all(self) -> bool:
        return self.stop.is_set()


def tune_class(cls: type, base: type) -> type:
    """`cls` made a subclass of Tune's `base` (Callback, Stopper), which exists only with Ray."""
    return type(cls.__name__, (cls, base), {})
