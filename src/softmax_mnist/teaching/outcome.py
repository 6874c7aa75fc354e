"""The checklist's results for people and programs: one line per check, one summary line
per folder, JSON, a grade sheet (CSV), and Gradescope's autograder ``results.json``.

Gradescope's documented format (gradescope-autograders.readthedocs.io, "Autograder
Specifications"): top level ``score``, ``execution_time``, ``output``, ``visibility``,
``stdout_visibility``, ``extra_data``, ``tests``; each test ``score``, ``max_score``,
``status`` (passed/failed), ``name``, ``number``, ``output``, ``tags``, ``visibility``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from .checklist import CHECKS, CheckResult
from .grading import CheckReport

MARKS = {"pass": "✓", "fail": "✗", "skip": "–"}
GRADESCOPE_TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number",
                          "output", "output_format", "tags", "visibility", "extra_data"}
GRADESCOPE_FIELDS = {"score", "execution_time", "output", "output_format", "test_output_format",
                     "test_name_format", "visibility", "stdout_visibility", "extra_data",
                     "tests", "leaderboard"}


def _width(lang: str) -> int:
    return max(len(c.name(lang)) for c in CHECKS)


def _points(result: CheckResult) -> str:
    return f"{result.points:g}/{result.max_points:g}"


def result_line(result: CheckResult, lang: str = "en") -> str:
    """``✓ grad_W         2/2  matches the true gradient …`` (robustness marked)."""
    level = "" if result.level == "required" else (
        " (稳健性)" if lang == "zh" else " (robustness)")
    return (f"{MARKS[result.status]} {result.title:<{_width(lang)}}  {_points(result):>5}  "
            f"{result.message}{level if result.status == 'fail' else ''}")


def summary_line(report: CheckReport, width: int = 0, lang: str = "en") -> str:
    """``✓ alice/  16/16 points  3.1 s`` or ``✗ bob/  12/16 points  grad_W: … (+1 more)``."""
    word = "分" if lang == "zh" else "points"
    head = (f"{MARKS['pass' if report.passed else 'fail']} {report.folder:<{width}}  "
            f"{report.score_text:>7} {word}  {report.seconds:5.1f} s")
    failures = report.failures
    if not failures:
        return head
    more = ""
    if len(failures) > 1:
        more = (f"（另有 {len(failures) - 1} 项）" if lang == "zh"
                else f" (+{len(failures) - 1} more)")
    return f"{head}  {failures[0].title}: {failures[0].message}{more}"


def total_line(report: CheckReport, lang: str = "en") -> str:
    """``all 13 checks passed: 16/16 points in 2.1 s`` or ``10/13 checks passed: …``."""
    n = len(report.results)
    if lang == "zh":
        head = f"全部 {n} 项检查通过" if report.checks_passed == f"{n}/{n}" else \
            f"通过 {report.checks_passed} 项检查"
        verdict = "" if report.passed else "；有必需项未通过"
        return f"{head}：{report.score_text} 分，用时 {report.seconds:.1f} 秒{verdict}"
    head = f"all {n} checks passed" if report.checks_passed == f"{n}/{n}" else \
        f"{report.checks_passed} checks passed"
    verdict = "" if report.passed else "; a required check failed"
    return f"{head}: {report.score_text} points in {report.seconds:.1f} s{verdict}"


class InOrder:
    """Feed results in any order; ``emit`` gets each line in checklist order."""

    def __init__(self, emit: Callable[[str], None], lang: str = "en"):
        self.emit, self.lang, self.seen, self.next = emit, lang, {}, 0

    def __call__(self, result: CheckResult) -> None:
        self.seen[result.id] = result
        while self.next < len(CHECKS) and CHECKS[self.next].id in self.seen:
            self.emit(result_line(self.seen[CHECKS[self.next].id], self.lang))
            self.next += 1


def grade_sheet(reports: Sequence[CheckReport]) -> str:
    """CSV: folder, passed, score, max_score, seconds, isolation, one column per check
    (pass/fail/skip), and the first failure's hint."""
    out = io.StringIO()
    writer = csv.writer(out)  # \r\n rows: any \r or \n inside a field gets quoted
    writer.writerow(["folder", "passed", "score", "max_score", "seconds", "isolation",
                     *(c.id for c in CHECKS), "first_failure"])
    for r in reports:
        first = r.failures[0] if r.failures else None
        writer.writerow([_cell(r.folder), "yes" if r.passed else "no", f"{r.score:g}",
                         f"{r.total:g}", f"{r.seconds:.1f}", r.isolation,
                         *(x.status for x in r.results),
                         _cell(f"{first.title}: {first.message}") if first else ""])
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet must not run a cell as a formula (folder names and exception
    messages come from students)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def gradescope(report: CheckReport, lang: str = "en") -> dict[str, Any]:
    """Gradescope's ``results.json`` for one submission: one test per check."""
    tests = []
    for number, r in enumerate(report.results, 1):
        level = "" if r.level == "required" else (" (稳健性)" if lang == "zh" else
                                                  " (robustness)")
        tests.append({"name": f"{r.title}{level}", "number": str(number),
                      "score": r.points, "max_score": r.max_points,
                      "status": "passed" if r.status == "pass" else "failed",
                      "output": f"{MARKS[r.status]} {r.message}", "tags": [r.id, r.level],
                      "visibility": "visible"})
    output = total_line(report, lang)
    if report.isolation_note:
        output = f"{report.isolation_note}\n{output}"
    return {"score": report.score, "execution_time": round(report.seconds, 1),
            "output": output, "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"isolation": report.isolation, "passed": report.passed}}
