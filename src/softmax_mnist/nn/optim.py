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

from ._threads import parallel
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


@dataclass
class AdamSlot:
    """One trainable array, its gradient and Adam's two running means, updated in place."""

    param: np.ndarray
    grad: np.ndarray
    mean: np.ndarray  # m: the running mean of the gradient
    square: np.ndarray  # v: the running mean of its square
    step: np.ndarray  # buffers for the update (no array is made per update) …
    decayed: np.ndarray  # … and for g + λ W
    decays: bool  # weight decay applies (weight matrices and kernels, not biases)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """(param, grad, mean, square, step, decayed), in :meth:`Adam._update`'s order."""
        return self.param, self.grad, self.mean, self.square, self.step, self.decayed

    def flat(self) -> list[np.ndarray] | None:
        """The arrays as flat views, entry for entry (None unless all are contiguous in
        the same order)."""
        arrays = self.arrays()
        for order, flag in (("C", "C_CONTIGUOUS"), ("F", "F_CONTIGUOUS")):
            if all(a.flags[flag] for a in arrays):
                return [a.reshape(-1, order=order) for a in arrays]
        return None


SPLIT_SIZE = 1 << 16  # entries of a parameter from which Adam splits it among workers


class Adam:
    """Adam (Kingma & Ba, 2015): per-parameter steps from running means of the gradient.

    For every parameter p with gradient g (plus λ p for weights, with weight decay λ),
    after t steps:

        m = β₁ m + (1 − β₁) g            v = β₂ v + (1 − β₂) g²
        m̂ = m / (1 − β₁ᵗ)               v̂ = v / (1 − β₂ᵗ)          (m and v start at 0)
        p = p − η m̂ / (√v̂ + ε)

    The step is about η in every direction whatever the gradient's scale, which is why
    Adam's usual η is 0.001 rather than SGD's 0.1. β₁ plays the part of SGD's momentum.

    Args:
        network: whose ``parameters()`` are updated from the gradients ``backward`` left.
        learning_rate: η. beta1, beta2: β₁ and β₂. eps: ε. weight_decay: λ (L2, added to
        the gradient of weight matrices, as in the paper; not AdamW's decoupled decay).
    """

    def __init__(self, network: Network, learning_rate: float = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0):
        self.learning_rate = learning_rate
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.weight_decay = weight_decay
        self.steps = 0  # t
        self.slots = [AdamSlot(p, layer.grads[name], np.zeros_like(p), np.zeros_like(p),
                               np.empty_like(p), np.empty_like(p), name == "W")
                      for layer, name in network.parameters() for p in [layer.params[name]]]

    def step(self) -> None:
        """Update every parameter from the gradients left by ``network.backward``
        (in place, through one buffer per parameter; the gradients are left as they were).

        Every entry is updated on its own, so a large parameter is split among the
        worker threads (``_threads.parallel``, as a convolutional network trains): the
        same numbers on any number of them."""
        self.steps += 1
        b1, b2 = self.beta1, self.beta2
        # η m̂ / (√v̂ + ε) = η_t m / (√v + ε √(1 − β₂ᵗ)) with η_t = η √(1 − β₂ᵗ) / (1 − β₁ᵗ)
        root = np.sqrt(1 - b2 ** self.steps)
        lr_t = self.learning_rate * root / (1 - b1 ** self.steps)
        eps_t = self.eps * root
        for s in self.slots:
            flat = s.flat() if s.param.size >= SPLIT_SIZE else None
            if flat is None:
                self._update(s.decays, *s.arrays(), lr_t=lr_t, eps_t=eps_t)
            else:
                parallel(lambda a, b, flat=flat, s=s: self._update(
                    s.decays, *(x[a:b] for x in flat), lr_t=lr_t, eps_t=eps_t),
                    s.param.size)

    def _update(self, decays: bool, p: np.ndarray, g: np.ndarray, m: np.ndarray,
                v: np.ndarray, step: np.ndarray, decayed: np.ndarray, *, lr_t: float,
                eps_t: float) -> None:
        """One Adam step of the entries p, from their gradients g, means m and v, through
        the buffers ``step`` and ``decayed`` (all of one shape)."""
        b1, b2, wd = self.beta1, self.beta2, self.weight_decay
        if wd and decays:
            np.multiply(p, wd, out=decayed)
            decayed += g
            g = decayed  # g + λ W
        m *= b1
        np.multiply(g, 1 - b1, out=step)
        m += step  # m = β₁ m + (1 − β₁) g
        v *= b2
        np.square(g, out=step)
        step *= 1 - b2
        v += step  # v = β₂ v + (1 − β₂) g²
        np.sqrt(v, out=step)
        step += eps_t
        np.divide(m, step, out=step)
        step *= lr_t
        p -= step

    def state(self) -> dict[str, Any]:
        """What a checkpoint needs to continue: η, t and both running means."""
        return {"learning_rate": self.learning_rate, "steps": self.steps,
                "means": [s.mean.copy() for s in self.slots],
                "squares": [s.square.copy() for s in self.slots]}

    def load_state(self, state: dict[str, Any]) -> None:
        """Take back a :meth:`state` of an optimizer over the same network."""
        self.learning_rate = float(state["learning_rate"])
        self.steps = int(state["steps"])
        for s, mean, square in zip(self.slots, state["means"], state["squares"], strict=True):
            s.mean[...] = mean
            s.square[...] = square
