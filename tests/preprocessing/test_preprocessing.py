"""Preprocessing transforms: deskew, denoise, blur, pool, standardize, PCA, pipelines."""

from __future__ import annotations

import numpy as np
import pytest

from softmax_mnist.errors import ConfigError, ModelFileError
from softmax_mnist.preprocessing import PCA, Pipeline, Standardize, imageops, parse_step

SIDE = 28


def _bilinear(img: np.ndarray, src_r: np.ndarray, src_c: np.ndarray) -> np.ndarray:
    """Reference sampler: img at (src_r, src_c), bilinear, zeros outside; flattened."""
    r0, c0 = np.floor(src_r).astype(int), np.floor(src_c).astype(int)
    fr, fc = src_r - r0, src_c - c0
    out = np.zeros_like(img)
    for dr, wr in ((0, 1 - fr), (1, fr)):
        for dc, wc in ((0, 1 - fc), (1, fc)):
            rr, cc = r0 + dr, c0 + dc
            ok = (rr >= 0) & (rr < SIDE) & (cc >= 0) & (cc < SIDE)
            out[ok] += (wr * wc)[ok] * img[rr[ok], cc[ok]]
    return out.ravel()


def bar_digit(shear: float, thickness: float = 1.5) -> np.ndarray:
    """A '1'-like stroke through the centre, sheared: column = 14 + shear·(row − 14).

    Returns (784,) float32 in 0 … 255, anti-aliased along the columns.
    """
    r, c = np.mgrid[:SIDE, :SIDE].astype(np.float64)
    centre = 14 + shear * (r - 14)
    ink = np.clip(thickness - np.abs(c - centre), 0, 1) * 255
    ink[(r < 5) | (r > 22)] = 0
    return ink.astype(np.float32).ravel()


# -- deskew --------------------------------------------------------------------------


@pytest.mark.parametrize("shear", [-0.5, -0.2, 0.3, 0.6])
def test_deskew_straightens_a_sheared_digit(shear):
    X = bar_digit(shear)[None]
    assert imageops.skew(X)[0] == pytest.approx(shear, abs=0.02)
    out = imageops.deskew(X)
    assert abs(imageops.skew(out)[0]) < 0.02
    r_bar, c_bar, _, _ = imageops.moments(out)  # centre of mass moved to the middle
    assert abs(r_bar[0]) < 0.1 and abs(c_bar[0]) < 0.1
    # a vertical stroke: every inked row has its ink in the middle columns
    img = out.reshape(SIDE, SIDE)
    rows = img.sum(axis=1) > 0
    cols = (img[rows] * np.arange(SIDE)).sum(axis=1) / img[rows].sum(axis=1)
    np.testing.assert_allclose(cols, 14, atol=0.5)
    assert img.sum() == pytest.approx(X.sum(), rel=0.02)  # ink is preserved


def test_deskew_matches_bilinear_affine_resampling_and_keeps_blank_images():
    rng = np.random.default_rng(0)
    X = np.zeros((3, SIDE * SIDE), np.uint8)
    X[0] = bar_digit(0.4).round().astype(np.uint8)
    X[1] = (rng.random(SIDE * SIDE) < 0.1) * rng.integers(1, 256, SIDE * SIDE)
    out = imageops.deskew(X)
    assert out.dtype == np.float32 and out.shape == X.shape
    assert not out[2].any()  # blank stays blank
    ref = np.stack([_reference_deskew(x) for x in X[:2]])
    np.testing.assert_allclose(out[:2], ref, atol=1e-3)


def _reference_deskew(x: np.ndarray) -> np.ndarray:
    """The textbook per-image recipe, written out with explicit bilinear sampling."""
    img = x.reshape(SIDE, SIDE).astype(np.float64)
    r, c = np.mgrid[:SIDE, :SIDE].astype(np.float64)
    m = img.sum()
    rb, cb = (r * img).sum() / m, (c * img).sum() / m
    alpha = ((r - rb) * (c - cb) * img).sum() / ((r - rb) ** 2 * img).sum()
    src_r = r + rb - 14
    src_c = c + cb - 14 + alpha * (r - 14)
    return _bilinear(img, src_r, src_c)


def test_deskew_handles_many_images_in_chunks(monkeypatch):
    monkeypatch.setattr(imageops, "CHUNK", 7)
    X = np.stack([bar_digit(s) for s in np.linspace(-0.5, 0.5, 20)])
    chunked = imageops.deskew(X)
    monkeypatch.setattr(imageops, "CHUNK", 1000)
    np.testing.assert_allclose(chunked, imageops.deskew(X), rtol=1e-5, atol=1e-3)
    assert np.abs(imageops.skew(chunked)).max() < 0.02


