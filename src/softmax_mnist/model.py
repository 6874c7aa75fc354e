"""The network (a stack of layers) and the saved model (network + preprocessing).

``Network`` trains on preprocessed features: ``forward``/``backward`` over its
layers. ``Model`` is what ``model.npz`` holds: the network, the preprocessing
fitted on the training split, the class names and metadata; it predicts from raw
uint8 images.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from .errors import ConfigError, DataError, ModelFileError
from .fileio import write_npz
from .layers import ACTIVATIONS, DTYPE, FCLayer, Layer, ReLU
from .loss import log_softmax, softmax
from .preprocessing import Pipeline

FORMAT_VERSION = 1
Transform = Callable[[np.ndarray], np.ndarray]
EVAL_BATCH = 10_000
INPUT_PIXELS = 28 * 28  # rows per matmul when predicting: big enough for BLAS, bounded memory


class Network:
    """Layers applied in order; the last one outputs class scores (logits)."""

    def __init__(self, layers: Sequence[Layer]):
        self.layers = list(layers)
        first_fc = next((layer for layer in self.layers if isinstance(layer, FCLayer)), None)
        if first_fc is not None and self.layers[0] is first_fc:
            first_fc.needs_input_grad = False

    @classmethod
    def build(cls, num_input: int = 784, num_classes: int = 10, hidden: Sequence[int] = (),
              activation: str = "relu", seed: int = 0,
              dtype: np.dtype | type = DTYPE) -> Network:
        """A softmax regression (``hidden=()``) or an MLP with the given hidden sizes."""
        if activation not in ACTIVATIONS:
            raise ConfigError(f"activation must be one of {', '.join(ACTIVATIONS)}, "
                              f"got {activation!r}.")
        if any(h < 1 for h in hidden):
            raise ConfigError(f"hidden layer sizes must be ≥ 1, got {list(hidden)}.")
        rng = np.random.default_rng(seed)
        act = ACTIVATIONS[activation]
        gain = np.sqrt(2.0) if act is ReLU else 1.0  # He-style scaling for ReLU
        sizes = [num_input, *hidden, num_classes]
        layers: list[Layer] = []
        for i, (d, m) in enumerate(itertools.pairwise(sizes)):
            last = i == len(sizes) - 2
            layers.append(FCLayer(d, m, rng=rng, gain=1.0 if last else gain, dtype=dtype))
            if not last:
                layers.append(act())
        return cls(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> logits: (N, C)."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad: np.ndarray) -> None:
        """grad = ∂L/∂logits: (N, C); fills every layer's ``grads``."""
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    def parameters(self) -> Iterator[tuple[Layer, str]]:
        """(layer, name) for every trainable array, in layer order."""
        for layer in self.layers:
            for name in layer.params:
                yield layer, name

    def get_weights(self) -> list[np.ndarray]:
        """Copies of all parameters (for snapshots such as restore-best-weights)."""
        return [layer.params[name].copy(order="K") for layer, name in self.parameters()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Copy ``weights`` (as from :meth:`get_weights`) into the parameters, in place."""
        for (layer, name), w in zip(self.parameters(), weights, strict=True):
            layer.params[name][...] = w

    def logits(self, X: np.ndarray, transform: Transform | None = None,
               batch_size: int = EVAL_BATCH) -> np.ndarray:
        """Logits for X: (N, D) -> (N, C), in large batches.

        ``transform`` (e.g. a fitted Pipeline's) turns each batch of X into features
        first; without it X already holds the features.
        """
        parts = []
        for i in range(0, len(X), batch_size):
            chunk = X[i:i + batch_size]
            parts.append(self.forward(chunk if transform is None else transform(chunk)))
        return np.concatenate(parts) if parts else np.zeros((0, self.num_classes), DTYPE)

    def evaluate(self, X: np.ndarray, y: np.ndarray,
                 transform: Transform | None = None) -> tuple[float, float]:
        """Mean cross-entropy and accuracy on X: (N, D) (see ``logits``), labels y: (N,)."""
        z = self.logits(X, transform)
        loss = float(-log_softmax(z.astype(np.float64))[np.arange(len(y)), y].mean())
        return loss, float((z.argmax(axis=1) == y).mean())

    @property
    def num_classes(self) -> int:
        return self.fc_layers[-1].params["W"].shape[1]

    @property
    def fc_layers(self) -> list[FCLayer]:
        return [layer for layer in self.layers if isinstance(layer, FCLayer)]

    @property
    def num_parameters(self) -> int:
        return sum(layer.params[name].size for layer, name in self.parameters())

    def describe(self) -> str:
        """The layers as text, e.g. ``FCLayer(784, 256) → ReLU() → FCLayer(256, 10)``."""
        return " → ".join(repr(layer) for layer in self.layers)


class Model:
    """A trained classifier: preprocessing + network + class names + metadata.

    ``predict*`` take raw images X: (N, 784) uint8 (or already-scaled floats
    with the same meaning) and apply the saved preprocessing first.
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
        path = Path(path)
        if not path.is_file():
            raise ModelFileError(f"{path}: no such model file.")
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except Exception as exc:  # zipfile, ValueError for pickles, OSError ...
            raise ModelFileError(f"{path}: not a softmax-mnist model file ({exc}).") from None
        return cls._from_arrays(arrays, path)

    @classmethod
    def _from_arrays(cls, arrays: dict[str, np.ndarray], path: Path) -> Model:
        try:
            version = int(arrays["format_version"])
            if version != FORMAT_VERSION:
                raise ModelFileError(f"{path}: model format {version}, this version of "
                                     f"softmax-mnist reads format {FORMAT_VERSION}.")
            activation = str(arrays["activation"])
            weights = [(arrays[f"layers/{i}/W"], arrays[f"layers/{i}/b"])
                       for i in range(int(arrays["num_layers"]))]
            metadata = json.loads(str(arrays["metadata"]))
            classes = [str(c) for c in arrays["classes"]]
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelFileError(f"{path}: not a softmax-mnist model file "
                                 f"(missing or bad entry {exc}).") from None
        _check_shapes(weights, path)
        network = Network.build(weights[0][0].shape[0], weights[-1][0].shape[1],
                                hidden=[W.shape[1] for W, _ in weights[:-1]],
                                activation=activation)
        for fc, (W, b) in zip(network.fc_layers, weights, strict=True):
            fc.params["W"], fc.params["b"] = np.asfortranarray(W, DTYPE), b.astype(DTYPE)
            fc.grads = {k: np.zeros_like(v) for k, v in fc.params.items()}
        preprocess = Pipeline.from_arrays(arrays)
        _check_preprocessing(preprocess, weights[0][0].shape[0], path)
        return cls(network, preprocess, classes, metadata, activation)


def _images(X: np.ndarray) -> np.ndarray:
    """Accept (N, 784) or (N, 28, 28) images; anything else is a DataError."""
    X = np.asarray(X)
    if X.ndim == 3 and X.shape[1:] == (28, 28):
        X = X.reshape(len(X), -1)
    if X.ndim != 2 or X.shape[1] != INPUT_PIXELS:
        raise DataError(f"the model takes 28×28 images as rows of {INPUT_PIXELS} pixels; "
                        f"got an array of shape {X.shape}.")
    return X


def _check_preprocessing(preprocess: Pipeline, num_features: int, path: Path) -> None:
    """The saved preprocessing must turn one 28×28 image into the first layer's input."""
    try:
        features = preprocess.transform(np.zeros((1, INPUT_PIXELS), np.uint8))
    except (ValueError, TypeError, IndexError) as exc:
        raise ModelFileError(f"{path}: its preprocessing does not fit 28×28 images "
                             f"({exc}).") from None
    if features.shape != (1, num_features):
        raise ModelFileError(f"{path}: its preprocessing makes {features.shape[1]} features "
                             f"but the first layer takes {num_features}.")


def _check_shapes(weights: list[tuple[np.ndarray, np.ndarray]], path: Path) -> None:
    if not weights:
        raise ModelFileError(f"{path}: model has no layers.")
    for i, (W, b) in enumerate(weights):
        ok = W.ndim == 2 and b.shape == (W.shape[1],) and np.issubdtype(W.dtype, np.floating)
        if i > 0:
            ok = ok and W.shape[0] == weights[i - 1][0].shape[1]
        if not ok or not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ModelFileError(f"{path}: layer {i} has inconsistent or non-finite "
                                 f"parameters (W {W.shape}, b {b.shape}).")
