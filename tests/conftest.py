"""Shared fixtures. No test touches the network or the user's real cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import FULL_MNIST


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
