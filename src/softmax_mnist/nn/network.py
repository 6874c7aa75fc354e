"""The network: layers applied in order, the last one giving class scores (logits)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from . import _threads
from .architecture import FCSpec, LayerSpec, build_layers, describe_layers, parse_architecture
from .conv import Unflatten
from .layers import ACTIVATIONS, DTYPE, FCLayer, Layer
from .loss import log_softmax

EVAL_BATCH = 10_000
"""Rows per forward pass when evaluating: big enough for BLAS, bounded in memory …"""
EVAL_FLOATS = 1 << 23
"""… and fewer for wide layers, so that no array of a layer (an activation, a conv
layer's column matrix) exceeds 8M floats."""


class Network:
    """Layers applied in order; the last one outputs class scores (logits).

    ``forward(x)`` and ``backward(∂L/∂logits)`` are what training needs, inside
    ``with network.training(rng):`` when the network has dropout; ``logits``/``evaluate``
    run over any number of rows in large batches, always in evaluation mode.
    """

    def __init__(self, layers: Sequence[Layer]):
        self.layers = list(layers)

    @classmethod
    def build(cls, num_input: int = 784, num_classes: int = 10, hidden: Sequence[int] = (),
              activation: str = "relu", seed: int = 0, dtype: np.dtype | type = DTYPE,
              architecture: str | Sequence[LayerSpec] = "") -> Network:
        """A softmax regression (no ``hidden``, no ``architecture``), an MLP with the
        given hidden sizes, or the network of an ``architecture`` such as
        ``"conv:32:5,pool:2,fc:128,dropout:0.5"`` (see :mod:`.architecture`).

        ReLU layers' weights get a √2 gain (He's scaling); the output layer none.
        """
        if any(h < 1 for h in hidden):
            raise ValueError(f"hidden layer sizes must be ≥ 1, got {list(hidden)}.")
        if hidden and architecture:
            raise ValueError("give hidden layer sizes or an architecture, not both.")
        specs = (parse_architecture(architecture) if isinstance(architecture, str)
                 else tuple(architecture)) or tuple(FCSpec(h) for h in hidden)
        layers = build_layers(specs, num_input, num_classes, activation,
                              np.random.default_rng(seed), dtype)
        return cls(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> logits: (N, C)."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    @contextlib.contextmanager
    def training(self, rng: np.random.Generator) -> Iterator[None]:
        """Training mode inside the block: dropout layers drop, with masks from ``rng``.
        Outside it (the default) every forward pass is the same deterministic function."""
        before = [(layer.training, layer.rng) for layer in self.layers]
        for layer in self.layers:
            layer.training, layer.rng = True, rng
        try:
            yield
        finally:
            for layer, (mode, old) in zip(self.layers, before, strict=True):
                layer.training, layer.rng = mode, old

    @contextlib.contextmanager
    def evaluating(self) -> Iterator[None]:
        """Evaluation mode inside the block, whatever the mode outside."""
        before = [layer.training for layer in self.layers]
        for layer in self.layers:
            layer.training = False
        try:
            yield
        finally:
            for layer, mode in zip(self.layers, before, strict=True):
                layer.training = mode

    def backward(self, grad: np.ndarray) -> None:
        """grad = ∂L/∂logits: (N, C); fills every layer's ``grads``.

        The first layer with parameters computes their gradients only, and the layers
        before it (a reshape of the input rows) nothing: nothing uses ∂L/∂x there.
        """
        first = next(i for i, layer in enumerate(self.layers) if layer.params)
        for layer in reversed(self.layers[first + 1:]):
            grad = layer.backward(grad)
        self.layers[first].backward_params(grad)

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
        EVAL_BATCH, fewer for wide layers), in evaluation mode.

        ``features`` (e.g. a fitted Pipeline's ``transform``) turns each batch of X into
        the network's input first; without it X already is the input.
        """
        if batch_size is None:
            batch_size = max(1, min(EVAL_BATCH, EVAL_FLOATS // self.floats_per_sample))
        with self.evaluating(), _threads.for_convolutions(self.layers):
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
    def floats_per_sample(self) -> int:
        """The most floats any layer holds per input row (see ``Layer.scratch_floats``)."""
        shape, most = (self.num_inputs,), self.num_inputs
        for layer in self.layers:
            most = max(most, layer.scratch_floats(shape))
            shape = layer.output_shape(shape)
        return most

    @property
    def architecture(self) -> str:
        """The layers as architecture text, e.g. ``"fc:256"`` or
        ``"conv:32:5,pool:2,fc:128,dropout:0.5"``; "" for softmax regression."""
        return describe_layers(self.layers)

    @property
    def activation(self) -> str | None:
        """The hidden layers' activation by name; None without hidden layers."""
        for layer in self.layers:
            for name, cls in ACTIVATIONS.items():
                if type(layer) is cls:
                    return name
        return None

    @property
    def num_inputs(self) -> int:
        first = self.layers[0]
        return first.num_inputs if isinstance(first, Unflatten) else self.fc_layers[0].shape[0]

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
