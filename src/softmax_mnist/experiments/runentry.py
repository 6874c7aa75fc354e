"""Reading a run-cache entry back: every part checked before it is trusted.

A kept entry (:mod:`.runcache`) is believed only if its content has the digest stored
with it, its record has RunRecord's schema with finite-or-None numbers and one value per
epoch, and its weights (read through ``fileio.read_npz``, never unpickled) have their
digest and the shapes of a first layer, its bias and the test predictions. Every check
raises ValueError; the cache then deletes the entry and trains the run again.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from ..fileio import read_npz
from .run import KeptWeights, ModelInfo, RunRecord
from .runkey import canonical, digest

WEIGHT_NAMES = ("W", "b", "test_pred")
"""The arrays of a kept diagnostics run: first-layer weights, bias, test predictions."""


def checked_digest(body: Any, expected: Any) -> Any:
    if expected != digest(canonical(body)):
        raise ValueError("the entry's digest does not match its content")
    return body


RECORD_FIELDS = {f.name for f in fields(RunRecord)} - {"weights"}


def checked_record(body: Any, expected: Any) -> RunRecord:
    """A RunRecord from a kept entry, its digest and schema checked (ValueError if not)."""
    d = checked_digest(body, expected)
    if not isinstance(d, dict) or set(d) != RECORD_FIELDS:
        raise ValueError("not a run record")
    n = d["epochs_run"]
    history = d["history"]
    if (not isinstance(n, int) or n < 0 or not isinstance(history, dict)
            or any(not isinstance(v, list) or len(v) != n for v in history.values())
            or not isinstance(d["final"], dict) or not isinstance(d["iteration_loss"], list)
            or not all(v is None or isinstance(v, int | float)
                       for v in (*d["final"].values(), *d["iteration_loss"],
                                 *(x for v in history.values() for x in v)))):
        raise ValueError("not a run record")
    return RunRecord(**{**d, "model_info": ModelInfo(**d["model_info"])})


def checked_weights(path: Path, expected: Any, n_test: int) -> KeptWeights:
    """The kept weights, read through ``read_npz``; ValueError unless their digest and
    shapes are those of a first layer (D, C), its bias (C,) and ``n_test`` predictions."""
    if expected != digest(path.read_bytes()):
        raise ValueError("the weights file does not match its entry")
    arrays = read_npz(path, "run cache entry")
    if set(arrays) != set(WEIGHT_NAMES):
        raise ValueError("not the kept weights")
    W, b, pred = (arrays[n] for n in WEIGHT_NAMES)
    if (W.ndim != 2 or b.shape != (W.shape[1],) or pred.shape != (n_test,)
            or pred.dtype.kind != "u" or W.dtype.kind != "f" or b.dtype.kind != "f"):
        raise ValueError("not the kept weights")
    return KeptWeights(W, b, pred)
