"""The network: layers applied in order, the last one giving class scores (logits)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from .layers import ACTIVATIONS, DTYPE, FCLayer, Layer, ReLU
from .loss import log_softmax

EVAL_BATCH = 10_000
"""Rows per forward pass when evaluating: big enough for BLAS, bounded in memory …"""
EVAL_FLOATS = 1 << 23
"""… and fewer for wide layers, so that no activation of a batch exceeds 8M floats."""


class Network:
    """Layers applied in order; the last one outputs class scores (logits).

    ``forward(x)`` and ``backward(∂L/∂logits)`` are what training needs;
    ``logits``/``evaluate`` run over any number of rows in large batches.
    """

    def __init__(self, layers: Sequence[Layer]):
        self.layers = list(layers)

    @classmethod
    def build(cls, num_input: int = 784, num_classes: int = 10, hidden: Sequence[int] = (),
              activation: str = "relu", seed: int = 0,
              dtype: np.dtype | type = DTYPE) -> Network:
        """A softmax regression (``hidden=()``) or an MLP with the given hidden sizes.

        ReLU layers' weights get a √2 gain (He's scaling); the output layer none.
        """
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, "
                             f"got {activation!r}.")
        if any(h < 1 for h in hidden):
            raise ValueError(f"hidden layer sizes must be ≥ 1, got {list(hidden)}.")
        rng = np.random.default_rng(seed)
        act = ACTIVATIONS[activation]
        gain = np.sqrt(2.0) if act is ReLU else 1.0
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
        """grad = ∂L/∂logits: (N, C); fills every layer's ``grads``.

        The first layer computes its parameters' gradients only: nothing uses ∂L/∂x.
        """
        first, *rest = self.layers
        for layer in reversed(rest):
            grad = layer.backward(grad)
        first.backward_params(grad)

    def input_gradient(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """x: (N, D), grad = ∂L/∂logits: (N, C) -> ∂L/∂x: (N, D).

        A forward pass, then a backward pass through every layer — the first one's input
        gradient included, which ``backward`` skips for training — that computes input
        gradients only (``grads`` are left as they are). With ``grad`` one-hot in class c
        this is ∂z_c/∂x, the gradient of input × gradient maps. Like ``forward`` it
        overwrites the layers' caches.
        """
        self.forward(x)
        for layer in reversed(self.layers):
            grad = layer.backward_input(grad)
        return grad

    def parameters(self) -> Iterator[tuple[Layer, str]]:
        """(layer, name) for every trainable array, in layer order."""
        for layer in self.layers:
            for name in layer.params:
                yield layer, name

    def get_weights(self) -> list[np.ndarray]:
        """Copies of all parameters (for snapshots such as restore-best-weights)."""
        return [layer.params[name].copy(order="K") for layer, name in self.parameters()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Copy ``weights`` (as from :meth:`get_weights`) into the parameters, in place."""
        for (layer, name), w in zip(self.parameters(), weights, strict=True):
            layer.params[name][...] = w

    def logits(self, X: np.ndarray, features: Callable[[np.ndarray], np.ndarray] | None = None,
               batch_size: int | None = None) -> np.ndarray:
        """Logits for X: (N, D) -> (N, C), in batches of ``batch_size`` rows (default:
        EVAL_BATCH, fewer for wide layers).

        ``features`` (e.g. a fitted Pipeline's ``transform``) turns each batch of X into
        the network's input first; without it X already is the input.
        """
        if batch_size is None:
            widest = max(max(fc.shape) for fc in self.fc_layers)
            batch_size = max(1, min(EVAL_BATCH, EVAL_FLOATS // widest))
        parts = [self.forward(X[i:i + batch_size] if features is None
                              else features(X[i:i + batch_size]))
                 for i in range(0, len(X), batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0, self.num_classes), DTYPE)

    def evaluate(self, X: np.ndarray, y: np.ndarray,
                 features: Callable[[np.ndarray], np.ndarray] | None = None,
                 ) -> tuple[float, float]:
        """Mean cross-entropy and accuracy on X: (N, D) (see ``logits``), labels y: (N,)."""
        z = self.logits(X, features)
        loss = float(-log_softmax(z.astype(np.float64))[np.arange(len(y)), y].mean())
        return loss, float((z.argmax(axis=1) == y).mean())

    @property
    def fc_layers(self) -> list[FCLayer]:
        return [layer for layer in self.layers if isinstance(layer, FCLayer)]

    @property
    def num_inputs(self) -> int:
        return self.fc_layers[0].shape[0]

    @property
    def num_classes(self) -> int:
        return self.fc_layers[-1].shape[1]

    @property
    def num_parameters(self) -> int:
        return sum(layer.params[name].size for layer, name in self.parameters())

    def describe(self) -> str:
        """The layers as text, e.g. ``FCLayer(784, 256) → ReLU() → FCLayer(256, 10)``."""
        return " → ".join(repr(layer) for layer in self.layers)

    def __repr__(self) -> str:
        return f"Network({self.describe()})"
