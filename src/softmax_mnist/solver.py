"""The Solver: mini-batch training with per-epoch shuffling, decay and early stopping.

One epoch: shuffle the training set (seeded), walk it in batches of ``batch_size``
(the last one may be short), and for each batch

    logits = network.forward(x)
    loss, acc = loss_fn.forward(logits, y)
    network.backward(loss_fn.backward())      # (ŷ − y)/N down through the layers
    optimizer.step()                          # v = μ v + η g;  p -= v

then validate, record the epoch in the History, decay η, and ask the stopper.

A run that blows up (a NaN/inf loss, or an epoch whose mean loss is over
``DIVERGENCE_FACTOR`` times that of guessing uniformly, ln C) stops and keeps the
weights of its best validation epoch. Ctrl-C raises :class:`TrainingInterrupted`
carrying a checkpoint of the last finished epoch; ``load_state`` resumes from it
and ends exactly where an uninterrupted run would.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from .callbacks import Callback, EarlyStopping, History, PlateauStopping, Stopper
from .config import TrainConfig
from .errors import ConfigError
from .loss import SoftmaxCrossEntropyLoss
from .model import Network, Transform
from .optimizer import SGD

BLAS_THREADS = 1
DIVERGENCE_FACTOR = 4.0  # × ln C, the loss of a uniform guess


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; ``checkpoint`` resumes at the last finished epoch."""

    def __init__(self, checkpoint: dict[str, Any], epoch: int):
        super().__init__(f"interrupted in epoch {epoch}")
        self.checkpoint, self.epoch = checkpoint, epoch


