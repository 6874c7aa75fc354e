"""One training run end to end: data → preprocessing → network → solver → test.

``prepare`` (fit the preprocessing on the training split) and ``fit_network`` (build the
network, make the Solver, train) are the one training path: ``train`` below, every run
of the experiments and the scikit-learn estimator go through them. The test set is
touched once, after training, to report; nothing is chosen on it.
"""

from __future__ import annotations

import os
import platform
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import signals
from ._version import __version__
from .data import Dataset, load_dataset
from .errors import ConfigError
from .fileio import finite, write_json
from .model import Model, ModelSpec
from .outputs import OutputFolder
from .plots import LiveCurves, plot_curves
from .preprocessing import Pipeline
from .preprocessing.augment import augmenter
from .teaching.adapter import course_parts, refuse_unsupported
from .teaching.student import implementation_record
from .training import Callback, History, Solver, TrainConfig, TrainingInterrupted
from .training.checkpoint import NAME as CHECKPOINT
from .training.checkpoint import save_checkpoint

Splits = dict[str, tuple[np.ndarray, np.ndarray]]  # "train"/"val"/"test" -> (X, y)


@dataclass(frozen=True)
class Prepared:
    """A fitted pipeline and the splits as the Solver takes them.

    When every step is cheap (or the raw images are needed: ``--augment``), the training
    split keeps its raw rows (uint8 images: 4× less memory to walk through every epoch)
    and ``features`` maps each batch; the other splits, evaluated whole after every
    epoch, hold their features already. Otherwise every split holds its features and
    ``features`` is None.
    """

    pipeline: Pipeline
    splits: Splits
    features: Callable[[np.ndarray], np.ndarray] | None
    num_features: int
    seconds: float  # spent fitting and precomputing

    def features_of(self, split: str) -> Callable[[np.ndarray], np.ndarray] | None:
        """The map that turns ``splits[split]`` rows into the network's input."""
        return self.features if split == "train" else None


def prepare(pipeline: Pipeline, splits: Splits, keep_raw: bool = False) -> Prepared:
    """Fit ``pipeline`` on ``splits["train"]`` only, then ready every split for training;
    ``keep_raw``: keep the raw rows even when the pipeline is not cheap (augmentation
    distorts the raw images of each batch, before the pipeline)."""
    started = time.perf_counter()
    X_train = splits["train"][0]
    train_features = pipeline.fit_transform(X_train)
    features = pipeline.transform if pipeline.cheap or keep_raw else None
    ready = {name: (X if name == "train" and features else
                    train_features if name == "train" else pipeline.transform(X), y)
             for name, (X, y) in splits.items()}
    return Prepared(pipeline, ready, features, train_features.shape[1],
                    time.perf_counter() - started)


def fit_network(prepared: Prepared, spec: ModelSpec, config: TrainConfig, num_classes: int,
                *, callbacks: Sequence[Callback] = (), progress: bool = False,
                resume_state: dict[str, Any] | None = None,
                impl: str | os.PathLike[str] | None = None) -> Solver:
    """Build ``spec``'s network for the prepared features and train it on their splits.

    Returns the Solver after training: its ``network``, ``history``, ``train_seconds``
    and ``divergence``. With ``resume_state`` (a Solver ``state_dict``) training goes on
    from there. With ``impl``, a folder with a student's ``loss.py`` and ``optimizer.py``
    (the course interface), their ``SoftmaxCrossEntropyLoss`` and ``SGD`` train instead of
    ours, from the same initial weights (see :mod:`softmax_mnist.teaching.adapter`); the
    returned Solver's ``network`` is then one of ours holding their trained W and b.

    With ``config.augment``, every training batch is distorted at random before its
    features are computed (``prepared`` must keep the raw images: ``prepare(…,
    keep_raw=True)``).

    Raises:
        TrainingInterrupted: on Ctrl-C; it carries a checkpoint of the last epoch.
        ConfigError: ``impl`` with hidden layers, Nesterov momentum, weight decay, Adam
            or the MSE loss.
    """
    (X_train, y_train), (X_val, y_val) = prepared.splits["train"], prepared.splits["val"]
    augment = augmenter(config.augment)
    if augment is not None and prepared.features is None:
        raise ConfigError("{augment} distorts raw images, but the splits hold precomputed "
                          "features: prepare(…, keep_raw=True).", params=("augment",))
    network = spec.network(prepared.num_features, num_classes, config.seed)
    course = loss = optimizer = None
    if impl is not None:
        refuse_unsupported(spec, config)
        course = course_parts(impl, network, config)
        network, loss, optimizer = course.network, course.loss, course.optimizer
    solver = Solver(network, X_train, y_train, X_val, y_val, config, loss=loss,
                    optimizer=optimizer, features=prepared.features,
                    val_features=prepared.features_of("val"), augment=augment,
                    callbacks=callbacks, progress=progress)
    if resume_state is not None:
        solver.load_state(resume_state)
    solver.train()
    if course is not None:
        solver.network = course.network.to_network()
    return solver


