"""The student's classes driving our Solver: the course interface as a Learner.

The course fuses the model and the loss in one object, ``SoftmaxCrossEntropyLoss``,
whose ``forward(Input, labels)`` computes the scores itself. Against the Learner
protocol (:mod:`softmax_mnist.training.learner`) that becomes

    learner.train_step(x, y)  -> student.forward(x, y): (loss, acc · N correct), then
                                 student.gradient_computing() and their SGD.step()
    learner.learning_rate     -> the SGD's own ``learning_rate`` (the Solver decays it)
    learner.state()           -> the SGD's arrays and numbers (velocities included)

and the rest — data, batches, shuffling, decay, early stopping, checkpoints, curves —
stays ours. The run starts from our seeded initial weights (written into the student's
W and b), so that it is reproducible and differs from our implementation only by the
student's code. After training, :meth:`CourseLearner.to_network` copies W and b into one
of our networks, which saves, evaluates and predicts like any other.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..model import ModelSpec
from ..nn import Network
from ..nn.network import EVAL_BATCH
from ..training import LearnerFactory, TrainConfig
from .student import load_course


def unsupported(layers: str, config: TrainConfig) -> str:
    """What the course interface cannot train in this setting ('' if nothing); ``layers``
    is the network's hidden layers as text (``ModelSpec.architecture``)."""
    missing = []
    if layers:
        missing.append("hidden layers")
    if config.nesterov:
        missing.append("Nesterov momentum")
    if config.weight_decay:
        missing.append("weight decay")
    if config.optimizer != "sgd":
        missing.append(f"{config.optimizer} optimizer")
    if config.loss != "cross-entropy":
        missing.append(f"{config.loss} loss")
    return " and ".join(missing)


def refuse_unsupported(spec: ModelSpec, config: TrainConfig) -> None:
    """A ConfigError naming the options the course interface cannot train."""
    flags = [p for p, on in (("hidden", spec.hidden), ("layers", spec.layers),
                             ("nesterov", config.nesterov),
                             ("weight_decay", config.weight_decay),
                             ("optimizer", config.optimizer != "sgd"),
                             ("loss", config.loss != "cross-entropy")) if on]
    if flags:
        raise ConfigError(
            "{impl} trains the course's model, SoftmaxCrossEntropyLoss (W and b only) with "
            "SGD(model, learning_rate, momentum), which has no "
            f"{unsupported(spec.architecture, config)}: drop "
            + " and ".join("{" + f + "}" for f in flags) + ", or drop {impl}.",
            params=("impl", *flags))


def set_course_weights(model: Any, weights: Sequence[np.ndarray]) -> None:
    """Write [W, b] into a course ``SoftmaxCrossEntropyLoss``'s arrays, in place (the
    student's SGD may hold them)."""
    W, b = weights
    model.W[...] = W
    model.b[...] = np.reshape(b, np.shape(model.b))


class CourseLearner:
    """The Learner protocol around a student's ``SoftmaxCrossEntropyLoss`` and ``SGD``.

    Args:
        model: ``SoftmaxCrossEntropyLoss(num_input, num_output)``: W (D, C), b, and
            ``forward(Input, labels) -> (loss, accuracy)``, ``gradient_computing()``.
        sgd: ``SGD(model, learning_rate, momentum)`` with ``step()``; its
            ``learning_rate`` is the one the Solver decays.

    Floating-point warnings in the student's code are silenced: a run that overflows
    shows as diverged.
    """

    def __init__(self, model: Any, sgd: Any):
        self.model, self.sgd = model, sgd
        self.num_classes = int(np.shape(model.W)[1])

    @property
    def learning_rate(self) -> float:
        return float(self.sgd.learning_rate)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.sgd.learning_rate = value

    def train_step(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """-> (mean loss, number correct): the course's accuracy is a fraction."""
        with np.errstate(all="ignore"):
            loss, acc = self.model.forward(x, y)
            loss = float(loss)
            if math.isfinite(loss):
                self.model.gradient_computing()  # sets model.grad_W and model.grad_b
                self.sgd.step()
        return loss, float(acc) * len(y)

    def training(self, rng: np.random.Generator) -> contextlib.AbstractContextManager[None]:
        """The course's model has no dropout: training and evaluation are alike."""
        return contextlib.nullcontext()

    def evaluate(self, X: np.ndarray, y: np.ndarray,
                 features: Callable[[np.ndarray], np.ndarray] | None = None,
                 ) -> tuple[float, float]:
        """Mean loss and accuracy by the student's ``forward``, in batches of EVAL_BATCH."""
        loss_sum = hits = 0.0
        for i in range(0, len(X), EVAL_BATCH):
            xb = X[i:i + EVAL_BATCH]
            with np.errstate(all="ignore"):
                loss, acc = self.model.forward(xb if features is None else features(xb),
                                               y[i:i + EVAL_BATCH])
            n = len(xb)
            loss_sum += float(loss) * n
            hits += float(acc) * n
        return loss_sum / len(X), hits / len(X)

    def get_weights(self) -> list[np.ndarray]:
        return [np.array(self.model.W, copy=True), np.array(self.model.b, copy=True)]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        set_course_weights(self.model, weights)

    def state(self) -> dict[str, Any]:
        """``attributes``: copies of the SGD's storable attributes; ``velocities``: the
        arrays among them (what a checkpoint's validation looks at)."""
        kept = {k: copy.deepcopy(v) for k, v in vars(self.sgd).items() if _storable(v)}
        return {"learning_rate": self.learning_rate, "velocities": _arrays(kept),
                "attributes": kept}

    def load_state(self, state: dict[str, Any]) -> None:
        for name, value in state["attributes"].items():
            setattr(self.sgd, name, copy.deepcopy(value))
        self.learning_rate = float(state["learning_rate"])

    def threads(self, batch_size: int, available: int) -> tuple[int, int]:
        """One BLAS thread, no workers: the course model's products (B × 784 × 10) are
        small."""
        return 1, 1

    def to_network(self) -> Network:
        """One of our linear networks (float32) holding the student's W and b."""
        W = np.asarray(self.model.W)
        network = Network.build(W.shape[0], W.shape[1], ())
        network.set_weights([W, np.reshape(self.model.b, -1)])
        return network


def start_course_learner(impl: str | os.PathLike[str], initial: Network,
                         config: TrainConfig) -> CourseLearner:
    """The student's model (holding ``initial``'s weights) and SGD from folder ``impl``.

    ``initial`` must be a linear network (one FCLayer): the course's model is.
    """
    refuse_unsupported(ModelSpec(layers=initial.architecture), config)
    classes = load_course(impl)
    model = classes.loss(initial.num_inputs, initial.num_classes)
    set_course_weights(model, initial.get_weights())
    return CourseLearner(model, classes.sgd(model, config.learning_rate, config.momentum))


def course_learner(impl: str | os.PathLike[str]) -> LearnerFactory:
    """The LearnerFactory of ``fit_network(…, learner=)`` for the classes in ``impl``."""
    return functools.partial(start_course_learner, impl)


def _storable(value: Any) -> bool:
    """Arrays and numbers, or dicts (string keys) and lists of them: what a checkpoint
    holds (the model the SGD points to is not one)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, np.ndarray | int | float):
        return True
    if isinstance(value, dict):
        return all(isinstance(k, str) and _storable(v) for k, v in value.items())
    return isinstance(value, list) and all(_storable(v) for v in value)


def _arrays(value: Any) -> list[np.ndarray]:
    """Every array in a structure of dicts and lists."""
    if isinstance(value, np.ndarray):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(
        value, list) else []
    return [a for v in items for a in _arrays(v)]
