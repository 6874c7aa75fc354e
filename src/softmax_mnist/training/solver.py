"""The Solver: mini-batch training with per-epoch shuffling, decay and early stopping.

One epoch: shuffle the training set (seeded), walk it in batches of ``batch_size`` (the
last one may be short), and for each batch

    loss, correct = learner.train_step(x, y)  # for our networks (NetworkLearner):
        logits = network.forward(x)
        loss, correct = loss_fn.forward(logits, y)
        network.backward(loss_fn.backward())  # (ŷ − y)/N down through the layers
        optimizer.step()                      # v = μ v + η g;  p -= v

then validate, record the epoch in the History, decay η, and ask the callbacks.

A run that blows up (a NaN/inf loss, or an epoch whose mean loss is over
``DIVERGENCE_FACTOR`` times that of guessing uniformly, ln C) stops and keeps the
weights of its best validation epoch. Ctrl-C raises :class:`TrainingInterrupted`
carrying a checkpoint of the last finished epoch; ``load_state`` resumes from it and
ends exactly where an uninterrupted run would.
"""

from __future__ import annotations

import math
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits
from tqdm.auto import tqdm

from .. import signals
from ..errors import ConfigError
from ..nn import Network
from ..nn._threads import workers as worker_threads
from .callbacks import BestEpoch, Callback, EarlyStopping, History, PlateauStopping, Stopper
from .config import TrainConfig
from .learner import Learner, NetworkLearner

