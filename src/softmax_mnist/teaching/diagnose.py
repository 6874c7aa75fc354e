"""A wrong number matched to the mistake that gives it.

The checks compute, next to the right answer, what each well-known mistake would give
(the sum instead of the mean, a transposed gradient, the momentum sign flipped …) and
name the first one the student's result agrees with. :func:`gradient_problem` does the
same for gradients, whose mistakes are shapes and factors: transposed, N× too large,
the sign flipped, not summed over the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..nn.gradcheck import relative_error

TOLERANCE = 1e-6
"""Relative error below which two results are the same (a correct float64 implementation
gives about 1e-12; a float32 one about 1e-7)."""


def agrees(got: Any, expected: Any, tolerance: float = TOLERANCE) -> bool:
    """Same shape (after squeezing) and a relative error below ``tolerance``."""
    a = np.asarray(got, dtype=np.float64)
    b = np.asarray(expected, dtype=np.float64)
    if a.size != b.size:
        return False
    a, b = a.reshape(b.shape), b
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    return relative_error(a, b) < tolerance


def first_match(got: Any, candidates: Sequence[tuple[Any, str]]) -> str:
    """The hint of the first (value, hint) candidate that ``got`` agrees with, or ''."""
    for value, hint in candidates:
        if agrees(got, value):
            return hint
    return ""


def _factor_text(k: float, n: int) -> str:
    """What a gradient k × the true one means, as the end of "grad_W …"."""
    known = [(n, "is N× too large: divide by the batch size N"),
             (-1.0, "has the wrong sign: the gradient of the loss uses (ŷ − Y), not (Y − ŷ)"),
             (-n, "has the wrong sign and is N× too large: use (ŷ − Y) and divide by the "
                  "batch size N"),
             (1.0 / n, "is divided by N twice: divide by the batch size once")]
    for value, text in known:
        if abs(k - value) <= 1e-4 * abs(value):
            return text
    return f"is {k:.4g}× the true gradient"


def gradient_problem(name: str, got: Any, expected: np.ndarray, n: int,
                     candidates: Sequence[tuple[Any, str]] = ()) -> str:
    """'' when ``got`` is the gradient ``expected`` (up to a (1, C)/(C,) reshape of a
    bias), else the mistake: missing, wrong shape, transposed, a factor, a candidate."""
    if got is None:
        return f"{name} is not set: gradient_computing must set self.{name}"
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{name} is a {type(got).__name__}, not an array of numbers"
    want = expected.shape
    transposed = False
    if g.shape != want:
        if g.size == expected.size and (g.ndim <= 1 or 1 in g.shape) and expected.ndim == 1:
            g = g.reshape(want)  # a bias gradient as (1, C) or (C,)
        elif g.ndim == 2 and g.T.shape == want:
            transposed, g = True, g.T
        elif expected.ndim == 1 and g.shape == (n, *want):
            return (f"{name} has shape {g.shape}, one row per sample: sum over the rows "
                    f"(axis=0) and divide by N — b is shared by all N rows")
        elif g.size == 1:
            return (f"{name} is a single number; it needs one entry per class, shape "
                    f"{want}: sum over the rows only (axis=0), not over everything")
        else:
            return f"{name} has shape {g.shape}; it must have the shape of its parameter, {want}"
    prefix = (f"{name} is transposed (shape {want[::-1]} for a parameter of shape {want}: "
              f"Inputᵀ · error gives (D, C))" if transposed else name)
    if not np.all(np.isfinite(g)):
        return f"{name} contains NaN or inf"
    if relative_error(g, expected) < TOLERANCE:
        return f"{prefix}" if transposed else ""
    if not np.any(g):
        return f"{name} is all zeros: compute it from the error (ŷ − Y) of the last forward"
    norm = float(np.vdot(expected, expected))
    if norm > 0:
        k = float(np.vdot(g, expected)) / norm
        if relative_error(g, k * expected) < 1e-5:
            return f"{prefix}{' and' if transposed else ''} {_factor_text(k, n)}"
    hint = first_match(g, candidates)
    if hint:
        return f"{prefix}: {hint}" if transposed else f"{name}: {hint}"
    return (f"{prefix} differs from the numerical gradient (relative error "
            f"{relative_error(g, expected):.2g}) in a way check does not recognise: compare "
            f"an entry with (L(W + h) − L(W − h)) / 2h by hand")
