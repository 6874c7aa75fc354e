"""The checklist's results for people and programs: one line per check, one summary line
per folder, JSON, and a grade sheet (CSV) for an instructor."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from .checklist import CHECKS, CheckResult
from .sandbox import CheckReport

MARKS = {"pass": "✓", "fail": "✗", "skip": "–"}
TITLE_WIDTH = max(len(c.title) for c in CHECKS)


def result_line(result: CheckResult) -> str:
    """``✓ grad_W         matches the numerical gradient …``"""
    return f"{MARKS[result.status]} {result.title:<{TITLE_WIDTH}}  {result.message}"


def summary_line(report: CheckReport, width: int = 0) -> str:
    """``✓ alice/   12/12 checks  3.1 s`` or ``✗ bob/  9/12 checks  grad_W: … (+1 more)``."""
    head = (f"{MARKS['pass' if report.passed else 'fail']} {report.folder:<{width}}  "
            f"{report.score:>5} checks  {report.seconds:5.1f} s")
    failures = report.failures
    if not failures:
        return head
    more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
    return f"{head}  {failures[0].title}: {failures[0].message}{more}"


def total_line(report: CheckReport) -> str:
    """``all 12 checks passed in 2.1 s`` or ``9/12 checks passed in 2.1 s``."""
    if report.passed:
        return f"all {len(report.results)} checks passed in {report.seconds:.1f} s"
    return f"{report.score} checks passed in {report.seconds:.1f} s"


class InOrder:
    """Feed results in any order; ``emit`` gets each line in checklist order."""

    def __init__(self, emit: Callable[[str], None]):
        self.emit, self.seen, self.next = emit, {}, 0

    def __call__(self, result: CheckResult) -> None:
        self.seen[result.id] = result
        while self.next < len(CHECKS) and CHECKS[self.next].id in self.seen:
            self.emit(result_line(self.seen[CHECKS[self.next].id]))
            self.next += 1


def grade_sheet(reports: Sequence[CheckReport]) -> str:
    """CSV: folder, passed, score, seconds, one column per check (pass/fail/skip), and the
    first failure's hint."""
    out = io.StringIO()
    writer = csv.writer(out)  # \r\n rows: any \r or \n inside a field gets quoted
    writer.writerow(["folder", "passed", "score", "seconds", *(c.id for c in CHECKS),
                     "first_failure"])
    for r in reports:
        first = r.failures[0] if r.failures else None
        writer.writerow([_cell(r.folder), "yes" if r.passed else "no", r.score,
                         f"{r.seconds:.1f}", *(x.status for x in r.results),
                         _cell(f"{first.title}: {first.message}") if first else ""])
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet must not run a cell as a formula (folder names and exception
    messages come from students)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
