"""One training run end to end: data → preprocessing → network → solver → test.

This is the course's ``runner`` as a function. The test set is touched once, after
training, to report; nothing is chosen on it.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .callbacks import History
from .checkpoint import NAME as CHECKPOINT
from .checkpoint import save_checkpoint
from .config import TrainConfig
from .data import Dataset, load_dataset
from .fileio import write_json
from .model import Model, Network
from .plots import plot_curves
from .preprocessing import Pipeline
from .solver import Solver, TrainingInterrupted


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
                f"{m['epochs_run']} epochs in {m['train_seconds']:.2f}s [{m['dataset']}]")

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


def run_and_save(out: str | os.PathLike[str], run: dict[str, Any], *, progress: bool = True,
                 resume_state: dict[str, Any] | None = None) -> RunResult:
    """``train(**run)`` and write its outputs into ``out``.

    On Ctrl-C a checkpoint with ``run`` goes to ``out/checkpoint.npz`` before the
    TrainingInterrupted is passed on; a finished run removes it.
    """
    out = Path(out)
    try:
        result = train(**run, progress=progress, resume_state=resume_state)
    except TrainingInterrupted as exc:
        save_checkpoint(out / CHECKPOINT, exc.checkpoint, run)
        raise
    result.save(out)
    (out / CHECKPOINT).unlink(missing_ok=True)
    return result


def train(dataset: str = "mnist", data_dir: str | os.PathLike[str] | None = None,
          config: TrainConfig | dict[str, Any] | None = None, *,
          data: Dataset | None = None,
          val_size: int | None = None, center: str = "pixel", preprocess: str = "",
          hidden: Sequence[int] = (),
          activation: str = "relu", progress: bool = True, allow_download: bool = True,
          resume_state: dict[str, Any] | None = None, **options: Any) -> RunResult:
    """Train softmax regression (or an MLP with ``hidden`` layers) and test it.

    Args:
        dataset, data_dir, val_size, allow_download: where the data comes from
            (see :func:`softmax_mnist.data.load_dataset`); or pass a loaded ``data``.
        config: a TrainConfig (or its dict); or give its fields as keyword ``options``
            (``train(max_epoch=10, momentum=0)``).
        center: subtract the training mean per "pixel" (default), per "image", or "none".
        preprocess: extra steps, e.g. ``"deskew,pca:100"`` (see
            :meth:`softmax_mnist.preprocessing.Pipeline.build` for the order they run in);
            fitted on the training split only.
        hidden, activation: hidden layer sizes and their activation, for an MLP.
        progress: progress bars and per-epoch lines on stderr.
        resume_state: a Solver ``state_dict`` (from an interrupted run with the same
            arguments) to continue from.

    Returns:
        RunResult with the model (preprocessing included), History and metrics.

    Raises:
        TrainingInterrupted: on Ctrl-C; it carries a checkpoint of the last epoch.
    """
    if isinstance(config, dict):
        config = TrainConfig.from_dict(config)
    config = config if config is not None else TrainConfig.from_dict(options)
    steps = preprocess
    preprocess = Pipeline.build(steps, center)  # validate options before loading anything
    if data is None:
        data = load_dataset(dataset, data_dir, val_size=val_size,
                            allow_download=allow_download, progress=progress)
    prep_started = time.perf_counter()
    if preprocess.cheap:  # keep uint8 images, make features batch by batch
        num_features = preprocess.fit_transform(data.X_train).shape[1]
        X_train, X_val, X_test = data.X_train, data.X_val, data.X_test
        transform = preprocess.transform
    else:  # fitted on the training split only, then applied to the others
        X_train = preprocess.fit_transform(data.X_train)
        X_val, X_test = preprocess.transform(data.X_val), preprocess.transform(data.X_test)
        num_features, transform = X_train.shape[1], None
    prep_seconds = time.perf_counter() - prep_started
    network = Network.build(num_features, len(data.classes), hidden, activation,
                            seed=config.seed)
    solver = Solver(network, X_train, data.y_train, X_val, data.y_val, config,
                    transform=transform, progress=progress)
    if resume_state is not None:
        solver.load_state(resume_state)
    started = time.perf_counter()
    history = solver.train()
    wall = time.perf_counter() - started
    metrics = _metrics(data, config, solver, history, wall, X_test, hidden, activation,
                       {"center": center, "steps": steps, "spec": preprocess.spec})
    metrics["preprocess_seconds"] = prep_seconds
    model = Model(network, preprocess, data.classes, activation=activation,
                  metadata={k: metrics[k] for k in ("dataset", "config", "test_accuracy",
                                                    "val_accuracy", "hidden", "preprocess",
                                                    "version")})
    return RunResult(model, history, metrics)


def _metrics(data: Dataset, config: TrainConfig, solver: Solver, history: History,
             wall: float, X_test: np.ndarray, hidden: Sequence[int], activation: str,
             preprocess: dict[str, Any]) -> dict[str, Any]:
    train_loss, train_acc = solver.network.evaluate(solver.X_train, solver.y_train,
                                                    solver.transform)
    val_loss, val_acc = solver.validate()
    test_loss, test_acc = solver.test(X_test, data.y_test)
    return {
        "dataset": data.name,
        "data_source": data.source,
        "sizes": {"train": len(data.y_train), "val": len(data.y_val), "test": len(data.y_test)},
        "config": config.to_dict(),
        "preprocess": preprocess,
        "hidden": list(hidden),
        "activation": activation if hidden else None,
        "parameters": solver.network.num_parameters,
        "train_accuracy": train_acc, "train_loss": train_loss,
        "val_accuracy": None if np.isnan(val_acc) else val_acc,
        "val_loss": None if np.isnan(val_loss) else val_loss,
        "test_accuracy": test_acc, "test_loss": test_loss,
        "epochs_run": history.epochs_run,
        "best_epoch": history.best_epoch,
        "stop_reason": history.stop_reason,
        "diverged": history.diverged,
        "divergence": solver.divergence,
        "train_seconds": solver.train_seconds,
        "wall_seconds": wall,
        "history": _finite(history.to_dict()),
        "version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": f"{platform.system()} {platform.machine()}",
        "argv": sys.argv[1:],
    }


def _finite(obj: Any) -> Any:
    """JSON has no NaN: replace non-finite floats by None, recursively."""
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj
