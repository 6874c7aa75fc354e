"""Lab 2's math in plain NumPy (float64): what every judge compares with.

For a batch X: (N, D), one-hot targets Y: (N, C), an FC layer z = X W + b with W: (D, M),
b: (1, M), and the gradient δ = ∂L/∂z: (N, M) arriving from above:

    ∂L/∂W = Xᵀ δ,    ∂L/∂b = Σ_rows δ,    ∂L/∂X = δ Wᵀ
    ReLU:     y = max(0, x),          ∂L/∂x = δ · [x > 0]
    sigmoid:  y = σ(x) = 1/(1+e⁻ˣ),   ∂L/∂x = δ · y (1 − y)
    softmax cross-entropy:  L = −1/N Σ_n Σ_c Y log ŷ,   ∂L/∂z = (ŷ − Y)/N
    Euclidean:              L = 1/(2N) Σ_n ‖z_n − Y_n‖², ∂L/∂z = (z − Y)/N
    SGD with weight decay λ:  W ← W − η (∂L/∂W + λ W),   b ← b − η ∂L/∂b

Where the 1/N sits is the student's choice (the loss's backward, or the FC layer's);
only the composition must be the gradient of the mean loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * x))  # = 1/(1+e⁻ˣ), without overflow


def log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy(z: np.ndarray, Y: np.ndarray) -> float:
    return float(-(Y * log_softmax(z)).sum() / len(z))


def euclidean(z: np.ndarray, Y: np.ndarray) -> float:
    return float(0.5 * ((z - Y) ** 2).sum() / len(z))


def accuracy(z: np.ndarray, Y: np.ndarray) -> float:
    return float(np.mean(z.argmax(axis=1) == Y.argmax(axis=1)))


LOSS_FUNCTIONS = {"cross-entropy": cross_entropy, "mse": euclidean}


def loss_gradient(loss: str, z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """∂L/∂z of the mean loss: (ŷ − Y)/N or (z − Y)/N."""
    e = np.exp(log_softmax(z)) if loss == "cross-entropy" else z
    return (e - Y) / len(z)


@dataclass(frozen=True)
class Dense:
    """One FC layer's parameters, W: (D, M) and b: (1, M)."""

    W: np.ndarray
    b: np.ndarray


def mlp_forward(layers: Sequence[Dense], activation: str, X: np.ndarray) -> list[np.ndarray]:
    """The inputs of each FC layer and the logits: [X, h1, …, z]."""
    act = sigmoid if activation == "sigmoid" else (lambda a: np.maximum(a, 0))
    outs = [X]
    for i, layer in enumerate(layers):
        z = outs[-1] @ layer.W + layer.b
        outs.append(act(z) if i < len(layers) - 1 else z)
    return outs


def mlp_gradients(layers: Sequence[Dense], activation: str, loss: str, X: np.ndarray,
                  Y: np.ndarray) -> list[Dense]:
    """∂L/∂W and ∂L/∂b of every FC layer (as Dense), by backpropagation."""
    outs = mlp_forward(layers, activation, X)
    delta = loss_gradient(loss, outs[-1], Y)
    grads: list[Dense] = []
    for i in reversed(range(len(layers))):
        grads.insert(0, Dense(outs[i].T @ delta, delta.sum(axis=0, keepdims=True)))
        if i:
            h = outs[i]
            delta = (delta @ layers[i].W.T) * (h * (1 - h) if activation == "sigmoid"
                                               else (h > 0))
    return grads


def mlp_loss(layers: Sequence[Dense], activation: str, loss: str, X: np.ndarray,
             Y: np.ndarray) -> float:
    return LOSS_FUNCTIONS[loss](mlp_forward(layers, activation, X)[-1], Y)


def sgd_step(layer: Dense, grad: Dense, lr: float, weight_decay: float) -> Dense:
    return Dense(layer.W - lr * (grad.W + weight_decay * layer.W), layer.b - lr * grad.b)


def xavier_std(num_input: int, num_output: int, activation: str) -> float:
    """The course's init: √(2 / (D + M)), × √2 before a ReLU."""
    std = np.sqrt(2.0 / (num_input + num_output))
    return float(std * np.sqrt(2.0) if activation == "relu" else std)


def train_mlp(layers: list[Dense], activation: str, loss: str, X: np.ndarray,
              Y: np.ndarray, *, batch_size: int, epochs: int, lr: float,
              weight_decay: float, seed: int) -> list[Dense]:
    """Plain SGD with weight decay, shuffled batches: the end-to-end check's reference."""
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            grads = mlp_gradients(layers, activation, loss, X[rows], Y[rows])
            layers = [sgd_step(p, g, lr, weight_decay) for p, g in zip(layers, grads,
                                                                       strict=True)]
    return layers
