"""``check`` on one folder: read its files (never run them here), start its probe session
(:mod:`.sandbox`), run the checklist in this process and score it by the rubric; and
many folders checked at the same time (``check --jobs N``, either lab).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .checklist import IDS, CheckResult, run_checks
from .context import Context
from .rubric import Grade, load_rubric
from .sandbox import Isolation, Limits, ProbeSession, stop_all
from .static import read_folder

__all__ = ["CheckReport", "check_folder", "in_parallel", "stop_all"]

T = TypeVar("T")


@dataclass
class CheckReport:
    """The checklist's results for one folder, in checklist order, and their score."""

    folder: str
    results: list[CheckResult]
    seconds: float
    limits: Limits = field(default_factory=Limits)
    isolation: str = "sandbox"
    isolation_note: str = ""

    @property
    def passed(self) -> bool:
        """Every required check passed (a robustness failure costs points only)."""
        return all(r.status == "pass" for r in self.results if r.level == "required")

    @property
    def score(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def total(self) -> float:
        return sum(r.max_points for r in self.results)

    @property
    def score_text(self) -> str:
        return f"{_num(self.score)}/{_num(self.total)}"

    @property
    def checks_passed(self) -> str:
        return f"{sum(r.status == 'pass' for r in self.results)}/{len(self.results)}"

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail"]

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "passed": self.passed, "score": self.score,
                "max_score": self.total, "checks_passed": self.checks_passed,
                "seconds": round(self.seconds, 2), "isolation": self.isolation,
                "isolation_note": self.isolation_note,
                "limits": {"seconds_per_check": self.limits.seconds,
                           "memory_mb": self.limits.memory_mb},
                "checks": [r.to_dict() for r in self.results]}


def _num(x: float) -> str:
    return f"{x:g}"


def check_folder(folder: str | os.PathLike[str], *, data_dir: str | None = None,
                 limits: Limits | None = None, isolation: Isolation = "sandbox",
                 isolation_note: str = "", lang: str = "en",
                 grades: dict[str, Grade] | None = None,
                 on_result: Callable[[CheckResult], None] = lambda r: None) -> CheckReport:
    """Run every check on ``folder``; ``on_result`` sees each result as it comes."""
    from .run_checks import shared_folder, start_training_data

    started = time.perf_counter()
    limits = limits or Limits()
    path = Path(folder).resolve()
    grades = grades or load_rubric(None, IDS)
    start_training_data(data_dir)
    with ProbeSession(path, isolation, limits, shared_folder()) as session:
        ctx = Context(path, session, read_folder(path), lang, limits.seconds, data_dir)
        results = run_checks(ctx, IDS, grades, on_result)
    return CheckReport(str(folder), results, time.perf_counter() - started, limits,
                       isolation, isolation_note)


def in_parallel(one: Callable[[str], T], folders: Sequence[str], jobs: int) -> Iterator[T]:
    """``one(folder)`` for every folder, ``jobs`` at a time (each checked in its own
    sandboxed child), yielded in the folders' order; on Ctrl-C every child is stopped
    before the interrupt goes on."""
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        yield from pool.map(one, folders)
    except KeyboardInterrupt:
        stop_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
