"""Preprocessing: transforms fitted on the training split only, saved with the model.

Each transform has ``fit(X)`` (learns from training images only), ``transform(X)``,
and ``state()`` / ``load_state()`` to go into and out of ``model.npz`` as plain
arrays. A :class:`Pipeline` chains them; its ``spec`` (e.g.
``deskew,scale,center-pixel,pca:50``) names the steps, with a step's parameter after a
colon. X is always (N, D): one flattened image per row.

Steps (``--preprocess`` text; see :meth:`Pipeline.build` for the order they run in):

- image space, on raw 0…255 pixels: ``deskew`` (moments-based shear correction),
  ``moment-norm[:STD]`` (deskew, then stretch each axis to ink spread STD pixels),
  ``denoise[:T]`` (speck removal), ``blur[:SIGMA]`` (Gaussian smoothing),
  ``pool[:K]`` (K×K average pooling, 784 -> (28/K)² features);
- always: ``scale`` (to [0, 1]) and the ``--center`` choice (``center-pixel`` /
  ``center-image``);
- feature space: ``standardize`` (per-feature z-score), ``pca:K`` (top K components).

Once fitted, every transform maps each row on its own, so a pipeline may be applied
to any chunk of rows — and, when all its steps are ``cheap``, to each mini-batch
during training, which lets the training set stay as compact uint8 images.
"""

from __future__ import annotations

import difflib
from typing import ClassVar

import numpy as np

from .errors import ConfigError, ModelFileError
from .imageops import average_pool, blur, deskew, image_side, moment_normalize, remove_specks

DTYPE = np.float32  # float32 halves memory traffic; accuracy is the same as float64
INPUT_PIXELS = 28 * 28


class Transform:
    """Base class: a stateless transform unless ``fit`` stores arrays in ``state()``.

    ``space`` says where a step belongs in a pipeline built from command-line text:
    "image" steps see pixel rows in their 0…255 range before scaling and centring,
    "feature" steps see the scaled, centred features after them (see
    :meth:`Pipeline.build`). A step with a parameter is written ``name:value``.
    """

    name: ClassVar[str]
    cheap: ClassVar[bool] = True  # a few elementwise passes: fine for every mini-batch
    space: ClassVar[str] = "feature"  # "image" | "scale" | "center" | "feature"
    aliases: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def parse(cls, arg: str | None) -> Transform:
        """Build from the text after ``name:`` (None when absent); ConfigError if bad."""
        if arg is not None:
            raise ConfigError(f"preprocessing step {cls.name!r} takes no value, got {arg!r}.")
        return cls()

    @property
    def token(self) -> str:
        """How this step is written in a spec: ``name`` or ``name:value``."""
        return self.name

    def output_size(self, num_features: int) -> int:
        """Features out for ``num_features`` in; ConfigError when the input cannot work."""
        return num_features

    def fit(self, X: np.ndarray) -> Transform:
        """Learn parameters from training data X: (N, D). Returns self."""
        return self

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        """X: (N, D) -> (N, D'). With ``inplace`` the step may overwrite X."""
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """Learned arrays, to be saved with the model."""
        return {}

    def load_state(self, state: dict[str, np.ndarray]) -> Transform:
        """Take the arrays of ``state()`` back (from ``model.npz``); returns self."""
        return self

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> Transform:
        """A step with default parameters and the learned arrays of ``state``."""
        return cls().load_state(state)


def _int_arg(step: str, arg: str | None, default: int | None, low: int, high: int) -> int:
    """Parse the whole number after ``step:`` and check low ≤ value ≤ high."""
    if arg is None:
        if default is None:
            raise ConfigError(f"preprocessing step {step!r} needs a value, e.g. {step}:{low}.")
        return default
    try:
        value = int(arg)
    except ValueError:
        raise ConfigError(f"{step}: expected a whole number, got {arg!r}.") from None
    if not low <= value <= high:
        raise ConfigError(f"{step}:{value} is out of range: use {low} … {high}.")
    return value


def _float_arg(step: str, arg: str | None, default: float, low: float, high: float) -> float:
    """Parse the number after ``step:`` and check low < value ≤ high."""
    if arg is None:
        return default
    try:
        value = float(arg)
    except ValueError:
        raise ConfigError(f"{step}: expected a number, got {arg!r}.") from None
    if not low < value <= high:
        raise ConfigError(f"{step}:{arg} is out of range: use a value in ({low:g}, {high:g}].")
    return value


def _side(step: str, num_features: int) -> int:
    try:
        return image_side(num_features)
    except ValueError:
        raise ConfigError(f"{step} works on square images, but rows of {num_features} "
                          f"features are not; put image steps before pca.") from None


