"""The pipeline: preprocessing steps in order, built from ``--preprocess`` text, saved in
``model.npz`` as its spec (``deskew,scale,center-pixel,pca:50``) plus each step's arrays."""

from __future__ import annotations

import difflib

import numpy as np

from ..data.registry import IMAGE_PIXELS
from ..errors import ConfigError, ModelFileError
from .image_steps import Blur, Denoise, Deskew, MomentNorm, Pool
from .steps import PCA, CenterImages, CenterPixels, Scale, Standardize, Step

STEPS: dict[str, type[Step]] = {
    s.name: s for s in (Scale, CenterPixels, CenterImages, Deskew, MomentNorm, Denoise,
                        Blur, Pool, Standardize, PCA)
}
"""Every step by name: the registry that parsing, saving and ``--help`` read."""
ALIASES = {alias: s for s in STEPS.values() for alias in s.aliases}
CENTER_CHOICES = {"pixel": "center-pixel", "image": "center-image", "none": None}
"""The ``center`` option's values and the step each one adds."""
USER_STEPS = [name for name, s in STEPS.items() if s.space in ("image", "feature")]
"""Steps ``--preprocess`` takes; scaling is always done and ``center`` chooses the centring."""


def steps_help() -> str:
    """What ``--preprocess`` accepts, written from the registry."""
    usage = {space: ", ".join(s.usage for s in STEPS.values() if s.space == space)
             for space in ("image", "feature")}
    return (f"image steps {usage['image']} (run on raw pixels, before scaling and --center) "
            f"and feature steps {usage['feature']} (after them)")


def parse_step(token: str) -> Step:
    """``"pca:100"`` -> an unfitted PCA(100); ConfigError for unknown names or values."""
    name, _, arg = token.partition(":")
    name = name.strip().lower()
    cls = STEPS.get(name) or ALIASES.get(name)
    if cls is None:
        close = difflib.get_close_matches(name, [*STEPS, *ALIASES], n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"unknown preprocessing step {name!r}.{hint} "
                          f"Steps: {', '.join(USER_STEPS)}.")
    return cls.parse(arg.strip() if ":" in token else None)


class Pipeline:
    """Steps applied in order; fitted step by step on the training data."""

    def __init__(self, steps: list[Step]):
        self.steps = steps

    @classmethod
    def from_spec(cls, spec: str) -> Pipeline:
        """An unfitted pipeline of exactly the steps of ``"deskew,scale,center-pixel,pca:50"``,
        in this order (the form saved in ``model.npz``)."""
        return cls([parse_step(t) for t in spec.split(",") if t.strip()])

    @classmethod
    def build(cls, preprocess: str = "", center: str = "pixel",
              num_pixels: int = IMAGE_PIXELS) -> Pipeline:
        """The pipeline of ``--preprocess`` text and ``center``, in canonical order:

        1. image-space steps (deskew, moment-norm, denoise, blur, pool), in the order
           given, on the raw 0…255 pixels;
        2. scale to [0, 1];
        3. centring (``center``: pixel|image|none);
        4. feature-space steps (standardize, pca), in the order given.

        Raises ConfigError for unknown steps, bad values, or a chain that cannot work
        on ``num_pixels``-pixel images (e.g. ``pool:4,pool:4``, or pca:K > features).
        """
        if center not in CENTER_CHOICES:
            raise ConfigError(f"{{center}} must be one of {', '.join(CENTER_CHOICES)}, "
                              f"got {center!r}.", params=("center",))
        steps = [parse_step(t) for t in preprocess.split(",") if t.strip()]
        for step in steps:
            if step.space not in ("image", "feature"):
                raise ConfigError(f"{step.name!r} is not a preprocessing step of its own: "
                                  f"scaling is always done and {{center}} chooses the "
                                  f"centring. Steps: {', '.join(USER_STEPS)}.",
                                  params=("center",))
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
        return ",".join(s.token for s in self.steps)

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
        """Read back :meth:`to_arrays`; anything inconsistent is a ModelFileError."""
        try:
            spec = str(arrays[f"{prefix}/spec"])
            steps = []
            for i, step in enumerate(cls.from_spec(spec).steps):
                head = f"{prefix}/{i}/"
                state = {k[len(head):]: v for k, v in arrays.items() if k.startswith(head)}
                steps.append(step.load_state(state))
        except (KeyError, ValueError, ConfigError) as exc:
            raise ModelFileError(f"model file has broken preprocessing ({exc}).") from None
        return cls(steps)

    def __repr__(self) -> str:
        return f"Pipeline({self.spec!r})"
