"""How fast softmax-mnist trains, against the baselines, measured in one run: softmax
regression (here), the MLP (``mlp_items.py``), the CNN (``cnn_items.py``), and the
report's wall time.

Every timed item runs once per round, rounds are repeated (``--repeats``, default 5)
and the order of items rotates between rounds, so slow spells of a noisy machine hit
all of them alike; the table shows medians and ratios (theirs / ours). The two CNN epochs
(ours and PyTorch's, a minute or more each) run in rounds of their own after the others,
``--cnn-repeats`` of them (default ``--repeats``).

    python benchmarks/bench_train.py --data-dir ../shared/data/mnist --json bench.json
    python benchmarks/bench_train.py --data-dir ../shared/data/mnist --report-rounds 0
    python benchmarks/bench_train.py --report-rounds 0 --repeats 3 --cnn-repeats 2
    python benchmarks/bench_train.py --smoke          # seconds; what CI runs

Baselines: a plain NumPy loop (the straightforward vectorised loop of the lab), PyTorch
on the CPU (``pip install torch==2.13.0``) with pre-batched tensors and with a
DataLoader (each epoch in a fresh process, after a warm-up epoch, on the faster of one
thread and all cores), scikit-learn's LogisticRegression (lbfgs) — each skipped with a message
when its package is missing — and the full-batch forward + gradient pass, the floor
for one epoch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
from cnn_items import ours_cnn_epoch, torch_cnn, torch_cnn_epoch
from mlp_items import (
    gemm_floor,
    ours_mlp_epoch,
    report_seconds,
    solver_threads,
    time_to_98,
    torch_mlp,
    torch_mlp_epoch,
)
from threadpoolctl import threadpool_info, threadpool_limits

from softmax_mnist import EvaluationCurve, Network, Solver, TrainConfig, load_dataset
from softmax_mnist.data import Dataset
from softmax_mnist.preprocessing import Pipeline

LR, MOMENTUM, BATCH = 0.1, 0.9, 100


# -- the systems under test ------------------------------------------------------------

def ours_epoch(data: Dataset, prep: Pipeline, batch_size: int) -> Callable[[], float]:
    """One epoch of softmax-mnist's Solver (returns its training seconds), after one
    untimed epoch, as PyTorch's worker runs one before the epoch it times."""
    def epoch() -> float:
        solver = Solver(Network.build(seed=0), data.X_train, data.y_train, data.X_val,
                        data.y_val, features=prep.transform, progress=False, max_epoch=1,
                        batch_size=batch_size, learning_rate=LR, momentum=MOMENTUM,
                        early_stop="none")
        solver.train()
        return solver.train_seconds

    def run() -> float:
        epoch()  # warm-up: the caches, after the other systems' runs
        return epoch()
    return run


def plain_numpy_epoch(X: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """The straightforward vectorised loop: shuffled copy, one-hot labels, float32."""
    Y = np.eye(10, dtype=np.float32)[y]

    def run() -> float:
        rng = np.random.default_rng(0)
        W = (rng.standard_normal((784, 10)) * np.sqrt(2 / 794)).astype(np.float32)
        b = np.zeros(10, np.float32)
        vW, vb = np.zeros_like(W), np.zeros_like(b)
        start = time.perf_counter()
        perm = rng.permutation(len(X))
        Xs, Ys = X[perm], Y[perm]
        for i in range(0, len(X), BATCH):
            xb, yb = Xs[i:i + BATCH], Ys[i:i + BATCH]
            z = xb @ W + b
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            _loss = -np.mean(np.sum(yb * np.log(p + 1e-12), axis=1))
            e = (p - yb) / len(xb)
            gW, gb = xb.T @ e, e.sum(axis=0)
            vW = MOMENTUM * vW + LR * gW
            vb = MOMENTUM * vb + LR * gb
            W -= vW
            b -= vb
        return time.perf_counter() - start
    return run


def fairest_threads(run: Callable[[], float]) -> Callable[[], float]:
    """``run`` under the BLAS thread count (one, or all cores) that ran it faster once:
    on a shared machine a second BLAS thread can cost more than it brings."""
    timings = {}
    for threads in (1, None):
        with threadpool_limits(threads):
            timings[threads] = run()
    best = min(timings, key=timings.get)

    def timed() -> float:
        with threadpool_limits(best):
            return run()
    return timed


def floor_pass(X: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """One full-batch forward + gradient over all training features (default threads)."""
    W = np.zeros((784, 10), np.float32)
    rows = np.arange(len(y))

    def run() -> float:
        start = time.perf_counter()
        z = X @ W
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        z[rows, y] -= 1
        _grad = X.T @ z / len(y)
        return time.perf_counter() - start
    return run


def torch_epoch(folder: Path, use_loader: bool, threads: int) -> dict[str, float]:
    """One PyTorch epoch (after one warm-up epoch) on the features saved in ``folder``.

    Runs inside a worker process of its own (``--torch-worker``), so that PyTorch's
    thread pool, which keeps spinning after each operation, cannot slow down the
    measurements of the others.
    """
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    X, y, X_test, y_test = (np.load(folder / f"{k}.npy") for k in ("X", "y", "Xt", "yt"))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xt, yt),
                                         batch_size=BATCH, shuffle=True)
    model = torch.nn.Linear(784, 10)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch() -> float:
        start = time.perf_counter()
        if use_loader:
            batches = iter(loader)
        else:  # pre-batched tensors: one shuffled copy, split into views
            perm = torch.randperm(len(Xt))
            batches = zip(Xt[perm].split(BATCH), yt[perm].split(BATCH), strict=True)
        for xb, yb in batches:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        return time.perf_counter() - start

    epoch()  # warm-up: allocator, kernels
    seconds = epoch()
    with torch.no_grad():
        pred = model(torch.from_numpy(X_test)).argmax(1).numpy()
    return {"seconds": seconds, "accuracy": float((pred == y_test).mean())}


