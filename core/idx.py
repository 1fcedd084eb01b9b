"""The IDX file format (LeCun's MNIST files): a 4-byte magic, big-endian dims, then the data."""

from __future__ import annotations

import numpy as np

# Type byte of the magic number -> big-endian NumPy dtype (same table as torchvision's).
IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class IdxError(ValueError):
    """The bytes are not a well-formed IDX file."""


def read_idx(data: bytes) -> np.ndarray:
    """Parse IDX bytes into an array, checking the header against the payload's length."""
    if len(data) < 4:
        raise IdxError(f"too short for an IDX header ({len(data)} bytes)")
    zero, type_code, ndim = int.from_bytes(data[0:2], "big"), data[2], data[3]
    if zero != 0 or type_code not in IDX_TYPES or not 1 <= ndim <= 4:
        magic = int.from_bytes(data[0:4], "big")
        raise IdxError(
            f"not an IDX file (magic 0x{magic:08X}; expected 0x00000801 for labels "
            "or 0x00000803 for images)"
        )
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise IdxError(f"header cut short ({len(data)} bytes, needs {header_len})")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    payload = len(data) - header_len
    if payload != expected:
        dims = "x".join(str(s) for s in shape)
        problem = "truncated" if payload < expected else "has trailing bytes"
        raise IdxError(
            f"{problem}: header says {dims} ({expected:,} bytes of data) but {payload:,} follow"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=False)


def write_idx(array: np.ndarray) -> bytes:
    """Encode an array as IDX bytes (used to make test files and exports)."""
    codes = {v.newbyteorder("="): k for k, v in IDX_TYPES.items()}
    native = np.dtype(array.dtype).newbyteorder("=")
    if native not in codes:
        raise IdxError(f"IDX cannot hold {array.dtype}")
    header = bytes([0, 0, codes[native], array.ndim])
    header += b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return header + np.ascontiguousarray(array, dtype=IDX_TYPES[codes[native]]).tobytes()
