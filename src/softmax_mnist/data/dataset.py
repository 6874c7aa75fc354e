"""Loading a data set and splitting it: train / validation / test.

The first ``N - val_size`` training images train, the last ``val_size`` validate
(5,000 of MNIST's 60,000, as in the course), and the 10,000 t10k images are the
test set, never used to choose anything.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError
from .cache import cached_pair
from .fetch import SAMPLE_DIR, find_files, locate
from .idx import read_idx
from .registry import IMAGE_SIDE, NUM_CLASSES, SAMPLE, dataset_info

IMAGE_SHAPE = (IMAGE_SIDE, IMAGE_SIDE)


@dataclass(frozen=True)
class Dataset:
    """The three splits of an IDX data set, as stored: uint8 pixels, flattened.

    Attributes:
        X_train: (N_train, 784) uint8.   y_train: (N_train,) uint8 in 0..9.
        X_val:   (N_val, 784) uint8.     y_val:   (N_val,)
        X_test:  (N_test, 784) uint8.    y_test:  (N_test,)
        name: the data set name; classes: the ten class names;
        source: where the files were found.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]
    source: str

    def summary(self) -> str:
        return (f"{self.name}: {len(self.y_train)} train / {len(self.y_val)} val / "
                f"{len(self.y_test)} test images from {self.source}")

    def splits(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{"train": (X_train, y_train), "val": …, "test": …}``."""
        return {"train": (self.X_train, self.y_train), "val": (self.X_val, self.y_val),
                "test": (self.X_test, self.y_test)}


def read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read matching image and label files.

    Returns:
        X: (N, 784) uint8, y: (N,) uint8.
    """
    images = read_idx(images_path, ndim=3)
    labels = read_idx(labels_path, ndim=1)
    if images.shape[1:] != IMAGE_SHAPE:
        raise DataError(f"{images_path}: images are {images.shape[1]}x{images.shape[2]}, "
                        f"expected {IMAGE_SHAPE[0]}x{IMAGE_SHAPE[1]}.")
    if len(images) != len(labels):
        raise DataError(f"{images_path} holds {len(images)} images but {labels_path} holds "
                        f"{len(labels)} labels; the files do not belong together.")
    if labels.dtype != np.uint8 or (len(labels) and labels.max() >= NUM_CLASSES):
        raise DataError(f"{labels_path}: labels must be bytes 0..9, found "
                        f"{labels.dtype} up to {labels.max() if len(labels) else '-'}.")
    return images.reshape(len(images), -1), labels


def default_val_size(n_train: int) -> int:
    """5,000 for the full 60,000 (as in the course); a tenth of smaller sets."""
    return 5000 if n_train >= 50_000 else n_train // 10


def load_dataset(name: str = "mnist", data_dir: str | os.PathLike[str] | None = None, *,
                 val_size: int | None = None, allow_download: bool = True,
                 progress: bool = True, use_cache: bool = True,
                 log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
                 ) -> Dataset:
    """Load a data set and split it into train, validation and test.

    Args:
        name: ``mnist``, ``mnist-sample``, ``fashion-mnist`` or ``kmnist``.
        data_dir: a folder with the four IDX files (any published names, ``.gz`` or raw).
            Without it the files are looked up as the module docstring says.
        val_size: how many of the *last* training images validate
            (default 5,000 for a full set, a tenth of smaller ones).
        allow_download: try the mirrors when the files are nowhere on disk.
        progress: show a progress bar while downloading.
        use_cache: keep decoded arrays in the cache directory and reuse them while
            the files are unchanged (see :mod:`softmax_mnist.data.cache`).
        log: where one-line notes go (stderr by default).
    """
    info = dataset_info(name)
    if name == SAMPLE:
        files, source = find_files(SAMPLE_DIR), "bundled sample"
    else:
        files, source = locate(info, data_dir, allow_download=allow_download,
                               progress=progress, log=log)
    read = (lambda i, lab: cached_pair(i, lab, read_pair)) if use_cache else read_pair
    X, y = read(files["train_images"], files["train_labels"])
    X_test, y_test = read(files["test_images"], files["test_labels"])
    val = default_val_size(len(y)) if val_size is None else val_size
    if not 0 <= val < len(y):
        raise ConfigError(f"{{val_size}} must be in [0, {len(y) - 1}] (the training file "
                          f"holds {len(y)} images and some must train), got {val}.",
                          params=("val_size",))
    cut = len(y) - val
    return Dataset(name=name if source != "bundled sample" else SAMPLE,
                   X_train=X[:cut], y_train=y[:cut], X_val=X[cut:], y_val=y[cut:],
                   X_test=X_test, y_test=y_test, classes=info.classes, source=source)


load_mnist = load_dataset
