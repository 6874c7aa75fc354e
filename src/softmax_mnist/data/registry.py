"""The data sets softmax-mnist knows: where they are published and their checksums.

All of them use the four MNIST file names and the IDX format, so one code path
reads them all. Two kinds of checksum: the md5 of the published ``.gz`` archives (as
torchvision lists them), which verifies a download; and the SHA-256 of each part's
decoded content (:func:`content_digest`), which recognises a set in any copy, raw or
compressed by anyone, under any of its file names. Mirrors are tried in the order given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError

IMAGE_SIDE = 28
"""MNIST-format images are IMAGE_SIDE × IMAGE_SIDE pixels, stored as rows of IMAGE_PIXELS."""
IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE
NUM_CLASSES = 10

# logical part -> (file stem, IDX kind); the published names are
# "<stem>-<kind>-ubyte" and, for some mirrors, "<stem>.<kind>-ubyte".
PARTS: dict[str, tuple[str, str]] = {
    "train_images": ("train-images", "idx3"),
    "train_labels": ("train-labels", "idx1"),
    "test_images": ("t10k-images", "idx3"),
    "test_labels": ("t10k-labels", "idx1"),
}


def archive_name(part: str) -> str:
    """The canonical published archive name of ``part``, e.g. ``t10k-images-idx3-ubyte.gz``."""
    stem, kind = PARTS[part]
    return f"{stem}-{kind}-ubyte.gz"


def candidate_names(part: str) -> list[str]:
    """Every file name under which ``part`` is published, most common first."""
    stem, kind = PARTS[part]
    names = [f"{stem}-{kind}-ubyte", f"{stem}.{kind}-ubyte"]
    return [n + ext for n in names for ext in (".gz", "")]


@dataclass(frozen=True)
class DatasetInfo:
    """A downloadable IDX data set.

    Attributes:
        name: the ``--dataset`` name.
        title: a human-readable name.
        mirrors: base URLs, tried in order.
        md5: archive file name -> md5 of the published ``.gz``.
        classes: the names of the ten classes.
        content: part (``train_images`` …) -> :func:`content_digest` of its decoded
            array, where known: recognises the set whoever compressed the files. A set
            without them is recognised only in its published archives (by ``md5``).
    """

    name: str
    title: str
    mirrors: tuple[str, ...]
    md5: dict[str, str]
    classes: tuple[str, ...]
    content: dict[str, str] = field(default_factory=dict)


def content_digest(array: np.ndarray) -> str:
    """SHA-256 of a decoded part: images as (N, 784) uint8 rows, labels as (N,) uint8.

    The digest of what the file holds, not of the file: the same for ``.gz`` and raw
    copies, any compressor or level, and either published file name (~40 ms for
    MNIST's 47 MB of training images).
    """
    data = np.ascontiguousarray(array, dtype=np.uint8)
    return hashlib.sha256(data.reshape(len(data), -1) if data.ndim > 1 else data).hexdigest()


DIGITS = tuple(str(d) for d in range(10))

DATASETS: dict[str, DatasetInfo] = {
    "mnist": DatasetInfo(
        name="mnist",
        title="MNIST handwritten digits",
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ),
        md5={
            "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
            "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
            "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
        },
        classes=DIGITS,
        content={
            "train_images": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
            "train_labels": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
            "test_images": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
            "test_labels": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
        },
    ),
    "fashion-mnist": DatasetInfo(
        name="fashion-mnist",
        title="Fashion-MNIST (Zalando)",
        mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        md5={
            "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
        },
        classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        content={
            "train_images": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
            "train_labels": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
            "test_images": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
            "test_labels": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
        },
    ),
    "kmnist": DatasetInfo(
        name="kmnist",
        title="Kuzushiji-MNIST (ROIS-CODH)",
        mirrors=("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",),
        md5={
            "train-images-idx3-ubyte.gz": "bdb82020997e1d708af4cf47b453dcf7",
            "train-labels-idx1-ubyte.gz": "e144d726b3acfaa3e44228e80efcd344",
            "t10k-images-idx3-ubyte.gz": "5c965bf0a639b31b8f53240b1b52f4d7",
            "t10k-labels-idx1-ubyte.gz": "7320c461ea6c1c855c0b718fb2a4b134",
        },
        classes=("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
    ),
}

SAMPLE = "mnist-sample"
DATASET_NAMES = (*DATASETS, SAMPLE)


def dataset_info(name: str) -> DatasetInfo:
    """Look up a downloadable data set by name (``mnist-sample`` is bundled, not here)."""
    if name == SAMPLE:
        return DATASETS["mnist"]
    try:
        return DATASETS[name]
    except KeyError:
        raise ConfigError(f"unknown dataset {name!r}; choose one of: "
                          f"{', '.join(DATASET_NAMES)}.") from None
