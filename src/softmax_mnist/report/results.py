"""The report's data: what ``results.json`` holds, as records.

A :class:`Section` per study holds its settings (:class:`VariantResult`: the runs and
their cells), its tables, observations and figures; :class:`Diagnostics` holds what the
Q1 model learned and where it fails. ``to_dict`` gives the JSON form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..experiments import RunRecord
from .cells import Cell


@dataclass
class Table:
    """A table: a title (may be empty), header texts and rows of cells."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns,
                "rows": [[c.to_dict() for c in row] for row in self.rows]}


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    """A Table whose plain values (labels, grid values) become text-only cells."""
    return Table(title, columns, [[c if isinstance(c, Cell) else Cell.label(c) for c in row]
                                  for row in rows])


@dataclass(frozen=True)
class Observation:
    """One sentence of the report, its template's id and the numbers it states."""

    id: str
    text: str
    numbers: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "numbers": self.numbers}


@dataclass(frozen=True)
class Figure:
    """A PNG in the report's folder and its caption."""

    file: str
    caption: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "caption": self.caption}


@dataclass
class VariantResult:
    """One setting of a study: its runs (one per seed) and their cells."""

    label: str
    options: dict[str, Any]
    coords: list[Any]
    cells: dict[str, Cell]
    runs: list[RunRecord]

    @property
    def first_run(self) -> RunRecord:
        """Seed 0's run: the one the figures draw."""
        return self.runs[0]

    @property
    def diverged(self) -> bool:
        return any(r.diverged for r in self.runs)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "options": self.options, "coords": self.coords,
                "cells": {k: c.to_dict() for k, c in self.cells.items()},
                "runs": [r.to_dict() for r in self.runs]}


@dataclass
class Section:
    """One study's part of the report."""

    name: str
    question: str
    kind: str
    source: str
    base: dict[str, Any]
    grid: dict[str, list[Any]]
    checkpoints: list[int]
    thresholds: list[float]
    variants: list[VariantResult]
    stem: str = "study"  # the name as used in file names (see safety.file_stem)
    title: str = ""  # the heading, in the report's language
    tables: list[Table] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "question": self.question,
                "kind": self.kind,
                "source": self.source, "base": self.base, "grid": self.grid,
                "checkpoints": self.checkpoints, "thresholds": self.thresholds,
                "variants": [v.to_dict() for v in self.variants],
                "tables": [t.to_dict() for t in self.tables],
                "observations": [o.to_dict() for o in self.observations],
                "figures": [f.to_dict() for f in self.figures]}


@dataclass
class Diagnostics:
    """The Q1 model on the test set: confusion matrix, per-class accuracy, top mistakes."""

    confusion_matrix: list[list[int]]
    per_class_accuracy: list[float]
    test_accuracy: float
    top_confusions: list[dict[str, int]]  # {"true", "pred", "count"}, most frequent first
    tables: list[Table]
    observations: list[Observation]
    figures: list[Figure] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"confusion_matrix": self.confusion_matrix,
                "per_class_accuracy": self.per_class_accuracy,
                "test_accuracy": self.test_accuracy, "top_confusions": self.top_confusions,
                "tables": [t.to_dict() for t in self.tables],
                "observations": [o.to_dict() for o in self.observations],
                "figures": [f.to_dict() for f in self.figures]}