def torch_items(X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
                folder: Path) -> tuple[dict[str, Callable[[], float]], dict] | str:
    """PyTorch CPU, pre-batched tensors and a DataLoader, each run in a fresh process."""
    try:
        import torch
    except ImportError:
        return "torch not installed (pip install torch==2.13.0)"
    for key, array in (("X", X), ("y", y), ("Xt", X_test), ("yt", y_test)):
        np.save(folder / f"{key}.npy", np.ascontiguousarray(array))
    info: dict = {"accuracy": {}}

    def worker(mode: str, threads: int) -> dict[str, float]:
        proc = subprocess.run([sys.executable, __file__, "--torch-worker", mode,
                               str(folder), str(threads)], capture_output=True, text=True,
                              check=True)
        return json.loads(proc.stdout.strip().splitlines()[-1])

    # the fairest thread count for PyTorch: whichever runs an epoch faster
    candidates = sorted({1, torch.get_num_threads()})
    threads = min(candidates, key=lambda t: worker("batched", t)["seconds"])
    info["threads"] = threads

    def make(mode: str) -> Callable[[], float]:
        def run() -> float:
            result = worker(mode, threads)
            info["accuracy"][mode] = result["accuracy"]
            return result["seconds"]
        return run

    return {"torch_batched": make("batched"), "torch_loader": make("loader")}, info


def sklearn_fit(X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
                max_iter: int) -> Callable[[], float] | str:
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        return "scikit-learn not installed (pip install scikit-learn)"
    import warnings

    acc: dict[str, float] = {}

    def run() -> float:
        clf = LogisticRegression(solver="lbfgs", max_iter=max_iter)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        seconds = time.perf_counter() - start
        acc["test"] = float(clf.score(X_test, y_test))
        return seconds
    run.accuracy = acc  # type: ignore[attr-defined]
    return run


def time_to_accuracy(data: Dataset, target: float) -> tuple[float, float, int]:
    """Default configuration: training seconds until test accuracy ≥ target."""
    prep = Pipeline.default().fit(data.X_train)
    curve = EvaluationCurve(data.X_test, data.y_test, prep.transform)
    Solver(Network.build(seed=0), data.X_train, data.y_train, data.X_val, data.y_val,
           TrainConfig(), features=prep.transform, progress=False, callbacks=[curve]).train()
    for point in curve.points:
        if point.accuracy >= target:
            return point.train_seconds, point.accuracy, point.epoch
    return float("inf"), curve.points[-1].accuracy, len(curve.points)


def load_seconds(name: str, data_dir: str | None, use_cache: bool) -> Callable[[], float]:
    """Seconds to load the data set: decoding the .gz files, or from the decoded cache."""
    if use_cache:
        load_dataset(name, data_dir)  # make sure the cache entry exists
    def run() -> float:
        start = time.perf_counter()
        load_dataset(name, data_dir, use_cache=use_cache)
        return time.perf_counter() - start
    return run


