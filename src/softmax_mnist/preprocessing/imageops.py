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

Moment normalisation (:func:`moment_normalize`) goes one step further: after the shear it
also stretches rows and columns so that the ink's spread is the same along both axes
for every digit. The row coordinate still depends on i only, so it is the same two
passes — a per-image row resampling, then a per-pixel column gather.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..nn import DTYPE

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


def _second_moments(X: np.ndarray) -> tuple[np.ndarray, ...]:
    """(r̄, c̄, var_r, cov_rc, var_c) of every image, as :func:`moments` plus var_c."""
    side = image_side(X.shape[1])
    X = np.asarray(X, DTYPE)
    r_bar, c_bar, var_r, cov = moments(X)
    c = np.tile(np.arange(side) - side / 2, side).astype(DTYPE)
    mass = X.sum(axis=1, dtype=np.float64)
    cc = (X @ (c * c)).astype(np.float64) / np.where(mass > 0, mass, 1.0)
    return r_bar, c_bar, var_r, cov, cc - c_bar**2


def _resample_rows(imgs: np.ndarray, src: np.ndarray) -> np.ndarray:
    """out[m, i, :] = imgs[m, src[m, i], :], linear in the fractional row, zeros outside.

    imgs: (n, S, S) float32; src: (n, S) float64 row coordinates. Returns (n, S, S).
    """
    n, side, _ = imgs.shape
    padded = np.zeros((n, side + 2, side), DTYPE)  # a zero row above and below
    padded[:, 1:-1] = imgs
    rows = padded.reshape(-1, side)
    k = np.floor(src)
    frac = (src - k).astype(DTYPE)[:, :, None]
    k = k.astype(np.intp)
    base = (np.arange(n) * (side + 2) + 1)[:, None]
    upper = rows[base + np.clip(k, -1, side)]  # whole-row gathers: (n, S, S)
    lower = rows[base + np.clip(k + 1, -1, side)]
    _lerp_into(upper, upper, lower, frac)
    return upper


def _resample_cols(imgs: np.ndarray, src: np.ndarray, out: np.ndarray) -> None:
    """out[m, i·S + j] = imgs[m, i, src[m, i, j]], linear, zeros outside.

    imgs: (n, S, S) float32; src: (n, S, S) float32 column coordinates; out: (n, S·S).
    """
    n, side, _ = imgs.shape
    width = side + 2
    padded = np.zeros((n * side, width), DTYPE)  # a zero column left and right
    padded[:, 1:-1] = imgs.reshape(-1, side)
    k = np.floor(src)
    frac = src - k
    # padded column k + 1 holds input column k; row (m, i) starts at flat (m·S + i)·width
    k = k.astype(np.int32).reshape(n * side, side) + 1
    starts = (np.arange(n * side, dtype=np.int32) * width)[:, None]
    flat = padded.reshape(-1)
    left = flat[starts + np.clip(k, 0, side + 1)]  # outside the frame: a zero column
    right = flat[starts + np.clip(k + 1, 0, side + 1)]
    _lerp_into(out.reshape(n * side, side), left, right, frac.reshape(n * side, side))


def _moment_normalize_block(X: np.ndarray, out: np.ndarray, std: float,
                            min_std: float) -> None:
    """Moment-normalise one block X: (n, S·S) into out: (n, S·S) float32."""
    side = image_side(X.shape[1])
    imgs = np.asarray(X, DTYPE).reshape(len(X), side, side)
    r_bar, c_bar, var_r, cov, var_c = _second_moments(X)
    alpha = np.divide(cov, var_r, out=np.zeros_like(cov), where=var_r > 1e-6)
    # spreads after deskewing; the column variance drops by α·cov = cov²/var_r
    sd_r = np.sqrt(np.maximum(var_r, min_std**2))
    sd_c = np.sqrt(np.maximum(var_c - alpha * cov, min_std**2))
    a, b = sd_r / std, sd_c / std  # input pixels per output pixel
    i = np.arange(side) - side / 2  # output coordinates from the middle
    # output (i, j) samples the input at row r̄ + a·i, column c̄ + α·a·i + b·j
    src_r = side / 2 + r_bar[:, None] + a[:, None] * i[None, :]
    rows = _resample_rows(imgs, src_r)
    src_c = ((side / 2 + c_bar)[:, None, None] + (alpha * a)[:, None, None] * i[None, :, None]
             + b[:, None, None] * i[None, None, :]).astype(DTYPE)
    _resample_cols(rows, src_c, out)


def moment_normalize(X: np.ndarray, std: float = 4.5, min_std: float = 1.0) -> np.ndarray:
    """Moment normalisation: deskew, centre and rescale every image by its moments.

    The deskewing of :func:`deskew` (shear by α = cov(r, c)/var(r), centre of mass to
    the middle), then each axis is stretched so that the ink's standard deviation is
    ``std`` pixels along rows and along columns: the digit's second-moment matrix
    becomes std²·I. A spread below ``min_std`` counts as ``min_std`` (at most
    std/min_std times magnification, so a straight stroke is not blown up to a block).
    Output (i, j), from the middle, samples the input bilinearly at

        r = r̄ + a·i,    c = c̄ + α·a·i + b·j,    a = sd_r/std,  b = sd_c'/std

    with sd_c'² = var_c − cov²/var_r, the column variance after deskewing.

    Args:
        X: (N, S·S) non-negative pixel intensities, any real dtype.
        std: target standard deviation of the ink along each axis, in pixels (> 0).
        min_std: floor of the measured spreads, in pixels (> 0).

    Returns:
        (N, S·S) float32, pixel values in their original range; a blank image stays blank.
    """
    out = np.empty(X.shape, DTYPE)
    for block in _chunks(len(X)):
        _moment_normalize_block(X[block], out[block], std, min_std)
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
