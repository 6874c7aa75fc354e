"""The checklist: every check, in the order it runs and prints, with what it needs.

A check runs in the parent and reaches the student's code only through probes. It is
skipped only when something it truly cannot run without failed: ``needs`` names checks,
or the files ``loss.py`` / ``optimizer.py`` (importable, found by the files check). Each
check's probes may take ``budget`` × the time limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .checks import check_files, check_imports, check_interface
from .context import Context, Failed
from .forward_checks import (
    check_accuracy,
    check_grad_b,
    check_grad_W,
    check_loss,
    check_stability,
)
from .run_checks import check_end_to_end, check_vectorised
from .sgd_checks import check_learning_rate, check_momentum, check_sgd

LOSS, OPTIMIZER = "loss.py", "optimizer.py"


@dataclass(frozen=True)
class Check:
    """One line of the checklist: id, title in English and Chinese, the function."""

    id: str
    title: str
    title_zh: str
    run: Callable[[Context], str]
    needs: tuple[str, ...] = ()
    budget: float = 1.0  # × the time limit

    def name(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title


CHECKS: tuple[Check, ...] = (
    Check("imports", "imports", "导入", check_imports),
    Check("files", "files", "文件", check_files),
    Check("interface", "interface", "接口", check_interface, (LOSS,)),
    Check("loss", "loss", "损失", check_loss, (LOSS,)),
    Check("accuracy", "accuracy", "准确率", check_accuracy, (LOSS,)),
    Check("stability", "large logits", "大 logits", check_stability, (LOSS,)),
    Check("grad_W", "grad_W", "grad_W", check_grad_W, (LOSS,)),
    Check("grad_b", "grad_b", "grad_b", check_grad_b, (LOSS,)),
    Check("sgd", "SGD", "SGD", check_sgd, (OPTIMIZER,)),
    Check("momentum", "momentum", "动量", check_momentum, (OPTIMIZER,)),
    Check("learning_rate", "learning rate", "学习率", check_learning_rate, (OPTIMIZER,)),
    Check("vectorised", "vectorised", "向量化", check_vectorised, (LOSS,)),
    Check("end_to_end", "end to end", "端到端", check_end_to_end, (LOSS, OPTIMIZER),
          budget=4.0),
)
BY_ID = {c.id: c for c in CHECKS}
IDS = [c.id for c in CHECKS]

Status = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class CheckResult:
    """A check's line: ✓ pass, ✗ fail, – skip, its text (what passed, or the hint), its
    points out of ``max_points`` and its level."""

    id: str
    title: str
    status: Status
    message: str
    seconds: float = 0.0
    points: float = 0.0
    max_points: float = 0.0
    level: str = "required"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 3)}


def blocked_by(check: Check, results: dict[str, CheckResult], ctx: Context) -> str:
    """What the check needs that failed: a check's title or a file ('' if nothing)."""
    importable = ctx.shared.get("importable", set())
    bad = []
    for need in check.needs:
        if need in (LOSS, OPTIMIZER):
            if "files" in results and need not in importable:
                bad.append(need)
        elif need in results and results[need].status != "pass":
            bad.append(BY_ID[need].name(ctx.lang))
    return ", ".join(bad)


def run_one(check: Check, ctx: Context) -> tuple[Status, str, float]:
    """Run a check in the parent -> (status, message, seconds); never a traceback."""
    start = time.perf_counter()
    ctx.budget = check.budget
    try:
        status, message = "pass", check.run(ctx)
    except Failed as exc:
        status, message = "fail", str(exc)
    return status, message, time.perf_counter() - start


def run_checks(ctx: Context, ids: Sequence[str], grades: dict[str, Any],
               on_result: Callable[[CheckResult], None]) -> list[CheckResult]:
    """Run the checks ``ids`` in checklist order; each result scored by ``grades``."""
    results: dict[str, CheckResult] = {}
    for check in CHECKS:
        if check.id not in ids:
            continue
        grade = grades[check.id]
        bad = blocked_by(check, results, ctx)
        if bad:
            status, message, seconds = "skip", ctx.tr(f"not run: needs {bad}",
                                                      f"未运行：需要 {bad}"), 0.0
        else:
            status, message, seconds = run_one(check, ctx)
        result = CheckResult(check.id, check.name(ctx.lang), status, message, seconds,
                             grade.points if status == "pass" else 0.0, grade.points,
                             grade.level)
        results[check.id] = result
        on_result(result)
    return list(results.values())
