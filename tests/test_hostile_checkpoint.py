"""Hostile checkpoints: resuming from one is refused in one line naming the file and the field,
before the model, the optimizer or the CPU step in C sees any of it; never a signal or a hang.

Each crafted checkpoint is resumed in its own child process, as the issue asks: a regression
shows as a signal (SIGSEGV, SIGBUS) in a return code, not as a dead test run. The children
are forked from one runner that has imported torch once, so twenty cases cost one import.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch

from core.checkpoint import CheckpointError, load
from core.evaluation import load_model
from core.train import fit
from tests.tiny import tiny_config, tiny_data

ROOT = Path(__file__).resolve().parents[1]

# One worker for the module (make test runs xdist with --dist loadgroup): its module fixtures
# train a checkpoint and resume every spoiled copy of it in a subprocess, seconds each time.
pytestmark = [
    pytest.mark.xdist_group("hostile_checkpoint"),
    pytest.mark.slow(
        reason="its module fixtures train a checkpoint and resume each spoiled copy in a subprocess"
    ),
]

RESUME = """
import sys
from core.config import TrainConfig
from core.events import EpochEnd
from core.train import fit

events = []
result = fit(
    TrainConfig(dataset="synthetic", epochs=2, device="cpu", threads=1),
    events.append,
    resume=sys.argv[1],
)
trained = sum(isinstance(e, EpochEnd) for e in events)
print("OUTCOME", "ok" if result.ok else "failed", trained, getattr(result.outcome, "reason", ""))
"""

# Imports torch once, then resumes from each path in a forked child and prints, per path,
# how the child ended (exit code or signal) and what fit() reported.
RUNNER = """
import functools, json, os, sys, time
import core.synthetic
from core.config import TrainConfig
from core.events import EpochEnd
from core.train import fit

# Paid once here, not again in every child: the synthetic digits (a second to draw) and
# the modules fit() imports on first use (two more), by one run that fails at once.
core.synthetic.synthetic_arrays = functools.lru_cache(core.synthetic.synthetic_arrays)
fit(TrainConfig(dataset="synthetic", device="cpu", threads=1), resume=sys.argv[1] + ".absent")

def resume(path):
    events = []
    try:
        result = fit(
            TrainConfig(dataset="synthetic", epochs=2, device="cpu", threads=1),
            events.append,
            resume=path,
        )
    except BaseException as err:
        return {"raised": f"{type(err).__name__}: {err}"}
    return {
        "ok": result.ok,
        "reason": getattr(result.outcome, "reason", None),
        "trained": sum(isinstance(e, EpochEnd) for e in events),
    }

for path in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, json.dumps(resume(path)).encode())
        os._exit(0)
    os.close(write)
    deadline, status = time.monotonic() + 120, None
    while status is None and time.monotonic() < deadline:
        done, code = os.waitpid(pid, os.WNOHANG)
        status = code if done else None
        time.sleep(0.02)
    if status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    report = b""
    while chunk := os.read(read, 65536):
        report += chunk
    os.close(read)
    print(json.dumps({
        "path": path,
        "hung": status is None,
        "signal": os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None,
        "exit": os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None,
        "report": json.loads(report) if report else None,
    }), flush=True)
"""


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A checkpoint of one epoch through the C step (its fc1 tensors are transposed views)."""
    path = tmp_path_factory.mktemp("good") / "run.pt"
    result = fit(tiny_config(epochs=1), data=tiny_data(), save=path)
    assert result.ok, result.outcome
    return path


