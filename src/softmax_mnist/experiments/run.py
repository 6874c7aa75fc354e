"""One run of a study, as a worker trains it: ``RunSpec`` in, ``RunRecord`` out.

Workers train many runs on one data set. Each keeps the last prepared pipeline (fitted on
the training split) for its next runs with the same preprocessing, keyed by a
fingerprint of the data's content.
"""

from __future__ import annotations

import json
import math
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from ..data import Dataset
from ..fileio import finite
from ..model import ModelSpec
from ..nn.architecture import count_macs, parse_architecture
from ..runner import Prepared, final_evaluation, fit_network, prepare
from ..teaching.impls import impl_learner
from ..training import EvaluationCurve, LearnerFactory, TrainConfig

ITERATION_POINTS = 400  # per-iteration losses are returned as at most this many block means


@dataclass(frozen=True)
class RunSpec:
    """What a worker trains: a TrainConfig (seed included) and a ModelSpec.

    ``keep_weights`` returns the first layer's weights and the test predictions (for the
    report's diagnostics). ``impl``: a student's folder (lab 1's ``loss.py`` and
    ``optimizer.py`` or lab 2's layers), which then trains the run (each worker imports
    it); not part of ``key``, since a report uses one implementation.
    """

    config: TrainConfig
    model: ModelSpec = field(default_factory=ModelSpec)
    keep_weights: bool = False
    impl: str | None = None

    @property
    def learner(self) -> LearnerFactory | None:
        """What trains the run: the student's classes with ``impl``, else ours (None)."""
        return impl_learner(self.impl, self.model) if self.impl is not None else None

    @property
    def key(self) -> str:
        """Identical runs share a key (and are trained once)."""
        return json.dumps([self.model.to_dict(), self.config.to_dict()], sort_keys=True)

    def cost(self, n_train: int) -> float:
        """Rough seconds, for scheduling long runs first: per-step and per-image costs
        (a network's per-image cost grows with its multiply-adds, relative to 784 × 10)."""
        steps = math.ceil(n_train / self.config.batch_size)
        macs = count_macs(parse_architecture(self.model.architecture), 784, 10) / 7840
        return self.config.max_epoch * (steps * 6e-5 + n_train * 2.5e-6 * macs)


@dataclass(frozen=True)
class ModelInfo:
    """The shape and cost of a run's model, for the ablation table."""

    spec: str  # the fitted pipeline's spec, e.g. "deskew,scale,center-pixel"
    hidden: list[int]
    features: int
    parameters: int
    preprocess_seconds: float
    step_values: list[float]  # the numbers in the spec (pca:50 -> 50)
    architecture: str = ""  # the hidden layers as text, e.g. "fc:256" or "conv:32:5,pool:2"


@dataclass(frozen=True)
class KeptWeights:
    """For the diagnostics: the first layer's W (D, C) and b (C,), the test predictions."""

    W: np.ndarray
    b: np.ndarray
    test_pred: np.ndarray  # (N_test,) uint8


@dataclass
class RunRecord:
    """What one run gives back (plain lists and floats; None where a value is undefined).

    Attributes:
        history: per epoch, each of EPOCH_KEYS plus ``test_loss`` and ``test_accuracy``.
        iteration_loss: block means of the mini-batch losses (at most ITERATION_POINTS),
            each over ``iterations_per_point`` batches.
        final: ``{split}_loss`` and ``{split}_accuracy`` of the final weights, for the
            splits train, val and test.
        weights: with ``RunSpec.keep_weights``; not part of ``to_dict``.
    """

    config: dict[str, Any]
    center: str
    epochs_run: int
    diverged: bool
    stop_reason: str
    best_epoch: int | None
    train_seconds: float
    history: dict[str, list[float | None]]
    iteration_loss: list[float | None]
    iterations_per_point: int
    final: dict[str, float | None]
    model_info: ModelInfo
    weights: KeptWeights | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as results.json stores it (without the weights)."""
        d = asdict(self)
        del d["weights"]
        return d


_LAST_PREPARED: dict[tuple[str, str, str, bool], Prepared] = {}


def data_key(data: Dataset) -> str:
    """A fingerprint of a data set's content, so workers can reuse its preprocessing."""
    crc = 0
    for array in (data.X_train, data.y_train, data.X_val, data.y_val, data.X_test,
                  data.y_test):
        crc = zlib.crc32(np.ascontiguousarray(array).data, crc)
    return f"{data.name}:{len(data.y_train)}:{len(data.y_val)}:{len(data.y_test)}:{crc:08x}"