# -- moment normalisation -------------------------------------------------------------


def blob_digit(sd_r: float, sd_c: float, shear: float, r0: float, c0: float) -> np.ndarray:
    """A smooth elliptical blob with spreads (sd_r, sd_c), sheared so that its column
    follows c0 + shear·(row − r0), centred at (r0, c0): (784,) float32 in 0 … 255."""
    r, c = np.mgrid[:SIDE, :SIDE].astype(np.float64)
    u = c - c0 - shear * (r - r0)
    ink = np.exp(-0.5 * (((r - r0) / sd_r) ** 2 + (u / sd_c) ** 2)) * 255
    return ink.astype(np.float32).ravel()


@pytest.mark.parametrize("sd_r, sd_c, shear, r0, c0", [
    (5.0, 2.0, 0.4, 12.0, 15.5),
    (3.0, 3.5, -0.3, 15.0, 12.0),
    (4.0, 1.5, 0.0, 14.0, 14.0),
])
def test_moment_norm_makes_the_second_moments_round_and_centred(sd_r, sd_c, shear, r0, c0):
    X = blob_digit(sd_r, sd_c, shear, r0, c0)[None]
    assert abs(imageops.skew(X)[0] - shear) < 0.05
    out = imageops.moment_normalize(X, std=4.0)
    r_bar, c_bar, var_r, cov = imageops.moments(out)
    assert abs(r_bar[0]) < 0.15 and abs(c_bar[0]) < 0.15  # centre of mass in the middle
    assert abs(cov[0] / var_r[0]) < 0.03  # no shear left
    var_c = ((out[0].reshape(SIDE, SIDE).sum(axis=0) * (np.arange(SIDE) - 14 - c_bar[0]) ** 2)
             .sum() / out[0].sum())
    assert np.sqrt(var_r[0]) == pytest.approx(4.0, rel=0.05)  # both spreads are std
    assert np.sqrt(var_c) == pytest.approx(4.0, rel=0.05)


def _reference_moment_norm(x: np.ndarray, std: float, min_std: float) -> np.ndarray:
    """The per-image recipe with explicit bilinear sampling, for comparison."""
    img = x.reshape(SIDE, SIDE).astype(np.float64)
    r, c = np.mgrid[:SIDE, :SIDE].astype(np.float64)
    m = img.sum()
    rb, cb = (r * img).sum() / m, (c * img).sum() / m
    vr = ((r - rb) ** 2 * img).sum() / m
    vc = ((c - cb) ** 2 * img).sum() / m
    cov = ((r - rb) * (c - cb) * img).sum() / m
    alpha = cov / vr
    a = max(np.sqrt(vr), min_std) / std
    b = max(np.sqrt(vc - alpha * cov), min_std) / std
    src_r = rb + a * (r - 14)
    src_c = cb + alpha * a * (r - 14) + b * (c - 14)
    return _bilinear(img, src_r, src_c)


def test_moment_norm_matches_the_per_image_recipe_in_chunks(monkeypatch):
    rng = np.random.default_rng(1)
    X = np.zeros((6, SIDE * SIDE), np.uint8)
    X[0] = bar_digit(0.4).round().astype(np.uint8)
    X[1] = (rng.random(SIDE * SIDE) < 0.1) * rng.integers(1, 256, SIDE * SIDE)
    X[2] = blob_digit(5, 2, 0.3, 13, 15).round().astype(np.uint8)
    X[3] = blob_digit(2.5, 4, -0.2, 16, 11).round().astype(np.uint8)
    X[4] = bar_digit(0.0, thickness=0.8).round().astype(np.uint8)  # spread below min_std
    monkeypatch.setattr(imageops, "CHUNK", 4)
    out = imageops.moment_normalize(X, std=4.5, min_std=1.0)
    assert out.dtype == np.float32 and out.shape == X.shape
    assert not out[5].any()  # blank stays blank
    ref = np.stack([_reference_moment_norm(x, 4.5, 1.0) for x in X[:5]])
    np.testing.assert_allclose(out[:5], ref, atol=1e-2)
    assert out.max() <= X.max() + 1e-3  # bilinear sampling only averages pixel values


