"""Load test of ``softmax-mnist serve`` on loopback: errors, latency percentiles, memory.

    python benchmarks/bench_serve.py --data-dir ../shared/data/mnist --json docs/bench_serve.json
    python benchmarks/bench_serve.py --smoke      # the bundled sample, 200 requests (a test)

Trains the default linear model and an MLP 784-256-10 (3 epochs: the time of a forward
pass does not depend on how well a model is trained), serves both with the real command
(uvicorn on a free port of 127.0.0.1) and sends each model ``--requests`` POST
/api/predict from ``--concurrency`` clients on keep-alive connections, in two rounds:
JSON 28×28 MNIST test images (the API's 28×28 prediction, evidence of the top class),
then 280×280 PNG drawings as the page sends them (prepared on the server, evidence of
all ten classes). Every answer that is not 200, and every exception, is an error. The
server's RSS is read from /proc after a warm-up and after all requests.

The clients run on the same 2 cores as the server, so the latencies include their
share of the CPU. Bounded in count and time: a round stops after ``--requests`` or
``--max-seconds``. Goals (issue 13): 0 errors; p99 ≤ 50 ms (linear) and ≤ 100 ms (MLP
256) for JSON 28×28; RSS growth under 50 MB.
"""

from __future__ import annotations

import argparse
import http.client
import io
import itertools
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import rss_mb, start_server  # the tests' harness of softmax-mnist serve
from softmax_mnist import load_dataset, train

GOALS_P99_MS = {"linear": 50.0, "mlp": 100.0}  # JSON 28×28
GOAL_RSS_GROWTH_MB = 50.0
WARMUP = 50


@dataclass(frozen=True)
class Round:
    """One model, one kind of body: the figures of a load round."""

    model: str
    body: str
    requests: int
    concurrency: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests_per_second: float


def load(url: str, path: str, bodies: list[bytes], media_type: str, requests: int,
         concurrency: int, max_seconds: float) -> tuple[list[float], int]:
    """Send ``requests`` POSTs from ``concurrency`` threads; (latencies in s, errors)."""
    parts = urlsplit(url)
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while (i := next(counter)) < requests and time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("POST", path, body=bodies[i % len(bodies)],
                             headers={"Content-Type": media_type})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += not ok
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors + max(0, requests - len(latencies))  # unsent ones count too


def png_drawings(X: np.ndarray) -> list[bytes]:
    """MNIST digits enlarged to the page's 280×280 pad, dark ink on white, as PNG."""
    out = []
    for x in X:
        img = Image.fromarray(255 - x.reshape(28, 28)).resize((280, 280), Image.BILINEAR)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--smoke", action="store_true",
                        help="the bundled sample and 200 requests per round")
    args = parser.parse_args()
    requests = 200 if args.smoke else args.requests
    data = load_dataset("mnist-sample" if args.smoke else "mnist", args.data_dir,
                        progress=False)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        models = {"linear": train(data=data, progress=False),
                  "mlp": train(data=data, hidden=[256], max_epoch=1 if args.smoke else 3,
                               early_stop="none", progress=False)}
        for name, result in models.items():
            result.model.save(Path(tmp) / f"{name}.npz")
            print(f"{name}: {result.summary()}", file=sys.stderr)
        server = start_server(*(f"{n}={Path(tmp) / n}.npz" for n in models))
        bodies = {"json 28x28": ([json.dumps(x.reshape(28, 28).tolist()).encode()
                                  for x in data.X_test[:200]], "application/json", "top"),
                  "png 280x280": (png_drawings(data.X_test[:50]), "image/png", "all")}
        for name in models:  # warm up every path before the first RSS reading
            for payloads, media, evidence in bodies.values():
                load(server.url, f"/api/predict?model={name}&evidence={evidence}", payloads,
                     media, WARMUP, 2, args.max_seconds)
        rss_before = rss_mb(server.proc.pid)
        rounds = []
        for (body, (payloads, media, evidence)), name in itertools.product(bodies.items(),
                                                                           models):
            started = time.perf_counter()
            latencies, errors = load(server.url, f"/api/predict?model={name}&evidence="
                                     f"{evidence}", payloads, media, requests,
                                     args.concurrency, args.max_seconds)
            wall = time.perf_counter() - started
            ms = np.percentile(np.array(latencies) * 1000, [50, 90, 99, 100])
            rounds.append(Round(name, body, len(latencies), args.concurrency, errors,
                                *(round(float(v), 2) for v in ms),
                                round(len(latencies) / wall, 1)))
        rss_after = rss_mb(server.proc.pid)
        status = server.stop()
    report = {"rounds": [asdict(r) for r in rounds], "rss_mb_after_warmup": round(rss_before, 1),
              "rss_mb_after": round(rss_after, 1), "server_exit_status": status,
              "load_average_before": [round(v, 2) for v in load_before],
              "cpus": os.cpu_count(), "data": data.name}
    print(f"{'model':8} {'body':12} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p90 ms':>7} "
          f"{'p99 ms':>7} {'max ms':>7} {'req/s':>7}")
    for r in rounds:
        print(f"{r.model:8} {r.body:12} {r.requests:8d} {r.errors:6d} {r.p50_ms:7.1f} "
              f"{r.p90_ms:7.1f} {r.p99_ms:7.1f} {r.max_ms:7.1f} {r.requests_per_second:7.1f}")
    print(f"server RSS {rss_before:.1f} MB after warm-up, {rss_after:.1f} MB after "
          f"{sum(r.requests for r in rounds)} requests (growth {rss_after - rss_before:+.1f} MB); "
          f"load average before {load_before[0]:.2f} on {os.cpu_count()} cores")
    goals = [(f"p99 {r.model} json 28x28 ≤ {GOALS_P99_MS[r.model]:g} ms", r.p99_ms
              <= GOALS_P99_MS[r.model]) for r in rounds if r.body == "json 28x28"]
    goals += [("0 errors", all(r.errors == 0 for r in rounds)),
              (f"RSS growth < {GOAL_RSS_GROWTH_MB:g} MB",
               rss_after - rss_before < GOAL_RSS_GROWTH_MB)]
    print("goals: " + "; ".join(f"{g}: {'met' if ok else 'MISSED'}" for g, ok in goals))
    report["goals"] = {g: ok for g, ok in goals}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
