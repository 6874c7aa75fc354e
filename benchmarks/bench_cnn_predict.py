"""How fast a CNN predicts and explains: ``predict`` over the test set and one request
of ``serve`` (a 28×28 image: its probabilities, then the evidence of its top class).

    python benchmarks/bench_cnn_predict.py --data-dir ../shared/data/mnist [--json F]

The network is the ``--model cnn`` preset's with its seeded initial weights: a forward
pass costs the same whatever the weights. Run it with ``PYTHONPATH`` on another checkout's
``src`` to time that version on the same machine, in the same session (issue 24: serve
and predict on CNNs as fast or faster).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from softmax_mnist import Network
from softmax_mnist.data import load_dataset
from softmax_mnist.explain import Explainer
from softmax_mnist.model import Model
from softmax_mnist.preprocessing import Pipeline
from softmax_mnist.presets import CNN_LAYERS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.environ.get("SOFTMAX_MNIST_DATA"))
    ap.add_argument("--dataset", default="mnist", help="mnist-sample: a quick check (CI)")
    ap.add_argument("--repeats", type=int, default=5, help="rounds of predict (median)")
    ap.add_argument("--requests", type=int, default=200, help="single-image requests")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    data = load_dataset(args.dataset, args.data_dir, allow_download=False, progress=False)
    model = Model(Network.build(784, 10, architecture=CNN_LAYERS, seed=0),
                  Pipeline.default().fit(data.X_train))
    explainer = Explainer(model)
    model.predict(data.X_test[:100])  # warm-up
    rounds = []
    for _ in range(max(args.repeats, 1)):
        start = time.perf_counter()
        model.predict(data.X_test)
        rounds.append(time.perf_counter() - start)
    latencies = []
    for i in range(max(args.requests, 1)):
        x = data.X_test[i]
        start = time.perf_counter()
        top = int(model.predict_proba(x[None]).argmax())
        explainer.explain(x, [top])
        latencies.append(time.perf_counter() - start)
    result = {"predict_seconds": statistics.median(rounds), "images": len(data.X_test),
              "request_ms_p50": 1000 * statistics.median(latencies),
              "request_ms_p90": 1000 * float(np.percentile(latencies, 90)),
              "source": str(Path(sys.modules["softmax_mnist"].__file__).parent)}
    print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