def payload_of(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


def craft(folder: Path, name: str, good: Path, change) -> Path:
    payload = copy.deepcopy(payload_of(good))
    change(payload)
    path = folder / f"{name}.pt"
    torch.save(payload, path)
    return path


def state(payload, index=0):
    return payload["optimizer"]["state"][index]


def group(payload):
    return payload["optimizer"]["param_groups"][0]


def set_item(target, key, value):
    target[key] = value


def nan_at(tensor, value=float("nan")):
    tensor[(3,) * tensor.dim()] = value  # in place, whatever the layout
    return tensor


# name: (how to spoil the checkpoint, what the one-line refusal says after "<path>: ")
CASES = {
    "square-avg-shape": (
        lambda p: set_item(state(p), "square_avg", torch.zeros(10)),
        "optimizer state 0 square_avg has shape (10,), expected (512, 784)",
    ),
    "square-avg-short-bias": (
        lambda p: set_item(state(p, 1), "square_avg", torch.zeros(3)),
        "optimizer state 1 square_avg has shape (3,), expected (512,)",
    ),
    "square-avg-float64": (
        lambda p: set_item(state(p), "square_avg", state(p)["square_avg"].double()),
        "optimizer state 0 square_avg is float64, expected float32",
    ),
    "square-avg-gaps": (
        lambda p: set_item(state(p), "square_avg", torch.zeros(512, 1568)[:, ::2]),
        "optimizer state 0 square_avg is not contiguous (strides (1568, 2) for shape "
        "(512, 784): elements overlap or leave gaps)",
    ),
    "square-avg-overlapping": (
        lambda p: set_item(state(p, 2), "square_avg", torch.zeros(1).expand(10, 512)),
        "optimizer state 2 square_avg is not contiguous (strides (0, 0) for shape (10, 512): "
        "elements overlap or leave gaps)",
    ),
    "square-avg-nan": (
        lambda p: nan_at(state(p)["square_avg"]),
        "optimizer state 0 square_avg holds NaN or infinite values",
    ),
    "square-avg-inf": (
        lambda p: nan_at(state(p, 3)["square_avg"], float("inf")),
        "optimizer state 3 square_avg holds NaN or infinite values",
    ),
    "square-avg-missing": (
        lambda p: state(p, 1).pop("square_avg"),
        "optimizer state 1 has no square_avg",
    ),
    "step-negative": (
        lambda p: set_item(state(p), "step", torch.tensor(-5.0)),
        "optimizer state 0 step is -5.0, expected a whole number >= 0",
    ),
    "step-nan": (
        lambda p: set_item(state(p, 2), "step", torch.tensor(float("nan"))),
        "optimizer state 2 step is nan, expected a whole number >= 0",
    ),
    "step-inf": (
        lambda p: set_item(state(p), "step", float("inf")),
        "optimizer state 0 step is inf, expected a whole number >= 0",
    ),
    "step-not-scalar": (
        lambda p: set_item(state(p), "step", torch.tensor([3.0, 4.0])),
        "optimizer state 0 step has shape (2,), expected a single number",
    ),
    "step-complex": (
        lambda p: set_item(state(p), "step", torch.tensor(3 + 1j)),
        "optimizer state 0 step is a complex64 tensor on cpu, expected a real number on the CPU",
    ),
    "state-of-no-parameter": (
        lambda p: set_item(p["optimizer"]["state"], 7, state(p)),
        "optimizer state 7 is for no parameter (the model has parameters 0-3)",
    ),
    "params-reordered": (
        lambda p: set_item(group(p), "params", [3, 2, 1, 0]),
        "optimizer param_groups 0 params should be [0, 1, 2, 3], found [3, 2, 1, 0]",
    ),
    "two-groups": (
        lambda p: p["optimizer"]["param_groups"].append(dict(group(p))),
        "optimizer param_groups should be one group (a dict), found 2 groups",
    ),
    "momentum": (
        lambda p: set_item(group(p), "momentum", 0.9),
        "optimizer param_groups 0 momentum is 0.9; this app's rmsprop uses 0",
    ),
    "lr-nan": (
        lambda p: set_item(group(p), "lr", float("nan")),
        "optimizer param_groups 0 lr is nan, expected a number > 0",
    ),
    "lr-text": (
        lambda p: set_item(group(p), "lr", "fast"),
        "optimizer param_groups 0 lr is 'fast', expected a number > 0",
    ),
    "weights-uint8": (
        lambda p: set_item(p["model"], "fc1.weight", p["model"]["fc1.weight"].to(torch.uint8)),
        "model fc1.weight is uint8, expected float32",
    ),
    "weights-complex": (
        lambda p: set_item(p["model"], "fc2.weight", p["model"]["fc2.weight"].to(torch.complex64)),
        "model fc2.weight is complex64, expected float32",
    ),
    "weights-float64": (
        lambda p: set_item(p["model"], "fc2.bias", p["model"]["fc2.bias"].double()),
        "model fc2.bias is float64, expected float32",
    ),
    "weights-nan": (
        lambda p: nan_at(p["model"]["fc1.weight"]),
        "model fc1.weight holds NaN or infinite weights (a run that diverged)",
    ),
    "weights-inf": (
        lambda p: nan_at(p["model"]["fc2.bias"], float("-inf")),
        "model fc2.bias holds NaN or infinite weights (a run that diverged)",
    ),
    "weights-shape": (
        lambda p: set_item(p["model"], "fc1.weight", torch.zeros(64, 784)),
        "model does not fit a 784-512-10 network: fc1.weight has shape (64, 784), "
        "expected (512, 784)",
    ),
    "weights-keys": (
        lambda p: set_item(p["model"], "fc3.bias", p["model"].pop("fc2.bias")),
        "model does not fit a 784-512-10 network: missing fc2.bias; unexpected 'fc3.bias'",
    ),
    "history-missing-key": (
        lambda p: p["history"][0].pop("test_acc"),
        "history entry 0 has no test_acc",
    ),
    "history-extra-key": (
        lambda p: set_item(p["history"][0], "bogus", 1),
        "history entry 0 has unexpected 'bogus'",
    ),
    "history-wrong-type": (
        lambda p: set_item(p["history"][0], "train_loss", "low"),
        "history entry 0 train_loss is 'low', expected a number",
    ),
    "history-epoch-bool": (
        lambda p: set_item(p["history"][0], "epoch", True),
        "history entry 0 epoch is True, expected a whole number >= 0",
    ),
    "history-not-records": (
        lambda p: set_item(p, "history", [3]),
        "history should be a list of per-epoch records; entry 0 is a int",
    ),
    "history-too-short": (
        lambda p: set_item(p, "history", []),
        "history holds 0 epochs but the checkpoint says 1 were completed",
    ),
    "epoch-negative": (
        lambda p: set_item(p, "epoch", -1),
        "epoch is -1, expected a whole number >= 0",
    ),
    "version-tensor": (
        lambda p: set_item(p, "version", torch.tensor([1, 1])),
        "is checkpoint version a int64 tensor of shape (2,); this mnist-tui reads version 1",
    ),
    "rng-float": (
        lambda p: set_item(p, "rng", torch.zeros(3)),
        "rng should be a 1-D uint8 tensor, found float32 tensor",
    ),
}


def refusal(path: Path, name: str) -> str:
    """The line a case is refused with: the path, then what is wrong with the file."""
    detail = CASES[name][1]
    return f"{path} {detail}" if detail.startswith("is ") else f"{path}: {detail}"


def run_resumes(paths: list[Path]) -> dict[str, dict]:
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60 + 30 * len(paths),
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {line["path"]: line for line in lines}


@pytest.fixture(scope="module")
def resumed(good, tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = {name: craft(folder, name, good, change) for name, (change, _) in CASES.items()}
    results = run_resumes([good, *paths.values()])
    return {"good": (good, results[str(good)])} | {
        name: (path, results[str(path)]) for name, path in paths.items()
    }


def test_the_unspoiled_checkpoint_resumes_in_the_runner(resumed):
    _, result = resumed["good"]
    assert result["signal"] is None and result["exit"] == 0 and not result["hung"], result
    assert result["report"] == {"ok": True, "reason": None, "trained": 1}


@pytest.mark.parametrize("name", list(CASES))
def test_a_spoiled_checkpoint_is_refused_in_one_line_naming_file_and_field(resumed, name):
    path, result = resumed[name]
    assert not result["hung"], f"resuming from {name} hung"
    assert result["signal"] is None, f"resuming from {name} died by signal {result['signal']}"
    assert result["exit"] == 0, result
    report = result["report"]
    assert "raised" not in report, report  # a traceback, not a refusal
    assert report["ok"] is False and report["trained"] == 0, report
    assert report["reason"] == refusal(path, name)


@pytest.mark.parametrize("name", list(CASES))
def test_load_or_check_compatible_refuses_each_before_anything_uses_it(resumed, name):
    from core.checkpoint import check_compatible
    from core.config import TrainConfig

    path, _ = resumed[name]
    with pytest.raises(CheckpointError) as error:
        check_compatible(load(path), TrainConfig(dataset="synthetic", device="cpu"), path)
    assert str(error.value) == refusal(path, name)


def test_the_issues_example_in_a_plain_subprocess(resumed):
    """The case of the issue, run exactly as it describes: it used to end in SIGSEGV."""
    path, _ = resumed["square-avg-shape"]
    done = subprocess.run(
        [sys.executable, "-c", RESUME, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.splitlines()[-1] == (
        f"OUTCOME failed 0 {path}: optimizer state 0 square_avg has shape (10,), "
        "expected (512, 784)"
    )
    assert "Traceback" not in done.stderr


def test_nan_weights_are_refused_at_load_not_blamed_on_the_learning_rate(resumed):
    path, result = resumed["weights-nan"]
    reason = result["report"]["reason"]
    assert result["report"]["trained"] == 0
    assert "learning rate" not in reason and "loss became" not in reason
    with pytest.raises(CheckpointError, match="NaN or infinite weights"):
        load(path)


@pytest.mark.parametrize("name", ["weights-uint8", "weights-complex", "weights-nan"])
def test_evaluation_refuses_the_same_weights(resumed, name):
    path, _ = resumed[name]
    with pytest.raises(CheckpointError) as error:
        load_model(path)
    assert str(error.value) == refusal(path, name)


def test_a_good_checkpoints_transposed_weights_are_accepted(good):
    weights = load(good).model["fc1.weight"]
    assert not weights.is_contiguous() and weights.stride() == (1, 512)  # the C step's layout


# Paths that are not checkpoint files ---------------------------------------------------------


def make_fifo(path):
    os.mkfifo(path)


def make_folder(path):
    path.mkdir()


def make_dev_zero(path):
    path.symlink_to("/dev/zero")


def make_socket(path):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    return server


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (make_fifo, "a named pipe (FIFO)"),
        (make_folder, "a folder"),
        (make_dev_zero, "a character device"),
        (make_socket, "a socket"),
    ],
    ids=["fifo", "folder", "dev-zero", "socket"],
)
def test_a_checkpoint_path_that_is_no_file_is_refused_at_once(tmp_path, make, kind):
    path = tmp_path / "run.pt"
    made = make(path)
    try:
        # In a child: were the open to block on the FIFO, the timeout ends it, not the suite.
        code = (
            "import sys\n"
            "from core.checkpoint import CheckpointError, load\n"
            "try:\n"
            "    load(sys.argv[1])\n"
            "except CheckpointError as err:\n"
            "    print(err)\n"
        )
        try:
            done = subprocess.run(
                [sys.executable, "-c", code, str(path)],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=ROOT,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"loading a checkpoint from {kind} hangs")
    finally:
        if made is not None:
            made.close()
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"cannot read checkpoint {path}: it is {kind}, not a regular file"


def test_resuming_from_a_fifo_fails_the_run_in_one_line(tmp_path):
    path = tmp_path / "run.pt"
    os.mkfifo(path)

    def hung(*_):
        raise TimeoutError("resuming from a FIFO hangs")

    # Were the open to block, the alarm ends the test instead of hanging the suite.
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        result = fit(tiny_config(), data=tiny_data(), resume=path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.outcome.reason == (
        f"cannot read checkpoint {path}: it is a named pipe (FIFO), not a regular file"
    )


# Zip bombs ---------------------------------------------------------------------------------


def test_a_checkpoint_with_compressed_entries_is_refused_before_torch_unpacks_it(
    good, tmp_path, monkeypatch
):
    # torch's reader inflates a compressed entry to whatever size it declares: a 2 MB file
    # could ask for gigabytes. torch.save never compresses, so such a file is refused unread.
    path = tmp_path / "deflated.pt"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            out.writestr(name, source.read(name))

    def never(*args, **kwargs):
        raise AssertionError("torch.load was called")

    monkeypatch.setattr(torch, "load", never)
    with pytest.raises(CheckpointError) as error:
        load(path)
    assert str(error.value) == (
        f"{path}: 'archive/data.pkl' is compressed, which torch.save never does; "
        "refused to unpack it"
    )


def test_a_checkpoint_whose_entries_claim_more_than_the_file_is_refused(good, tmp_path):
    data = bytearray(good.read_bytes())
    central = data.index(b"PK\x01\x02")  # the first entry of the central directory
    data[central + 24 : central + 28] = (2**31).to_bytes(4, "little")  # its uncompressed size
    path = tmp_path / "claims.pt"
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"its entries claim [\d,]+ bytes but the file has"):
        load(path)
