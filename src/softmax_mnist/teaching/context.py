"""What every check works with, in the parent: the folder's static facts, the probe session
that runs the student's code elsewhere, the check's language, and problems on the course's
shapes.

A check is a function ``check(ctx) -> str``: it returns the text of its ✓ line or raises
:class:`Failed` with the hint of its ✗ line. Checks never import a student's file: they
send probes (:mod:`.probe`) through ``ctx.run`` and judge the plain values that come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .probe_reply import Opaque, Probe, Reply, StepError
from .shapes import C, D, N
from .static import StaticFacts


class Failed(Exception):
    """A check failed; the message is the hint printed after ✗."""


class Session(Protocol):
    def run(self, probe: Probe, seconds: float) -> Reply: ...


@dataclass(frozen=True)
class Problem:
    """A course batch and weights: X (N, 784) float64 images in [0, 1] minus each image's
    mean, y (N,) uint8 labels, W (784, 10), b (10,)."""

    X: np.ndarray
    y: np.ndarray
    W: np.ndarray
    b: np.ndarray

    @property
    def scores(self) -> np.ndarray:
        return self.X @ self.W + self.b


def course_problem(seed: int, n: int = N, scale: float = 1.0) -> Problem:
    """Seeded MNIST-like images (a fifth of the pixels lit) and weights giving logits of
    order ``scale``."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, D)) * (rng.random((n, D)) < 0.2)
    X -= X.mean(axis=1, keepdims=True)
    sigma = scale / np.linalg.norm(X, axis=1).mean()
    return Problem(X, rng.integers(0, C, n).astype(np.uint8), rng.normal(0, sigma, (D, C)),
                   rng.normal(0, 0.1 * scale, C))


@dataclass
class Context:
    """The folder under check, how to reach its code, and the language of the lines."""

    folder: Path
    session: Session
    facts: StaticFacts
    lang: str = "en"
    seconds: float = 20.0
    data_dir: str | None = None
    budget: float = 1.0
    shared: dict[str, Any] = field(default_factory=dict)

    def tr(self, en: str, zh: str) -> str:
        """The text in the check's language."""
        return zh if self.lang == "zh" else en

    def run(self, steps: list[dict[str, Any]], arrays: dict[str, np.ndarray] | None = None,
            files: Sequence[str] = ()) -> Reply:
        """Run ``steps`` on the student's code elsewhere; Failed if the child misbehaves."""
        from .sandbox import ProbeFailure

        probe = Probe(steps, arrays or {}, self.facts.stubs, tuple(files))
        try:
            return self.session.run(probe, self.seconds * self.budget)
        except ProbeFailure as exc:
            raise Failed(self.tr(str(exc), _zh_failure(str(exc)))) from None

    # -- the course's objects, as steps ---------------------------------------------------

    def model_steps(self, p: Problem, name: str = "model") -> list[dict[str, Any]]:
        """Build the student's ``SoftmaxCrossEntropyLoss(784, 10)`` holding p's W and b
        (b in the student's own shape, (1, 10) unless it was seen to be (10,))."""
        return [{"import": "loss"},
                {"new": name, "cls": "loss.SoftmaxCrossEntropyLoss", "args": [D, C]},
                {"set": f"{name}.W", "value": {"copy": "W"}},
                {"set": f"{name}.b", "value": {"copy": "b"}}]

    def arrays(self, p: Problem, **more: np.ndarray) -> dict[str, np.ndarray]:
        return {"X": p.X, "y": p.y, "W": p.W, "b": p.b.reshape(self.facts.b_shape), **more}

    def forward(self, p: Problem, labels: np.ndarray | None = None) -> tuple[Any, Any]:
        """The student's (loss, acc) on p, as returned (not yet numbers)."""
        reply = self.run([*self.model_steps(p), {"call": "model.forward", "args": [
            {"array": "X"}, {"array": "labels"}], "keep": "out"}],
            self.arrays(p, labels=p.y if labels is None else labels))
        self.raise_error(reply, "forward")
        return pair(self, reply.kept.get("out"), "forward")

    def raise_error(self, reply: Reply, what: str) -> None:
        """Failed describing the student's exception, if the probe stopped on one."""
        if reply.error is not None:
            raise Failed(describe_error(self, reply.error, what))


