"""Shared fixtures. No test touches the network or the user's real cache."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from softmax_mnist.data.idx import write_idx

REPO = Path(__file__).resolve().parents[1]
# Read before any test changes the environment.
FULL_MNIST = Path(os.environ.get("SOFTMAX_MNIST_DATA") or REPO.parent / "shared" / "data" / "mnist")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """An empty cache and no $SOFTMAX_MNIST_DATA, unless a test sets them."""
    monkeypatch.setenv("SOFTMAX_MNIST_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("SOFTMAX_MNIST_DATA", raising=False)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The full MNIST set (../shared/data/mnist or $SOFTMAX_MNIST_DATA)."""
    if not (FULL_MNIST / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"full MNIST not found at {FULL_MNIST}")
    return FULL_MNIST


def make_idx_set(directory: Path, n_train: int = 60, n_test: int = 20, *, seed: int = 0,
                 dotted: bool = False, gz: bool = True) -> dict[str, np.ndarray]:
    """Write a small random data set in IDX format; returns the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        kind = "idx3" if array.ndim == 3 else "idx1"
        name = f"{stem}{'.' if dotted else '-'}{kind}-ubyte{'.gz' if gz else ''}"
        write_idx(directory / name, array)
    return arrays
