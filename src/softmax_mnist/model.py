"""What is trained and what is kept: ``ModelSpec`` (preprocessing + network shape) and
``Model`` (the fitted preprocessing, the trained network, class names, metadata), which
``model.npz`` holds and which predicts from raw uint8 images."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from .data.registry import IMAGE_PIXELS, IMAGE_SIDE
from .errors import ConfigError, DataError, ModelFileError
from .fileio import printable, read_npz, write_npz
from .nn import ACTIVATIONS, Network, softmax
from .preprocessing import CENTER_CHOICES, Pipeline, steps_help
from .training.options import Option, check_options, reject_unknown

FORMAT_VERSION = 1
MODEL_KEYS = ("format_version", "classes", "activation", "metadata", "num_layers")
MAX_LAYERS = 64
MAX_HIDDEN = 16384  # units a hidden layer: 13M weights from 784 pixels, minutes an epoch

MODEL_OPTIONS: dict[str, Option] = {
    "center": Option(str, "subtract the training mean per pixel, per image (the course "
                          "template), or not at all", "--center", choices=tuple(CENTER_CHOICES)),
    "preprocess": Option(str, f"extra preprocessing, comma-separated, fitted on the training "
                              f"split: {steps_help()}; e.g. deskew,pca:100",
                         "--preprocess", metavar="STEPS"),
    "hidden": Option(list, "hidden layer sizes for an MLP, e.g. 256 or 512,256", "--hidden",
                     low=1, high=MAX_HIDDEN, metavar="SIZES"),
    "activation": Option(str, "hidden-layer activation", "--activation",
                         choices=tuple(ACTIVATIONS)),
}


@dataclass(frozen=True)
class ModelSpec:
    """What to train: the preprocessing and the network's shape (checked on creation).

    Attributes:
        center: subtract the training mean per "pixel", per "image", or "none".
        preprocess: extra steps, e.g. ``"deskew,pca:100"`` (see :meth:`Pipeline.build`).
        hidden: hidden layer sizes; ``()`` is softmax regression.
        activation: of the hidden layers, "relu" or "sigmoid".
    """

    center: str = "pixel"
    preprocess: str = ""
    hidden: tuple[int, ...] = ()
    activation: str = "relu"

    def __post_init__(self) -> None:
        check_options(asdict(self), MODEL_OPTIONS)
        object.__setattr__(self, "hidden", tuple(self.hidden))
        if len(self.hidden) > MAX_LAYERS - 1:
            raise ConfigError(f"{{hidden}} may hold at most {MAX_LAYERS - 1} layers, got "
                              f"{len(self.hidden)}.", params=("hidden",))
        self.pipeline()  # the steps parse and fit together on 28×28 images

    @classmethod
    def from_dict(cls, options: dict[str, Any]) -> ModelSpec:
        """Build from a dict, refusing keys that are not model options."""
        reject_unknown(options, [f.name for f in fields(cls)], "model option")
        return cls(**options)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "hidden": list(self.hidden)}

    def pipeline(self) -> Pipeline:
        """A new, unfitted pipeline of these steps."""
        return Pipeline.build(self.preprocess, self.center)

    def network(self, num_features: int, num_classes: int, seed: int) -> Network:
        """A new network for ``num_features`` inputs, initialised from ``seed``."""
        return Network.build(num_features, num_classes, self.hidden, self.activation, seed=seed)


class Model:
    """A trained classifier: preprocessing + network + class names + metadata.

    ``predict*`` take raw images X: (N, 784) or (N, 28, 28) uint8 (or already-scaled
    floats with the same meaning) and apply the saved preprocessing first.
    """

    def __init__(self, network: Network, preprocess: Pipeline,
                 classes: Sequence[str] = tuple(str(d) for d in range(10)),
                 metadata: dict | None = None, activation: str = "relu"):
        self.network = network
        self.preprocess = preprocess
        self.classes = tuple(classes)
        self.metadata = dict(metadata or {})
        self.activation = activation

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """X: (N, 784) raw images -> class probabilities (N, C)."""
        return softmax(self.network.logits(_images(X), self.preprocess.transform))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """X: (N, 784) raw images -> predicted labels (N,)."""
        return self.network.logits(_images(X), self.preprocess.transform).argmax(axis=1)

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Mean cross-entropy and accuracy on raw images X: (N, 784), labels y: (N,)."""
        X = _images(X)
        if len(X) != len(y):
            raise DataError(f"{len(X)} images but {len(y)} labels.")
        return self.network.evaluate(X, y, self.preprocess.transform)

    def __repr__(self) -> str:
        return f"Model({self.preprocess.spec!r}, {self.network.describe()})"

    # -- model.npz ---------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write parameters, preprocessing and metadata to ``path`` (npz, no pickles)."""
        fcs = self.network.fc_layers
        arrays: dict[str, np.ndarray] = {
            "format_version": np.array(FORMAT_VERSION),
            "classes": np.array(self.classes),
            "activation": np.array(self.activation),
            "metadata": np.array(json.dumps(self.metadata)),
            "num_layers": np.array(len(fcs)),
        }
        for i, fc in enumerate(fcs):
            arrays[f"layers/{i}/W"] = fc.params["W"]
            arrays[f"layers/{i}/b"] = fc.params["b"]
        arrays.update(self.preprocess.to_arrays())
        write_npz(path, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Model:
        """Read a model written by :meth:`save`; anything else is a ModelFileError."""
        arrays = read_npz(path, "softmax-mnist model file",
                          keep=lambda n: n in MODEL_KEYS or n.startswith(("layers/",
                                                                          "preprocess/")))
        return cls._from_arrays(arrays, Path(path))

    @classmethod
    def _from_arrays(cls, arrays: dict[str, np.ndarray], path: Path) -> Model:
        where = printable(path)
        try:
            version = int(arrays["format_version"])
            if version != FORMAT_VERSION:
                raise ModelFileError(f"{where}: model format {version}, this version of "
                                     f"softmax-mnist reads format {FORMAT_VERSION}.")
            activation = str(arrays["activation"])
            num_layers = int(arrays["num_layers"])
            if not 1 <= num_layers <= MAX_LAYERS:
                raise ValueError(f"{num_layers} layers")
            weights = [(arrays[f"layers/{i}/W"], arrays[f"layers/{i}/b"])
                       for i in range(num_layers)]
            metadata = json.loads(str(arrays["metadata"]))
            if not isinstance(metadata, dict):
                raise ValueError("metadata is not a JSON object")
            classes = [str(c) for c in np.asarray(arrays["classes"]).reshape(-1)]
        except (KeyError, ValueError, TypeError, RecursionError) as exc:
            raise ModelFileError(f"{where}: not a softmax-mnist model file "
                                 f"(missing or bad entry {exc}).") from None
        _check_shapes(weights, where)
        if len(classes) != weights[-1][0].shape[1]:
            raise ModelFileError(f"{where}: names {len(classes)} classes but its last layer "
                                 f"has {weights[-1][0].shape[1]} outputs.")
        try:
            network = Network.build(weights[0][0].shape[0], weights[-1][0].shape[1],
                                    hidden=[W.shape[1] for W, _ in weights[:-1]],
                                    activation=activation)
        except ValueError as exc:
            raise ModelFileError(f"{where}: {exc}") from None
        network.set_weights([array for pair in weights for array in pair])
        preprocess = Pipeline.from_arrays(arrays)
        _check_preprocessing(preprocess, weights[0][0].shape[0], where)
        return cls(network, preprocess, classes, metadata, activation)


def _images(X: np.ndarray) -> np.ndarray:
    """Accept (N, 784) or (N, 28, 28) images; anything else is a DataError."""
    X = np.asarray(X)
    if X.ndim == 3 and X.shape[1:] == (IMAGE_SIDE, IMAGE_SIDE):
        X = X.reshape(len(X), -1)
    if X.ndim != 2 or X.shape[1] != IMAGE_PIXELS:
        raise DataError(f"the model takes {IMAGE_SIDE}×{IMAGE_SIDE} images as rows of "
                        f"{IMAGE_PIXELS} pixels; got an array of shape {X.shape}.")
    return X


def _check_preprocessing(preprocess: Pipeline, num_features: int, where: str) -> None:
    """The saved preprocessing must turn 28×28 images into the first layer's input, with
    finite numbers (a blank and a full image are tried)."""
    probe = np.array([np.zeros(IMAGE_PIXELS), np.full(IMAGE_PIXELS, 255)], np.uint8)
    try:
        with np.errstate(all="ignore"):
            features = preprocess.transform(probe)
    except (ValueError, TypeError, IndexError, ConfigError) as exc:
        raise ModelFileError(f"{where}: its preprocessing does not fit "
                             f"{IMAGE_SIDE}×{IMAGE_SIDE} images ({exc}).") from None
    if features.shape != (2, num_features):
        raise ModelFileError(f"{where}: its preprocessing makes {features.shape[1]} features "
                             f"but the first layer takes {num_features}.")
    if not np.isfinite(features).all():
        raise ModelFileError(f"{where}: its preprocessing holds non-finite numbers.")


def _check_shapes(weights: list[tuple[np.ndarray, np.ndarray]], where: str) -> None:
    if not weights:
        raise ModelFileError(f"{where}: model has no layers.")
    for i, (W, b) in enumerate(weights):
        ok = W.ndim == 2 and b.shape == (W.shape[1],) and np.issubdtype(W.dtype, np.floating)
        if i > 0:
            ok = ok and W.shape[0] == weights[i - 1][0].shape[1]
        if not ok or not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ModelFileError(f"{where}: layer {i} has inconsistent or non-finite "
                                 f"parameters (W {W.shape}, b {b.shape}).")
