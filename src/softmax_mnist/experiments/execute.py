"""Running many RunSpecs: in this process, in joblib (loky) worker processes, or on a Dask
cluster. Runs are independent, so they run in parallel, longest first.

The data set is loaded once in the parent. With loky it is written once to a temporary
folder and memory-mapped by every worker; with Dask it is scattered to the workers once.
Each worker preprocesses it once and keeps the features for its following runs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..data import Dataset
from ..errors import ConfigError
from .run import RunRecord, RunSpec, data_key, forget_prepared, run_one
from .study import Study

BACKENDS = ("loky", "dask")


def unique_specs(studies: Iterable[Study], seeds: int) -> list[RunSpec]:
    """All runs of the studies, each distinct run once (keep_weights if any study wants it)."""
    by_key: dict[str, RunSpec] = {}
    for study in studies:
        for spec in study.specs(seeds):
            old = by_key.get(spec.key)
            by_key[spec.key] = spec if old is None else replace(
                old, keep_weights=old.keep_weights or spec.keep_weights)
    return list(by_key.values())


def execute(specs: Sequence[RunSpec], data: Dataset, *, jobs: int | None = None,
            backend: str = "loky", scheduler: str | None = None,
            progress: bool = True,
            on_done: Callable[[RunSpec, RunRecord], None] | None = None,
            ) -> dict[str, RunRecord]:
    """Run every spec; returns {spec.key: record}. Longest runs are started first.

    Args:
        jobs: parallel workers (None or -1: all cores; 1: in this process).
        backend: "loky" (joblib worker processes) or "dask".
        scheduler: a Dask scheduler address (tcp://host:port); without it, "dask"
            starts a local cluster with ``jobs`` workers.
        progress: a progress bar over runs on stderr (on a terminal).
        on_done: called with each finished run, in the order they finish.
    """
    n_jobs = check_executor(jobs, backend, scheduler)
    order = sorted(specs, key=lambda s: -s.cost(len(data.y_train)))
    key = data_key(data)
    runner = _run_dask if backend == "dask" else _run_loky
    records: dict[str, RunRecord] = {}
    with _progress_bar(len(order), progress) as tick:
        for spec, record in runner(order, data, key, n_jobs, scheduler):
            records[spec.key] = record
            tick()
            if on_done is not None:
                on_done(spec, record)
    return records


def check_executor(jobs: int | None, backend: str, scheduler: str | None) -> int:
    """Check how runs are to be executed (before any work); returns the number of workers."""
    if backend not in BACKENDS:
        raise ConfigError(f"{{backend}} must be one of {', '.join(BACKENDS)}, got {backend!r}.",
                          params=("backend",))
    if scheduler and backend != "dask":
        raise ConfigError("{scheduler} is a Dask scheduler address: use it with {backend} dask.",
                          params=("scheduler", "backend"))
    if jobs is None or jobs == -1:
        return os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"{{jobs}} must be a whole number ≥ 1 (or -1 for all cores), "
                          f"got {jobs!r}.", params=("jobs",))
    return jobs


def _run_loky(specs: Sequence[RunSpec], data: Dataset, key: str, n_jobs: int,
              scheduler: str | None) -> Iterator[tuple[RunSpec, RunRecord]]:
    if n_jobs == 1 or len(specs) == 1:
        for spec in specs:
            yield spec, run_one(spec, data, key)
        return
    from joblib import Parallel, delayed

    folder = tempfile.mkdtemp(prefix="softmax-mnist-data-")
    try:
        shared = _memmapped(data, Path(folder))
        parallel = Parallel(n_jobs=min(n_jobs, len(specs)), backend="loky", batch_size=1,
                            pre_dispatch="all", return_as="generator")
        yield from zip(specs, parallel(delayed(run_one)(s, shared, key) for s in specs),
                       strict=True)
    finally:
        forget_prepared()
        shutil.rmtree(folder, ignore_errors=True)


def _memmapped(data: Dataset, folder: Path) -> Dataset:
    """The same Dataset with its arrays in .npy files, memory-mapped read-only: joblib
    sends memory maps to workers by file name instead of copying the arrays."""
    arrays = {}
    for name in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        path = folder / f"{name}.npy"
        np.save(path, np.asarray(getattr(data, name)))
        arrays[name] = np.load(path, mmap_mode="r")
    return replace(data, **arrays)


def _run_dask(specs: Sequence[RunSpec], data: Dataset, key: str, n_jobs: int,
              scheduler: str | None) -> Iterator[tuple[RunSpec, RunRecord]]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ConfigError("the Dask backend needs Dask: pip install 'softmax-mnist[dask]'."
                          ) from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=15)
        else:
            cluster = LocalCluster(n_workers=n_jobs, threads_per_worker=1,
                                   host="127.0.0.1", dashboard_address=None)
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        shared = client.scatter(data, broadcast=True)
        futures = client.map(run_one, specs, data=shared, fingerprint=key, pure=False)
        spec_of = {f.key: s for f, s in zip(futures, specs, strict=True)}
        for future in as_completed(futures):
            yield spec_of[future.key], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _progress_bar:
    """``with _progress_bar(n, on) as tick: tick()`` — a tqdm bar over finished runs."""

    def __init__(self, total: int, enabled: bool):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc="runs", unit="run", file=sys.stderr,
                        disable=None if enabled else True, dynamic_ncols=True)
        self.started = time.perf_counter()

    def __enter__(self) -> Callable[[], None]:
        return lambda: self.bar.update(1)

    def __exit__(self, *exc: object) -> None:
        self.bar.close()
