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
    step: np.ndarray  # η g, the scaled gradient (a buffer: no array is made per update)
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
                           np.zeros_like(layer.params[name]),
                           np.empty_like(layer.params[name]), name == "W")
                      for layer, name in network.parameters()]

    def step(self) -> None:
        """Update every parameter from the gradients left by ``network.backward``.

        η g (and λ W) go into a buffer kept per parameter, so that the update makes no
        temporary arrays and leaves the gradients as they were.
        """
        lr, mu, wd = self.learning_rate, self.momentum, self.weight_decay
        for s in self.slots:
            p, v, step = s.param, s.velocity, s.step
            if wd and s.decays:
                np.multiply(p, wd, out=step)
                step += s.grad  # g + λ W
                step *= lr
            else:
                np.multiply(s.grad, lr, out=step)  # η g
            if mu == 0:
                p -= step
            elif self.nesterov:
                v *= mu
                v += step
                p -= mu * v + step
            else:
                v *= mu
                v += step  # v = μ v + η g
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
