"""Stochastic gradient descent with momentum, as in the lab.

For every parameter p with gradient g, velocity v (starting at 0), learning rate η and
momentum μ:

    v = μ v + η g
    p = p − v                     (classical momentum; μ = 0 is plain SGD)
    p = p − (μ v + η g)           (Nesterov: look one step ahead)

L2 weight decay λ adds λ·W to the gradient of each weight matrix (not biases).
Option values are checked where they enter (``TrainConfig``); this is the update only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .network import Network


@dataclass
class Slot:
    """One trainable array, its gradient and its velocity, all updated in place."""

    param: np.ndarray
    grad: np.ndarray
    velocity: np.ndarray
    decays: bool  # weight decay applies (weight matrices, not biases)


class SGD:
    """SGD with optional (Nesterov) momentum and weight decay over all of a network's params.

    Args:
        network: whose ``parameters()`` are updated from the gradients ``backward`` left.
        learning_rate: η. momentum: μ (0 = plain SGD). nesterov: look-ahead momentum.
        weight_decay: λ, the L2 penalty on weight matrices.
    """

    def __init__(self, network: Network, learning_rate: float, momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.slots = [Slot(layer.params[name], layer.grads[name],
                           np.zeros_like(layer.params[name]), name == "W")
                      for layer, name in network.parameters()]

    def step(self) -> None:
        """Update every parameter from the gradients left by ``network.backward``."""
        lr, mu, wd = self.learning_rate, self.momentum, self.weight_decay
        for s in self.slots:
            p, g, v = s.param, s.grad, s.velocity
            if wd and s.decays:
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

    def state(self) -> dict[str, Any]:
        """What a checkpoint needs to continue: the learning rate and the velocities."""
        return {"learning_rate": self.learning_rate,
                "velocities": [s.velocity.copy() for s in self.slots]}

    def load_state(self, state: dict[str, Any]) -> None:
        """Take back a :meth:`state` of an optimizer over the same network."""
        self.learning_rate = float(state["learning_rate"])
        for s, saved in zip(self.slots, state["velocities"], strict=True):
            s.velocity[...] = saved
