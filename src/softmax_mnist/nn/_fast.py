"""Speed tricks of the layers, each behind a name that says what it computes.

A reader of ``layers.py`` sees ``z = affine(x, W, b)``: the lab's ``z = x W + b``. What
makes it fast lives here:

- BLAS threads by size (:func:`blas_threads`): one thread for the skinny products of
  softmax regression, where waking a second costs more than it brings; all the process
  may use once a layer's product is large enough (an MLP's 100 × 784 × 256).
- convolutional networks split their own products among threads instead
  (:func:`training_threads`, ``_threads.py``).
- a weight gradient xᵀ g of a single row is an outer product: a broadcast multiply gives
  the same numbers several times faster than a matrix-product call
  (:func:`weight_gradient`); a large one (a CNN's 3136 × 128) is split by rows among
  the worker threads, where BLAS runs on one.
- the loss reads and writes the true classes' entries a[n, y_n] through a flat view
  (:func:`label_entries`): a ``take`` and an indexed subtract on it cost half of NumPy's
  two-index fancy indexing, which is a third of the loss on a batch of 100.
- ReLU forward and backward on a CNN's feature maps run in parts on the worker threads
  (:func:`relu`, :func:`relu_backward`; elementwise: the same numbers).
- the input gradient g Wᵀ comes back in the memory order of the layer's input
  (:func:`input_gradient`): column-major after ``Flatten``, which then reshapes it
  without a copy.
- W is stored column-major (Fortran order), and a narrow output — the (N, 10) logits —
  is written column-major too: BLAS runs the skinny (N, 784) × (784, 10) product faster
  that way, and the softmax's row-wise max and sum then read contiguous columns. A wide
  output — a hidden layer's (N, 256) — stays row-major, the order BLAS writes fastest and
  the one the elementwise layers after it share (mixing orders there costs a strided
  pass). Shapes and values are those of the plain expression.
"""

from __future__ import annotations

import numpy as np

from ._threads import parallel


def weight_matrix(W: np.ndarray, dtype: np.dtype | type) -> np.ndarray:
    """W: (D, M) as a ``dtype`` array in the memory order :func:`affine` is fastest with."""
    return np.asfortranarray(W, dtype=dtype)


NARROW = 32  # outputs this wide or narrower are written column-major


def affine(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x W + b`` for x: (N, D), W: (D, M), b: (M,) -> (N, M)."""
    order = "F" if W.shape[1] <= NARROW else "C"
    z = np.empty((len(x), W.shape[1]), np.result_type(x, W), order=order)
    np.matmul(x, W, out=z)
    z += b
    return z


BIG_PRODUCT = 4_000_000  # multiply-adds of a batch's largest product at which threads pay
MAX_THREADS = 4  # a mini-batch's products are too small to keep more threads busy


def blas_threads(batch_size: int, layer_shapes: list[tuple[int, int]], available: int) -> int:
    """BLAS threads for training on batches of ``batch_size`` through layers of
    (inputs, outputs) ``layer_shapes``: up to ``available`` (at most MAX_THREADS) for
    large products, else one."""
    largest = batch_size * max((d * m for d, m in layer_shapes), default=0)
    return min(available, MAX_THREADS) if largest >= BIG_PRODUCT else 1


def training_threads(layers: list, batch_size: int, available: int) -> tuple[int, int]:
    """(BLAS threads, worker threads of ``_threads.parallel``) for training ``layers`` on
    batches of ``batch_size`` with ``available`` threads.

    A convolutional network splits its products among worker threads itself, BLAS on one
    thread each (its small per-frequency products split better by hand, and OpenBLAS's
    idle threads spin: on a busy 2-core machine two BLAS threads made a CNN step 5×
    slower, two workers none); every other network uses :func:`blas_threads`.
    """
    if any(layer.splits_work for layer in layers):
        return 1, min(available, MAX_THREADS)
    shapes = [layer.params["W"].shape for layer in layers if "W" in layer.params]
    return blas_threads(batch_size, shapes, available), 1


def weight_gradient(x: np.ndarray, grad_out: np.ndarray, out: np.ndarray) -> None:
    """``out = xᵀ grad_out`` for x: (N, D), grad_out: (N, M), out: (D, M)."""
    if len(x) == 1:
        np.multiply(x.T, grad_out, out=out)
    elif x.size * out.shape[1] >= BIG_PRODUCT:  # rows of out among the worker threads
        parallel(lambda a, b: np.matmul(x[:, a:b].T, grad_out, out=out[a:b]), len(out))
    else:
        np.matmul(x.T, grad_out, out=out)


def input_gradient(grad_out: np.ndarray, W: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``grad_out Wᵀ`` for grad_out: (N, M), W: (D, M) -> (N, D), in the memory order
    of the layer's input x: (N, D). Flatten hands a fully connected layer its feature
    maps as a column-major view, and takes the gradient back the same way: computed as
    (W grad_outᵀ)ᵀ, it needs no transposing copy there (the same numbers)."""
    if not (x.flags.f_contiguous and not x.flags.c_contiguous):
        return grad_out @ W.T
    out = np.empty((W.shape[0], len(grad_out)), np.result_type(grad_out, W))  # (D, N)
    if out.size * W.shape[1] >= BIG_PRODUCT:  # rows of out among the worker threads
        parallel(lambda a, b: np.matmul(W[a:b], grad_out.T, out=out[a:b]), len(out))
    else:
        np.matmul(W, grad_out.T, out=out)
    return out.T


def label_entries(a: np.ndarray, labels: np.ndarray,
                  rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(flat, at) for a contiguous a: (N, C), labels: (N,), rows = arange(N): ``flat`` is a
    1-D view of a's memory and ``flat[at[n]]`` is a[n, labels[n]], in either memory
    order."""
    if a.flags.f_contiguous:
        at = labels * np.intp(len(a))
        at += rows
        return a.reshape(-1, order="F"), at
    if not a.flags.c_contiguous:
        raise ValueError("label_entries needs a contiguous array")
    at = rows * np.intp(a.shape[1])
    at += labels
    return a.reshape(-1), at


SPLIT_ENTRIES = 1 << 16  # entries of an elementwise pass from which workers share it


def relu(x: np.ndarray) -> np.ndarray:
    """``np.maximum(x, 0)``, a large x split along its first axis among the workers."""
    if x.size < SPLIT_ENTRIES:
        return np.maximum(x, 0)
    y = np.empty_like(x)
    parallel(lambda a, b: np.maximum(x[a:b], 0, out=y[a:b]), len(x))
    return y


def relu_backward(grad_out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``grad_out · (y > 0)`` into grad_out, split like :func:`relu`."""
    if grad_out.size < SPLIT_ENTRIES:
        return np.multiply(grad_out, y > 0, out=grad_out)
    parallel(lambda a, b: np.multiply(grad_out[a:b], y[a:b] > 0, out=grad_out[a:b]),
             len(grad_out))
    return grad_out