class Scale(Transform):
    """Pixels 0..255 -> float32 in [0, 1]."""

    name = "scale"
    space = "scale"

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        out = X.astype(DTYPE, copy=not inplace)
        out *= DTYPE(1 / 255)
        return out


class CenterPixels(Transform):
    """Subtract the per-pixel mean of the training images: x - mean, mean: (D,)."""

    name = "center-pixel"
    space = "center"

    def __init__(self, mean: np.ndarray | None = None):
        self.mean = mean

    def fit(self, X: np.ndarray) -> CenterPixels:
        self.mean = X.mean(axis=0, dtype=np.float64).astype(X.dtype)
        return self

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        if self.mean is None:
            raise RuntimeError("CenterPixels.transform called before fit")
        return np.subtract(X, self.mean, out=X if inplace else None)

    def state(self) -> dict[str, np.ndarray]:
        return {"mean": self.mean}

    def load_state(self, state: dict[str, np.ndarray]) -> CenterPixels:
        self.mean = state["mean"]
        return self


class CenterImages(Transform):
    """Subtract each image's own mean (the course template's choice); nothing to fit."""

    name = "center-image"
    space = "center"

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return np.subtract(X, X.mean(axis=1, keepdims=True), out=X if inplace else None)


# -- image space: before scaling ----------------------------------------------------------


class ImageStep(Transform):
    """An image-space step that keeps the S×S size; run once, not per mini-batch."""

    space = "image"
    cheap = False  # a few passes per pixel: precompute once rather than every epoch

    def output_size(self, num_features: int) -> int:
        _side(self.name, num_features)
        return num_features


class Deskew(ImageStep):
    """Straighten each digit: shear by α = cov(row, col) / var(row) about its centre of
    mass and move that centre to the middle (see :func:`imageops.deskew`). (N, S·S) ->
    (N, S·S) float32, pixel range kept. Nothing to fit."""

    name = "deskew"

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return deskew(X)


class MomentNorm(ImageStep):
    """Moment normalisation, ``moment-norm:STD`` (default 4.5 pixels): deskew as
    :class:`Deskew`, then stretch rows and columns so that the ink's standard deviation
    is STD pixels along each (see :func:`imageops.moment_normalize`). (N, S·S) ->
    (N, S·S) float32, pixel range kept. Nothing to fit."""

    name = "moment-norm"
    aliases = ("momentnorm",)

    def __init__(self, std: float = 4.5):
        self.std = std

    @classmethod
    def parse(cls, arg: str | None) -> MomentNorm:
        return cls(_float_arg(cls.name, arg, 4.5, 0.0, 14.0))

    @property
    def token(self) -> str:
        return f"{self.name}:{self.std:g}"

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return moment_normalize(X, self.std)


class Blur(ImageStep):
    """Gaussian smoothing, ``blur:SIGMA`` pixels (default 1): (N, S·S) -> (N, S·S)."""

    name = "blur"

    def __init__(self, sigma: float = 1.0):
        self.sigma = sigma

    @classmethod
    def parse(cls, arg: str | None) -> Blur:
        return cls(_float_arg(cls.name, arg, 1.0, 0.0, 5.0))

    @property
    def token(self) -> str:
        return f"{self.name}:{self.sigma:g}"

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return blur(X, self.sigma)


class Denoise(ImageStep):
    """Speck removal: ``denoise:T`` zeroes pixels ≤ T (0…254, default 0, on the 0…255
    scale) and then every lit pixel none of whose 8 neighbours is lit."""

    name = "denoise"

    def __init__(self, threshold: int = 0):
        self.threshold = threshold

    @classmethod
    def parse(cls, arg: str | None) -> Denoise:
        return cls(_int_arg(cls.name, arg, 0, 0, 254))

    @property
    def token(self) -> str:
        return f"{self.name}:{self.threshold}"

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return remove_specks(X, self.threshold)


