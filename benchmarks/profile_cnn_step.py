"""Where a training step of the ``--model cnn`` network spends its time, layer by layer.

    python benchmarks/profile_cnn_step.py --data-dir ../shared/data/mnist [--workers 2]

Times the forward and backward pass of every layer, the loss and the Adam update over
``--steps`` batches of 100 (after ``--warmup`` untimed ones), as the Solver trains a CNN:
BLAS on one thread and ``--workers`` worker threads of ``nn/_threads.py``. Prints
milliseconds per step; a layer that appears twice (the two pools) is listed by position.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict

import numpy as np
from threadpoolctl import threadpool_limits

from softmax_mnist import Network
from softmax_mnist.data import load_dataset
from softmax_mnist.nn._threads import workers
from softmax_mnist.preprocessing import Pipeline
from softmax_mnist.presets import CNN_LAYERS
from softmax_mnist.training import TrainConfig
from softmax_mnist.training.learner import NetworkLearner

BATCH = 100


class Stopwatch:
    """Milliseconds per step between consecutive ``mark`` calls, by name."""

    def __init__(self, steps: int):
        self.steps, self.timing, self.ms = steps, False, defaultdict(float)
        self._t = time.perf_counter()

    def start(self) -> None:
        self._t = time.perf_counter()

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        if self.timing:
            self.ms[name] += (now - self._t) * 1000 / self.steps
        self._t = now


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.environ.get("SOFTMAX_MNIST_DATA"))
    ap.add_argument("--dataset", default="mnist", help="mnist-sample: a quick check (CI)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--warmup", type=int, default=20)
    args = ap.parse_args(argv)
    data = load_dataset(args.dataset, args.data_dir, allow_download=False, progress=False)
    n = (args.steps + args.warmup) * BATCH
    X = Pipeline.default().fit(data.X_train).transform(data.X_train[:n])
    y = data.y_train[:n]
    net = Network.build(784, 10, architecture=CNN_LAYERS, seed=0)
    learner = NetworkLearner.from_config(net, TrainConfig(optimizer="adam",
                                                          learning_rate=0.001))
    first = next(i for i, layer in enumerate(net.layers) if layer.params)
    watch = Stopwatch(args.steps)
    with threadpool_limits(1, "blas"), workers(args.workers), \
            net.training(np.random.default_rng(0)):
        for step in range(args.warmup + args.steps):
            watch.timing = step >= args.warmup
            a, labels = X[step * BATCH:(step + 1) * BATCH], y[step * BATCH:(step + 1) * BATCH]
            watch.start()
            for i, layer in enumerate(net.layers):
                a = layer.forward(a)
                watch.mark(f"forward  {i:2} {layer!r}")
            learner.loss.forward(a, labels)
            g = learner.loss.backward()
            watch.mark("loss")
            for i in range(len(net.layers) - 1, first, -1):
                g = net.layers[i].backward(g)
                watch.mark(f"backward {i:2} {net.layers[i]!r}")
            net.layers[first].backward_params(g)
            watch.mark(f"backward {first:2} {net.layers[first]!r} (weights only)")
            learner.optimizer.step()
            watch.mark("Adam")
    ms = watch.ms
    for name, value in ms.items():
        print(f"{name:44s} {value:6.2f} ms")
    total = sum(ms.values())
    print(f"{'a step':44s} {total:6.2f} ms  (550 steps: {total * 0.55:.1f} s an epoch)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
