"""The course interface done by us: what ``check`` compares a student's code against.

The lab's files, as the course hands them out (SPEC, "The course framework")::

    model = SoftmaxCrossEntropyLoss(num_input, num_output)  # W: (D, C), b: (C,)
    loss, acc = model.forward(Input, labels)      # Input: (N, D) float, labels: (N,) ints
    model.gradient_computing()                    # sets grad_W: (D, C), grad_b: (C,)
    SGD(model, learning_rate, momentum).step()    # v = μ v + η g;  W −= v  (b alike)

Two ways to compute loss and gradients, with the same numbers (CS231n's pair):

- :func:`softmax_loss_vectorized`: whole-batch matrix products, ∂L/∂W = Inputᵀ (ŷ − Y) / N;
- :func:`softmax_loss_naive`: a Python loop over the N samples, one row at a time — the
  easiest to derive and to read, and about 30× slower on a batch of 1,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..nn import log_softmax


@dataclass(frozen=True)
class LossAndGradients:
    """What one forward + gradient pass gives: mean loss, accuracy (a fraction in [0, 1]),
    grad_W: (D, C) and grad_b: (C,)."""

    loss: float
    accuracy: float
    grad_W: np.ndarray
    grad_b: np.ndarray


def softmax_loss_vectorized(W: np.ndarray, b: np.ndarray, X: np.ndarray,
                            y: np.ndarray) -> LossAndGradients:
    """Mean cross-entropy of softmax(X W + b) and its gradients, for the whole batch at once.

    W: (D, C), b: (C,) or (1, C), X: (N, D), y: (N,) integer labels.
    """
    n = len(y)
    z = X @ W + b.reshape(-1)
    log_p = log_softmax(z)  # the maximum of each row subtracted: finite for any z
    rows = np.arange(n)
    e = np.exp(log_p)
    e[rows, y] -= 1  # ŷ − Y
    e /= n
    return LossAndGradients(float(-log_p[rows, y].mean()), float((z.argmax(axis=1) == y).mean()),
                            X.T @ e, e.sum(axis=0))


def softmax_loss_naive(W: np.ndarray, b: np.ndarray, X: np.ndarray,
                       y: np.ndarray) -> LossAndGradients:
    """The same numbers as :func:`softmax_loss_vectorized`, one sample at a time.

    For each row x: (D,) with label k — scores s = x W + b, shifted by their maximum;
    log p = s − log Σ exp(s); loss −log p_k; ∂/∂s = p − one_hot(k); ∂/∂W = x ⊗ (p − one_hot(k)).
    """
    n, num_classes = len(y), W.shape[1]
    loss, correct = 0.0, 0
    grad_W, grad_b = np.zeros(W.shape), np.zeros(num_classes)
    for i in range(n):
        s = X[i] @ W + b.reshape(-1)
        s = s - s.max()
        log_p = s - np.log(np.exp(s).sum())
        loss -= log_p[y[i]]
        correct += int(s.argmax() == y[i])
        p = np.exp(log_p)
        p[y[i]] -= 1
        grad_W += np.outer(X[i], p)
        grad_b += p
    return LossAndGradients(float(loss / n), correct / n, grad_W / n, grad_b / n)


class SoftmaxCrossEntropyLoss:
    """The course's model-and-loss: holds W: (D, C) and b: (C,); vectorised."""

    compute = staticmethod(softmax_loss_vectorized)

    def __init__(self, num_input: int, num_output: int, trainable: bool = True,
                 seed: int = 0):
        self.num_input, self.num_output, self.trainable = num_input, num_output, trainable
        std = np.sqrt(2.0 / (num_input + num_output))
        self.W = np.random.default_rng(seed).normal(0, std, (num_input, num_output))
        self.b = np.zeros(num_output)
        self._last: LossAndGradients | None = None

    def forward(self, Input: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
        """Input: (N, D), labels: (N,) -> (mean loss, accuracy as a fraction)."""
        self._last = self.compute(self.W, self.b, Input, labels)
        return self._last.loss, self._last.accuracy

    def gradient_computing(self) -> None:
        """Set grad_W: (D, C) and grad_b: (C,) for the batch of the last ``forward``."""
        assert self._last is not None, "forward first"
        self.grad_W, self.grad_b = self._last.grad_W, self._last.grad_b


class NaiveSoftmaxCrossEntropyLoss(SoftmaxCrossEntropyLoss):
    """The same model, its loss and gradients computed by a loop over the samples."""

    compute = staticmethod(softmax_loss_naive)


class SGD:
    """The course's optimizer: classical momentum on the model's W and b.

    For each parameter p with gradient g: v = μ v + η g; p −= v (μ = 0: plain SGD).
    The velocities live in ``self`` and persist between steps; ``learning_rate`` is read
    at every step (a training loop may decay it).
    """

    def __init__(self, model: SoftmaxCrossEntropyLoss, learning_rate: float,
                 momentum: float = 0.0):
        self.model, self.learning_rate, self.momentum = model, learning_rate, momentum
        self.velocity_W = np.zeros(np.shape(model.W))
        self.velocity_b = np.zeros(np.shape(model.b))

    def step(self) -> None:
        """Update model.W and model.b from model.grad_W and model.grad_b."""
        m = self.model
        self.velocity_W = self.momentum * self.velocity_W + self.learning_rate * m.grad_W
        self.velocity_b = self.momentum * self.velocity_b + self.learning_rate * m.grad_b
        m.W = m.W - self.velocity_W
        m.b = m.b - self.velocity_b
