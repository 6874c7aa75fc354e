"""softmax-mnist: softmax regression for handwritten digits, from scratch in NumPy.

Quick start::

    from softmax_mnist import load_mnist, train
    result = train(max_epoch=10)          # full MNIST if it can be found, else the sample
    print(result.summary())
    result.history.history["val_accuracy"]

The packages, in the order data flows through them:

- ``nn``: the lab's math in NumPy only — ``FCLayer``, ``ReLU``, ``Sigmoid``,
  ``SoftmaxCrossEntropyLoss``, ``Network``, ``SGD``, numerical gradient checks;
- ``training``: ``TrainConfig`` (with its option table), the ``Solver`` loop, callbacks
  (``History``, early stopping), checkpoints;
- ``data`` (IDX files, download, the train/val/test split) and ``preprocessing``
  (``Pipeline`` of steps fitted on the training split);
- ``model``: ``ModelSpec`` and ``Model`` (pipeline + network, ``model.npz``);
- ``runner``: ``train()``, the one path from data to a tested model;
- ``experiments`` (studies in TOML, run in parallel) → ``report`` (the lab report);
- front ends: ``cli`` (the ``softmax-mnist`` command), ``predict`` (your own image
  files), ``estimator`` (``SoftmaxRegression`` for scikit-learn; needs the optional
  extra ``pip install "softmax-mnist[sklearn]"`` and is imported on first use).
"""

from ._version import __version__
from .data import Dataset, load_dataset, load_mnist
from .errors import SoftmaxMnistError
from .model import Model, ModelSpec
from .nn import SGD, FCLayer, Network, ReLU, Sigmoid, SoftmaxCrossEntropyLoss, log_softmax, softmax
from .preprocessing import Pipeline
from .runner import RunResult, train
from .training import (
    Callback,
    EarlyStopping,
    EvaluationCurve,
    History,
    PlateauStopping,
    Solver,
    TrainConfig,
)


def __getattr__(name: str):
    """Import ``SoftmaxRegression`` lazily: scikit-learn is an optional extra."""
    if name == "SoftmaxRegression":
        try:
            from .estimator import SoftmaxRegression
        except ImportError as exc:
            raise ImportError(f"softmax_mnist.SoftmaxRegression needs scikit-learn: "
                              f'pip install "softmax-mnist[sklearn]" ({exc})') from exc
        return SoftmaxRegression
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SGD", "Callback", "Dataset", "EarlyStopping", "EvaluationCurve", "FCLayer", "History",
    "Model", "ModelSpec", "Network", "Pipeline", "PlateauStopping", "ReLU", "RunResult",
    "Sigmoid", "SoftmaxCrossEntropyLoss", "SoftmaxMnistError", "Solver", "TrainConfig",
    "__version__", "load_dataset", "load_mnist", "log_softmax", "softmax", "train",
]


def __dir__() -> list[str]:
    return sorted([*globals(), "SoftmaxRegression"])
