"""Lab 2's checklist: every check (a probe, a judge, points and a level), in order, and
the one place where a probe is executed.

A check runs its probe (steps and arrays built here, in the parent), hands the values the
probe kept to its judge, and turns the judge's verdict — or the error the probe reported —
into a result line in English or Chinese. Nothing of the student's decides a verdict: the
judges see plain numbers only. A check whose ``needs`` did not pass is skipped.

Levels: ``required`` (a wrong result: the lab is not done) and ``robustness`` (right
numbers that break in corner cases, such as NaN for large logits).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

from ..rubric import Grade, load_rubric
from ..sandbox import Isolation, Limits, ProbeFailure, ProbeSession
from . import judge_layers as layers
from . import judge_losses as losses
from . import judge_training as training
from .course import CLASSES, missing_files, module_of
from .executor import failure, lab2_reply, request, run_in_process
from .probe import Probe, Reply, imports, new
from .verdict import Fail, Text, Verdict, error_text, ok

Level = Literal["required", "robustness"]
Status = Literal["pass", "fail", "skip"]


ProbeLimits = Limits  # seconds a probe may take (× its check's budget), the child's memory


def execute(folder: str | Path, probe: Probe, limits: Limits | None, budget: float = 1.0,
            session: ProbeSession | None = None) -> Reply:
    """Run ``probe`` on the student's files: THE one call into the executor.

    With ``limits`` (and the folder's ``session``): in lab 1's sandboxed child (bubblewrap,
    or process limits only), within ``limits.seconds × budget``; a child that hangs, dies
    or answers badly gives an error reply. ``limits`` None: in this process (tests).
    """
    if limits is None or session is None:
        return run_in_process(folder, probe)
    try:
        return lab2_reply(session.run(request(probe), limits.seconds * budget))
    except ProbeFailure as exc:
        return failure(str(exc))


def probe_files() -> Probe:
    steps = [*imports(*(module_of(f) for f in CLASSES))]
    steps += [new(f"o{i}", f"{module_of(f)}.{cls}", *args) for i, (f, cls, args) in enumerate(
        (f, cls, (7, 5) if cls == "FCLayer" else (0.1, 0.0) if cls == "SGD" else ())
        for f, cls in CLASSES.items())]
    return Probe(steps)


def judge_files(probe: Probe, reply: Reply) -> Verdict:
    return ok(f"the {len(CLASSES)} course files import and define their classes",
              f"课程的 {len(CLASSES)} 个文件都能导入，并定义了各自的类")


@dataclass(frozen=True)
class Check:
    """One line of the checklist."""

    id: str
    title: Text
    probe: Callable[[], Probe]
    judge: Callable[[Probe, Reply], Verdict]
    points: float
    level: Level = "required"
    needs: tuple[str, ...] = ("files",)
    error_hints: tuple[tuple[str, Text], ...] = ()  # exception type -> a hint to add
    data: bool = False  # the probe takes the MNIST folder
    budget: float = 1.0  # × the time limit


LOSS_ERRORS = (("IndexError", losses.ONE_HOT_HINT), ("ValueError", losses.ONE_HOT_HINT))

CHECKS: tuple[Check, ...] = (
    Check("files", Text("files", "文件"), probe_files, judge_files, 1, needs=()),
    Check("fc_forward", Text("FC forward", "FC 前向"), layers.probe_fc_forward,
          layers.judge_fc_forward, 2),
    Check("fc_init", Text("FC init", "FC 初始化"), layers.probe_fc_init,
          layers.judge_fc_init, 1, "robustness"),
    Check("fc_backward", Text("FC backward", "FC 反向"), layers.probe_fc_backward,
          layers.judge_fc_backward, 3, needs=("fc_forward",)),
    Check("relu", Text("ReLU", "ReLU"), partial(layers.probe_activation, "relu"),
          layers.judge_relu, 2),
    Check("sigmoid", Text("sigmoid", "sigmoid"), partial(layers.probe_activation, "sigmoid"),
          layers.judge_sigmoid, 2),
    Check("cross_entropy", Text("cross-entropy", "交叉熵"),
          partial(losses.probe_loss, "cross-entropy"), losses.judge_cross_entropy, 2,
          error_hints=LOSS_ERRORS),
    Check("cross_entropy_grad", Text("cross-entropy grad", "交叉熵梯度"),
          partial(losses.probe_loss, "cross-entropy"), losses.judge_cross_entropy_backward, 2,
          needs=("cross_entropy",)),
    Check("large_logits", Text("large logits", "大 logit"), losses.probe_large_logits,
          losses.judge_large_logits, 1, "robustness", needs=("cross_entropy",)),
    Check("euclidean", Text("Euclidean", "欧氏损失"), partial(losses.probe_loss, "mse"),
          losses.judge_euclidean, 2, error_hints=LOSS_ERRORS),
    Check("euclidean_grad", Text("Euclidean grad", "欧氏损失梯度"),
          partial(losses.probe_loss, "mse"), losses.judge_euclidean_backward, 2,
          needs=("euclidean",)),
    Check("sgd", Text("SGD", "SGD"), training.probe_sgd, training.judge_sgd, 3),
    Check("network_ce", Text("network grad (CE)", "网络梯度（交叉熵）"),
          partial(training.probe_composed, "cross-entropy", "relu"), training.judge_composed,
          3, needs=("fc_backward", "relu", "cross_entropy_grad")),
    Check("network_mse", Text("network grad (MSE)", "网络梯度（欧氏）"),
          partial(training.probe_composed, "mse", "sigmoid"), training.judge_composed, 2,
          needs=("fc_backward", "sigmoid", "euclidean_grad")),
    Check("end_to_end", Text("end to end", "端到端"), training.probe_end_to_end,
          training.judge_end_to_end, 3, needs=("network_ce", "sgd"), data=True, budget=4.0),
)
BY_ID = {c.id: c for c in CHECKS}
TOTAL_POINTS = sum(c.points for c in CHECKS)
RUBRIC = Path(__file__).with_name("rubric.toml")
"""The shipped rubric: the points and levels above (``--rubric FILE`` replaces them)."""


def load_grades(path: str | os.PathLike[str] | None = None) -> dict[str, Grade]:
    """Check id -> points and level, from ``path`` (TOML, as lab 1's rubric) or RUBRIC."""
    return load_rubric(path, [c.id for c in CHECKS], RUBRIC)


@dataclass(frozen=True)
class Result:
    """A check's line: status, text in both languages, points earned."""

    id: str
    title: Text
    status: Status
    text: Text
    points: float
    max_points: float
    level: Level
    seconds: float = 0.0

    def to_dict(self, lang: str) -> dict[str, Any]:
        d = asdict(self)
        d.update(title=self.title(lang), message=self.text(lang), seconds=round(
            self.seconds, 3))
        del d["text"]
        return d


def _steps_name(probe: Probe, i: int) -> str:
    """What step ``i`` did, in the course's names: ``FCLayer.backward``."""
    step = probe.steps[i]
    classes = {s["new"]: s["cls"].rsplit(".", 1)[1] for s in probe.steps if "new" in s}
    if "import" in step:
        return f"import {step['import']}"
    if "new" in step:
        return f"{classes[step['new']]}(…)"
    if "batches" in step:
        return "training"
    name, attr = (step.get("call") or step.get("get") or step.get("set")).split(".", 1)
    return f"{classes.get(name, name)}.{attr}{'()' if 'call' in step else ''}"


def run_check(check: Check, folder: str | Path, data_dir: str | None,
              cache: dict[Any, tuple[Probe, Reply]], limits: Limits | None,
              session: ProbeSession | None = None) -> Result:
    """Probe, execute (a probe shared by several checks runs once), judge."""
    started = time.perf_counter()
    key = check.probe if not check.data else (check.probe, data_dir)
    try:
        if key not in cache:
            probe = check.probe(data_dir) if check.data else check.probe()
            cache[key] = (probe, execute(folder, probe, limits, check.budget,
                                                session))
        probe, reply = cache[key]
        if reply.error is not None:
            step = int(reply.error["step"])
            text = error_text(reply.error, _steps_name(probe, step) if step >= 0 else "")
            text = text + dict(check.error_hints).get(str(reply.error["type"]), Text("", ""))
            verdict = Verdict(False, text)
        else:
            verdict = check.judge(probe, reply)
    except Fail as exc:
        verdict = Verdict(False, exc.text)
    except (KeyError, TypeError, ValueError, IndexError) as exc:  # a value of an odd kind
        verdict = Verdict(False, Text(f"could not check: {type(exc).__name__}: {exc}",
                                      f"无法检查：{type(exc).__name__}: {exc}"))
    status: Status = "pass" if verdict.passed else "fail"
    return Result(check.id, check.title, status, verdict.text,
                  check.points if verdict.passed else 0, check.points, check.level,
                  time.perf_counter() - started)


def run_checks(folder: str | Path, data_dir: str | None = None,
               on_result: Callable[[Result], None] = lambda r: None,
               ids: Sequence[str] | None = None,
               limits: Limits | None = None, isolation: Isolation = "sandbox",
               grades: dict[str, Grade] | None = None) -> list[Result]:
    """Every check (or those in ``ids``) on ``folder``, in order, with the points and
    levels of ``grades`` (default: the checklist's); with ``limits`` the probes run in one
    probe session (:mod:`..sandbox`, ``isolation``) under them."""
    checks = [dataclasses.replace(c, points=grades[c.id].points, level=grades[c.id].level)
              if grades else c for c in CHECKS]
    with (ProbeSession(Path(folder), isolation, limits) if limits is not None
          else contextlib.nullcontext()) as session:
        return _run_checks(checks, folder, data_dir, on_result, ids, limits, session)


def _run_checks(checks: list[Check], folder: str | Path, data_dir: str | None,
                on_result: Callable[[Result], None], ids: Sequence[str] | None,
                limits: Limits | None,
                session: ProbeSession | None) -> list[Result]:
    missing = missing_files(folder)
    results: dict[str, Result] = {}
    cache: dict[Any, tuple[Probe, Reply]] = {}
    for check in checks:
        if ids is not None and check.id not in ids:
            continue
        bad = [BY_ID[n].title for n in check.needs if n in results
               and results[n].status != "pass"]
        if check.id == "files" and missing:
            result = Result(check.id, check.title, "fail", Text(
                f"{', '.join(missing)} not found: the folder must hold the course's files "
                f"(softmax-mnist scaffold --lab 2 DIR writes them)",
                f"缺少 {', '.join(missing)}：文件夹里应有课程的全部文件（softmax-mnist "
                f"scaffold --lab 2 DIR 会生成它们）"), 0, check.points, check.level)
        elif bad:
            result = Result(check.id, check.title, "skip", Text(
                "not run: needs " + ", ".join(t.en for t in bad),
                "未运行：需要先通过 " + "、".join(t.zh for t in bad)), 0, check.points,
                check.level)
        else:
            result = run_check(check, folder, data_dir, cache, limits, session)
        results[check.id] = result
        on_result(result)
    return list(results.values())
