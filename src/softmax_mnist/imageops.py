"""Image-space operations on whole arrays of square images, vectorised in NumPy.

Every function takes X: (N, S·S) — one flattened S×S image per row, any real dtype,
pixel values in their original range (0 … 255 for MNIST) — and returns float32
rows. No Python loop runs over images: work is done in chunks of ``CHUNK`` rows
so that temporaries stay a few tens of MB.

Deskewing follows the well-known moments-based recipe: compute each image's
centre of mass (r̄, c̄), the variance of its row coordinate and the covariance of
row and column, and shear by α = cov(r, c) / var(r) about the centre of mass,
moving that centre to the middle of the frame. The output pixel (i, j) samples
the input, bilinearly, at

    r = i + (r̄ − S/2),        c = j + (c̄ − S/2) + α (i − S/2)

which is ``scipy.ndimage.affine_transform(img, [[1, 0], [α, 1]], offset=…)`` with
linear instead of cubic interpolation. The row coordinate depends on i only and the
column shift on i only, so the bilinear sample splits into a per-image row shift
followed by a per-row column shift; each is two gathers of whole rows.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

DTYPE = np.float32
CHUNK = 1024  # images per block: temporaries of a few MB stay in cache


def image_side(num_features: int) -> int:
    """S for rows of S·S pixels; ValueError when the rows are not square images."""
    side = math.isqrt(num_features)
    if side * side != num_features or side == 0:
        raise ValueError(f"rows of {num_features} values are not square images")
    return side


def _chunks(n: int):
    for lo in range(0, n, CHUNK):
        yield slice(lo, min(lo + CHUNK, n))


# -- moments and deskewing ---------------------------------------------------------------


def _moment_matrix(side: int) -> np.ndarray:
    """Columns 1, r, c, r², r·c over the pixels, coordinates relative to the frame's
    middle S/2 (small numbers keep float32 sums exact enough): (S·S, 5) float32."""
    r, c = np.meshgrid(np.arange(side) - side / 2, np.arange(side) - side / 2, indexing="ij")
    r, c = r.ravel(), c.ravel()
    return np.stack([np.ones_like(r), r, c, r * r, r * c], axis=1).astype(DTYPE)


def moments(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Centre of mass and second moments of every image, by one matrix product.

    Args:
        X: (N, S·S) non-negative pixel intensities.

    Returns:
        (r̄, c̄, var_r, cov_rc), each (N,) float64, with r̄ and c̄ measured from the
        frame's middle (S/2, S/2) in pixel units; all zeros for a blank image.
    """
    sums = (np.asarray(X, DTYPE) @ _moment_matrix(image_side(X.shape[1]))).astype(np.float64)
    mass = sums[:, 0]
    m = np.where(mass > 0, mass, 1.0)[:, None]
    r_bar, c_bar, rr, rc = (sums[:, 1:] / m).T
    return r_bar, c_bar, rr - r_bar**2, rc - r_bar * c_bar


def skew(X: np.ndarray) -> np.ndarray:
    """The shear α = cov(r, c) / var(r) of every image: (N, S·S) -> (N,); 0 if undefined."""
    _, _, var_r, cov = moments(X)
    return np.divide(cov, var_r, out=np.zeros_like(cov), where=var_r > 1e-6)


def _lerp_into(out: np.ndarray, left: np.ndarray, right: np.ndarray,
               frac: np.ndarray) -> None:
    """out = left + frac · (right − left), elementwise; ``right`` is overwritten."""
    right -= left
    right *= frac
    np.add(left, right, out=out)


