"""Data augmentation: random distortions of the training images, drawn anew for every
mini-batch, so that no epoch sees the same image twice (Simard et al., 2003).

Each output pixel p = (row, column) of an S×S image is sampled, bilinearly and with zeros
outside the frame, from the input at

    x = c + A (p − c) + t + d(p),        c = ((S − 1)/2, (S − 1)/2),

where, drawn per image, A is a rotation by θ ∈ [−10°, 10°] times a scaling by
s ∈ [0.9, 1.1], t a shift of up to ±2 pixels along each axis, and d — for ``elastic``
only — Simard's elastic distortion: a field of displacements drawn uniformly from
[−1, 1] per pixel and axis, smoothed by a Gaussian of σ = 4 pixels and scaled by α = 34.

The whole batch is transformed at once (no loop over images); the result is rounded back
to uint8 pixels, so that the run's preprocessing (``features``) applies unchanged. The
random numbers come from the generator passed in — the Solver's seeded one — so the same
command distorts the same images the same way, also after a resume.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..nn import DTYPE
from .imageops import _neighbour_sum, gaussian_kernel, image_side


@dataclass(frozen=True)
class Augmenter:
    """Random affine (and, with ``elastic``, elastic) distortions of images.

    Attributes:
        shift: the largest shift along each axis, in pixels.
        rotation: the largest rotation, in degrees.
        scale: the largest relative change of size (0.1: 0.9 … 1.1).
        elastic: add Simard's elastic distortion.
        alpha, sigma: its strength and smoothness in pixels.
    """

    shift: float = 2.0
    rotation: float = 10.0
    scale: float = 0.1
    elastic: bool = False
    alpha: float = 34.0
    sigma: float = 4.0

    def __call__(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """X: (N, S·S) pixels 0 … 255 -> distorted copies: (N, S·S) uint8."""
        n, side = len(X), image_side(X.shape[1])
        rows, cols = self.sources(n, side, rng)
        images = np.asarray(X, DTYPE).reshape(n, side, side)
        out = bilinear(images, rows, cols)
        np.clip(out, 0, 255, out=out)
        return np.rint(out, out=out).astype(np.uint8).reshape(n, -1)

    def sources(self, n: int, side: int, rng: np.random.Generator,
                ) -> tuple[np.ndarray, np.ndarray]:
        """Where each output pixel samples its input: row and column coordinates, each
        (n, S, S) float32, for n images of S×S drawn from ``rng``."""
        theta = np.radians(rng.uniform(-self.rotation, self.rotation, n))
        size = rng.uniform(1 - self.scale, 1 + self.scale, n)
        shift = rng.uniform(-self.shift, self.shift, (2, n))
        a = (np.cos(theta) / size)[:, None, None]  # A = R(θ) / s = [[a, −b], [b, a]]
        b = (np.sin(theta) / size)[:, None, None]
        centre = (side - 1) / 2
        p = np.arange(side, dtype=DTYPE) - centre
        pr, pc = p[None, :, None], p[None, None, :]  # p − c, along rows and columns
        rows = centre + a * pr - b * pc + shift[0][:, None, None]
        cols = centre + b * pr + a * pc + shift[1][:, None, None]
        if self.elastic:
            field = rng.uniform(-1, 1, (2 * n, side, side)).astype(DTYPE)
            field = self.alpha * _neighbour_sum(field, gaussian_kernel(self.sigma))
            rows, cols = rows + field[:n], cols + field[n:]
        return rows.astype(DTYPE), cols.astype(DTYPE)


def bilinear(images: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """images: (N, S, S) sampled at (rows, cols): (N, S, S) each, bilinearly, with zeros
    outside the frame -> (N, S, S) float32."""
    n, side, _ = images.shape
    wide = side + 2  # one ring of zeros around every image
    frame = np.zeros((n, wide, wide), DTYPE)
    frame[:, 1:-1, 1:-1] = images
    # into the frame's coordinates, kept where the four neighbours exist (outside: zeros)
    r = np.clip(rows + 1, 0, wide - 1 - 1e-3)
    c = np.clip(cols + 1, 0, wide - 1 - 1e-3)
    r0, c0 = np.floor(r), np.floor(c)
    fr, fc = r - r0, c - c0
    at = ((np.arange(n)[:, None, None] * wide + r0.astype(np.intp)) * wide
          + c0.astype(np.intp))
    flat = frame.ravel()
    top = flat[at] * (1 - fc) + flat[at + 1] * fc
    bottom = flat[at + wide] * (1 - fc) + flat[at + wide + 1] * fc
    return top * (1 - fr) + bottom * fr


AUGMENTERS = {"affine": Augmenter(), "elastic": Augmenter(elastic=True)}
"""The ``augment`` option's values (but "none") and what they do."""


def augmenter(name: str) -> Augmenter | None:
    """The augmenter called ``name``; None for "none"."""
    return None if name == "none" else AUGMENTERS[name]

