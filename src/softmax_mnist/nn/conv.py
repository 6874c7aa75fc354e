"""The layers of a convolutional network: convolution, max pooling, and the reshapes
between images and rows. Forward and backward side by side, as in ``layers.py``.

Images travel between these layers as x: (C, H, W, N) — channels, height, width and the
batch *last* (cuda-convnet's layout; ``_im2col`` says why it is the fast one in NumPy).
Rows enter and leave as (N, D): ``Unflatten`` turns the network's input rows (N, 784)
into (1, 28, 28, N) images, ``Flatten`` turns the last feature maps into rows (N, C·H·W)
for the fully connected layers, each row in PyTorch's (c, h, w) order.

The convolution is one matrix product over the *column matrix* (im2col): for a K×K
kernel, row (c, i, j) of ``cols`` holds the pixel x[c, h + i, w + j, n] for every output
position (h, w) of every image n, so that

    z = W cols + b            W: (F, C·K·K), cols: (C·K·K, H'·W'·N) -> z: (F, H'·W'·N)
    ∂L/∂W = g colsᵀ,          ∂L/∂b = Σ_columns g,          ∂L/∂cols = Wᵀ g

and ∂L/∂x adds every entry of ∂L/∂cols back onto the pixel it was copied from (col2im).
(``im2col`` appends a row of ones to cols, so that one product gives z with its bias and
one gives ∂L/∂W with ∂L/∂b.)
Where it costs fewer operations — many input channels, as in the second layer of
``--model cnn`` — the same three products run in the frequency domain instead, one small
product per frequency (``_fourier.py``; ``method`` chooses, "auto" by operation count).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from . import _fourier, _pool
from ._im2col import Workspace, col2im, im2col, padded
from ._threads import parallel
from .layers import DTYPE, Layer

PADDINGS = ("same", "valid")
METHODS = ("auto", "columns", "fourier")


def same_padding(size: int) -> tuple[int, int]:
    """Zeros (before, after) that keep the image size for a ``size``×``size`` kernel:
    (K − 1) // 2 before, the rest after (as TensorFlow and PyTorch pad an even K)."""
    return (size - 1) // 2, size // 2


def conv_output_shape(shape: tuple[int, ...], filters: int, size: int,
                      padding: str) -> tuple[int, int, int]:
    """(C, H, W) -> (F, H', W') of a stride-1 convolution (H' < 1: nothing is left)."""
    _, H, W = shape
    grow = (size - 1 if padding == "same" else 0) - size + 1
    return filters, H + grow, W + grow


def pool_output_shape(shape: tuple[int, ...], size: int) -> tuple[int, int, int]:
    """(C, H, W) -> (C, H // S, W // S) of S×S pooling with stride S."""
    C, H, W = shape
    return C, H // size, W // size


