"""Check analytic gradients against centred finite differences.

For every parameter entry p: n = (L(p + h) − L(p − h)) / 2h. An array's analytic
gradient a passes when the relative error of the whole array,

    ‖a − n‖ / max(‖a‖ + ‖n‖, 1e-12)        (Euclidean norms),

is small. This is the standard measure (CS231n's ``rel_error`` on whole arrays): entries
of 1e-7, whose finite differences carry relative noise far above 1e-6, cannot make a
correct gradient fail, while a real mistake (a missing /N, a transpose, a sign) moves
the whole array and gives errors of order 1. The worst per-entry error is kept for
diagnosis. Run in float64, where a correct implementation gives about 1e-9.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .architecture import is_convolutional, parse_architecture
from .loss import SoftmaxCrossEntropyLoss
from .network import Network


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """‖a − n‖ / max(‖a‖ + ‖n‖, 1e-12) over the whole array."""
    diff = float(np.linalg.norm(analytic - numeric))
    return diff / max(float(np.linalg.norm(analytic) + np.linalg.norm(numeric)), 1e-12)


def worst_entry_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """max over entries of |a − n| / max(|a| + |n|, 1e-12): for diagnosis, not for passing."""
    denom = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    return float(np.max(np.abs(analytic - numeric) / denom))


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
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


@dataclass(frozen=True)
class GradientCheck:
    """One parameter array's check: ``name`` is ``layer<i>.<param>``."""

    name: str
    relative_error: float  # of the whole array: what passes or fails
    worst_entry: float  # the largest per-entry relative error


def check_gradients(network: Network, X: np.ndarray, y: np.ndarray, h: float = 1e-5,
                    loss_fn: Any = None, seed: int = 0) -> list[GradientCheck]:
    """Compare every parameter's gradient of the mean loss with finite differences.

    The network runs in training mode, so that dropout is checked as it trains: every
    evaluation of the loss draws its masks from a fresh generator seeded with ``seed``,
    hence the same masks — the function being differentiated stays one function.

    Args:
        network: a float64 network. X: (N, D) float64. y: (N,) labels.
        loss_fn: a loss layer (default: ``SoftmaxCrossEntropyLoss()``).
    """
    loss_fn = SoftmaxCrossEntropyLoss() if loss_fn is None else loss_fn

    def loss() -> float:
        with network.training(np.random.default_rng(seed)):
            return loss_fn.forward(network.forward(X), y)[0]

    loss()
    network.backward(loss_fn.backward())  # with the masks of that forward pass
    checks = []
    for i, layer in enumerate(network.layers):
        for name in layer.params:
            analytic = layer.grads[name].copy()
            numeric = numerical_gradient(loss, layer.params[name], h)
            checks.append(GradientCheck(f"layer{i}.{name}", relative_error(analytic, numeric),
                                        worst_entry_error(analytic, numeric)))
    return checks


def random_problem(num_samples: int = 8, num_input: int | None = None, num_classes: int = 5,
                   hidden: Sequence[int] = (), activation: str = "relu",
                   seed: int = 0, architecture: str = "",
                   ) -> tuple[Network, np.ndarray, np.ndarray]:
    """A small float64 network and data for gradient checks: X (N, D), y (N,).

    ``num_input`` defaults to 20 features, or 8×8 images for an ``architecture`` with
    conv or pool layers.
    """
    if num_input is None:
        num_input = 64 if is_convolutional(parse_architecture(architecture)) else 20
    rng = np.random.default_rng(seed)
    network = Network.build(num_input, num_classes, hidden, activation, seed=seed,
                            dtype=np.float64, architecture=architecture)
    for layer, name in network.parameters():  # non-zero biases exercise their gradient too
        if name == "b":
            layer.params["b"][:] = rng.normal(0, 0.1, layer.params["b"].shape)
    X = rng.normal(size=(num_samples, num_input))
    y = rng.integers(0, num_classes, num_samples)
    return network, X, y
