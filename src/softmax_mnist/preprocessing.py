"""Preprocessing: transforms fitted on the training split only, saved with the model.

Each transform has ``fit(X)`` (learns from training images only), ``transform(X)``,
and ``state()`` / ``from_state()`` to go into and out of ``model.npz`` as plain
arrays. A :class:`Pipeline` chains them; its ``spec`` (e.g. ``scale,center-pixel``)
names the steps. X is always (N, D): one flattened image per row.

Once fitted, every transform maps each row on its own, so a pipeline may be applied
to any chunk of rows — and, when all its steps are ``cheap``, to each mini-batch
during training, which lets the training set stay as compact uint8 images.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .errors import ConfigError, ModelFileError

DTYPE = np.float32  # float32 halves memory traffic; accuracy is the same as float64


class Transform:
    """Base class: a stateless transform unless ``fit`` stores arrays in ``state()``."""

    name: ClassVar[str]
    cheap: ClassVar[bool] = True  # a few elementwise passes: fine for every mini-batch

    def fit(self, X: np.ndarray) -> Transform:
        """Learn parameters from training data X: (N, D). Returns self."""
        return self

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        """X: (N, D) -> (N, D'). With ``inplace`` the step may overwrite X."""
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """Learned arrays, to be saved with the model."""
        return {}

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> Transform:
        return cls()


class Scale(Transform):
    """Pixels 0..255 -> float32 in [0, 1]."""

    name = "scale"

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        out = X.astype(DTYPE, copy=not inplace)
        out *= DTYPE(1 / 255)
        return out


class CenterPixels(Transform):
    """Subtract the per-pixel mean of the training images: x - mean, mean: (D,)."""

    name = "center-pixel"

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

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> CenterPixels:
        return cls(state["mean"])


class CenterImages(Transform):
    """Subtract each image's own mean (the course template's choice); nothing to fit."""

    name = "center-image"

    def transform(self, X: np.ndarray, inplace: bool = False) -> np.ndarray:
        return np.subtract(X, X.mean(axis=1, keepdims=True), out=X if inplace else None)


TRANSFORMS: dict[str, type[Transform]] = {
    t.name: t for t in (Scale, CenterPixels, CenterImages)
}
CENTER_CHOICES = {"pixel": "center-pixel", "image": "center-image", "none": None}


class Pipeline:
    """Transforms applied in order; fitted step by step on the training data."""

    def __init__(self, steps: list[Transform]):
        self.steps = steps

    @classmethod
    def from_spec(cls, spec: str) -> Pipeline:
        """Build an unfitted pipeline from ``"scale,center-pixel"``-style text."""
        names = [s.strip() for s in spec.split(",") if s.strip()]
        unknown = [n for n in names if n not in TRANSFORMS]
        if unknown:
            raise ConfigError(f"unknown preprocessing step {unknown[0]!r}; "
                              f"known: {', '.join(TRANSFORMS)}.")
        return cls([TRANSFORMS[n]() for n in names])

    @classmethod
    def default(cls, center: str = "pixel") -> Pipeline:
        """Scale to [0, 1], then subtract the training mean (``center``: pixel|image|none)."""
        if center not in CENTER_CHOICES:
            raise ConfigError(f"center must be one of {', '.join(CENTER_CHOICES)}, "
                              f"got {center!r}.")
        names = ["scale"] + ([CENTER_CHOICES[center]] if CENTER_CHOICES[center] else [])
        return cls.from_spec(",".join(names))

    @property
    def spec(self) -> str:
        return ",".join(t.name for t in self.steps)

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
                steps.append(type(step).from_state(state))
        except (KeyError, ConfigError) as exc:
            raise ModelFileError(f"model file has broken preprocessing ({exc}).") from None
        return cls(steps)
