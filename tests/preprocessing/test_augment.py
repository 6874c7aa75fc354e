"""--augment: the random distortions of training batches, each against one oracle."""

import numpy as np
import pytest

from softmax_mnist.data import load_dataset
from softmax_mnist.preprocessing.augment import AUGMENTERS, Augmenter, bilinear


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return load_dataset("mnist-sample").X_test[:64]  # (64, 784) uint8


def test_no_distortion_gives_the_images_back_exactly(digits):
    still = Augmenter(shift=0, rotation=0, scale=0)
    np.testing.assert_array_equal(still(digits, np.random.default_rng(0)), digits)


@pytest.mark.parametrize("dr, dc", [(2, -1), (-2, 2), (0, 3), (-27, 0)])
def test_sampling_at_whole_pixel_offsets_is_a_shift_with_zeros_coming_in(digits, dr, dc):
    images = digits[:8].reshape(8, 28, 28).astype(np.float32)
    grid = np.arange(28, dtype=np.float32)
    rows = np.broadcast_to(grid[None, :, None] + dr, images.shape)
    cols = np.broadcast_to(grid[None, None, :] + dc, images.shape)
    expected = np.zeros_like(images)  # out[r, c] = in[r + dr, c + dc], zero outside
    expected[:, max(-dr, 0):28 - max(dr, 0), max(-dc, 0):28 - max(dc, 0)] = \
        images[:, max(dr, 0):28 - max(-dr, 0), max(dc, 0):28 - max(-dc, 0)]
    np.testing.assert_array_equal(bilinear(images, rows, cols), expected)


def test_sampling_half_way_between_pixels_averages_them():
    image = np.zeros((1, 4, 4), np.float32)
    image[0, 1, 1], image[0, 1, 2] = 100, 200
    rows, cols = np.full((1, 1, 1), 1.0, np.float32), np.full((1, 1, 1), 1.5, np.float32)
    assert bilinear(image, rows, cols)[0, 0, 0] == pytest.approx(150)


@pytest.mark.parametrize("name", sorted(AUGMENTERS))
def test_the_same_seed_distorts_the_same_way_and_keeps_uint8_pixels(digits, name):
    augment = AUGMENTERS[name]
    a = augment(digits, np.random.default_rng(7))
    b = augment(digits, np.random.default_rng(7))
    c = augment(digits, np.random.default_rng(8))
    assert a.dtype == np.uint8 and a.shape == digits.shape
    np.testing.assert_array_equal(a, b)
    assert (a != c).any() and (a != digits).any()


def test_an_affine_distortion_keeps_the_ink_and_stays_near_the_centre(digits):
    """±10 % scale, ±10°, ±2 px: the ink changes by at most the area factor (and the
    rounding), and the centre of mass moves by little more than the shift."""
    out = AUGMENTERS["affine"](digits, np.random.default_rng(0)).astype(float)
    ink, ink0 = out.sum(1), digits.astype(float).sum(1)
    assert np.all((ink / ink0 > 0.7) & (ink / ink0 < 1.35))
    grid = np.indices((28, 28)).reshape(2, -1)

    def centre(x):
        return (x @ grid.T) / x.sum(1, keepdims=True)
    moved = np.linalg.norm(centre(out) - centre(digits.astype(float)), axis=1)
    assert np.median(moved) < 2.5 and moved.max() < 6


def test_the_elastic_field_is_smooth_and_a_few_pixels_strong():
    """Simard's field (uniform noise smoothed by a Gaussian of σ = 4, times α = 34) is
    added to the affine map drawn first from the same generator: neighbouring pixels move
    almost alike (raw noise would differ by more than its own size), by about a pixel."""
    affine, elastic = Augmenter(), Augmenter(elastic=True)
    rows_a, cols_a = affine.sources(64, 28, np.random.default_rng(3))
    rows_e, cols_e = elastic.sources(64, 28, np.random.default_rng(3))
    for field in (rows_e - rows_a, cols_e - cols_a):
        size = np.abs(field).mean()
        assert 0.3 < size < 3 and np.abs(field).max() < 10
        for axis in (1, 2):
            assert np.abs(np.diff(field, axis=axis)).mean() < 0.3 * size
