"""Finished runs kept on disk while a study runs, so that an interrupted report loses none.

Each finished run is written (atomically) as ``<folder>/<key hash>.json`` — its
``RunRecord`` — plus ``<key hash>.npz`` for the kept weights of the diagnostics run.
``softmax-mnist report --resume DIR`` reads them back and trains only the runs that are
missing. A damaged entry is treated as missing (its run is trained again).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..fileio import write_json, write_npz
from .run import KeptWeights, ModelInfo, RunRecord, RunSpec


def _name(spec: RunSpec) -> str:
    return hashlib.sha1(spec.key.encode()).hexdigest()[:20]


def record_from_dict(d: dict) -> RunRecord:
    """A RunRecord from its ``to_dict`` form (without weights)."""
    return RunRecord(**{**d, "model_info": ModelInfo(**d["model_info"])})


class RunStore:
    """Finished RunRecords of one report, in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def save(self, spec: RunSpec, record: RunRecord) -> None:
        """Keep ``record`` (weights first, then the record that marks the entry complete)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = _name(spec)
        if record.weights is not None:
            w = record.weights
            write_npz(self.folder / f"{name}.npz", {"W": w.W, "b": w.b, "test_pred": w.test_pred})
        write_json(self.folder / f"{name}.json", {"key": spec.key, "record": record.to_dict()})

    def load(self, specs: list[RunSpec]) -> dict[str, RunRecord]:
        """The kept records of ``specs`` (by key); missing or damaged ones are left out."""
        found = {}
        for spec in specs:
            name = _name(spec)
            try:
                doc = json.loads((self.folder / f"{name}.json").read_text(encoding="utf-8"))
                if doc["key"] != spec.key:
                    continue
                record = record_from_dict(doc["record"])
                if spec.keep_weights:
                    with np.load(self.folder / f"{name}.npz", allow_pickle=False) as npz:
                        record.weights = KeptWeights(npz["W"], npz["b"], npz["test_pred"])
            except (OSError, ValueError, KeyError, TypeError, RecursionError):
                continue
            found[spec.key] = record
        return found
