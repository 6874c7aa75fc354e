"""A cache of decoded data: repeated runs skip gzip and the IDX checks.

Decoding MNIST's archives takes ~0.2 s; loading the same arrays from ``.npy``
files takes a few milliseconds. Entries live in ``<cache dir>/decoded/`` under a
key made of each source file's absolute path, size and modification time, so a
changed or replaced file is decoded afresh. A damaged entry is ignored and
rewritten; writes are atomic. The decoded entries together stay under a size cap
(``$SOFTMAX_MNIST_CACHE_MB``, default 512 MB): the least recently used go first.
``softmax-mnist cache info`` shows what is there, ``cache clear`` empties it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..fileio import atomic_open
from .fetch import cache_dir
from .registry import IMAGE_PIXELS, NUM_CLASSES

ENV_LIMIT = "SOFTMAX_MNIST_CACHE_MB"
DEFAULT_LIMIT_MB = 512

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
        if (X.dtype == np.uint8 and y.dtype == np.uint8 and X.ndim == 2 and y.ndim == 1
                and X.shape[1] == IMAGE_PIXELS and len(X) == len(y) > 0
                and y.max() < NUM_CLASSES):
            os.utime(x_file)  # recently used: pruned last
            return X, y
    except (OSError, ValueError, EOFError):
        pass  # not cached yet, or damaged: decode again
    X, y = decode(images, labels)
    try:
        for path, array in ((x_file, X), (y_file, y)):
            with atomic_open(path) as fh:
                np.save(fh, array, allow_pickle=False)
        prune(folder, cache_limit())
    except OSError:
        pass  # a read-only or full cache only costs speed
    return X, y


def cache_limit() -> int:
    """Bytes the decoded entries may take: ``$SOFTMAX_MNIST_CACHE_MB`` MB, default 512."""
    try:
        return max(0, int(float(os.environ.get(ENV_LIMIT, DEFAULT_LIMIT_MB)) * 2**20))
    except ValueError:
        return DEFAULT_LIMIT_MB * 2**20


def entries(folder: Path) -> list[tuple[str, int, float]]:
    """(key, bytes, last use) of every entry in ``folder``, most recently used first."""
    found: dict[str, list] = {}
    for path in folder.glob("*.npy"):
        key = path.name.rsplit("-", 1)[0]
        st = path.stat()
        size, used = found.get(key, [0, 0.0])
        found[key] = [size + st.st_size, max(used, st.st_mtime)]
    return sorted(((k, s, u) for k, (s, u) in found.items()), key=lambda e: -e[2])


def prune(folder: Path, limit: int) -> int:
    """Delete the least recently used entries until the rest fit in ``limit`` bytes;
    returns the bytes freed."""
    total, freed = 0, 0
    for key, size, _ in entries(folder):
        total += size
        if total > limit:
            for path in folder.glob(f"{key}-*.npy"):
                path.unlink(missing_ok=True)
            freed += size
    return freed