def test_moment_norm_does_not_blow_a_thin_stroke_up_into_a_block():
    X = bar_digit(0.0, thickness=0.8)[None]  # a one-pixel vertical line: spread ≈ 0.3 px
    def inked_columns(min_std: float) -> int:
        out = imageops.moment_normalize(X, std=4.5, min_std=min_std).reshape(SIDE, SIDE)
        return int((out.sum(axis=0) > 1).sum())

    assert 3 <= inked_columns(1.0) <= 9  # at most 4.5× wider (plus bilinear edges)
    assert inked_columns(0.01) == SIDE  # without the floor it fills the frame


def test_moment_norm_step_in_a_pipeline():
    p = Pipeline.build("blur:0.5,momentnorm", "pixel")
    assert p.spec == "blur:0.5,moment-norm:4.5,scale,center-pixel"
    assert parse_step("moment-norm:5").std == 5.0
    X = np.stack([blob_digit(4, 2, 0.2, 13, 15), bar_digit(0.3)]).round().astype(np.uint8)
    q = Pipeline.from_arrays(Pipeline.build("moment-norm:4").fit(X).to_arrays())
    assert q.spec == "moment-norm:4,scale,center-pixel"
    np.testing.assert_allclose(q.transform(X) + q.steps[2].mean,
                               imageops.moment_normalize(X, 4.0) / 255, atol=1e-6)


# -- denoise, blur, pool ---------------------------------------------------------------


def test_denoise_removes_isolated_specks_and_keeps_strokes():
    img = bar_digit(0.0).reshape(SIDE, SIDE).copy()
    img[2, 2] = img[25, 20] = 200  # specks far from the stroke
    img[10, 3] = 10  # faint and isolated
    out = imageops.remove_specks(img.reshape(1, -1), 0).reshape(SIDE, SIDE)
    assert out[2, 2] == out[25, 20] == out[10, 3] == 0
    np.testing.assert_array_equal(out[5:23], img[5:23] * (out[5:23] > 0))
    assert (out > 0).sum() == (img > 0).sum() - 3
    thresholded = imageops.remove_specks(img.reshape(1, -1), 100)
    assert thresholded.min() == 0 and thresholded[thresholded > 0].min() > 100


def test_blur_keeps_mass_in_the_middle_and_spreads_a_point():
    X = np.zeros((1, SIDE * SIDE), np.float32)
    X[0, 14 * SIDE + 14] = 100
    out = imageops.blur(X, 1.0).reshape(SIDE, SIDE)
    assert out.sum() == pytest.approx(100, rel=1e-5)
    assert out[14, 14] == out.max() and out[14, 15] == pytest.approx(out[13, 14])
    assert (out > 0).sum() == 49  # radius 3 in both directions


def test_average_pool():
    X = np.arange(2 * 784, dtype=np.float32).reshape(2, 784)
    out = imageops.average_pool(X, 4)
    assert out.shape == (2, 49)
    assert out[0, 0] == pytest.approx(X[0].reshape(28, 28)[:4, :4].mean())
    with pytest.raises(ValueError):
        imageops.average_pool(X, 3)


# -- feature space -----------------------------------------------------------------------


def test_pca_round_trip_on_low_rank_data():
    rng = np.random.default_rng(1)
    basis = rng.normal(size=(5, 40))
    X = (rng.normal(size=(300, 5)) @ basis + rng.normal(size=40)).astype(np.float32)
    pca = PCA(5).fit(X)
    Z = pca.transform(X)
    assert Z.shape == (300, 5)
    np.testing.assert_allclose(pca.inverse_transform(Z), X, atol=1e-3)
    comps = pca.components.astype(np.float64)
    np.testing.assert_allclose(comps.T @ comps, np.eye(5), atol=1e-5)  # orthonormal
    assert np.all(np.diff(pca.explained_variance) <= 0)
    # fewer components lose what the dropped directions held
    small = PCA(2).fit(X)
    assert np.abs(small.inverse_transform(small.transform(X)) - X).max() > 0.1


