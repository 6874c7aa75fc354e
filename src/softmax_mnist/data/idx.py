"""Reading and writing IDX files, the format MNIST is published in.

An IDX file is a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim``
big-endian uint32 dimension sizes, then the data in C order. MNIST uses type ``0x08``
(unsigned byte): labels are 1-D (magic ``0x00000801``), images 3-D (magic
``0x00000803``). Files may be gzipped; the ``.gz`` suffix decides.

The reader trusts nothing: :func:`open_idx` reads and checks the header (magic number,
type, number of dimensions, sizes) without touching the data, so a caller can compare
two headers — images against labels — before any data is read. :func:`IdxFile.read`
then reads exactly the announced bytes into one preallocated array (a header that
claims 2**32 items costs no memory: it is refused; a gzip stream that ends early or
runs on is an error). Every problem is a :class:`DataError` whose message names the file.
"""

from __future__ import annotations

import gzip
import os
import stat
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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
MAX_BYTES = 64 << 20  # 64 MiB: 1.4× MNIST's training images (85,598 of them), no more
CHUNK = 1 << 22  # gzip streams are read in 4 MiB pieces into the preallocated array


def describe(path: Path, exc: BaseException) -> str:
    """An error reading ``path`` as one sentence with advice that fits it."""
    if isinstance(exc, PermissionError):
        return f"{path}: cannot be read (permission denied); check the file's permissions."
    if isinstance(exc, gzip.BadGzipFile | EOFError | zlib.error):
        return (f"{path}: cannot be read ({exc}). The file is damaged; delete it and "
                f"download it again.")
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"{path}: cannot be read ({reason.lower()})."


def check_regular_file(path: Path) -> None:
    """DataError unless ``path`` is a regular file (not missing, a folder, a FIFO …)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise DataError(f"{path}: no such file.") from None
    except OSError as exc:
        raise DataError(describe(path, exc)) from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a FIFO, socket …)"
        raise DataError(f"{path}: is {kind}; an IDX file was expected there.")


@dataclass
class IdxFile:
    """An open IDX file whose header has been read and checked; ``read`` gets the data."""

    path: Path
    stream: BinaryIO
    dtype: np.dtype
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=object)) * self.dtype.itemsize

    def read(self) -> np.ndarray:
        """The data as a native-endian array of ``shape``; DataError if the file holds
        fewer or more bytes than its header announces."""
        out = np.empty(self.nbytes, np.uint8)
        view, got = memoryview(out), 0
        try:
            while got < self.nbytes:
                n = self.stream.readinto(view[got:got + CHUNK])
                if not n:
                    break
                got += n
            extra = self.stream.read(1)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(describe(self.path, exc)) from None
        if got != self.nbytes:
            raise DataError(f"{self.path}: file is truncated: expected {self.nbytes} bytes of "
                            f"data for shape {self.shape}, found {got}. Delete it and "
                            f"download it again.")
        if extra:
            raise DataError(f"{self.path}: has bytes after the {self.nbytes} the header "
                            f"announces (shape {self.shape}). The file is corrupt.")
        data = out.view(self.dtype).reshape(self.shape)
        return data.astype(self.dtype.newbyteorder("="), copy=False)

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> IdxFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_idx(path: str | os.PathLike[str], *, ndim: int | None = None) -> IdxFile:
    """Open an IDX file (raw or ``.gz``) and check its header; no data is read yet.

    Args:
        ndim: if given, the number of dimensions the file must have
            (1 for labels, 3 for images).

    Raises:
        DataError: the file is missing, not a regular file, unreadable, not IDX, or its
        header announces an empty or implausibly large array, or (raw files) a length
        that is not the file's.
    """
    path = Path(path)
    check_regular_file(path)
    try:
        stream = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise DataError(describe(path, exc)) from None
    try:
        dtype, shape = _read_header(stream, path, ndim)
    except (OSError, EOFError, zlib.error) as exc:
        stream.close()
        raise DataError(describe(path, exc)) from None
    except DataError:
        stream.close()
        raise
    return IdxFile(path, stream, dtype, shape)


def _read_header(fh: BinaryIO, path: Path, ndim: int | None) -> tuple[np.dtype, tuple[int, ...]]:
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
    header = fh.read(4 * file_ndim)
    if len(header) != 4 * file_ndim:
        raise DataError(f"{path}: file is truncated inside its header. Delete it and "
                        f"download it again.")
    shape = struct.unpack(f">{file_ndim}I", header)
    if file_ndim == 0 or 0 in shape:
        raise DataError(f"{path}: holds no data (shape {shape}).")
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if nbytes > MAX_BYTES:
        raise DataError(f"{path}: header claims shape {shape} ({nbytes} bytes), which is not "
                        f"a plausible MNIST-format set (at most {MAX_BYTES >> 20} MiB). The "
                        f"file is corrupt.")
    if not isinstance(fh, gzip.GzipFile):  # a raw file's length is known: check it first
        size = os.fstat(fh.fileno()).st_size
        if size != 4 + 4 * file_ndim + nbytes:
            raise DataError(f"{path}: is {size} bytes but its header (shape {shape}) needs "
                            f"{4 + 4 * file_ndim + nbytes}; the file is truncated or corrupt.")
    return dtype, shape


def read_idx(path: str | os.PathLike[str], *, ndim: int | None = None) -> np.ndarray:
    """Read a whole IDX file (raw or ``.gz``) into an array of its stored shape.

    Returns:
        A native-endian array; shape ``(N,)`` for labels, ``(N, rows, cols)`` for images.

    Raises:
        DataError: as :func:`open_idx` and :meth:`IdxFile.read`.
    """
    with open_idx(path, ndim=ndim) as f:
        return f.read()


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