def _prepared(data: Dataset, model: ModelSpec, fingerprint: str, keep_raw: bool) -> Prepared:
    """The preprocessing of ``model`` fitted on the training split, kept for the next run
    (``keep_raw``: with the raw images, for augmentation)."""
    key = (fingerprint, model.center, model.preprocess, keep_raw)
    if key not in _LAST_PREPARED:
        _LAST_PREPARED.clear()  # one data set and pipeline at a time
        # the images stay uint8 (memory-mapped from the parent) when features are cheap
        splits = {name: (np.asarray(X), y) for name, (X, y) in data.splits().items()}
        _LAST_PREPARED[key] = prepare(model.pipeline(), splits, keep_raw)
    return _LAST_PREPARED[key]


def forget_prepared() -> None:
    """Drop the kept pipeline (after a study, so its arrays can be freed)."""
    _LAST_PREPARED.clear()


def run_one(spec: RunSpec, data: Dataset, fingerprint: str) -> RunRecord:
    """Train one run and test it after every epoch (the test curve is only reported)."""
    prepared = _prepared(data, spec.model, fingerprint, spec.config.augment != "none")
    X_test, y_test = prepared.splits["test"]
    curve = EvaluationCurve(X_test, y_test, prepared.features_of("test"))
    solver = fit_network(prepared, spec.model, spec.config, len(data.classes),
                         callbacks=[curve], learner=spec.learner)
    network, history = solver.network, solver.history
    n = history.epochs_run
    final = {f"{split}_{what}": value
             for split, pair in final_evaluation(prepared, solver).items()
             for what, value in zip(("loss", "accuracy"), pair, strict=True)}
    losses, per_point = block_means(history.iteration_loss, ITERATION_POINTS)
    info = ModelInfo(prepared.pipeline.spec, list(spec.model.hidden), prepared.num_features,
                     network.num_parameters, prepared.seconds,
                     _step_values(prepared.pipeline.spec), spec.model.architecture)
    weights = None
    if spec.keep_weights:
        fc = network.fc_layers[0]
        with threadpool_limits(limits=solver.blas_threads, user_api="blas"):
            test_pred = network.logits(X_test, prepared.features_of("test")).argmax(axis=1)
        weights = KeptWeights(fc.params["W"].copy(), fc.params["b"].copy(),
                              test_pred.astype(np.uint8))
    return RunRecord(
        config=spec.config.to_dict(), center=spec.model.center, epochs_run=n,
        diverged=history.diverged, stop_reason=history.stop_reason,
        best_epoch=history.best_epoch, train_seconds=solver.train_seconds,
        history=finite({**history.history, "test_loss": curve.losses[:n],
                        "test_accuracy": curve.accuracies[:n]}),
        iteration_loss=losses, iterations_per_point=per_point, final=finite(final),
        model_info=info, weights=weights)


def _step_values(spec: str) -> list[float]:
    """The numbers in a pipeline's spec (``pca:50`` -> 50), as data for the report."""
    return [float(t.split(":")[1]) for t in spec.split(",") if ":" in t]


def block_means(values: Sequence[float], points: int) -> tuple[list[float | None], int]:
    """Average consecutive blocks so that at most ``points`` values remain.

    Returns (means, block length). Non-finite values are left out of their block; a
    block with none left is None.
    """
    v = np.asarray(values, dtype=np.float64)
    if len(v) == 0:
        return [], 1
    size = max(1, math.ceil(len(v) / points))
    pad = (-len(v)) % size
    blocks = np.concatenate([v, np.full(pad, np.nan)]).reshape(-1, size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "mean of empty slice"
        means = np.nanmean(np.where(np.isfinite(blocks), blocks, np.nan), axis=1)
    return finite(means.tolist()), size
