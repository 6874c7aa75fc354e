"""A wrong number matched to the mistake that gives it, in the parent.

The checks compute, next to the right answer, what each well-known mistake would give
(the sum instead of the mean, raw scores in place of the probabilities, a transposed
gradient, the momentum sign flipped …) and name the first one the student's result
agrees with. A hint is a pair ``(english, chinese)``. :func:`gradient_problem` does the
same for gradients, whose mistakes are also shapes and factors; :func:`exception_hint`
reads an exception's shapes, not its wording.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from ..nn.gradcheck import relative_error
from .probe_reply import Opaque, StepError
from .shapes import C, D, N


class Context(Protocol):
    """What the hints need of a check's context (:class:`.context.Context`): its language."""

    def tr(self, en: str, zh: str) -> str: ...

Hint = tuple[str, str]
TOLERANCE = 1e-6
"""Relative error below which two results are the same (float64 gives about 1e-12, float32
about 1e-7, the template's EPS = 1e-11 inside the log about 1e-10)."""


def agrees(got: Any, expected: Any, tolerance: float = TOLERANCE) -> bool:
    """Same size (any shape), finite, and a relative error below ``tolerance``."""
    if got is None or isinstance(got, Opaque | tuple):
        return False
    a = np.asarray(got, dtype=np.float64)
    b = np.asarray(expected, dtype=np.float64)
    if a.size != b.size:
        return False
    a = a.reshape(b.shape)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    return relative_error(a, b) < tolerance


def first_match(got: Any, candidates: Sequence[tuple[Any, Hint]]) -> Hint | None:
    """The hint of the first (value, hint) candidate that ``got`` agrees with."""
    for value, hint in candidates:
        if agrees(got, value):
            return hint
    return None


def _factor_text(k: float, n: int, c: int) -> Hint:
    known = [(n, ("is N× too large: divide by the batch size N", "大了 N 倍：要除以批大小 N")),
             (-1.0, ("has the wrong sign: the gradient of the loss uses (ŷ − Y), not (Y − ŷ)",
                     "符号反了：损失的梯度用 (ŷ − Y)，不是 (Y − ŷ)")),
             (-n, ("has the wrong sign and is N× too large: use (ŷ − Y) and divide by the "
                   "batch size N", "符号反了且大了 N 倍：用 (ŷ − Y) 并除以批大小 N")),
             (1.0 / n, ("is divided by N twice: divide by the batch size once",
                        "除了两次 N：只除一次批大小")),
             (n / c, ("is divided by the number of classes instead of the batch size N",
                      "除以的是类别数而不是批大小 N"))]
    for value, text in known:
        if abs(k - value) <= 1e-4 * abs(value):
            return text
    return f"is {k:.4g}× the true gradient", f"是正确梯度的 {k:.4g} 倍"


def gradient_problem(ctx: Context, name: str, got: Any, expected: np.ndarray, n: int,
                     candidates: Sequence[tuple[Any, Hint]] = ()) -> str:
    """'' when ``got`` is the gradient ``expected`` (a bias as (1, C) or (C,)), else the
    mistake: missing, wrong shape, transposed, a factor, a candidate of the catalogue."""
    tr = ctx.tr
    if got is None:
        return tr(f"{name} is not set: gradient_computing must set self.{name}",
                  f"{name} 没有设置：gradient_computing 必须设置 self.{name}")
    if isinstance(got, Opaque | tuple):
        return tr(f"{name} is not an array of numbers", f"{name} 不是数值数组")
    g = np.asarray(got, dtype=np.float64)
    want, c = expected.shape, expected.shape[-1]
    transposed = False
    if g.shape != want:
        if g.size == expected.size and expected.ndim == 1 and (g.ndim <= 1 or 1 in g.shape):
            g = g.reshape(want)
        elif g.ndim == 2 and g.T.shape == want:
            transposed, g = True, g.T
        elif expected.ndim == 1 and g.shape == (n, *want):
            return tr(f"{name} has shape {g.shape}, one row per sample: sum over the rows "
                      f"(axis=0) — b is shared by all N rows",
                      f"{name} 的形状是 {g.shape}，每个样本一行：要对行求和 (axis=0)——b 由全部 N "
                      f"行共享")
        elif g.size == 1:
            return tr(f"{name} is a single number; it needs one entry per class, shape "
                      f"{want}: sum over the rows only (axis=0), not over everything",
                      f"{name} 是一个数；它需要每个类别一项，形状 {want}：只对行求和 (axis=0)，"
                      f"不要对全部求和")
        elif expected.ndim == 1 and g.shape == (n,):
            return tr(f"{name} has shape ({n},): summed over the classes (axis=1); sum over "
                      f"the rows (axis=0)", f"{name} 的形状是 ({n},)：对类别求和了 (axis=1)；"
                      f"应对行求和 (axis=0)")
        else:
            return tr(f"{name} has shape {g.shape}; it must have the shape of its parameter, "
                      f"{want}", f"{name} 的形状是 {g.shape}；它必须与参数形状 {want} 相同")
    prefix = tr(f"{name} is transposed (shape {want[::-1]} for a parameter of shape {want}: "
                f"Inputᵀ · error gives (D, C))",
                f"{name} 转置了（参数形状 {want}，它却是 {want[::-1]}：Inputᵀ · error 才是 (D, C)）"
                ) if transposed else name
    if not np.all(np.isfinite(g)):
        return tr(f"{name} contains NaN or inf", f"{name} 含有 NaN 或 inf")
    if relative_error(g, expected) < TOLERANCE:
        return prefix if transposed else ""
    if not np.any(g):
        return tr(f"{name} is all zeros: compute it from the error (ŷ − Y) of the last forward",
                  f"{name} 全为零：要用最近一次 forward 的误差 (ŷ − Y) 计算")
    norm = float(np.vdot(expected, expected))
    if norm > 0:
        k = float(np.vdot(g, expected)) / norm
        if relative_error(g, k * expected) < 1e-5:
            text = ctx.tr(*_factor_text(k, n, c))
            return f"{prefix}{tr(' and', '，且')} {text}" if transposed else f"{name} {text}"
    hint = first_match(g, candidates)
    if hint:
        return f"{prefix}: {ctx.tr(*hint)}"
    return tr(f"{prefix} differs from the true gradient (relative error "
              f"{relative_error(g, expected):.2g}) in a way check does not recognise: compare "
              f"an entry with (L(W + h) − L(W − h)) / 2h by hand",
              f"{prefix} 与正确梯度不同（相对误差 {relative_error(g, expected):.2g}），check 认不出"
              f"是哪种错误：请手算 (L(W + h) − L(W − h)) / 2h 与某一项比较")


