"""What is trained and what is kept: ``ModelSpec`` (preprocessing + network shape) and
``Model`` (the fitted preprocessing, the trained network, class names, metadata), which
``model.npz`` holds and which predicts from raw uint8 images.

``model.npz`` format 1 holds softmax regression and MLPs: ``layers/<i>/W`` and
``layers/<i>/b`` of each fully connected layer, their activation, the classes, the
preprocessing (``preprocess/...``) and metadata. Format 2, written only for networks that
format 1 cannot describe (conv, pool or dropout layers), adds ``architecture``, the
layers as text (``conv:32:5,pool:2,fc:128``); ``layers/<i>/W`` and ``layers/<i>/b`` are
then the parameters of each layer that has some, in order. Both are read.
"""

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
from .nn.architecture import (
    MAX_UNITS,
    USAGE,
    count_parameters,
    is_convolutional,
    parse_architecture,
)
from .preprocessing import CENTER_CHOICES, Pipeline, steps_help
from .training.options import Option, check_options, literal, reject_unknown

FORMAT_VERSION = 2  # the newest format this version writes (and formats 1 … 2 it reads)
MODEL_KEYS = ("format_version", "classes", "activation", "metadata", "num_layers",
              "architecture")
MAX_LAYERS = 64
MAX_HIDDEN = MAX_UNITS  # units a hidden layer: 13M weights from 784 pixels, minutes an epoch

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
    "layers": Option(str, f"the network's layers, first to last, e.g. "
                          f"conv:32:5,pool:2,fc:128,dropout:0.5 ({USAGE}; the output layer "
                          f"is added; --hidden 256 is fc:256)", "--layers", metavar="LAYERS"),
}


