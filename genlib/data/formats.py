"""The idx file format (MNIST's): the reader, with every check a damaged file needs (the gzip
stream, the magic number, the dimensions, the size), each raising a ``ValueError`` that names
the file and the problem."""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _parse_idx(raw: bytes, label: str) -> np.ndarray:
    if len(raw) < 4:
        raise ValueError(f"{label}: too short to be an idx file ({len(raw)} bytes).")
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{label}: bad magic number {raw[:4].hex()} (an idx file starts with two zero bytes).")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise ValueError(f"{label}: unknown idx data type code 0x{code:02x} in the magic number.")
    if ndim == 0:
        raise ValueError(f"{label}: the magic number declares 0 dimensions.")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{label}: truncated header ({len(raw)} bytes, {header} needed for {ndim} dimensions).")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[code]
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header
    if got != expected:
        raise ValueError(f"{label}: wrong size: dimensions {dims} need {expected} data bytes, "
                         f"the file holds {got} (truncated or corrupted).")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def _read_bytes(path: Path) -> tuple[bytes, bytes]:
    """Return ``(file bytes, decompressed bytes)``; gzip is detected by its magic."""
    data = Path(path).read_bytes()
    if data[:2] != b"\x1f\x8b":
        return data, data
    try:
        return data, gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path}: not a readable gzip file, truncated or corrupted ({exc}).") from None


def read_idx(path) -> np.ndarray:
    """Read an idx file (MNIST's format), gzip-compressed or not, into a NumPy array.

    Checks the gzip stream, the magic number, the dimensions and the data size;
    any problem raises ``ValueError`` naming the file and what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file.")
    _, raw = _read_bytes(path)
    return _parse_idx(raw, str(path))
