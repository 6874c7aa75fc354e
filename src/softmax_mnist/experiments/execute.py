"""Running many RunSpecs: in this process, in joblib (loky) worker processes, or on a Dask
cluster. Runs are independent, so they run in parallel, longest first.

The data set is loaded once in the parent. With loky it is written once to a temporary
folder and memory-mapped by every worker; with Dask it is scattered to the workers once.
Each worker preprocesses it once and keeps the features for its following runs.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..data import Dataset
from ..errors import ConfigError
from ..nn._fast import MAX_THREADS
from .run import RunRecord, RunSpec, data_key, forget_prepared, run_one
from .runcache import RunCache
from .store import RunStore
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
            backend: str = "loky", scheduler: str | None = None, progress: bool = True,
            store: RunStore | None = None, cache: RunCache | None = None,
            on_done: Callable[[RunSpec, RunRecord], None] | None = None,
            ) -> dict[str, RunRecord]:
    """Run every spec; returns {spec.key: record}. Longest runs are started first; the
    convolutional networks train after the others, one at a time (:func:`trains_alone`).

    Args:
        jobs: parallel workers (None or -1: all cores; 1: in this process; more than the
            cores are not started).
        backend: "loky" (joblib worker processes) or "dask".
        scheduler: a Dask scheduler address (tcp://host:port); without it, "dask"
            starts a local cluster with ``jobs`` workers.
        progress: a progress bar over runs on stderr (on a terminal).
        store: keeps every finished run as it arrives, and supplies the runs it already
            holds (those are not trained again).
        cache: the run cache across commands: it supplies the runs it holds with the same
            key (after ``store``), and keeps every run trained here.
        on_done: called with each finished run, in the order they finish (the runs the
            store held first).

    On Ctrl-C or SIGTERM the workers are stopped and their temporary files removed before
    the KeyboardInterrupt is passed on; with a ``store`` every run finished so far is kept.
    """
    n_jobs = check_executor(jobs, backend, scheduler)

    def threads_of(spec: RunSpec, missing: Sequence[RunSpec]) -> int | None:
        pooled = sum(not trains_alone(s, backend) for s in missing)
        return training_threads(n_jobs, backend, 1 if trains_alone(spec, backend) else pooled)

    records = store.load(list(specs)) if store is not None else {}
    if cache is not None:
        records.update(cache.load([s for s in specs if s.key not in records], data,
                                  threads_of))
    order = sorted((s for s in specs if s.key not in records),
                   key=lambda s: -s.cost(len(data.y_train)))
    if on_done is not None:
        for spec in specs:
            if spec.key in records:
                on_done(spec, records[spec.key])
    key = data_key(data)
    runner = _run_dask if backend == "dask" else _run_loky
    pooled = [s for s in order if not trains_alone(s, backend)]
    alone = [s for s in order if trains_alone(s, backend)]
    finished = itertools.chain(runner(pooled, data, key, n_jobs, scheduler) if pooled else (),
                               ((s, run_one(s, data, key)) for s in alone))
    with _progress_bar(len(records) + len(order), len(records), progress) as tick:
        for spec, record in finished:
            records[spec.key] = record
            # the cache first: a signal between the two then loses no run to a resume
            # (the store's runs are not given to the cache again)
            if cache is not None:
                cache.save(spec, record, data, threads_of(spec, order))
            if store is not None:
                store.save(spec, record)
            tick()
            if on_done is not None:
                on_done(spec, record)
    return records


def trains_alone(spec: RunSpec, backend: str) -> bool:
    """Whether ``spec`` trains in this process, on all of its BLAS threads, after the
    parallel runs: a convolutional network (loky only), trained as ``softmax-mnist train``
    trains it, so that it is the same run, with the same numbers, one cache entry for both
    (two CNNs side by side on one thread each took 560 and 940 s on 2 cores)."""
    return backend == "loky" and spec.model.convolutional


def training_threads(n_jobs: int, backend: str, runs: int) -> int | None:
    """The BLAS threads each of ``runs`` runs trains with at most (the Solver uses one for
    small products): this process's own when they run here, a worker's share of the cores
    in a loky pool, None on Dask (its workers' settings are not known here)."""
    if backend == "dask":
        return None
    if n_jobs == 1 or runs <= 1:
        from threadpoolctl import threadpool_info

        available = max((p.get("num_threads", 1) for p in threadpool_info()
                         if p.get("user_api") == "blas"), default=1)
    else:
        try:
            available = int(_worker_env(min(n_jobs, runs))["OPENBLAS_NUM_THREADS"])
        except ValueError:  # not a number: OpenBLAS decides, and we do not know
            return None
    return min(available, MAX_THREADS)


def check_executor(jobs: int | None, backend: str, scheduler: str | None) -> int:
    """Check how runs are to be executed (before any work); returns the number of workers."""
    if backend not in BACKENDS:
        raise ConfigError(f"{{backend}} must be one of {', '.join(BACKENDS)}, got {backend!r}.",
                          params=("backend",))
    if scheduler and backend != "dask":
        raise ConfigError("{scheduler} is a Dask scheduler address: use it with {backend} dask.",
                          params=("scheduler", "backend"))
    cores = os.cpu_count() or 1
    if jobs is None or jobs == -1:
        return cores
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"{{jobs}} must be a whole number ≥ 1 (or -1 for all cores), "
                          f"got {jobs!r}.", params=("jobs",))
    return min(jobs, cores)  # more processes than cores only cost memory


def _run_loky(specs: Sequence[RunSpec], data: Dataset, key: str, n_jobs: int,
              scheduler: str | None) -> Iterator[tuple[RunSpec, RunRecord]]:
    if n_jobs == 1 or len(specs) == 1:
        for spec in specs:
            yield spec, run_one(spec, data, key)
        return
    folder = tempfile.mkdtemp(prefix="softmax-mnist-data-")
    try:
        shared = _memmapped(data, Path(folder))
        workers = min(n_jobs, len(specs))
        with worker_pool(workers) as executor:
            # One run per free worker, in the given order (longest first); nothing queued
            # beyond that, so stopping the workers never races a queue being filled.
            waiting, running = iter(specs), {}
            for spec in itertools.islice(waiting, workers):
                running[executor.submit(run_one, spec, shared, key)] = spec
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    spec = running.pop(future)
                    for following in itertools.islice(waiting, 1):
                        running[executor.submit(run_one, following, shared, key)] = following
                    yield spec, future.result()
    finally:
        forget_prepared()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[Any]:
    """The pool of worker processes that runs and figures share (loky's reusable
    executor: it outlives one use, so the figures start no new processes). If anything
    — Ctrl-C, SIGTERM, an error — leaves the block, the workers are stopped at once."""
    from joblib.executor import get_memmapping_executor

    # Workers stopped by Ctrl-C leave semaphores that multiprocessing's resource tracker
    # (started with the first worker, inheriting this environment) frees anyway; its
    # "leaked semaphore" warning would only add two lines of noise to a clean exit.
    os.environ.setdefault("PYTHONWARNINGS",
                          "ignore:resource_tracker:UserWarning:multiprocessing.resource_tracker")
    executor = get_memmapping_executor(workers, env=_worker_env(workers), max_nbytes=None)
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=True, kill_workers=True)
        raise


BLAS_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                  "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def _worker_env(workers: int) -> dict[str, str]:
    """The cores shared out between the workers' BLAS thread pools (as joblib does), so
    that the workers do not oversubscribe the machine."""
    threads = str(max((os.cpu_count() or 1) // workers, 1))
    return {var: os.environ.get(var, threads) for var in BLAS_VARIABLES}


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
    """``with _progress_bar(n, done, on) as tick: tick()`` — a tqdm bar over finished runs."""

    def __init__(self, total: int, done: int, enabled: bool):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, initial=done, desc="runs", unit="run", file=sys.stderr,
                        disable=None if enabled else True, dynamic_ncols=True)
        self.started = time.perf_counter()

    def __enter__(self) -> Callable[[], None]:
        return lambda: self.bar.update(1)

    def __exit__(self, *exc: object) -> None:
        self.bar.close()