_SHAPES = re.compile(r"shapes? ((?:\([\d, ]*\)\s*)+)")


def _shapes(message: str) -> list[tuple[int, ...]]:
    match = _SHAPES.search(message)
    if not match:
        return []
    return [tuple(int(x) for x in part.split(",") if x.strip())
            for part in re.findall(r"\(([\d, ]*)\)", match.group(1))]


def exception_hint(ctx: Context, error: StepError) -> str:
    """A hint for the student's exception from what it says in numbers (its shapes), the
    module it could not import, or its type; '' when nothing is known."""
    tr = ctx.tr
    if error.type == "NotImplementedError":
        return tr("not written yet: fill in the TODO", "还没写：请完成 TODO")
    if error.type in ("ModuleNotFoundError", "ImportError") and error.module:
        return tr(f"{error.module} is not in the folder, and the lab needs NumPy only: hand "
                  f"in your helper files with loss.py and optimizer.py",
                  f"文件夹里没有 {error.module}，而实验只需要 NumPy：请把自己的辅助文件与 loss.py、"
                  f"optimizer.py 一起提交")
    if error.type == "MemoryError":
        return tr("it allocates more memory than check allows (--memory-limit)",
                  "它分配的内存超过了 check 允许的上限（--memory-limit）")
    if error.type == "RecursionError":
        return tr("a function calls itself without end", "函数无限递归调用自身")
    shapes = set(_shapes(error.message))
    file = error.where.split(":")[0]
    if {(N, C), (N,)} <= shapes and file == "loss.py":
        return tr("a row-wise max or sum lost its axis: keepdims=True keeps it (shape (N, 1)) "
                  "so it broadcasts against the (N, C) scores",
                  "按行的 max 或 sum 丢掉了这一维：加 keepdims=True（形状 (N, 1)）才能与 (N, C) "
                  "的分数广播")
    if {(D, C), (C, D)} <= shapes:
        return tr("a (784, 10) and a (10, 784) array meet: one of them is transposed",
                  "(784, 10) 与 (10, 784) 的数组相遇：其中一个转置了")
    if {(C,), (N,)} <= shapes and file == "loss.py":
        return tr("an argmax or sum over axis 0 gives one value per class: use axis=1, one per "
                  "row", "沿 axis 0 的 argmax 或 sum 得到的是每个类别一个值：应用 axis=1，每行一个")
    if shapes and any(len(s) == 2 and s[1] == N for s in shapes):
        return tr("an array has the batch along its columns: the course's arrays are (N, 784) "
                  "images and (N,) labels", "有数组把批放在了列上：课程的数组是 (N, 784) 的图像"
                  "和 (N,) 的标签")
    if error.type == "IndexError" and file == "loss.py":
        return tr("labels are integers of shape (N,) (uint8, as the course's data loader "
                  "gives them): index with them, e.g. probs[np.arange(N), labels]",
                  "标签是形状 (N,) 的整数（uint8，与课程数据加载器一致）：用它们做下标，例如 "
                  "probs[np.arange(N), labels]")
    return ""
