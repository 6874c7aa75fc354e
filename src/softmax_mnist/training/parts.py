"""What the Solver builds and checks from its arguments: the optimizer a TrainConfig
names, and training splits in the shapes and dtypes the loop needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..nn import SGD, Adam, Network
from .config import TrainConfig


def make_optimizer(network: Network, config: TrainConfig) -> Any:
    """The optimizer ``config.optimizer`` names, over ``network``'s parameters: SGD with
    the config's momentum, Nesterov and weight decay, or Adam with β₁ = momentum."""
    c = config
    if c.optimizer == "adam":
        return Adam(network, c.learning_rate, beta1=c.momentum, weight_decay=c.weight_decay)
    return SGD(network, c.learning_rate, c.momentum, c.nesterov, c.weight_decay)


def check_split(name: str, X: np.ndarray, y: np.ndarray,
                 features: Callable[[np.ndarray], np.ndarray] | None) -> None:
    """Shapes and dtypes the loop needs; a clear TypeError/ValueError otherwise."""
    if len(X) != len(y):
        raise ValueError(f"the {name} split has {len(X)} rows of features but {len(y)} "
                         f"labels.")
    if np.ndim(X) != 2 or np.ndim(y) != 1:
        raise ValueError(f"the {name} split must be X: (N, D) and y: (N,), got "
                         f"{np.shape(X)} and {np.shape(y)}.")
    if not np.issubdtype(np.asarray(y).dtype, np.integer):
        raise TypeError(f"{name} labels must be integers 0 … C−1, got {np.asarray(y).dtype}.")
    if features is None and not np.issubdtype(np.asarray(X).dtype, np.floating):
        raise TypeError(
            f"the Solver trains on float features, but the {name} rows are "
            f"{np.asarray(X).dtype} (raw pixels?). Scale and centre them first — "
            f"pipeline = Pipeline.default().fit(X_train), then pass "
            f"features=pipeline.transform to apply it to each mini-batch — or pass X / 255.")
