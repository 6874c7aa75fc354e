"""Table cells: one number aggregated over seeds, its display text and status.

Every number the report shows is computed once, as a :class:`Cell`, and stored in
``results.json``; the markdown shows the cell's text and the observations its
:meth:`Cell.number`, so the text cannot contradict the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..experiments import RunRecord, Study, Variant
from ..training import BestEpoch
from .text import text

DIGITS = {"pct": 2, "loss": 4, "sec": 2, "epoch": 0}


@dataclass(frozen=True)
class Cell:
    """One table entry.

    Attributes:
        text: what the table shows ("92.48", "91.00 ± 1.41", "diverged", "—").
        value: the mean over seeds in the display unit (percent for accuracies), or None.
        std: standard deviation over seeds (None for one seed).
        n, total: seeds with a value, seeds in all.
        status: "ok", "diverged", "na", "not_reached" — or "text" for a label.
        digits: decimals of ``text``, for ``number()``.
    """

    text: str
    value: float | None = None
    std: float | None = None
    n: int = 0
    total: int = 0
    status: str = "text"
    digits: int = 0

    @classmethod
    def label(cls, text: Any) -> Cell:
        """A cell that only shows text (a run's label, a grid value)."""
        return cls(str(text))

    def number(self) -> str:
        """The mean, formatted as in the table."""
        return f"{self.value:.{self.digits}f}"

    def to_dict(self) -> dict[str, Any]:
        if self.status == "text":
            return {"text": self.text}
        d = {"text": self.text, "value": self.value, "std": self.std, "n": self.n,
             "total": self.total, "status": self.status}
        return {**d, "digits": self.digits} if self.status == "ok" else d


def make_cell(values: Sequence[float | None], kind: str, lang: str, *, diverged: int = 0,
              missing: str = "na") -> Cell:
    """Aggregate one number over seeds into a table cell.

    Args:
        values: per seed, in the stored unit (accuracies as fractions); None = no value.
        kind: "pct" (shown ×100, 2 decimals), "loss" (4), "sec" (2) or "epoch".
        diverged: how many seeds diverged; any divergence shows as "diverged".
        missing: text key when no seed has a value ("na" or "not_reached").
    """
    total = len(values)
    if diverged:
        word = text(lang, "diverged")
        return Cell(word if diverged == total else f"{word} ({diverged}/{total})",
                    n=total - diverged, total=total, status="diverged")
    vals = [float(v) * (100 if kind == "pct" else 1) for v in values if v is not None]
    if not vals:
        return Cell(text(lang, missing), total=total, status=missing)
    mean = float(np.mean(vals))
    std = float(np.std(vals, ddof=1)) if len(vals) > 1 else None
    digits = DIGITS[kind]
    if kind == "epoch" and len(set(vals)) > 1:
        digits = 1
    body = f"{mean:.{digits}f}" + (f" ± {std:.{digits}f}" if std is not None else "")
    if len(vals) < total:
        body += f" ({len(vals)}/{total})"
    return Cell(body, mean, std, len(vals), total, "ok", digits)


def value_text(v: Any) -> str:
    """An option value as people write it: 0.01, 3, 1000, True."""
    return f"{v:g}" if isinstance(v, float) else str(v)


def percent_text(fraction: float) -> str:
    """A fraction as percent without trailing zeros: 0.92 -> "92"."""
    return f"{100 * fraction:g}"


def seed_metrics(rec: RunRecord, study: Study,
                 epoch_seconds: float | None = None) -> dict[str, float | None]:
    """The numbers of one run (one seed) that the tables use, by metric name.

    ``epoch_seconds``: the setting's time per epoch from the serial timing pass; when
    given, every time column (per epoch, to a threshold, in all) is epochs × that time,
    instead of the seconds the run measured while other runs shared the cores.
    """
    h, n = rec.history, rec.epochs_run
    val, secs = h["val_accuracy"], h["seconds"]
    if epoch_seconds is not None:
        secs = [epoch_seconds] * n
    m: dict[str, float | None] = {
        "epochs_run": n, "best_epoch": rec.best_epoch,
        "sec_per_epoch": float(np.mean(secs)) if n else None,
        "train_seconds": rec.train_seconds if epoch_seconds is None else n * epoch_seconds,
        **{f"final_{k}": v for k, v in rec.final.items()},
        **best_validation_epoch(rec),
    }
    cumulative = np.cumsum(secs) if n else np.zeros(0)
    for t in study.thresholds:
        hit = next((i for i, v in enumerate(val) if v is not None and v >= t - 1e-9), None)
        m[f"epochs_to_{t}"] = None if hit is None else hit + 1
        m[f"seconds_to_{t}"] = None if hit is None else float(cumulative[hit])
    for c in study.checkpoints:
        m[f"test_at_{c}"] = h["test_accuracy"][c - 1] if n >= c else None
    info = rec.model_info
    m.update(features=info.features, parameters=info.parameters,
             preprocess_seconds=info.preprocess_seconds)
    return m


def best_validation_epoch(rec: RunRecord) -> dict[str, float | None]:
    """The run's epoch with the highest validation accuracy (the first of equals), that
    accuracy and the test accuracy of the same epoch — one basis for every run, whether it
    ended on its last epoch's weights or on restored best weights."""
    best = BestEpoch()
    for epoch, value in enumerate(rec.history["val_accuracy"], 1):
        if value is not None:  # no validation
            best.update(epoch, value)
    if not best.epoch:
        return {"best_val_accuracy": None, "best_val_epoch": None, "test_at_best": None}
    return {"best_val_accuracy": best.value, "best_val_epoch": best.epoch,
            "test_at_best": rec.history["test_accuracy"][best.epoch - 1]}


METRIC_KINDS = {"epochs_run": "epoch", "best_epoch": "epoch", "best_val_epoch": "epoch",
                "sec_per_epoch": "sec",
                "train_seconds": "sec", "final_train_loss": "loss", "final_val_loss": "loss",
                "final_test_loss": "loss", "features": "epoch", "parameters": "epoch",
                "preprocess_seconds": "sec"}


def metric_kind(name: str) -> str:
    """How a metric is shown: "pct", "loss", "sec" or "epoch" (whole numbers)."""
    if name in METRIC_KINDS:
        return METRIC_KINDS[name]
    if name.startswith("epochs_to_"):
        return "epoch"
    if name.startswith("seconds_to_"):
        return "sec"
    return "pct"


def summarise(study: Study, variant: Variant, recs: list[RunRecord], lang: str,
              epoch_seconds: float | None = None) -> dict[str, Cell]:
    """Cells (mean ± std over seeds) for every metric of one setting (``epoch_seconds``:
    see :func:`seed_metrics`)."""
    diverged = sum(bool(r.diverged) for r in recs)
    per_seed = [seed_metrics(r, study, epoch_seconds) for r in recs]
    cells = {}
    for name in per_seed[0]:
        missing = "not_reached" if name.split("_to_")[0] in ("epochs", "seconds") else "na"
        cells[name] = make_cell([m[name] for m in per_seed], metric_kind(name), lang,
                                diverged=diverged, missing=missing)
    return cells
