"""softmax-mnist: softmax regression for handwritten digits, from scratch in NumPy.

Quick start::

    from softmax_mnist import load_mnist, train
    result = train(max_epoch=10)          # full MNIST if it can be found, else the sample
    print(result.summary())
    result.history.history["val_accuracy"]

The pieces, in the order data flows through them: ``data`` (IDX files, download,
split) → ``preprocessing`` → ``layers`` / ``loss`` / ``model`` → ``optimizer`` →
``solver`` → ``runner`` → ``cli``.

Beyond training:

- ``softmax_mnist.predict``: recognise digits in your own PNG/JPEG files, prepared
  the way MNIST was made (``prepare_files``, ``predict_files``; ``softmax-mnist predict``).
- ``SoftmaxRegression``: a scikit-learn estimator (softmax regression, or an MLP via
  ``hidden_layer_sizes``) for ``Pipeline`` and ``GridSearchCV``; needs the optional
  extra ``pip install "softmax-mnist[sklearn]"`` and is imported on first use.
"""

__version__ = "0.1.0"

from .callbacks import Callback, EarlyStopping, History, PlateauStopping
from .config import TrainConfig
from .data import Dataset, load_dataset, load_mnist
from .errors import SoftmaxMnistError
from .layers import FCLayer, ReLU, Sigmoid
from .loss import SoftmaxCrossEntropyLoss, log_softmax, softmax
from .model import Model, Network
from .optimizer import SGD
from .preprocessing import Pipeline
from .runner import RunResult, train
from .solver import Solver


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
    "SGD", "Callback", "Dataset", "EarlyStopping", "FCLayer", "History", "Model", "Network",
    "Pipeline", "PlateauStopping", "ReLU", "RunResult", "Sigmoid", "SoftmaxCrossEntropyLoss",
    "SoftmaxMnistError", "Solver", "TrainConfig", "__version__", "load_dataset", "load_mnist",
    "log_softmax", "softmax", "train",
]


def __dir__() -> list[str]:
    return sorted([*globals(), "SoftmaxRegression"])
