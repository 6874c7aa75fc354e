"""The CNN items of ``bench_train.py``: one epoch of the ``--model cnn`` network
(conv 32×5×5 → pool → conv 64×5×5 → pool → fc 128 → dropout 0.5 → 10; Adam, lr 0.001,
batch 100, 55,000 images) — ours, and PyTorch's with the same layers, initial weights,
optimizer and batches (pre-batched tensors, in a fresh worker process on its faster
thread count) — and the peak memory of a CNN training run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from softmax_mnist import Network, Solver
from softmax_mnist.data import Dataset
from softmax_mnist.preprocessing import Pipeline
from softmax_mnist.presets import CNN_LAYERS

LR, BATCH = 0.001, 100
PROBE_BATCHES = 100  # timed batches of the probe for PyTorch's faster thread count


def ours_cnn_epoch(data: Dataset, prep: Pipeline, warmup: int) -> Callable[[], float]:
    """One epoch of our Solver on the preset's CNN, after ``warmup`` untimed batches (as
    PyTorch's worker runs before the epoch it times); returns its training seconds; the
    test accuracy after it goes to ``run.accuracy``, untimed."""
    accuracy: dict[str, float] = {}

    def make(network: Network, rows: int) -> Solver:
        return Solver(network, data.X_train[:rows], data.y_train[:rows], data.X_val[:0],
                      data.y_val[:0], features=prep.transform, progress=False, max_epoch=1,
                      batch_size=BATCH, learning_rate=LR, optimizer="adam",
                      early_stop="none")

    def run() -> float:
        make(Network.build(784, 10, architecture=CNN_LAYERS, seed=1),
             warmup * BATCH).train()  # warm-up: the caches, after the other systems' runs
        network = Network.build(784, 10, architecture=CNN_LAYERS, seed=0)
        solver = make(network, len(data.y_train))
        solver.train()
        accuracy["test"] = network.evaluate(data.X_test, data.y_test, prep.transform)[1]
        return solver.train_seconds
    run.accuracy = accuracy  # type: ignore[attr-defined]
    return run


def torch_cnn_epoch(folder: Path, threads: int, warmup: int,
                    limit: int | None = None) -> dict[str, float]:
    """One PyTorch epoch of the same CNN (after ``warmup`` batches; only its first
    ``limit`` batches if given, for a probe), in a worker process; also its test accuracy
    after it."""
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    X, y = np.load(folder / "X.npy"), np.load(folder / "y.npy")
    Xt = torch.from_numpy(X).reshape(-1, 1, 28, 28)
    yt = torch.from_numpy(y.astype(np.int64))
    model = nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(128, 10))
    ours = Network.build(784, 10, architecture=CNN_LAYERS, seed=0)  # same initial weights
    with torch.no_grad():
        mine = [layer for layer in ours.layers if layer.params]
        theirs = [m for m in model if isinstance(m, nn.Conv2d | nn.Linear)]
        for m, layer in zip(theirs, mine, strict=True):
            W = layer.params["W"]  # conv (F, C·K·K): PyTorch's kernel; fc (D, M): its weight ᵀ
            m.weight.copy_(torch.from_numpy(np.ascontiguousarray(
                W.reshape(m.weight.shape) if isinstance(m, nn.Conv2d) else W.T)))
            m.bias.zero_()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()

    def batches(limit: int | None = None):
        perm = torch.randperm(len(Xt))
        pairs = zip(Xt[perm].split(BATCH), yt[perm].split(BATCH), strict=True)
        for i, pair in enumerate(pairs):
            if limit is not None and i >= limit:
                return
            yield pair

    model.train()
    for xb, yb in batches(warmup):  # allocator, kernels
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()
    start = time.perf_counter()
    for xb, yb in batches(limit):
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        Xte = torch.from_numpy(np.load(folder / "Xt.npy")).reshape(-1, 1, 28, 28)
        pred = torch.cat([model(b) for b in Xte.split(1000)]).argmax(1).numpy()
    return {"seconds": seconds, "accuracy": float((pred == np.load(folder / "yt.npy")).mean())}


def torch_cnn(X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
              folder: Path, script: str, warmup: int) -> tuple[Callable[[], float], dict] | str:
    """PyTorch's CNN epoch on features X: (N, 784) float32, each in a fresh process, on
    its faster thread count (tried once each on PROBE_BATCHES batches: on a busy machine
    a whole epoch on two threads can take a quarter of an hour)."""
    try:
        import torch
    except ImportError:
        return "torch not installed (pip install torch==2.13.0)"
    for key, array in (("X", X), ("y", y), ("Xt", X_test), ("yt", y_test)):
        np.save(folder / f"{key}.npy", np.ascontiguousarray(array))
    info: dict = {}

    def worker(threads: int, limit: int | None = None) -> float:
        proc = subprocess.run([sys.executable, script, "--torch-cnn-worker", str(folder),
                               str(threads), str(warmup), *([str(limit)] if limit else [])],
                              capture_output=True, text=True, check=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if limit is None:
            info["accuracy"] = result["accuracy"]
        return result["seconds"]

    probe = min(PROBE_BATCHES, len(X) // BATCH)
    info["threads"] = min(sorted({1, torch.get_num_threads()}), key=lambda t: worker(t, probe))
    return (lambda: worker(info["threads"])), info