@dataclass
class RunResult:
    """A trained model, its History and the metrics written to ``metrics.json``."""

    model: Model
    history: History
    metrics: dict[str, Any]

    @property
    def test_accuracy(self) -> float:
        """Accuracy on the test split, in [0, 1]."""
        return self.metrics["test_accuracy"]

    def summary(self) -> str:
        """One line: test, validation and train accuracy, epochs, seconds, data set."""
        m = self.metrics
        status = "DIVERGED (best epoch kept): " if m["diverged"] else ""
        val = "–" if m["val_accuracy"] is None else f"{m['val_accuracy']:.2%}"
        return (f"{status}test accuracy {m['test_accuracy']:.2%} (loss {m['test_loss']:.4f}), "
                f"val {val}, train {m['train_accuracy']:.2%} after "
                f"{m['epochs_run']} epoch{'' if m['epochs_run'] == 1 else 's'} in "
                f"{m['train_seconds']:.2f}s [{m['dataset']}]")

    def save(self, out_dir: str | os.PathLike[str]) -> Path:
        """Write ``model.npz``, ``metrics.json`` and ``curves.png`` into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save(out / "model.npz")
        write_json(out / "metrics.json", self.metrics)
        if self.history.epochs_run:
            plot_curves(self.history, out / "curves.png",
                        title=f"{self.metrics['dataset']}: test accuracy "
                              f"{self.metrics['test_accuracy']:.2%}")
        return out


RUN_KEYS = ("dataset", "data_dir", "val_size", "allow_download", "spec", "config")
"""The arguments of a run as ``run_and_save`` takes them (and checkpoints keep them)."""
OPTIONAL_RUN_KEYS = ("impl",)  # a student's folder (train --impl)
RUN_FILES = ("model.npz", "metrics.json", CHECKPOINT)
"""The files that mark a folder as holding a run (``curves.png`` goes with them)."""
LIVE_CURVES = ".curves-live.png"
"""The live curves while a run replaces an earlier complete one (removed at the end)."""


def run_and_save(folder: OutputFolder, run: dict[str, Any], *, progress: bool = True,
                 resume_state: dict[str, Any] | None = None, data: Dataset | None = None,
                 callbacks: Sequence[Callback] = ()) -> RunResult:
    """``train(**run)`` and write its outputs into the claimed ``folder``, all at once.

    ``curves.png`` is redrawn while training runs (:class:`~softmax_mnist.plots.LiveCurves`).
    ``run`` holds the run's arguments as plain data (``dataset``, ``data_dir``,
    ``val_size``, ``allow_download``, ``spec`` and ``config`` as dicts; ``impl`` for a
    student's implementation): on Ctrl-C or
    SIGTERM it goes into ``checkpoint.npz`` with the solver's state before the
    TrainingInterrupted is passed on; a finished run removes the checkpoint. ``data``: the
    data set already loaded from ``run``'s arguments; ``callbacks``: more callbacks.
    """
    if not set(RUN_KEYS) <= set(run) <= {*RUN_KEYS, *OPTIONAL_RUN_KEYS}:
        raise ConfigError(f"run arguments must be {', '.join(RUN_KEYS)} (and may be "
                          f"{', '.join(OPTIONAL_RUN_KEYS)}), got {sorted(run)}.")
    start = History.from_dict(resume_state["history"]) if resume_state is not None else None
    # watch curves.png in an image viewer while it trains; an earlier complete run being
    # overwritten keeps its curves.png until this one is complete
    replacing = (folder.path / "metrics.json").exists()
    live_path = folder.path / (LIVE_CURVES if replacing else "curves.png")
    live = LiveCurves(live_path, start=start)
    try:
        try:
            result = train(**run, progress=progress, resume_state=resume_state,
                           callbacks=[live, *callbacks], data=data)
        except TrainingInterrupted as exc:
            with signals.deferred():
                save_checkpoint(folder.path / CHECKPOINT, exc.checkpoint, run)
            raise
        with signals.deferred():
            with folder.staging() as stage:
                result.save(stage)
            (folder.path / CHECKPOINT).unlink(missing_ok=True)
    finally:
        if replacing:
            live_path.unlink(missing_ok=True)
    return result


def train(dataset: str | None = None, data_dir: str | os.PathLike[str] | None = None,
          config: TrainConfig | dict[str, Any] | None = None, *,
          spec: ModelSpec | dict[str, Any] | None = None, data: Dataset | None = None,
          val_size: int | None = None, center: str = "pixel", preprocess: str = "",
          hidden: Sequence[int] = (), activation: str = "relu", layers: str = "",
          progress: bool = True,
          allow_download: bool = True, resume_state: dict[str, Any] | None = None,
          callbacks: Sequence[Callback] = (), impl: str | None = None,
          **options: Any) -> RunResult:
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
        impl: a folder with a student's ``loss.py`` and ``optimizer.py``, which then train
            (see :func:`fit_network`); metrics and model name it.

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
    for cb in callbacks:  # an optional hook: the fitted splits (e.g. to follow the test set)
        seen = getattr(cb, "on_prepared", None)
        if seen is not None:
            seen(prepared)
    started = time.perf_counter()
    solver = fit_network(prepared, spec, config, len(data.classes), callbacks=callbacks,
                         progress=progress, resume_state=resume_state, impl=impl)
    try:
        metrics = _metrics(data, config, spec, prepared, solver, time.perf_counter() - started)
        metrics["implementation"] = implementation_record(impl)
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

    with threadpool_limits(limits=solver.blas_threads, user_api="blas"):
        return {name: solver.network.evaluate(X, y, prepared.features_of(name)) if len(y)
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