def _shift_image_rows(imgs: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Move every image up by ``shift`` rows (fractional, linear, zeros from outside).

    Args:
        imgs: (n, S, S) float32. shift: (n,) float64, one shift per image.

    Returns:
        (n, S, S): out[m, i, :] = imgs[m, i + shift[m], :], interpolated.
    """
    n, side, _ = imgs.shape
    padded = np.zeros((n, side + 2, side), DTYPE)  # a zero row above and below
    padded[:, 1:-1] = imgs
    rows = padded.reshape(-1, side)
    k = np.floor(shift)
    src = np.arange(side)[None, :] + k.astype(np.intp)[:, None]  # (n, S) source rows
    base = (np.arange(n) * (side + 2) + 1)[:, None]
    upper = rows[base + np.clip(src, -1, side)]  # whole-row gathers: (n, S, S)
    lower = rows[base + np.clip(src + 1, -1, side)]
    _lerp_into(upper, upper, lower, (shift - k).astype(DTYPE)[:, None, None])
    return upper


def _shift_each_row(imgs: np.ndarray, shift: np.ndarray, out: np.ndarray) -> None:
    """Move row i of image m left by ``shift[m, i]`` columns, into ``out``.

    Args:
        imgs: (n, S, S) float32. shift: (n, S) float64. out: (n, S·S) float32.
        out[m, i·S + j] = imgs[m, i, j + shift[m, i]], interpolated, zeros outside.
    """
    n, side, _ = imgs.shape
    k = np.floor(shift)
    frac = (shift - k).astype(DTYPE).reshape(-1, 1)
    pad = int(min(side, np.abs(k).max(initial=0) + 1))  # zeros needed on each side
    k = np.clip(k, -pad, pad - 1).astype(np.intp).reshape(-1)
    width = side + 2 * pad
    padded = np.zeros((n * side, width), DTYPE)
    padded[:, pad:pad + side] = imgs.reshape(-1, side)
    windows = sliding_window_view(padded.reshape(-1), side)  # every run of S values
    start = np.arange(n * side) * width + pad + k
    left, right = windows[start], windows[start + 1]  # whole-row gathers: (n·S, S)
    _lerp_into(out.reshape(-1, side), left, right, frac)


def _deskew_block(X: np.ndarray, out: np.ndarray) -> None:
    """Deskew one block X: (n, S·S) into out: (n, S·S) float32."""
    side = image_side(X.shape[1])
    imgs = np.asarray(X, DTYPE).reshape(len(X), side, side)
    r_bar, c_bar, var_r, cov = moments(X)
    alpha = np.divide(cov, var_r, out=np.zeros_like(cov), where=var_r > 1e-6)
    # 1. rows: output row i samples input row i + r̄ (r̄ from the middle): centre it
    centred = _shift_image_rows(imgs, r_bar)
    # 2. columns: row i (i from the middle) samples columns j + c̄ + α·i: centre, unshear
    i = np.arange(side) - side / 2
    _shift_each_row(centred, c_bar[:, None] + alpha[:, None] * i[None, :], out)


def deskew(X: np.ndarray) -> np.ndarray:
    """Straighten every image by its moments: X (N, S·S) -> (N, S·S) float32.

    Pixel values keep their range (bilinear sampling only averages them). A blank
    image stays blank.
    """
    out = np.empty(X.shape, DTYPE)
    for block in _chunks(len(X)):
        _deskew_block(X[block], out[block])
    return out


# -- smoothing, denoising, pooling ----------------------------------------------------


def _band_matrix(kernel: np.ndarray, side: int) -> np.ndarray:
    """(S, S) matrix B with B[a, b] = kernel[b − a + r]: ``x @ B`` correlates every row
    of x with the kernel (radius r), treating pixels outside the frame as 0."""
    radius = len(kernel) // 2
    offset = np.arange(side)[None, :] - np.arange(side)[:, None] + radius  # b − a + r
    inside = (offset >= 0) & (offset < len(kernel))
    return np.where(inside, kernel[np.clip(offset, 0, len(kernel) - 1)], 0).astype(DTYPE)


def _neighbour_sum(imgs: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Separable 'same' correlation of imgs: (n, S, S) with a symmetric 1-D kernel along
    both axes, zeros outside: two small matrix products. Returns (n, S, S) float32."""
    band = _band_matrix(kernel, imgs.shape[1])
    return band.T @ (imgs @ band)  # columns, then rows (band is symmetric for these kernels)


def gaussian_kernel(sigma: float) -> np.ndarray:
    """Normalised 1-D Gaussian of radius ⌈3σ⌉ (at least 1): (2r + 1,) float32."""
    radius = max(1, math.ceil(3 * sigma))
    x = np.arange(-radius, radius + 1)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    return (k / k.sum()).astype(DTYPE)


def blur(X: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing with standard deviation ``sigma`` pixels: (N, S·S) -> float32."""
    side, kernel = image_side(X.shape[1]), gaussian_kernel(sigma)
    out = np.empty(X.shape, DTYPE)
    for block in _chunks(len(X)):
        imgs = X[block].reshape(-1, side, side).astype(DTYPE)
        out[block] = _neighbour_sum(imgs, kernel).reshape(len(imgs), -1)
    return out


def remove_specks(X: np.ndarray, threshold: float) -> np.ndarray:
    """Denoise: zero every pixel ≤ ``threshold`` and every lit pixel with no lit
    8-neighbour (an isolated speck). X: (N, S·S) -> (N, S·S) float32."""
    side = image_side(X.shape[1])
    ones = np.ones(3, DTYPE)
    out = np.empty(X.shape, DTYPE)
    for block in _chunks(len(X)):
        imgs = X[block].reshape(-1, side, side).astype(DTYPE)
        imgs[imgs <= threshold] = 0
        lit = (imgs > 0).astype(DTYPE)
        neighbours = _neighbour_sum(lit, ones) - lit  # lit pixels among the 8 around
        imgs[neighbours == 0] = 0
        out[block] = imgs.reshape(len(imgs), -1)
    return out


def average_pool(X: np.ndarray, size: int) -> np.ndarray:
    """Mean over non-overlapping size×size cells: (N, S·S) -> (N, (S/size)²) float32.

    ValueError when ``size`` does not divide S.
    """
    side = image_side(X.shape[1])
    if size < 1 or side % size:
        raise ValueError(f"pool size {size} does not divide the image side {side}")
    cells = side // size
    pool = np.repeat(np.eye(cells, dtype=DTYPE), size, axis=0) / DTYPE(size)  # (S, S/K)
    imgs = np.asarray(X, DTYPE).reshape(len(X), side, side)
    return (pool.T @ imgs @ pool).reshape(len(X), cells * cells)
