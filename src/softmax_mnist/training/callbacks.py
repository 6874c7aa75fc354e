"""Training history, callbacks and early stopping (the seed write-up's rule and Keras's).

The Solver calls each :class:`Callback`'s hooks; after every epoch they receive ``logs``,
the epoch's record (the keys of ``EPOCH_KEYS`` plus ``train_seconds``), and may ask to
stop. Stoppers watch ``val_accuracy``; with ``restore_best_weights`` they put back the
weights of the best epoch when training ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

EPOCH_KEYS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds")
"""One epoch's record, in History and in ``logs``: train loss and accuracy (running means
over the epoch's batches, as Keras reports them), validation loss and accuracy (NaN
without a validation split), the learning rate used, and the epoch's seconds."""

EPS = 1e-9  # accuracies are ratios of counts: keep 1/5000 from rounding below 0.0002


class Weights(Protocol):
    """What callbacks need of a network: its weights, to snapshot and restore, and evaluation."""

    def get_weights(self) -> list[np.ndarray]: ...

    def set_weights(self, weights: list[np.ndarray]) -> None: ...

    def evaluate(self, X: np.ndarray, y: np.ndarray,
                 features: Callable[[np.ndarray], np.ndarray] | None = None,
                 ) -> tuple[float, float]: ...


@dataclass
class BestEpoch:
    """The best epoch so far and, when asked, its weights: the one rule of a best epoch,
    kept by the Solver, the stoppers, the live curves and the report alike.

    An epoch is the best when its validation accuracy is higher than that of every epoch
    before it (the first of equal epochs stays the best); without validation (NaN) the
    latest epoch is. ``epoch`` 0: no epoch yet.
    """

    def __init__(self, value: float = -np.inf, epoch: int = 0,
                 weights: list[np.ndarray] | None = None):
        self.value, self.epoch, self.weights = value, epoch, weights

    def update(self, epoch: int, value: float,
               weights: Callable[[], list[np.ndarray]] | None = None) -> bool:
        """Take epoch ``epoch`` with validation accuracy ``value`` into account (and a
        snapshot of ``weights()`` if it is the best); True if it is the new best."""
        if not (value > self.value or np.isnan(value)):
            return False
        self.value, self.epoch = value, epoch
        if weights is not None:
            self.weights = weights()
        return True


@dataclass
class History:
    """What happened during training, Keras-style.

    ``history[key][i]`` is the value after epoch i + 1 for each key of EPOCH_KEYS;
    ``iteration_loss`` holds every mini-batch loss.
    """

    history: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in EPOCH_KEYS})
    iteration_loss: list[float] = field(default_factory=list)
    stop_reason: str = "max_epoch"  # or "early_stop", "diverged"
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
                   [float(x) for x in d["iteration_loss"]], str(d["stop_reason"]),
                   bool(d["diverged"]), None if d["best_epoch"] is None else int(d["best_epoch"]))


class Callback:
    """Hooks the Solver calls. Override the ones you need.

    - ``on_train_begin(network)``: before the first epoch of a fresh run (not when a run
      resumes from a checkpoint); reset per-run state here, so one instance can be reused.
    - ``on_epoch_end(epoch, logs, network) -> bool``: after every recorded epoch (1-based),
      even when an earlier callback already asked to stop; ``logs`` holds the epoch's
      EPOCH_KEYS and the cumulative ``train_seconds``. Return True to stop training.
      It runs while the epoch is recorded and checkpointed as one step (Ctrl-C held
      back): keep it quick.
    - ``on_epoch_saved(epoch)``: after that step, for slow work that needs no say in
      training (drawing the curves so far); Ctrl-C here is Ctrl-C between two epochs.
    - ``on_train_end(network)``: once, after the last epoch.
    - ``on_prepared(prepared)``: called by ``runner.train`` (not the Solver) once, before
      training, with the fitted splits (``runner.Prepared``), e.g. to follow the test set.
    """

    def on_prepared(self, prepared: Any) -> None:
        pass

    def on_train_begin(self, network: Weights) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, float], network: Weights) -> bool:
        return False

    def on_epoch_saved(self, epoch: int) -> None:
        pass

    def on_train_end(self, network: Weights) -> None:
        pass


