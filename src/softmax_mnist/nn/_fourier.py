"""The convolution through the discrete Fourier transform, each transform a matrix product.

``conv.py`` computes z = W ⋆ x + b (a stride-1 cross-correlation with zero padding) as
one matrix product over the column matrix: F·C·K²·H'·W' multiply-adds per image, three
times per training step (z, ∂L/∂x, ∂L/∂W). In the frequency domain a correlation is a
product per frequency (Mathieu, Henaff & LeCun 2014; Vasilache et al. 2015, fbfft): on a
P×Q grid the correlation is circular, and

    Ẑ[k] = V[k] X̂[k]         V[k]: (F, C), X̂[k]: (C, N) complex, one product per frequency k

with V the conjugate spectrum of the kernel. The image sits at the grid's origin with
zeros after it; a sum that runs off either edge of the image wraps onto those zeros as
long as there are as many as the larger of the two pads (:func:`grid`): P = H + 2 for a
5×5 kernel, not H + 4 — the zeros after the image serve as the padding before it too.
For the second layer of ``--model cnn`` (32 → 64 channels, 5×5 on 14×14, a 16×16 grid,
16·9 frequencies of a real signal) that is 4·F·C·144 real multiply-adds per image
against F·C·25·196 for the columns: 8.5× fewer (the 18×18 grid of both pads has 180
frequencies).

How it is fast here (measured at that layer, batch 100, one thread):

- The DFTs are matrix products too. An 18-point FFT costs more in call overhead than in
  arithmetic: ``numpy.fft.rfft2`` took 24 ms for one batch's input, the products below
  take 1 ms. The 2-D transform is separable — a real DFT along the height (the half
  spectrum, kh ≤ P/2), then a complex DFT along the width — and zero padding, cropping
  and the kernel's offset are folded into the matrices (no padded copies).
- Real and imaginary parts are stored side by side ("planar"): a spectrum is
  (P//2 + 1, Q, 2, channels, N), i.e. per frequency one (2·channels, N) real matrix,
  and the complex product per frequency is one real product with the kernel's 2×2
  blocks [[Re V, −Im V], [Im V, Re V]] — every product is a plain float32 GEMM whose
  output BLAS writes straight into the layout the next product reads.
- Everything is linear, so the backward pass applies the transposes of the forward
  pass's own matrices: ∂L/∂x and ∂L/∂W are exact (to rounding), gradcheck holds in
  float64, and no inverse transform has to be derived twice.

The first layer (1 → 32 channels) keeps the column matrix: with one input channel the
products are cheap and the 32 inverse transforms would cost more than they save; see
:func:`pays`.
"""

from __future__ import annotations

import numpy as np

from ._im2col import Workspace
from ._threads import parallel


def grid(n: int, size: int, pad: tuple[int, int]) -> int:
    """The points of the frequency grid along a side of n pixels for a ``size`` kernel
    with ``pad`` = (before, after) zeros: n + max(pad), at least the output's length. A
    correlation output h reads pixels h − before … h + size − 1 − before; those off the
    image (before it, or past it up to n + after − 1) land on the grid's zeros."""
    lo, hi = pad
    return max(n + max(lo, hi), n + lo + hi - size + 1)


def pays(channels: int, filters: int, height: int, width: int, size: int,
         pad: tuple[int, int]) -> bool:
    """Whether the Fourier products cost under half the column products' multiply-adds
    for a training step (the column matrix's one large GEMM runs faster per operation
    than the many small ones here)."""
    lo, hi = pad
    P, Q = grid(height, size, pad), grid(width, size, pad)
    Ho, Wo, Pr = height + lo + hi - size + 1, width + lo + hi - size + 1, P // 2 + 1
    columns = 3 * filters * channels * size * size * Ho * Wo
    products = 3 * 4 * filters * channels * Pr * Q
    transforms = 2 * (channels + filters) * (2 * Pr * height * width + 4 * Pr * Q * width)
    return 2 * (products + transforms) < columns


def _angles(k: np.ndarray, t: np.ndarray, period: int) -> np.ndarray:
    return 2 * np.pi * np.outer(k, t) / period


