"""Lab 2's check results for people and programs: a line per check, a total, a summary
line per folder, JSON — in English or Chinese."""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .checklist import CHECKS, Result

MARKS = {"pass": "✓", "fail": "✗", "skip": "–"}


def default_lang() -> str:
    """``zh`` when the locale is Chinese (``LANG=zh_CN.UTF-8`` …), else ``en``."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _width(text: str) -> int:
    """Columns on a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def result_line(result: Result, lang: str) -> str:
    """``✓ FC backward        3/3  grad_W = Inputᵀ · delta …``"""
    title = result.title(lang)
    pad = max(_width(c.title(lang)) for c in CHECKS) - _width(title)
    return (f"{MARKS[result.status]} {title}{' ' * pad}  {result.points:g}/"
            f"{result.max_points:g}  {result.text(lang)}")


@dataclass(frozen=True)
class Lab2Report:
    """Every result for one folder."""

    folder: str
    results: list[Result]
    seconds: float
    isolation: str = "sandbox"
    isolation_note: str = ""

    @property
    def passed(self) -> bool:
        """Every required check passed (a robustness failure costs points only)."""
        return all(r.status == "pass" for r in self.results if r.level == "required")

    @property
    def points(self) -> tuple[float, float]:
        return sum(r.points for r in self.results), sum(r.max_points for r in self.results)

    @property
    def score(self) -> str:
        return f"{sum(r.status == 'pass' for r in self.results)}/{len(self.results)}"

    def total_line(self, lang: str) -> str:
        got, total = self.points
        required = [r for r in self.results if r.level == "required" and r.status != "pass"]
        if lang == "zh":
            head = (f"全部 {len(self.results)} 项检查通过" if self.passed else
                    f"通过 {self.score} 项检查")
            tail = f"（{len(required)} 项必做项未通过）" if required else ""
            return f"{head}，得分 {got:g}/{total:g}，用时 {self.seconds:.1f} 秒{tail}"
        head = (f"all {len(self.results)} checks passed" if self.passed else
                f"{self.score} checks passed")
        tail = f" ({len(required)} required check{'s' * (len(required) != 1)} not passed)" \
            if required else ""
        return f"{head}: {got:g}/{total:g} points in {self.seconds:.1f} s{tail}"

    def summary_line(self, lang: str, width: int = 0) -> str:
        got, total = self.points
        head = (f"{MARKS['pass' if self.passed else 'fail']} {self.folder:<{width}}  "
                f"{got:>2g}/{total:g} {'分' if lang == 'zh' else 'points'}  {self.seconds:5.1f} s")
        failures = [r for r in self.results if r.status == "fail"]
        if not failures:
            return head
        return f"{head}  {failures[0].title(lang)}: {failures[0].text(lang)}"

    def to_dict(self, lang: str) -> dict[str, Any]:
        got, total = self.points
        return {"folder": self.folder, "lab": 2, "passed": self.passed, "score": self.score,
                "points": got, "max_points": total, "seconds": round(self.seconds, 2),
                "lang": lang, "isolation": self.isolation,
                "isolation_note": self.isolation_note,
                "checks": [r.to_dict(lang) for r in self.results]}


def gradescope(report: Lab2Report, lang: str) -> dict[str, Any]:
    """Gradescope's ``results.json`` for one submission, as lab 1's: one test per check."""
    from ..checklist import CheckResult
    from ..grading import CheckReport
    from ..outcome import gradescope as lab1_gradescope

    results = [CheckResult(r.id, r.title(lang), r.status, r.text(lang), r.seconds, r.points,
                           r.max_points, r.level) for r in report.results]
    out = lab1_gradescope(CheckReport(report.folder, results, report.seconds,
                                      isolation=report.isolation,
                                      isolation_note=report.isolation_note), lang)
    out["output"] = "\n".join(filter(None, (report.isolation_note, report.total_line(lang))))
    return out


def grade_sheet(reports: Sequence[Lab2Report], lang: str) -> str:
    """CSV: folder, passed, points, max_points, seconds, one column per check
    (pass/fail/skip) and the first failure's hint."""
    from ..outcome import _cell

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["folder", "passed", "points", "max_points", "seconds",
                     *(c.id for c in CHECKS), "first_failure"])
    for r in reports:
        first = next((x for x in r.results if x.status == "fail"), None)
        writer.writerow([_cell(r.folder), "yes" if r.passed else "no",
                         *(f"{p:g}" for p in r.points),
                         f"{r.seconds:.1f}", *(x.status for x in r.results),
                         _cell(f"{first.title(lang)}: {first.text(lang)}") if first else ""])
    return out.getvalue()
