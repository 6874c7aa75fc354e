"""Data sets known by their decoded content, whoever compressed the files.

Each copy is made in the test from real files: MNIST from ../shared, Fashion-MNIST from
Debian's ``dataset-fashion-mnist`` (re-compressed there; .ci/run installs it).
"""

import functools
import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np
import pytest

from softmax_mnist.data import DATASETS, load_dataset, write_idx
from softmax_mnist.data.dataset import UNRECOGNISED
from softmax_mnist.data.registry import content_digest
from softmax_mnist.errors import DataError

DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
         "t10k-labels-idx1-ubyte")


@functools.cache
def decompressed(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def copy_set(source: Path, target: Path, *, how: str, stems=NAMES) -> Path:
    """The files ``stems`` of ``source`` (.gz), re-written as ``how`` says."""
    target.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        raw = decompressed(source / f"{stem}.gz")
        if how == "raw":
            (target / stem).write_bytes(raw)
        elif how == "dotted-raw":
            (target / stem.replace("-idx", ".idx")).write_bytes(raw)
        elif how == "gzip-1":
            (target / f"{stem}.gz").write_bytes(gzip.compress(raw, compresslevel=1, mtime=7))
        elif how == "gzip-5-dotted":
            name = stem.replace("-idx", ".idx") + ".gz"
            (target / name).write_bytes(gzip.compress(raw, compresslevel=5, mtime=0))
        elif how == "zlib-3":  # another encoder (zlib's gzip wrapper, no file name)
            packer = zlib.compressobj(3, zlib.DEFLATED, 31)
            (target / f"{stem}.gz").write_bytes(packer.compress(raw) + packer.flush())
        else:
            raise ValueError(how)
    return target


def test_mnist_is_known_in_a_raw_copy(mnist_dir, tmp_path):
    copy = copy_set(mnist_dir, tmp_path / "raw", how="raw")
    data = load_dataset(data_dir=copy, use_cache=False, log=pytest.fail)
    assert data.name == "mnist" and data.classes == DATASETS["mnist"].classes


@pytest.mark.parametrize("how", ["dotted-raw", "gzip-1", "gzip-5-dotted", "zlib-3"])
def test_mnist_test_files_are_known_in_any_copy(mnist_dir, tmp_path, how):
    """(The test files only, as ``evaluate`` reads them: a quarter of the bytes.)"""
    copy = copy_set(mnist_dir, tmp_path / how, how=how, stems=NAMES[2:])
    data = load_dataset(data_dir=copy, test_only=True, use_cache=False, log=pytest.fail)
    assert data.name == "mnist" and len(data.y_test) == 10000


def test_published_content_digests_match_the_shared_mnist(mnist_dir):
    data = load_dataset("mnist", mnist_dir, val_size=0, use_cache=False)
    content = DATASETS["mnist"].content
    assert content_digest(data.X_train) == content["train_images"]
    assert content_digest(data.y_test) == content["test_labels"]
    # raw (N, 28, 28) and flattened (N, 784) rows hash alike; one changed pixel does not
    assert content_digest(data.X_test.reshape(-1, 28, 28)) == content["test_images"]
    changed = data.X_test.copy()
    changed[0, 0] ^= 1
    assert content_digest(changed) != content["test_images"]


def test_a_changed_image_makes_the_files_unknown(mnist_dir, tmp_path):
    """Same labels, other images: no longer MNIST (a label digest alone said 'mnist')."""
    copy = copy_set(mnist_dir, tmp_path / "c", how="raw", stems=NAMES[2:])
    images = copy / NAMES[2]
    raw = bytearray(images.read_bytes())
    raw[16 + 400] ^= 0xFF
    images.write_bytes(bytes(raw))
    notes = []
    data = load_dataset(data_dir=copy, test_only=True, use_cache=False, log=notes.append)
    assert data.name == UNRECOGNISED
    assert len(notes) == 1 and "none of the known sets" in notes[0]
    # files of no known set take the name the user gives them
    assert load_dataset("mnist", copy, test_only=True, use_cache=False,
                        log=pytest.fail).name == "mnist"


def test_mnist_files_asked_for_as_another_set_are_refused(mnist_dir, tmp_path):
    copy = copy_set(mnist_dir, tmp_path / "m", how="gzip-1", stems=NAMES[2:])
    with pytest.raises(DataError, match="holds mnist, not kmnist"):
        load_dataset("kmnist", copy, test_only=True, use_cache=False)


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist "
                    "is not installed (.ci/run installs it)")
def test_debians_recompressed_fashion_mnist_is_fashion_mnist():
    data = load_dataset(data_dir=DEBIAN_FASHION, use_cache=False, log=pytest.fail)
    assert data.name == "fashion-mnist"
    assert data.classes[0] == "T-shirt/top" and len(data.y_test) == 10000


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="dataset-fashion-mnist missing")
def test_fashion_mnist_test_files_raw_are_fashion_mnist(tmp_path):
    copy = copy_set(DEBIAN_FASHION, tmp_path, how="dotted-raw", stems=NAMES[2:])
    data = load_dataset(data_dir=copy, test_only=True, use_cache=False, log=pytest.fail)
    assert data.name == "fashion-mnist"


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="dataset-fashion-mnist missing")
def test_fashion_mnist_files_are_not_taken_for_mnist(tmp_path):
    with pytest.raises(DataError, match="holds fashion-mnist, not mnist"):
        load_dataset("mnist", DEBIAN_FASHION, test_only=True, use_cache=False)


def test_a_set_without_content_digests_is_known_by_its_published_archives(tmp_path,
                                                                         monkeypatch):
    """KMNIST's content digests are not recorded (no copy of it could be had here): its
    published archives are still recognised by their md5, a re-compressed copy is not."""
    rng = np.random.default_rng(0)

    for stem in NAMES:
        n = 60 if stem.startswith("train") else 20
        shape = (n, 28, 28) if "images" in stem else (n,)
        write_idx(tmp_path / f"{stem}.gz", rng.integers(0, 10 if len(shape) == 1 else 256,
                                                         shape, dtype=np.uint8))
    md5 = {f"{s}.gz": hashlib.md5((tmp_path / f"{s}.gz").read_bytes()).hexdigest()
           for s in NAMES}
    info = DATASETS["kmnist"]
    monkeypatch.setitem(DATASETS, "kmnist", type(info)(**{**info.__dict__, "md5": md5}))
    assert load_dataset(data_dir=tmp_path, use_cache=False, log=pytest.fail).name == "kmnist"
    for stem in NAMES:  # the same content, compressed again: the md5 no longer matches
        path = tmp_path / f"{stem}.gz"
        path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes()), 1, mtime=99))
    assert load_dataset(data_dir=tmp_path, use_cache=False,
                        log=lambda m: None).name == UNRECOGNISED
