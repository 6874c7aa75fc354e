"""Image-space preprocessing steps: on raw 0…255 pixel rows, before scaling and centring.

``deskew`` (moments-based shear correction), ``moment-norm[:STD]`` (deskew, then stretch
each axis to ink spread STD pixels), ``denoise[:T]`` (speck removal), ``blur[:SIGMA]``
(Gaussian smoothing), ``pool[:K]`` (K×K average pooling, 784 -> (28/K)² features). The
image operations themselves are in :mod:`~softmax_mnist.preprocessing.imageops`.
"""

from __future__ import annotations

import numpy as np

from ..data.registry import IMAGE_SIDE
from ..errors import ConfigError
from .imageops import average_pool, blur, deskew, moment_normalize, remove_specks
from .steps import Parameter, Step, side_of


class ImageStep(Step):
    """An image-space step that keeps the S×S size; run once, not per mini-batch."""

    space = "image"
    cheap = False  # a few passes per pixel: precompute once rather than every epoch

    def output_size(self, num_features: int) -> int:
        side_of(self.name, num_features)
        return num_features


class Deskew(ImageStep):
    """Straighten each digit: shear by α = cov(row, col) / var(row) about its centre of
    mass and move that centre to the middle (see :func:`imageops.deskew`). (N, S·S) ->
    (N, S·S) float32, pixel range kept. Nothing to fit."""

    name = "deskew"
    usage = "deskew"

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return deskew(X)


class MomentNorm(ImageStep):
    """Moment normalisation, ``moment-norm:STD`` (default 4.5 pixels): deskew as
    :class:`Deskew`, then stretch rows and columns so that the ink's standard deviation
    is STD pixels along each (see :func:`imageops.moment_normalize`). (N, S·S) ->
    (N, S·S) float32, pixel range kept. Nothing to fit."""

    name = "moment-norm"
    usage = "moment-norm[:STD]"
    aliases = ("momentnorm",)
    parameter = Parameter("std", float, 4.5, 0.0, 14.0)

    def __init__(self, std: float = 4.5):
        self.std = std

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return moment_normalize(X, self.std)


class Blur(ImageStep):
    """Gaussian smoothing, ``blur:SIGMA`` pixels (default 1): (N, S·S) -> (N, S·S)."""

    affine = True
    name = "blur"
    usage = "blur[:SIGMA]"
    parameter = Parameter("sigma", float, 1.0, 0.0, 5.0)

    def __init__(self, sigma: float = 1.0):
        self.sigma = sigma

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return blur(X, self.sigma)


class Denoise(ImageStep):
    """Speck removal: ``denoise:T`` zeroes pixels ≤ T (0…254, default 0, on the 0…255
    scale) and then every lit pixel none of whose 8 neighbours is lit."""

    name = "denoise"
    usage = "denoise[:T]"
    parameter = Parameter("threshold", int, 0, 0, 254)

    def __init__(self, threshold: int = 0):
        self.threshold = threshold

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return remove_specks(X, self.threshold)


class Pool(Step):
    """Average pooling over ``pool:K`` × K cells (default 2): (N, S·S) -> (N, (S/K)²)."""

    affine = True
    name = "pool"
    usage = "pool:K"
    space = "image"

    parameter = Parameter("size", int, 2, 2, 14)

    def __init__(self, size: int = 2):
        self.size = size

    @classmethod
    def parse(cls, arg: str | None) -> Pool:
        pool = super().parse(arg)
        if IMAGE_SIDE % pool.size:
            raise ConfigError(f"pool:{pool.size}: the size must divide {IMAGE_SIDE} "
                              f"(2, 4, 7 or 14).")
        return pool

    def output_size(self, num_features: int) -> int:
        side = side_of(self.token, num_features)
        if side % self.size:
            raise ConfigError(f"{self.token} does not divide {side}×{side} images.")
        return (side // self.size) ** 2

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return average_pool(X, self.size)