class Solver:
    """Trains a Network on preprocessed features.

    Args:
        network: the model to train, in place.
        X_train: (N, D) float32 features, or raw rows when ``transform`` is given.
        y_train: (N,) integer labels.
        X_val, y_val: the validation split (may be empty when early_stop="none").
        transform: optional map from a batch of raw rows to features, applied to each
            mini-batch (and to X_val in large chunks): the training set can then stay
            as compact uint8 images — 4× less memory to walk through every epoch.
        callbacks: extra :class:`~softmax_mnist.callbacks.Callback` hooks, after the
            early-stopping rule of the config.
        config: a TrainConfig, or course-style keyword options
            (``Solver(net, ..., max_epoch=10, learning_rate=0.01)``); unknown keys raise.
        progress: show a tqdm bar per epoch.
    """

    def __init__(self, network: Network, X_train: np.ndarray, y_train: np.ndarray,
                 X_val: np.ndarray, y_val: np.ndarray, config: TrainConfig | None = None,
                 *, transform: Transform | None = None, progress: bool = True,
                 callbacks: Sequence[Callback] = (), **options: Any):
        if config is not None and options:
            raise ConfigError("give either a TrainConfig or keyword options, not both.")
        self.config = config if config is not None else TrainConfig.from_dict(options)
        if len(X_train) != len(y_train) or len(X_val) != len(y_val):
            raise ConfigError("features and labels differ in length.")
        if self.config.batch_size > len(X_train):
            raise ConfigError(f"batch size must be in [1, {len(X_train)}] (the training split "
                              f"holds {len(X_train)} images), got {self.config.batch_size}.")
        if self.config.early_stop != "none" and len(X_val) == 0:
            raise ConfigError("early stopping needs a validation set: use --val-size > 0 "
                              "or --no-early-stop.")
        self.network = network
        self.X_train, self.y_train = X_train, y_train
        self.X_val, self.y_val = X_val, y_val
        self.transform = transform
        self.progress = progress
        self.loss_fn = SoftmaxCrossEntropyLoss()
        self.optimizer = SGD(network, self.config.learning_rate, self.config.momentum,
                             self.config.nesterov, self.config.weight_decay)
        self.stopper = self._make_stopper()
        self.callbacks = [cb for cb in (self.stopper, *callbacks) if cb is not None]
        self.rng = np.random.default_rng(np.random.SeedSequence(self.config.seed).spawn(2)[1])
        self.history = History()
        self.train_seconds = 0.0
        self.epoch = 0  # epochs finished
        self.divergence: str | None = None
        self._best: tuple[float, int, list[np.ndarray]] = (-np.inf, 0, network.get_weights())
        self._explode_at = DIVERGENCE_FACTOR * math.log(network.num_classes)

    def _make_stopper(self) -> Stopper | None:
        c = self.config
        if c.early_stop == "plateau":
            return PlateauStopping(c.min_delta, 2, c.restore_best_weights)
        if c.early_stop == "patience":
            return EarlyStopping(c.patience, c.min_delta, c.restore_best_weights)
        return None

    def train(self) -> History:
        """Run up to ``max_epoch`` epochs; returns the History (also ``self.history``).

        BLAS runs on one thread: these matrices are small enough that waking a second
        thread costs more than it saves, and parallel runs use the cores instead.
        """
        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            return self._train()

    def _train(self) -> History:
        checkpoint = self.state_dict()
        try:
            while self.epoch < self.config.max_epoch and not self._run_epoch():
                checkpoint = self.state_dict()
        except KeyboardInterrupt:
            raise TrainingInterrupted(checkpoint, self.epoch + 1) from None
        for cb in self.callbacks:
            cb.on_train_end(self.network)
        if self.history.diverged:  # the best epoch, not the stopper's view
            self.network.set_weights(self._best[2])
        self.history.best_epoch = self._best[1] or None
        return self.history

    def _run_epoch(self) -> bool:
        """Train, validate and record one epoch; returns True when training should stop."""
        c, epoch = self.config, self.epoch + 1
        start = time.perf_counter()
        train_loss, train_acc = self._train_epoch(epoch)
        self.train_seconds += time.perf_counter() - start
        if not math.isfinite(train_loss):
            return self._diverged(epoch, "the loss became infinite or NaN")
        val_loss, val_acc = self.validate()
        logs = {"train_loss": train_loss, "train_accuracy": train_acc, "val_loss": val_loss,
                "val_accuracy": val_acc, "lr": self.optimizer.learning_rate,
                "seconds": time.perf_counter() - start}
        self.history.record(**logs)
        self.epoch = epoch
        self._report_epoch(epoch)
        if val_acc > self._best[0] or np.isnan(val_acc):  # no validation: the latest
            self._best = (val_acc, epoch, self.network.get_weights())
        logs["train_seconds"] = self.train_seconds
        # every callback sees every recorded epoch, even when an earlier one asks to stop
        votes = [cb.on_epoch_end(epoch, logs, self.network) for cb in self.callbacks]
        if train_loss > self._explode_at:
            return self._diverged(epoch, f"its mean loss {train_loss:.3g} is over "
                                         f"{DIVERGENCE_FACTOR:g}× that of guessing")
        self.optimizer.learning_rate *= c.lr_decay
        if any(votes):
            self.history.stop_reason = "early_stop"
        return any(votes)

    def _diverged(self, epoch: int, why: str) -> bool:
        kept = (f"kept the weights of epoch {self._best[1]}" if self._best[1]
                else "no epoch finished, kept the initial weights")
        self.divergence = (f"training diverged in epoch {epoch}: {why}; {kept}. "
                           f"Try a smaller learning rate than {self.config.learning_rate:g}.")
        self.history.diverged, self.history.stop_reason = True, "diverged"
        return True

    # -- checkpoints ---------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to go on from here: weights, velocities, η, RNG, history …"""
        stopper = self.stopper.state() if self.stopper else None
        return {"epoch": self.epoch, "weights": self.network.get_weights(),
                "velocities": [v.copy() for v in self.optimizer.velocity],
                "learning_rate": self.optimizer.learning_rate,
                "rng": self.rng.bit_generator.state, "history": self.history.to_dict(),
                "train_seconds": self.train_seconds, "stopper": stopper,
                "best": (self._best[0], self._best[1], [w.copy() for w in self._best[2]])}

    def load_state(self, state: dict[str, Any]) -> None:
        """Continue from a ``state_dict`` of a run with the same data and config."""
        self.epoch = int(state["epoch"])
        self.network.set_weights(state["weights"])
        for v, saved in zip(self.optimizer.velocity, state["velocities"], strict=True):
            v[...] = saved
        self.optimizer.learning_rate = float(state["learning_rate"])
        self.rng.bit_generator.state = state["rng"]
        self.history = History.from_dict(state["history"])
        self.train_seconds = float(state["train_seconds"])
        if self.stopper and state["stopper"] is not None:
            self.stopper.load_state(state["stopper"])
        best_val, best_epoch, best_weights = state["best"]
        self._best = (float(best_val), int(best_epoch), list(best_weights))

    def _report_epoch(self, epoch: int) -> None:
        if not self.progress:
            return
        h = self.history.history
        tqdm.write(f"epoch {epoch:>3}/{self.config.max_epoch}  "
                   f"train loss {h['train_loss'][-1]:.4f} acc {h['train_accuracy'][-1]:.2%}  "
                   f"val loss {h['val_loss'][-1]:.4f} acc {h['val_accuracy'][-1]:.2%}  "
                   f"lr {h['lr'][-1]:.4g}  {h['seconds'][-1]:.2f}s", file=sys.stderr)

    def _train_epoch(self, epoch: int) -> tuple[float, float]:
        """One pass over the shuffled training set -> (mean loss, accuracy).

        A non-finite loss ends the pass at once and returns it as the mean loss.
        """
        c = self.config
        X, y = self.X_train, self.y_train
        n, B = len(X), c.batch_size
        order = self.rng.permutation(n)
        losses = np.empty(math.ceil(n / B))
        correct = 0
        forward, backward = self.network.forward, self.network.backward
        loss_fn, step, transform = self.loss_fn, self.optimizer.step, self.transform
        bar = tqdm(total=len(losses), desc=f"epoch {epoch}/{c.max_epoch}", unit="batch",
                   disable=None if self.progress else True, leave=False, dynamic_ncols=True)
        for i, lo in enumerate(range(0, n, B)):
            batch = order[lo:lo + B]
            # gathering one batch at a time stays in cache and never copies the whole set
            xb, yb = X.take(batch, axis=0), y.take(batch)
            if transform is not None:
                xb = transform(xb)
            loss, hits = loss_fn.forward(forward(xb), yb, count=True)
            if not math.isfinite(loss):
                bar.close()
                return loss, float("nan")
            backward(loss_fn.backward())
            step()
            losses[i] = loss
            correct += hits
            if (i + 1) % c.display_freq == 0:
                bar.update(c.display_freq)
                bar.set_postfix(loss=f"{loss:.3f}", acc=f"{hits / len(yb):.3f}", refresh=False)
        bar.close()
        self.history.iteration_loss.extend(losses.tolist())
        return float(losses.mean()), correct / n

    def validate(self) -> tuple[float, float]:
        """Loss and accuracy on the validation split (nan, nan when there is none)."""
        if len(self.y_val) == 0:
            return float("nan"), float("nan")
        return self.network.evaluate(self.X_val, self.y_val, self.transform)

    def test(self, X_test: np.ndarray, y_test: np.ndarray) -> tuple[float, float]:
        """Loss and accuracy on a held-out set (same form as X_train), in large batches."""
        return self.network.evaluate(X_test, y_test, self.transform)
