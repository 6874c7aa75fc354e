"""Worker threads for the convolutional layers: one product split into independent parts.

The products of ``conv.py`` split cleanly: the Fourier products per frequency, the
transforms per channel, the column matrix per block of image rows, max pooling per
channel. NumPy releases the GIL inside its loops and its BLAS calls, so :func:`parallel`
runs one part per thread side by side. The Solver sets how many (``workers``; see
``_fast.training_threads``) and runs BLAS itself on one thread meanwhile: a mini-batch's
small products split better by hand than inside BLAS, and an idle OpenBLAS thread spins.

A sum split into parts (a weight gradient) adds the parts' sums: float32 results then
depend, at the level of rounding, on the number of workers — the same command on the
same machine gives the same numbers.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_workers = 1
_pool: tuple[int, ThreadPoolExecutor] | None = None  # (the process it belongs to, pool)


@contextlib.contextmanager
def workers(count: int) -> Iterator[None]:
    """Inside the block, :func:`parallel` splits its work among ``count`` threads."""
    global _workers
    before, _workers = _workers, max(1, int(count))
    try:
        yield
    finally:
        _workers = before


@contextlib.contextmanager
def for_convolutions(layers: list) -> Iterator[None]:
    """For an evaluation pass outside the Solver: with conv layers among ``layers``,
    BLAS on one thread and as many workers as it had threads (as the Solver trains);
    nothing changes without conv layers or inside a block that set workers already."""
    if _workers > 1 or not any(layer.splits_work for layer in layers):
        yield
        return
    from threadpoolctl import threadpool_info, threadpool_limits

    available = max((p.get("num_threads", 1) for p in threadpool_info()
                     if p.get("user_api") == "blas"), default=1)
    with threadpool_limits(limits=1, user_api="blas"), workers(available):
        yield


def _executor() -> ThreadPoolExecutor:
    """The helper threads of this process (a forked child starts its own)."""
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=3,
                                                 thread_name_prefix="softmax-mnist-nn"))
    return _pool[1]


def parallel(task: Callable[[int, int], T], n: int) -> list[T]:
    """[task(start, stop) for consecutive parts of range(n)], one part per worker (the
    first in the calling thread); the parts must not write to the same array elements."""
    k = min(_workers, n)
    if k <= 1:
        return [task(0, n)]
    bounds = [n * i // k for i in range(k + 1)]
    (a0, b0), *others = itertools.pairwise(bounds)
    futures = [_executor().submit(task, a, b) for a, b in others]
    first = task(a0, b0)
    return [first, *(f.result() for f in futures)]