@dataclass(frozen=True)
class ModelSpec:
    """What to train: the preprocessing and the network's shape (checked on creation).

    Attributes:
        center: subtract the training mean per "pixel", per "image", or "none".
        preprocess: extra steps, e.g. ``"deskew,pca:100"`` (see :meth:`Pipeline.build`).
        hidden: hidden layer sizes; ``()`` is softmax regression.
        activation: of the hidden layers, "relu" or "sigmoid".
        layers: the network's layers as text (see :mod:`softmax_mnist.nn.architecture`),
            e.g. ``"conv:32:5,pool:2,fc:128,dropout:0.5"``; kept in canonical form.
            ``hidden=(256,)`` is ``layers="fc:256"``; give one of them.
    """

    center: str = "pixel"
    preprocess: str = ""
    hidden: tuple[int, ...] = ()
    activation: str = "relu"
    layers: str = ""

    def __post_init__(self) -> None:
        check_options(asdict(self), MODEL_OPTIONS)
        object.__setattr__(self, "hidden", tuple(self.hidden))
        if len(self.hidden) > MAX_LAYERS - 1:
            raise ConfigError(f"{{hidden}} may hold at most {MAX_LAYERS - 1} layers, got "
                              f"{len(self.hidden)}.", params=("hidden",))
        if self.hidden and self.layers:
            raise ConfigError("give {hidden} or {layers}, not both ({hidden} 256 is {layers} "
                              "fc:256).", params=("hidden", "layers"))
        try:
            specs = parse_architecture(self.layers)
        except ValueError as exc:
            raise ConfigError(f"{{layers}}: {literal(str(exc))}", params=("layers",)) from None
        if len(specs) > MAX_LAYERS - 1:
            raise ConfigError(f"{{layers}} may hold at most {MAX_LAYERS - 1} layers, got "
                              f"{len(specs)}.", params=("layers",))
        object.__setattr__(self, "layers", ",".join(s.token for s in specs))
        features = self.pipeline().output_size(IMAGE_PIXELS)  # the steps fit together
        try:
            count_parameters(specs, features, 10)
        except ValueError as exc:
            params = ("layers", "preprocess") if is_convolutional(specs) else ("layers",)
            raise ConfigError(f"{{layers}}: {literal(str(exc))}", params=params) from None

    @property
    def architecture(self) -> str:
        """The network's hidden layers as text, whichever option gave them."""
        return self.layers or ",".join(f"fc:{h}" for h in self.hidden)

    @property
    def convolutional(self) -> bool:
        """Whether the network has conv or pool layers."""
        return is_convolutional(parse_architecture(self.layers))

    @classmethod
    def from_dict(cls, options: dict[str, Any]) -> ModelSpec:
        """Build from a dict, refusing keys that are not model options."""
        reject_unknown(options, [f.name for f in fields(cls)], "model option")
        return cls(**options)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "hidden": list(self.hidden)}

    def describe(self) -> str:
        """The model in a few words: ``linear``, ``MLP fc:256`` or ``CNN conv:32:5,…``."""
        if not self.architecture:
            return "linear"
        return f"{'CNN' if self.convolutional else 'MLP'} {self.architecture}"

    def pipeline(self) -> Pipeline:
        """A new, unfitted pipeline of these steps."""
        return Pipeline.build(self.preprocess, self.center)

    def network(self, num_features: int, num_classes: int, seed: int) -> Network:
        """A new network for ``num_features`` inputs, initialised from ``seed``."""
        return Network.build(num_features, num_classes, self.hidden, self.activation,
                             seed=seed, architecture=self.layers)


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
        """Write parameters, preprocessing and metadata to ``path`` (npz, no pickles):
        format 1 for softmax regression and MLPs, format 2 for other networks."""
        trainable = [layer for layer in self.network.layers if layer.params]
        architecture = self.network.architecture
        plain = all(t.startswith("fc:") for t in architecture.split(",") if t)
        arrays: dict[str, np.ndarray] = {
            "format_version": np.array(1 if plain else 2),
            "classes": np.array(self.classes),
            "activation": np.array(self.activation),
            "metadata": np.array(json.dumps(self.metadata)),
            "num_layers": np.array(len(trainable)),
        }
        if not plain:
            arrays["architecture"] = np.array(architecture)
        for i, layer in enumerate(trainable):
            arrays[f"layers/{i}/W"] = layer.params["W"]
            arrays[f"layers/{i}/b"] = layer.params["b"]
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
            if not 1 <= version <= FORMAT_VERSION:
                raise ModelFileError(f"{where}: model format {version}, this version of "
                                     f"softmax-mnist reads formats 1 … {FORMAT_VERSION}.")
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
            architecture = str(arrays["architecture"]) if version >= 2 else None
        except (KeyError, ValueError, TypeError, RecursionError) as exc:
            raise ModelFileError(f"{where}: not a softmax-mnist model file "
                                 f"(missing or bad entry {exc}).") from None
        outputs = weights[-1][0].shape[-1] if weights[-1][0].ndim == 2 else None
        if len(classes) != outputs:
            raise ModelFileError(f"{where}: names {len(classes)} classes but its last layer "
                                 f"has {outputs} outputs.")
        preprocess = Pipeline.from_arrays(arrays)
        if architecture is None:  # format 1: the fc layers' shapes say it all
            _check_shapes(weights, where)
            architecture = ",".join(f"fc:{W.shape[1]}" for W, _ in weights[:-1])
            num_features = weights[0][0].shape[0]
        else:
            num_features = _output_size(preprocess, where)
        _check_preprocessing(preprocess, num_features, where)
        try:
            network = Network.build(num_features, len(classes), activation=activation,
                                    architecture=architecture)
        except ValueError as exc:
            raise ModelFileError(f"{where}: {exc}") from None
        _check_parameters(network, weights, where)
        network.set_weights([array for pair in weights for array in pair])
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


def _output_size(preprocess: Pipeline, where: str) -> int:
    """Features the saved preprocessing makes from a 28×28 image."""
    try:
        return preprocess.output_size(IMAGE_PIXELS)
    except ConfigError as exc:
        raise ModelFileError(f"{where}: its preprocessing does not fit "
                             f"{IMAGE_SIDE}×{IMAGE_SIDE} images ({exc}).") from None


def _check_parameters(network: Network, weights: list[tuple[np.ndarray, np.ndarray]],
                      where: str) -> None:
    """The saved arrays must be finite floats of exactly the shapes of the network's
    parameters, layer by layer."""
    trainable = [layer for layer in network.layers if layer.params]
    if len(trainable) != len(weights):
        raise ModelFileError(f"{where}: its layers need {len(trainable)} weight arrays, the "
                             f"file holds {len(weights)}.")
    for i, (layer, (W, b)) in enumerate(zip(trainable, weights, strict=True)):
        ok = (W.shape == layer.params["W"].shape and b.shape == layer.params["b"].shape
              and np.issubdtype(W.dtype, np.floating) and np.issubdtype(b.dtype, np.floating))
        if not ok or not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ModelFileError(f"{where}: layer {i} ({layer!r}) has inconsistent or "
                                 f"non-finite parameters (W {W.shape}, b {b.shape}).")


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
