"""The run cache: every finished run kept across commands, and reused when nothing that
decides its numbers has changed.

What decides a run's numbers is its *key* (hashed into the entry's file name, and stored
whole inside the entry, so that a hash collision or a renamed file cannot pass):

- the run: its model and training options, the seed included (``RunSpec.key``);
- the data: a digest of the decoded arrays of all three splits (:mod:`.runkey`);
- the implementation: a digest of the student's ``*.py`` files (``--impl``), or none;
- the code: the package version and a digest of the source files that train
  (everything but ``report/``, ``cli/`` and ``web/``);
- the BLAS threads it trains with, for runs whose products are large enough that the
  Solver uses more than one thread (``nn._fast.blas_threads``): float32 sums taken in
  another order move the seventh digit, so one thread and two are different runs.

An entry is ``<cache dir>/runs/<hash>.json`` (the key, the ``RunRecord``, its digest and
the digests of its other files) and, for the diagnostics run, ``<hash>.weights.npz``;
a run that ``softmax-mnist train`` made also keeps its ``<hash>.out.model.npz`` and
``<hash>.out.metrics.json``, which a later ``train`` with the same key gives back.
Files are written atomically; every read is checked (the key, the record's digest and
schema, the weights through ``fileio.read_npz``, their digest and shapes), and an entry
that fails is deleted and its run trained again, never trusted. The entries together
stay under ``$SOFTMAX_MNIST_RUNS_MB`` MB (default 256; 0 keeps nothing), the least
recently used removed first, under a file lock, so that two processes at once never
prune what the other is writing. ``softmax-mnist cache info`` shows it, ``cache clear``
empties it. The serial timing pass's epoch times are kept the same way (``t<hash>.json``),
keyed by the setting, the data, the code and this machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..data import Dataset
from ..data.fetch import cache_dir
from ..errors import ModelFileError
from ..fileio import atomic_open, write_json, write_npz
from .run import RunRecord, RunSpec
from .runentry import checked_digest, checked_record, checked_weights
from .runkey import (
    canonical,
    code_version,
    data_digest,
    digest,
    impl_digest,
    machine,
    thread_sensitive,
)
from .timing import EpochTiming, speed_key

FORMAT = "softmax-mnist run-cache 1"
ENV_LIMIT = "SOFTMAX_MNIST_RUNS_MB"
DEFAULT_LIMIT_MB = 256
LOCK_NAME = ".lock"

ThreadsFor = Callable[[RunSpec, Sequence[RunSpec]], int | None]
"""BLAS threads a run gets when the given runs are trained (None: not known here)."""


def cache_limit() -> int:
    """Bytes the run cache may take: ``$SOFTMAX_MNIST_RUNS_MB`` MB, default 256."""
    try:
        return max(0, int(float(os.environ.get(ENV_LIMIT, DEFAULT_LIMIT_MB)) * 2**20))
    except ValueError:
        return DEFAULT_LIMIT_MB * 2**20


class RunCache:
    """Finished runs (and epoch timings) kept in ``folder`` (default ``<cache dir>/runs``).

    Args:
        fresh: reuse nothing (``--fresh``); what trains is still kept, replacing older
            entries.
        limit: bytes the entries may take (default :func:`cache_limit`); 0 keeps nothing.

    Attributes:
        reused: runs supplied by :meth:`load` so far; ``timings_reused``: settings whose
            epoch time :meth:`timings` supplied.
    """

    def __init__(self, folder: Path | None = None, *, fresh: bool = False,
                 limit: int | None = None):
        self.folder = Path(folder) if folder is not None else cache_dir() / "runs"
        self.fresh = fresh
        self.limit = cache_limit() if limit is None else limit
        self.reused = 0
        self.timings_reused = 0

    # -- runs ------------------------------------------------------------------------

    def run_key(self, spec: RunSpec, data: Dataset, threads: int | None) -> dict[str, Any]:
        """Everything that decides ``spec``'s numbers on ``data`` trained on ``threads``
        BLAS threads (the threads only where they change the result)."""
        return {"format": FORMAT, "run": json.loads(spec.key), "data": data_digest(data),
                "impl": impl_digest(spec.impl), "code": code_version(),
                "threads": threads if thread_sensitive(spec) else None}

    def load(self, specs: Sequence[RunSpec], data: Dataset,
             threads_for: ThreadsFor) -> dict[str, RunRecord]:
        """The kept records of ``specs`` ({spec.key: record}); a run trains on
        ``threads_for(run, missing)`` threads when the runs ``missing`` train, so the lookup
        is repeated with the runs still missing until no more are found."""
        if self.fresh or self.limit == 0:
            return {}
        found: dict[str, RunRecord] = {}
        missing = list(specs)
        while missing:
            hits = {}
            for spec in missing:
                threads = threads_for(spec, missing)
                if thread_sensitive(spec) and threads is None:
                    continue
                record = self._read_run(self.run_key(spec, data, threads), spec, data)
                if record is not None:
                    hits[spec.key] = record
            if not hits:
                break
            found.update(hits)
            missing = [s for s in missing if s.key not in hits]
        self.reused += len(found)
        return found

    def save(self, spec: RunSpec, record: RunRecord, data: Dataset, threads: int | None,
             outputs: dict[str, Path] | None = None) -> None:
        """Keep a finished run trained on ``threads`` BLAS threads (None: not known, and a
        thread-sensitive run is then not kept), with copies of its ``outputs`` files
        ({name: path}, e.g. train's ``model.npz``). What an earlier entry of the same key
        kept besides (weights, outputs) stays: the same key gives the same numbers. A
        cache that cannot be written only costs the reuse."""
        if self.limit == 0 or (threads is None and thread_sensitive(spec)):
            return
        key = self.run_key(spec, data, threads)
        stem = digest(canonical(key), 12)
        doc = {"format": FORMAT, "key": key, "record": record.to_dict(), "weights": None,
               "outputs": {}}
        doc["record_digest"] = digest(canonical(doc["record"]))
        try:
            with self._locked():
                old = self._read_doc(stem, key) or {}
                if record.weights is not None:
                    w = record.weights
                    path = self.folder / f"{stem}.weights.npz"
                    write_npz(path, {"W": w.W, "b": w.b, "test_pred": w.test_pred})
                    doc["weights"] = digest(path.read_bytes())
                else:
                    doc["weights"] = old.get("weights")
                doc["outputs"] = dict(old.get("outputs") or {})
                for name, source in (outputs or {}).items():
                    content = Path(source).read_bytes()
                    with atomic_open(self.folder / f"{stem}.out.{name}") as fh:
                        fh.write(content)
                    doc["outputs"][name] = digest(content)
                write_json(self.folder / f"{stem}.json", doc)
                self._prune()
        except (OSError, ValueError):
            pass

    def outputs(self, spec: RunSpec, data: Dataset, threads: int | None,
                names: Sequence[str]) -> tuple[RunRecord, dict[str, Path]] | None:
        """The kept record of ``spec`` and the paths of its kept ``names`` output files,
        each checked against its digest; None unless all are there and sound."""
        if self.fresh or self.limit == 0 or (threads is None and thread_sensitive(spec)):
            return None
        key = self.run_key(spec, data, threads)
        stem = digest(canonical(key), 12)
        record = self._read_run(key, spec, data)
        doc = self._read_doc(stem, key) if record is not None else None
        kept = (doc or {}).get("outputs") or {}
        if doc is None or not all(name in kept for name in names):
            return None
        paths = {name: self.folder / f"{stem}.out.{name}" for name in names}
        try:
            if all(digest(paths[n].read_bytes()) == kept[n] for n in names):
                self.reused += 1
                return record, paths
        except OSError:
            pass
        self._remove(stem)
        return None

    def _read_run(self, key: dict[str, Any], spec: RunSpec, data: Dataset) -> RunRecord | None:
        stem = digest(canonical(key), 12)
        doc = self._read_doc(stem, key)
        if doc is None:
            return None
        try:
            record = checked_record(doc["record"], doc["record_digest"])
            if spec.keep_weights:
                if doc["weights"] is None:
                    return None  # kept without them (another study's run): train it again
                record.weights = checked_weights(self.folder / f"{stem}.weights.npz",
                                                  doc["weights"], len(data.y_test))
        except (KeyError, TypeError, ValueError, ModelFileError, OSError):
            self._remove(stem)  # damaged: never trusted, trained again
            return None
        _touch(self.folder / f"{stem}.json")
        return record

    # -- epoch timings ---------------------------------------------------------------

    def timings(self, specs: Sequence[RunSpec], data: Dataset, *, repeats: int,
                max_steps: int, measure: Callable[..., dict[str, EpochTiming]]
                ) -> dict[str, EpochTiming]:
        """Epoch times of the settings of ``specs`` ({speed_key: EpochTiming}): the kept
        ones, and ``measure(missing_specs, data, repeats=, max_steps=)`` for the rest."""
        found: dict[str, EpochTiming] = {}
        keys = {speed_key(s): self._timing_key(s, data, repeats, max_steps) for s in specs}
        if not self.fresh and self.limit:
            for setting, key in keys.items():
                doc = self._read_doc("t" + digest(canonical(key), 12), key)
                try:
                    if doc is not None:
                        found[setting] = EpochTiming(**checked_digest(doc["timing"],
                                                                       doc["digest"]))
                except (KeyError, TypeError, ValueError):
                    self._remove("t" + digest(canonical(key), 12))
        missing = [s for s in specs if speed_key(s) not in found]
        measured = measure(missing, data, repeats=repeats, max_steps=max_steps) if missing \
            else {}
        if self.limit:
            try:
                with self._locked():
                    for setting, timing in measured.items():
                        body = asdict(timing)
                        write_json(self.folder / f"t{digest(canonical(keys[setting]), 12)}"
                                                 f".json",
                                   {"format": FORMAT, "key": keys[setting], "timing": body,
                                    "digest": digest(canonical(body))})
                    self._prune()
            except (OSError, ValueError):
                pass
        self.timings_reused += len(found)
        return {**found, **measured}

    def _timing_key(self, spec: RunSpec, data: Dataset, repeats: int,
                    max_steps: int) -> dict[str, Any]:
        return {"format": FORMAT, "timing": speed_key(spec), "data": data_digest(data),
                "impl": impl_digest(spec.impl), "code": code_version(), "repeats": repeats,
                "max_steps": max_steps, "machine": machine()}

    # -- the folder ------------------------------------------------------------------

    def entries(self) -> list[tuple[str, int, float]]:
        """(stem, bytes, last use) of every entry, most recently used first."""
        found: dict[str, list] = {}
        for path in self.folder.glob("*.*") if self.folder.is_dir() else ():
            if path.name.startswith("."):
                continue  # the lock, and files being written
            try:
                st = path.stat()
            except OSError:
                continue
            stem = path.name.split(".")[0]
            size, used = found.get(stem, [0, 0.0])
            found[stem] = [size + st.st_size,
                           max(used, st.st_mtime if path.suffix == ".json" else 0.0)]
        return sorted(((k, s, u) for k, (s, u) in found.items()), key=lambda e: -e[2])

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        with self._locked():
            stems = [stem for stem, _, _ in self.entries()]
            for stem in stems:
                self._remove(stem)
        return len(stems)

    def _read_doc(self, stem: str, key: dict[str, Any]) -> dict[str, Any] | None:
        path = self.folder / f"{stem}.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError):
            self._remove(stem)
            return None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("key") != key:
            self._remove(stem)  # damaged, or another key under this name
            return None
        return doc

    def _prune(self) -> None:
        """Remove the least recently used entries until the rest fit (under the lock)."""
        total = 0
        for stem, size, _ in self.entries():
            total += size
            if total > self.limit:
                self._remove(stem)

    def _remove(self, stem: str) -> None:
        for path in self.folder.glob(f"{stem}.*"):
            with contextlib.suppress(OSError):
                path.unlink()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """An exclusive ``fcntl`` lock on the folder's lock file, for writes and pruning."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / LOCK_NAME, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _touch(path: Path) -> None:
    """Recently used: pruned last."""
    with contextlib.suppress(OSError):
        os.utime(path)
