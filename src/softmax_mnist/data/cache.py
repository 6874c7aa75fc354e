"""A cache of decoded data: repeated runs skip gzip and the IDX checks.

Decoding MNIST's archives takes ~0.2 s; loading the same arrays from ``.npy``
files takes a few milliseconds. Entries live in ``<cache dir>/decoded/`` under a
key made of each source file's absolute path, size and modification time, so a
changed or replaced file is decoded afresh. A damaged entry is ignored and
rewritten; writes are atomic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..fileio import atomic_open
from .fetch import cache_dir

Arrays = tuple[np.ndarray, np.ndarray]


def _key(paths: tuple[Path, ...]) -> str:
    h = hashlib.sha1()
    for path in paths:
        st = path.stat()
        h.update(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:20]


def cached_pair(images: Path, labels: Path, decode: Callable[[Path, Path], Arrays]) -> Arrays:
    """``decode(images, labels)``, or its result from the cache when the files are unchanged.

    Returns:
        X: (N, 784) uint8, y: (N,) uint8.
    """
    folder = cache_dir() / "decoded"
    key = _key((images, labels))
    x_file, y_file = folder / f"{key}-X.npy", folder / f"{key}-y.npy"
    try:
        X = np.load(x_file, allow_pickle=False)
        y = np.load(y_file, allow_pickle=False)
        if X.dtype == np.uint8 and y.dtype == np.uint8 and X.ndim == 2 and len(X) == len(y):
            return X, y
    except (OSError, ValueError):
        pass  # not cached yet, or damaged: decode again
    X, y = decode(images, labels)
    try:
        for path, array in ((x_file, X), (y_file, y)):
            with atomic_open(path) as fh:
                np.save(fh, array, allow_pickle=False)
    except OSError:
        pass  # a read-only or full cache only costs speed
    return X, y
