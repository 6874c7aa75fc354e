"""Training history and early stopping (the seed write-up's rule and Keras's).

Stoppers see the per-epoch metrics dict (``val_accuracy`` …) after every epoch
and answer whether to stop; with ``restore_best_weights`` they also put back the
weights of the best epoch when training ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import ConfigError
from .model import Network

EPOCH_KEYS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds")
EPS = 1e-9  # accuracies are ratios of counts: keep 1/5000 from rounding below 0.0002


@dataclass
class History:
    """What happened during training, Keras-style.

    ``history[key][i]`` is the value after epoch i + 1 for each key of EPOCH_KEYS
    (train metrics are running means over the epoch's batches, as Keras reports
    them); ``iteration_loss`` holds every mini-batch loss.
    """

    history: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in EPOCH_KEYS})
    iteration_loss: list[float] = field(default_factory=list)
    stop_reason: str = "max_epoch"
    diverged: bool = False
    best_epoch: int | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.history["train_loss"])

    def record(self, **metrics: float) -> None:
        """Append one epoch's values; keys of EPOCH_KEYS that are missing become NaN."""
        for key in EPOCH_KEYS:
            self.history[key].append(float(metrics.get(key, float("nan"))))

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain lists and values, for ``metrics.json`` and checkpoints."""
        return {"epochs": list(range(1, self.epochs_run + 1)),
                **{k: list(v) for k, v in self.history.items()},
                "iteration_loss": list(self.iteration_loss), "stop_reason": self.stop_reason,
                "diverged": self.diverged, "best_epoch": self.best_epoch}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        return cls({k: [float(x) for x in d[k]] for k in EPOCH_KEYS},
                   [float(x) for x in d["iteration_loss"]], d["stop_reason"],
                   bool(d["diverged"]), d["best_epoch"])


class Callback:
    """Hooks the Solver calls; ``logs`` holds the epoch's metrics (EPOCH_KEYS) and the
    cumulative ``train_seconds``. Returning True from ``on_epoch_end`` stops training."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float], network: Network) -> bool:
        return False

    def on_train_end(self, network: Network) -> None:
        pass


class Stopper(Callback):
    """Base class for early stopping; subclasses implement ``should_stop``."""

    monitor = "val_accuracy"

    def __init__(self, restore_best_weights: bool = False):
        self.restore_best_weights = restore_best_weights
        self.best_value = -np.inf
        self.best_epoch: int | None = None
        self._best_weights: list[np.ndarray] | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float], network: Network) -> bool:
        value = logs[self.monitor]
        if value > self.best_value:
            self.best_value, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self._best_weights = network.get_weights()
        return self.should_stop(epoch, value)

    def should_stop(self, epoch: int, value: float) -> bool:
        """Given the monitored value after ``epoch``, answer whether to stop now."""
        raise NotImplementedError

    def on_train_end(self, network: Network) -> None:
        if self.restore_best_weights and self._best_weights is not None:
            network.set_weights(self._best_weights)

    def state(self) -> dict[str, Any]:
        """The rule's progress (for checkpoints): plain values plus the best weights."""
        plain = {k: v for k, v in vars(self).items() if k != "_best_weights"}
        return {"plain": plain, "best_weights": self._best_weights}

    def load_state(self, state: dict[str, Any]) -> None:
        vars(self).update(state["plain"])
        self._best_weights = state["best_weights"]


class PlateauStopping(Stopper):
    """The seed write-up's rule: stop when the validation accuracy changed by less
    than ``min_delta`` (0.02 percentage points) in each of the last ``epochs`` epochs."""

    def __init__(self, min_delta: float = 0.0002, epochs: int = 2,
                 restore_best_weights: bool = False):
        super().__init__(restore_best_weights)
        if min_delta < 0 or epochs < 1:
            raise ConfigError("plateau stopping needs min_delta ≥ 0 and epochs ≥ 1.")
        self.min_delta, self.epochs = min_delta, epochs
        self.values: list[float] = []

    def should_stop(self, epoch: int, value: float) -> bool:
        self.values.append(value)
        if len(self.values) <= self.epochs:
            return False
        recent = np.diff(self.values[-self.epochs - 1:])
        return bool(np.all(np.abs(recent) < self.min_delta - EPS))


class EarlyStopping(Stopper):
    """Keras's rule: stop after ``patience`` epochs without an improvement of more
    than ``min_delta`` over the best validation accuracy so far."""

    def __init__(self, patience: int = 3, min_delta: float = 0.0,
                 restore_best_weights: bool = False):
        super().__init__(restore_best_weights)
        if patience < 1 or min_delta < 0:
            raise ConfigError(f"early stopping needs patience ≥ 1 and min_delta ≥ 0, "
                              f"got patience={patience}, min_delta={min_delta}.")
        self.patience, self.min_delta = patience, min_delta
        self.wait = 0
        self._reference = -np.inf

    def should_stop(self, epoch: int, value: float) -> bool:
        if value > self._reference + self.min_delta + EPS:
            self._reference, self.wait = value, 0
            return False
        self.wait += 1
        return self.wait >= self.patience
