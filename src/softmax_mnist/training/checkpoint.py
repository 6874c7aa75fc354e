"""Checkpoints of an interrupted run: ``checkpoint.npz`` in the run's output folder.

It holds the Solver's ``state_dict`` (weights, the optimizer's velocities or running
means, learning rate, RNG state, History, early-stopping progress, best epoch) and the
arguments of the run, so that ``softmax-mnist train --resume DIR`` rebuilds the same run
and carries on. Arrays are stored as arrays, everything else as one JSON document; no
pickles.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError
from ..fileio import printable, read_npz, write_npz

FORMAT = "softmax-mnist checkpoint 2"
NAME = "checkpoint.npz"


def _split(obj: Any, arrays: dict[str, np.ndarray], path: str) -> Any:
    """Replace every ndarray in obj by a reference {"__array__": key}."""
    if isinstance(obj, np.ndarray):
        arrays[path] = obj
        return {"__array__": path}
    if isinstance(obj, dict):
        return {k: _split(v, arrays, f"{path}/{k}") for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_split(v, arrays, f"{path}/{i}") for i, v in enumerate(obj)]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _join(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            return arrays[obj["__array__"]]
        return {k: _join(v, arrays) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_join(v, arrays) for v in obj]
    return obj


def save_checkpoint(path: str | os.PathLike[str], state: dict[str, Any],
                    run: dict[str, Any]) -> None:
    """Write a solver state and the run's arguments to ``path`` (atomically)."""
    arrays: dict[str, np.ndarray] = {}
    doc = {"format": FORMAT, "state": _split(state, arrays, "s"), "run": run}
    arrays["json"] = np.array(json.dumps(doc))
    write_npz(path, arrays)


def load_checkpoint(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """-> (solver state, run arguments); a foreign or damaged file is a ModelFileError."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{printable(path)}: no checkpoint here; --resume takes the "
                             "output folder of an interrupted run.")
    arrays = read_npz(path, "softmax-mnist checkpoint")
    try:
        doc = json.loads(str(arrays.pop("json")))
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError(f"format {doc.get('format') if isinstance(doc, dict) else doc!r}")
        state, run = _join(doc["state"], arrays), doc["run"]
        _check_state(state)
        if not isinstance(run, dict):
            raise TypeError("run arguments are not a table")
        return state, run
    except (ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:
        why = f"no entry {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ModelFileError(f"{printable(path)}: not a usable softmax-mnist checkpoint "
                             f"({why}). Start the run again.") from None


def _check_state(state: Any) -> None:
    """The structure ``Solver.load_state`` reads, with finite weights."""
    if not isinstance(state, dict):
        raise TypeError("state is not a table")
    for key in ("epoch", "weights", "optimizer", "rng", "history", "train_seconds", "best"):
        if key not in state:
            raise KeyError(key)
    if not isinstance(state["optimizer"], dict):
        raise TypeError("optimizer state is not a table")
    moments = [a for value in state["optimizer"].values() if isinstance(value, list)
               for a in value]  # SGD's velocities, Adam's running means
    arrays = [*state["weights"], *state["best"]["weights"], *moments]
    if not all(isinstance(a, np.ndarray) and np.isfinite(a).all() for a in arrays):
        raise ValueError("weights that are not finite arrays")
