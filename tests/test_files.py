"""core.files: a save killed mid-write leaves a temp file that the next save removes, and only
that; only regular files are opened for reading."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.files import NotAFileError, atomic_write, open_regular, remove_stale_temps

ROOT = Path(__file__).resolve().parents[1]

# Starts an atomic write to argv[1], says so, and waits to be killed.
WRITER = """
import sys, time
from core.files import atomic_write

def write(file):
    file.write(b"half a file")
    file.flush()
    print("writing", flush=True)
    time.sleep(120)

atomic_write(sys.argv[1], write)
"""


def temps(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def age(path: Path, seconds: float = 60) -> None:
    """Make the file look `seconds` old."""
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_a_save_killed_mid_write_is_cleaned_up_by_the_next_save(tmp_path):
    target = tmp_path / "run.pt"
    target.write_bytes(b"the previous checkpoint")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        [left] = temps(tmp_path)
        assert left.startswith(".run.pt.")
        age(tmp_path / left)  # however old it looks, a live writer keeps its file
        assert remove_stale_temps(target) == [] and temps(tmp_path) == [left]
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"the previous checkpoint"
    assert temps(tmp_path) == [left]  # what kill -9 leaves behind
    age(tmp_path / left, 5)

    atomic_write(target, lambda file: file.write(b"the next checkpoint"))
    assert target.read_bytes() == b"the next checkpoint"
    assert os.listdir(tmp_path) == ["run.pt"]


def test_only_this_targets_abandoned_temp_files_are_removed(tmp_path):
    target = tmp_path / "run.pt"
    stale = tmp_path / ".run.pt.ab_c1234.tmp"
    kept = [
        ".run.pt.fresh123.tmp",  # just written: its writer may not hold its lock yet
        ".run.pt.ABCDEFGH.tmp",  # not tempfile's alphabet
        ".run.pt.abc.tmp",  # not 8 characters
        ".run.pt.abcdefghi.tmp",
        ".run.pt.abcdefgh.tmp.keep",
        "run.pt.abcdefgh.tmp",  # no leading dot
        ".other.pt.abcdefgh.tmp",  # another target's
        ".run.pt.abcdefgh.bak",
    ]
    stale.write_bytes(b"left by a killed save")
    age(stale)
    for name in kept:
        (tmp_path / name).write_bytes(b"not ours to remove")
        if name != ".run.pt.fresh123.tmp":
            age(tmp_path / name)
    (tmp_path / ".run.pt.folder12.tmp").mkdir()  # the pattern, but not a regular file
    age(tmp_path / ".run.pt.folder12.tmp")
    (tmp_path / ".run.pt.symlink1.tmp").symlink_to(stale)
    age(tmp_path / ".run.pt.symlink1.tmp")

    atomic_write(target, lambda file: file.write(b"saved"))
    assert not stale.exists()
    expected = sorted([*kept, ".run.pt.folder12.tmp", ".run.pt.symlink1.tmp", "run.pt"])
    assert sorted(os.listdir(tmp_path)) == expected


def test_a_checkpoint_save_removes_what_a_killed_one_left(tmp_path):
    torch = pytest.importorskip("torch")
    from core.checkpoint import Checkpoint, save

    target = tmp_path / "run.pt"
    stale = tmp_path / ".run.pt.x1y2z3w4.tmp"
    stale.write_bytes(b"PK\x03\x04 half a zip")
    age(stale)
    save(target, Checkpoint({}, {}, {}, 0, [], torch.zeros(1, dtype=torch.uint8)))
    assert os.listdir(tmp_path) == ["run.pt"]


def test_open_regular_refuses_what_could_hang(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a named pipe (FIFO)"), ("/dev/zero", "a character device")):
        with pytest.raises(NotAFileError) as error:
            open_regular(path)
        assert str(error.value) == f"it is {kind}, not a regular file"
        assert error.value.strerror == str(error.value)  # as callers print OSErrors
    with pytest.raises(NotAFileError, match="it is a folder"):
        open_regular(tmp_path)
    with pytest.raises(FileNotFoundError):
        open_regular(tmp_path / "absent")
    (tmp_path / "file").write_bytes(b"bytes")
    with open_regular(tmp_path / "file") as file:
        assert file.read() == b"bytes"
