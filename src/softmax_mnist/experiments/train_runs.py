"""``softmax-mnist train`` and the run cache: a train run is kept as the report keeps its
runs (a ``RunRecord``, so that ``train --model cnn`` with its defaults *is* the ladder's CNN
rung) plus its ``model.npz`` and ``metrics.json``, which a later ``train`` with the same
key writes again instead of training.

The record is the one a report's worker would make of the same run: :class:`TestCurve`
follows the test split after every epoch as ``run.run_one`` does, and :func:`train_record`
fills the rest from the result.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from ..data import Dataset
from ..errors import ModelFileError
from ..fileio import finite
from ..model import Model, ModelSpec
from ..runner import Prepared, RunResult
from ..training import EvaluationCurve, History, TrainConfig
from .run import (
    ITERATION_POINTS,
    KeptWeights,
    ModelInfo,
    RunRecord,
    RunSpec,
    _step_values,
    block_means,
)
from .runcache import RunCache, thread_sensitive

OUTPUTS = ("model.npz", "metrics.json")  # what train writes besides curves.png (redrawn)


class TestCurve(EvaluationCurve):
    """The test split's loss and accuracy after every epoch, taken from the prepared
    splits (``runner.train`` calls ``on_prepared``); recorded, never used to choose."""

    def __init__(self) -> None:
        super().__init__(np.empty((0, 0)), np.empty(0))
        self.prepared: Prepared | None = None

    def on_prepared(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.X, self.y = prepared.splits["test"]
        self.features = prepared.features_of("test")


def train_spec(spec: ModelSpec, config: TrainConfig, impl: str | None) -> RunSpec:
    """The RunSpec of a train run (the report's diagnostics keep the weights of the linear
    default run, so those of a linear run on one BLAS thread are kept too)."""
    run = RunSpec(config, spec, impl=impl)
    return replace(run, keep_weights=not thread_sensitive(run))


def train_record(run: RunSpec, result: RunResult, curve: TestCurve) -> RunRecord:
    """The RunRecord of a finished train run, as ``run.run_one`` would have made it."""
    m, history = result.metrics, result.history
    n = history.epochs_run
    prepared = curve.prepared
    assert prepared is not None  # runner.train prepares before it trains
    network = result.model.network
    losses, per_point = block_means(history.iteration_loss, ITERATION_POINTS)
    info = ModelInfo(m["preprocess"]["spec"], list(run.model.hidden), prepared.num_features,
                     m["parameters"], m["preprocess_seconds"],
                     _step_values(m["preprocess"]["spec"]), run.model.architecture)
    weights = None
    if run.keep_weights:
        fc = network.fc_layers[0]
        with threadpool_limits(limits=1, user_api="blas"):  # as the Solver trained it
            test_pred = network.logits(curve.X, curve.features).argmax(axis=1)
        weights = KeptWeights(fc.params["W"].copy(), fc.params["b"].copy(),
                              test_pred.astype(np.uint8))
    final = {f"{split}_{what}": m[f"{split}_{what}"] for split in ("train", "val", "test")
             for what in ("loss", "accuracy")}
    return RunRecord(
        config=run.config.to_dict(), center=run.model.center, epochs_run=n,
        diverged=history.diverged, stop_reason=history.stop_reason,
        best_epoch=history.best_epoch, train_seconds=m["train_seconds"],
        history=finite({**history.history, "test_loss": curve.losses[:n],
                         "test_accuracy": curve.accuracies[:n]}),
        iteration_loss=losses, iterations_per_point=per_point, final=final,
        model_info=info, weights=weights)


def kept_result(cache: RunCache, run: RunSpec, data: Dataset,
                threads: int | None) -> RunResult | None:
    """The result of an earlier train run with the same key, from the cache (its model
    file and metrics checked as any model file is); None when there is none."""
    found = cache.outputs(run, data, threads, OUTPUTS)
    if found is None:
        return None
    _, paths = found
    try:
        model = Model.load(paths["model.npz"])
        metrics: dict[str, Any] = json.loads(paths["metrics.json"].read_text(encoding="utf-8"))
        history = History.from_dict(metrics["history"])
    except (ModelFileError, OSError, ValueError, KeyError, TypeError):
        cache.reused -= 1
        return None
    return RunResult(model, history, metrics)