def peak_rss_mb(data_dir: str | None, extra: list[str]) -> float:
    """Peak RSS of a default `softmax-mnist train` in a fresh process, in MB.

    Linux's VmHWM belongs to the process image; ru_maxrss would carry over the
    high-water mark of this (large) benchmark process through fork and exec.
    """
    code = ("import sys; from softmax_mnist.cli import main; main(sys.argv[1:]); "
            "print(next(int(line.split()[1]) for line in open('/proc/self/status') "
            "if line.startswith('VmHWM')))")
    with tempfile.TemporaryDirectory() as out:
        args = ["train", "--quiet", "--out", out, *extra]
        if data_dir:
            args += ["--data-dir", data_dir]
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                              text=True, check=True)
    return int(proc.stdout.strip().splitlines()[-1]) / 1024


# -- the run ---------------------------------------------------------------------------

def interleaved(items: dict[str, Callable[[], float]], repeats: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in items}
    names = list(items)
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(items[name]())
    return times


def subset(data: Dataset, n: int) -> Dataset:
    from dataclasses import replace
    return replace(data, X_train=data.X_train[:n], y_train=data.y_train[:n])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", help="full MNIST (default: $SOFTMAX_MNIST_DATA)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--figure", type=Path, help="cost-growth figure (PNG)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cnn-repeats", type=int, metavar="N",
                    help="rounds of the two CNN epochs, ours and PyTorch's, interleaved "
                         "with each other (default: --repeats; each round is a minute or "
                         "more, several on a busy machine)")
    ap.add_argument("--report-rounds", type=int, default=3, metavar="N",
                    help="time `report` and `report --quick` in N rounds (0: not at all; the "
                         "full report trains the CNN rungs of Q5, about 20 minutes a round)")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny sizes, one repeat: checks the script runs (CI)")
    args = ap.parse_args(argv)
    repeats = 1 if args.smoke else max(args.repeats, 1)
    data_dir = args.data_dir or os.environ.get("SOFTMAX_MNIST_DATA")

    # a cache of our own: the benchmark neither relies on nor fills the user's
    os.environ["SOFTMAX_MNIST_CACHE"] = tempfile.mkdtemp(prefix="softmax-mnist-bench-")
    name = "mnist-sample" if args.smoke else "mnist"
    data = load_dataset(name, data_dir, allow_download=False, progress=False)
    if args.smoke:
        data = subset(data, 2000)
    prep = Pipeline.default().fit(data.X_train)
    X, X_test = prep.transform(data.X_train), prep.transform(data.X_test)
    print(f"data: {data.summary()}; {repeats} repeat(s)", flush=True)

    items: dict[str, Callable[[], float]] = {
        f"ours_b{b}": ours_epoch(data, prep, b) for b in (100, 10, 1000)}
    items["plain_numpy"] = fairest_threads(plain_numpy_epoch(X, data.y_train))

    def floor_min() -> float:  # the floor is the faster of one and all BLAS threads
        with threadpool_limits(1):
            one = floor_pass(X, data.y_train)()
        return min(one, floor_pass(X, data.y_train)())
    items["floor"] = floor_min
    skipped: dict[str, str] = {}
    torch_info: dict = {"accuracy": {}}
    found = torch_items(X, data.y_train, X_test, data.y_test,
                        Path(tempfile.mkdtemp(prefix="softmax-mnist-bench-torch-")))
    if isinstance(found, str):
        skipped["torch"] = found
    else:
        items.update(found[0])
        torch_info = found[1]
    items["load_gz"] = load_seconds(name, data_dir, use_cache=False)
    items["load_cache"] = load_seconds(name, data_dir, use_cache=True)
    items["ours_mlp"] = ours_mlp_epoch(data, prep)
    items["mlp_gemm_floor"] = gemm_floor(len(data.y_train))
    found = torch_mlp(X, data.y_train, Path(tempfile.mkdtemp(prefix="softmax-mnist-bench-")),
                      __file__)
    if isinstance(found, str):
        skipped["torch_mlp"] = found
    else:
        items["torch_mlp"], torch_info["mlp"] = found
    cnn_data = subset(data, 1000) if args.smoke else data
    cnn_warmup = 2 if args.smoke else 50  # batches before the timed epoch, both
    cnn_items = {"ours_cnn": (ours_cnn := ours_cnn_epoch(cnn_data, prep, cnn_warmup))}
    found = torch_cnn(prep.transform(cnn_data.X_train), cnn_data.y_train, X_test, data.y_test,
                      Path(tempfile.mkdtemp(prefix="softmax-mnist-bench-")), __file__,
                      warmup=cnn_warmup)
    if isinstance(found, str):
        skipped["torch_cnn"] = found
    else:
        cnn_items["torch_cnn"], torch_info["cnn"] = found
    cnn_repeats = repeats if args.smoke or args.cnn_repeats is None else max(args.cnn_repeats, 1)
    times = {**interleaved(items, repeats), **interleaved(cnn_items, cnn_repeats)}
    if not args.smoke and args.report_rounds > 0:
        times.update(interleaved({"report_quick": report_seconds(data_dir, True),
                                  "report_full": report_seconds(data_dir, False)},
                                 args.report_rounds))

    sk = sklearn_fit(X, data.y_train, X_test, data.y_test, 10 if args.smoke else 100)
    if isinstance(sk, str):
        skipped["sklearn"] = sk
    else:
        times["sklearn_lbfgs"] = [sk() for _ in range(min(repeats, 3))]

    target = 0.85 if args.smoke else 0.92
    reach_seconds, reach_acc, reach_epoch = time_to_accuracy(data, target)
    mlp_target = time_to_98(data, 0.90 if args.smoke else 0.98)
    rss = peak_rss_mb(data_dir, ["--dataset", "mnist-sample"] if args.smoke else [])
    cnn_rss = peak_rss_mb(data_dir, ["--model", "cnn", "--epochs", "1",
                                     *(["--dataset", "mnist-sample"] if args.smoke else [])])
    med = {k: statistics.median(v) for k, v in times.items()}

    results = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}, NumPy {np.__version__}, "
                   + ", ".join(f"{i['internal_api']} {i.get('version')}"
                               for i in threadpool_info() if i["user_api"] == "blas"),
        "data": data.summary(), "repeats": repeats, "cnn_repeats": cnn_repeats,
        "smoke": args.smoke,
        "median_seconds": med, "all_seconds": times, "skipped": skipped,
        "ratios": {
            "torch_batched_over_ours": med.get("torch_batched", np.nan) / med["ours_b100"],
            "torch_loader_over_ours": med.get("torch_loader", np.nan) / med["ours_b100"],
            "plain_numpy_over_ours": med["plain_numpy"] / med["ours_b100"],
            "ours_over_floor": med["ours_b100"] / med["floor"],
            "sklearn_over_ours_to_92": med.get("sklearn_lbfgs", np.nan) / reach_seconds,
            "torch_mlp_over_ours_mlp": med.get("torch_mlp", np.nan) / med["ours_mlp"],
            "ours_mlp_over_gemm_floor": med["ours_mlp"] / med["mlp_gemm_floor"],
            "ours_cnn_over_torch_cnn": med["ours_cnn"] / med.get("torch_cnn", np.nan),
        },
        "mlp_threads": solver_threads(),
        "mlp_time_to_target": mlp_target,
        "torch_threads": torch_info.get("threads"),
        "accuracy": {"torch_batched_2_epochs": torch_info["accuracy"].get("batched"),
                     "torch_loader_2_epochs": torch_info["accuracy"].get("loader"),
                     "sklearn_lbfgs": getattr(sk, "accuracy", {}).get("test")},
        "time_to_target": {"target": target, "seconds": reach_seconds,
                           "test_accuracy": reach_acc, "epochs": reach_epoch},
        "peak_rss_mb": rss,
        "cnn": {"train_images": len(cnn_data.y_train), "torch": torch_info.get("cnn"),
                "ours_test_accuracy_1_epoch": ours_cnn.accuracy.get("test"),
                "peak_rss_mb_one_epoch": cnn_rss},
    }
    if args.figure:
        results["growth"] = growth_figure(data, prep, args.figure, args.smoke)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=float) + "\n")
    return 0