@dataclass(frozen=True)
class Evaluation:
    """One epoch's score on a fixed set, and the training seconds spent until then."""

    epoch: int
    train_seconds: float
    loss: float
    accuracy: float


class EvaluationCurve(Callback):
    """Loss and accuracy on a fixed set after every epoch, in ``points``.

    For curves of the test set (the report's, the benchmark's time to 92 %): recorded,
    never used to choose anything.

    Args:
        X: (N, D) rows in the form the Solver trains on. y: (N,) labels.
        features: the Solver's per-batch feature map, if it has one.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray,
                 features: Callable[[np.ndarray], np.ndarray] | None = None):
        self.X, self.y, self.features = X, y, features
        self.points: list[Evaluation] = []

    def on_train_begin(self, network: Weights) -> None:
        self.points = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float], network: Weights) -> bool:
        loss, accuracy = network.evaluate(self.X, self.y, self.features)
        self.points.append(Evaluation(epoch, logs["train_seconds"], loss, accuracy))
        return False

    @property
    def losses(self) -> list[float]:
        return [p.loss for p in self.points]

    @property
    def accuracies(self) -> list[float]:
        return [p.accuracy for p in self.points]


class Stopper(Callback):
    """Base class for early stopping on ``val_accuracy``; subclasses implement
    ``should_stop``. Keeps the best epoch's weights when ``restore_best_weights``."""

    monitor = "val_accuracy"

    def __init__(self, restore_best_weights: bool = False):
        self.restore_best_weights = restore_best_weights
        self.on_train_begin(None)

    def on_train_begin(self, network: Weights | None) -> None:
        self.best = BestEpoch()

    @property
    def best_epoch(self) -> int | None:
        return self.best.epoch or None

    @property
    def best_value(self) -> float:
        return self.best.value

    def on_epoch_end(self, epoch: int, logs: dict[str, float], network: Weights) -> bool:
        value = logs[self.monitor]
        self.best.update(epoch, value, network.get_weights if self.restore_best_weights
                         else None)
        return self.should_stop(epoch, value)

    def should_stop(self, epoch: int, value: float) -> bool:
        """Given the monitored value after ``epoch``, answer whether to stop now."""
        raise NotImplementedError

    def on_train_end(self, network: Weights) -> None:
        if self.restore_best_weights and self.best.weights is not None:
            network.set_weights(self.best.weights)

    def state(self) -> dict[str, Any]:
        """The rule's progress (for checkpoints): plain values plus the best weights."""
        plain = {k: v for k, v in vars(self).items() if k != "best"}
        plain.update(best_value=self.best.value, best_epoch=self.best_epoch)
        return {"plain": plain, "best_weights": self.best.weights}

    def load_state(self, state: dict[str, Any]) -> None:
        plain = dict(state["plain"])
        self.best = BestEpoch(plain.pop("best_value"), plain.pop("best_epoch") or 0,
                              state["best_weights"])
        vars(self).update(plain)


class PlateauStopping(Stopper):
    """The seed write-up's rule: stop when the validation accuracy changed by less
    than ``min_delta`` (0.02 percentage points) in each of the last ``epochs`` epochs."""

    def __init__(self, min_delta: float = 0.0002, epochs: int = 2,
                 restore_best_weights: bool = False):
        if min_delta < 0 or epochs < 1:
            raise ValueError("plateau stopping needs min_delta ≥ 0 and epochs ≥ 1.")
        self.min_delta, self.epochs = min_delta, epochs
        super().__init__(restore_best_weights)

    def on_train_begin(self, network: Weights | None) -> None:
        super().on_train_begin(network)
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
        if patience < 1 or min_delta < 0:
            raise ValueError(f"early stopping needs patience ≥ 1 and min_delta ≥ 0, "
                             f"got patience={patience}, min_delta={min_delta}.")
        self.patience, self.min_delta = patience, min_delta
        super().__init__(restore_best_weights)

    def on_train_begin(self, network: Weights | None) -> None:
        super().on_train_begin(network)
        self.wait = 0
        self._reference = -np.inf

    def should_stop(self, epoch: int, value: float) -> bool:
        if value > self._reference + self.min_delta + EPS:
            self._reference, self.wait = value, 0
            return False
        self.wait += 1
        return self.wait >= self.patience
