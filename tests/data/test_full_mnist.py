"""Training on the full MNIST set: the product's promise, measured."""

import gzip
import json

import numpy as np
import pytest

from helpers import run
from softmax_mnist.data import load_dataset


@pytest.mark.slow
def test_default_training_reaches_92_percent(mnist_dir, tmp_path):
    proc = run("train", "--out", str(tmp_path), "--quiet", env={"SOFTMAX_MNIST_DATA":
                                                                 str(mnist_dir)})
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["dataset"] == "mnist" and "SOFTMAX_MNIST_DATA" in metrics["data_source"]
    assert metrics["sizes"] == {"train": 55000, "val": 5000, "test": 10000}
    assert metrics["test_accuracy"] >= 0.92
    assert metrics["val_accuracy"] >= 0.93


@pytest.mark.slow
def test_raw_dotted_copy_of_the_full_set_is_identical(mnist_dir, tmp_path):
    for gz in mnist_dir.glob("*.gz"):
        name = gz.name.removesuffix(".gz").replace("-idx", ".idx")
        (tmp_path / name).write_bytes(gzip.decompress(gz.read_bytes()))
    a, b = load_dataset("mnist", mnist_dir), load_dataset("mnist", tmp_path)
    assert len(a.y_train) == 55000 and len(a.y_test) == 10000
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
