"""Reading and writing IDX files, the format MNIST is published in.

An IDX file is a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim``
big-endian uint32 dimension sizes, then the data in C order. MNIST uses type
``0x08`` (unsigned byte): labels are 1-D (magic ``0x00000801``), images 3-D
(magic ``0x00000803``). Files may be gzipped; the ``.gz`` suffix decides.

The reader trusts nothing: it checks the magic number, the number of
dimensions, and that the data length matches the header *before* reading the
data, so a header that claims 2**32 items costs no memory.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..fileio import atomic_open

# IDX type byte -> big-endian NumPy dtype
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
MAX_BYTES = 1 << 31  # 2 GiB: far above MNIST (47 MB) and below anything silly


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


CHUNK = 1 << 22  # read gzip streams in 4 MiB pieces: memory follows the data, not the header


def _read_exact(fh, n: int, path: Path, what: str) -> bytes:
    if isinstance(fh, gzip.GzipFile):
        chunks, got = [], 0
        while got < n:
            chunk = fh.read(min(CHUNK, n - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        data = b"".join(chunks)
    else:
        data = fh.read(n)
    if len(data) != n:
        raise DataError(f"{path}: file is truncated: expected {n} bytes of {what}, "
                        f"found {len(data)}. Delete it and download it again.")
    return data


def read_idx(path: str | os.PathLike[str], *, ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (raw or ``.gz``) into an array of its stored shape.

    Args:
        path: the file.
        ndim: if given, the number of dimensions the file must have
            (1 for labels, 3 for images).

    Returns:
        A native-endian array; shape ``(N,)`` for labels, ``(N, rows, cols)`` for images.

    Raises:
        DataError: the file is missing, not IDX, truncated or has trailing bytes.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file.")
    try:
        with _open(path) as fh:
            return _read_idx_stream(fh, path, ndim)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise DataError(f"{path}: cannot be read ({exc}). The file is damaged; "
                        "delete it and download it again.") from None


def _read_idx_stream(fh, path: Path, ndim: int | None) -> np.ndarray:
    magic = fh.read(4)
    if len(magic) == 0:
        raise DataError(f"{path}: file is empty. Delete it and download it again.")
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in IDX_TYPES:
        raise DataError(f"{path}: not an IDX file (magic number {magic.hex()!r}, "
                        "expected 00000801 for labels or 00000803 for images).")
    dtype, file_ndim = IDX_TYPES[magic[2]], magic[3]
    if ndim is not None and file_ndim != ndim:
        kind = {1: "labels", 3: "images"}.get(ndim, f"{ndim}-D data")
        raise DataError(f"{path}: holds {file_ndim}-D data (magic {magic.hex()}), "
                        f"expected {kind} (magic 0000080{ndim}). Are the file names swapped?")
    shape = struct.unpack(f">{file_ndim}I", _read_exact(fh, 4 * file_ndim, path, "header"))
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if nbytes > MAX_BYTES:
        raise DataError(f"{path}: header claims shape {shape} ({nbytes} bytes), "
                        "which is not a plausible data set. The file is corrupt.")
    if not isinstance(fh, gzip.GzipFile):  # a raw file's length is known: check it first
        size = os.fstat(fh.fileno()).st_size
        if size != 4 + 4 * file_ndim + nbytes:
            raise DataError(f"{path}: is {size} bytes but its header (shape {shape}) needs "
                            f"{4 + 4 * file_ndim + nbytes}; the file is truncated or corrupt.")
    data = _read_exact(fh, nbytes, path, f"data for shape {shape}")
    if fh.read(1):
        raise DataError(f"{path}: has bytes after the {nbytes} the header announces "
                        f"(shape {shape}). The file is corrupt.")
    return np.frombuffer(data, dtype=dtype).astype(dtype.newbyteorder("="), copy=False) \
        .reshape(shape)


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzipped if ``path`` ends in ``.gz`` (atomically)."""
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"IDX cannot store dtype {array.dtype}")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + np.ascontiguousarray(array, dtype=IDX_TYPES[code]).tobytes()
    path = Path(path)
    with atomic_open(path) as fh:
        if path.suffix == ".gz":
            # no name and mtime=0: the archive is byte-for-byte reproducible
            with gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as gz:
                gz.write(payload)
        else:
            fh.write(payload)
