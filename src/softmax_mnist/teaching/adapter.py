"""The student's classes driving our Solver: the course interface behind its contract.

The course fuses the model and the loss in one object, ``SoftmaxCrossEntropyLoss``,
whose ``forward(Input, labels)`` computes the scores itself. Against the Solver's
contract (``training/solver.py``) that becomes

    network.forward(x)        -> x, unchanged (the course object scores it itself)
    loss.forward(x, y)        -> student.forward(x, y): (loss, acc · N correct)
    loss.backward()           -> student.gradient_computing()
    optimizer.step()          -> student's SGD.step(); ``learning_rate`` is the SGD's own

and the rest — data, batches, shuffling, decay, early stopping, checkpoints, curves —
stays ours. The run starts from our seeded initial weights (written into the student's
W and b), so that it is reproducible and differs from our implementation only by the
student's code. After training, :meth:`CourseNetwork.to_network` copies W and b into one
of our networks, which saves, evaluates and predicts like any other.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..model import ModelSpec
from ..nn import Network
from ..nn.network import EVAL_BATCH
from ..training import TrainConfig
from .student import CourseClasses, load_course


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


class CourseNetwork:
    """The network protocol of the Solver around a student's ``SoftmaxCrossEntropyLoss``."""

    def __init__(self, model: Any, num_classes: int):
        self.model, self.num_classes = model, num_classes

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> x: the course object computes its scores in its own forward."""
        return x

    def backward(self, grad: None) -> None:
        """Nothing to do: ``CourseLoss.backward`` had the student compute grad_W, grad_b."""

    def get_weights(self) -> list[np.ndarray]:
        return [np.array(self.model.W, copy=True), np.array(self.model.b, copy=True)]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Write W and b into the student's arrays, in place (their SGD may hold them)."""
        W, b = weights
        self.model.W[...] = W
        self.model.b[...] = np.reshape(b, np.shape(self.model.b))

    def evaluate(self, X: np.ndarray, y: np.ndarray, features: Any = None,
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

    def to_network(self) -> Network:
        """One of our linear networks (float32) holding the student's W and b."""
        W = np.asarray(self.model.W)
        network = Network.build(W.shape[0], W.shape[1], ())
        network.set_weights([W, np.reshape(self.model.b, -1)])
        return network


class CourseLoss:
    """The loss protocol of the Solver: the student's ``forward`` and
    ``gradient_computing``."""

    def __init__(self, model: Any):
        self.model = model

    def forward(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """-> (mean loss, number correct): the course's accuracy is a fraction.

        Floating-point warnings are silenced: a run that overflows shows as diverged."""
        with np.errstate(all="ignore"):
            loss, acc = self.model.forward(x, y)
        return float(loss), float(acc) * len(y)

    def backward(self) -> None:
        """The student's gradient_computing sets model.grad_W and model.grad_b."""
        with np.errstate(all="ignore"):
            self.model.gradient_computing()


class CourseOptimizer:
    """The optimizer protocol of the Solver around a student's ``SGD``.

    ``learning_rate`` is the SGD's own attribute (the Solver decays it). ``state`` keeps
    the SGD's array and number attributes — velocities included, when they live in the
    SGD as in the course template — so an interrupted run resumes.
    """

    def __init__(self, sgd: Any):
        self.sgd = sgd

    @property
    def learning_rate(self) -> float:
        return float(self.sgd.learning_rate)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.sgd.learning_rate = value

    def step(self) -> None:
        self.sgd.step()

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


@dataclass(frozen=True)
class CourseParts:
    """The student's objects, ready for ``Solver(network, …, loss=, optimizer=)``."""

    classes: CourseClasses
    network: CourseNetwork
    loss: CourseLoss
    optimizer: CourseOptimizer


def course_parts(impl: str | os.PathLike[str], initial: Network, config: TrainConfig,
                 ) -> CourseParts:
    """Build the student's model (holding ``initial``'s weights) and SGD from folder ``impl``.

    ``initial`` must be a linear network (one FCLayer): the course's model is.
    """
    classes = load_course(impl)
    refuse_unsupported(ModelSpec(), config)
    num_input, num_classes = initial.num_inputs, initial.num_classes
    model = classes.loss(num_input, num_classes)
    network = CourseNetwork(model, num_classes)
    network.set_weights(initial.get_weights())
    sgd = classes.sgd(model, config.learning_rate, config.momentum)
    return CourseParts(classes, network, CourseLoss(model), CourseOptimizer(sgd))