class Conv2D(Layer):
    """2-D convolution with stride 1 (a cross-correlation, as in every framework).

    x: (C, H, W, N) -> z: (F, H', W', N),

        z[f, h, w, n] = b[f] + Σ_{c, i, j} W[f, (c·K + i)·K + j] · xp[c, h + i, w + j, n],

    where xp is x padded with zeros: ``padding="same"`` keeps H' = H and W' = W (see
    :func:`same_padding`), ``"valid"`` pads nothing (H' = H − K + 1).

    W: (F, C·K·K) — PyTorch's (F, C, K, K) kernel with each filter as one row — drawn
    from N(0, gain² · 2 / (fan_in + fan_out)) with fan_in = C·K·K and fan_out = F·K·K
    (Glorot's variance, as for ``FCLayer``); b: (F,), zeros.

    ``method`` computes the same numbers two ways: "columns" (the column matrix, below),
    "fourier" (per frequency, ``_fourier.FourierConv``), or "auto": the Fourier products
    where they take under half the multiply-adds (``_fourier.pays``).
    """

    splits_work = True

    def __init__(self, num_channels: int, num_filters: int, size: int, padding: str = "same",
                 *, rng: np.random.Generator | None = None, gain: float = 1.0,
                 dtype: np.dtype | type = DTYPE, method: str = "auto"):
        super().__init__()
        if padding not in PADDINGS:
            raise ValueError(f"padding must be one of {', '.join(PADDINGS)}, got {padding!r}.")
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}.")
        rng = np.random.default_rng(0) if rng is None else rng
        fan_in, fan_out = num_channels * size * size, num_filters * size * size
        std = gain * np.sqrt(2.0 / (fan_in + fan_out))
        self.params["W"] = (rng.standard_normal((num_filters, fan_in)) * std).astype(dtype)
        self.params["b"] = np.zeros(num_filters, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.size, self.padding = size, padding
        self.pad = same_padding(size) if padding == "same" else (0, 0)
        self.method = method
        self._work = Workspace()
        self._fourier: _fourier.FourierConv | None = None

    @property
    def num_channels(self) -> int:
        return self.params["W"].shape[1] // (self.size * self.size)

    @property
    def num_filters(self) -> int:
        return self.params["W"].shape[0]

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """(C, H, W) -> (F, H', W')."""
        return conv_output_shape(shape, self.num_filters, self.size, self.padding)

    def scratch_floats(self, shape: tuple[int, ...]) -> int:
        """Floats per image of the layer's largest array: the column matrix, or the
        output's spectrum for the Fourier products."""
        _, H, W = self.output_shape(shape)
        if self._uses_fourier(shape[1], shape[2]):
            P = _fourier.grid(shape[1], self.size, self.pad)
            Q = _fourier.grid(shape[2], self.size, self.pad)
            return 2 * max(shape[0], self.num_filters) * (P // 2 + 1) * Q
        return (self.params["W"].shape[1] + 1) * H * W  # and the row of ones

    def _uses_fourier(self, H: int, W: int) -> bool:
        if self.method == "auto":
            return _fourier.pays(self.num_channels, self.num_filters, H, W, self.size,
                                 self.pad)
        return self.method == "fourier"

    def _plan(self, x: np.ndarray) -> _fourier.FourierConv:
        """The Fourier products for images of x's size and dtype (kept while they stay)."""
        C, H, W, _ = x.shape
        f = self._fourier
        if f is None or (f.H, f.W, f.dtype) != (H, W, x.dtype):
            f = self._fourier = _fourier.FourierConv(C, self.num_filters, H, W, self.size,
                                                     self.pad, x.dtype)
        return f

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (C, H, W, N) -> z = W cols + b: (F, H', W', N); keeps cols for backward
        (or, for the Fourier products, the spectra X̂ of x and V of W). z is the layer's
        scratch space: valid until its next forward."""
        C, H, W, N = x.shape
        self._x_shape = x.shape
        if self._uses_fourier(H, W):  # Ẑ[k] = V[k] X̂[k] for every frequency k
            plan = self._plan(x)
            self._X, self._V = plan.spectrum(x), plan.kernel_blocks(self.params["W"])
            z = plan.forward(self._X, self._V)
            b = self.params["b"]
            parallel(lambda a, c: np.add(z[a:c], b[a:c, None, None, None], out=z[a:c]),
                     len(z))  # z += b, filters among the workers
            return z
        xp = padded(x, self.pad, self._work, "padded")
        self._cols = im2col(xp, self.size, self._work)  # (C·K·K + 1, H'·W'·N), ones last
        self._padded_shape = xp.shape
        _, Ho, Wo = self.output_shape((C, H, W))
        Wb = self._work.empty("W and b", (self.num_filters, self._cols.shape[0]),
                              self._cols.dtype)
        Wb[:, :-1], Wb[:, -1] = self.params["W"], self.params["b"]  # [W | b] cols = W cols + b
        z = self._work.empty("z", (self.num_filters, Ho, Wo, N), self._cols.dtype)
        flat, blocks = z.reshape(self.num_filters, -1), self._column_blocks(Ho)
        parallel(lambda a, b: np.matmul(Wb, self._cols[:, blocks(a, b)],
                                        out=flat[:, blocks(a, b)]), Ho)
        return z

    def _column_blocks(self, rows: int) -> Callable[[int, int], slice]:
        """The columns of output rows a to b (of ``rows``) in cols and z.reshape(F, -1)."""
        per_row = self._cols.shape[1] // rows
        return lambda a, b: slice(a * per_row, b * per_row)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out = ∂L/∂z: (F, H', W', N) -> ∂L/∂x: (C, H, W, N); fills ``grads``."""
        self.backward_params(grad_out)
        return self.backward_input(grad_out, self._dZ if self._fourier_pass() else None)

    def _fourier_pass(self) -> bool:
        return self._uses_fourier(*self._x_shape[1:3])

    def backward_params(self, grad_out: np.ndarray) -> None:
        """∂L/∂W = g colsᵀ: (F, C·K·K) and ∂L/∂b = Σ over positions and images: (F,)."""
        g = grad_out.reshape(self.num_filters, -1)  # (F, H'·W'·N)
        if self._fourier_pass():  # per frequency ∂L/∂V = ∂L/∂Ẑ X̂ᵀ
            db = self.grads["b"]  # Σ g per filter, filters among the workers
            parallel(lambda a, c: np.sum(g[a:c], axis=1, out=db[a:c]), len(g))
            self._dZ = self._fourier.output_spectrum(grad_out)
            self._fourier.weight_gradient(self._dZ, self._X, out=self.grads["W"])
            return
        # g [cols; 1]ᵀ = [∂L/∂W | ∂L/∂b]: the sum over columns split into blocks of
        # output rows, one per worker
        rows = grad_out.shape[1]
        blocks = self._column_blocks(rows)
        first, *rest = parallel(lambda a, b: g[:, blocks(a, b)] @ self._cols[:, blocks(a, b)].T,
                                rows)
        both = sum(rest, first)
        self.grads["W"][...], self.grads["b"][...] = both[:, :-1], both[:, -1]

    def backward_input(self, grad_out: np.ndarray,
                       dZ: np.ndarray | None = None) -> np.ndarray:
        """∂L/∂x: (C, H, W, N): ∂L/∂cols = Wᵀ g, each entry added back to its pixel
        (or, per frequency, ∂L/∂X̂ = Vᵀ ∂L/∂Ẑ, with ∂L/∂Ẑ given as ``dZ`` if known).

        The array returned is the layer's scratch space: valid until its next backward.
        """
        if self._fourier_pass():
            if dZ is None:
                dZ = self._fourier.output_spectrum(grad_out)
            return self._fourier.input_gradient(dZ, self._V)
        g = grad_out.reshape(self.num_filters, -1)
        W = self.params["W"]
        dcols = self._work.empty("dcols", (W.shape[1], g.shape[1]), np.result_type(W, g))
        blocks = self._column_blocks(grad_out.shape[1])
        parallel(lambda a, b: np.matmul(W.T, g[:, blocks(a, b)], out=dcols[:, blocks(a, b)]),
                 grad_out.shape[1])
        dxp = col2im(dcols, self._padded_shape, self.size, self._work)
        (lo, _), (_, H, W_, _) = self.pad, self._x_shape
        return dxp[:, lo:lo + H, lo:lo + W_]

    def __repr__(self) -> str:
        same = "" if self.padding == "same" else ", padding='valid'"
        return f"Conv2D({self.num_channels}, {self.num_filters}, {self.size}{same})"


class MaxPool2D(Layer):
    """Max pooling over non-overlapping S×S windows (stride S); rows and columns that do
    not fill a window are dropped, as in PyTorch.

    x: (C, H, W, N) -> y: (C, H // S, W // S, N), y[c, h, w, n] = max over the window
    x[c, S·h : S·h + S, S·w : S·w + S, n]. The gradient goes to the window's maximum —
    to the first one in row order where several entries tie (blank areas of a digit give
    exactly equal activations).
    """

    def __init__(self, size: int = 2):
        super().__init__()
        self.size = size
        self._work = Workspace()

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """(C, H, W) -> (C, H // S, W // S)."""
        return pool_output_shape(shape, self.size)

    def _taps(self, a: np.ndarray) -> list[np.ndarray]:
        """The S² strided views of a: (C, H, W, N), one per position in the window, each
        (C, H // S, W // S, N), in row order."""
        s = self.size
        H, W = a.shape[1] // s * s, a.shape[2] // s * s
        return [a[:, i:H:s, j:W:s] for i in range(s) for j in range(s)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (C, H, W, N) -> the window maxima (C, H // S, W // S, N), valid until the
        next forward."""
        self._x = x
        if self.size == 2:
            self._y = y = _pool.max_pool(x, self._work)  # a tournament, same maxima
            return y
        C, H, W, N = x.shape
        y = self._work.empty("y", (C, H // self.size, W // self.size, N), x.dtype)

        def part(a: int, b: int) -> None:  # channels a to b
            first, *rest = self._taps(x[a:b])
            np.copyto(y[a:b], first)
            for tap in rest:
                np.maximum(y[a:b], tap, out=y[a:b])
        parallel(part, C)
        self._y = y
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """∂L/∂y: (C, H', W', N) -> ∂L/∂x: (C, H, W, N), each window's gradient at the
        (first) position of its maximum, zero elsewhere. Valid until the next backward."""
        x, y = self._x, self._y
        if self.size == 2:  # the tournament's comparisons route it to the same entries
            return _pool.max_pool_backward(x, grad_out, self._work)
        dx = self._work.empty("dx", x.shape, np.result_type(grad_out, x))
        if dx.shape[1] % self.size or dx.shape[2] % self.size:
            dx.fill(0)  # the dropped rows and columns

        free_all = self._work.empty("free", y.shape, np.dtype(bool))
        hit_all = self._work.empty("hit", y.shape, np.dtype(bool))
        mask_all = self._work.empty("mask", y.shape, dx.dtype)

        def part(a: int, b: int) -> None:  # channels a to b
            free, hit, mask = free_all[a:b], hit_all[a:b], mask_all[a:b]
            free.fill(True)  # windows whose maximum is not placed yet
            for tap, dtap in zip(self._taps(x[a:b]), self._taps(dx[a:b]), strict=True):
                np.equal(tap, y[a:b], out=hit)
                hit &= free
                free ^= hit  # (hit ⊆ free) these windows are placed
                np.copyto(mask, hit)  # a float mask: multiplying by bool casts slowly
                np.multiply(grad_out[a:b], mask, out=dtap)
        parallel(part, len(x))
        return dx

    def __repr__(self) -> str:
        return f"MaxPool2D({self.size})"


class Flatten(Layer):
    """Feature maps to rows: x: (C, H, W, N) -> (N, C·H·W), in (c, h, w) order per row."""

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return (math.prod(shape),)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._shape = x.shape
        return x.reshape(-1, x.shape[-1]).T  # a view (column-major), which BLAS takes as is

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """(N, C·H·W) -> (C, H, W, N)."""
        return np.ascontiguousarray(grad_out.T).reshape(self._shape)


class Unflatten(Layer):
    """Rows to images: x: (N, C·H·W) -> (C, H, W, N); ``shape`` is (C, H, W)."""

    def __init__(self, shape: tuple[int, int, int]):
        super().__init__()
        self.shape = tuple(shape)

    @property
    def num_inputs(self) -> int:
        return math.prod(self.shape)

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return self.shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(x.T).reshape(*self.shape, len(x))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """(C, H, W, N) -> (N, C·H·W)."""
        return grad_out.reshape(-1, grad_out.shape[-1]).T

    def __repr__(self) -> str:
        return f"Unflatten{self.shape}"
