"""Speed tricks of the layers, each behind a name that says what it computes.

A reader of ``layers.py`` sees ``z = affine(x, W, b)``: the lab's ``z = x W + b``. What
makes it fast lives here:

- W is stored column-major (Fortran order) and the product is written into a
  column-major output. BLAS runs the skinny (N, 784) × (784, 10) product faster that
  way, and the softmax's row-wise max and sum then read contiguous columns. Shapes and
  values are those of the plain expression.
"""

from __future__ import annotations

import numpy as np


def weight_matrix(W: np.ndarray, dtype: np.dtype | type) -> np.ndarray:
    """W: (D, M) as a ``dtype`` array in the memory order :func:`affine` is fastest with."""
    return np.asfortranarray(W, dtype=dtype)


def affine(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x W + b`` for x: (N, D), W: (D, M), b: (M,) -> (N, M), column-major."""
    z = np.empty((len(x), W.shape[1]), np.result_type(x, W), order="F")
    np.matmul(x, W, out=z)
    z += b
    return z
