"""Fixtures of the web tests: trained model files and a real ``softmax-mnist serve``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from servers import Server, start_server
from softmax_mnist import load_dataset, train


@pytest.fixture(scope="session")
def sample_models(tmp_path_factory) -> dict[str, Path]:
    """A linear model and an MLP (32 hidden, deskew) trained on the bundled sample: fast."""
    out = tmp_path_factory.mktemp("sample-models")
    data = load_dataset("mnist-sample", progress=False)
    for name, options in {"linear": {}, "mlp": {"hidden": [32], "preprocess": "deskew"}}.items():
        train(data=data, progress=False, max_epoch=3, **options).model.save(out / f"{name}.npz")
    return {name: out / f"{name}.npz" for name in ("linear", "mlp")}


@pytest.fixture(scope="session")
def cnn_model_path(tmp_path_factory) -> Path:
    """A small CNN trained on the bundled sample for one epoch (seconds)."""
    path = tmp_path_factory.mktemp("cnn-model") / "cnn.npz"
    data = load_dataset("mnist-sample", progress=False)
    train(data=data, progress=False, max_epoch=1, layers="conv:4:5,pool:2,fc:16",
          optimizer="adam", learning_rate=0.002).model.save(path)
    return path


@pytest.fixture(scope="session")
def mnist_models(mnist_dir, tmp_path_factory) -> dict[str, Path]:
    """On full MNIST: the default linear model (92.5 %) and a small MLP (64 hidden)."""
    out = tmp_path_factory.mktemp("mnist-models")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTMAX_MNIST_CACHE", str(tmp_path_factory.mktemp("cache")))
        data = load_dataset("mnist", mnist_dir, progress=False)
    linear = train(data=data, progress=False)
    mlp = train(data=data, hidden=[64], max_epoch=3, early_stop="none", progress=False)
    assert linear.test_accuracy > 0.92 and mlp.test_accuracy > 0.95
    linear.model.save(out / "linear.npz")
    mlp.model.save(out / "mlp.npz")
    return {"linear": out / "linear.npz", "mlp": out / "mlp.npz"}


@pytest.fixture(scope="module")
def mnist_server(mnist_models) -> Iterator[Server]:
    """The two full-MNIST models served side by side; stopped with SIGTERM at the end."""
    server = start_server(f"linear={mnist_models['linear']}", f"mlp={mnist_models['mlp']}")
    yield server
    status = server.stop()
    assert status == 0 and "Traceback" not in "".join(server.stderr), server.stderr