def test_standardize_gives_unit_variance_and_tames_constant_features():
    rng = np.random.default_rng(2)
    X = rng.normal(3, 2, size=(500, 6)).astype(np.float32)
    X[:, 5] = 0  # constant in training
    out = Standardize().fit(X).transform(X)
    np.testing.assert_allclose(out[:, :5].mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(out[:, :5].std(axis=0), 1, rtol=1e-3)
    step = Standardize().fit(X)
    unseen = step.transform(np.full((1, 6), 1, np.float32))
    assert abs(unseen[0, 5]) <= 1 / (0.1 * 2 * 5 / 6) + 1e-3  # the floor, not 1 / 0


# -- pipelines and the spec text ---------------------------------------------------------


def test_build_puts_image_steps_first_and_feature_steps_last():
    p = Pipeline.build("pca:30,deskew,standardise,pool:2", "pixel")
    assert p.spec == "deskew,pool:2,scale,center-pixel,pca:30,standardize"
    assert p.output_size(784) == 30
    assert not p.cheap
    assert Pipeline.build("pool:4", "none").cheap
    assert Pipeline.from_spec(p.spec).spec == p.spec


@pytest.mark.parametrize("text, words", [
    ("deskw", "unknown preprocessing step 'deskw'. Did you mean 'deskew'?"),
    ("pca:0", "pca:0 is out of range: use 1 … 784"),
    ("pca:900", "pca:900 is out of range"),
    ("pca", "needs a value"),
    ("pca:ten", "expected a whole number"),
    ("pool:3", "must divide 28"),
    ("pool:1", "pool:1 is out of range"),
    ("pool:4,pool:4", "does not divide 7×7"),
    ("pool:2,pca:500", "only 196 features reach this step"),
    ("blur:0", "out of range"),
    ("scale", "not a preprocessing step of its own"),
    ("deskew:1", "takes no value"),
    ("moment-norm:0", "moment-norm:0 is out of range"),
    ("moment-norm:20", "out of range"),
    ("moment-norm:wide", "expected a number"),
])
def test_user_mistakes_are_config_errors(text, words):
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace("?", r"\?")):
        Pipeline.build(text)


def test_parse_step_values():
    assert parse_step("pca:12").k == 12
    assert parse_step(" POOL:7 ").size == 7
    assert parse_step("blur").sigma == 1.0
    assert parse_step("denoise:40").threshold == 40


def test_fit_uses_only_the_data_it_is_given():
    rng = np.random.default_rng(3)
    train = rng.integers(0, 100, (200, 784)).astype(np.uint8)
    other = rng.integers(150, 256, (50, 784)).astype(np.uint8)
    p = Pipeline.build("deskew,standardize,pca:10").fit(train)
    again = Pipeline.build("deskew,standardize,pca:10").fit(train)
    np.testing.assert_array_equal(p.transform(other), again.transform(other))
    p.transform(other)  # transforming other data never refits
    np.testing.assert_array_equal(p.transform(other), again.transform(other))
    centre = p.steps[2]
    np.testing.assert_allclose(centre.mean, imageops.deskew(train).mean(axis=0) / 255,
                               atol=1e-5)


def test_pipeline_state_round_trip_and_broken_files():
    rng = np.random.default_rng(4)
    X = rng.integers(0, 256, (100, 784)).astype(np.uint8)
    p = Pipeline.build("deskew,blur:0.5,denoise:20,standardize,pca:8").fit(X)
    arrays = p.to_arrays()
    q = Pipeline.from_arrays(arrays)
    assert q.spec == p.spec
    np.testing.assert_array_equal(q.transform(X[:5]), p.transform(X[:5]))
    arrays["preprocess/spec"] = np.array(p.spec.replace("pca:8", "pca:9"))
    with pytest.raises(ModelFileError, match="broken preprocessing"):
        Pipeline.from_arrays(arrays)


@pytest.mark.parametrize("rows", [1, 99, 128, 129, 300])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_the_pixel_centring_gives_the_numbers_of_the_broadcast(rows, layout):
    """``center-pixel`` subtracts the mean in flat blocks of TILE_ROWS rows: bit for bit
    ``X − mean`` for row counts around a block, column-major and strided input, in
    place and not, float32 and float64 rows; the input is left as it was."""
    from softmax_mnist.preprocessing.steps import CenterPixels

    rng = np.random.default_rng(rows)
    train = rng.random((500, 784), dtype=np.float32)
    step = CenterPixels().fit(train)
    X = rng.random((rows, 784 * (2 if layout == "strided" else 1)), dtype=np.float32)
    X = X[:, ::2] if layout == "strided" else np.asarray(X, order=layout)
    before = X.copy()
    for rows_of in (X, X.astype(np.float64)):
        expected = rows_of - step.mean
        out = step.transform(rows_of)
        assert out.dtype == expected.dtype
        np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(X, before)
    inplace = np.ascontiguousarray(X)
    assert step.transform(inplace, inplace=True) is inplace
    np.testing.assert_array_equal(inplace, before - step.mean)
    step.load_state({"mean": step.mean + 1})  # a new mean: new tiles
    np.testing.assert_array_equal(step.transform(X), X - (step.mean))
