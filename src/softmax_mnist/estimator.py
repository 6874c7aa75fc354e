"""A scikit-learn estimator around the NumPy network and solver.

``SoftmaxRegression`` is the lab's model — or, with ``hidden_layer_sizes``, the MLP,
with ``layers`` any network such as a CNN — behind scikit-learn's interface: ``fit``,
``predict``, ``predict_proba``, ``decision_function``, ``score``,
``get_params``/``set_params``, ``classes_``, ``n_features_in_``. It works inside
``Pipeline``, ``GridSearchCV`` and ``cross_val_score``, and passes
``sklearn.utils.estimator_checks``.

scikit-learn is an optional extra (``pip install "softmax-mnist[sklearn]"``); the
rest of the package never imports it. Training is the package's one training path
(:func:`softmax_mnist.runner.prepare` and :func:`~softmax_mnist.runner.fit_network`):
the same Pipeline steps, Network and Solver as ``softmax-mnist train``, the same numbers.

Example::

    from sklearn.model_selection import GridSearchCV
    from softmax_mnist import SoftmaxRegression, load_mnist

    data = load_mnist()
    search = GridSearchCV(SoftmaxRegression(max_epoch=5, random_state=0),
                          {"learning_rate": [0.01, 0.1], "momentum": [0.0, 0.9]}, cv=3)
    search.fit(data.X_train[:5000], data.y_train[:5000])
    search.best_params_, search.score(data.X_test, data.y_test)
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .data import IMAGE_PIXELS
from .model import Model, ModelSpec
from .nn import softmax
from .preprocessing import CenterPixels, Pipeline, Scale
from .runner import fit_network, prepare
from .training import History, TrainConfig
from .training.options import Option, check_options

__all__ = ["SoftmaxRegression"]

ESTIMATOR_OPTIONS = {
    "validation_fraction": Option(float, "share of the training data that validates",
                                  low=0, high=1, closed="neither"),
    "scale": Option(float, "divide features by this", low=0, closed="neither"),
}


class SoftmaxRegression(ClassifierMixin, BaseEstimator):
    """Softmax regression (multinomial logistic regression) trained by mini-batch SGD
    with momentum — or an MLP, with ``hidden_layer_sizes``, or any network of ``layers``.

    Features are divided by ``scale`` (by default the largest absolute training
    value: 255 for MNIST pixels, giving [0, 1]) and, with ``center``, the per-feature
    training mean is subtracted — the lab's preprocessing, fitted in ``fit``.

    Parameters:
        hidden_layer_sizes: sizes of hidden layers; ``()`` (default) is softmax
            regression, ``(256,)`` the package's MLP.
        activation: "relu" or "sigmoid", for hidden layers.
        layers: the network's layers as text instead of ``hidden_layer_sizes``, e.g.
            ``"conv:32:5,pool:2,conv:64:5,pool:2,fc:128,dropout:0.5"`` (conv and pool
            layers need square images: 784 features for MNIST).
        optimizer: "sgd" or "adam" (then ``momentum`` is β₁; use learning_rate 0.001).
        learning_rate: η at the first epoch.
        momentum: μ in ``v = μ v + η g`` (0 = plain SGD).
        batch_size: samples per step (capped at the number of training samples).
        max_epoch: most passes over the training data.
        lr_decay: η is multiplied by this after every epoch (1 = constant).
        weight_decay: L2 penalty on the weights.
        nesterov: Nesterov momentum.
        early_stopping: hold out ``validation_fraction`` of the training data and stop
            by the lab's plateau rule, keeping the best epoch's weights.
        validation_fraction: share of the training data that validates, with
            ``early_stopping``.
        scale: divide features by this; None = max |X| of the training data.
        center: subtract the training mean of every feature.
        random_state: int, RandomState or None; fixes initialisation and shuffling.

    Attributes (after ``fit``):
        classes_: (C,) the sorted class labels. n_features_in_: D.
        network_: the trained :class:`~softmax_mnist.nn.Network`.
        history_: its :class:`~softmax_mnist.training.History`; n_iter_: epochs run.
        pipeline_: the fitted :class:`~softmax_mnist.preprocessing.Pipeline` (scale, then
        the centring); scale_: the divisor used.
    """

    def __init__(self, hidden_layer_sizes: Sequence[int] = (), activation: str = "relu",
                 layers: str = "", optimizer: str = "sgd",
                 learning_rate: float = 0.1, momentum: float = 0.9, batch_size: int = 100,
                 max_epoch: int = 20, lr_decay: float = 0.9, weight_decay: float = 0.0,
                 nesterov: bool = False, early_stopping: bool = False,
                 validation_fraction: float = 0.1, scale: float | None = None,
                 center: bool = True, random_state: int | np.random.RandomState | None = None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.layers = layers
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_epoch = max_epoch
        self.lr_decay = lr_decay
        self.weight_decay = weight_decay
        self.nesterov = nesterov
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.scale = scale
        self.center = center
        self.random_state = random_state

    # -- fitting --------------------------------------------------------------------------

    def fit(self, X, y) -> SoftmaxRegression:
        """Train on X: (N, D) numbers and y: (N,) class labels of any type. Returns self."""
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"SoftmaxRegression needs samples of at least 2 classes; "
                             f"got only one class ({self.classes_[0]!r}).")
        seed = self._seed()
        train_rows, val_rows = self._split(len(y), seed)
        spec = ModelSpec(hidden=tuple(self.hidden_layer_sizes), activation=self.activation,
                         layers=self.layers)
        config = self._config(len(train_rows), seed)
        self.scale_ = self._fit_scale(X[train_rows])
        steps = [Scale(self.scale_), *([CenterPixels()] if self.center else [])]
        X32 = X.astype(np.float32, copy=False)  # trained in float32, as every network
        prepared = prepare(Pipeline(steps), {"train": (X32[train_rows], y_index[train_rows]),
                                             "val": (X32[val_rows], y_index[val_rows])})
        solver = fit_network(prepared, spec, config, len(self.classes_))
        self.pipeline_, self.network_ = prepared.pipeline, solver.network
        self.history_: History = solver.history
        self.n_iter_ = self.history_.epochs_run
        if self.history_.diverged:
            warnings.warn("training diverged (the loss exploded); the last good weights are "
                          "kept. Try a smaller learning_rate.", ConvergenceWarning,
                          stacklevel=2)
        return self

    def _seed(self) -> int:
        rs = self.random_state
        if isinstance(rs, numbers.Integral) and not isinstance(rs, bool) and rs >= 0:
            return int(rs)
        return int(check_random_state(rs).randint(np.iinfo(np.int32).max))

    def _split(self, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Row indices (train, validation); validation only with early_stopping."""
        if not self.early_stopping:
            return np.arange(n), np.arange(0)
        check_options({"validation_fraction": self.validation_fraction}, ESTIMATOR_OPTIONS)
        n_val = round(n * self.validation_fraction)
        if not 0 < n_val < n:
            raise ValueError(f"early_stopping needs at least one training and one "
                             f"validation sample; {n} samples × validation_fraction "
                             f"{self.validation_fraction} gives {n_val} for validation.")
        order = np.random.default_rng(seed).permutation(n)
        return np.sort(order[n_val:]), np.sort(order[:n_val])

    def _fit_scale(self, X: np.ndarray) -> float:
        if self.scale is None:
            peak = float(np.abs(X).max()) if X.size else 0.0
            return peak if peak > 0 else 1.0
        check_options({"scale": self.scale}, ESTIMATOR_OPTIONS)
        return float(self.scale)

    def _config(self, n_train: int, seed: int) -> TrainConfig:
        batch = self.batch_size
        if isinstance(batch, numbers.Integral) and not isinstance(batch, bool):
            batch = min(int(batch), n_train)  # invalid values still reach the check
        return TrainConfig(
            max_epoch=self.max_epoch, batch_size=batch, learning_rate=self.learning_rate,
            momentum=self.momentum, nesterov=self.nesterov, weight_decay=self.weight_decay,
            lr_decay=self.lr_decay, early_stop="plateau" if self.early_stopping else "none",
            restore_best_weights=True, seed=seed, optimizer=self.optimizer)

    # -- predicting -----------------------------------------------------------------------

    def decision_function(self, X) -> np.ndarray:
        """Class scores (logits) for X: (N, D) -> (N, C); for two classes, (N,) with
        positive values meaning ``classes_[1]``, as scikit-learn expects."""
        z = self._logits(X)
        return z[:, 1] - z[:, 0] if len(self.classes_) == 2 else z

    def predict_proba(self, X) -> np.ndarray:
        """X: (N, D) -> probabilities (N, C), columns in the order of ``classes_``,
        rows summing to 1."""
        return softmax(self._logits(X))

    def predict_log_proba(self, X) -> np.ndarray:
        """X: (N, D) -> log-probabilities (N, C)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        """X: (N, D) -> labels (N,), values from ``classes_``."""
        best = self._logits(X).argmax(axis=1)  # checks that fit ran, before classes_
        return self.classes_[best]

    def _logits(self, X) -> np.ndarray:
        """(N, C) logits, computed in float64 so that results do not depend on how the
        rows are batched."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return self.network_.logits(self.pipeline_.transform(X.astype(np.float64, copy=False)))

    # -- interop --------------------------------------------------------------------------

    def to_model(self) -> Model:
        """The fitted estimator as a :class:`~softmax_mnist.model.Model` for raw
        28×28 uint8 images — to ``save`` and use with ``softmax-mnist predict``.
        Needs 784 features and ``scale_ == 255`` (pixels 0..255)."""
        check_is_fitted(self)
        if self.n_features_in_ != IMAGE_PIXELS or self.scale_ != 255:
            raise ValueError(f"to_model needs {IMAGE_PIXELS} pixel features scaled by 255, got "
                             f"{self.n_features_in_} features scaled by {self.scale_:g}.")
        return Model(self.network_, self.pipeline_, [str(c) for c in self.classes_],
                     metadata={"estimator": repr(self), "hidden": list(self.hidden_layer_sizes),
                               "architecture": self.network_.architecture},
                     activation=self.activation)
