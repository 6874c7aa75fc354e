"""Layers: forward and backward side by side, CS231n style.

Every layer keeps what its backward pass needs from the forward pass, and after
``backward`` holds the gradient of each parameter in ``grads`` under the same
name as in ``params``. Shapes: N samples, D inputs, M outputs.
"""

from __future__ import annotations

import numpy as np

DTYPE = np.float32


class Layer:
    """Base class. ``params``/``grads`` map names ("W", "b") to arrays."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class FCLayer(Layer):
    """Fully connected layer: ``z = x W + b``.

    W: (D, M), drawn from N(0, gain² · 2 / (D + M)) (Glorot's variance; use
    ``gain=√2`` in front of a ReLU); b: (M,), zeros.
    """

    def __init__(self, num_input: int, num_output: int, *, rng: np.random.Generator | None = None,
                 gain: float = 1.0, dtype: np.dtype | type = DTYPE):
        super().__init__()
        rng = np.random.default_rng(0) if rng is None else rng
        std = gain * np.sqrt(2.0 / (num_input + num_output))
        W = rng.standard_normal((num_input, num_output)) * std
        self.params["W"] = np.asfortranarray(W, dtype=dtype)  # see forward
        self.params["b"] = np.zeros(num_output, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.needs_input_grad = True  # the first layer's dx is never used: skip it
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> z: (N, M)."""
        self._x = x
        # Column-major W and z: BLAS runs this skinny product faster, and the row-wise
        # max/sum of the softmax then read contiguous columns. Shapes are unchanged.
        z = np.matmul(x, self.params["W"], out=np.empty((len(x), self.num_output), x.dtype,
                                                        order="F"))
        z += self.params["b"]
        return z

    @property
    def num_output(self) -> int:
        return self.params["W"].shape[1]

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """grad_out = ∂L/∂z: (N, M) -> ∂L/∂x: (N, D), or None for the first layer.

        With the loss's fused ``grad_out = (ŷ − y) / N`` this is the lab's formula
        ``∂L/∂W = Xᵀ(ŷ − y) / N``, ``∂L/∂b = mean over the batch of (ŷ − y)``.
        """
        np.matmul(self._x.T, grad_out, out=self.grads["W"])
        np.sum(grad_out, axis=0, out=self.grads["b"])
        return grad_out @ self.params["W"].T if self.needs_input_grad else None

    def __repr__(self) -> str:
        d, m = self.params["W"].shape
        return f"FCLayer({d}, {m})"


class ReLU(Layer):
    """max(0, x), elementwise; x: (N, D)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._mask = x > 0
        return np.maximum(x, 0)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * self._mask


class Sigmoid(Layer):
    """1 / (1 + e^-x), elementwise; x: (N, D)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        # exp of -|x| never overflows; the two branches are the same function
        e = np.exp(-np.abs(x))
        self._y = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return self._y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * self._y * (1 - self._y)


ACTIVATIONS: dict[str, type[Layer]] = {"relu": ReLU, "sigmoid": Sigmoid}
