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


def is_lab2_impl(folder: str | Path) -> bool:
    """True when ``folder`` holds lab 2's tree and no lab-1 ``loss.py``: what ``--impl``
    trains as lab 2."""
    return is_lab2_folder(folder) and not (Path(folder) / "loss.py").is_file()


def load_classes(folder: str | Path) -> dict[str, type]:
    """Import the student's files from ``folder`` (on its own machine: ``train --impl``),
    each under the course's module name -> class name -> class.

    Raises:
        StudentCodeError: a file is missing, does not import (the message says where and
            why) or lacks its class.
    """
    import importlib
    import sys

    from ..student import StudentCodeError, describe_exception

    folder = Path(folder).resolve()
    missing = missing_files(folder)
    if missing:
        raise StudentCodeError(f"{folder}: {', '.join(missing)} not found (lab 2's files; "
                               f"softmax-mnist scaffold --lab 2 DIR writes them).")
    tops = {module_of(f).split(".")[0] for f in FILES}
    for name in [n for n in sys.modules if n.split(".")[0] in tops]:
        del sys.modules[name]  # another folder's files under the same names
    classes = {}
    sys.path.insert(0, str(folder))
    try:
        for file, cls_name in CLASSES.items():
            try:
                module = importlib.import_module(module_of(file))
            except Exception as exc:
                raise StudentCodeError(f"{file} does not import: "
                                       f"{describe_exception(exc, folder)}") from None
            cls = getattr(module, cls_name, None)
            if not isinstance(cls, type):
                raise StudentCodeError(f"{file} defines no class {cls_name} (the course's "
                                       f"name; check its spelling).")
            classes[cls_name] = cls
    finally:
        sys.path.remove(str(folder))
    return classes


def refuse_lab2_folder_as_lab1(folder: str | Path, where: str) -> None:
    """A SoftmaxMnistError when ``folder`` holds lab 2's files and no lab-1 ``loss.py``:
    ``where`` (``check``, ``train --impl`` …) was given it without ``--lab 2``."""
    from ...errors import SoftmaxMnistError

    if is_lab2_impl(folder):
        raise SoftmaxMnistError(
            f"{folder} holds lab 2's files (layers/, criterion/, optimizer.py, network.py): "
            f"add --lab 2 to {where}.")
