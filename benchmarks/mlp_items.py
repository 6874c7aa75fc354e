"""The MLP items of ``bench_train.py``: one epoch of the 784-256-10 ReLU network (batch
100, SGD lr 0.1 momentum 0.9, 55,000 images) — ours, PyTorch's with the same network,
initial weights and optimizer, and the epoch's matrix products alone (its GEMM floor, at
the thread count our Solver picks) — and the training time until 98 % test accuracy.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from softmax_mnist import EvaluationCurve, Network, Solver, TrainConfig
from softmax_mnist.data import Dataset
from softmax_mnist.nn._fast import blas_threads
from softmax_mnist.preprocessing import Pipeline

HIDDEN, LR, MOMENTUM, BATCH = 256, 0.1, 0.9, 100


def ours_mlp_epoch(data: Dataset, prep: Pipeline) -> Callable[[], float]:
    """One epoch of our Solver on the MLP (returns its training seconds), after one
    untimed epoch, as PyTorch's worker runs one before the epoch it times."""
    def epoch() -> float:
        solver = Solver(Network.build(784, 10, (HIDDEN,), seed=0), data.X_train, data.y_train,
                        data.X_val, data.y_val, features=prep.transform, progress=False,
                        max_epoch=1, batch_size=BATCH, learning_rate=LR, momentum=MOMENTUM,
                        early_stop="none")
        solver.train()
        return solver.train_seconds

    def run() -> float:
        epoch()  # warm-up: the caches, after the other systems' runs
        return epoch()
    return run


def solver_threads() -> int:
    """The BLAS threads our Solver uses for this MLP."""
    available = max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"),
                    default=1)
    return blas_threads(BATCH, [(784, HIDDEN), (HIDDEN, 10)], available)


def gemm_floor(n_train: int) -> Callable[[], float]:
    """The epoch's matrix products alone, at the same shapes and thread count: per batch
    x W1, h W2 (forward), g2 W2ᵀ (into the hidden layer), hᵀ g2 and xᵀ g1 (weight
    gradients) — what any implementation of this epoch has to compute."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 784), dtype=np.float32)
    W1 = np.asfortranarray(rng.standard_normal((784, HIDDEN), dtype=np.float32))
    W2 = np.asfortranarray(rng.standard_normal((HIDDEN, 10), dtype=np.float32))
    h = rng.standard_normal((BATCH, HIDDEN), dtype=np.float32)
    g2 = rng.standard_normal((BATCH, 10), dtype=np.float32)
    gW1, gW2 = np.empty_like(W1), np.empty_like(W2)
    batches = -(-n_train // BATCH)

    def run() -> float:
        with threadpool_limits(solver_threads(), "blas"):
            start = time.perf_counter()
            for _ in range(batches):
                _z = x @ W1
                _o = h @ W2
                g1 = g2 @ W2.T
                np.matmul(h.T, g2, out=gW2)
                np.matmul(x.T, g1, out=gW1)
            return time.perf_counter() - start
    return run


def torch_mlp_epoch(folder: Path, threads: int) -> dict[str, float]:
    """One PyTorch epoch of the same MLP (after a warm-up epoch), in a worker process."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    X, y = np.load(folder / "X.npy"), np.load(folder / "y.npy")
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(),
                                torch.nn.Linear(HIDDEN, 10))
    ours = Network.build(784, 10, (HIDDEN,), seed=0)  # the same initial weights
    with torch.no_grad():
        for layer, fc in zip((model[0], model[2]), ours.fc_layers, strict=True):
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(fc.params["W"].T)))
            layer.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch() -> float:
        start = time.perf_counter()
        perm = torch.randperm(len(Xt))
        for xb, yb in zip(Xt[perm].split(BATCH), yt[perm].split(BATCH), strict=True):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        return time.perf_counter() - start

    epoch()
    return {"seconds": epoch()}


def torch_mlp(X: np.ndarray, y: np.ndarray, folder: Path,
              script: str) -> tuple[Callable[[], float], dict] | str:
    """PyTorch's MLP epoch on features X: (N, 784) float32, each in a fresh process, on
    its faster thread count."""
    try:
        import torch
    except ImportError:
        return "torch not installed (pip install torch==2.13.0)"
    np.save(folder / "X.npy", np.ascontiguousarray(X))
    np.save(folder / "y.npy", y)
    info: dict = {}

    def worker(threads: int) -> float:
        proc = subprocess.run([sys.executable, script, "--torch-mlp-worker", str(folder),
                               str(threads)], capture_output=True, text=True, check=True)
        return json.loads(proc.stdout.strip().splitlines()[-1])["seconds"]

    info["threads"] = min(sorted({1, torch.get_num_threads()}), key=worker)
    return (lambda: worker(info["threads"])), info


def time_to_98(data: Dataset, target: float) -> dict[str, float]:
    """``--hidden 256`` with every other option at its default: training seconds until
    the test accuracy first reaches ``target`` (test read after every epoch, only
    reported)."""
    prep = Pipeline.default().fit(data.X_train)
    curve = EvaluationCurve(data.X_test, data.y_test, prep.transform)
    Solver(Network.build(784, 10, (HIDDEN,), seed=0), data.X_train, data.y_train, data.X_val,
           data.y_val, TrainConfig(), features=prep.transform, progress=False,
           callbacks=[curve]).train()
    for point in curve.points:
        if point.accuracy >= target:
            return {"seconds": point.train_seconds, "test_accuracy": point.accuracy,
                    "epochs": point.epoch}
    return {"seconds": float("inf"), "test_accuracy": curve.points[-1].accuracy,
            "epochs": len(curve.points)}


def report_seconds(data_dir: str | None, quick: bool) -> Callable[[], float]:
    """Wall seconds of ``softmax-mnist report`` (``--quick`` or full) in a fresh process."""
    import tempfile

    def run() -> float:
        with tempfile.TemporaryDirectory() as out:
            args = [sys.executable, "-m", "softmax_mnist", "report", "--quiet", "--out",
                    f"{out}/r", *(["--data-dir", data_dir] if data_dir else []),
                    *(["--quick"] if quick else [])]
            start = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            return time.perf_counter() - start
    return run
