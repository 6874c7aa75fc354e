"""The report's "Implementation" part: which code trained the runs, and the same forward +
gradient pass done three ways — a loop over the samples, vectorised, and (with ``--impl``)
the student's — with the same numbers and their speeds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data import Dataset
from ..experiments import Study
from ..model import ModelSpec
from ..nn import Network
from ..teaching.adapter import set_course_weights
from ..teaching.impls import impl_unsupported
from ..teaching.reference import NaiveSoftmaxCrossEntropyLoss, SoftmaxCrossEntropyLoss
from ..teaching.speed import compare_passes
from ..teaching.student import implementation_record, load_course
from .cells import Cell
from .observations import observation, separator
from .results import Figure, Observation, Table, table
from .safety import code_span, md_escape
from .text import text

SPEED_ROWS = 1000


@dataclass
class ImplementationPart:
    """Who trained the runs (``record``: metrics.json's ``implementation``), the runs the
    course interface cannot express, and the speed table."""

    record: dict[str, Any]
    reference_runs: list[str]
    tables: list[Table]
    observations: list[Observation]
    figures: list[Figure] = field(default_factory=list)
    momentum_left_out: bool = False  # lab 2's Q6 at momentum 0: its 0.9 runs left out

    def to_dict(self) -> dict[str, Any]:
        return {**self.record, "reference_runs": self.reference_runs,
                "tables": [t.to_dict() for t in self.tables],
                "observations": [o.to_dict() for o in self.observations]}


def reference_runs(studies: Sequence[Study], impl: str) -> list[str]:
    """Labels of the runs the classes in ``impl`` cannot train (lab 1's: hidden layers,
    Nesterov …; lab 2's: momentum, convolutions …)."""
    labels = []
    for study in studies:
        for v in study.variants:
            if (impl_unsupported(impl, study.model(v), study.config(v, 0))
                    and v.label not in labels):
                labels.append(v.label)
    return labels


def implementation_part(impl: str | None, data: Dataset, studies: Sequence[Study],
                        lang: str) -> ImplementationPart:
    """Time the naive, vectorised and (with ``impl``) student's pass on the first 1,000
    training images, preprocessed as in Q1, from the initial weights of seed 0."""
    X_raw, y = data.X_train[:SPEED_ROWS], data.y_train[:SPEED_ROWS].astype(np.int64)
    X = ModelSpec().pipeline().fit_transform(X_raw).astype(np.float64)
    W, b = (w.astype(np.float64) for w in Network.build(X.shape[1], len(data.classes))
            .get_weights())
    models: dict[str, Any] = {}
    for key, cls in (("impl_vectorised", SoftmaxCrossEntropyLoss),
                     ("impl_naive", NaiveSoftmaxCrossEntropyLoss)):
        models[text(lang, key)] = cls(X.shape[1], len(data.classes))
    if impl is not None:
        models[text(lang, "impl_yours")] = load_course(impl).loss(X.shape[1], len(data.classes))
    for model in models.values():
        set_course_weights(model, [W, b])
    timings = compare_passes(models, X, y)
    vectorised = timings[0].seconds  # the first: the others are compared with it
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    rows = [[p.label, number_cell(p.loss, 6),
             number_cell(p.matching_digits, 0) if i else Cell.label(t("na")),
             number_cell(p.seconds * 1e3, 2), number_cell(p.seconds / vectorised, 1)]
            for i, p in enumerate(timings)]
    speed = table(t("impl_table", n=SPEED_ROWS),
                  [t("impl_column"), t("loss"), t("impl_digits"), t("impl_ms"),
                   t("impl_ratio")], rows)
    parts = [t("impl_speed_part", label=p.label, ms=f"{p.seconds * 1e3:.2f}",
               ratio=f"{p.seconds / vectorised:.1f}") for p in timings[1:]]
    digits = min(p.matching_digits for p in timings[1:])
    obs = [observation("impl_speed", lang, {"digits": digits, "rows": SPEED_ROWS},
                       digits=digits, vectorised=f"{vectorised * 1e3:.2f}",
                       parts=separator(lang).join(parts))]
    return ImplementationPart(implementation_record(impl), reference_runs(studies, impl)
                              if impl else [], [speed], obs)


def implementation_lines(part: ImplementationPart, lang: str) -> list[str]:
    """The sentence saying which code trained the runs (markdown), for the intro."""
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    record = part.record
    if record["by"] != "student":
        return [t("impl_ours")]

    files = ", ".join(f"{name} {code_span(digest)}" for name, digest in record["files"].items())
    lines = [t("impl_student", folder=code_span(record["folder"]), files=files)]
    if part.reference_runs:
        lines.append(t("impl_reference_runs", runs=md_escape(
            separator(lang).join(part.reference_runs))))
    return [" ".join(lines)]


def number_cell(value: float, digits: int) -> Cell:
    """A table cell showing ``value`` with ``digits`` decimals (stored with it)."""
    return Cell(f"{value:.{digits}f}", float(value), None, 1, 1, "ok", digits)
