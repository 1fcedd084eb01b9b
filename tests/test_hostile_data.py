"""Hostile IDX input: no read hangs, none grows without bound, each refusal is one line.

Anything that could hang (a FIFO, /dev/zero) or eat memory (a gzip bomb) runs in a child
process under a timeout, so a regression fails the test instead of stalling the suite.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from core.data import DataError, load, read_idx_file
from core.idx import MAX_PAYLOAD, TRAILING_PEEK, IdxError, read_idx, read_idx_stream, write_idx
from tests.test_data import write_dataset

ROOT = Path(__file__).resolve().parents[1]
IMAGES = "train-images-idx3-ubyte"

# Runs load("mnist", "train") in a child and prints what happened as one JSON line.
CHILD = """
import json, resource, sys, time
limit = int(sys.argv[2])
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from core.data import DataError, load
start = time.perf_counter()
try:
    load("mnist", "train", root=sys.argv[1])
    outcome = "loaded"
except DataError as err:
    outcome = "DataError: " + str(err)
# The peak resident memory of this process image: VmHWM starts afresh at exec, where
# ru_maxrss would carry over the peak of the pytest process this one was forked from.
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({
    "outcome": outcome,
    "seconds": time.perf_counter() - start,
    "max_rss_mb": peak_kb / 1024,
}))
"""


def load_in_child(root: Path, memory_limit: int = 0, timeout: float = 60) -> dict:
    """load() in a fresh process; fails the test if it hangs, dies by a signal or crashes."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(root), str(memory_limit)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"load() of {root} still running after {timeout} s: it hangs")
    assert done.returncode == 0, f"child ended with {done.returncode}: {done.stderr[-2000:]}"
    return json.loads(done.stdout.splitlines()[-1])


def refusal(result: dict) -> str:
    assert result["outcome"].startswith("DataError: "), result
    message = result["outcome"].removeprefix("DataError: ")
    assert "\n" not in message and "Traceback" not in message
    return message


# Not a regular file --------------------------------------------------------------------------


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def make_folder(path: Path) -> None:
    path.mkdir()


def make_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))  # stays bound while the test runs: the object lives in `made`
    made.append(server)


made: list[socket.socket] = []


@pytest.fixture(autouse=True)
def close_sockets():
    yield
    while made:
        made.pop().close()


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (make_fifo, "a named pipe (FIFO)"),
        (make_dev_zero, "a character device"),
        (make_folder, "a folder"),
        (make_socket, "a socket"),
    ],
    ids=["fifo", "dev-zero", "folder", "socket"],
)
@pytest.mark.parametrize("name", [IMAGES, IMAGES + ".gz"], ids=["raw", "gz"])
def test_what_is_not_a_regular_file_is_refused_at_once(tmp_path, make, kind, name):
    write_dataset(tmp_path, gz=name.endswith(".gz"))
    target = tmp_path / name
    target.unlink()
    make(target)
    message = refusal(load_in_child(tmp_path, timeout=60))
    assert message == f"{target}: cannot be read (it is {kind}, not a regular file)"


@pytest.mark.parametrize("make", [make_fifo, make_dev_zero], ids=["fifo", "dev-zero"])
def test_read_idx_file_itself_refuses_them(tmp_path, make):
    # Called directly, without find_file's look first: the open itself must not block.
    target = tmp_path / IMAGES
    make(target)
    with pytest.raises(DataError, match="not a regular file"):
        read_idx_file(target, "images")


# Gzip bombs -------------------------------------------------------------------------------


BOMB_UNIT = 16 << 20  # zeros per repeated piece
BOMB_SIZE = 2 << 30  # what the bomb unpacks to


def bomb_header() -> bytes:
    return write_idx(np.zeros((60000, 28, 28), np.uint8))[:16]  # a valid 60000x28x28 header


