"""The two ratios of issue 24 in one short run: the linear epoch against PyTorch's
(pre-batched tensors, one and two threads) and the CNN epoch against PyTorch's (the same
network, initial weights, Adam and batches; one thread), interleaved, with
``bench_train.py``'s own items — for a busy machine, where the full benchmark takes hours.

    python benchmarks/bench_versus.py --data-dir ../shared/data/mnist --cnn-repeats 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import bench_train as bt
import numpy as np
from cnn_items import ours_cnn_epoch

from softmax_mnist import load_dataset
from softmax_mnist.preprocessing import Pipeline

SCRIPT = str(Path(__file__).resolve().parent / "bench_train.py")


def worker(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.environ.get("SOFTMAX_MNIST_DATA"))
    ap.add_argument("--linear-repeats", type=int, default=5)
    ap.add_argument("--cnn-repeats", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    data = load_dataset("mnist", args.data_dir, allow_download=False, progress=False)
    prep = Pipeline.default().fit(data.X_train)
    folder = Path(tempfile.mkdtemp(prefix="softmax-mnist-bench-"))
    for key, array in (("X", prep.transform(data.X_train)), ("y", data.y_train),
                       ("Xt", prep.transform(data.X_test)), ("yt", data.y_test)):
        np.save(folder / f"{key}.npy", np.ascontiguousarray(array))
    accuracy: dict[str, float] = {}

    def torch_linear(threads: int):
        return lambda: worker(["--torch-worker", "batched", str(folder), str(threads)])["seconds"]

    def torch_cnn():
        result = worker(["--torch-cnn-worker", str(folder), "1", "50"])  # 50 warm-up batches
        accuracy["torch_cnn"] = result["accuracy"]
        return result["seconds"]

    linear = bt.interleaved({"ours_b100": bt.ours_epoch(data, prep, 100),
                             "torch_batched_1": torch_linear(1),
                             "torch_batched_2": torch_linear(2)}, args.linear_repeats)
    ours_cnn = ours_cnn_epoch(data, prep, warmup=50)
    cnn = bt.interleaved({"ours_cnn": ours_cnn, "torch_cnn_1": torch_cnn}, args.cnn_repeats)
    med = {k: statistics.median(v) for k, v in {**linear, **cnn}.items()}
    best_torch = min(med["torch_batched_1"], med["torch_batched_2"])
    print(f"linear epoch: ours {med['ours_b100']:.3f} s, PyTorch {med['torch_batched_1']:.3f} s "
          f"(1 thread) / {med['torch_batched_2']:.3f} s (2): {best_torch / med['ours_b100']:.2f}x")
    print(f"CNN epoch: ours {med['ours_cnn']:.1f} s ({ours_cnn.accuracy['test']:.2%} test), "
          f"PyTorch {med['torch_cnn_1']:.1f} s ({accuracy['torch_cnn']:.2%}, 1 thread): "
          f"ours = {med['ours_cnn'] / med['torch_cnn_1']:.2f}x its time")
    if args.json:
        args.json.write_text(json.dumps({"all_seconds": {**linear, **cnn}, "median_seconds": med,
                                         "accuracy": {**accuracy, "ours_cnn": ours_cnn.accuracy},
                                         }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
