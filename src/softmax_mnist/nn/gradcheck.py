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

from .architecture import (
    MAX_KERNEL,
    LayerSpec,
    count_parameters,
    is_convolutional,
    parse_architecture,
)
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


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5,
                       entries: Sequence[tuple[int, ...]] | None = None) -> np.ndarray:
    """Centred differences of the scalar f() with respect to every entry of x (in place),
    or only the ``entries`` listed (the others stay 0)."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape) if entries is None else entries:
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
    entries: int = 0  # how many entries were compared …
    size: int = 0  # … of how many


def check_gradients(network: Network, X: np.ndarray, y: np.ndarray, h: float = 1e-5,
                    loss_fn: Any = None, seed: int = 0,
                    max_entries: int | None = None) -> list[GradientCheck]:
    """Compare every parameter's gradient of the mean loss with finite differences.

    The network runs in training mode, so that dropout is checked as it trains: every
    evaluation of the loss draws its masks from a fresh generator seeded with ``seed``,
    hence the same masks — the function being differentiated stays one function.

    Args:
        network: a float64 network. X: (N, D) float64. y: (N,) labels.
        loss_fn: a loss layer (default: ``SoftmaxCrossEntropyLoss()``).
        max_entries: compare at most this many entries of an array, drawn at random
            (seeded), as CS231n's ``grad_check_sparse``; None: every entry.
    """
    loss_fn = SoftmaxCrossEntropyLoss() if loss_fn is None else loss_fn

    def loss() -> float:
        with network.training(np.random.default_rng(seed)):
            return loss_fn.forward(network.forward(X), y)[0]

    loss()
    network.backward(loss_fn.backward())  # with the masks of that forward pass
    pick = np.random.default_rng(seed)
    checks = []
    for i, layer in enumerate(network.layers):
        for name in layer.params:
            param = layer.params[name]
            entries = None
            if max_entries is not None and param.size > max_entries:
                flat = np.sort(pick.choice(param.size, max_entries, replace=False))
                entries = list(zip(*np.unravel_index(flat, param.shape), strict=True))
            analytic = layer.grads[name].copy()
            numeric = numerical_gradient(loss, param, h, entries)
            if entries is not None:
                rows = tuple(np.array(e) for e in zip(*entries, strict=True))
                analytic, numeric = analytic[rows], numeric[rows]
            checks.append(GradientCheck(f"layer{i}.{name}", relative_error(analytic, numeric),
                                        worst_entry_error(analytic, numeric), analytic.size,
                                        param.size))
    return checks


def random_problem(num_samples: int = 8, num_input: int | None = None, num_classes: int = 5,
                   hidden: Sequence[int] = (), activation: str = "relu",
                   seed: int = 0, architecture: str = "",
                   ) -> tuple[Network, np.ndarray, np.ndarray]:
    """A small float64 network and data for gradient checks: X (N, D), y (N,).

    ``num_input`` defaults to 20 features, or for an ``architecture`` with conv or pool
    layers the smallest images from 8×8 up that its layers leave something of.
    """
    if num_input is None:
        num_input = _input_size(parse_architecture(architecture), num_classes)
    rng = np.random.default_rng(seed)
    network = Network.build(num_input, num_classes, hidden, activation, seed=seed,
                            dtype=np.float64, architecture=architecture)
    for layer, name in network.parameters():  # non-zero biases exercise their gradient too
        if name == "b":
            layer.params["b"][:] = rng.normal(0, 0.1, layer.params["b"].shape)
    X = rng.normal(size=(num_samples, num_input))
    y = rng.integers(0, num_classes, num_samples)
    return network, X, y


def _input_size(specs: Sequence[LayerSpec], num_classes: int) -> int:
    """20 features, or S·S for the smallest S ≥ 8 whose images fit conv and pool ``specs``."""
    if not is_convolutional(specs):
        return 20
    for side in range(8, 4 * MAX_KERNEL):
        try:
            count_parameters(specs, side * side, num_classes)
            return side * side
        except ValueError:
            continue
    raise ValueError("no image size up to 127×127 fits these layers.")
