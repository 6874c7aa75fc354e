"""The speed tricks of the convolution, each behind a name that says what it computes.

A reader of ``conv.py`` sees ``cols = im2col(x)`` and ``dx = col2im(dcols)``: the
convolution as one matrix product and its scatter back. What makes them fast lives here:

- Images are (C, H, W, N), the batch last. A row of the column matrix — one kernel tap
  (c, i, j) for every output position (h, w) and image n — is then H'·W'·N numbers that
  lie in runs of W'·N consecutive floats in x. The copy of :func:`im2col` and the K²
  shifted adds of :func:`col2im` run over those long runs; with the batch first (N, H, W,
  C) each run would be C floats and NumPy's loop overhead would dominate (2× slower here).
- :class:`Workspace` keeps the large scratch arrays of a layer (the padded input, the
  column matrix, the gradient's padded image) from batch to batch. A fresh 60 MB array
  for every batch costs page faults on first touch (5 ms against 2 ms for the copy into
  it); every batch of an epoch but the last has the same shapes.
- Both split into parts (blocks of image rows, channels) for the worker threads of
  ``_threads.parallel``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._threads import parallel


class Workspace:
    """Named scratch arrays, reused while the requested shape and dtype stay the same.

    An array handed out stays valid until the same name is requested again: within one
    forward/backward pass of one layer.
    """

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def empty(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """An array of ``shape`` whose contents are whatever was left in it."""
        a = self._arrays.get(name)
        if a is None or a.shape != shape or a.dtype != dtype:
            a = self._arrays[name] = np.zeros(shape, dtype)
        return a

    def clear(self) -> None:
        """Let the arrays go (e.g. before a layer is pickled or after evaluation)."""
        self._arrays.clear()


def padded(x: np.ndarray, pad: tuple[int, int], work: Workspace, name: str) -> np.ndarray:
    """x: (C, H, W, N) with ``pad`` = (before, after) zero rows and columns around every
    image: (C, H + before + after, W + before + after, N). x itself when there is no pad."""
    lo, hi = pad
    if lo == hi == 0:
        return x
    C, H, W, N = x.shape
    shape = (C, H + lo + hi, W + lo + hi, N)
    xp = work.empty(name, shape, x.dtype)
    xp[:, :lo], xp[:, H + lo:], xp[:, :, :lo], xp[:, :, W + lo:] = 0, 0, 0, 0
    xp[:, lo:lo + H, lo:lo + W] = x
    return xp


def im2col(xp: np.ndarray, size: int, work: Workspace) -> np.ndarray:
    """The column matrix of a padded image batch xp: (C, Hp, Wp, N) for K×K windows,
    with a last row of ones (the bias's "pixel": ``[W | b] cols`` is the product plus the
    bias, and ``g colsᵀ`` gives ∂L/∂W and ∂L/∂b together — no extra pass over the
    output for either).

    Returns cols: (C·K·K + 1, H'·W'·N) with H' = Hp − K + 1, W' = Wp − K + 1, where row
    (c·K + i)·K + j, column (h·W' + w)·N + n holds xp[c, h + i, w + j, n]. Valid until
    the next call on the same workspace.
    """
    C, Hp, Wp, N = xp.shape
    Ho, Wo = Hp - size + 1, Wp - size + 1
    windows = sliding_window_view(xp, (size, size), axis=(1, 2))  # (C, H', W', N, K, K)
    taps = windows.transpose(0, 4, 5, 1, 2, 3)
    cols = work.empty("cols", (C * size * size + 1, Ho * Wo * N), xp.dtype)
    image_rows = cols[:-1].reshape(C, size, size, Ho, Wo, N)
    parallel(lambda a, b: np.copyto(image_rows[:, :, :, a:b], taps[:, :, :, a:b]), Ho)
    cols[-1] = 1
    return cols


def col2im(dcols: np.ndarray, padded_shape: tuple[int, int, int, int], size: int,
           work: Workspace) -> np.ndarray:
    """The transpose of :func:`im2col` (without its row of ones): every entry of dcols:
    (C·K·K, H'·W'·N) added back
    to the pixel it was copied from. Returns (C, Hp, Wp, N), valid until the next call."""
    C, Hp, Wp, N = padded_shape
    Ho, Wo = Hp - size + 1, Wp - size + 1
    taps = dcols.reshape(C, size, size, Ho, Wo, N)
    dxp = work.empty("dpadded", padded_shape, dcols.dtype)

    def part(a: int, b: int) -> None:  # channels a to b
        dxp[a:b].fill(0)
        for i in range(size):
            for j in range(size):
                dxp[a:b, i:i + Ho, j:j + Wo] += taps[a:b, i, j]
    parallel(part, C)
    return dxp
