"""Speed of a course-interface model: time per forward + gradient pass, and Python loops
over the rows found by tracing which of the student's lines run how often.

A loop over the N samples gives the right numbers, only slower; timing alone cannot tell
it from a slow machine. Tracing can: with ``sys.settrace`` each line of the student's
files counts its executions for a batch of N and of 2N rows. A line that runs N more
times on the larger batch is inside a loop over the rows, whatever the machine.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits


def one_pass(model: Any, X: np.ndarray, y: np.ndarray) -> None:
    """What a training step asks of the model: forward, then gradient_computing."""
    model.forward(X, y)
    model.gradient_computing()


def seconds_per_pass(model: Any, X: np.ndarray, y: np.ndarray, *, repeats: int = 5,
                     budget: float = 3.0) -> float:
    """Best time of up to ``repeats`` passes (fewer once ``budget`` seconds are spent),
    on one BLAS thread, as the Solver runs."""
    best = np.inf
    spent = 0.0
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(repeats):
            start = time.perf_counter()
            one_pass(model, X, y)
            took = time.perf_counter() - start
            best, spent = min(best, took), spent + took
            if spent > budget:
                break
    return best


@dataclass(frozen=True)
class RowLoop:
    """A line of the student's code that runs once (or more) per row of the batch."""

    file: str
    line: int
    runs_per_row: float

    def describe(self) -> str:
        times = "once" if round(self.runs_per_row) == 1 else f"{self.runs_per_row:.0f} times"
        return f"{self.file} line {self.line} runs {times} per row"


def line_counts(call: Callable[[], None], folder: Path) -> Counter[tuple[str, int]]:
    """How often each line of the files in ``folder`` runs during ``call()``."""
    counts: Counter[tuple[str, int]] = Counter()
    prefix = str(folder) + os.sep

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            counts[(Path(frame.f_code.co_filename).name, frame.f_lineno)] += 1
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(prefix) else None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(old)
    return counts


def find_row_loop(model: Any, X: np.ndarray, y: np.ndarray, folder: Path,
                  rows: int = 50) -> RowLoop | None:
    """The line that runs most often per row, if any runs at least once per row."""
    small = line_counts(lambda: one_pass(model, X[:rows], y[:rows]), folder)
    large = line_counts(lambda: one_pass(model, X[:2 * rows], y[:2 * rows]), folder)
    growth = {key: (large[key] - small.get(key, 0)) / rows for key in large}
    if not growth:
        return None
    (file, line), per_row = max(growth.items(), key=lambda kv: kv[1])
    return RowLoop(file, line, per_row) if per_row >= 0.9 else None


@dataclass(frozen=True)
class PassTiming:
    """One implementation on the same batch: its loss, how far its gradient is from the
    first one's, and its time per forward + gradient pass."""

    label: str
    loss: float
    grad_difference: float  # max |grad_W − first's grad_W| / max |first's grad_W|
    seconds: float

    @property
    def matching_digits(self) -> int:
        """Significant digits grad_W shares with the first one's (at most 15)."""
        return int(min(15, np.floor(-np.log10(max(self.grad_difference, 1e-15)))))


def compare_passes(models: dict[str, Any], X: np.ndarray, y: np.ndarray,
                   ) -> list[PassTiming]:
    """Time each model (all holding the same W and b) on X: (N, D), y: (N,)."""
    timings, first = [], None
    for label, model in models.items():
        seconds = seconds_per_pass(model, X, y)
        loss, _ = model.forward(X, y)
        model.gradient_computing()
        grad = np.asarray(model.grad_W, dtype=np.float64)
        first = grad if first is None else first
        difference = np.abs(grad - first).max() / max(np.abs(first).max(), 1e-300)
        timings.append(PassTiming(label, float(loss), float(difference), seconds))
    return timings
