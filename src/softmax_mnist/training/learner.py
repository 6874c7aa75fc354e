"""The Learner: what the Solver trains, whatever holds the weights and does the math.

The Solver owns the data, the batches, shuffling, decay, early stopping, checkpoints and
callbacks; a :class:`Learner` owns the model, its loss and its update rule. One step:

    loss, correct = learner.train_step(x, y)   # forward, loss, backward, update

:class:`NetworkLearner` is ours: a :class:`~softmax_mnist.nn.Network`, a loss of
``nn.LOSSES`` and SGD or Adam. Another implementation — the course's
``SoftmaxCrossEntropyLoss`` and ``SGD`` written by a student
(:mod:`softmax_mnist.teaching.adapter`), lab 2's layered network — keeps the same
contract and trains through the same loop. A :data:`LearnerFactory` builds a learner from
the seeded initial network and the config, so that every implementation starts from the
same weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import numpy as np

from ..nn import LOSSES, SGD, Adam, Network
from ..nn._fast import training_threads
from .config import TrainConfig


class Learner(Protocol):
    """What the Solver needs of the thing it trains.

    Attributes:
        num_classes: C, the number of classes (the loss of a uniform guess is ln C).
        learning_rate: η of the next step; the Solver multiplies it by ``lr_decay``
            after every epoch.

    Methods:
        train_step(x, y) -> (loss, correct): one update on a batch x: (B, D) network
            inputs, y: (B,) labels; the batch's mean loss and its number of correct
            predictions. When the loss is not finite the weights are left as they were.
        training(rng): a context in which ``train_step`` trains (dropout drops, with
            masks from ``rng``); evaluation outside it is deterministic.
        evaluate(X, y, features) -> (mean loss, accuracy) over any number of rows, in
            evaluation mode; ``features`` maps a batch of X's rows to network inputs.
        get_weights() / set_weights(weights): copies of the parameters as a list of
            arrays, and writing such a list back in place (snapshots, restore-best).
        state() / load_state(state): the update rule's state (velocities, moments,
            η) as a dict of arrays and numbers, for checkpoints; list values are arrays.
        threads(batch_size, available) -> (BLAS threads, worker threads): the threads
            worth waking for batches of ``batch_size``, each at most ``available``.
        to_network(): the trained model as one of our Networks, to save, evaluate and
            predict.
    """

    num_classes: int
    learning_rate: float

    def train_step(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]: ...

    def training(self, rng: np.random.Generator) -> AbstractContextManager[None]: ...

    def evaluate(self, X: np.ndarray, y: np.ndarray,
                 features: Callable[[np.ndarray], np.ndarray] | None = None,
                 ) -> tuple[float, float]: ...

    def get_weights(self) -> list[np.ndarray]: ...

    def set_weights(self, weights: Sequence[np.ndarray]) -> None: ...

    def state(self) -> dict[str, Any]: ...

    def load_state(self, state: dict[str, Any]) -> None: ...

    def threads(self, batch_size: int, available: int) -> tuple[int, int]: ...

    def to_network(self) -> Network: ...


LearnerFactory = Callable[[Network, TrainConfig], Learner]
"""Builds the learner of a run from its seeded initial network and its config."""


def make_optimizer(network: Network, config: TrainConfig) -> SGD | Adam:
    """The optimizer ``config.optimizer`` names, over ``network``'s parameters: SGD with
    the config's momentum, Nesterov and weight decay, or Adam with β₁ = momentum."""
    c = config
    if c.optimizer == "adam":
        return Adam(network, c.learning_rate, beta1=c.momentum, weight_decay=c.weight_decay)
    return SGD(network, c.learning_rate, c.momentum, c.nesterov, c.weight_decay)


class NetworkLearner:
    """Our network with a loss and an optimizer over its parameters.

    Args:
        network: trained in place.
        loss: ``forward(logits, y) -> (mean loss, number correct)`` and
            ``backward() -> ∂L/∂logits`` (the losses of ``nn.LOSSES``).
        optimizer: ``step()`` over the network's gradients, a ``learning_rate``
            attribute, ``state()`` / ``load_state(state)`` (``nn.SGD``, ``nn.Adam``).

    ``NetworkLearner.from_config(network, config)`` takes both from a TrainConfig.
    """

    def __init__(self, network: Network, loss: Any, optimizer: Any):
        self.network, self.loss, self.optimizer = network, loss, optimizer

    @classmethod
    def from_config(cls, network: Network, config: TrainConfig) -> NetworkLearner:
        """The config's ``loss`` and ``optimizer`` (with its η, momentum, decay …)."""
        return cls(network, LOSSES[config.loss](), make_optimizer(network, config))

    @property
    def num_classes(self) -> int:
        return self.network.num_classes

    @property
    def learning_rate(self) -> float:
        return self.optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.optimizer.learning_rate = value

    def train_step(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        loss, correct = self.loss.forward(self.network.forward(x), y)
        if math.isfinite(loss):
            self.network.backward(self.loss.backward())
            self.optimizer.step()
        return loss, correct

    def training(self, rng: np.random.Generator) -> AbstractContextManager[None]:
        return self.network.training(rng)

    def evaluate(self, X: np.ndarray, y: np.ndarray,
                 features: Callable[[np.ndarray], np.ndarray] | None = None,
                 ) -> tuple[float, float]:
        return self.network.evaluate(X, y, features)

    def get_weights(self) -> list[np.ndarray]:
        return self.network.get_weights()

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        self.network.set_weights(weights)

    def state(self) -> dict[str, Any]:
        return self.optimizer.state()

    def load_state(self, state: dict[str, Any]) -> None:
        self.optimizer.load_state(state)

    def threads(self, batch_size: int, available: int) -> tuple[int, int]:
        """BLAS on one thread for softmax regression's small products (waking a second
        costs more than it saves), on more for an MLP's large ones; a CNN on worker
        threads of its own (:func:`~..nn._fast.training_threads`)."""
        return training_threads(self.network.layers, batch_size, available)

    def to_network(self) -> Network:
        return self.network