DIVERGENCE_FACTOR = 4.0  # × ln C, the loss of a uniform guess
FEATURE_ROWS = 64  # rows gathered and mapped by ``features`` at once (small batches)


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, ``signum``) during training; ``checkpoint`` resumes at the last
    finished epoch."""

    def __init__(self, checkpoint: dict[str, Any], epoch: int, signum: int = signal.SIGINT):
        super().__init__(f"interrupted in epoch {epoch}")
        self.checkpoint, self.epoch, self.signum = checkpoint, epoch, signum


class Solver:
    """Trains a :class:`~softmax_mnist.training.learner.Learner` on mini-batches.

    The contract: ``learner`` keeps the Learner protocol (``train_step``, ``training``,
    ``evaluate``, ``get_weights``/``set_weights``, ``state``/``load_state``,
    ``learning_rate``, ``num_classes``, ``threads``, ``to_network``); a
    :class:`~softmax_mnist.nn.Network` given instead is trained by
    ``NetworkLearner.from_config(network, config)``: the config's loss and optimizer.
    A loss or optimizer of your own goes into ``NetworkLearner(network, loss, optimizer)``.
    Callbacks are :class:`~softmax_mnist.training.callbacks.Callback` subclasses; they
    receive the learner.

    Args:
        learner: the model to train, in place (a Learner or a Network).
        X_train: (N, D) float network inputs — or raw rows (e.g. uint8 images) when
            ``features`` is given. y_train: (N,) integer labels in 0 … C−1.
        X_val, y_val: the validation split, in the same form (may be empty when
            early_stop="none").
        config: a TrainConfig, or course-style keyword options
            (``Solver(net, ..., max_epoch=10, learning_rate=0.01)``); unknown keys raise.
        features: a map from a batch of raw rows to the network's input, applied to each
            mini-batch (and to X_val in large chunks): the training set can then stay as
            compact uint8 images — 4× less memory to walk through every epoch.
        augment: ``augment(rows, rng) -> rows``: random distortions of each raw training
            batch (before ``features``), drawn from the Solver's seeded generator.
        callbacks: extra callbacks, after the early-stopping rule of the config.
        progress: show a tqdm bar per epoch and a line per epoch on stderr.
    """

    def __init__(self, learner: Learner | Network, X_train: np.ndarray, y_train: np.ndarray,
                 X_val: np.ndarray, y_val: np.ndarray, config: TrainConfig | None = None,
                 *, features: Callable[[np.ndarray], np.ndarray] | None = None,
                 augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
                 callbacks: Sequence[Callback] = (), progress: bool = True, **options: Any):
        if isinstance(augment, str):
            raise ConfigError("augment= takes a function (rows, rng) -> rows, such as "
                              "softmax_mnist.preprocessing.augment.AUGMENTERS[\"affine\"]; "
                              f"got the name {augment!r}.")
        if config is not None and options:
            raise ConfigError("give either a TrainConfig or keyword options, not both.")
        self.config = c = config if config is not None else TrainConfig.from_dict(options)
        check_split("train", X_train, y_train, features)
        check_split("validation", X_val, y_val, features)
        if c.batch_size > len(X_train):
            raise ConfigError(f"{{batch_size}} must be in [1, {len(X_train)}] (the training "
                              f"split holds {len(X_train)} images), got "
                              f"{c.batch_size}.", params=("batch_size",))
        if c.early_stop != "none" and len(X_val) == 0:
            raise ConfigError("early stopping needs a validation set: give {early_stop} "
                              "\"none\" or a validation split.", params=("early_stop",))
        self.learner: Learner = (NetworkLearner.from_config(learner, c)
                                 if isinstance(learner, Network) else learner)
        self.X_train, self.y_train = X_train, y_train
        self.X_val, self.y_val = X_val, y_val
        self.features = features
        self.augment = augment
        self.progress = progress
        self.stopper = self._make_stopper()
        self.callbacks = [cb for cb in (self.stopper, *callbacks) if cb is not None]
        self.rng = np.random.default_rng(np.random.SeedSequence(c.seed).spawn(2)[1])
        self.history = History()
        self.train_seconds = 0.0
        self.epoch = 0  # epochs finished
        self.divergence: str | None = None
        self.blas_threads = 1  # what train() ran BLAS on: evaluate the result on as many
        self.best = BestEpoch(-np.inf, 0, self.learner.get_weights())
        self._explode_at = DIVERGENCE_FACTOR * math.log(self.learner.num_classes)

    @property
    def network(self) -> Network:
        """The trained model as one of our Networks (``learner.to_network()``)."""
        return self.learner.to_network()

    def _make_stopper(self) -> Stopper | None:
        c = self.config
        if c.early_stop == "plateau":
            return PlateauStopping(c.min_delta, 2, c.restore_best_weights)
        if c.early_stop == "patience":
            return EarlyStopping(c.patience, c.min_delta, c.restore_best_weights)
        return None

    def train(self) -> History:
        """Run up to ``max_epoch`` epochs; returns the History (also ``self.history``).

        BLAS (and, for a CNN, worker threads of its own) run on as many threads as the
        learner finds worth it for its products (``Learner.threads``), within what this
        process may use: parallel runs limit each process to its share.
        """
        available = max((p.get("num_threads", 1) for p in threadpool_info()
                         if p.get("user_api") == "blas"), default=1)
        blas, workers = self.learner.threads(self.config.batch_size, available)
        self.blas_threads = blas
        # a diverging run overflows on its way to a non-finite loss, which the loop
        # detects and reports (History.diverged): NumPy's warnings would only repeat it
        with threadpool_limits(limits=blas, user_api="blas"), worker_threads(workers), \
                np.errstate(over="ignore", invalid="ignore"):
            return self._train()

    def _train(self) -> History:
        if self.epoch == 0:
            for cb in self.callbacks:
                cb.on_train_begin(self.learner)
        checkpoint = self.state_dict()
        try:
            stop = False
            while self.epoch < self.config.max_epoch and not stop:
                epoch = self.epoch + 1
                start = time.perf_counter()
                with self.learner.training(self.rng):
                    train_loss, train_acc = self._train_epoch(epoch)  # Ctrl-C may cut in here
                with signals.deferred():  # … but an epoch is recorded and saved whole
                    stop = self._end_epoch(epoch, start, train_loss, train_acc)
                    checkpoint = self.state_dict()
                for cb in self.callbacks:  # slow side effects, between two epochs
                    cb.on_epoch_saved(epoch)
        except KeyboardInterrupt as exc:
            raise TrainingInterrupted(checkpoint, self.epoch + 1,
                                      getattr(exc, "signum", signal.SIGINT)) from None
        for cb in self.callbacks:
            cb.on_train_end(self.learner)
        if self.history.diverged:  # the best epoch, not the stopper's view
            self.learner.set_weights(self.best.weights)
        self.history.best_epoch = self.best.epoch or None
        return self.history

    def _end_epoch(self, epoch: int, start: float, train_loss: float,
                   train_acc: float) -> bool:
        """Validate and record a trained epoch, ask the callbacks; True when training
        should stop."""
        self.train_seconds += time.perf_counter() - start
        if not math.isfinite(train_loss):
            return self._diverged(epoch, "the loss became infinite or NaN")
        val_loss, val_acc = self.validate()
        logs = {"train_loss": train_loss, "train_accuracy": train_acc, "val_loss": val_loss,
                "val_accuracy": val_acc, "lr": self.learner.learning_rate,
                "seconds": time.perf_counter() - start}
        self.history.record(**logs)
        self.epoch = epoch
        self._report_epoch(epoch)
        self.best.update(epoch, val_acc, self.learner.get_weights)
        logs["train_seconds"] = self.train_seconds
        votes = [cb.on_epoch_end(epoch, logs, self.learner) for cb in self.callbacks]
        if train_loss > self._explode_at:
            return self._diverged(epoch, f"its mean loss {train_loss:.3g} is over "
                                         f"{DIVERGENCE_FACTOR:g}× that of guessing")
        self.learner.learning_rate *= self.config.lr_decay
        if any(votes):
            self.history.stop_reason = "early_stop"
        return any(votes)

    def _diverged(self, epoch: int, why: str) -> bool:
        kept = (f"kept the weights of epoch {self.best.epoch}" if self.best.epoch
                else "no epoch finished, kept the initial weights")
        c = self.config
        advice = f"a smaller learning rate than {c.learning_rate:g}"
        if c.weight_decay * c.learning_rate >= 0.1:  # the decay alone overshoots
            advice += f" or a smaller weight decay than {c.weight_decay:g}"
        self.divergence = f"training diverged in epoch {epoch}: {why}; {kept}. Try {advice}."
        self.history.diverged, self.history.stop_reason = True, "diverged"
        return True

    def _train_epoch(self, epoch: int) -> tuple[float, float]:
        """One pass over the shuffled training set -> (mean loss, accuracy).

        A non-finite loss ends the pass at once and returns it as the mean loss.
        """
        c = self.config
        n = len(self.X_train)
        losses = np.empty(math.ceil(n / c.batch_size))
        correct = 0
        train_step = self.learner.train_step
        bar = tqdm(total=len(losses), desc=f"epoch {epoch}/{c.max_epoch}", unit="batch",
                   disable=None if self.progress else True, leave=False, dynamic_ncols=True)
        for i, (xb, yb) in enumerate(self._batches(self.rng.permutation(n))):
            loss, hits = train_step(xb, yb)
            if not math.isfinite(loss):
                bar.close()
                return loss, float("nan")
            losses[i] = loss
            correct += hits
            if (i + 1) % c.display_freq == 0:
                bar.update(c.display_freq)
                bar.set_postfix(loss=f"{loss:.3f}", acc=f"{hits / len(yb):.3f}", refresh=False)
        bar.close()
        self.history.iteration_loss.extend(losses.tolist())
        return float(losses.mean()), correct / n

    def _batches(self, order: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The epoch's mini-batches (x, y), rows taken in ``order``, as the learner takes
        them: distorted by ``augment`` and mapped by ``features``.

        Rows are gathered at least ``FEATURE_ROWS`` at a time, a whole number of batches
        (their features stay in cache for the steps, and the whole set is never copied),
        and cut into batches. ``features`` maps every row on its own, so mapping many
        rows in one call gives the numbers of one call per batch, whose cost is over a
        third of a batch-of-1 step. Measured per epoch on full MNIST: batch 100 in
        chunks of 100 rows 53 ms, of 200 57 ms, of 800 65 ms; batch 10 fastest at 60.
        ``augment`` draws from the Solver's generator, so it takes one batch at a time,
        as it always has.
        """
        X, y, B = self.X_train, self.y_train, self.config.batch_size
        rows = B if self.augment is not None else max(B, FEATURE_ROWS // B * B)
        for start in range(0, len(order), rows):
            taken = order[start:start + rows]
            xs, ys = X.take(taken, axis=0), y.take(taken)
            if self.augment is not None:
                xs = self.augment(xs, self.rng)
            if self.features is not None:
                xs = self.features(xs)
            for lo in range(0, len(taken), B):
                yield xs[lo:lo + B], ys[lo:lo + B]

    def validate(self) -> tuple[float, float]:
        """Loss and accuracy on the validation split (nan, nan when there is none)."""
        if len(self.y_val) == 0:
            return float("nan"), float("nan")
        return self.learner.evaluate(self.X_val, self.y_val, self.features)

    def test(self, X_test: np.ndarray, y_test: np.ndarray) -> tuple[float, float]:
        """Loss and accuracy on a held-out set (same form as X_train), in large batches."""
        return self.learner.evaluate(X_test, y_test, self.features)

    # -- checkpoints ---------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to go on from here: weights, optimizer, RNG, history …"""
        return {"epoch": self.epoch, "weights": self.learner.get_weights(),
                "optimizer": self.learner.state(), "rng": self.rng.bit_generator.state,
                "history": self.history.to_dict(), "train_seconds": self.train_seconds,
                "stopper": self.stopper.state() if self.stopper else None,
                "best": {"val_accuracy": self.best.value, "epoch": self.best.epoch,
                         "weights": [w.copy() for w in self.best.weights]}}

    def load_state(self, state: dict[str, Any]) -> None:
        """Continue from a ``state_dict`` of a run with the same data and config."""
        self.epoch = int(state["epoch"])
        self.learner.set_weights(state["weights"])
        self.learner.load_state(state["optimizer"])
        self.rng.bit_generator.state = state["rng"]
        self.history = History.from_dict(state["history"])
        self.train_seconds = float(state["train_seconds"])
        if self.stopper and state["stopper"] is not None:
            self.stopper.load_state(state["stopper"])
        best = state["best"]
        self.best = BestEpoch(float(best["val_accuracy"]), int(best["epoch"]),
                              list(best["weights"]))

    def _report_epoch(self, epoch: int) -> None:
        if not self.progress:
            return
        h = self.history.history
        tqdm.write(f"epoch {epoch:>3}/{self.config.max_epoch}  "
                   f"train loss {h['train_loss'][-1]:.4f} acc {h['train_accuracy'][-1]:.2%}  "
                   f"val loss {h['val_loss'][-1]:.4f} acc {h['val_accuracy'][-1]:.2%}  "
                   f"lr {h['lr'][-1]:.4g}  {h['seconds'][-1]:.2f}s", file=sys.stderr)


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
            f"features=pipeline.transform to apply it to each batch — or pass X / 255.")