class FourierConv:
    """The three products of a stride-1 K×K convolution of (C, H, W, N) images with zero
    padding ``pad`` = (before, after) on every side, on the P×Q frequency grid of
    :func:`grid`.

    Spectra are (Pr·Q, 2·channels, N) arrays, Pr = P // 2 + 1: frequency (kh, kw), then
    real and imaginary part, then channel. ``dtype`` is the layer's float type.
    """

    def __init__(self, channels: int, filters: int, height: int, width: int, size: int,
                 pad: tuple[int, int], dtype: np.dtype | type):
        lo, hi = pad
        P, Q = grid(height, size, pad), grid(width, size, pad)
        self.C, self.F, self.H, self.W, self.K = channels, filters, height, width, size
        self.P, self.Q, self.Pr = P, Q, P // 2 + 1
        self.Ho, self.Wo = height + lo + hi - size + 1, width + lo + hi - size + 1
        self.dtype = np.dtype(dtype)
        self.frequencies = self.Pr * Q
        # x -> X̂: a real DFT along the height (rows (kh, part)), a complex one along the width
        self.rows_in = self._cast(self._real_dft(height, P))          # (2·Pr, H)
        self.cols_in = self._cast(self._complex_dft(width, Q))        # (2·Q, 2·W)
        # Ẑ -> z: the inverse DFTs, only for the rows and columns that are outputs
        self.cols_out = self._cast(self._complex_idft(self.Wo, Q))    # (2·W', 2·Q)
        self.rows_out = self._cast(self._real_idft(self.Ho, P))       # (H', 2·Pr)
        # the transposes the backward pass applies, stored in the order BLAS reads fastest
        self.rows_in_T, self.cols_in_T = self._cast(self.rows_in.T), self._cast(self.cols_in.T)
        self.rows_out_T = self._cast(self.rows_out.T)
        self.cols_out_T = self._cast(self.cols_out.T)
        # kernel -> V = conj(DFT of the kernel placed at offset −lo): (Pr·Q·2, K·K)
        i = np.arange(size) - lo
        phase = (_angles(np.arange(self.Pr), i, P)[:, None, :, None]
                 + _angles(np.arange(Q), i, Q)[None, :, None, :])     # (Pr, Q, K, K)
        self.kernel_dft = self._cast(np.stack([np.cos(phase), np.sin(phase)], axis=2)
                                     .reshape(self.frequencies * 2, size * size))
        self.work = Workspace()

    def _cast(self, a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a, dtype=self.dtype)

    @staticmethod
    def _real_dft(n: int, period: int) -> np.ndarray:
        """(2·(period//2 + 1), n): rows (k, re/im) of Σ_t x[t] e^{−2πi k t / period}."""
        a = _angles(np.arange(period // 2 + 1), np.arange(n), period)
        return np.stack([np.cos(a), -np.sin(a)], axis=1).reshape(-1, n)

    @staticmethod
    def _complex_dft(n: int, period: int) -> np.ndarray:
        """(2·period, 2·n): columns (re/im, t), rows (k, re/im) of the complex DFT."""
        a = _angles(np.arange(period), np.arange(n), period)
        c, s = np.cos(a), -np.sin(a)
        return np.stack([np.concatenate([c, -s], 1), np.concatenate([s, c], 1)],
                        axis=1).reshape(2 * period, 2 * n)

    @staticmethod
    def _complex_idft(n: int, period: int) -> np.ndarray:
        """(2·n, 2·period): the inverse DFT's outputs t < n, rows (re/im, t), columns
        (k, re/im)."""
        a = _angles(np.arange(n), np.arange(period), period)
        c, s = np.cos(a) / period, np.sin(a) / period
        re = np.stack([c, -s], axis=2).reshape(n, 2 * period)
        im = np.stack([s, c], axis=2).reshape(n, 2 * period)
        return np.concatenate([re, im])

    @staticmethod
    def _real_idft(n: int, period: int) -> np.ndarray:
        """(n, 2·(period//2 + 1)): the real signal t < n of a half spectrum, columns
        (k, re/im); every frequency but 0 and period/2 stands for its mirror too."""
        a = _angles(np.arange(n), np.arange(period // 2 + 1), period)
        weight = np.full(period // 2 + 1, 2.0)
        weight[0] = 1
        if period % 2 == 0:
            weight[-1] = 1
        return np.stack([weight * np.cos(a), -weight * np.sin(a)], axis=2).reshape(n, -1) / period

    # -- the transforms and their transposes --------------------------------------------

    def _spectrum(self, x: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                  name: str) -> np.ndarray:
        """x: (D, h, w, N) -> (Pr·Q, 2·D, N) by ``rows`` along h, then ``cols`` along w."""
        D, h, w, N = x.shape
        half = self.work.empty(name + " rows", (D, 2 * self.Pr, w * N), self.dtype)
        out = self.work.empty(name, (self.Pr, 2 * self.Q, D, N), self.dtype)
        per_channel = out.transpose(2, 0, 1, 3)  # (D, Pr, 2·Q, N)

        def part(a: int, b: int) -> None:
            np.matmul(rows, x[a:b].reshape(b - a, h, w * N), out=half[a:b])
            np.matmul(cols, half[a:b].reshape(b - a, self.Pr, 2 * w, N),
                      out=per_channel[a:b])
        parallel(part, D)
        return out.reshape(self.frequencies, 2 * D, N)

    def _image(self, S: np.ndarray, rows: np.ndarray, cols: np.ndarray, h: int,
               w: int, name: str) -> np.ndarray:
        """(Pr·Q, 2·D, N) -> (D, h, w, N): ``cols`` along the width, ``rows`` along the
        height (the transpose of :meth:`_spectrum`'s steps, in reverse)."""
        _, D2, N = S.shape
        D = D2 // 2
        per_channel = S.reshape(self.Pr, 2 * self.Q, D, N).transpose(2, 0, 1, 3)
        half = self.work.empty(name + " cols", (D, self.Pr, 2 * w, N), self.dtype)
        image = self.work.empty(name, (D, h, w, N), self.dtype)

        def part(a: int, b: int) -> None:
            np.matmul(cols, per_channel[a:b], out=half[a:b])
            np.matmul(rows, half[a:b].reshape(b - a, 2 * self.Pr, w * N),
                      out=image[a:b].reshape(b - a, h, w * N))
        parallel(part, D)
        return image

    def _per_frequency(self, A: np.ndarray, B: np.ndarray, name: str) -> np.ndarray:
        """A[k] @ B[k] for every frequency k: (k, m, n) @ (k, n, p) -> (k, m, p)."""
        out = self.work.empty(name, (len(A), A.shape[1], B.shape[2]), self.dtype)
        parallel(lambda a, b: np.matmul(A[a:b], B[a:b], out=out[a:b]), len(A))
        return out

    def spectrum(self, x: np.ndarray) -> np.ndarray:
        """X̂ of x: (C, H, W, N) -> (Pr·Q, 2C, N); valid until the next call."""
        return self._spectrum(x, self.rows_in, self.cols_in, "X")

    def kernel_blocks(self, W: np.ndarray) -> np.ndarray:
        """W: (F, C·K·K) -> V: (Pr·Q, 2F, 2C), the blocks [[Re, −Im], [Im, Re]] of the
        kernel's conjugate spectrum."""
        F, C, k = self.F, self.C, self.frequencies
        blocks = self.work.empty("V", (k, 2, F, 2, C), self.dtype)
        kernels = W.reshape(F * C, -1).T

        def part(a: int, b: int) -> None:
            V = np.matmul(self.kernel_dft[2 * a:2 * b], kernels).reshape(b - a, 2, F, C)
            blocks[a:b, 0, :, 0] = blocks[a:b, 1, :, 1] = V[:, 0]
            blocks[a:b, 1, :, 0] = V[:, 1]
            np.negative(V[:, 1], out=blocks[a:b, 0, :, 1])
        parallel(part, k)
        return blocks.reshape(k, 2 * F, 2 * C)

    def forward(self, X: np.ndarray, V: np.ndarray) -> np.ndarray:
        """z = W ⋆ x from X̂ = ``spectrum(x)`` and V = ``kernel_blocks(W)``: (F, H', W', N),
        valid until the next call."""
        return self._image(self._per_frequency(V, X, "Z"), self.rows_out, self.cols_out,
                           self.Ho, self.Wo, "z")

    def output_spectrum(self, g: np.ndarray) -> np.ndarray:
        """∂L/∂Ẑ from g = ∂L/∂z: (F, H', W', N) -> (Pr·Q, 2F, N): the transposed inverse
        transform; valid until the next call."""
        return self._spectrum(g, self.rows_out_T, self.cols_out_T, "dZ")

    def input_gradient(self, dZ: np.ndarray, V: np.ndarray) -> np.ndarray:
        """∂L/∂x = (transposed transform of) Vᵀ ∂L/∂Ẑ: (C, H, W, N), valid until the next
        call."""
        return self._image(self._per_frequency(V.transpose(0, 2, 1), dZ, "dX"),
                           self.rows_in_T, self.cols_in_T, self.H, self.W, "dx")

    def weight_gradient(self, dZ: np.ndarray, X: np.ndarray, out: np.ndarray) -> None:
        """∂L/∂W: (F, C·K·K) into ``out``: per frequency ∂L/∂V = ∂L/∂Ẑ X̂ᵀ, its blocks
        folded back onto Re V and Im V, then the kernel DFT transposed."""
        F, C, k = self.F, self.C, self.frequencies
        dV = self.work.empty("dV", (k, 2, F, C), self.dtype)
        blocks = self.work.empty("dV blocks", (k, 2 * F, 2 * C), self.dtype)
        XT = self.work.empty("X transposed", (k, X.shape[2], 2 * C), self.dtype)

        def part(a: int, b: int) -> np.ndarray:
            # X̂ᵀ copied first: BLAS runs a product whose both factors run along the sum
            # (N here) at half speed, 2 ms slower than the copy
            np.copyto(XT[a:b], X[a:b].transpose(0, 2, 1))
            d = np.matmul(dZ[a:b], XT[a:b], out=blocks[a:b])
            d = d.reshape(b - a, 2, F, 2, C)
            np.add(d[:, 0, :, 0], d[:, 1, :, 1], out=dV[a:b, 0])
            np.subtract(d[:, 1, :, 0], d[:, 0, :, 1], out=dV[a:b, 1])
            return dV[a:b].reshape(2 * (b - a), F * C).T @ self.kernel_dft[2 * a:2 * b]
        first, *rest = parallel(part, k)
        out.reshape(F * C, -1)[...] = sum(rest, first)
