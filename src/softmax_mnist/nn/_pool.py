"""The speed trick of 2×2 max pooling: a tournament whose comparisons route the gradient.

``conv.MaxPool2D`` finds where each window's gradient goes the plain way: for every
position of the window in row order, "is this the maximum, and no earlier one was?" —
five passes per position, twenty for a 2×2 window. For S = 2 (``--model cnn``) a
tournament gives the same answer in three comparisons: the left or the right of the top
pair (a = t₀ ≥ t₁), of the bottom pair (c = t₂ ≥ t₃), then the top or the bottom winner
(b = top ≥ bottom). "≥" keeps the earlier entry on a tie, so the winner is the first
maximum in row order, as before. With the masks as 0/1 (bool: a comparison writes it
faster than floats, 0.30 against 0.44 ms at pool 1, and a product reads it as fast) the
gradient of each tap is a product: g·b·a, g·b·(1 − a), g·(1 − b)·c, g·(1 − b)·(1 − c) —
computed as g·b, g − g·b and their products with a and c, exactly (a float times 0 or 1,
minus itself or zero).

The windows are the four strided views of x: (C, H, W, N) (``taps``); the pairs' maxima
stay from the forward pass to the backward one in the layer's workspace.
"""

from __future__ import annotations

import numpy as np

from ._im2col import Workspace
from ._threads import parallel


def taps(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four strided views (C, H // 2, W // 2, N) of a: (C, H, W, N): the top-left,
    top-right, bottom-left and bottom-right entries of every 2×2 window."""
    H, W = a.shape[1] // 2 * 2, a.shape[2] // 2 * 2
    return a[:, 0:H:2, 0:W:2], a[:, 0:H:2, 1:W:2], a[:, 1:H:2, 0:W:2], a[:, 1:H:2, 1:W:2]


def max_pool(x: np.ndarray, work: Workspace) -> np.ndarray:
    """y: (C, H // 2, W // 2, N), the maxima of x's 2×2 windows; the top and bottom
    pairs' maxima are kept in ``work`` for :func:`max_pool_backward`. Valid until the
    next call."""
    C, H, W, N = x.shape
    shape = (C, H // 2, W // 2, N)
    top, bottom = work.empty("top", shape, x.dtype), work.empty("bottom", shape, x.dtype)
    y = work.empty("y", shape, x.dtype)

    def part(a: int, b: int) -> None:  # channels a to b
        t0, t1, t2, t3 = taps(x[a:b])
        np.maximum(t0, t1, out=top[a:b])
        np.maximum(t2, t3, out=bottom[a:b])
        np.maximum(top[a:b], bottom[a:b], out=y[a:b])
    parallel(part, C)
    return y


def max_pool_backward(x: np.ndarray, grad_out: np.ndarray, work: Workspace) -> np.ndarray:
    """∂L/∂x: (C, H, W, N) for ∂L/∂y = grad_out after :func:`max_pool` (x): each window's
    gradient at its first maximum in row order, zero elsewhere. Valid until the next
    call."""
    top, bottom = (work.empty(name, grad_out.shape, x.dtype) for name in ("top", "bottom"))
    dx = work.empty("dx", x.shape, np.result_type(grad_out, x))
    if dx.shape[1] % 2 or dx.shape[2] % 2:
        dx.fill(0)  # the dropped rows and columns
    shape, dtype = grad_out.shape, dx.dtype
    upper, lower = work.empty("upper", shape, dtype), work.empty("lower", shape, dtype)
    mask = work.empty("mask", shape, np.dtype(bool))  # a comparison writes bool fastest

    def part(a: int, b: int) -> None:  # channels a to b
        t0, t1, t2, t3 = taps(x[a:b])
        d0, d1, d2, d3 = taps(dx[a:b])
        g, up, low, m = grad_out[a:b], upper[a:b], lower[a:b], mask[a:b]
        np.greater_equal(top[a:b], bottom[a:b], out=m)  # b: the top pair wins
        np.multiply(g, m, out=up)
        np.subtract(g, up, out=low)
        np.greater_equal(t0, t1, out=m)  # a: the left of the top pair
        np.multiply(up, m, out=d0)
        np.subtract(up, d0, out=d1)
        np.greater_equal(t2, t3, out=m)  # c: the left of the bottom pair
        np.multiply(low, m, out=d2)
        np.subtract(low, d2, out=d3)
    parallel(part, len(x))
    return dx
