"""Loading a data set and splitting it: train / validation / test.

The first ``N - val_size`` training images train, the last ``val_size`` validate
(5,000 of MNIST's 60,000, as in the course), and the 10,000 t10k images are the
test set, never used to choose anything.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError
from .cache import cached_pair
from .fetch import SAMPLE_DIR, find_files, locate
from .idx import open_idx
from .registry import (
    DATASETS,
    IMAGE_SIDE,
    NUM_CLASSES,
    PARTS,
    SAMPLE,
    DatasetInfo,
    archive_name,
    content_digest,
    dataset_info,
)

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
    """Read matching image and label files, both headers checked before any data.

    MNIST-format sets store bytes: images uint8 0…255, labels uint8 0…9. Files of another
    IDX type (floats, signed or wider integers) are refused rather than converted.

    Returns:
        X: (N, 784) uint8, y: (N,) uint8.
    """
    with open_idx(images_path, ndim=3) as images, open_idx(labels_path, ndim=1) as labels:
        for f, what in ((images, "images"), (labels, "labels")):
            if f.dtype != np.dtype(">u1"):
                raise DataError(f"{f.path}: its {what} are stored as {f.dtype.name}; "
                                f"MNIST-format {what} are unsigned bytes (IDX type 0x08).")
        if images.shape[1:] != IMAGE_SHAPE:
            raise DataError(f"{images_path}: images are {images.shape[1]}x{images.shape[2]}, "
                            f"expected {IMAGE_SHAPE[0]}x{IMAGE_SHAPE[1]}.")
        if images.shape[0] != labels.shape[0]:
            raise DataError(f"{images_path} holds {images.shape[0]} images but {labels_path} "
                            f"holds {labels.shape[0]} labels; the files do not belong "
                            f"together.")
        y = labels.read()
        if y.max() >= NUM_CLASSES:
            raise DataError(f"{labels_path}: labels must be 0..9, found {y.max()}.")
        X = images.read()
    return X.reshape(len(X), -1), y


def default_val_size(n_train: int) -> int:
    """5,000 for the full 60,000 (as in the course); a tenth of smaller sets."""
    return 5000 if n_train >= 50_000 else n_train // 10


UNRECOGNISED = "idx"
"""The name of MNIST-format files that are none of the known sets."""


def identify(files: dict[str, Path], decoded: dict[str, np.ndarray]) -> str | None:
    """The known set these files are, or None.

    A set is recognised when every part loaded (``decoded``: part -> decoded array) is
    that set's: its :func:`~.registry.content_digest` is the set's, whatever compressed
    the file and under which name. A set whose content digests are not recorded is
    recognised only in its published ``.gz`` archives (their md5).
    """
    digests = {part: content_digest(array) for part, array in decoded.items()}
    for info in DATASETS.values():
        if all(_is_part_of(info, part, files[part], digest) for part, digest in digests.items()):
            return info.name
    return None


def _is_part_of(info: DatasetInfo, part: str, path: Path, digest: str) -> bool:
    if info.content:
        return info.content.get(part) == digest
    if path.suffix == ".gz" and path.stat().st_size < (64 << 20):
        return _file_md5(path) == info.md5.get(archive_name(part))
    return False


def _file_md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_dataset(name: str | None = None, data_dir: str | os.PathLike[str] | None = None, *,
                 val_size: int | None = None, allow_download: bool = True,
                 progress: bool = True, use_cache: bool = True, test_only: bool = False,
                 log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
                 ) -> Dataset:
    """Load a data set and split it into train, validation and test.

    Args:
        name: ``mnist``, ``mnist-sample``, ``fashion-mnist`` or ``kmnist``; None: MNIST
            when looking in the usual places, and whatever the files of ``data_dir`` are.
        data_dir: a folder with the four IDX files (any published names, ``.gz`` or raw).
            Without it the files are looked up as the module docstring says.
        val_size: how many of the *last* training images validate
            (default 5,000 for a full set, a tenth of smaller ones).
        allow_download: try the mirrors when the files are nowhere on disk.
        progress: show a progress bar while downloading.
        use_cache: keep decoded arrays in the cache directory and reuse them while
            the files are unchanged (see :mod:`softmax_mnist.data.cache`).
        test_only: read (and download) the test files only; the training and
            validation splits are empty.
        log: where one-line notes go (stderr by default).

    The files are recognised by their decoded content: a run on Fashion-MNIST files is
    called ``fashion-mnist`` whatever folder they came from and whoever compressed them;
    files that are none of the known sets are called ``idx`` (unless ``name`` says what
    they are). ``name`` naming another known set than the files hold is a DataError.
    """
    info = dataset_info(name or "mnist")
    parts = ("test_images", "test_labels") if test_only else tuple(PARTS)
    if name == SAMPLE:
        files, source = find_files(SAMPLE_DIR, parts), "bundled sample"
    else:
        files, source = locate(info, data_dir, parts=parts, allow_download=allow_download,
                               progress=progress, log=log)
    read = (lambda i, lab: cached_pair(i, lab, read_pair)) if use_cache else read_pair
    X_test, y_test = read(files["test_images"], files["test_labels"])
    X = np.zeros((0, IMAGE_SIDE * IMAGE_SIDE), np.uint8)
    y = np.zeros(0, np.uint8)
    if not test_only:
        X, y = read(files["train_images"], files["train_labels"])
    decoded = {"test_images": X_test, "test_labels": y_test,
               **({} if test_only else {"train_images": X, "train_labels": y})}
    name, info = _truthful_name(name, source, files, decoded, log)
    val = (0 if test_only else default_val_size(len(y))) if val_size is None else val_size
    if not 0 <= val < max(len(y), 1):
        raise ConfigError(f"{{val_size}} must be in [0, {len(y) - 1}] (the training file "
                          f"holds {len(y)} images and some must train), got {val}.",
                          params=("val_size",))
    cut = len(y) - val
    return Dataset(name=name, X_train=X[:cut], y_train=y[:cut], X_val=X[cut:], y_val=y[cut:],
                   X_test=X_test, y_test=y_test, classes=info.classes, source=source)


def _truthful_name(asked: str | None, source: str, files: dict[str, Path],
                   decoded: dict[str, np.ndarray],
                   log: Callable[[str], None]) -> tuple[str, DatasetInfo]:
    """The name a data set is reported under, and its registry entry (for class names)."""
    if source == "bundled sample":
        return SAMPLE, dataset_info(SAMPLE)
    found = identify(files, decoded)
    if found is not None and asked not in (None, found):
        raise DataError(f"{source} holds {found}, not {asked}: drop --dataset or point "
                        f"--data-dir at {asked}'s files.")
    if found is not None:
        return found, DATASETS[found]
    if asked is not None:
        return asked, dataset_info(asked)
    log(f"note: the files in {source} are none of the known sets ({', '.join(DATASETS)}); "
        f"runs on them are labelled '{UNRECOGNISED}'.")
    return UNRECOGNISED, DATASETS["mnist"]


load_mnist = load_dataset
