"""The checklist: every check, in the order it runs and prints, with what it needs.

A check whose ``needs`` failed (or were skipped) is skipped: its line says which. Each
check may run for ``budget`` × the time limit (the sandbox enforces it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .checks import (
    check_accuracy,
    check_files,
    check_grad_b,
    check_grad_W,
    check_interface,
    check_loss,
    check_stability,
)
from .context import Context, Failed
from .run_checks import check_end_to_end, check_vectorised
from .sgd_checks import check_learning_rate, check_momentum, check_sgd
from .student import describe_exception


@dataclass(frozen=True)
class Check:
    """One line of the checklist."""

    id: str
    title: str
    run: Callable[[Context], str]
    needs: tuple[str, ...] = ()
    budget: float = 1.0  # × the time limit


CHECKS: tuple[Check, ...] = (
    Check("files", "files", check_files),
    Check("interface", "interface", check_interface, ("files",)),
    Check("loss", "loss", check_loss, ("interface",)),
    Check("accuracy", "accuracy", check_accuracy, ("interface",)),
    Check("stability", "large logits", check_stability, ("interface",)),
    Check("grad_W", "grad_W", check_grad_W, ("interface",)),
    Check("grad_b", "grad_b", check_grad_b, ("interface",)),
    Check("sgd", "SGD", check_sgd, ("files",)),
    Check("momentum", "momentum", check_momentum, ("files",)),
    Check("learning_rate", "learning rate", check_learning_rate, ("files",)),
    Check("vectorised", "vectorised", check_vectorised, ("interface",)),
    Check("end_to_end", "end to end", check_end_to_end,
          ("loss", "grad_W", "grad_b", "sgd", "momentum"), budget=4.0),
)
BY_ID = {c.id: c for c in CHECKS}

Status = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class CheckResult:
    """A check's line: ✓ pass, ✗ fail, – skip, and its text (what passed, or the hint)."""

    id: str
    title: str
    status: Status
    message: str
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 3)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckResult:
        return cls(str(d["id"]), str(d["title"]), d["status"], str(d["message"]),
                   float(d.get("seconds", 0.0)))


def skipped(check: Check, because: str) -> CheckResult:
    return CheckResult(check.id, check.title, "skip", f"not run: {because}")


def blocked_by(check: Check, results: dict[str, CheckResult]) -> str:
    """The titles of the check's needs that did not pass ('' if none)."""
    bad = [BY_ID[n].title for n in check.needs if n in results and results[n].status != "pass"]
    return ", ".join(bad)


def run_one(check: Check, ctx: Context) -> CheckResult:
    """Run a check; any exception is its ✗ line (never a traceback)."""
    start = time.perf_counter()
    try:
        status, message = "pass", check.run(ctx)
    except Failed as exc:
        status, message = "fail", str(exc)
    except Exception as exc:  # a result of the student's that our code could not handle
        status, message = "fail", f"could not check: {describe_exception(exc, ctx.folder)}"
    return CheckResult(check.id, check.title, status, message, time.perf_counter() - start)


def run_checks(ctx: Context, ids: Sequence[str], on_start: Callable[[str], None],
               on_result: Callable[[CheckResult], None]) -> None:
    """Run the checks ``ids`` in checklist order; a need not in ``ids`` counts as passed."""
    results: dict[str, CheckResult] = {}
    for check in CHECKS:
        if check.id not in ids:
            continue
        bad = blocked_by(check, results)
        if bad:
            result = skipped(check, f"needs {bad}")
        else:
            on_start(check.id)
            result = run_one(check, ctx)
        results[check.id] = result
        on_result(result)
