"""The files and classes of lab 2 as the course hands them out.

The student's folder holds the course's tree; each file defines one class:

    layers/fc_layer.py                  FCLayer(num_input, num_output, actFunction, trainable)
    layers/relu_layer.py                ReLULayer()
    layers/sigmoid_layer.py             SigmoidLayer()
    criterion/euclidean_loss.py         EuclideanLossLayer()
    criterion/softmax_cross_entropy.py  SoftmaxCrossEntropyLossLayer()
    optimizer.py                        SGD(learningRate, weightDecay)
    network.py                          Network()  (given, complete)

plus ``layers/__init__.py`` and ``criterion/__init__.py`` that import them, as the course's
notebook does (``from layers import FCLayer, ReLULayer, SigmoidLayer``).
"""

from __future__ import annotations

from pathlib import Path

CLASSES: dict[str, str] = {
    "layers/fc_layer.py": "FCLayer",
    "layers/relu_layer.py": "ReLULayer",
    "layers/sigmoid_layer.py": "SigmoidLayer",
    "criterion/euclidean_loss.py": "EuclideanLossLayer",
    "criterion/softmax_cross_entropy.py": "SoftmaxCrossEntropyLossLayer",
    "optimizer.py": "SGD",
    "network.py": "Network",
}
"""Each file of the student's -> the class it defines."""

PACKAGES = ("layers/__init__.py", "criterion/__init__.py")
FILES = (*CLASSES, *PACKAGES)
"""Every file of a lab-2 folder."""

ACTIVATIONS = {"relu": "layers.relu_layer.ReLULayer",
               "sigmoid": "layers.sigmoid_layer.SigmoidLayer"}
LOSSES = {"cross-entropy": "criterion.softmax_cross_entropy.SoftmaxCrossEntropyLossLayer",
          "mse": "criterion.euclidean_loss.EuclideanLossLayer"}
"""Our option values -> the student's class (as a dotted path ``module.Class``)."""


def module_of(file: str) -> str:
    """``layers/fc_layer.py`` -> ``layers.fc_layer``."""
    return file.removesuffix(".py").replace("/", ".")


def class_path(file: str) -> str:
    """``layers/fc_layer.py`` -> ``layers.fc_layer.FCLayer``."""
    return f"{module_of(file)}.{CLASSES[file]}"


FC, NETWORK, SGD = (class_path(f) for f in ("layers/fc_layer.py", "network.py",
                                             "optimizer.py"))


def missing_files(folder: str | Path) -> list[str]:
    """The course files not in ``folder``."""
    return [f for f in FILES if not (Path(folder) / f).is_file()]


def is_lab2_folder(folder: str | Path) -> bool:
    """True when ``folder`` holds lab 2's tree (any of its class files)."""
    return any((Path(folder) / f).is_file() for f in CLASSES)