def multi_member_bomb() -> bytes:
    """A valid gzip of 128 members: the IDX header, then 2 GiB of zeros in all."""
    zeros = bytes(BOMB_UNIT)
    member = gzip.compress(zeros, compresslevel=9)
    first = gzip.compress(bomb_header() + zeros, compresslevel=9)
    return first + member * (BOMB_SIZE // BOMB_UNIT - 1)


def single_member_bomb() -> bytes:
    """One deflate stream: after a full flush the same input compresses to the same bytes,
    so one compressed piece repeated stands for 2 GiB (no valid end: readers stop first)."""
    zeros = bytes(BOMB_UNIT)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = packer.compress(bomb_header() + zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    piece = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    return first + piece * (BOMB_SIZE // BOMB_UNIT - 1)


@pytest.mark.parametrize("make", [multi_member_bomb, single_member_bomb])
def test_a_gzip_bomb_is_refused_after_its_declared_size(tmp_path, make):
    bomb = make()
    assert len(bomb) < 3 << 20  # about 2 MB on disk
    write_dataset(tmp_path, overrides={IMAGES: bomb})
    # 1.5 GiB of address space: unpacking the whole 2 GiB, as gzip.decompress did, cannot fit.
    result = load_in_child(tmp_path, memory_limit=3 << 29, timeout=120)
    message = refusal(result)
    declared = 60000 * 28 * 28
    assert message.startswith(f"{tmp_path / (IMAGES + '.gz')}: has trailing bytes: header says ")
    assert f"60000x28x28 ({declared:,} bytes of data) but more than " in message
    # Read no further than the declared payload and a small margin, and no memory beyond it.
    assert f"more than {declared + TRAILING_PEEK:,} follow" in message
    assert result["max_rss_mb"] < 400, result
    # Well under a second on an idle machine (about 0.1 s); generous for a busy one.
    assert result["seconds"] < 5, result


class Endless(io.RawIOBase):
    """A stream of a valid header and then zeros for ever, counting what is read from it."""

    def __init__(self, header: bytes) -> None:
        self.header, self.served = header, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        head = self.header[self.served : self.served + len(view)]
        view[: len(head)] = head
        view[len(head) :] = bytes(len(view) - len(head))
        self.served += len(view)
        return len(view)


def test_an_endless_stream_is_read_only_as_far_as_its_header_declares():
    stream = Endless(bomb_header())
    with pytest.raises(IdxError, match="has trailing bytes"):
        read_idx_stream(stream)
    assert stream.served <= 16 + 60000 * 28 * 28 + TRAILING_PEEK + 1


# Headers that declare too much --------------------------------------------------------------


def header(*dims: int, type_code: int = 0x08) -> bytes:
    return bytes([0, 0, type_code, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)


@pytest.mark.parametrize(
    ("dims", "message"),
    [
        # 65536^4 = 2^64 wraps to 0 in int64: the old check saw a 0-byte payload and agreed.
        ((65536, 65536, 65536, 65536), "header says 65536x65536x65536x65536: "),
        ((0xFFFFFFFF, 28, 28), "4,294,967,295 items, more than the 10,000,000"),
        ((1, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), "bytes of data, more than the 1,073,741,824"),
        ((2000, 1000, 1000), "2,000,000,000 bytes of data, more than the 1,073,741,824"),
    ],
)
def test_headers_that_declare_too_much_are_one_line(tmp_path, dims, message):
    with pytest.raises(IdxError, match=message):
        read_idx(header(*dims))
    write_dataset(tmp_path, gz=False, overrides={IMAGES: header(*dims)})
    with pytest.raises(DataError) as error:
        load("mnist", "train", root=tmp_path)
    assert str(error.value).startswith(f"{tmp_path / IMAGES}: header says ")
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_bound_counts_the_item_size():
    # 0x0E is float64: 200 x 1024 x 1024 items of 8 bytes is 1.6 GiB.
    with pytest.raises(IdxError, match="more than the 1,073,741,824"):
        read_idx(header(200, 1024, 1024, type_code=0x0E))
    assert MAX_PAYLOAD < 200 * 1024 * 1024 * 8


def test_a_header_declaring_a_large_payload_in_a_small_file_is_truncated_without_reading():
    data = header(60000, 28, 28) + b"\x00" * 100
    with pytest.raises(IdxError, match="truncated: header says 60000x28x28"):
        read_idx_stream(io.BytesIO(data), size=len(data))


@pytest.mark.parametrize("extra", [1, TRAILING_PEEK, TRAILING_PEEK + 1])
def test_trailing_bytes_after_a_gzip_payload_are_counted_up_to_the_margin(tmp_path, extra):
    data = write_idx(np.zeros((12, 28, 28), np.uint8)) + b"\x00" * extra
    write_dataset(tmp_path, overrides={IMAGES: gzip.compress(data)})
    with pytest.raises(DataError) as error:
        load("mnist", "train", root=tmp_path)
    payload = 12 * 28 * 28
    follow = (
        f"{payload + extra:,}"
        if extra <= TRAILING_PEEK
        else f"more than {payload + TRAILING_PEEK:,}"
    )
    assert str(error.value).endswith(f"({payload:,} bytes of data) but {follow} follow")


def test_a_multi_member_gzip_reads_as_one_file(tmp_path):
    arrays = write_dataset(tmp_path / "ref")
    data = write_idx(arrays["images"])
    write_dataset(
        tmp_path,
        arrays,
        overrides={IMAGES: gzip.compress(data[:1000]) + gzip.compress(data[1000:])},
    )
    np.testing.assert_array_equal(load("mnist", "train", root=tmp_path).images, arrays["images"])


def test_a_gzip_with_a_bad_crc_is_corrupt(tmp_path):
    data = bytearray(gzip.compress(write_idx(np.zeros((12, 28, 28), np.uint8))))
    data[-8] ^= 0xFF  # the CRC-32 in the trailer
    write_dataset(tmp_path, overrides={IMAGES: bytes(data)})
    with pytest.raises(DataError, match="corrupt gzip"):
        load("mnist", "train", root=tmp_path)


def test_an_empty_gzip_says_so(tmp_path):
    write_dataset(tmp_path, overrides={IMAGES: gzip.compress(b"")})
    with pytest.raises(DataError, match="empty file inside the gzip"):
        load("mnist", "train", root=tmp_path)
