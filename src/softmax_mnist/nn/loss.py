"""The losses at the top of the network: softmax and cross-entropy, fused and
numerically stable — and, for comparison, lab 2's Euclidean loss (:class:`EuclideanLoss`).

For logits z: (N, C) and integer labels y: (N,), with one-hot Y:

    ŷ = softmax(z),    L = mean over the batch of −Σ_c Y·log ŷ,
    ∂L/∂z = (ŷ − Y) / N.

log-softmax is computed as ``z − max(z) − log Σ exp(z − max(z))``, the maximum taken in
each row, so that no exponent overflows, even for logits of ±1e4.
"""

from __future__ import annotations

import numpy as np

from ._fast import label_entries


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax; z: (N, C) -> (N, C), never inf or NaN for finite z."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax; z: (N, C) -> probabilities (N, C), rows summing to 1."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(z: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of logits z: (N, C) against labels y: (N,)."""
    return float(-log_softmax(z)[np.arange(len(y)), y].mean())


class SoftmaxCrossEntropyLoss:
    """Softmax + cross-entropy as one layer at the top of the network.

    ``forward(logits, labels) -> (loss, correct)`` and ``backward() -> ∂L/∂logits``, the
    fused gradient ``(ŷ − y) / N``. ``correct`` is a count, so that a training loop can
    add it up over batches of any size: the accuracy is ``correct / N``.
    """

    def __init__(self) -> None:
        self._rows = np.arange(0)  # 0 … N−1, kept between batches of the same size

    def forward(self, logits: np.ndarray, labels: np.ndarray) -> tuple[float, int]:
        """logits: (N, C), labels: (N,) ints -> (mean loss, number of correct predictions)."""
        n = len(labels)
        if len(self._rows) != n:
            self._rows = np.arange(n)
        shifted = logits - np.maximum.reduce(logits, axis=1, keepdims=True)
        flat, at = label_entries(shifted, labels, self._rows)  # shifted[n, y_n] = flat[at[n]]
        picked = flat.take(at)
        correct = n - np.count_nonzero(picked)  # shifted ≤ 0, and 0 at the top score
        probs = np.exp(shifted, out=shifted)  # shifted is not needed any more
        total = np.add.reduce(probs, axis=1)
        # -log ŷ_y = log Σ exp(shifted) - shifted_y
        loss = float(np.add.reduce(np.log(total)) - np.add.reduce(picked)) / n
        probs /= total[:, None]
        self._probs, self._labels, self._flat, self._at = probs, labels, flat, at
        return loss, correct

    def backward(self) -> np.ndarray:
        """-> ∂L/∂logits = (ŷ − y) / N: (N, C)."""
        e = self._probs  # reused in place: ŷ is not needed after this
        self._flat[self._at] -= 1  # ŷ − y with y one-hot: e[n, y_n] -= 1
        e /= len(self._labels)
        return e


class EuclideanLoss:
    """The Euclidean loss (mean squared error) of lab 2, on the network's raw outputs.

    For outputs z: (N, C) and one-hot targets Y (from labels y: (N,)):

        L = 1/(2N) Σ_n ‖z_n − Y_n‖²,        ∂L/∂z = (z − Y) / N.

    No softmax: the outputs are pushed towards 1 for the true class and 0 elsewhere.
    The prediction is still ``argmax z``. Same interface as
    :class:`SoftmaxCrossEntropyLoss`: ``forward(z, labels) -> (loss, correct)``,
    ``backward() -> ∂L/∂z``.
    """

    def __init__(self) -> None:
        self._rows = np.arange(0)

    def forward(self, outputs: np.ndarray, labels: np.ndarray) -> tuple[float, int]:
        """outputs: (N, C), labels: (N,) ints -> (mean loss, number of correct predictions)."""
        n = len(labels)
        if len(self._rows) != n:
            self._rows = np.arange(n)
        correct = np.count_nonzero(outputs.argmax(axis=1) == labels)
        e = np.array(outputs, copy=True)
        e[self._rows, labels] -= 1  # z − Y
        self._e, self._n = e, n
        return float(np.einsum("ij,ij->", e, e, dtype=np.float64)) / (2 * n), correct

    def backward(self) -> np.ndarray:
        """-> ∂L/∂z = (z − Y) / N: (N, C)."""
        e = self._e  # reused in place: not needed after this
        e /= self._n
        return e


LOSSES = {"cross-entropy": SoftmaxCrossEntropyLoss, "mse": EuclideanLoss}
"""The loss layers by name (the ``loss`` option's choices)."""
