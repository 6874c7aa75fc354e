"""The student's lab-2 classes driving our Solver: the course's MLP behind its contract.

    network.forward(x)    -> the student's Network.forward(x) (FCLayer, ReLULayer/SigmoidLayer …)
    network.backward(g)   -> Network.backward(g): every FCLayer sets grad_W, grad_b
    loss.forward(z, y)    -> the student's loss layer on one-hot gt: (loss, number correct)
    loss.backward()       -> its backward(): the gradient for the logits
    optimizer.step()      -> the student's SGD(learningRate, weightDecay).step(model)

Data, batches, shuffling, decay, early stopping and curves stay ours. The run starts from
our seeded initial weights (written into the student's W and b), so that it is
reproducible and differs from ours only by the student's code. After training,
:meth:`CourseMLP.to_network` copies the weights into one of our networks, which saves,
evaluates and predicts like any other. (A small seam, close to the Learner of
``training/``: step = forward, loss, backward, step; evaluate; get/set weights; state;
learning rate.) :class:`Lab2Learner` is the Learner of ``training/`` over these parts;
:func:`lab2_learner` its factory for ``runner.train(…, learner=)``.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
from typing import Any

import numpy as np

from ...errors import ConfigError
from ...model import ModelSpec
from ...nn import Network
from ...nn.network import EVAL_BATCH
from ...training import LearnerFactory, NetworkLearner, TrainConfig
from . import reference as ref
from .course import load_classes

ACTIVATION_CLASSES = {"relu": "ReLULayer", "sigmoid": "SigmoidLayer"}
LOSS_CLASSES = {"cross-entropy": "SoftmaxCrossEntropyLossLayer", "mse": "EuclideanLossLayer"}


def lab2_unsupported(spec: ModelSpec, config: TrainConfig) -> str:
    """What the course's lab-2 classes cannot train in this setting ('' if nothing)."""
    missing = []
    if spec.layers:
        missing.append("convolutions or dropout (--layers)")
    if not spec.hidden:
        missing.append("a network without hidden layers (lab 1's model: drop --lab 2)")
    if spec.activation not in ACTIVATION_CLASSES:
        missing.append(f"the {spec.activation} activation")
    if config.momentum or config.nesterov:
        missing.append("momentum (the course's SGD has none: --momentum 0)")
    if config.optimizer != "sgd":
        missing.append(f"the {config.optimizer} optimizer")
    return "; ".join(missing)


def refuse_lab2_unsupported(spec: ModelSpec, config: TrainConfig) -> None:
    what = lab2_unsupported(spec, config)
    if what:
        raise ConfigError("{impl} with --lab 2 trains the student's FCLayer, ReLULayer or "
                          "SigmoidLayer, loss layers and SGD(learningRate, weightDecay), "
                          f"which have no {what}.", params=("impl",))


class CourseMLP:
    """The network protocol of the Solver around the student's ``Network`` of FC layers."""

    def __init__(self, classes: dict[str, type], sizes: tuple[int, ...], activation: str):
        self.sizes, self.activation = sizes, activation
        self.model = classes["Network"]()
        self.fc: list[Any] = []
        for i, (a, b) in enumerate(itertools.pairwise(sizes)):
            fc = classes["FCLayer"](a, b, activation)
            self.model.add(fc)
            self.fc.append(fc)
            if i < len(sizes) - 2:
                self.model.add(classes[ACTIVATION_CLASSES[activation]]())

    @property
    def num_classes(self) -> int:
        return self.sizes[-1]

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self.model.forward(x)

    def backward(self, grad: np.ndarray) -> None:
        with np.errstate(all="ignore"):
            self.model.backward(grad)

    def get_weights(self) -> list[np.ndarray]:
        """[W1, b1, W2, b2 …] as our networks hold them (b of shape (M,))."""
        out = []
        for fc in self.fc:
            out += [np.array(fc.W, copy=True), np.array(fc.b, copy=True).reshape(-1)]
        return out

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Write the weights into the student's arrays, in place when they fit (b in the
        student's own shape, (1, M) or (M,))."""
        for fc, (W, b) in zip(self.fc, zip(weights[::2], weights[1::2], strict=True),
                              strict=True):
            for name, value in (("W", W), ("b", b)):
                own = getattr(fc, name, None)
                if isinstance(own, np.ndarray) and own.size == value.size and \
                        np.issubdtype(own.dtype, np.floating):
                    own[...] = np.reshape(value, own.shape)
                else:
                    setattr(fc, name, np.array(value, dtype=np.float64).reshape(
                        (1, -1) if name == "b" else value.shape))

    def evaluate(self, X: np.ndarray, y: np.ndarray, features: Any = None,
                 ) -> tuple[float, float]:
        """Mean cross-entropy and accuracy of the student's forward, as our networks
        report them (whatever loss trains), in batches of EVAL_BATCH."""
        loss_sum = hits = 0.0
        for i in range(0, len(X), EVAL_BATCH):
            xb, yb = X[i:i + EVAL_BATCH], y[i:i + EVAL_BATCH]
            z = np.asarray(self.forward(xb if features is None else features(xb)),
                           dtype=np.float64)
            loss_sum += ref.cross_entropy(z, np.eye(self.num_classes)[yb]) * len(xb)
            hits += float(np.sum(z.argmax(axis=1) == yb))
        return loss_sum / len(X), hits / len(X)

    def to_network(self) -> Network:
        """One of our MLPs (float32) holding the student's weights; a weight beyond
        float32's range (a diverged run's) becomes NaN, which evaluates to NaN without
        NumPy's overflow warnings."""
        network = Network.build(self.sizes[0], self.sizes[-1], self.sizes[1:-1],
                                self.activation)
        limit = np.finfo(np.float32).max
        network.set_weights([np.where(np.abs(w) <= limit, w, np.nan)
                             for w in self.get_weights()])
        return network