class Pool(Transform):
    """Average pooling over ``pool:K`` × K cells (default 2): (N, S·S) -> (N, (S/K)²)."""

    name = "pool"
    space = "image"

    def __init__(self, size: int = 2):
        self.size = size

    @classmethod
    def parse(cls, arg: str | None) -> Pool:
        size = _int_arg(cls.name, arg, 2, 2, 14)
        if 28 % size:
            raise ConfigError(f"pool:{size}: the size must divide 28 (2, 4, 7 or 14).")
        return cls(size)

    @property
    def token(self) -> str:
        return f"{self.name}:{self.size}"

    def output_size(self, num_features: int) -> int:
        side = _side(self.token, num_features)
        if side % self.size:
            raise ConfigError(f"{self.token} does not divide {side}×{side} images.")
        return (side // self.size) ** 2

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return average_pool(X, self.size)


# -- feature space: after scaling and centring ---------------------------------------------


class Standardize(Transform):
    """(x − mean) / std per feature, both from the training data: (N, D) -> (N, D).

    A feature whose std is below a tenth of the average std (MNIST's border pixels,
    nearly always 0) is divided by that floor instead, so that one rare stroke in a
    test image is not blown up a hundredfold.
    """

    name = "standardize"
    aliases = ("standardise",)

    def __init__(self, mean: np.ndarray | None = None, scale: np.ndarray | None = None):
        self.mean, self.scale = mean, scale

    def fit(self, X: np.ndarray) -> Standardize:
        mean = X.mean(axis=0, dtype=np.float64)
        std = np.sqrt(np.maximum((X.astype(np.float64)**2).mean(axis=0) - mean**2, 0))
        floor = 0.1 * std.mean() if std.mean() > 0 else 1.0
        self.mean = mean.astype(DTYPE)
        self.scale = (1 / np.maximum(std, floor)).astype(DTYPE)
        return self

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        if self.mean is None or self.scale is None:
            raise RuntimeError("Standardize.transform called before fit")
        out = np.subtract(X, self.mean, out=X if inplace else None)
        out *= self.scale
        return out

    def state(self) -> dict[str, np.ndarray]:
        return {"mean": self.mean, "scale": self.scale}

    def load_state(self, state: dict[str, np.ndarray]) -> Standardize:
        self.mean, self.scale = state["mean"], state["scale"]
        return self


class PCA(Transform):
    """Projection on the top ``pca:K`` principal components of the training data.

    ``fit``: mean: (D,) and the eigenvectors of the D×D covariance with the K largest
    eigenvalues (``numpy.linalg.eigh``), components: (D, K), each signed so that its
    largest entry is positive. ``transform``: (X − mean) · components, (N, D) -> (N, K);
    ``inverse_transform`` maps back, (N, K) -> (N, D).
    """

    name = "pca"
    cheap = False  # reduce the data once; training then works on K features

    def __init__(self, k: int = 50, mean: np.ndarray | None = None,
                 components: np.ndarray | None = None):
        self.k, self.mean, self.components = k, mean, components
        self.explained_variance: np.ndarray | None = None

    @classmethod
    def parse(cls, arg: str | None) -> PCA:
        return cls(_int_arg(cls.name, arg, None, 1, INPUT_PIXELS))

    @property
    def token(self) -> str:
        return f"{self.name}:{self.k}"

    def output_size(self, num_features: int) -> int:
        if self.k > num_features:
            raise ConfigError(f"{self.token}: only {num_features} features reach this step; "
                              f"use pca:1 … pca:{num_features}.")
        return self.k

    def fit(self, X: np.ndarray) -> PCA:
        self.output_size(X.shape[1])
        X64 = np.asarray(X, np.float64)
        mean = X64.mean(axis=0)
        centred = X64 - mean
        cov = centred.T @ centred / max(len(X) - 1, 1)
        values, vectors = np.linalg.eigh(cov)  # ascending
        top = vectors[:, ::-1][:, :self.k]
        signs = np.sign(top[np.abs(top).argmax(axis=0), np.arange(self.k)])
        self.mean = mean.astype(DTYPE)
        self.components = np.asfortranarray(top * signs, dtype=DTYPE)
        self.explained_variance = values[::-1][:self.k]
        return self

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        if self.mean is None or self.components is None:
            raise RuntimeError("PCA.transform called before fit")
        return (X - self.mean) @ self.components

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Back to the input space: Z (N, K) -> (N, D), the projection of the input."""
        return Z @ self.components.T + self.mean

    def state(self) -> dict[str, np.ndarray]:
        return {"mean": self.mean, "components": self.components}

    def load_state(self, state: dict[str, np.ndarray]) -> PCA:
        mean, components = state["mean"], state["components"]
        if components.ndim != 2 or components.shape != (len(mean), self.k):
            raise ValueError(f"pca components of shape {components.shape} for {self.token}")
        self.mean, self.components = mean, components
        return self


TRANSFORMS: dict[str, type[Transform]] = {
    t.name: t for t in (Scale, CenterPixels, CenterImages, Deskew, MomentNorm, Denoise,
                        Blur, Pool,
                        Standardize, PCA)
}
ALIASES = {alias: t for t in TRANSFORMS.values() for alias in t.aliases}
CENTER_CHOICES = {"pixel": "center-pixel", "image": "center-image", "none": None}
USER_STEPS = [n for n, t in TRANSFORMS.items() if t.space in ("image", "feature")]


def parse_step(token: str) -> Transform:
    """``"pca:100"`` -> an unfitted PCA(100); ConfigError for unknown names or values."""
    name, _, arg = token.partition(":")
    name = name.strip().lower()
    cls = TRANSFORMS.get(name) or ALIASES.get(name)
    if cls is None:
        close = difflib.get_close_matches(name, [*TRANSFORMS, *ALIASES], n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"unknown preprocessing step {name!r}.{hint} "
                          f"Known: {', '.join(TRANSFORMS)}.")
    return cls.parse(arg.strip() if ":" in token else None)


class Pipeline:
    """Transforms applied in order; fitted step by step on the training data."""

    def __init__(self, steps: list[Transform]):
        self.steps = steps

    @classmethod
    def from_spec(cls, spec: str) -> Pipeline:
        """Build an unfitted pipeline from ``"deskew,scale,center-pixel,pca:50"``-style
        text: exactly these steps, in this order (the form saved in ``model.npz``)."""
        return cls([parse_step(t) for t in spec.split(",") if t.strip()])

    @classmethod
    def build(cls, preprocess: str = "", center: str = "pixel",
              num_pixels: int = INPUT_PIXELS) -> Pipeline:
        """The pipeline of ``--preprocess`` text and ``--center``, in canonical order:

        1. image-space steps (deskew, moment-norm, denoise, blur, pool), in the order given, on the
           raw 0…255 pixels;
        2. scale to [0, 1];
        3. centring (``center``: pixel|image|none);
        4. feature-space steps (standardize, pca), in the order given.

        Raises ConfigError for unknown steps, bad values, or a chain that cannot work
        on ``num_pixels``-pixel images (e.g. ``pool:4,pool:4``, or pca:K > features).
        """
        if center not in CENTER_CHOICES:
            raise ConfigError(f"center must be one of {', '.join(CENTER_CHOICES)}, "
                              f"got {center!r}.")
        steps = [parse_step(t) for t in preprocess.split(",") if t.strip()]
        for step in steps:
            if step.space not in ("image", "feature"):
                raise ConfigError(f"{step.name!r} is not a --preprocess step: scaling is "
                                  f"always done and --center chooses the centring. "
                                  f"Steps: {', '.join(USER_STEPS)}.")
        names = ["scale"] + ([CENTER_CHOICES[center]] if CENTER_CHOICES[center] else [])
        pipeline = cls([*(s for s in steps if s.space == "image"),
                        *(parse_step(n) for n in names),
                        *(s for s in steps if s.space == "feature")])
        pipeline.output_size(num_pixels)
        return pipeline

    @classmethod
    def default(cls, center: str = "pixel") -> Pipeline:
        """Scale to [0, 1], then subtract the training mean (``center``: pixel|image|none)."""
        return cls.build("", center)

    def output_size(self, num_features: int) -> int:
        """Features out for rows of ``num_features``; ConfigError if a step cannot fit."""
        for step in self.steps:
            num_features = step.output_size(num_features)
        return num_features

    @property
    def spec(self) -> str:
        return ",".join(t.token for t in self.steps)

    @property
    def cheap(self) -> bool:
        """Whether every step is cheap enough to run on each mini-batch."""
        return all(step.cheap for step in self.steps)

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """Fit every step on X: (N, D) in turn; return the transformed X (X is kept)."""
        return self._run(X, fit=True)

    def fit(self, X: np.ndarray) -> Pipeline:
        """Fit every step on X: (N, D); returns self."""
        self.fit_transform(X)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """X: (N, D) -> features; X itself is never modified."""
        return self._run(X, fit=False)

    def _run(self, X: np.ndarray, fit: bool) -> np.ndarray:
        original, owned = X, False
        for step in self.steps:
            if fit:
                step.fit(X)
            # once a step has made a fresh array, the next ones may work in place
            X = step.transform(X, inplace=owned)
            owned = owned or not np.may_share_memory(X, original)
        return X

    def to_arrays(self, prefix: str = "preprocess") -> dict[str, np.ndarray]:
        """Flatten into npz-ready arrays: the spec plus each step's state."""
        arrays = {f"{prefix}/spec": np.array(self.spec)}
        for i, step in enumerate(self.steps):
            for key, value in step.state().items():
                arrays[f"{prefix}/{i}/{key}"] = value
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray],
                    prefix: str = "preprocess") -> Pipeline:
        try:
            spec = str(arrays[f"{prefix}/spec"])
            blank = cls.from_spec(spec)
            steps = []
            for i, step in enumerate(blank.steps):
                head = f"{prefix}/{i}/"
                state = {k[len(head):]: v for k, v in arrays.items() if k.startswith(head)}
                steps.append(step.load_state(state))
        except (KeyError, ValueError, ConfigError) as exc:
            raise ModelFileError(f"model file has broken preprocessing ({exc}).") from None
        return cls(steps)
