"""Layers: forward and backward side by side, CS231n style.

Every layer keeps what its backward pass needs from the forward pass, and after
``backward`` holds the gradient of each parameter in ``grads`` under the same name as
in ``params``. Shapes: N samples, D inputs, M outputs. The layers of convolutional
networks are in ``conv.py``.
"""

from __future__ import annotations

import math

import numpy as np

from ._fast import affine, input_gradient, relu, relu_backward, weight_gradient, weight_matrix

DTYPE = np.float32
"""Float type of parameters and features: float32 halves the memory traffic of float64
and gives the same accuracy here."""


class Layer:
    """Base class. ``params``/``grads`` map names ("W", "b") to arrays of equal shapes.

    ``training`` is True while a Solver trains the network (see ``Network.training``):
    only ``Dropout`` behaves differently then, drawing its masks from ``rng``.
    """

    training: bool = False
    rng: np.random.Generator | None = None
    splits_work: bool = False
    """True for a layer that splits its products among worker threads itself
    (``_threads.parallel``) and so wants BLAS on one thread (Conv2D)."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of one sample's output for one sample's input ``shape`` (no N)."""
        return shape

    def scratch_floats(self, shape: tuple[int, ...]) -> int:
        """Floats the layer holds per sample of input ``shape`` (its output, by default):
        what bounds the batch size of evaluation."""
        return math.prod(self.output_shape(shape))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x -> the layer's output; keeps what ``backward`` needs."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """∂L/∂output -> ∂L/∂input; fills ``grads``."""
        raise NotImplementedError

    def backward_params(self, grad_out: np.ndarray) -> None:
        """Fill ``grads`` only (for the first layer, whose input gradient nobody uses)."""
        self.backward(grad_out)

    def backward_input(self, grad_out: np.ndarray) -> np.ndarray:
        """∂L/∂output -> ∂L/∂input only, ``grads`` untouched (for input gradients)."""
        return self.backward(grad_out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class FCLayer(Layer):
    """Fully connected layer: ``z = x W + b``.

    W: (D, M), drawn from N(0, gain² · 2 / (D + M)) (Glorot's variance; ``gain=√2`` in
    front of a ReLU); b: (M,), zeros.
    """

    def __init__(self, num_input: int, num_output: int, *, rng: np.random.Generator | None = None,
                 gain: float = 1.0, dtype: np.dtype | type = DTYPE):
        super().__init__()
        rng = np.random.default_rng(0) if rng is None else rng
        std = gain * np.sqrt(2.0 / (num_input + num_output))
        self.params["W"] = weight_matrix(rng.standard_normal((num_input, num_output)) * std,
                                         dtype)
        self.params["b"] = np.zeros(num_output, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> z = x W + b: (N, M)."""
        self._x = x
        return affine(x, self.params["W"], self.params["b"])

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out = ∂L/∂z: (N, M) -> ∂L/∂x = grad_out Wᵀ: (N, D).

        With the loss's fused ``grad_out = (ŷ − y) / N`` the parameter gradients are the
        lab's formulas ``∂L/∂W = Xᵀ(ŷ − y) / N`` and ``∂L/∂b = mean over the batch of (ŷ − y)``.
        """
        self.backward_params(grad_out)
        return self.backward_input(grad_out)

    def backward_input(self, grad_out: np.ndarray) -> np.ndarray:
        """∂L/∂x = grad_out Wᵀ: (N, D), without the parameters' gradients."""
        return input_gradient(grad_out, self.params["W"], self._x)

    def backward_params(self, grad_out: np.ndarray) -> None:
        """∂L/∂W = xᵀ grad_out: (D, M) and ∂L/∂b = Σ_rows grad_out: (M,), into ``grads``."""
        weight_gradient(self._x, grad_out, out=self.grads["W"])
        np.add.reduce(grad_out, axis=0, out=self.grads["b"])

    @property
    def shape(self) -> tuple[int, int]:
        """(D, M): inputs and outputs."""
        return self.params["W"].shape

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return (self.shape[1],)

    def __repr__(self) -> str:
        return f"FCLayer({self.shape[0]}, {self.shape[1]})"


class ReLU(Layer):
    """max(0, x), elementwise; x: (N, D) or images (C, H, W, N) -> the same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._y = relu(x)  # np.maximum(x, 0)
        return self._y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """∂L/∂x = ∂L/∂y where x > 0 (where y > 0), else 0; grad_out is reused for it."""
        return relu_backward(grad_out, self._y)  # grad_out · (y > 0)


class Sigmoid(Layer):
    """σ(x) = 1 / (1 + e⁻ˣ), elementwise; x: (N, D) or (C, H, W, N) -> the same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        # exp of -|x| never overflows; the two branches are the same function
        e = np.exp(-np.abs(x))
        self._y = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return self._y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """∂L/∂x = ∂L/∂y · σ(x) (1 − σ(x))."""
        return grad_out * self._y * (1 - self._y)


class Dropout(Layer):
    """Inverted dropout: while training, each entry is kept with probability 1 − p and
    scaled by 1 / (1 − p), so that its expected value is unchanged; at evaluation the
    layer is the identity (nothing to rescale, the same output every time).

    x: any shape -> the same shape. The masks come from ``rng``, which the Solver sets
    (its seeded generator: the same command draws the same masks).
    """

    def __init__(self, rate: float):
        super().__init__()
        if not 0 <= rate < 1:
            raise ValueError(f"a dropout rate must be in [0, 1), got {rate!r}.")
        self.rate = rate
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not self.training or self.rate == 0:
            self._mask = None
            return x
        if self.rng is None:
            raise RuntimeError("Dropout in training mode needs an rng (Network.training).")
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.rate
        self._mask = keep * np.asarray(1 / (1 - self.rate), x.dtype)  # 0 or 1/(1−p)
        return x * self._mask

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """∂L/∂x = ∂L/∂y · mask (the identity at evaluation)."""
        return grad_out if self._mask is None else grad_out * self._mask

    def __repr__(self) -> str:
        return f"Dropout({self.rate:g})"


ACTIVATIONS: dict[str, type[Layer]] = {"relu": ReLU, "sigmoid": Sigmoid}
"""Hidden-layer activations by name (the ``activation`` option's choices)."""