def growth_figure(data: Dataset, prep: Pipeline, path: Path, smoke: bool) -> dict:
    """Epoch time against batch size and against the number of training samples."""
    from softmax_mnist.plots import plt, save_figure

    batches = [10, 100, 1000] if smoke else [1, 10, 100, 1000, 5000]
    by_batch = {b: ours_epoch(data, prep, b)() for b in batches}
    n_max = len(data.y_train)
    sizes = [n for n in (500, 1000, 5000, 10_000, 20_000, 40_000, n_max) if n <= n_max]
    by_size = {n: statistics.median(ours_epoch(subset(data, n), prep, BATCH)()
                                    for _ in range(3)) for n in sizes}
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.loglog(list(by_batch), list(by_batch.values()), "o-")
    a.set(xlabel="batch size", ylabel="seconds per epoch", title=f"{n_max} training images")
    b.plot(list(by_size), list(by_size.values()), "o-")
    b.set(xlabel="training images", ylabel="seconds per epoch", title=f"batch {BATCH}")
    for ax in (a, b):
        ax.grid(alpha=0.3, which="both")
    fig.suptitle("softmax-mnist: cost of one epoch")
    save_figure(fig, path)
    return {"by_batch": by_batch, "by_size": by_size}


def print_table(r: dict) -> None:
    med, ratio, acc = r["median_seconds"], r["ratios"], r["accuracy"]
    rows = [
        ("ours, epoch, batch 100", "ours_b100", ""),
        ("ours, epoch, batch 10", "ours_b10", ""),
        ("ours, epoch, batch 1000", "ours_b1000", ""),
        ("plain NumPy loop, epoch, batch 100", "plain_numpy",
         f"{ratio['plain_numpy_over_ours']:.2f}x ours"),
        ("PyTorch CPU pre-batched, epoch", "torch_batched",
         f"{ratio['torch_batched_over_ours']:.2f}x ours"),
        ("PyTorch CPU DataLoader, epoch", "torch_loader",
         f"{ratio['torch_loader_over_ours']:.2f}x ours"),
        ("full-batch forward+gradient (floor)", "floor",
         f"ours = {ratio['ours_over_floor']:.2f}x floor"),
        ("scikit-learn lbfgs fit", "sklearn_lbfgs",
         f"{ratio['sklearn_over_ours_to_92']:.1f}x ours to target"),
        ("load MNIST from .gz", "load_gz", ""),
        ("load MNIST from cache", "load_cache", ""),
    ]
    print(f"{'what':40s} {'median s':>10s}  ratio")
    for label, key, note in rows:
        if key in med:
            print(f"{label:40s} {med[key]:10.4f}  {note}")
    t = r["time_to_target"]
    print(f"{'ours, default config to target':40s} {t['seconds']:10.4f}  "
          f"{t['test_accuracy']:.2%} test after {t['epochs']} epoch(s)")
    for label, key, note in (
            ("ours, MLP 784-256-10 epoch", "ours_mlp", f"{r['mlp_threads']} BLAS thread(s)"),
            ("PyTorch CPU, the same MLP, epoch", "torch_mlp",
             f"{ratio['torch_mlp_over_ours_mlp']:.2f}x ours"),
            ("the MLP epoch's matmuls alone (floor)", "mlp_gemm_floor",
             f"ours = {ratio['ours_mlp_over_gemm_floor']:.2f}x floor"),
            ("softmax-mnist report --quick, wall", "report_quick", ""),
            ("softmax-mnist report, wall", "report_full", "")):
        if key in med:
            print(f"{label:40s} {med[key]:10.4f}  {note}")
    m = r["mlp_time_to_target"]
    print(f"{'ours, --hidden 256 to target':40s} {m['seconds']:10.4f}  "
          f"{m['test_accuracy']:.2%} test after {m['epochs']} epoch(s)")
    cnn = r["cnn"]
    torch_cnn_info = cnn["torch"] or {}
    for label, key, note in (
            ("ours, --model cnn epoch", "ours_cnn",
             f"{cnn['ours_test_accuracy_1_epoch']:.2%} test after it"),
            ("PyTorch CPU, the same CNN, epoch", "torch_cnn",
             f"ours = {ratio['ours_cnn_over_torch_cnn']:.2f}x PyTorch; "
             f"{torch_cnn_info.get('accuracy', float('nan')):.2%} test after it, "
             f"{torch_cnn_info.get('threads')} thread(s)")):
        if key in med:
            print(f"{label:40s} {med[key]:10.4f}  {note}")
    print(f"peak RSS of softmax-mnist train --model cnn: {cnn['peak_rss_mb_one_epoch']:.0f} MB")
    print(f"peak RSS of softmax-mnist train: {r['peak_rss_mb']:.0f} MB")
    if r.get("torch_threads"):
        print(f"PyTorch ran on {r['torch_threads']} thread(s), its faster setting here")
    print("accuracy: " + ", ".join(f"{k} {v:.2%}" for k, v in acc.items() if v is not None))
    for name, why in r["skipped"].items():
        print(f"skipped {name}: {why}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--torch-cnn-worker"]:
        print(json.dumps(torch_cnn_epoch(Path(sys.argv[2]), int(sys.argv[3]),
                                         int(sys.argv[4]),
                                         *(int(a) for a in sys.argv[5:6]))))
        sys.exit(0)
    if sys.argv[1:2] == ["--torch-mlp-worker"]:
        print(json.dumps(torch_mlp_epoch(Path(sys.argv[2]), int(sys.argv[3]))))
        sys.exit(0)
    if sys.argv[1:2] == ["--torch-worker"]:
        mode, folder, threads = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
        print(json.dumps(torch_epoch(folder, mode == "loader", threads)))
        sys.exit(0)
    sys.exit(main())
