"""``train``: one run end to end, data → preprocessing → network → solver → test, and the
metrics that describe it."""

from __future__ import annotations

import os
import platform
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._version import __version__
from ..data import Dataset, load_dataset
from ..fileio import finite
from ..model import Model, ModelSpec
from ..training import Callback, LearnerFactory, Solver, TrainConfig, TrainingInterrupted
from .fit import Prepared, fit_network, prepare
from .result import RunResult

OUR_IMPLEMENTATION = {"by": "softmax-mnist"}
"""metrics.json's ``implementation`` of a run trained by the package's own code."""

def train(dataset: str | None = None, data_dir: str | os.PathLike[str] | None = None,
          config: TrainConfig | dict[str, Any] | None = None, *,
          spec: ModelSpec | dict[str, Any] | None = None, data: Dataset | None = None,
          val_size: int | None = None, center: str = "pixel", preprocess: str = "",
          hidden: Sequence[int] = (), activation: str = "relu", layers: str = "",
          progress: bool = True,
          allow_download: bool = True, resume_state: dict[str, Any] | None = None,
          callbacks: Sequence[Callback] = (), learner: LearnerFactory | None = None,
          implementation: dict[str, Any] | None = None, **options: Any) -> RunResult:
    """Train softmax regression (or an MLP, a CNN: ``hidden``, ``layers``) and test it.

    Args:
        dataset, data_dir, val_size, allow_download: where the data comes from
            (see :func:`softmax_mnist.data.load_dataset`); or pass a loaded ``data``.
        config: a TrainConfig (or its dict); or give its fields as keyword ``options``
            (``train(max_epoch=10, momentum=0)``).
        spec: a ModelSpec (or its dict); or give its fields as ``center`` (subtract the
            training mean per "pixel", per "image", or "none"), ``preprocess`` (extra
            steps such as ``"deskew,pca:100"``, fitted on the training split only),
            ``hidden`` and ``activation`` (for an MLP) or ``layers`` (any network, e.g.
            ``"conv:32:5,pool:2,fc:128"``).
        progress: progress bars and per-epoch lines on stderr.
        resume_state: a Solver ``state_dict`` (from an interrupted run with the same
            arguments) to continue from.
        callbacks: extra training callbacks, e.g. ``plots.NotebookCurves()`` to watch the
            curves in Jupyter.
        learner: builds the Learner that trains (see :func:`fit_network`; default ours).
        implementation: which code that is, for metrics.json and the model file (default
            ``{"by": "softmax-mnist"}``; ``teaching.student.implementation_record(folder)``
            for a student's).

    Returns:
        RunResult with the model (preprocessing included), History and metrics.

    Raises:
        TrainingInterrupted: on Ctrl-C; it carries a checkpoint of the last epoch.
    """
    if isinstance(config, dict):
        config = TrainConfig.from_dict(config)
    config = config if config is not None else TrainConfig.from_dict(options)
    if isinstance(spec, dict):
        spec = ModelSpec.from_dict(spec)
    spec = spec if spec is not None else ModelSpec(center, preprocess, tuple(hidden),
                                                   activation, layers)
    if data is None:
        data = load_dataset(dataset, data_dir, val_size=val_size,
                            allow_download=allow_download, progress=progress)
    prepared = prepare(spec.pipeline(), data.splits(), keep_raw=config.augment != "none")
    for cb in callbacks:
        cb.on_prepared(prepared)
    started = time.perf_counter()
    solver = fit_network(prepared, spec, config, len(data.classes), callbacks=callbacks,
                         progress=progress, resume_state=resume_state, learner=learner)
    try:
        metrics = _metrics(data, config, spec, prepared, solver, time.perf_counter() - started)
        metrics["implementation"] = implementation or OUR_IMPLEMENTATION
    except KeyboardInterrupt as exc:  # training is over: keep it, resuming only evaluates
        raise TrainingInterrupted(solver.state_dict(), solver.epoch,
                                  getattr(exc, "signum", signal.SIGINT)) from None
    model = Model(solver.network, prepared.pipeline, data.classes, activation=spec.activation,
                  metadata={k: metrics[k] for k in ("dataset", "config", "test_accuracy",
                                                    "val_accuracy", "hidden", "architecture",
                                                    "preprocess", "version",
                                                    "implementation")})
    return RunResult(model, solver.history, metrics)


def final_evaluation(prepared: Prepared, solver: Solver) -> dict[str, tuple[Any, Any]]:
    """{split: (loss, accuracy)} of the trained network, on the BLAS threads it trained on
    (float32 sums on another number of threads differ in the seventh digit: the same run
    gives the same numbers in a report's worker and in ``train``)."""
    from threadpoolctl import threadpool_limits

    network = solver.network
    # a diverged run's weights overflow here too (its History says so already)
    with threadpool_limits(limits=solver.blas_threads, user_api="blas"), \
            np.errstate(over="ignore", invalid="ignore"):
        return {name: network.evaluate(X, y, prepared.features_of(name)) if len(y)
                else (None, None) for name, (X, y) in prepared.splits.items()}


def _metrics(data: Dataset, config: TrainConfig, spec: ModelSpec, prepared: Prepared,
             solver: Solver, wall: float) -> dict[str, Any]:
    final = final_evaluation(prepared, solver)
    history = solver.history
    return finite({
        "dataset": data.name,
        "data_source": data.source,
        "sizes": {"train": len(data.y_train), "val": len(data.y_val), "test": len(data.y_test)},
        "config": config.to_dict(),
        "preprocess": {"center": spec.center, "steps": spec.preprocess,
                       "spec": prepared.pipeline.spec},
        "hidden": list(spec.hidden),
        "architecture": spec.architecture,
        "activation": spec.activation if spec.architecture else None,
        "parameters": solver.network.num_parameters,
        "train_accuracy": final["train"][1], "train_loss": final["train"][0],
        "val_accuracy": final["val"][1], "val_loss": final["val"][0],
        "test_accuracy": final["test"][1], "test_loss": final["test"][0],
        "epochs_run": history.epochs_run,
        "best_epoch": history.best_epoch,
        "stop_reason": history.stop_reason,
        "diverged": history.diverged,
        "divergence": solver.divergence,
        "train_seconds": solver.train_seconds,
        "wall_seconds": wall,
        "preprocess_seconds": prepared.seconds,
        "history": history.to_dict(),
        "version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": f"{platform.system()} {platform.machine()}",
        "argv": sys.argv[1:],
    })
