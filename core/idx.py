"""The IDX file format (LeCun's MNIST files): a 4-byte magic, big-endian dims, then the data.

A header is checked before anything it declares is read or allocated: its sizes are
multiplied as Python integers (no int64 wrap-around) and must stay within MAX_ITEMS and
MAX_PAYLOAD. read_idx_stream then reads exactly the declared payload and at most
TRAILING_PEEK bytes more, so a stream that never ends (a gzip bomb) costs what its header
declares, never what it would unpack to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

# Type byte of the magic number -> big-endian NumPy dtype (same table as torchvision's).
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# The most a header may declare: MNIST's training images are 60,000 items and 47 MB.
MAX_ITEMS = 10_000_000
MAX_PAYLOAD = 1 << 30  # 1 GiB
TRAILING_PEEK = 1 << 16  # bytes read past the payload to say how many trail it


class ByteStream(Protocol):
    """What reading an IDX stream uses: a file opened "rb", or core.data.Gunzip over one."""

    def read(self, size: int, /) -> bytes: ...
    def readinto(self, buffer: memoryview, /) -> int: ...


class IdxError(ValueError):
    """The bytes are not a well-formed IDX file."""


class EmptyIdx(IdxError):
    """Not a single byte to read."""


@dataclass(frozen=True)
class IdxHeader:
    """What a header declares; checked against MAX_ITEMS and MAX_PAYLOAD when parsed."""

    dtype: np.dtype  # big-endian, as stored
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        """Bytes of the header itself."""
        return 4 + 4 * len(self.shape)

    @property
    def payload(self) -> int:
        """Bytes of data the header says follow it (exact: Python integers)."""
        return math.prod(self.shape) * self.dtype.itemsize

    @property
    def dims(self) -> str:
        return "x".join(str(s) for s in self.shape)


def header_size(magic: bytes) -> int:
    """The whole header's length from its first 4 bytes, or IdxError if they are no IDX magic."""
    if len(magic) < 4:
        raise IdxError(f"too short for an IDX header ({len(magic)} bytes)")
    zero, type_code, ndim = int.from_bytes(magic[0:2], "big"), magic[2], magic[3]
    if zero != 0 or type_code not in IDX_TYPES or not 1 <= ndim <= 4:
        number = int.from_bytes(magic[0:4], "big")
        raise IdxError(
            f"not an IDX file (magic 0x{number:08X}; expected 0x00000801 for labels "
            "or 0x00000803 for images)"
        )
    return 4 + 4 * ndim


def parse_header(data: bytes) -> IdxHeader:
    """The header at the start of `data`, refused if it is malformed or declares too much."""
    length = header_size(data[:4])
    if len(data) < length:
        raise IdxError(f"header cut short ({len(data)} bytes, needs {length})")
    ndim = (length - 4) // 4
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    header = IdxHeader(IDX_TYPES[data[2]], shape)
    if shape[0] > MAX_ITEMS:
        raise IdxError(
            f"header says {header.dims}: {shape[0]:,} items, more than the "
            f"{MAX_ITEMS:,} this reader accepts"
        )
    if header.payload > MAX_PAYLOAD:
        raise IdxError(
            f"header says {header.dims}: {header.payload:,} bytes of data, more than the "
            f"{MAX_PAYLOAD:,} (1 GiB) this reader accepts"
        )
    return header


def check_payload(header: IdxHeader, payload: int, exact: bool = True) -> None:
    """Refuse a payload of `payload` bytes that differs from what the header declares.

    `exact` False: reading stopped after `payload` bytes and more followed.
    """
    if payload == header.payload and exact:
        return
    problem = "truncated" if payload < header.payload else "has trailing bytes"
    follow = f"{payload:,}" if exact else f"more than {payload:,}"
    raise IdxError(
        f"{problem}: header says {header.dims} ({header.payload:,} bytes of data) "
        f"but {follow} follow"
    )


def decode(header: IdxHeader, payload: np.ndarray | bytes | memoryview) -> np.ndarray:
    """The payload's bytes as an array of the header's shape in native byte order."""
    array = np.frombuffer(payload, dtype=header.dtype).reshape(header.shape)
    return array.astype(header.dtype.newbyteorder("="), copy=False)


def read_idx(data: bytes) -> np.ndarray:
    """Parse IDX bytes into an array, checking the header against the payload's length."""
    header = parse_header(data)
    check_payload(header, len(data) - header.size)
    return decode(header, memoryview(data)[header.size :])


def read_idx_stream(stream: ByteStream, size: int | None = None) -> np.ndarray:
    """Read one IDX file from `stream`: the header, then exactly the payload it declares.

    `size` is the stream's total length when known (a plain file), so a wrong one is refused
    before reading the payload. Never reads more than the header, its payload (at most
    MAX_PAYLOAD) and TRAILING_PEEK bytes; raises EmptyIdx when the stream has no bytes.
    """
    magic = read_up_to(stream, 4)
    if not magic:
        raise EmptyIdx("too short for an IDX header (0 bytes)")
    rest = read_up_to(stream, header_size(magic) - 4) if len(magic) == 4 else b""
    header = parse_header(magic + rest)
    if size is not None:
        check_payload(header, size - header.size)
    payload = np.empty(header.payload, dtype=np.uint8)
    # numpy's stubs give ndarray __buffer__ only from Python 3.12 on; it has one at run time
    got = read_into(stream, memoryview(payload))  # type: ignore[arg-type]
    if got < header.payload:
        check_payload(header, got)
    tail = read_up_to(stream, TRAILING_PEEK + 1)
    if tail:
        extra = min(len(tail), TRAILING_PEEK)
        check_payload(header, header.payload + extra, exact=len(tail) <= TRAILING_PEEK)
    return decode(header, payload)


def read_up_to(stream: ByteStream, count: int) -> bytes:
    """`count` bytes, or fewer only where the stream ends."""
    parts, left = [], count
    while left > 0:
        part = stream.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def read_into(stream: ByteStream, buffer: memoryview) -> int:
    """Fill `buffer` from the stream; the number of bytes read, short only where it ends."""
    done = 0
    while done < len(buffer):
        got = stream.readinto(buffer[done:])
        if not got:
            break
        done += got
    return done


def write_idx(array: np.ndarray) -> bytes:
    """Encode an array as IDX bytes (used to make test files and exports)."""
    codes = {v.newbyteorder("="): k for k, v in IDX_TYPES.items()}
    native = np.dtype(array.dtype).newbyteorder("=")
    if native not in codes:
        raise IdxError(f"IDX cannot hold {array.dtype}")
    header = bytes([0, 0, codes[native], array.ndim])
    header += b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return header + np.ascontiguousarray(array, dtype=IDX_TYPES[codes[native]]).tobytes()
