"""Stochastic gradient descent with momentum, as in the lab.

For every parameter p with gradient g, velocity v (starting at 0), learning
rate η and momentum μ:

    v = μ v + η g
    p = p − v                     (classical momentum; μ = 0 is plain SGD)
    p = p − (μ v + η g)           (Nesterov: look one step ahead)

L2 weight decay λ adds λ·W to the gradient of each weight matrix (not biases).
"""

from __future__ import annotations

import math

import numpy as np

from .errors import ConfigError
from .model import Network


class SGD:
    """SGD with optional (Nesterov) momentum and weight decay over all of a network's params."""

    def __init__(self, network: Network, learning_rate: float, momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        check_hyperparameters(learning_rate, momentum, weight_decay)
        if nesterov and momentum == 0:
            raise ConfigError("Nesterov momentum needs --momentum > 0.")
        self.network = network
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        # (param, grad, velocity, decays?) bound once: the arrays are updated in place
        self.slots = [(layer.params[name], layer.grads[name],
                       np.zeros_like(layer.params[name]), name == "W")
                      for layer, name in network.parameters()]

    @property
    def velocity(self) -> list[np.ndarray]:
        return [v for _, _, v, _ in self.slots]

    def step(self) -> None:
        """Update every parameter from the gradients left by ``network.backward``."""
        lr, mu, wd = self.learning_rate, self.momentum, self.weight_decay
        for p, g, v, decays in self.slots:
            if wd and decays:
                g = g + wd * p
            if mu == 0:
                p -= lr * g
            elif self.nesterov:
                v *= mu
                v += lr * g
                p -= mu * v + lr * g
            else:
                v *= mu
                v += lr * g  # v = μ v + η g
                p -= v


def check_hyperparameters(learning_rate: float, momentum: float, weight_decay: float) -> None:
    """Raise ConfigError naming the allowed range for any value outside it."""
    if not (isinstance(learning_rate, int | float) and math.isfinite(learning_rate)
            and learning_rate > 0):
        raise ConfigError(f"learning rate must be a number > 0 (try 0.1), got {learning_rate}.")
    if not 0 <= momentum < 1:
        raise ConfigError(f"momentum must be in [0, 1) (0 = plain SGD, 0.9 is usual), "
                          f"got {momentum}.")
    if not (math.isfinite(weight_decay) and weight_decay >= 0):
        raise ConfigError(f"weight decay must be ≥ 0 (0 = off, try 1e-4), got {weight_decay}.")
