"""Check analytic gradients against centred finite differences.

For every parameter entry p: (L(p + h) − L(p − h)) / 2h, compared with the
gradient from ``backward`` by the relative error |a − n| / max(|a| + |n|, tiny).
Run in float64, where a correct implementation gives errors around 1e-9.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .loss import SoftmaxCrossEntropyLoss
from .model import Network


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """max |a − n| / max(|a| + |n|, 1e-12) over all entries."""
    denom = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    return float(np.max(np.abs(analytic - numeric) / denom))


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred differences of the scalar f() with respect to every entry of x (in place)."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f()
        x[idx] = old - h
        minus = f()
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def check_gradients(network: Network, X: np.ndarray, y: np.ndarray,
                    h: float = 1e-5) -> dict[str, float]:
    """Relative error of every parameter's gradient of the mean cross-entropy.

    Args:
        network: a float64 network. X: (N, D) float64. y: (N,) labels.

    Returns:
        ``"layer<i>.<name>"`` -> worst relative error over that array's entries.
    """
    loss_fn = SoftmaxCrossEntropyLoss()

    def loss() -> float:
        return loss_fn.forward(network.forward(X), y)[0]

    loss()
    network.backward(loss_fn.backward())
    errors = {}
    for i, layer in enumerate(network.layers):
        for name in layer.params:
            analytic = layer.grads[name].copy()
            numeric = numerical_gradient(loss, layer.params[name], h)
            errors[f"layer{i}.{name}"] = relative_error(analytic, numeric)
    return errors


def random_problem(num_samples: int = 8, num_input: int = 20, num_classes: int = 5,
                   hidden: Sequence[int] = (), activation: str = "relu",
                   seed: int = 0) -> tuple[Network, np.ndarray, np.ndarray]:
    """A small float64 network and data for gradient checks."""
    rng = np.random.default_rng(seed)
    network = Network.build(num_input, num_classes, hidden, activation, seed=seed,
                            dtype=np.float64)
    for layer in network.fc_layers:  # non-zero biases exercise their gradient too
        layer.params["b"][:] = rng.normal(0, 0.1, layer.params["b"].shape)
    X = rng.normal(size=(num_samples, num_input))
    y = rng.integers(0, num_classes, num_samples)
    return network, X, y