class CourseLossLayer:
    """The loss protocol of the Solver: the student's loss layer on one-hot targets."""

    def __init__(self, layer: Any, num_classes: int):
        self.layer, self.eye = layer, np.eye(num_classes)

    def forward(self, logits: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        """-> (the student's loss, the number of rows whose largest logit is the label)."""
        with np.errstate(all="ignore"):
            loss = self.layer.forward(logits, self.eye[y])
        return float(np.asarray(loss).reshape(())), int(np.sum(
            np.asarray(logits).argmax(axis=1) == y))

    def backward(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self.layer.backward()


class CourseWeightDecaySGD:
    """The optimizer protocol of the Solver around the student's ``SGD``; the learning
    rate is its ``learningRate`` (the Solver decays it), the state its two numbers."""

    def __init__(self, sgd: Any, network: CourseMLP):
        self.sgd, self.network = sgd, network

    @property
    def learning_rate(self) -> float:
        return float(self.sgd.learningRate)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.sgd.learningRate = value

    def step(self) -> None:
        with np.errstate(all="ignore"):
            self.sgd.step(self.network.model)

    def state(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "velocities": [],
                "attributes": {"weightDecay": float(self.sgd.weightDecay)}}

    def load_state(self, state: dict[str, Any]) -> None:
        self.sgd.weightDecay = state["attributes"]["weightDecay"]
        self.learning_rate = float(state["learning_rate"])


class Lab2Learner(NetworkLearner):
    """The Learner protocol (:mod:`softmax_mnist.training.learner`) around the student's
    network (:class:`CourseMLP`), loss layer and SGD: one step is their forward, loss,
    backward and step, as our :class:`~softmax_mnist.training.NetworkLearner`'s.

    Floating-point warnings in the student's code are silenced: a run that overflows
    shows as diverged.
    """

    network: CourseMLP

    def training(self, rng: np.random.Generator) -> contextlib.AbstractContextManager[None]:
        """The course's MLP has no dropout: training and evaluation are alike."""
        return contextlib.nullcontext()

    def threads(self, batch_size: int, available: int) -> tuple[int, int]:
        """One BLAS thread, no workers: the student's float64 products are the course's
        small ones (B × 784 × 128)."""
        return 1, 1

    def to_network(self) -> Network:
        return self.network.to_network()


def start_lab2_learner(impl: Any, spec: ModelSpec, initial: Network, config: TrainConfig,
                       ) -> Lab2Learner:
    """The student's Network (holding ``initial``'s weights), loss layer and SGD from
    folder ``impl``, for ``spec`` (hidden sizes, activation) and ``config`` (loss,
    learning rate, weight decay)."""
    refuse_lab2_unsupported(spec, config)
    classes = load_classes(impl)
    sizes = (initial.num_inputs, *spec.hidden, initial.num_classes)
    network = CourseMLP(classes, sizes, spec.activation)
    network.set_weights(initial.get_weights())
    loss = CourseLossLayer(classes[LOSS_CLASSES[config.loss]](), initial.num_classes)
    sgd = classes["SGD"](config.learning_rate, config.weight_decay)
    return Lab2Learner(network, loss, CourseWeightDecaySGD(sgd, network))


def lab2_learner(impl: Any, spec: ModelSpec) -> LearnerFactory:
    """The LearnerFactory of ``runner.train(…, learner=)`` for the lab-2 classes in
    ``impl`` and ``spec``'s hidden layers and activation."""
    return functools.partial(start_lab2_learner, impl, spec)