def pair(ctx: Context, out: Any, what: str) -> tuple[Any, Any]:
    """forward's return value as its two parts, or Failed saying what it was."""
    if not isinstance(out, tuple) or len(out) != 2:
        raise Failed(ctx.tr(f"{what} returned {kind(out)}; it must return two numbers, "
                            f"(loss, acc)",
                            f"{what} 返回了{kind(out, 'zh')}；它必须返回两个数 (loss, acc)"))
    return out


def number(ctx: Context, what: tuple[str, str], value: Any, n: int = N) -> float:
    """A float from a number or a 0-d array; Failed for anything else — also for a
    one-element array of shape (1,) or (1, 1): the course's Solver prints it with
    ``{:.4f}``, which such an array refuses."""
    if isinstance(value, bool) or value is None or isinstance(value, Opaque | tuple):
        raise Failed(ctx.tr(f"{what[0]} is {kind(value)}, not a number",
                            f"{what[1]}是{kind(value, 'zh')}，不是一个数"))
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return float(array)
    if array.shape in ((n,), (n, 1)):
        raise Failed(ctx.tr(f"{what[0]} is an array of shape {array.shape}, one value per "
                            f"sample: return their mean, one number",
                            f"{what[1]}是形状为 {array.shape} 的数组（每个样本一个值）："
                            f"应返回它们的平均值，一个数"))
    if array.size == 1:
        raise Failed(ctx.tr(
            f"{what[0]} is {float(array.reshape(())):.6g} but an array of shape "
            f"{array.shape}: the course's Solver prints it with {{:.4f}}, which fails on an "
            f"array — return a number (float(...) or .item())",
            f"{what[1]}的值 {float(array.reshape(())):.6g} 对，但它是形状为 {array.shape} "
            f"的数组：课程的 Solver 用 {{:.4f}} 打印它，数组会报错——请返回一个数"
            f"（float(...) 或 .item()）"))
    raise Failed(ctx.tr(f"{what[0]} is an array of shape {array.shape}, not one number",
                        f"{what[1]}是形状为 {array.shape} 的数组，不是一个数"))


def kind(value: Any, lang: str = "en") -> str:
    """What a returned value is, for a hint: ``an array of shape (1, 1)``, ``None`` …"""
    zh = lang == "zh"
    if isinstance(value, np.ndarray):
        return f"形状为 {value.shape} 的数组" if zh else f"an array of shape {value.shape}"
    if isinstance(value, tuple):
        return f"含 {len(value)} 项的元组" if zh else f"a tuple of {len(value)} items"
    name = value.name if isinstance(value, Opaque) else type(value).__name__
    if value is None:
        return " None" if zh else "None"
    return f" {name} 对象" if zh else f"a {name}"


def describe_error(ctx: Context, error: StepError, what: str) -> str:
    """``forward raised ValueError: … (loss.py line 23)`` and a hint from what is known."""
    from .diagnose import exception_hint

    where = ""
    if error.where:
        file, _, line = error.where.rpartition(":")
        where = ctx.tr(f" ({file} line {line})", f"（{file} 第 {line} 行）")
    text = f"{error.type}: {error.message}" if error.message else error.type
    if error.type == "NotImplementedError":
        text = error.type
    hint = exception_hint(ctx, error)
    head = ctx.tr(f"{what} raised {text}{where}", f"{what} 抛出 {text}{where}")
    return f"{head} — {hint}" if hint else head


def _zh_failure(message: str) -> str:
    """The sandbox's one line about a misbehaving child, in Chinese."""
    if message.startswith("did not finish within"):
        seconds = message.split()[3]
        return f"未在 {seconds} 秒内完成——死循环或 sleep？（可用 --time-limit 放宽）"
    if message.startswith("the check process sent"):
        return "检查进程发回了不合规的答复：它写出的任何东西都不算结果"
    if "memory" in message or "killed" in message:
        return f"检查进程被终止（内存或 CPU 时间超限）：{message}"
    return f"检查进程异常结束：{message}"
